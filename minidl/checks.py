"""Argument checks shared by every model: one place, one wording.

Each check returns the cleaned value or raises ``ValueError`` (``TypeError`` for a
value of the wrong kind) with a message that names the owner, the argument, what was
given, what was expected and, where there is one, the fix::

    k = checks.positive_int("KSparseAutoencoder", "k", k)
    lr = checks.number("SGD", "lr", lr, low=0, low_open=True)
    sizes = checks.sizes("DeepAutoencoder", sizes)

NumPy integer and floating scalars are accepted (``np.int64(3)``, ``np.float32(0.1)``);
booleans, non-integral floats for integer arguments and non-finite numbers are refused.
"""
import contextlib
import math
import numbers

from minidl import backend

__all__ = ["integer", "seed", "positive_int", "number", "one_of", "sizes", "samples", "outside_unit_interval", "finite_array"]


def integer(owner, name, value, *, low=None):
    """``value`` as a Python int (``>= low`` when given); 3.0 is refused, as is True."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        hint = ""
        if isinstance(value, numbers.Real) and not isinstance(value, bool) \
                and math.isfinite(value):
            hint = f"; sizes and counts are whole numbers, e.g. {name}={int(round(float(value)))}"
        raise ValueError(f"{owner}: {name}={value!r} must be an integer"
                         f"{'' if low is None else f' >= {low}'}{hint}")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"{owner}: {name}={value!r} must be an integer >= {low}")
    return value


#: The seed check lives in the backend (which needs it and may not import this module).
seed = backend.check_seed


def positive_int(owner, name, value):
    """``value`` as an int >= 1."""
    return integer(owner, name, value, low=1)


def number(owner, name, value, *, low=None, high=None, low_open=False, high_open=False):
    """``value`` as a finite Python float inside the given bounds.

    ``low_open`` / ``high_open`` make a bound strict: ``number(..., low=0, low_open=True)``
    means > 0.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name}={value!r} must be a number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{owner}: {name}={value!r} must be a finite number")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        left = "" if low is None else f"{'(' if low_open else '['}{low}, "
        right = "" if high is None else f"{high}{')' if high_open else ']'}"
        if low is not None and high is None:
            expected = f"a number {'>' if low_open else '>='} {low}"
        elif high is not None and low is None:
            expected = f"a number {'<' if high_open else '<='} {high}"
        else:
            expected = f"a number in {left}{right}"
        raise ValueError(f"{owner}: {name}={value!r} is out of range: expected {expected}")
    return value


def one_of(owner, name, value, choices):
    """``value`` unchanged when it is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{owner}: {name}={value!r} is not supported: expected one of "
                         f"{tuple(choices)}")
    return value


def sizes(owner, values, *, minimum=2, name="sizes"):
    """A list of layer sizes (positive ints), input first, code last."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise ValueError(f"{owner}: {name}={values!r} must be a list of layer sizes, input to "
                         f"code, e.g. [784, 32]")
    out = [positive_int(owner, f"{name}[{i}]", v) for i, v in enumerate(values)]
    if len(out) < minimum:
        raise ValueError(f"{owner}: {name}={list(values)!r} must list at least {minimum} "
                         f"sizes, input to code, e.g. [784, 128, 32]")
    return out


def samples(owner, X, *, name="X"):
    """Refuse an array-like with no rows (``X.shape[0] == 0``); returns X."""
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) >= 1 and shape[0] == 0:
        raise ValueError(f"{owner}: {name} has no samples (shape {tuple(shape)}); pass at least "
                         f"one row")
    return X


