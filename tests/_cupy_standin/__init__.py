"""A strict CuPy stand-in: the GPU path's logic, tested on a CPU.

No machine in CI has a GPU, so without this the CuPy copy of the suite never runs.
``tests/conftest.py`` puts :func:`module` in ``sys.modules["cupy"]`` when real CuPy
cannot run (``MINIDL_CUPY_STANDIN=0`` turns that off). It behaves like CuPy exactly
where GPU code usually breaks, and computes with NumPy underneath:

- its ``ndarray`` wraps a NumPy array and refuses implicit conversion to the host:
  ``numpy.asarray(a)`` raises CuPy's TypeError, and so does any NumPy function or
  ufunc, or any device operation, given a host ``numpy.ndarray`` operand;
- reductions (``a.sum()``, ``cupy.count_nonzero``, ``cupy.array_equal``) return 0-d
  device arrays, as CuPy's do, never Python or NumPy scalars;
- only the names real CuPy has exist (``_names.py``, read from CuPy itself);
- every host sync -- ``float``, ``int``, ``bool``, ``__index__``, ``format``,
  ``repr``, ``.item()``, ``.tolist()``, ``.get()``, ``cupy.asnumpy`` -- is counted
  by the call site that asked for it (see :mod:`tests._cupy_standin.syncs`);
- ``cupy.random.default_rng(seed)`` draws a stream different from NumPy's for the
  same seed, as the real one does, so a test tuned to NumPy's draws shows up.

What it does not model: speed, memory, streams, custom kernels.
"""
import operator
import sys
import types

import numpy

from tests._cupy_standin import syncs
from tests._cupy_standin._names import NAMES

_MESSAGE = ("Implicit conversion to a NumPy array is not allowed. "
            "Please use `.get()` to construct a NumPy array explicitly.")

# NumPy functions whose Python-number results are metadata, not device data.
_METADATA = {"ndim", "shape", "size", "isscalar", "result_type", "can_cast", "min_scalar_type",
             "iscomplexobj", "isrealobj", "may_share_memory", "shares_memory", "issubdtype",
             "common_type", "promote_types", "dtype", "finfo", "iinfo"}
# Functions that take host data on purpose (a host-to-device copy, not a sync).
_FROM_HOST = {"asarray", "array", "asanyarray", "ascontiguousarray"}


class ndarray:
    """A device array: a NumPy array the host may only reach through ``.get()``."""

    __hash__ = None
    __array_priority__ = 100

    def __init__(self, shape, dtype=float):
        self._a = numpy.empty(shape, dtype=dtype)

    # --- the host syncs: each one is counted ----------------------------------------
    def get(self):
        syncs.record("get")
        return self._a.copy()

    def item(self):
        syncs.record("item")
        return self._a.item()

    def tolist(self):
        syncs.record("tolist")
        return self._a.tolist()

    def __float__(self):
        syncs.record("float")
        return float(self._a)

    def __int__(self):
        syncs.record("int")
        return int(self._a)

    def __complex__(self):
        syncs.record("complex")
        return complex(self._a)

    def __bool__(self):
        syncs.record("bool")
        return bool(self._a)

    def __index__(self):
        syncs.record("index")
        return operator.index(self._a)

    def __format__(self, spec):
        syncs.record("format")
        return format(self._a.item() if self._a.ndim == 0 else self._a, spec)

    def __repr__(self):
        syncs.record("repr")
        return repr(self._a)

    def __str__(self):
        syncs.record("str")
        return str(self._a)

    # --- no implicit way to the host ----------------------------------------------------
    def __array__(self, *args, **kwargs):
        raise TypeError(_MESSAGE)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # numpy.add(device, ...) runs CuPy's ufunc, which refuses host operands.
        fn = getattr(_module, ufunc.__name__)
        return (fn if method == "__call__" else getattr(fn, method))(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        if func.__name__ not in NAMES["cupy"]:
            return NotImplemented
        return getattr(_module, func.__name__)(*args, **kwargs)

    # --- what needs no sync -------------------------------------------------------------
    def __len__(self):
        return len(self._a)

    def __iter__(self):
        return (_wrap(row) for row in self._a)

    def __getitem__(self, key):
        return _wrap(self._a[_unwrap(key, host_ok=True)])

    def __setitem__(self, key, value):
        self._a[_unwrap(key, host_ok=True)] = _unwrap(value, host_ok=True)

    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    T = property(lambda self: _wrap(self._a.T))

    def __getattr__(self, name):
        if name.startswith("_") or name not in NAMES["cupy.ndarray"]:
            raise AttributeError(f"'cupy.ndarray' object has no attribute {name!r}")
        value = getattr(self._a, name)
        if callable(value):         # a method: put it on the class, found directly next time
            setattr(ndarray, name, _method(name))
            return getattr(self, name)
        return _wrap(value)


def _method(name):
    """``ndarray.<name>`` running NumPy's method on the wrapped array."""
    def method(self, *args, **kwargs):
        return _wrap_callable(getattr(self._a, name), name)(*args, **kwargs)
    method.__name__ = name
    return method


def _binary(name):
    op = getattr(operator, name)

    def forward(self, other):
        return _wrap(op(self._a, _unwrap(other)))

    def reflected(self, other):
        return _wrap(op(_unwrap(other), self._a))

    def inplace(self, other):
        getattr(operator, f"i{name}")(self._a, _unwrap(other))
        return self
    return forward, reflected, inplace


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul",
              "and", "or", "xor", "lshift", "rshift"):
    _f, _r, _i = _binary(_name + "_" if _name in ("and", "or") else _name)
    setattr(ndarray, f"__{_name}__", _f)
    setattr(ndarray, f"__r{_name}__", _r)
    setattr(ndarray, f"__i{_name}__", _i)
