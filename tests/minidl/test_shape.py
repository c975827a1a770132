import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import backend
from minidl.gradcheck import check_layer
from minidl.layers import Flatten, Reshape


@given(dims=st.lists(st.integers(1, 4), min_size=2, max_size=4), seed=st.integers(0, 999))
def test_flatten_gradient_and_shape(dims, seed):
    x = backend.to_device(numpy.random.default_rng(seed).standard_normal(dims))
    y = Flatten().forward(x)
    assert y.shape == (dims[0], int(numpy.prod(dims[1:])))
    check_layer(Flatten(), x, seed=seed)


@given(b=st.integers(1, 3), c=st.integers(1, 3), h=st.integers(1, 4), seed=st.integers(0, 999))
def test_reshape_gradient_with_inferred_axis(b, c, h, seed):
    x = backend.to_device(numpy.random.default_rng(seed).standard_normal((b, c * h * 2)))
    layer = Reshape((c, -1, 2))
    assert layer.forward(x).shape == (b, c, h, 2)
    check_layer(Reshape((c, -1, 2)), x, seed=seed)


def test_reshape_mismatch_explains():
    with pytest.raises(ValueError,
                       match=r"784 values per sample cannot be arranged as \(1, 27, 27\)"):
        Reshape((1, 27, 27)).forward(backend.xp.zeros((2, 784)))


@pytest.mark.parametrize("shape, match", [
    ((-1, -1), "at most one -1"), ((1, 0), "positive sizes"),
    ((1, 2.5), r"shape\[1\]=2.5 must be an integer")])
def test_reshape_bad_target_refused(shape, match):
    with pytest.raises(ValueError, match=match):
        Reshape(shape)


def test_flatten_needs_a_batch_axis():
    with pytest.raises(ValueError, match="batch"):
        Flatten().forward(backend.xp.zeros(5))
