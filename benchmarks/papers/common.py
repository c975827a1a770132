"""What every row of the papers table shares: data, scales, machine, JSON, cached stages.

Scales
------
``full``   the official MNIST (60,000 train / 10,000 test), the settings of the issue.
``quick``  the bundled mnist-5k (4,000 / 1,000) with small settings: the same code in
           minutes, so ``--quick`` (and its test) exercise every line a full run does.
``tiny``   mnist-5k cut to 1,200 / 300 digits, one or two epochs: for the test suite.

The validation split is carved from the *training* digits (a seeded permutation; the
last ``n_val`` rows), never from the test set: early stopping looks at it, the table
reports the test set.
"""
import dataclasses
import hashlib
import json
import os
import pathlib
import platform
import tempfile

import numpy

SCALES = ("full", "quick", "tiny")
N_VAL = {"full": 5000, "quick": 500, "tiny": 200}


@dataclasses.dataclass
class Data:
    """Gray-level digits in [0, 1]: the training split without validation, validation, test."""
    name: str
    X: numpy.ndarray
    y: numpy.ndarray
    X_val: numpy.ndarray
    y_val: numpy.ndarray
    X_test: numpy.ndarray
    y_test: numpy.ndarray

    @property
    def X_all(self):
        """All training digits (train + validation), for recipes that fix their epochs."""
        return numpy.concatenate([self.X, self.X_val])

    @property
    def y_all(self):
        return numpy.concatenate([self.y, self.y_val])


def check_scale(scale):
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: expected one of {SCALES}")
    return scale


def load_data(scale, seed=0):
    """Data of a scale; ``full`` finds MNIST in $MINIDL_DATA or downloads it (checksummed)."""
    from minidl import datasets
    check_scale(scale)
    if scale == "full":
        try:
            (X, y), (Xt, yt) = (datasets.load("mnist", s) for s in ("train", "test"))
        except Exception as err:
            raise SystemExit(f"full MNIST is not on this machine ({err}). Put the four IDX files "
                             f"in $MINIDL_DATA/mnist or let minidl.datasets.load('mnist') "
                             f"download them, or run with --quick (mnist-5k).") from None
        name = "mnist"
    else:
        (X, y), (Xt, yt) = (datasets.load("mnist-5k", s) for s in ("train", "test"))
        name = "mnist-5k"
        if scale == "tiny":
            X, y, Xt, yt = X[:1200], y[:1200], Xt[:300], yt[:300]
            name = "mnist-5k (1,200 / 300 digits)"
    order = numpy.random.default_rng(seed).permutation(len(X))
    train, val = order[:-N_VAL[scale]], order[-N_VAL[scale]:]
    return Data(name, X[train], y[train], X[val], y[val], Xt, yt)


def binarise(X, how="threshold", seed=0):
    """Binary digits: ``threshold`` (pixel > 0.5) or ``stochastic`` (pixel ~ Bernoulli(gray))."""
    if how == "threshold":
        return (X > 0.5).astype(numpy.float32)
    if how == "stochastic":
        return (numpy.random.default_rng(seed).random(X.shape) < X).astype(numpy.float32)
    raise ValueError(f"binarise: how={how!r} must be 'threshold' or 'stochastic'")


# --- the machine ---------------------------------------------------------------------------
def _cpu_model():
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _blas():
    """NumPy's BLAS (its build config) and the threads it runs (threadpoolctl, when installed)."""
    try:
        blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
        name = f"{blas.get('name')} {blas.get('version', '')}".strip()
    except Exception:  # NumPy < 1.25 has no dict form
        name = "unknown"
    try:
        from threadpoolctl import threadpool_info
        mine = [i for i in threadpool_info() if i.get("user_api") == "blas"
                and "numpy" in str(i.get("filepath", ""))]
        if mine:
            n = mine[0].get('num_threads')
            return f"{name} ({n} thread{'' if n == 1 else 's'})"
    except Exception:  # threadpoolctl missing or too old
        pass
    return name


def machine():
    """CPU model, logical cores, BLAS, Python and NumPy versions: where a number was measured."""
    return {"cpu": _cpu_model(), "cores": os.cpu_count(), "blas": _blas(),
            "threads": threads(), "python": platform.python_version(),
            "numpy": numpy.__version__, "platform": platform.platform()}


def threads():
    """The thread limit the run was given (OPENBLAS/OMP_NUM_THREADS), or "all cores".

    It matters on a machine shared with other work: two BLAS threads on a busy 2-core
    machine spin while they wait for each other (600 products of (100, 784) by
    (784, 400) took 14 s instead of 0.3 s with one thread), so long rows run there
    with one thread (and PyTorch with one) and the table says so.
    """
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(name):
            return f"{name}={os.environ[name]}"
    return "all cores"


def describe_machine(m):
    return f"{m['cpu']}, {m['cores']} cores, BLAS {m['blas']}"     # the BLAS names its threads


# --- files ---------------------------------------------------------------------------------
def write_json(path, obj):
    """Write JSON atomically: a temporary file in the same folder, then ``os.replace``."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(obj, f, indent=2)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return path


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
