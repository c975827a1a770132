"""Checks of what users hand an RBM: one place, one wording, before anything is computed.

Every public method of an RBM passes its visible input through :func:`check_visible`
(and hidden states through :func:`check_hidden`): the array must be 2-D with one row
per sample, have at least one row, hold finite numbers that survive the cast to the
model's dtype (float64 values beyond float32's range would become inf), and lie where
the visible units live (the subclass's ``_check_values``: [0, 1] for Bernoulli units).
The array comes back on the model's device in the model's dtype.

Inside ``minidl.training.fit`` (``model._inputs_checked_by_fit``) the value checks are
skipped: fit checked the whole of X once, up front, and a CD step that re-scanned its
batch (finite, min, max) paid three passes and three host syncs for nothing.
"""
from minidl import backend, checks
from minidl.model import array_like

__all__ = ["check_visible", "check_hidden"]


def _as_model_array(model, a, owner, what, width):
    """``a`` on the model's device, 2-D (batch, width), non-empty, finite in the model's dtype."""
    a = array_like(owner, a, name=what)     # lists of rows, DataFrames: as NumPy reads them
    if a.ndim != 2 or a.shape[1] != width:
        hint = " flatten images first, e.g. X.reshape(len(X), -1)." if a.ndim > 2 else ""
        raise ValueError(f"{owner} got {what} of shape {tuple(a.shape)}: expected "
                         f"(batch, {width}), one row per sample.{hint}")
    checks.samples(owner, a)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{owner} needs numbers, got an array of dtype {a.dtype}; "
                        f"convert it first, e.g. X.astype('float32')")
    xp = backend.get_array_module(model.W.data)             # the model's device
    a = backend.to_device(a, backend.name_of(xp))
    if model._inputs_checked_by_fit:                        # fit checked all of X once
        return a if a.dtype == model.W.dtype else a.astype(model.W.dtype)
    if a.dtype.kind == "f" and not bool(xp.isfinite(a).all()):
        bad = int(a.size - xp.count_nonzero(xp.isfinite(a)))
        raise ValueError(f"{owner}: the {what} contain {bad} NaN or infinite value(s); "
                         f"clean or impute the data first")
    dtype = model.W.dtype
    if a.dtype != dtype:
        if a.dtype.kind == "f" and a.dtype.itemsize > xp.dtype(dtype).itemsize:
            top, limit = float(xp.abs(a).max()), float(xp.finfo(dtype).max)
            if top > limit:                                 # the cast would make it inf
                raise ValueError(f"{owner}: the {what} hold values up to {top:g}, beyond the "
                                 f"range of the model's {xp.dtype(dtype).name} (±{limit:.3g}); "
                                 f"rescale the data")
        a = a.astype(dtype)
    return a


def check_visible(model, v, where):
    """Visible data checked and moved: see the module docstring."""
    owner = f"{model!r}.{where}"
    v = _as_model_array(model, v, owner, "input", model.n_visible)
    if not model._inputs_checked_by_fit:
        model._check_values(v, where)
    return v


def check_hidden(model, h, where):
    """Hidden states (batch, n_hidden) checked and moved."""
    return _as_model_array(model, h, f"{model!r}.{where}", "hidden states", model.n_hidden)
