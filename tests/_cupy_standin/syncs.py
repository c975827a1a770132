"""The stand-in's host-sync counter: how often, and where, code waited for the device.

On a GPU every conversion of device data to a host value (``float(loss)``, ``if
bool(mask.any())``, ``.item()``, ``cupy.asnumpy``) stalls the queue until the device
catches up. The stand-in records each one under its call site, the first frame outside
the stand-in, as ``"path/to/file.py:LINE function (kind)"``::

    from tests._cupy_standin import syncs
    syncs.reset()
    model.fit(X, epochs=1, batch_size=64)
    assert syncs.total() <= n_batches + ...
    print(syncs.sites())    # Counter({"minidl/backend.py:112 to_floats (asnumpy)": 16, ...})
"""
import collections
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(os.path.dirname(_HERE))
_counts = collections.Counter()


def record(kind):
    """Count one sync of ``kind`` at the caller's call site."""
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_HERE):
        frame = frame.f_back
    where = "?" if frame is None else (
        f"{os.path.relpath(frame.f_code.co_filename, _ROOT)}:{frame.f_lineno} "
        f"{frame.f_code.co_name}")
    _counts[f"{where} ({kind})"] += 1


def reset():
    """Forget every sync counted so far."""
    _counts.clear()


def total():
    """The number of syncs since the last :func:`reset`."""
    return sum(_counts.values())


def sites():
    """A Counter of syncs by ``"file:line function (kind)"`` since the last :func:`reset`."""
    return collections.Counter(_counts)
