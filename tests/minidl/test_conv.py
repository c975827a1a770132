import contextlib

import numpy
import pytest
from hypothesis import assume, given, strategies as st

from minidl import backend
from minidl.gradcheck import check_layer
from minidl.layers import Conv2D, Conv2DTranspose, fastconv

seeds = st.integers(0, 2**16)
paddings = st.one_of(st.integers(0, 2), st.sampled_from(["same", "valid"]))


def randn(shape, seed):
    return backend.to_device(numpy.random.default_rng(seed).standard_normal(shape))


def with_random_bias(layer, seed):
    layer.b.data = backend.to_device(numpy.random.default_rng(seed).standard_normal(layer.b.shape),
                                     dtype=layer.W.dtype)
    return layer


def pads_of(padding, h, k, s):
    """(before, after) padding, written out independently of the layer."""
    if padding == "same":
        out = -(-h // s)
        total = max((out - 1) * s + k - h, 0)
        return total // 2, total - total // 2
    p = 0 if padding == "valid" else padding
    return p, p


def reference_conv(x, W, b, s, padding):
    """y[n,o,i,j] = b[o] + Σ_{c,a,b} W[o,c,a,b] x̃[n,c,i·s+a,j·s+b], by explicit loops."""
    n, c, h, w = x.shape
    o, _, kh, kw = W.shape
    (t, bt), (l, r) = pads_of(padding, h, kh, s), pads_of(padding, w, kw, s)
    xp = numpy.zeros((n, c, h + t + bt, w + l + r))
    xp[:, :, t:t + h, l:l + w] = x
    ho, wo = (h + t + bt - kh) // s + 1, (w + l + r - kw) // s + 1
    y = numpy.zeros((n, o, ho, wo))
    for ni in range(n):
        for oi in range(o):
            for i in range(ho):
                for j in range(wo):
                    y[ni, oi, i, j] = b[oi] + (W[oi] * xp[ni, :, i * s:i * s + kh,
                                                           j * s:j * s + kw]).sum()
    return y


def reference_conv_transpose(x, W, b, s, p, op):
    """z[n,o,i·s+a,j·s+b] += x[n,c,i,j] W[c,o,a,b]; crop p each side (+op at the end)."""
    n, c, h, w = x.shape
    _, o, kh, kw = W.shape
    full = numpy.zeros((n, o, (h - 1) * s + kh + op, (w - 1) * s + kw + op))
    for i in range(h):
        for j in range(w):
            full[:, :, i * s:i * s + kh, j * s:j * s + kw] += numpy.einsum(
                "nc,coab->noab", x[:, :, i, j], W)
    ho, wo = full.shape[2] - 2 * p, full.shape[3] - 2 * p
    return full[:, :, p:p + ho, p:p + wo] + b[None, :, None, None]


def reference_conv_transpose_same(x, W, b, s):
    """padding="same": the full z cropped to (H·s, W·s), the odd extra row/col cropped at the end.

    The full output has (H − 1)·s + kh rows; "same" keeps H·s of them, so kh − s rows go
    (none when kh <= s: z is then padded with zeros at the bottom), ⌊(kh − s)/2⌋ from the
    top and the rest, one more when kh − s is odd, from the bottom (Keras). Same for columns.
    """
    n, c, h, w = x.shape
    _, o, kh, kw = W.shape
    full = numpy.zeros((n, o, max((h - 1) * s + kh, h * s), max((w - 1) * s + kw, w * s)))
    for i in range(h):
        for j in range(w):
            for a in range(kh):
                for bb in range(kw):
                    full[:, :, i * s + a, j * s + bb] += x[:, :, i, j] @ W[:, :, a, bb]
    top, left = max(kh - s, 0) // 2, max(kw - s, 0) // 2
    return full[:, :, top:top + h * s, left:left + w * s] + b[None, :, None, None]


@st.composite
def conv_case(draw):
    n, c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    k = draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    s, padding = draw(st.integers(1, 3)), draw(paddings)
    h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    (t, bt), (l, r) = pads_of(padding, h, k[0], s), pads_of(padding, w, k[1], s)
    assume(h + t + bt >= k[0] and w + l + r >= k[1])
    return (n, c_in, h, w), dict(c_in=c_in, c_out=c_out, kernel_size=k, stride=s, padding=padding)


def speed(fast):
    """A context in which the layers run their fast paths (fast=True) or the readable code."""
    return contextlib.nullcontext() if fast else fastconv.disabled()


@pytest.mark.parametrize("fast", [True, False])
@given(case=conv_case(), seed=seeds)
def test_conv2d_gradients(fast, case, seed):
    shape, kwargs = case
    layer = with_random_bias(Conv2D(**kwargs, seed=seed), seed)
    with speed(fast):
        check_layer(layer, randn(shape, seed), seed=seed)


def forward_backward(layer, x, dy):
    """(y, dx, dW, db) of one forward and backward pass from zeroed gradients."""
    for p in layer.parameters():
        p.zero_grad()
    y = layer.forward(x)
    dx = layer.backward(dy)
    return y, dx, layer.W.grad.copy(), layer.b.grad.copy()


@st.composite
def fast_case(draw):
    """A conv case, with C_out < C_in half the time (fastconv's few-outputs route)."""
    shape, kwargs = draw(conv_case())
    if draw(st.booleans()):
        kwargs = dict(kwargs, c_in=kwargs["c_in"] + kwargs["c_out"])
        shape = (shape[0], kwargs["c_in"]) + shape[2:]
    return shape, kwargs, draw(st.booleans())


@given(case=fast_case(), seed=seeds)
def test_fast_conv_matches_the_readable_code(case, seed):
    """fastconv's Conv2D (im2col buffer, fused col2im, few outputs): same y, dx, dW, db."""
    shape, kwargs, input_grad = case
    layer = with_random_bias(Conv2D(**kwargs, seed=seed), seed).astype(numpy.float64)
    layer.input_grad = input_grad
    x = randn(shape, seed)
    dy = randn(layer.output_shape(shape), seed + 1)
    got = forward_backward(layer, x, dy)
    assert layer.fast is not None and layer.cols is None      # the fast path ran
    with fastconv.disabled():
        want = forward_backward(layer, x, dy)
    assert layer.fast is None and layer.cols is not None      # the readable one ran
    if not input_grad:
        assert got[1] is None and want[1] is None
    for name, g, w in zip(["y", "dx", "dW", "db"], got, want):
        if name == "dx" and not input_grad:
            continue
        assert g.shape == w.shape, name
        numpy.testing.assert_allclose(backend.to_host(g), backend.to_host(w), rtol=1e-10,
                                      atol=1e-12, err_msg=name)


@pytest.mark.parametrize("fast", [True, False])
@given(case=conv_case(), seed=seeds)
def test_input_grad_false_skips_dx_only(fast, case, seed):
    """input_grad=False: backward returns None, y, dW and db are those of the full backward
    (whose dx and parameter gradients pass the numerical check)."""
    shape, kwargs = case
    without, full = (with_random_bias(Conv2D(**kwargs, seed=seed, input_grad=g), seed)
                     .astype(numpy.float64) for g in (False, True))
    assert without.input_grad is False and full.input_grad is True
    x = randn(shape, seed)
    dy = randn(full.output_shape(shape), seed + 1)
    with speed(fast):
        got, want = forward_backward(without, x, dy), forward_backward(full, x, dy)
        check_layer(full, x, seed=seed)
    assert got[1] is None and want[1].shape == x.shape
    for name, i in [("y", 0), ("dW", 2), ("db", 3)]:
        numpy.testing.assert_array_equal(backend.to_host(got[i]), backend.to_host(want[i]),
                                         err_msg=name)


@given(case=conv_case(), seed=seeds)
def test_conv2d_forward_matches_nested_loops(case, seed):
    shape, kw = case
    layer = with_random_bias(Conv2D(**kw, seed=seed), seed).astype(numpy.float64)
    x = randn(shape, seed)
    expected = reference_conv(backend.to_host(x), backend.to_host(layer.W.data),
                              backend.to_host(layer.b.data), kw["stride"], kw["padding"])
    y = layer.forward(x)
    assert y.shape == expected.shape == layer.output_shape(shape)
    numpy.testing.assert_allclose(backend.to_host(y), expected, rtol=1e-10, atol=1e-12)


@st.composite
def transpose_case(draw):
    n, c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    k = draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))   # (kh, kw): kh != kw often
    s = draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    padding = draw(st.one_of(st.integers(0, 2), st.just("same")))
    op = 0 if padding == "same" else draw(st.integers(0, s - 1))
    if padding != "same":
        assume((h - 1) * s - 2 * padding + k[0] + op >= 1)
        assume((w - 1) * s - 2 * padding + k[1] + op >= 1)
    return (n, c_in, h, w), dict(c_in=c_in, c_out=c_out, kernel_size=k, stride=s,
                                  padding=padding, output_padding=op)


