"""RBM features and a linear probe: do P(h | v) separate the digits better than pixels?

A 784-256 Bernoulli RBM is trained with CD-1 (no labels), then a softmax regression
is trained on frozen features and scored on the test split: once on the raw pixels,
once on the RBM's hidden probabilities P(h = 1 | v). This is how RBM pretraining was
first judged useful (Hinton, Osindero & Teh 2006): unsupervised features that a linear
classifier can use.

    python -m examples.rbm_linear_probe [--epochs 10] [--seed 0] [--out gallery] [--full]

--full: 500 hidden units, 30 epochs, a longer probe.
"""
import numpy

from minidl import backend, datasets, metrics, viz
from minidl.optimizers import SGD
from rbm import BernoulliRBM

from examples._common import Result, out_path, parse_args, run_alone

TITLE = "RBM features + linear probe vs raw pixels"


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=10, full_epochs=30)
    X, y = datasets.load(args.dataset, "train")
    X_test, y_test = datasets.load(args.dataset, "test")
    rbm = BernoulliRBM(X.shape[1], 500 if args.full else 256, k=1,
                       optimizer=SGD(0.05, momentum=0.9), weight_decay=1e-4, seed=args.seed)
    rbm.fit(X, epochs=args.epochs, batch_size=64, seed=args.seed, verbose=0)  # grey = probability
    Z, Z_test = backend.to_host(rbm.transform(X)), backend.to_host(rbm.transform(X_test))

    probe_epochs = 30 if args.full else 10
    raw = metrics.linear_probe(X, y, X_test, y_test, epochs=probe_epochs, seed=args.seed)
    rbm_acc = metrics.linear_probe(Z, y, Z_test, y_test, epochs=probe_epochs, seed=args.seed)
    result = Result()
    result.metrics["linear probe accuracy: raw pixels"] = round(float(raw), 4)
    result.metrics["linear probe accuracy: RBM features"] = round(float(rbm_acc), 4)
    result.claim("a linear classifier separates the digits better on the RBM's P(h | v) than "
                 "on raw pixels (test accuracy, same probe)", rbm_acc, ">", raw)
    shape = datasets.image_shape(args.dataset)
    result.add_figure(viz.filters(rbm.W.data, out_path(args, "rbm_probe_filters"), shape=shape,
                                  title="the features' weights"),
                      "Weights of the first 100 hidden units, whose probabilities are the "
                      "probe's features.")
    top = numpy.argsort(-Z_test[:1].ravel())[:10]
    result.add_figure(viz.rows([X_test[:1].repeat(10, 0), backend.to_host(rbm.W.data).T[top]],
                               ["test digit", "its 10 most active units' filters"],
                               out_path(args, "rbm_probe_active_units"), shape=shape),
                      "A test digit and the filters of the hidden units most sure they "
                      "are on for it.")
    result.report()
    return result


if __name__ == "__main__":
    run_alone(main)
