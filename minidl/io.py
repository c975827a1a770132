"""Saving and loading weights: one ``.npz`` file per model or checkpoint.

File format (a plain NumPy ``.npz`` archive, readable without minidl):

* one array per Parameter, in ``parameters()`` order, under the key
  ``"<index:03d>:<parameter name>"`` (e.g. ``"000:dense_784x32.W"``);
* ``"__config__"``: the config dict as UTF-8 JSON bytes in a uint8 array
  (``"null"`` when there is none), so weights and config travel as one file;
* ``"__format__"``: the format version, an int array ``[1]``.

``save`` writes to a temporary file in the same folder and renames it over the
target with ``os.replace``, so an interrupted save never leaves half a file.
``load_weights`` reads with ``allow_pickle=False`` (a file cannot run code), checks
every key, shape and dtype against the model *before* assigning anything, and
copies the host arrays onto the model's backend.
"""
import json
import os
import tempfile
import zipfile

import numpy

from minidl import backend

__all__ = ["save", "load_weights", "load_config", "WeightsFileError"]

FORMAT_VERSION = 1
_CONFIG, _FORMAT = "__config__", "__format__"


class WeightsFileError(ValueError):
    """A weights file is unreadable, corrupted, or does not fit the model."""


def _parameters(obj):
    if not hasattr(obj, "parameters"):
        raise TypeError(f"minidl.io needs a Layer or Model (anything with parameters()), "
                        f"got {type(obj).__name__}")
    return list(obj.parameters())


def _keys(params):
    return [f"{i:03d}:{p.name or 'param'}" for i, p in enumerate(params)]


def save(obj, path, config=None):
    """Write ``obj``'s weights (and a JSON-able ``config`` dict) to ``path`` atomically.

    ``config`` defaults to ``obj.get_config()`` when the object has one. The file
    is written exactly at ``path`` (no extension is added). Returns ``path``.
    """
    params = _parameters(obj)
    if config is None and hasattr(obj, "get_config"):
        config = obj.get_config()
    try:
        config_bytes = json.dumps(config).encode("utf-8")
    except TypeError as err:
        raise TypeError(f"minidl.io.save: config must be JSON-serialisable "
                        f"(dicts, lists, numbers, strings): {err}") from None
    arrays = {k: backend.to_host(p.data) for k, p in zip(_keys(params), params)}
    arrays[_CONFIG] = numpy.frombuffer(config_bytes, dtype=numpy.uint8)
    arrays[_FORMAT] = numpy.array([FORMAT_VERSION])
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as f:
            numpy.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path


def _read(path):
    """Every array in the file, as host arrays, or a WeightsFileError saying why not."""
    try:
        with numpy.load(path, allow_pickle=False) as archive:
            return {k: archive[k] for k in archive.files}
    except FileNotFoundError:
        raise
    except ValueError as err:
        if "allow_pickle" in str(err):
            raise WeightsFileError(f"{path} contains pickled Python objects, which minidl "
                                   f"refuses to load (they can run code): only files written "
                                   f"by minidl.io.save are accepted") from None
        raise WeightsFileError(f"{path} is not a readable .npz weights file ({err}); "
                               f"was it truncated or written by another program?") from None
    except (OSError, EOFError, zipfile.BadZipFile, KeyError) as err:
        raise WeightsFileError(f"{path} is corrupted or truncated ({type(err).__name__}: "
                               f"{err}); save the model again") from None


def _config(path, arrays):
    if _CONFIG not in arrays:
        raise WeightsFileError(f"{path} has no {_CONFIG!r} entry: not written by minidl.io.save")
    try:
        return json.loads(arrays[_CONFIG].tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise WeightsFileError(f"{path}: the stored config is not valid JSON ({err})") from None


def load_config(path):
    """The config dict stored in ``path`` (None if it was saved without one)."""
    return _config(path, _read(path))


def _check_fit(path, params, arrays):
    """Raise unless the file holds exactly one array of the right shape and dtype per parameter."""
    keys = _keys(params)
    stored = sorted(k for k in arrays if k not in (_CONFIG, _FORMAT))
    if sorted(keys) != stored:
        missing = sorted(set(keys) - set(stored))
        extra = sorted(set(stored) - set(keys))
        raise WeightsFileError(f"{path} does not match the model's parameters: missing "
                               f"{missing or 'none'}, unexpected {extra or 'none'}; was it saved "
                               f"from a model built with the same architecture?")
    for key, p in zip(keys, params):
        a = arrays[key]
        if tuple(a.shape) != tuple(p.shape) or a.dtype != p.dtype:
            raise WeightsFileError(f"{path}: {key} is {tuple(a.shape)} {a.dtype} in the file "
                                   f"but {tuple(p.shape)} {p.dtype} in the model; build the "
                                   f"model with the sizes and dtype it was saved with")


def load_weights(obj, path):
    """Load the weights saved by :func:`save` into ``obj``; return the stored config.

    Nothing is assigned unless every parameter fits, so a wrong or damaged file
    raises :class:`WeightsFileError` and leaves ``obj`` untouched. Parameters keep
    their identity (data is copied in place), so optimizer state and tied weights
    stay attached.
    """
    params = _parameters(obj)
    arrays = _read(path)
    config = _config(path, arrays)
    _check_fit(path, params, arrays)
    for key, p in zip(_keys(params), params):
        xp = backend.get_array_module(p.data)
        xp.copyto(p.data, backend.to_device(arrays[key], backend.name_of(xp)))
    return config
