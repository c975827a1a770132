import json
import os

import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import backend, io
from minidl.layers import Dense, Sequential, TiedDense
from minidl.model import Model

sizes = st.integers(1, 6)
seeds = st.integers(0, 2**16)


class TwoLayer(Model):
    def __init__(self, n_in, n_hidden, seed=0):
        self.enc = Dense(n_in, n_hidden, seed=seed, name="enc")
        self.dec = TiedDense(self.enc)
        self.sizes = [n_in, n_hidden]

    def get_config(self):
        return {"sizes": self.sizes}


def host(obj):
    return [backend.to_host(p.data).copy() for p in obj.parameters()]


def assert_same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        numpy.testing.assert_array_equal(x, y)


@given(n_in=sizes, n_hidden=sizes, seed=seeds)
def test_round_trip_restores_weights_and_config(tmp_path_factory, n_in, n_hidden, seed):
    path = str(tmp_path_factory.mktemp("io") / "model.npz")
    model = TwoLayer(n_in, n_hidden, seed=seed)
    io.save(model, path)
    other = TwoLayer(n_in, n_hidden, seed=seed + 1)
    config = io.load_weights(other, path)
    assert config == {"sizes": [n_in, n_hidden]}
    assert_same(host(other), host(model))
    assert other.dec.W is other.enc.W  # tying survives: data copied in place


def test_layer_with_explicit_config_and_plain_npz_format(tmp_path):
    path = str(tmp_path / "layer.weights")
    net = Sequential(Dense(4, 3, seed=1), Dense(3, 2, seed=2))
    assert io.save(net, path, config={"kind": "mlp"}) == path
    assert io.load_config(path) == {"kind": "mlp"}
    with numpy.load(path, allow_pickle=False) as f:  # readable without minidl
        assert f.files[:2] == ["000:dense_4x3.W", "001:dense_4x3.b"]
        assert json.loads(f["__config__"].tobytes()) == {"kind": "mlp"}
    assert os.listdir(tmp_path) == ["layer.weights"]  # no temporary file left behind


@pytest.mark.parametrize("other, strict, match", [
    (lambda: TwoLayer(4, 2), True, r"different config \(sizes: file \[4, 3\], model \[4, 2\]\)"),
    (lambda: TwoLayer(4, 2), False, r"\(4, 3\) float32 in the file but \(4, 2\)"),
    (lambda: Sequential(Dense(4, 3)), True, "missing .*unexpected"),
    (lambda: TwoLayer(4, 3).astype(numpy.float64), True, "float32 in the file but .* float64"),
])
def test_mismatch_raises_and_leaves_model_untouched(tmp_path, other, strict, match):
    path = str(tmp_path / "m.npz")
    io.save(TwoLayer(4, 3, seed=5), path)
    target = other()
    before = host(target)
    with pytest.raises(io.WeightsFileError, match=match):
        io.load_weights(target, path, strict=strict)
    assert_same(host(target), before)


@pytest.mark.parametrize("keep", [0.3, 0.9])
def test_truncated_file_gives_clear_error(tmp_path, keep):
    path = str(tmp_path / "m.npz")
    io.save(TwoLayer(20, 10, seed=0), path)
    raw = open(path, "rb").read()
    open(path, "wb").write(raw[:int(len(raw) * keep)])
    target = TwoLayer(20, 10, seed=1)
    before = host(target)
    with pytest.raises(io.WeightsFileError, match="corrupted or truncated|not a readable"):
        io.load_weights(target, path)
    assert_same(host(target), before)


def test_garbage_file_gives_clear_error(tmp_path):
    path = tmp_path / "m.npz"
    path.write_bytes(b"this is not a weights file" * 10)
    with pytest.raises(io.WeightsFileError):
        io.load_weights(TwoLayer(2, 2), str(path))


def test_pickled_object_array_is_refused(tmp_path):
    path = str(tmp_path / "evil.npz")
    evil = numpy.empty(1, dtype=object)
    evil[0] = {"payload": "would be unpickled"}
    numpy.savez(path, **{"000:enc.W": evil, "__config__": numpy.frombuffer(b"null", "u1")})
    with pytest.raises(io.WeightsFileError, match="pickled"):
        io.load_weights(TwoLayer(2, 2), path)


def test_failed_save_leaves_previous_file_intact(tmp_path):
    path = str(tmp_path / "m.npz")
    model = TwoLayer(3, 2, seed=0)
    io.save(model, path)
    before = open(path, "rb").read()
    with pytest.raises(TypeError, match="JSON"):
        io.save(model, path, config={"bad": object()})
    assert open(path, "rb").read() == before
    assert os.listdir(tmp_path) == ["m.npz"]


def test_save_refuses_objects_without_parameters(tmp_path):
    with pytest.raises(TypeError, match="parameters"):
        io.save(object(), str(tmp_path / "x.npz"))


# --- config checks, file handling, rebuilding from the file alone ----------------------------
class Keywords(Model):
    """A model whose config is the default: its constructor keywords."""

    def __init__(self, n_in, n_out=2, *, activation="relu", seed=0, optimizer=None):
        self.dense = Dense(n_in, n_out, seed=seed)
        self.activation = activation


