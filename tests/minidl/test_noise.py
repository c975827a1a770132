import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import backend
from minidl.gradcheck import check_layer
from minidl.layers import Dropout, GaussianNoise

shapes = st.tuples(st.integers(1, 5), st.integers(1, 8))
seeds = st.integers(0, 2**16)


def normal(shape, seed):
    return backend.to_device(numpy.random.default_rng(seed).standard_normal(shape))


@given(shape=shapes, seed=seeds, rate=st.sampled_from([0.0, 0.2, 0.5, 0.9]))
def test_dropout_gradient_in_training_mode(shape, seed, rate):
    check_layer(Dropout(rate, seed=seed), normal(shape, seed), training=True, seed=seed)


@given(shape=shapes, seed=seeds, std=st.sampled_from([0.0, 0.1, 1.0]))
def test_gaussian_noise_gradient_in_training_mode(shape, seed, std):
    check_layer(GaussianNoise(std, seed=seed), normal(shape, seed), training=True, seed=seed)


@pytest.mark.parametrize("layer", [Dropout(0.5), GaussianNoise(1.0)], ids=repr)
def test_evaluation_is_the_identity(layer):
    x = normal((4, 5), 1)
    numpy.testing.assert_array_equal(backend.to_host(layer.forward(x)), backend.to_host(x))


def test_dropout_keeps_the_expected_fraction_and_scales():
    x = backend.xp.ones((200, 500), dtype=backend.float32)
    y = backend.to_host(Dropout(0.3, seed=0).forward(x, training=True))
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.01              # 100,000 draws: std 0.0015
    numpy.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert abs(y.mean() - 1.0) < 0.02                 # inverted dropout keeps E[y] = x
    assert y.dtype == numpy.float32


def test_gaussian_noise_has_the_requested_std():
    x = backend.xp.zeros((300, 300), dtype=backend.float32)
    y = backend.to_host(GaussianNoise(0.5, seed=0).forward(x, training=True))
    assert abs(y.std() - 0.5) < 0.01 and abs(y.mean()) < 0.01 and y.dtype == numpy.float32


def test_reseed_repeats_the_noise():
    layer, x = Dropout(0.5, seed=1), backend.xp.ones((3, 10), dtype=backend.float32)
    layer.reseed(4)
    a = backend.to_host(layer.forward(x, training=True))
    layer.reseed(4)
    numpy.testing.assert_array_equal(a, backend.to_host(layer.forward(x, training=True)))


@pytest.mark.parametrize("rate", [1.0, -0.1, 1.5])
def test_bad_dropout_rate_refused(rate):
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        Dropout(rate)


def test_negative_noise_std_refused():
    with pytest.raises(ValueError, match="std"):
        GaussianNoise(-1.0)
