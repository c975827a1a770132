"""The array backend: NumPy on the CPU or CuPy on a GPU, chosen in one place.

Compute code never imports numpy or cupy. It asks this module:

    from minidl import backend
    xp = backend.get_array_module(x)     # numpy or cupy, whichever holds x
    y = xp.maximum(x, 0)

``backend.xp`` is the module new arrays are created with. ``use("cupy")`` (or
the environment variable ``MINIDL_BACKEND=cupy``) switches it; ``to_device``
and ``to_host`` move arrays across. The few operations whose spelling differs
between the two libraries (scatter-add, a seeded generator) live here too.
"""
import numbers
import os

import numpy

try:  # CuPy is optional: without it (or without a GPU) everything runs on NumPy.
    import cupy
    try:
        available = cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # driver missing, no device visible, ...
        available = False
except ImportError:
    cupy = None
    available = False

#: The array module new arrays are made with; change it with :func:`use`.
xp = numpy
#: Default floating dtype of every model; gradient checks switch to float64 locally.
float32 = numpy.float32
float64 = numpy.float64

_BACKENDS = ("numpy", "cupy")


def module(name):
    """Return the array module called ``name`` ("numpy" or "cupy")."""
    if name not in _BACKENDS:
        raise ValueError(f"unknown backend {name!r}: expected one of {_BACKENDS}, "
                         f"e.g. minidl.backend.use('numpy')")
    if name == "cupy" and not available:
        why = "CuPy is not installed" if cupy is None else "CuPy found no CUDA GPU"
        raise RuntimeError(f"backend 'cupy' requested but {why}: install the GPU extra "
                           f"(pip install -e '.[gpu]') on a machine with an NVIDIA GPU, "
                           f"or use the 'numpy' backend")
    return numpy if name == "numpy" else cupy


def use(name):
    """Make ``name`` ("numpy" or "cupy") the backend new arrays are created on."""
    global xp
    xp = module(name)
    return xp


def name_of(mod):
    """"numpy" or "cupy" for an array module."""
    return "cupy" if (cupy is not None and mod is cupy) else "numpy"


def current():
    """Name of the current backend."""
    return name_of(xp)


def get_array_module(*arrays):
    """The module (numpy or cupy) that holds ``arrays``; numpy for host data."""
    if cupy is not None:
        return cupy.get_array_module(*arrays)
    return numpy


def to_device(x, name=None, dtype=None):
    """Move ``x`` onto backend ``name`` (default: the current one), optionally casting."""
    mod = xp if name is None else module(name)
    if mod is numpy:
        x = to_host(x)
    return mod.asarray(x, dtype=dtype)


def to_host(x):
    """Return ``x`` as a NumPy array (copies off the GPU when needed)."""
    if cupy is not None and isinstance(x, cupy.ndarray):
        return cupy.asnumpy(x)
    return numpy.asarray(x)


def scalar(x):
    """A reduction's value without waiting for the device.

    On NumPy ``float(x)`` (free: the value is already on the host); on CuPy the 0-d
    device array itself, so the caller decides when to sync. Losses, penalties and
    metrics return their values through this, and ``minidl.training.fit`` converts a
    batch's metrics with :func:`to_floats`: one host sync per training batch.
    """
    if cupy is not None and isinstance(x, cupy.ndarray):
        return x
    return float(x)


def to_floats(values):
    """A dict of scalars (floats, NumPy scalars, 0-d device arrays) as Python floats.

    The device values are stacked and copied to the host together: one host sync for
    the whole dict, however many metrics it holds (none when nothing is on a GPU).
    """
    on_device = [k for k, v in values.items() if cupy is not None and isinstance(v, cupy.ndarray)]
    out = {k: float(v) for k, v in values.items() if k not in on_device}
    if on_device:
        stacked = cupy.stack([values[k].astype(float64).reshape(()) for k in on_device])
        out.update(zip(on_device, cupy.asnumpy(stacked).tolist()))
    return {k: out[k] for k in values}


class ToHost:
    """A scikit-learn Pipeline step that copies its input to the host (NumPy).

    A model on CuPy returns device arrays from ``transform`` (the unit protocol keeps
    codes on the GPU for the next unit), and scikit-learn estimators call
    ``numpy.asarray`` on what they are given, which CuPy refuses. Put this step
    between a GPU model and a scikit-learn one::

        Pipeline([("ae", DeepAutoencoder([784, 32]).to("cupy")),
                  ("host", backend.ToHost()),
                  ("clf", LogisticRegression())])

    On NumPy input it passes the array through (no copy). It has no parameters, so
    ``sklearn.base.clone`` and ``GridSearchCV`` take it.
    """

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        if params:
            raise ValueError(f"ToHost has no parameters, got {sorted(params)}")
        return self

    def fit(self, X, y=None, **fit_params):
        return self

    def transform(self, X):
        return to_host(X)

    def fit_transform(self, X, y=None, **fit_params):
        return to_host(X)

    def __repr__(self):
        return "ToHost()"


def scatter_add(target, indices, values):
    """``target[indices] += values`` with repeated indices summed (NumPy ``add.at``)."""
    mod = get_array_module(target)
    if mod is numpy:
        numpy.add.at(target, indices, values)
    else:
        cupy.add.at(target, indices, values)  # cupyx.scatter_add in old releases
    return target


