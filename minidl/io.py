"""Saving and loading models: one ``.npz`` file per model or checkpoint.

File format (a plain NumPy ``.npz`` archive, readable without minidl):

* one array per Parameter, in ``parameters()`` order, under the key
  ``"<index:03d>:<parameter name>"`` (e.g. ``"000:dense_784x32.W"``);
* ``"__config__"``: the config dict as UTF-8 JSON bytes in a uint8 array
  (``"null"`` when there is none), so weights and config travel as one file;
* ``"__class__"``: ``"<module>:<class name>"`` of the saved object, UTF-8 bytes
  (format 2 on; lets :func:`load` rebuild the model from the file alone);
* ``"__format__"``: the format version, an int array ``[2]`` (files of version 1,
  without ``__class__``, still load).

``save`` writes to a temporary file in the same folder and renames it over the
target with ``os.replace``, so an interrupted save never leaves half a file; an
existing file keeps its permissions, and a symlink keeps pointing where it did
(the file it points to is replaced). ``load_weights`` reads with
``allow_pickle=False`` (a file cannot run code), checks the stored config against
the model's and every key, shape and dtype *before* assigning anything, and copies
the host arrays onto the model's device.
"""
import importlib
import json
import os
import stat
import tempfile
import zipfile

import numpy

from minidl import backend

__all__ = ["save", "load", "load_weights", "load_config", "check_target", "WeightsFileError"]

FORMAT_VERSION = 2
_READABLE_FORMATS = (1, 2)
_CONFIG, _FORMAT, _CLASS = "__config__", "__format__", "__class__"
_META = (_CONFIG, _FORMAT, _CLASS)
#: Packages :func:`load` may import a class from (no arbitrary imports from a file).
_REBUILDABLE = ("minidl", "autoencoders", "rbm")
#: Config keys load_weights does not compare: they pick initial weights and noise
#: streams, and the loaded weights replace the former.
_NOT_COMPARED = ("seed",)


class WeightsFileError(ValueError):
    """A weights file is unreadable, corrupted, or does not fit the model."""


def _parameters(obj):
    if not hasattr(obj, "parameters"):
        raise TypeError(f"minidl.io needs a Layer or Model (anything with parameters()), "
                        f"got {type(obj).__name__}")
    return list(obj.parameters())


def _keys(params):
    return [f"{i:03d}:{p.name or 'param'}" for i, p in enumerate(params)]


def _bytes(text):
    return numpy.frombuffer(text.encode("utf-8"), dtype=numpy.uint8)


# --- saving ---------------------------------------------------------------------------
def save(obj, path, config=None):
    """Write ``obj``'s weights, class and (JSON-able) ``config`` to ``path`` atomically.

    ``config`` defaults to ``obj.get_config()`` when the object has one. The file
    is written exactly at ``path`` (no extension is added). Returns ``path``.
    """
    check_target(path)
    params = _parameters(obj)
    if config is None and hasattr(obj, "get_config"):
        config = obj.get_config()
    try:
        config_text = json.dumps(config, allow_nan=False)
    except (TypeError, ValueError) as err:
        raise TypeError(f"minidl.io.save: config must be JSON-serialisable "
                        f"(dicts, lists, finite numbers, strings): {err}") from None
    arrays = {k: backend.to_host(p.data) for k, p in zip(_keys(params), params)}
    arrays[_CONFIG] = _bytes(config_text)
    arrays[_CLASS] = _bytes(f"{type(obj).__module__}:{type(obj).__qualname__}")
    arrays[_FORMAT] = numpy.array([FORMAT_VERSION])
    _write_atomically(os.fspath(path), arrays)
    return path