def finite_array(owner, X, *, name="X", dtype=None):
    """Refuse an array holding NaN or ±inf, or values that ``dtype`` cannot hold; returns X.

    ``dtype`` is the floating type X is about to be cast to (a float32 model): float64
    values beyond float32's range would silently become inf in the cast, so they are
    refused here. Integer and boolean arrays pass unchecked.

    The common case costs one reduction: a sum is finite exactly when no element is
    NaN or inf (either one propagates), unless finite values overflow it -- only then
    are the elements counted one by one.
    """
    if getattr(X, "dtype", None) is not None and X.dtype.kind == "c":
        raise TypeError(f"{owner}: {name} is complex ({X.dtype}); minidl models take real "
                        f"numbers: pass X.real, abs(X), or the real and imaginary parts as "
                        f"separate features (numpy.concatenate([X.real, X.imag], axis=1))")
    if getattr(X, "dtype", None) is None or X.dtype.kind not in "fc":
        return X
    xp = backend.get_array_module(X)
    quiet = xp.errstate(over="ignore") if hasattr(xp, "errstate") else contextlib.nullcontext()
    with quiet:                     # a sum of large finite values may overflow: handled below
        total = X.sum()
    if not math.isfinite(float(abs(total))):
        bad = int(X.size - xp.count_nonzero(xp.isfinite(X)))
        if bad:
            raise ValueError(f"{owner}: {name} contains {bad} NaN or infinite value(s) out of "
                             f"{X.size}; clean or impute the data first (e.g. "
                             f"numpy.nan_to_num, or drop those rows)")
    if dtype is not None and X.size and xp.dtype(dtype).itemsize < X.dtype.itemsize \
            and xp.dtype(dtype).kind == "f":
        limit = float(xp.finfo(dtype).max)
        largest = float(abs(X).max())
        if largest > limit:
            raise ValueError(f"{owner}: {name} holds values up to {largest:.3g}, beyond "
                             f"{xp.dtype(dtype).name}'s largest {limit:.3g}, so they would "
                             f"become inf; rescale the data (e.g. standardise it)")
    return X


def outside_unit_interval(x):
    """``(min, max)`` of array ``x`` when some value lies outside [0, 1], else None.

    The data rule of Bernoulli units and of BCE targets; each caller words its own error.
    """
    if x.size == 0:
        return None
    xp = backend.get_array_module(x)
    low, high = backend.to_host(xp.stack([x.min(), x.max()])).tolist()     # one host sync
    return (low, high) if (low < 0.0 or high > 1.0) else None


class Batch(tuple):
    """The pair ``(X[idx], y[idx])`` that ``minidl.training.fit`` hands a model.

    Only fit builds one, so a model tells fit's labelled batches from a user's data:
    a user's tuple or list is an array-like (rows, as ``numpy.asarray`` reads it),
    never a pair in disguise.
    """

    __slots__ = ()

    def __new__(cls, x, y):
        return super().__new__(cls, (x, y))


def array_like(owner, X, *, name="X"):
    """``X`` itself when it is an array (NumPy or CuPy), else ``numpy.asarray(X)``.

    A list, a tuple of rows, a nested list or a pandas DataFrame reads as NumPy reads
    it -- one row per sample -- never as an (X, y) pair. What NumPy cannot read as one
    array of numbers (ragged rows, strings) is refused, naming what it was.
    """
    if type(X).__module__.startswith("scipy.sparse"):
        raise TypeError(f"{owner}: {name} is a SciPy sparse {type(X).__name__}; sparse input "
                        f"is not supported (minidl computes on dense arrays): pass X.toarray()")
    if hasattr(X, "shape") and hasattr(X, "dtype"):
        return X
    try:
        A = backend.to_host(X)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{owner}: {name} is a {type(X).__name__} that NumPy cannot read as "
                         f"one array ({error}); pass an array of shape (N, features), one "
                         f"row per sample of equal length") from None
    if A.dtype.kind not in "biuf":
        raise TypeError(f"{owner}: {name} is a {type(X).__name__} that reads as an array of "
                        f"dtype {A.dtype}, not numbers; convert it first, e.g. "
                        f"numpy.asarray(X, dtype='float32')")
    return A
