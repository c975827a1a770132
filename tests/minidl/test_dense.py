import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import backend
from minidl.gradcheck import check_layer
from minidl.layers import Dense, Sequential, TiedDense

sizes = st.integers(1, 6)
seeds = st.integers(0, 2**16)


def random_input(shape, seed):
    return backend.to_device(numpy.random.default_rng(seed).standard_normal(shape))


@given(batch=sizes, n_in=sizes, n_out=sizes, seed=seeds)
def test_dense_gradients(batch, n_in, n_out, seed):
    check_layer(Dense(n_in, n_out, seed=seed), random_input((batch, n_in), seed), seed=seed)


@given(batch=sizes, n_in=sizes, n_out=sizes, seed=seeds)
def test_tied_dense_gradient_is_sum_of_both_uses(batch, n_in, n_out, seed):
    enc = Dense(n_in, n_out, seed=seed)
    net = Sequential(enc, TiedDense(enc))
    assert len(net.parameters()) == 3  # W once, two biases
    check_layer(net, random_input((batch, n_in), seed), seed=seed)


def test_tied_gradient_equals_sum_of_separate_uses():
    enc = Dense(4, 3, seed=1).astype(numpy.float64)
    dec = TiedDense(enc)
    x = random_input((5, 4), 2)
    dy = random_input((5, 4), 3)
    net = Sequential(enc, dec)
    net.forward(x)
    net.backward(dy)
    tied = backend.to_host(enc.W.grad).copy()
    # the same computation with an untied copy of W in the decoder
    enc2 = Dense(4, 3, seed=1).astype(numpy.float64)
    dec2 = Dense(3, 4)
    dec2.astype(numpy.float64)
    dec2.W.data = enc2.W.data.T.copy()
    net2 = Sequential(enc2, dec2)
    net2.forward(x)
    net2.backward(dy)
    separate = backend.to_host(enc2.W.grad) + backend.to_host(dec2.W.grad).T
    numpy.testing.assert_allclose(tied, separate, rtol=1e-12, atol=1e-12)


def test_dense_forward_is_affine_map():
    layer = Dense(3, 2, seed=0)
    x = random_input((4, 3), 0).astype(numpy.float32)
    expected = backend.to_host(x) @ backend.to_host(layer.W.data) + backend.to_host(layer.b.data)
    numpy.testing.assert_allclose(backend.to_host(layer.forward(x)), expected, rtol=1e-6)
    assert layer.forward(x).dtype == numpy.float32


def test_dense_wrong_shape_message_says_how_to_fix():
    layer = Dense(784, 32)
    with pytest.raises(ValueError, match=r"\(64, 28, 28\).*flatten it first"):
        layer.forward(backend.xp.zeros((64, 28, 28), dtype=numpy.float32))


def test_backward_before_forward_raises():
    with pytest.raises(RuntimeError, match="before forward"):
        Dense(3, 2).backward(backend.xp.zeros((1, 2)))


@pytest.mark.parametrize("n_in, n_out, match", [
    (0, 3, "n_in=0 must be an integer >= 1"), (3, -1, "n_out=-1 must be an integer >= 1"),
    (2.5, 3, "n_in=2.5 must be an integer >= 1; sizes and counts are whole numbers")])
def test_zero_units_refused(n_in, n_out, match):
    with pytest.raises(ValueError, match=match):
        Dense(n_in, n_out)


@pytest.mark.parametrize("init", ["glorot", "he", "normal", "zeros"])
def test_inits_are_seedable_and_scaled(init):
    a = backend.to_host(Dense(200, 100, init=init, seed=3).W.data)
    b = backend.to_host(Dense(200, 100, init=init, seed=3).W.data)
    numpy.testing.assert_array_equal(a, b)
    expected_std = {"glorot": numpy.sqrt(2 / 300), "he": numpy.sqrt(2 / 200),
                    "normal": 0.01, "zeros": 0.0}[init]
    assert abs(a.std() - expected_std) <= 0.05 * expected_std + 1e-12
