import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import backend
from minidl.gradcheck import check_layer
from minidl.layers import (Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh,
                           sigmoid)

shapes = st.tuples(st.integers(1, 5), st.integers(1, 6))
seeds = st.integers(0, 2**16)
SMOOTH = [Identity, Sigmoid, Tanh, Softplus, Softmax]


def normal(shape, seed, scale=2.0):
    return backend.to_device(scale * numpy.random.default_rng(seed).standard_normal(shape))


def off_the_kink(shape, seed):
    """Inputs at least 0.1 away from 0, where ReLU's derivative jumps."""
    x = backend.to_host(normal(shape, seed))
    return backend.to_device(x + 0.1 * numpy.sign(x) + (x == 0) * 0.1)


@pytest.mark.parametrize("cls", SMOOTH, ids=lambda c: c.__name__)
@given(shape=shapes, seed=seeds)
def test_smooth_activation_gradients(cls, shape, seed):
    check_layer(cls(), normal(shape, seed), seed=seed)


@pytest.mark.parametrize("make", [ReLU, lambda: LeakyReLU(0.2)], ids=["ReLU", "LeakyReLU"])
@given(shape=shapes, seed=seeds)
def test_piecewise_linear_gradients_off_the_kink(make, shape, seed):
    check_layer(make(), off_the_kink(shape, seed), seed=seed)


def test_values_against_closed_forms():
    x = numpy.array([[-3.0, -0.5, 0.0, 0.5, 3.0]])
    dev = backend.to_device(x)
    expected = {
        Sigmoid: 1 / (1 + numpy.exp(-x)),
        Tanh: numpy.tanh(x),
        ReLU: numpy.maximum(x, 0),
        Softplus: numpy.log(1 + numpy.exp(x)),
        Softmax: numpy.exp(x) / numpy.exp(x).sum(),
    }
    for cls, want in expected.items():
        numpy.testing.assert_allclose(backend.to_host(cls().forward(dev)), want, rtol=1e-12,
                                      err_msg=cls.__name__)
    numpy.testing.assert_allclose(backend.to_host(LeakyReLU(0.1).forward(dev)),
                                  numpy.where(x > 0, x, 0.1 * x))


def test_sigmoid_and_softplus_stable_for_huge_inputs():
    x = backend.to_device(numpy.array([-1000.0, -50.0, 50.0, 1000.0], dtype=numpy.float32))
    with numpy.errstate(over="raise", divide="raise", invalid="raise"):
        s = backend.to_host(sigmoid(x))
        sp = backend.to_host(Softplus().forward(x))
        sm = backend.to_host(Softmax().forward(x[None]))
    numpy.testing.assert_allclose(s, [0.0, 0.0, 1.0, 1.0], atol=1e-20)
    numpy.testing.assert_allclose(sp, [0.0, 0.0, 50.0, 1000.0], atol=1e-6)
    assert numpy.isfinite(sm).all() and abs(sm.sum() - 1) < 1e-6


@pytest.mark.parametrize("cls", SMOOTH + [ReLU, LeakyReLU], ids=lambda c: c.__name__)
def test_float32_stays_float32(cls):
    layer = cls()
    y = layer.forward(normal((3, 4), 0).astype(numpy.float32))
    assert y.dtype == numpy.float32
    assert layer.backward(backend.xp.ones_like(y)).dtype == numpy.float32


def test_negative_leaky_slope_refused():
    with pytest.raises(ValueError, match="alpha"):
        LeakyReLU(-0.1)
