import numpy
import pytest
from hypothesis import assume, given, strategies as st

from minidl import backend
from minidl.gradcheck import check_layer
from minidl.layers import Conv2D, Conv2DTranspose

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


@st.composite
def conv_case(draw):
    n, c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    k = draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    s, padding = draw(st.integers(1, 3)), draw(paddings)
    h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    (t, bt), (l, r) = pads_of(padding, h, k[0], s), pads_of(padding, w, k[1], s)
    assume(h + t + bt >= k[0] and w + l + r >= k[1])
    return (n, c_in, h, w), dict(c_in=c_in, c_out=c_out, kernel_size=k, stride=s, padding=padding)


@pytest.mark.parametrize("reference", [False, True])
@given(case=conv_case(), seed=seeds)
def test_conv2d_gradients(reference, case, seed):
    shape, kwargs = case
    layer = with_random_bias(Conv2D(**kwargs, seed=seed), seed)
    layer.reference = reference  # True: the readable im2col path even when C_out < C_in
    check_layer(layer, randn(shape, seed), seed=seed)


def forward_backward(layer, x, dy):
    """(y, dx, dW, db) of one forward and backward pass from zeroed gradients."""
    for p in layer.parameters():
        p.zero_grad()
    y = layer.forward(x)
    dx = layer.backward(dy)
    return y, dx, layer.W.grad.copy(), layer.b.grad.copy()


@given(case=conv_case(), seed=seeds)
def test_few_outputs_path_matches_the_im2col_path(case, seed):
    """C_out < C_in multiplies first and shifts after; same y, dx, dW, db as im2col."""
    shape, kwargs = case
    kwargs = dict(kwargs, c_in=kwargs["c_in"] + kwargs["c_out"])  # force C_out < C_in
    shape = (shape[0], kwargs["c_in"]) + shape[2:]
    fast, slow = (with_random_bias(Conv2D(**kwargs, seed=seed), seed).astype(numpy.float64)
                  for _ in range(2))
    slow.reference = True
    x = randn(shape, seed)
    dy = randn(slow.output_shape(shape), seed + 1)
    got, want = forward_backward(fast, x, dy), forward_backward(slow, x, dy)
    assert fast.x_rows is not None and slow.x_rows is None  # each took its own path
    for name, g, w in zip(["y", "dx", "dW", "db"], got, want):
        assert g.shape == w.shape, name
        numpy.testing.assert_allclose(backend.to_host(g), backend.to_host(w), rtol=1e-10,
                                      atol=1e-12, err_msg=name)


@pytest.mark.parametrize("reference", [False, True])
@given(case=conv_case(), seed=seeds)
def test_input_grad_false_skips_dx_only(reference, case, seed):
    """input_grad=False: backward returns None, dW and db are those of the full backward."""
    shape, kwargs = case
    without, full = (with_random_bias(Conv2D(**kwargs, seed=seed, input_grad=g), seed)
                     .astype(numpy.float64) for g in (False, True))
    without.reference = full.reference = reference
    x = randn(shape, seed)
    dy = randn(full.output_shape(shape), seed + 1)
    got, want = forward_backward(without, x, dy), forward_backward(full, x, dy)
    assert got[1] is None and want[1].shape == x.shape
    for name, i in [("y", 0), ("dW", 2), ("db", 3)]:
        numpy.testing.assert_allclose(backend.to_host(got[i]), backend.to_host(want[i]),
                                      rtol=1e-12, atol=1e-12, err_msg=name)
    # and the parameter gradients of the dx-free layer pass the numerical check
    check_layer(without_dx(without), x, seed=seed, check_input=False)


def without_dx(layer):
    """``layer`` with backward returning a zero dx for check_layer (which checks its shape)."""
    backward = layer.backward

    def patched(dy):
        assert backward(dy) is None
        return backend.get_array_module(dy).zeros(layer.x_shape)

    layer.x_shape = None
    forward = layer.forward

    def remember(x, training=False):
        layer.x_shape = x.shape
        return forward(x, training=training)

    layer.forward, layer.backward = remember, patched
    return layer


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
    k, s = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    padding = draw(st.one_of(st.integers(0, 2), st.just("same")))
    op = 0 if padding == "same" else draw(st.integers(0, s - 1))
    if padding != "same":
        assume((min(h, w) - 1) * s - 2 * padding + k + op >= 1)
    return (n, c_in, h, w), dict(c_in=c_in, c_out=c_out, kernel_size=k, stride=s,
                                  padding=padding, output_padding=op)


@given(case=transpose_case(), seed=seeds)
def test_conv2d_transpose_gradients(case, seed):
    shape, kwargs = case
    layer = with_random_bias(Conv2DTranspose(**kwargs, seed=seed), seed)
    check_layer(layer, randn(shape, seed), seed=seed)


@given(case=transpose_case(), seed=seeds)
def test_conv2d_transpose_forward_matches_nested_loops(case, seed):
    shape, kw = case
    assume(kw["padding"] != "same")
    layer = with_random_bias(Conv2DTranspose(**kw, seed=seed), seed).astype(numpy.float64)
    x = randn(shape, seed)
    expected = reference_conv_transpose(backend.to_host(x), backend.to_host(layer.W.data),
                                        backend.to_host(layer.b.data), kw["stride"],
                                        kw["padding"], kw["output_padding"])
    y = layer.forward(x)
    assert y.shape == expected.shape == layer.output_shape(shape)
    numpy.testing.assert_allclose(backend.to_host(y), expected, rtol=1e-10, atol=1e-12)


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


@pytest.mark.parametrize("k, s, p, op", [(3, 2, 1, 1), (3, 1, 1, 0), (2, 2, 0, 0), (4, 3, 1, 2)])
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