for _name in ("lt", "le", "gt", "ge", "eq", "ne"):
    setattr(ndarray, f"__{_name}__", _binary(_name)[0])
for _name in ("neg", "pos", "abs", "invert"):
    setattr(ndarray, f"__{_name}__", (lambda op: lambda self: _wrap(op(self._a)))(
        getattr(operator, _name)))


# --- moving between the wrapper and NumPy -----------------------------------------------
def _wrap(x):
    """NumPy results as device data: arrays and scalars become ``ndarray`` (0-d)."""
    kind = type(x)
    if kind is numpy.ndarray or isinstance(x, numpy.generic):
        out = object.__new__(ndarray)
        out._a = x if kind is numpy.ndarray else numpy.asarray(x)
        return out
    if isinstance(x, (tuple, list)):       # NumPy's namedtuples (qr, svd) become plain tuples
        return (list if kind is list else tuple)([_wrap(v) for v in x])
    return x


_PLAIN = {int, float, bool, str, slice, type(None), type(Ellipsis)}


def _unwrap(x, host_ok=False):
    """The NumPy array under device data; a host array raises like CuPy unless ``host_ok``."""
    kind = type(x)
    if kind is ndarray:
        return x._a
    if kind in _PLAIN:
        return x
    if kind is tuple or kind is list:
        return kind([_unwrap(v, host_ok) for v in x])
    if isinstance(x, numpy.ndarray):
        if host_ok:
            return x
        raise TypeError(f"Unsupported type {type(x)}: the stand-in refuses host arrays in "
                        f"device operations, as CuPy does; move it with cupy.asarray(x)")
    if isinstance(x, dict):
        return {k: _unwrap(v, host_ok) for k, v in x.items()}
    return x


def _device_scalar(name, result):
    """Python numbers from a computation become 0-d device arrays, as in CuPy."""
    if name in _METADATA or not isinstance(result, (int, float, complex)):
        return result                     # bool is an int: it becomes a device array too
    return _wrap(numpy.asarray(result))


def _wrap_callable(fn, name, host_ok=False):
    def device_fn(*args, **kwargs):
        if kwargs:
            out = kwargs.get("out")
            result = fn(*_unwrap(args, host_ok), **_unwrap(kwargs, host_ok))
            if isinstance(out, ndarray):
                return out
        else:
            result = fn(*_unwrap(args, host_ok))
        return _device_scalar(name, _wrap(result))
    device_fn.__name__ = device_fn.__qualname__ = name
    return device_fn


