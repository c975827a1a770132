import contextlib

import numpy
import pytest
from hypothesis import assume, given, strategies as st

from minidl import backend
from minidl.gradcheck import check_layer
from minidl.layers import AvgPool2D, MaxPool2D, UpSampling2D, fastconv

seeds = st.integers(0, 2**16)


def distinct(shape, seed):
    """Inputs with no ties (a shuffled range, scaled): max-pool's gradient is defined."""
    size = int(numpy.prod(shape))
    values = numpy.random.default_rng(seed).permutation(size).reshape(shape) / size
    return backend.to_device(values.astype(numpy.float64))


def randn(shape, seed):
    return backend.to_device(numpy.random.default_rng(seed).standard_normal(shape))


def pads_of(padding, h, k, s):
    if padding == "same":
        total = max((-(-h // s) - 1) * s + k - h, 0)
        return total // 2, total - total // 2
    return padding, padding


def reference_pool(x, k, s, padding, reduce):
    """y[n,c,i,j] = reduce over the window at (i·s, j·s) of x padded with -inf (nested loops)."""
    n, c, h, w = x.shape
    (t, b), (l, r) = pads_of(padding, h, k, s), pads_of(padding, w, k, s)
    xp = numpy.full((n, c, h + t + b, w + l + r), -numpy.inf)
    xp[:, :, t:t + h, l:l + w] = x
    ho, wo = (h + t + b - k) // s + 1, (w + l + r - k) // s + 1
    y = numpy.zeros((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            y[:, :, i, j] = reduce(xp[:, :, i * s:i * s + k, j * s:j * s + k], axis=(2, 3))
    return y


@st.composite
def pool_case(draw):
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    k = draw(st.integers(1, 3))
    s = draw(st.integers(1, 3))
    padding = draw(st.one_of(st.integers(0, k // 2), st.just("same")))
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    (t, b), (l, r) = pads_of(padding, h, k, s), pads_of(padding, w, k, s)
    assume(h + t + b >= k and w + l + r >= k)
    return (n, c, h, w), k, s, padding


def speed(fast):
    """A context in which MaxPool2D runs fastconv's running max (fast=True) or the readable code."""
    return contextlib.nullcontext() if fast else fastconv.disabled()


@pytest.mark.parametrize("fast", [True, False])
@given(case=pool_case(), seed=seeds)
def test_maxpool_gradients_without_ties(fast, case, seed):
    shape, k, s, padding = case
    with speed(fast):
        check_layer(MaxPool2D(k, stride=s, padding=padding), distinct(shape, seed), seed=seed)


@given(case=pool_case(), seed=seeds, ties=st.booleans())
def test_fast_maxpool_matches_the_readable_code(case, seed, ties):
    """The running max with its int8 argmax: same y, argmax and dx, ties included
    (small integers make many: both send the gradient to the first maximum)."""
    shape, k, s, padding = case
    x = randn(shape, seed)
    if ties:
        x = backend.xp.floor(x)
    dy = None
    results = []
    for fast in (True, False):
        layer = MaxPool2D(k, stride=s, padding=padding)
        with speed(fast):
            y = layer.forward(x)
            dy = randn(y.shape, seed + 1) if dy is None else dy
            results.append((y, layer.argmax, layer.backward(dy)))
    for name, g, w in zip(["y", "argmax", "dx"], *results):
        numpy.testing.assert_array_equal(backend.to_host(g), backend.to_host(w), err_msg=name)


@given(case=pool_case(), seed=seeds)
def test_maxpool_forward_matches_nested_loops(case, seed):
    shape, k, s, padding = case
    x = randn(shape, seed)
    expected = reference_pool(backend.to_host(x), k, s, padding, numpy.max)
    numpy.testing.assert_array_equal(backend.to_host(MaxPool2D(k, s, padding).forward(x)),
                                     expected)


@given(case=pool_case(), seed=seeds)
def test_avgpool_gradients_and_forward(case, seed):
    shape, k, s, _ = case
    assume(shape[2] >= k and shape[3] >= k)
    x = randn(shape, seed)
    expected = reference_pool(backend.to_host(x), k, s, 0, numpy.mean)
    numpy.testing.assert_allclose(backend.to_host(AvgPool2D(k, s).forward(x)), expected,
                                  rtol=1e-12)
    check_layer(AvgPool2D(k, stride=s), x, seed=seed)


@given(n=st.integers(1, 2), c=st.integers(1, 3), h=st.integers(1, 4), w=st.integers(1, 4),
       scale=st.integers(1, 3), seed=seeds)
def test_upsampling_copies_blocks_and_sums_gradients(n, c, h, w, scale, seed):
    x = randn((n, c, h, w), seed)
    y = backend.to_host(UpSampling2D(scale).forward(x))
    expected = backend.to_host(x).repeat(scale, axis=2).repeat(scale, axis=3)
    numpy.testing.assert_array_equal(y, expected)
    check_layer(UpSampling2D(scale), x, seed=seed)


def test_same_padding_pools_7x7_to_4x4_and_padding_never_wins():
    x = distinct((2, 3, 7, 7), 0) - 2.0           # all in [-2, -1): a zero pad would win
    y = backend.to_host(MaxPool2D(2, padding="same").forward(x))
    assert y.shape == (2, 3, 4, 4)
    assert (y < -1.0).all()
    numpy.testing.assert_array_equal(y[:, :, 3, 3], backend.to_host(x)[:, :, 6, 6])


@pytest.mark.parametrize("fast", [True, False])
def test_tied_window_sends_the_whole_gradient_to_one_cell(fast):
    x = backend.xp.zeros((1, 1, 4, 4))
    layer = MaxPool2D(2)
    with speed(fast):
        layer.forward(x)
        dx = backend.to_host(layer.backward(backend.xp.ones((1, 1, 2, 2))))
    assert dx.sum() == 4.0 and (dx.reshape(2, 2, 2, 2).transpose(0, 2, 1, 3)
                                .reshape(4, 4).sum(axis=1) == 1).all()
    assert dx[0, 0, 0, 0] == 1.0  # the first maximum in row-major window order


@pytest.mark.parametrize("k, s, p", [(2, 2, 0), (3, 2, 1), (3, 1, 1), (2, 1, 0)])
def test_pooling_agrees_with_torch(k, s, p):
    torch = pytest.importorskip("torch")
    x = randn((2, 3, 7, 6), k)
    t = torch.tensor(backend.to_host(x))
    numpy.testing.assert_array_equal(backend.to_host(MaxPool2D(k, s, p).forward(x)),
                                     torch.nn.functional.max_pool2d(t, k, s, p).numpy())
    numpy.testing.assert_allclose(backend.to_host(AvgPool2D(k, s).forward(x)),
                                  torch.nn.functional.avg_pool2d(t, k, s).numpy(), rtol=1e-12)
    same = torch.nn.functional.max_pool2d(t, 2, 2, ceil_mode=True).numpy()  # Keras "same"
    numpy.testing.assert_array_equal(backend.to_host(MaxPool2D(2, padding="same").forward(x)),
                                     same)


def test_dtype_is_kept():
    x = randn((1, 2, 4, 4), 0).astype(numpy.float32)
    for layer in (MaxPool2D(2), AvgPool2D(2), UpSampling2D(2)):
        y = layer.forward(x)
        assert y.dtype == numpy.float32
        assert layer.backward(backend.xp.ones_like(y)).dtype == numpy.float32


@pytest.mark.parametrize("layer", [MaxPool2D(2), AvgPool2D(2), UpSampling2D(2)])
def test_non_4d_input_is_refused(layer):
    with pytest.raises(ValueError, match=r"got input of shape \(4, 784\).*4-D"):
        layer.forward(backend.xp.zeros((4, 784)))


def test_window_larger_than_input_is_refused():
    with pytest.raises(ValueError, match=r"AvgPool2D.*window 3x3.*padded input 2x2"):
        AvgPool2D(3).forward(backend.xp.zeros((1, 1, 2, 2)))


@pytest.mark.parametrize("make, match", [
    (lambda: MaxPool2D(0), "size"), (lambda: MaxPool2D(2, stride=0), "stride"),
    (lambda: MaxPool2D(2, padding=2), r"\[0, size // 2 = 1\]"), (lambda: AvgPool2D(-1), "size"),
    (lambda: UpSampling2D(0), "scale")])
def test_bad_hyperparameters_are_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("layer", [MaxPool2D(2), AvgPool2D(2), UpSampling2D(2)])
def test_backward_before_forward_raises(layer):
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(backend.xp.zeros((1, 1, 2, 2)))
