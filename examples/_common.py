"""What every example script shares: its command-line flags and what it returns.

An example is a module ``examples/<name>.py`` with a ``TITLE`` string and a
``main(argv=None) -> Result`` function; run alone it is ``python -m examples.<name>``,
and ``python -m examples`` runs them all into one gallery.
"""
import argparse
import os
import sys
from dataclasses import dataclass, field

from minidl import backend


_OPS = {">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
        "<": lambda a, b: a < b, "<=": lambda a, b: a <= b}


@dataclass
class Claim:
    """One measured lesson: ``value op reference``, e.g. 16.3 (DAE PSNR) > 14.4 (plain AE)."""
    statement: str
    value: float
    op: str
    reference: float
    passed: bool

    def line(self):
        mark = "✓" if self.passed else "✗"
        return f"{mark} {self.statement}: {self.value:.4g} {self.op} {self.reference:.4g}"


@dataclass
class Result:
    """What an example produced: figures with captions, measured numbers, checked claims."""
    figures: list = field(default_factory=list)   # [(png path, caption), ...]
    metrics: dict = field(default_factory=dict)   # {"test BCE": 0.093, ...}
    claims: list = field(default_factory=list)    # [Claim, ...]
    notes: str = ""

    def add_figure(self, path, caption):
        self.figures.append((path, caption))
        return path

    def claim(self, statement, value, op, reference):
        """Check and record the lesson ``value op reference``; prints it with ✓ or ✗.

        ``reference`` is a baseline measured in the same script (PCA, pixels, a plain
        AE, random init) or a criterion stated by the lecture ("at least 8 of 10
        classes"), never a number tuned to one seed. Returns whether it held.
        """
        if op not in _OPS:
            raise ValueError(f"claim: op={op!r} must be one of {sorted(_OPS)}")
        value, reference = float(value), float(reference)
        c = Claim(statement, value, op, reference, bool(_OPS[op](value, reference)))
        self.claims.append(c)
        print(c.line(), flush=True)
        return c.passed

    def report(self):
        """Print every metric as ``name: value``, the console twin of the index's table."""
        for key, value in self.metrics.items():
            print(f"{key}: {value:.4g}" if isinstance(value, float) else f"{key}: {value}")
        return self

    @property
    def ok(self):
        """True when every claim held (an example without claims is not ok)."""
        return bool(self.claims) and all(c.passed for c in self.claims)


def run_alone(main, argv=None):
    """Run an example as a script (``python -m examples.<name>``) and exit with its verdict.

    The exit status is 0 when every claim held and 1 when a claim failed or none was
    stated, the same verdict the gallery gives (an exception propagates and exits 1 too),
    so that a shell or a CI job running one example alone sees a failed lesson.
    """
    result = main(argv)
    if not result.ok:
        failed = [c.statement for c in result.claims if not c.passed]
        print("claims that did not hold: " + "; ".join(failed) if failed
              else "no claim stated: this example proves nothing", file=sys.stderr)
    sys.exit(0 if result.ok else 1)


def parse_args(description, argv=None, *, epochs, full_epochs=None, dataset="mnist-5k",
               extra=None):
    """The flags every example takes: --epochs --seed --backend --dataset --out --full.

    ``epochs`` is the quick default and ``full_epochs`` the default under --full; an
    explicit --epochs always wins. Likewise ``dataset`` is the quick default, and --full
    switches the bundled "mnist-5k" to the full "mnist" unless --dataset is given.

    ``extra(parser)`` may add the example's own flags. Switches the backend and
    creates the output folder before returning.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--epochs", type=int, default=None,
                        help=f"training epochs (default {epochs}; more with --full)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--backend", choices=["numpy", "cupy"], default=backend.current(),
                        help="array backend (default: $MINIDL_BACKEND or numpy)")
    parser.add_argument("--dataset", default=None,
                        help=f"dataset name (default {dataset}; 'mnist' with --full)")
    parser.add_argument("--out", default="gallery", help="folder for figures (default gallery/)")
    parser.add_argument("--full", action="store_true",
                        help="paper-scale settings (full MNIST when present, more epochs)")
    if extra is not None:
        extra(parser)
    args = parser.parse_args(argv)
    if args.epochs is None:
        args.epochs = full_epochs if (args.full and full_epochs) else epochs
    if args.epochs < 1:
        parser.error(f"--epochs must be at least 1, got {args.epochs}")
    if args.dataset is None:
        args.dataset = "mnist" if (args.full and dataset == "mnist-5k") else dataset
    backend.use(args.backend)
    os.makedirs(args.out, exist_ok=True)
    return args


def out_path(args, name):
    """``<args.out>/<name>.png``."""
    return os.path.join(args.out, f"{name}.png")


_JUDGES = {}


def digit_judge(X, y, *, seed=0, epochs=8):
    """A small MLP classifier (784-256-10, ReLU, Adam) trained on the real digits (X, y).

    Examples use it as a referee: "a classifier recognises 90% of the reconstructions",
    "samples cover 8 of the 10 classes". Returns a fitted
    :class:`minidl.classifier.Classifier`; ``judge.predict(images)`` gives labels.
    The judge of the same (X, y, seed, epochs) is trained once per process and shared
    (the gallery runs many examples in one worker); treat it as read-only.
    """
    import hashlib

    from minidl import layers
    from minidl.classifier import Classifier
    from minidl.optimizers import Adam
    key = (hashlib.blake2b(backend.to_host(X).tobytes(), digest_size=16).hexdigest(),
           hashlib.blake2b(backend.to_host(y).tobytes(), digest_size=16).hexdigest(),
           seed, epochs, backend.current())
    if key in _JUDGES:
        return _JUDGES[key]
    n_classes = int(y.max()) + 1
    net = layers.Sequential(layers.Dense(X.shape[1], 256, init="he", seed=seed), layers.ReLU(),
                            layers.Dense(256, n_classes, seed=seed + 1))
    judge = Classifier(net, n_classes=n_classes)
    judge.fit(X, y, epochs=epochs, batch_size=64, optimizer=Adam(lr=1e-3), seed=seed, verbose=0)
    _JUDGES[key] = judge
    return judge


def recognised(judge, images, labels):
    """Fraction of ``images`` that ``judge`` labels as ``labels`` (e.g. reconstructions of
    test digits, judged against the digits' true classes)."""
    import numpy
    predicted = backend.to_host(judge.predict(images))
    return float(numpy.mean(predicted == numpy.asarray(labels)))


def live_units(H, tol=1e-2):
    """Boolean mask over the K units of codes H (N, K): True where the unit's activation
    varies across the N inputs (std > ``tol``). A dead unit (a ReLU that never fires, a
    sigmoid stuck at 0 or 1, a k-sparse unit never among the top k) carries nothing."""
    import numpy
    return numpy.asarray(backend.to_host(H)).std(axis=0) > tol
