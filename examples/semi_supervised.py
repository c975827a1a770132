"""Semi-supervised learning: pretrain on every digit without labels, then learn from a few labels.

The 2006 recipe for scarce labels. A DBN 784-256-128 is pretrained with CD-1 on all
training digits (labels unused). With only n labelled digits (n = 100, 1000) we then
(1) train a softmax layer on the frozen pretrained encoder (``freeze_first``: a probe),
(2) unfreeze and fine-tune the whole network. The same network from a random
initialisation goes through the same two steps. Pretraining helps most when labels
are fewest.

    python -m examples.semi_supervised [--epochs 3] [--seed 0] [--out gallery] [--full]

--full: 784-500-500-2000 (the paper's classifier DBN), 20 epochs per layer, more labels.
"""
import numpy

from minidl import datasets, viz
from minidl.backend import derive_seed
from minidl.classifier import Classifier
from minidl.layers import Dense, Sequential, Sigmoid
from minidl.optimizers import SGD, Adam
from minidl.pretrain import freeze_first
from rbm import DBN

from examples._common import Result, out_path, parse_args, run_alone

TITLE = "Semi-supervised: accuracy vs number of labels, pretrained vs random init"


def random_network(sizes, n_classes, seed):
    """The same architecture as the DBN classifier, Glorot-initialised."""
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers += [Dense(a, b, seed=derive_seed(seed, "layer", i)), Sigmoid()]
    return Sequential(*layers, Dense(sizes[-1], n_classes, seed=derive_seed(seed, "head")))


def probe_then_finetune(network, X, y, X_test, y_test, epochs, seed):
    """Accuracy after training the head on a frozen body, then after fine-tuning all."""
    model = Classifier(freeze_first(network, len(network) - 1), n_classes=10)
    batch = max(10, len(X) // 10)
    model.fit(X, y, epochs=epochs, batch_size=batch, optimizer=Adam(1e-2), seed=seed, verbose=0)
    probe = model.score(X_test, y_test)
    freeze_first(network, 0)
    model.fit(X, y, epochs=epochs, batch_size=batch, optimizer=Adam(1e-3), seed=seed, verbose=0)
    return probe, model.score(X_test, y_test)


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=3)
    X, y = datasets.load(args.dataset, "train")
    X_test, y_test = datasets.load(args.dataset, "test")
    sizes = [X.shape[1], 500, 500, 2000] if args.full else [X.shape[1], 256, 128]
    label_counts = (100, 1000, 10000) if args.full else (100, 1000)
    dbn = DBN(sizes, optimizer=SGD(0.05, momentum=0.9), seed=args.seed)
    dbn.pretrain(X, epochs=20 if args.full else args.epochs, batch_size=64, seed=args.seed)

    order = numpy.random.default_rng(args.seed).permutation(len(X))
    curves, result = {}, Result()
    for n in label_counts:
        idx = order[:n]
        tune_epochs = 50 if args.full else 30  # 10 batches an epoch, whatever n
        for name, network in (("pretrained", dbn.to_classifier(10, seed=args.seed).network),
                              ("random init", random_network(sizes, 10, args.seed))):
            probe, tuned = probe_then_finetune(network, X[idx], y[idx], X_test, y_test,
                                               tune_epochs, args.seed)
            for step, acc in (("frozen encoder", probe), ("fine-tuned", tuned)):
                curves.setdefault(f"{name}, {step}", ([], []))
                curves[f"{name}, {step}"][0].append(n)
                curves[f"{name}, {step}"][1].append(acc)
                result.metrics[f"test accuracy, {n} labels, {name}, {step}"] = round(acc, 4)
    fewest = label_counts[0]
    result.claim(f"with {fewest} labels, fine-tuning the pretrained network beats fine-tuning "
                 f"the randomly initialised one (test accuracy)",
                 result.metrics[f"test accuracy, {fewest} labels, pretrained, fine-tuned"], ">",
                 result.metrics[f"test accuracy, {fewest} labels, random init, fine-tuned"])
    result.add_figure(viz.curves({k: tuple(v) for k, v in curves.items()},
                                 out_path(args, "semi_supervised"), xlabel="labelled digits",
                                 ylabel="test accuracy", title="pretraining on unlabelled digits"),
                      "Test accuracy against the number of labelled training digits: a softmax "
                      "on the frozen encoder, then the whole network fine-tuned; DBN-pretrained "
                      "vs random initialisation.")
    result.report()
    return result


if __name__ == "__main__":
    run_alone(main)