@pytest.mark.parametrize("fast", [True, False])
@given(case=transpose_case(), seed=seeds)
def test_conv2d_transpose_gradients(fast, case, seed):
    shape, kwargs = case
    layer = with_random_bias(Conv2DTranspose(**kwargs, seed=seed), seed)
    with speed(fast):
        check_layer(layer, randn(shape, seed), seed=seed)


@given(case=transpose_case(), seed=seeds)
def test_fast_conv_transpose_matches_the_readable_code(case, seed):
    shape, kwargs = case
    layer = with_random_bias(Conv2DTranspose(**kwargs, seed=seed), seed).astype(numpy.float64)
    x = randn(shape, seed)
    dy = randn(layer.output_shape(shape), seed + 1)
    got = forward_backward(layer, x, dy)
    with fastconv.disabled():
        want = forward_backward(layer, x, dy)
    for name, g, w in zip(["y", "dx", "dW", "db"], got, want):
        numpy.testing.assert_allclose(backend.to_host(g), backend.to_host(w), rtol=1e-10,
                                      atol=1e-12, err_msg=name)


@given(case=transpose_case(), seed=seeds)
def test_conv2d_transpose_forward_matches_nested_loops(case, seed):
    shape, kw = case
    layer = with_random_bias(Conv2DTranspose(**kw, seed=seed), seed).astype(numpy.float64)
    x = randn(shape, seed)
    args = backend.to_host(x), backend.to_host(layer.W.data), backend.to_host(layer.b.data)
    if kw["padding"] == "same":
        expected = reference_conv_transpose_same(*args, kw["stride"])
    else:
        expected = reference_conv_transpose(*args, kw["stride"], kw["padding"],
                                            kw["output_padding"])
    y = layer.forward(x)
    assert y.shape == expected.shape == layer.output_shape(shape)
    numpy.testing.assert_allclose(backend.to_host(y), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("fast", [True, False])
def test_conv2d_transpose_same_crops_as_documented_for_every_stride_and_kernel(fast):
    """padding="same" against the nested-loop crop, kh, kw in 1..5 and stride 1..4, odd and
    even sizes: the odd extra row (column) is cropped from the bottom (right), not the top."""
    for s in range(1, 5):
        for kh in range(1, 6):
            for kw in range(1, 6):
                h, w = 3, 2
                seed = 100 * s + 10 * kh + kw
                layer = with_random_bias(Conv2DTranspose(2, 3, (kh, kw), stride=s,
                                                         padding="same", seed=seed),
                                         seed).astype(numpy.float64)
                x = randn((2, 2, h, w), seed)
                expected = reference_conv_transpose_same(
                    backend.to_host(x), backend.to_host(layer.W.data),
                    backend.to_host(layer.b.data), s)
                with speed(fast):
                    y = layer.forward(x)
                assert y.shape == expected.shape == (2, 3, h * s, w * s), (s, kh, kw)
                numpy.testing.assert_allclose(backend.to_host(y), expected, rtol=1e-10,
                                              atol=1e-12, err_msg=f"stride={s}, k=({kh}, {kw})")


@given(n=st.integers(1, 2), h=st.integers(1, 9), s=st.integers(1, 3), k=st.integers(1, 4))
def test_same_padding_output_sizes(n, h, s, k):
    x = backend.xp.zeros((n, 2, h, h + 1), dtype=numpy.float32)
    assert Conv2D(2, 3, k, stride=s, padding="same").forward(x).shape == (
        n, 3, -(-h // s), -(-(h + 1) // s))
    assert Conv2DTranspose(2, 3, k, stride=s, padding="same").forward(x).shape == (
        n, 3, h * s, (h + 1) * s)
    if h >= k:
        assert Conv2D(2, 3, k, stride=s, padding="valid").forward(x).shape == (
            n, 3, (h - k) // s + 1, (h + 1 - k) // s + 1)


@pytest.mark.parametrize("k, s, p", [(3, 1, 1), (3, 2, 0), (5, 2, 2), (2, 3, 1), (1, 1, 0)])
def test_conv2d_agrees_with_torch(k, s, p):
    torch = pytest.importorskip("torch")
    x = randn((2, 3, 9, 8), k)
    layer = with_random_bias(Conv2D(3, 4, k, stride=s, padding=p, seed=1), 2).astype(numpy.float64)
    expected = torch.nn.functional.conv2d(
        torch.tensor(backend.to_host(x)), torch.tensor(backend.to_host(layer.W.data)),
        torch.tensor(backend.to_host(layer.b.data)), stride=s, padding=p).numpy()
    numpy.testing.assert_allclose(backend.to_host(layer.forward(x)), expected, rtol=1e-10)


@pytest.mark.parametrize("k, s, p, op", [(3, 2, 1, 1), (3, 1, 1, 0), (2, 2, 0, 0), (4, 3, 1, 2),
                                         ((2, 3), 1, 0, 0), ((3, 1), 2, 1, 1), ((1, 4), 3, 0, 2),
                                         ((5, 2), 2, 2, 0)])
def test_conv2d_transpose_agrees_with_torch(k, s, p, op):
    torch = pytest.importorskip("torch")
    x = randn((2, 3, 5, 4), k)
    layer = with_random_bias(Conv2DTranspose(3, 2, k, stride=s, padding=p, output_padding=op,
                                             seed=1), 2).astype(numpy.float64)
    expected = torch.nn.functional.conv_transpose2d(
        torch.tensor(backend.to_host(x)), torch.tensor(backend.to_host(layer.W.data)),
        torch.tensor(backend.to_host(layer.b.data)), stride=s, padding=p,
        output_padding=op).numpy()
    numpy.testing.assert_allclose(backend.to_host(layer.forward(x)), expected, rtol=1e-10)


def test_float32_stays_float32_and_gradients_accumulate():
    layer = Conv2D(2, 3, 3, padding="same", seed=0)
    x = randn((2, 2, 5, 5), 0).astype(numpy.float32)
    y = layer.forward(x)
    assert y.dtype == numpy.float32
    dy = backend.xp.ones(y.shape, dtype=numpy.float32)
    assert layer.backward(dy).dtype == numpy.float32
    once = backend.to_host(layer.W.grad).copy()
    layer.backward(dy)
    numpy.testing.assert_allclose(backend.to_host(layer.W.grad), 2 * once, rtol=1e-5)


def test_shapes_of_the_weights_follow_pytorch():
    assert Conv2D(3, 5, (2, 4)).W.shape == (5, 3, 2, 4)
    assert Conv2DTranspose(3, 5, 3).W.shape == (3, 5, 3, 3)
    assert Conv2D(3, 5, 3).b.shape == (5,)


@pytest.mark.parametrize("layer", [Conv2D(1, 4, 3), Conv2DTranspose(1, 4, 3)])
def test_flat_input_is_refused_with_a_hint(layer):
    with pytest.raises(ValueError, match=r"\(8, 784\).*4-D.*Reshape"):
        layer.forward(backend.xp.zeros((8, 784), dtype=numpy.float32))


@pytest.mark.parametrize("layer", [Conv2D(3, 4, 3), Conv2DTranspose(3, 4, 3)])
def test_channel_mismatch_names_both_counts(layer):
    with pytest.raises(ValueError, match=r"\(2, 1, 8, 8\) with 1 channels.*expected 3"):
        layer.forward(backend.xp.zeros((2, 1, 8, 8), dtype=numpy.float32))


def test_kernel_larger_than_padded_input_is_refused():
    with pytest.raises(ValueError, match=r"Conv2D.*window 5x5 is larger than the padded input 4x4"):
        Conv2D(1, 2, 5, padding=1).forward(backend.xp.zeros((1, 1, 2, 2), dtype=numpy.float32))


@pytest.mark.parametrize("kwargs, match", [
    (dict(c_in=0, c_out=2, kernel_size=3), "c_in"),
    (dict(c_in=1, c_out=2, kernel_size=0), "kernel"),
    (dict(c_in=1, c_out=2, kernel_size=3, stride=0), "stride"),
    (dict(c_in=1, c_out=2, kernel_size=3, padding="full"), "padding"),
    (dict(c_in=1, c_out=2, kernel_size=3, padding=-1), "padding")])
def test_bad_conv_hyperparameters_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Conv2D(**kwargs)


def test_bad_output_padding_is_refused():
    with pytest.raises(ValueError, match=r"output_padding.*\[0, stride=2\)"):
        Conv2DTranspose(1, 1, 3, stride=2, output_padding=2)


@pytest.mark.parametrize("layer", [Conv2D(1, 1, 3), Conv2DTranspose(1, 1, 3)])
def test_backward_before_forward_raises(layer):
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(backend.xp.zeros((1, 1, 3, 3)))
