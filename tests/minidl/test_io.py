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


@pytest.mark.parametrize("other, match", [
    (lambda: TwoLayer(4, 2), r"\(4, 3\) float32 in the file but \(4, 2\)"),
    (lambda: Sequential(Dense(4, 3)), "missing .*unexpected"),
    (lambda: TwoLayer(4, 3).astype(numpy.float64), "float32 in the file but .* float64"),
])
def test_mismatch_raises_and_leaves_model_untouched(tmp_path, other, match):
    path = str(tmp_path / "m.npz")
    io.save(TwoLayer(4, 3, seed=5), path)
    target = other()
    before = host(target)
    with pytest.raises(io.WeightsFileError, match=match):
        io.load_weights(target, path)
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