class _Ufunc:
    """``cupy.add`` and friends: callable, with ``at``, ``reduce``, ``outer``, ..."""

    def __init__(self, ufunc):
        self._ufunc, self.__name__ = ufunc, ufunc.__name__

    def __call__(self, *args, **kwargs):
        return _wrap_callable(self._ufunc, self.__name__)(*args, **kwargs)

    def __getattr__(self, name):
        if name.startswith("_") or name not in NAMES["cupy.ufunc"]:
            raise AttributeError(f"'cupy.ufunc' object has no attribute {name!r}")
        value = getattr(self._ufunc, name)
        return _wrap_callable(value, name) if callable(value) else value


def _from_numpy(space, source, name):
    """The stand-in's version of ``cupy.<name>`` (or a submodule's), taken from NumPy."""
    if name not in NAMES[space]:
        raise AttributeError(f"module {space!r} has no attribute {name!r} (real CuPy has "
                             f"no such name: tests/_cupy_standin/_names.py lists its names)")
    if not hasattr(source, name):
        raise AttributeError(f"{space}.{name} exists in CuPy but the stand-in does not model "
                             f"it; add it to tests/_cupy_standin")
    value = getattr(source, name)
    if isinstance(value, numpy.ufunc):
        return _Ufunc(value)
    if isinstance(value, (type, int, float)) or value is None:
        return value                      # dtypes, finfo, constants: CuPy re-exports NumPy's
    if callable(value):
        return _wrap_callable(value, name, host_ok=name in _FROM_HOST)
    if isinstance(value, types.ModuleType):
        raise AttributeError(f"{space}.{name} (a submodule) is not modelled by the stand-in; "
                             f"add it to tests/_cupy_standin")
    return value


# --- the module namespace ------------------------------------------------------------------
def asnumpy(a, *args, **kwargs):
    """Device to host: a counted sync."""
    if isinstance(a, ndarray):
        syncs.record("asnumpy")
        return a._a.copy()
    return numpy.asarray(a)


def get_array_module(*arrays):
    return _module if any(isinstance(a, ndarray) for a in arrays) else numpy


class Generator:
    """``cupy.random.Generator``: NumPy's generator on a stream of its own."""

    def __init__(self, seed=None):
        words = None if seed is None else [int(seed), 0x9E3779B9]  # not NumPy's stream
        self._gen = numpy.random.default_rng(words)

    def __getattr__(self, name):
        if name.startswith("_") or name not in NAMES["cupy.random.Generator"]:
            raise AttributeError(f"'cupy.random.Generator' object has no attribute {name!r}")
        return _wrap_callable(getattr(self._gen, name), name)


def _submodule(space, source, **own):
    mod = types.ModuleType(space)
    mod.__dict__.update(own)

    def lookup(name):           # made once, then found in the module's dict
        value = _from_numpy(space, source, name)
        setattr(mod, name, value)
        return value
    mod.__getattr__ = lookup
    return mod


class _Device:
    def __init__(self, device=0):
        self.id = device

    def synchronize(self):
        syncs.record("synchronize")


_runtime = types.SimpleNamespace(getDeviceCount=lambda: 1, getDevice=lambda: 0)
_cuda = types.SimpleNamespace(runtime=_runtime, Device=_Device, is_available=lambda: True)
_module = _submodule(
    "cupy", numpy, ndarray=ndarray, asnumpy=asnumpy, get_array_module=get_array_module,
    cuda=_cuda, __version__="standin",
    random=_submodule("cupy.random", numpy.random, Generator=Generator, default_rng=Generator),
    linalg=_submodule("cupy.linalg", numpy.linalg),
    fft=_submodule("cupy.fft", numpy.fft),
    lib=types.SimpleNamespace(stride_tricks=types.SimpleNamespace(
        as_strided=_wrap_callable(numpy.lib.stride_tricks.as_strided, "as_strided"))))
_module.__file__ = __file__       # how tests/conftest.py tells it from real CuPy


def module():
    """The stand-in ``cupy`` module (put it in ``sys.modules["cupy"]`` to use it)."""
    return _module


def install():
    """Make ``import cupy`` give the stand-in; returns it."""
    sys.modules["cupy"] = _module
    return _module