def check_seed(owner, value, *, name="seed"):
    """``value`` as None or an int >= 0: NumPy's generators take no negative seeds."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{owner}: {name}={value!r} must be None (fresh randomness) or an "
                         f"integer >= 0, e.g. {name}=0; NumPy's random generators take no "
                         f"negative or fractional seeds")
    return int(value)


def derive_seed(seed, *path):
    """The seed of a part of a model, derived from the model's ``seed`` in one way.

    ``derive_seed(seed, "layer", 2)`` gives the same int for the same arguments and
    different ints for different paths (NumPy's ``SeedSequence`` mixes them), so the
    parts of a seeded model draw independent streams and no code adds magic offsets
    (``seed + 100``). ``None`` stays ``None`` (fresh entropy).
    """
    if seed is None:
        return None
    words = [check_seed("minidl", seed)] + [int.from_bytes(str(p).encode(), "little") % (2 ** 32) for p in path]
    return int(numpy.random.SeedSequence(words).generate_state(1)[0])


class Generator:
    """A seeded random generator that produces arrays on a chosen device.

    NumPy's ``default_rng`` on the CPU, CuPy's on the GPU; the same seed gives the
    same numbers on the same backend (not across backends). Each sampling method
    takes ``xp=``: the module to draw on, normally the model's own (``model.xp``);
    without it the current backend is used. Index permutations for shuffling are
    always drawn on the host, so batching is identical on both.
    """

    def __init__(self, seed=None):
        self.seed = seed if isinstance(seed, numpy.random.SeedSequence) else \
            check_seed("minidl.backend.rng", seed)
        self._host = numpy.random.default_rng(self.seed)
        self._gpu = None

    def _gen(self, mod=None):
        mod = xp if mod is None else mod
        if mod is numpy:
            return self._host
        if cupy is None or mod is not cupy:
            raise TypeError(f"Generator: cannot draw arrays on {mod!r}: pass xp=numpy or "
                            f"xp=cupy (normally the model's own, model.xp)")
        if self._gpu is None:
            self._gpu = cupy.random.default_rng(self.seed)
        return self._gpu

    def random(self, shape, dtype=float32, *, xp=None):
        """Uniform samples in [0, 1)."""
        return self._gen(xp).random(shape, dtype=dtype)

    def normal(self, shape, dtype=float32, *, xp=None):
        """Standard normal samples."""
        return self._gen(xp).standard_normal(shape, dtype=dtype)

    def uniform(self, low, high, shape, dtype=float32, *, xp=None):
        """Uniform samples in [low, high)."""
        u = self.random(shape, dtype, xp=xp)
        u *= dtype(high - low) if isinstance(dtype, type) else (high - low)
        u += low
        return u

    def permutation(self, n):
        """A host (NumPy) permutation of range(n)."""
        return self._host.permutation(n)

    def integers(self, low, high, shape):
        """Host integers in [low, high)."""
        return self._host.integers(low, high, size=shape)


def rng(seed=None):
    """A :class:`Generator` seeded with ``seed`` (fresh entropy when None)."""
    return Generator(seed)


def keep_freed_memory_for_reuse(threshold=64 << 20):
    """Let glibc reuse freed batch-sized blocks instead of returning them to the OS.

    Every step allocates temporaries of a batch's size (~0.8 MB for 256 x 784 float32).
    glibc serves blocks above its mmap threshold (128 KiB until a large block is freed)
    with fresh pages from the kernel, so each temporary page-faults anew: measured on a
    784-32-784 autoencoder epoch, 0.122 s against 0.107 s with the threshold raised.
    This sets M_MMAP_THRESHOLD and M_TRIM_THRESHOLD to ``threshold`` bytes through
    ``mallopt``; it does nothing off glibc (macOS, Windows, musl) and returns whether it
    applied. Called once when minidl is imported; ``MINIDL_KEEP_MEMORY=0`` turns it off.
    """
    import ctypes
    import ctypes.util
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    return bool(mallopt(M_MMAP_THRESHOLD, threshold)) and bool(mallopt(M_TRIM_THRESHOLD, threshold))


if os.environ.get("MINIDL_KEEP_MEMORY", "1") != "0":
    keep_freed_memory_for_reuse()

def _use_environment(value):
    """Start on ``$MINIDL_BACKEND``. A misspelt name stops the import, naming the variable;
    a backend this machine lacks (cupy without a GPU) warns and starts on numpy, so an
    explicit ``use(...)`` (an example's ``--backend numpy``) still decides."""
    try:
        use(value)
    except ValueError as err:
        raise ValueError(f"the environment variable MINIDL_BACKEND={value!r}: {err}; set it to "
                         f"'numpy' or 'cupy', or unset it") from None
    except RuntimeError as err:
        import warnings
        warnings.warn(f"the environment variable MINIDL_BACKEND={value!r} cannot be honoured "
                      f"({err}); minidl starts on 'numpy' (an explicit backend.use(...) or "
                      f"--backend decides). Unset MINIDL_BACKEND to silence this.",
                      RuntimeWarning, stacklevel=2)


if os.environ.get("MINIDL_BACKEND"):
    _use_environment(os.environ["MINIDL_BACKEND"])
