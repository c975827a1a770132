"""Transfer learning with frozen layers: learn digits 0-4, reuse the features for few-label 5-9.

A small CNN (conv 5x5 x8, pool, conv 5x5 x16, pool, softmax) is trained on every
training digit 0-4 (source task). Its convolutional body is then frozen and a fresh
softmax head is trained on a handful of labelled digits 5-9 (target task); only the
head's weights move,

    logits = body(x) W_head + b_head,     body = the conv layers learned on 0-4, frozen,

so the local features learned on 0-4 serve for 5-9. Baselines on the same
few labels, with the same optimizer and steps: the same softmax head on raw pixels, a
784-256-128 MLP trained from scratch, and the CNN itself trained from scratch.

What it shows on MNIST: the frozen features beat pixels and the MLP from scratch by a
wide margin with 50 labels. The CNN from scratch does about as well as the transfer:
convolution and pooling are themselves a strong prior for digits, and 5-9 share few
whole-digit shapes with 0-4 -- the printed numbers say by how much either way.

    python -m examples.transfer_frozen [--epochs 3] [--labels 10] [--seed 0] [--out gallery]

--labels: labelled target digits per class (default 10, i.e. 50 labels).
--full: full MNIST (when present), 5 source epochs.
"""
import numpy

from minidl import datasets, viz
from minidl.backend import derive_seed
from minidl.classifier import Classifier
from minidl.layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU, Reshape, Sequential
from minidl.optimizers import Adam
from minidl.pretrain import freeze_first

from examples._common import Result, out_path, parse_args, run_alone

TITLE = "Transfer learning: frozen features from digits 0-4 for 5-9 with few labels"

HEAD_EPOCHS, HEAD_BATCH = 100, 10    # the target task's budget, the same for every run


def cnn_body(seed):
    """The convolutional feature extractor: (N, 784) -> (N, 256)."""
    return [Reshape((1, 28, 28)),
            Conv2D(1, 8, 5, seed=derive_seed(seed, "conv", 0)), ReLU(), MaxPool2D(2),  # 8x12x12
            Conv2D(8, 16, 5, seed=derive_seed(seed, "conv", 1)), ReLU(), MaxPool2D(2),  # 16x4x4
            Flatten()]


def softmax_head(n_in, seed):
    return Dense(n_in, 5, seed=derive_seed(seed, "head"))


def mlp(n_in, seed):
    """A 784-256-128-5 ReLU network."""
    return Sequential(Dense(n_in, 256, init="he", seed=derive_seed(seed, "layer", 0)), ReLU(),
                      Dense(256, 128, init="he", seed=derive_seed(seed, "layer", 1)), ReLU(),
                      softmax_head(128, seed))


def train(model, X, y, *, epochs, batch_size, lr, seed):
    return model.fit(X, y, epochs=epochs, batch_size=batch_size, optimizer=Adam(lr),
                     seed=seed, verbose=0)


def few_labels(y, per_class, seed):
    """Indices of ``per_class`` examples of each class, chosen at random."""
    rng = numpy.random.default_rng(seed)
    return numpy.concatenate([rng.choice(numpy.flatnonzero(y == c), per_class, replace=False)
                              for c in numpy.unique(y)])


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=3, full_epochs=5, extra=lambda p: p.add_argument(
        "--labels", type=int, default=10, help="labelled target digits per class (default 10)"))
    name = args.dataset
    X, y = datasets.load(name, "train")
    X_test, y_test = datasets.load(name, "test")
    source, target, target_test = y < 5, y >= 5, y_test >= 5
    few = few_labels(y[target], args.labels, args.seed)
    X_few, y_few = X[target][few], y[target][few] - 5                # 5-9 become classes 0-4
    X_t, y_t = X_test[target_test], y_test[target_test] - 5
    head = dict(epochs=HEAD_EPOCHS, batch_size=HEAD_BATCH, lr=1e-3, seed=args.seed)

    # 1. source task: every labelled 0-4
    body = cnn_body(args.seed)
    source_model = train(Classifier(Sequential(*body, softmax_head(256, args.seed)),
                                    n_classes=5),
                         X[source], y[source], epochs=args.epochs, batch_size=64, lr=2e-3,
                         seed=args.seed)
    source_acc = source_model.score(X_test[~target_test], y_test[~target_test])

    # 2. target task: the body frozen, a fresh softmax head on its features
    transfer = Classifier(freeze_first(Sequential(*body, softmax_head(
        256, derive_seed(args.seed, "target"))), len(body)), n_classes=5)
    frozen_acc = train(transfer, X_few, y_few, **head).score(X_t, y_t)

    # baselines from scratch on the same labels
    runs = {"softmax on pixels": Sequential(softmax_head(X.shape[1], args.seed)),
            "MLP from scratch": mlp(X.shape[1], args.seed),
            "CNN from scratch": Sequential(*cnn_body(derive_seed(args.seed, "scratch")),
                                           softmax_head(256, args.seed))}
    scratch = {label: train(Classifier(net, n_classes=5), X_few, y_few, **head).score(X_t, y_t)
               for label, net in runs.items()}

    result = Result()
    n = len(y_few)
    result.metrics["source task (0-4) test accuracy"] = round(source_acc, 4)
    result.metrics[f"5-9 test accuracy, {n} labels: frozen 0-4 CNN body + softmax"] = round(
        frozen_acc, 4)
    for label, acc in scratch.items():
        result.metrics[f"5-9 test accuracy, {n} labels: {label}"] = round(acc, 4)
    result.claim(f"with {n} labels of 5-9, a softmax on the conv features frozen from 0-4 "
                 f"beats the same softmax on raw pixels (test accuracy)", frozen_acc, ">",
                 scratch["softmax on pixels"])
    result.claim(f"... and beats a 784-256-128 MLP trained from scratch on the same {n} "
                 f"labels (test accuracy)", frozen_acc, ">", scratch["MLP from scratch"])
    shape = datasets.image_shape(name)
    result.add_figure(viz.image_grid(X_few, out_path(args, "transfer_labelled"), shape=shape,
                                     ncols=args.labels, title=f"the {n} labelled digits 5-9"),
                      f"All the labels the target task gets: {args.labels} digits of each "
                      f"class 5-9. The frozen body was trained on 0-4 only.")
    result.add_figure(viz.filters(body[1].W.data.reshape(8, -1).T, out_path(
                          args, "transfer_features"), shape=(5, 5), n=8, ncols=8,
                          title="first conv layer learned on 0-4"),
                      "The eight 5x5 kernels of the frozen first conv layer, trained only to "
                      "tell 0-4 apart (3 epochs: still rough); the 5-9 head reads the "
                      "features built on them.")
    result.report()
    return result


if __name__ == "__main__":
    run_alone(main)