def check_target(path, owner="minidl.io.save"):
    """Refuse, naming ``path``, a place :func:`save` cannot write; returns ``path``.

    Refused: a directory, something that is not a regular file (``/dev/null``, a pipe:
    the rename would replace it with an archive), a folder that does not exist or
    that this process cannot write into. :class:`minidl.callbacks.ModelCheckpoint`
    asks before training starts, so no epoch is spent before the error.
    """
    shown = os.fspath(path)
    if not isinstance(shown, str) or not shown:
        raise TypeError(f"{owner}: path={path!r} must be a non-empty file name such as "
                        f"'model.npz'")
    target = os.path.realpath(shown)
    folder = os.path.dirname(shown) or "."
    if os.path.isdir(target):
        raise IsADirectoryError(f"{owner}: {shown!r} is a directory, not a file name; name a "
                                f"file inside it, e.g. {os.path.join(shown, 'model.npz')!r}")
    if os.path.exists(target) and not os.path.isfile(target):
        raise ValueError(f"{owner}: {shown!r} is not a regular file (a device, pipe or "
                         f"socket), and saving would replace it with an .npz archive; name "
                         f"a regular file, e.g. 'model.npz'")
    if not os.path.isdir(os.path.dirname(target)):
        raise FileNotFoundError(f"{owner}: cannot write {shown!r}: its folder {folder!r} does "
                                f"not exist; create it first, e.g. "
                                f"os.makedirs({folder!r}, exist_ok=True)")
    if not os.access(os.path.dirname(target), os.W_OK | os.X_OK):
        raise PermissionError(f"{owner}: cannot write {shown!r}: its folder {folder!r} is not "
                              f"writable by this process; choose another folder or change "
                              f"its permissions")
    return path


