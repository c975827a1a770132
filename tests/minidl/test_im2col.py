import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import backend
from minidl.layers.fastconv import col2im_matmul
from minidl.layers.im2col import (col2im, from_rows, im2col, pad2d, same_padding, to_rows,
                                  windows)

seeds = st.integers(0, 2**16)


def randn(shape, seed, dtype=numpy.float64):
    return backend.to_device(numpy.random.default_rng(seed).standard_normal(shape).astype(dtype))


@st.composite
def geometry(draw):
    n, c = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw, s = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = draw(st.integers(kh, 7)), draw(st.integers(kw, 7))
    return n, c, h, w, kh, kw, s


@given(geo=geometry(), seed=seeds)
def test_windows_read_the_right_pixels(geo, seed):
    n, c, h, w, kh, kw, s = geo
    x = backend.to_host(randn((n, c, h, w), seed))
    win = backend.to_host(windows(backend.to_device(x), kh, kw, s))
    ho, wo = (h - kh) // s + 1, (w - kw) // s + 1
    assert win.shape == (n, c, ho, wo, kh, kw)
    for i in range(ho):
        for j in range(wo):
            numpy.testing.assert_array_equal(win[:, :, i, j], x[:, :, i * s:i * s + kh,
                                                                j * s:j * s + kw])


@given(geo=geometry(), seed=seeds)
def test_im2col_columns_are_windows(geo, seed):
    n, c, h, w, kh, kw, s = geo
    x = randn((n, c, h, w), seed)
    cols = backend.to_host(im2col(x, kh, kw, s))
    win = backend.to_host(windows(x, kh, kw, s))          # (N, C, Ho, Wo, kh, kw)
    ho, wo = win.shape[2:4]
    assert cols.shape == (c * kh * kw, n * ho * wo)
    numpy.testing.assert_array_equal(cols[:, 0], win[0, :, 0, 0].reshape(-1))
    numpy.testing.assert_array_equal(cols[:, -1], win[-1, :, -1, -1].reshape(-1))


@given(geo=geometry(), seed=seeds)
def test_col2im_is_the_adjoint_of_im2col(geo, seed):
    """<im2col(x), c> = <x, col2im(c)> for every x and c: col2im is im2col's transpose."""
    n, c, h, w, kh, kw, s = geo
    x = randn((n, c, h, w), seed)
    cols = im2col(x, kh, kw, s)
    other = randn(cols.shape, seed + 1)
    lhs = float((cols * other).sum())
    rhs = float((x * col2im(other, x.shape, kh, kw, s)).sum())
    assert lhs == pytest.approx(rhs, rel=1e-10, abs=1e-10)


@given(geo=geometry(), c_out=st.integers(1, 3), seed=seeds)
def test_col2im_matmul_matches_the_readable_path(geo, c_out, seed):
    n, c, h, w, kh, kw, s = geo
    ho, wo = (h - kh) // s + 1, (w - kw) // s + 1
    m = randn((c * kh * kw, c_out), seed)
    dy = randn((c_out, n * ho * wo), seed + 1)
    fast = col2im_matmul(m, dy, (n, c, h, w), kh, kw, s)
    slow = col2im(m @ dy, (n, c, h, w), kh, kw, s)
    numpy.testing.assert_allclose(backend.to_host(fast), backend.to_host(slow), rtol=1e-12,
                                  atol=1e-12)


def test_im2col_refills_a_given_buffer():
    x = randn((2, 3, 6, 5), 0)
    first = im2col(x, 3, 2, 1)
    buffer = first.copy()
    again = im2col(x * 2, 3, 2, 1, out=buffer)
    assert again is buffer
    numpy.testing.assert_allclose(backend.to_host(again), 2 * backend.to_host(first))
    assert im2col(x, 2, 2, 1, out=buffer) is not buffer  # wrong shape: a fresh array


@pytest.mark.parametrize("size, k, s, expected", [
    (7, 2, 2, (0, 1)), (28, 2, 2, (0, 0)), (28, 3, 1, (1, 1)), (5, 4, 1, (1, 2)),
    (4, 1, 3, (0, 0))])
def test_same_padding_gives_ceil_size_over_stride(size, k, s, expected):
    top, bottom = same_padding(size, k, s)
    assert (top, bottom) == expected
    assert (size + top + bottom - k) // s + 1 == -(-size // s)


def test_pad2d_pads_each_side_and_skips_zero_padding():
    x = randn((1, 2, 3, 4), 0)
    assert pad2d(x, (0, 0, 0, 0)) is x
    y = backend.to_host(pad2d(x, (1, 2, 3, 0), value=-1.0))
    assert y.shape == (1, 2, 6, 7)
    numpy.testing.assert_array_equal(y[:, :, 1:4, 3:], backend.to_host(x))
    assert (y[:, :, 0] == -1).all() and (y[:, :, 4:] == -1).all() and (y[..., :3] == -1).all()


def test_rows_layout_round_trip():
    x = randn((2, 3, 4, 5), 0)
    rows = to_rows(x)                                  # (C, H·W·N): batch varies fastest
    assert rows.shape == (3, 4 * 5 * 2)
    numpy.testing.assert_array_equal(backend.to_host(rows[1, :2]), backend.to_host(x[:, 1, 0, 0]))
    numpy.testing.assert_array_equal(backend.to_host(rows[1, ::2]),
                                     backend.to_host(x[0, 1]).reshape(-1))
    back = from_rows(rows, 2, 4, 5)
    assert back.shape == x.shape and back.strides[0] == rows.itemsize  # a batch-last view
    numpy.testing.assert_array_equal(backend.to_host(back), backend.to_host(x))
    assert to_rows(back).base is not None  # back to rows without a copy


def test_batch_last_arrays_round_trip_through_the_layers():
    """Layers give and take either memory layout: same values from NCHW and batch-last."""
    from minidl.layers import Conv2D, Conv2DTranspose, MaxPool2D
    x = randn((3, 2, 6, 6), 1)
    x_last = backend.get_array_module(x).asarray(x.transpose(1, 2, 3, 0).copy()).transpose(
        3, 0, 1, 2)
    for layer in [Conv2D(2, 3, 3, padding=1, seed=0), Conv2D(2, 1, 3, padding="same", seed=0),
                  Conv2DTranspose(2, 3, 3, 2, "same", seed=0), MaxPool2D(2)]:
        layer.astype(numpy.float64)
        y1 = layer.forward(x)
        dx1 = layer.backward(y1)
        y2 = layer.forward(x_last)
        dx2 = layer.backward(y2)
        numpy.testing.assert_allclose(backend.to_host(y2), backend.to_host(y1), rtol=1e-12)
        numpy.testing.assert_allclose(backend.to_host(dx2), backend.to_host(dx1), rtol=1e-12)