def test_default_config_is_the_json_able_constructor_keywords():
    model = Keywords(numpy.int64(3), activation="tanh", seed=4, optimizer="adam")
    assert model.get_config() == {"n_in": 3, "n_out": 2, "activation": "tanh"}
    assert type(model.get_config()["n_in"]) is int        # NumPy ints become ints
    with pytest.raises(TypeError, match=r"Keywords.get_config: constructor keyword "
                                        r"activation=.*not JSON-able.*override get_config"):
        Keywords(3, activation=Dense(2, 2)).get_config()


def test_config_mismatch_names_the_keys_and_strict_false_allows_it(tmp_path):
    path = str(tmp_path / "m.npz")
    io.save(Keywords(3, activation="sigmoid", seed=1), path)
    target = Keywords(3, activation="relu", seed=2)   # seed differs too: not compared
    before = host(target)
    with pytest.raises(io.WeightsFileError, match=r"activation: file 'sigmoid', model 'relu'"):
        io.load_weights(target, path)
    assert_same(host(target), before)
    assert io.load_weights(target, path, strict=False)["activation"] == "sigmoid"
    assert_same(host(target), host(Keywords(3, seed=1)))
    io.load_weights(Keywords(3, activation="sigmoid", seed=9), path)   # only the seed differs


def test_file_records_class_and_format_version(tmp_path):
    path = str(tmp_path / "m.npz")
    io.save(Keywords(3), path)
    with numpy.load(path) as f:
        assert f["__class__"].tobytes().decode() == f"{__name__}:Keywords"
        assert int(f["__format__"][0]) == io.FORMAT_VERSION == 2


def with_format(path, version):
    """Rewrite the minidl file ``path`` with ``__format__`` set to ``version``."""
    with numpy.load(path) as f:
        arrays = dict(f)
    arrays["__format__"] = numpy.array([version])
    numpy.savez(path, **arrays)


@pytest.mark.parametrize("version", [-1, 0, 3, 10])
def test_every_unreadable_format_version_is_refused_by_number(tmp_path, version):
    """Versions outside (1, 2) are refused, the older (0, -1) as well as the newer, by both
    load and load_weights, with the version and what to do in the message."""
    path = str(tmp_path / "m.npz")
    io.save(Keywords(3, seed=1), path)
    with_format(path, version)
    hint = "newer minidl; upgrade" if version > 2 else "older format is no longer read"
    target = Keywords(3, seed=2)
    before = host(target)
    for call in (lambda: io.load(path), lambda: io.load_weights(target, path)):
        with pytest.raises(io.WeightsFileError,
                           match=rf"format version {version}, .*reads versions \[1, 2\].*{hint}"):
            call()
    assert_same(host(target), before)


@pytest.mark.parametrize("version", [1, 2])
def test_readable_format_versions_load(tmp_path, version):
    path = str(tmp_path / "m.npz")
    io.save(Keywords(3, seed=1), path)
    with_format(path, version)
    target = Keywords(3, seed=2)
    io.load_weights(target, path)
    assert_same(host(target), host(Keywords(3, seed=1)))


def test_load_rebuilds_a_minidl_model_from_the_file_alone(tmp_path):
    from minidl.classifier import Classifier
    ae = pytest.importorskip("autoencoders")
    path = str(tmp_path / "ae.npz")
    model = ae.DeepAutoencoder([6, 4, 2], activation="tanh", seed=3)
    io.save(model, path)
    rebuilt = io.load(path)
    assert type(rebuilt) is type(model) and rebuilt.get_config() == model.get_config()
    assert_same(host(rebuilt), host(model))
    X = numpy.random.default_rng(0).random((5, 6)).astype(numpy.float32)
    numpy.testing.assert_array_equal(backend.to_host(rebuilt.reconstruct(X)),
                                     backend.to_host(model.reconstruct(X)))
    clf = Classifier(Sequential(Dense(3, 2)))             # its network is not a keyword
    io.save(clf, str(tmp_path / "clf.npz"))
    with pytest.raises(io.WeightsFileError, match="cannot rebuild Classifier"):
        io.load(str(tmp_path / "clf.npz"))


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600])
def test_save_keeps_an_existing_files_permissions(tmp_path, mode):
    path = tmp_path / "m.npz"
    io.save(TwoLayer(3, 2), str(path))
    os.chmod(path, mode)
    io.save(TwoLayer(3, 2, seed=1), str(path))
    assert (os.stat(path).st_mode & 0o777) == mode
    assert os.listdir(tmp_path) == ["m.npz"]


def test_new_file_gets_the_umask_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        io.save(TwoLayer(3, 2), str(tmp_path / "m.npz"))
    finally:
        os.umask(old)
    assert (os.stat(tmp_path / "m.npz").st_mode & 0o777) == 0o644


def test_save_writes_through_a_symlink_to_its_target(tmp_path):
    (tmp_path / "runs").mkdir()
    target = tmp_path / "runs" / "best.npz"
    io.save(TwoLayer(3, 2, seed=0), str(target))
    os.chmod(target, 0o640)
    link = tmp_path / "latest.npz"
    link.symlink_to(target)
    io.save(TwoLayer(3, 2, seed=7), str(link))
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert (os.stat(target).st_mode & 0o777) == 0o640
    other = TwoLayer(3, 2, seed=1)
    io.load_weights(other, str(target))
    assert_same(host(other), host(TwoLayer(3, 2, seed=7)))
    assert sorted(os.listdir(tmp_path / "runs")) == ["best.npz"]   # no temp file left
