"""Filters of an MNIST RBM: what each hidden unit of a Bernoulli RBM looks for.

A 784-256 RBM is trained with CD-1 on binarised digits (pixels > 0.5), SGD with
momentum (lr 0.05, momentum 0.9, weight decay 1e-4 as in Hinton's practical guide).
Each hidden unit's weight vector W[:, j] is drawn as a 28x28 image: after a few
epochs on 4,000 digits many are still whole-digit templates with strokes picked out;
with --full (more data, epochs) they become more localised strokes and blobs. We
also show reconstructions E[v | h = P(h | v)] of test digits and report the
reconstruction error and scikit-learn's pseudo-log-likelihood.

    python -m examples.rbm_filters [--epochs 8] [--seed 0] [--out gallery] [--full]

--full: 500 hidden units, 50 epochs (use --dataset mnist when full MNIST is present).
"""
import numpy

from minidl import datasets, viz
from rbm import BernoulliRBM

from examples._common import Result, out_path, parse_args

TITLE = "RBM filters on MNIST"


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=8, full_epochs=50)
    X, _ = datasets.load(args.dataset, "train")
    X_test, _ = datasets.load(args.dataset, "test")
    X, X_test = (X > 0.5).astype(numpy.float32), (X_test > 0.5).astype(numpy.float32)
    shape = datasets.image_shape(args.dataset)
    n_hidden = 500 if args.full else 256

    rbm = BernoulliRBM(X.shape[1], n_hidden, k=1, lr=0.05, momentum=0.9,
                       weight_decay=1e-4, seed=args.seed)
    history = rbm.fit(X, epochs=args.epochs, batch_size=64, seed=args.seed, verbose=0)

    result = Result()
    result.add_figure(viz.filters(rbm.W.data, out_path(args, "rbm_filters"), shape=shape,
                                  title=f"{X.shape[1]}-{n_hidden} RBM, CD-1, "
                                        f"{args.epochs} epochs"),
                      "The weights into the first 100 hidden units, each scaled on its own: "
                      "CD-1 turns random noise into digit-part and stroke detectors.")
    result.add_figure(viz.reconstructions(X_test[:10], rbm.reconstruct(X_test[:10]),
                                          out_path(args, "rbm_reconstructions"), shape=shape,
                                          title="test digits and E[v | P(h | v)]"),
                      "Binarised test digits (top) and the RBM's mean-field reconstructions.")
    result.add_figure(viz.curves({"train": history.history["recon_error"]},
                                 out_path(args, "rbm_recon_error"), ylabel="squared error "
                                 "per digit", title="CD-1 reconstruction error"),
                      "Reconstruction error per epoch: the guide's monitor (not the "
                      "likelihood, which CD does not follow exactly).")
    result.metrics["train recon error (last epoch)"] = round(history.history["recon_error"][-1], 2)
    result.metrics["test recon error"] = round(rbm.evaluate(X_test)["recon_error"], 2)
    result.metrics["test pseudo-log-likelihood"] = round(
        float(rbm.pseudo_likelihood(X_test, seed=args.seed).mean()), 2)
    return result


if __name__ == "__main__":
    main()
