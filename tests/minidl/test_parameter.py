import numpy

from minidl import Parameter, backend
from minidl.layers import Dense, Sequential, TiedDense


def test_grad_has_data_shape_and_is_zero():
    p = Parameter(backend.xp.ones((3, 2), dtype=backend.float32), name="w")
    assert p.grad.shape == (3, 2) and p.grad.dtype == numpy.float32
    assert float(abs(p.grad).sum()) == 0.0


def test_zero_grad_resets_in_place_never_replaces():
    p = Parameter(backend.xp.ones(4, dtype=backend.float32))
    grad = p.grad
    p.grad += 3.0
    p.zero_grad()
    assert p.grad is grad and float(p.grad.sum()) == 0.0


def test_astype_and_to_keep_grad_shape():
    p = Parameter(backend.xp.ones((2, 2), dtype=backend.float32))
    p.astype(numpy.float64)
    assert p.data.dtype == numpy.float64 and p.grad.dtype == numpy.float64
    p.to("numpy")
    assert isinstance(p.data, numpy.ndarray) and p.grad.shape == (2, 2)


def test_parameters_deduplicates_a_tied_weight():
    enc = Dense(5, 3)
    net = Sequential(enc, TiedDense(enc), Sequential(enc))
    params = net.parameters()
    assert [id(p) for p in params].count(id(enc.W)) == 1
    assert len(params) == 3


def test_freeze_and_unfreeze_mark_every_parameter():
    net = Sequential(Dense(3, 2), Dense(2, 3))
    net.freeze()
    assert all(p.frozen for p in net.parameters())
    net[1].unfreeze()
    assert [p.frozen for p in net.parameters()] == [True, True, False, False]