def _write_atomically(path, arrays):
    """savez into a temp file beside the real target, then rename it over the target.

    A symlink is followed (its target is replaced, the link stays); the target's
    permission bits are kept, and a new file gets the usual ``0666 & ~umask``.
    """
    target = os.path.realpath(path)
    mode = stat.S_IMODE(os.stat(target).st_mode) if os.path.exists(target) else _default_mode()
    try:
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".tmp-", suffix=".npz")
    except OSError as err:      # e.g. a read-only file system: name the user's path
        raise type(err)(err.errno, f"minidl.io.save: cannot write {path!r}: "
                                   f"{err.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            numpy.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _default_mode():
    """0666 minus the process umask: the mode ``open(path, "w")`` would give."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


# --- reading --------------------------------------------------------------------------
def _what_is(path):
    """A phrase naming what a file that is not an .npz archive seems to be, else None."""
    with open(path, "rb") as f:
        head = f.read(512)
    if head.startswith(b"PK"):
        return None
    if head.startswith(b"\x93NUMPY"):
        return ("a single NumPy array (.npy, written by numpy.save), not a minidl weights "
                "archive; save models with minidl.io.save(model, path)")
    if head[:1] == b"\x80":
        return "a Python pickle, which minidl refuses to load (it can run code)"
    if not head:
        return "empty (0 bytes)"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.isprintable() or all(c.isprintable() or c in "\r\n\t" for c in text):
        return f"a text file (it starts {text[:40]!r}), not a minidl weights archive (.npz)"
    return None


def _read(path):
    """Every array in the file, as host arrays, or a WeightsFileError saying why not."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"minidl.io: no file {path!r}")
    kind = _what_is(path)
    if kind is not None:
        raise WeightsFileError(f"{path} is {kind}")
    try:
        with numpy.load(path, allow_pickle=False) as archive:
            arrays = {k: archive[k] for k in archive.files}
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
    _check_format(path, arrays)
    return arrays


def _check_format(path, arrays):
    if _FORMAT not in arrays or _CONFIG not in arrays:
        raise WeightsFileError(f"{path} is an .npz archive but was not written by "
                               f"minidl.io.save (no {_FORMAT!r} / {_CONFIG!r} entries; it holds "
                               f"{sorted(arrays)[:5]})")
    try:
        version = int(arrays[_FORMAT].ravel()[0])
    except (ValueError, TypeError, IndexError):
        raise WeightsFileError(f"{path}: unreadable format version "
                               f"{arrays[_FORMAT]!r}") from None
    if version not in _READABLE_FORMATS:
        why = ("it was written by a newer minidl; upgrade minidl to load it"
               if version > FORMAT_VERSION else
               "that older format is no longer read; load it with the minidl that wrote it "
               "and save it again")
        raise WeightsFileError(f"{path} has file format version {version}, but this minidl "
                               f"reads versions {list(_READABLE_FORMATS)}: {why}")


def _text(path, arrays, key):
    try:
        return arrays[key].tobytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise WeightsFileError(f"{path}: the stored {key} is not UTF-8 text ({err})") from None


def _config(path, arrays):
    try:
        return json.loads(_text(path, arrays, _CONFIG))
    except json.JSONDecodeError as err:
        raise WeightsFileError(f"{path}: the stored config is not valid JSON ({err})") from None


def load_config(path):
    """The config dict stored in ``path`` (None if it was saved without one)."""
    return _config(path, _read(path))


# --- loading into a model -----------------------------------------------------------
def _check_fit(path, params, arrays):
    """Raise unless the file holds exactly one array of the right shape and dtype per parameter."""
    keys = _keys(params)
    stored = sorted(k for k in arrays if k not in _META)
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


def _check_same_model(path, obj, arrays, stored):
    """Raise when the file was saved from another class or another config than ``obj``."""
    fix = (f"rebuild it with minidl.io.load({path!r}) (or type(model)(**io.load_config(path))), "
           f"or pass strict=False to load the weights anyway")
    if _CLASS in arrays and hasattr(obj, "get_config"):
        saved_class = _text(path, arrays, _CLASS).rpartition(":")[2]
        if saved_class != type(obj).__qualname__:
            raise WeightsFileError(f"{path} holds a {saved_class}, not a "
                                   f"{type(obj).__qualname__}; {fix}")
    if not (isinstance(stored, dict) and hasattr(obj, "get_config")):
        return
    mine = json.loads(json.dumps(obj.get_config()))   # tuples -> lists, as in the file
    if not isinstance(mine, dict):
        return
    keys = sorted((set(stored) | set(mine)) - set(_NOT_COMPARED))
    differ = [k for k in keys if stored.get(k, "<absent>") != mine.get(k, "<absent>")]
    if differ:
        shown = "; ".join(f"{k}: file {stored.get(k, '<absent>')!r}, model "
                          f"{mine.get(k, '<absent>')!r}" for k in differ)
        raise WeightsFileError(f"{path} was saved from a {type(obj).__name__} with a different "
                               f"config ({shown}); {fix}")


def load_weights(obj, path, *, strict=True):
    """Load the weights saved by :func:`save` into ``obj``; return the stored config.

    With ``strict`` (the default) the file must come from the same class with the
    same config (keys other than ``seed``): a ReLU model's weights do not load into a
    sigmoid model. ``strict=False`` checks only that every parameter fits.
    Nothing is assigned unless every check passes, so a wrong or damaged file raises
    :class:`WeightsFileError` and leaves ``obj`` untouched. Parameters keep their
    identity (data is copied in place), so optimizer state and tied weights stay
    attached.
    """
    params = _parameters(obj)
    arrays = _read(path)
    config = _config(path, arrays)
    if strict:
        _check_same_model(path, obj, arrays, config)
    _check_fit(path, params, arrays)
    for key, p in zip(_keys(params), params):
        xp = backend.get_array_module(p.data)
        xp.copyto(p.data, backend.to_device(arrays[key], backend.name_of(xp)))
    return config


def load(path):
    """Rebuild the model saved in ``path`` from the file alone and return it.

    The class recorded by :func:`save` is imported -- only from the packages
    ``minidl``, ``autoencoders`` and ``rbm``, never from a module the file names
    elsewhere -- built with the stored config, and the weights are loaded into it.
    """
    arrays = _read(path)
    config = _config(path, arrays)
    if _CLASS not in arrays:
        raise WeightsFileError(f"{path} (format 1) does not record its model's class: build "
                               f"the model by hand and call minidl.io.load_weights(model, path)")
    module_name, _, class_name = _text(path, arrays, _CLASS).partition(":")
    if module_name.split(".")[0] not in _REBUILDABLE or not class_name.isidentifier():
        raise WeightsFileError(f"{path} names the class {module_name}:{class_name}; io.load "
                               f"only rebuilds classes of {list(_REBUILDABLE)}. Build the model "
                               f"by hand and call minidl.io.load_weights(model, path)")
    if not isinstance(config, dict):
        raise WeightsFileError(f"{path} holds a {class_name} saved without a config, so it "
                               f"cannot be rebuilt from the file: build it by hand and call "
                               f"minidl.io.load_weights(model, path)")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as err:
        raise WeightsFileError(f"{path}: cannot find its class {module_name}:{class_name} "
                               f"({err}); was it renamed?") from None
    # every class save accepts with a config rebuilds: Models, and Estimators such as DBN
    if not (isinstance(cls, type) and all(hasattr(cls, a) for a in ("parameters", "get_config"))):
        raise WeightsFileError(f"{path}: {module_name}:{class_name} is not a minidl model "
                               f"(no parameters() and get_config())")
    try:
        model = cls(**config)
    except (TypeError, ValueError) as err:
        raise WeightsFileError(f"{path}: cannot rebuild {class_name} from its stored config "
                               f"{config} ({err})") from None
    load_weights(model, path)
    return model
