"""im2col / col2im: convolution as one big matrix product, built on strided views.

A convolution slides a (C, kh, kw) window over a padded image. ``windows`` makes
every window visible *without copying* by giving the array two extra axes whose
strides step inside a window:

    windows(x)[n, c, i, j, a, b] = x[n, c, i·s + a, j·s + b]      (N, C, Ho, Wo, kh, kw)

``im2col`` copies those windows into one matrix with a column per output pixel of
the whole batch,

    cols[(c, a, b), (i, j, n)]                                    (C·kh·kw, Ho·Wo·N)

(the sample index n varies fastest, see "Memory layout" below), so that a
convolution is ONE large GEMM ``W.reshape(c_out, -1) @ cols`` for the whole batch --
far faster on a CPU than N small ones. ``col2im`` is its adjoint:
it adds every column back onto the pixels it was read from. It loops over the
kh·kw kernel offsets (never over samples) and adds one strided slice per offset:
overlapping windows simply add, with no ``add.at``.

Memory layout: layers see NCHW arrays (N, C, H, W), but the arrays these helpers
make store the batch axis LAST in memory, (C, H, W, N) -- the layout of
cuda-convnet. ``to_rows`` is then a free reshape to (C, H·W·N), and every strided
spatial slice (``x[:, :, a::s, b::s]`` of im2col, col2im and pooling) keeps a
contiguous inner run of N values instead of a few pixels of one row, which made
those copies and adds 2-3x faster on the conv autoencoder. Element (n, c, i, j) is
the same in either layout; only ``.strides`` differ, and NumPy's element-wise
operations keep whichever layout they are given.

Backend note: ``as_strided`` exists under ``lib.stride_tricks`` in both NumPy and
CuPy with the same signature (strides in bytes), so :func:`windows` is the one
place that touches strides and the same code runs on both.

References: Chellapilla, Puri & Simard (2006), "High performance convolutional
neural networks for document processing"; CS231n notes on im2col.
"""
from minidl import backend

__all__ = ["same_padding", "pad2d", "nchw_full", "windows", "im2col", "col2im", "to_rows",
           "from_rows", "check_nchw", "check_window"]


def nchw_full(xp, shape, value, dtype):
    """An (N, C, H, W) array of ``value`` stored batch-last, as (C, H, W, N) in memory."""
    n, c, h, w = shape
    return xp.full((c, h, w, n), value, dtype=dtype).transpose(3, 0, 1, 2)


def same_padding(size, kernel, stride):
    """(before, after) padding for TensorFlow/Keras "same": output = ceil(size / stride).

    The total is max((out − 1)·stride + kernel − size, 0); Keras puts the odd
    extra cell after (bottom/right), so 7 pooled by 2 becomes 4 with one cell
    added at the bottom.
    """
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def pad2d(x, pads, value=0.0):
    """Pad the two spatial axes of NCHW ``x``; ``pads = (top, bottom, left, right)``.

    Returns ``x`` itself when every pad is zero (no copy), else a batch-last array.
    """
    top, bottom, left, right = pads
    if not (top or bottom or left or right):
        return x
    xp = backend.get_array_module(x)
    n, c, h, w = x.shape
    out = xp.empty((c, h + top + bottom, w + left + right, n), dtype=x.dtype)
    out = out.transpose(3, 0, 1, 2)                      # NCHW view of batch-last memory
    out[:, :, top:top + h, left:left + w] = x
    # the border alone gets ``value`` (filling everything first writes the image twice)
    out[:, :, :top], out[:, :, top + h:] = value, value
    out[:, :, :, :left], out[:, :, :, left + w:] = value, value
    return out


def windows(x, kh, kw, stride):
    """A read-only strided view of every (kh, kw) window of NCHW ``x``: (N, C, Ho, Wo, kh, kw).

    No data is copied; ``x`` must already be padded. Do not write into the view:
    overlapping windows share memory.
    """
    xp = backend.get_array_module(x)
    n, c, h, w = x.shape
    ho, wo = (h - kh) // stride + 1, (w - kw) // stride + 1
    sn, sc, sh, sw = x.strides
    return xp.lib.stride_tricks.as_strided(
        x, shape=(n, c, ho, wo, kh, kw),
        strides=(sn, sc, sh * stride, sw * stride, sh, sw))


def im2col(x, kh, kw, stride, out=None):
    """Windows as columns: ``cols[(c, a, b), (i, j, n)] = x[n, c, i·s + a, j·s + b]``.

    ``x`` (N, C, H, W), already padded; returns a C-contiguous (C·kh·kw, Ho·Wo·N)
    array -- the one copy a convolution makes of its input.  Fastest when ``x`` is
    stored batch-last (see the module docstring).

    ``out``: an array of that shape and dtype to fill instead of allocating one.
    Layers pass their previous buffer: a fresh array of many megabytes per call
    costs page faults that can take longer than the copy itself.
    """
    win = windows(x, kh, kw, stride)
    n, c, ho, wo = win.shape[:4]
    shape = (c * kh * kw, ho * wo * n)
    by_offset = win.transpose(1, 4, 5, 2, 3, 0)                 # (C, kh, kw, Ho, Wo, N)
    xp = backend.get_array_module(x)
    if (out is None or out.shape != shape or out.dtype != x.dtype
            or backend.get_array_module(out) is not xp):  # a buffer from before .to(device)
        return by_offset.reshape(shape)
    xp.copyto(out.reshape(c, kh, kw, ho, wo, n), by_offset)
    return out


def col2im(cols, shape, kh, kw, stride):
    """The adjoint of :func:`im2col`: add each window column back onto its pixels.

    ``cols`` is (C·kh·kw, Ho·Wo·N); ``shape`` = (N, C, H, W) of the (padded)
    image. Returns that image (stored batch-last) with

        x[n, c, i·s + a, j·s + b] += cols[(c, a, b), (i, j, n)]   for every a, b

    One strided-slice addition per kernel offset (a, b): a loop of kh·kw steps.
    """
    n, c, h, w = shape
    ho, wo = (h - kh) // stride + 1, (w - kw) // stride + 1
    xp = backend.get_array_module(cols)
    cols = cols.reshape(c, kh, kw, ho, wo, n)
    out = xp.zeros((c, h, w, n), dtype=cols.dtype)              # batch-last
    for a in range(kh):
        for b in range(kw):
            out[:, a:a + stride * ho:stride, b:b + stride * wo:stride] += cols[:, a, b]
    return out.transpose(3, 0, 1, 2)                             # (N, C, H, W) view


def to_rows(x):
    """NCHW (N, C, H, W) -> rows (C, H·W·N): the layout the GEMMs use.

    Free (a view) when ``x`` is stored batch-last; a copy otherwise.
    """
    n, c, h, w = x.shape
    return x.transpose(1, 2, 3, 0).reshape(c, h * w * n)


def from_rows(y, n, h, w):
    """Rows (C, H·W·N) -> an (N, C, H, W) view of them (stored batch-last, no copy)."""
    return y.reshape(-1, h, w, n).transpose(3, 0, 1, 2)


# --- input checks shared by the convolution and pooling layers ---------------
def check_nchw(layer, x, channels=None):
    """Raise a clear ValueError unless ``x`` is a 4-D NCHW batch with ``channels`` channels."""
    if x.ndim != 4:
        c = channels if channels is not None else "C"
        hint = (f"reshape flat images first, e.g. layers.Reshape(({c}, 28, 28))"
                if x.ndim == 2 else "add the missing axes (batch and channel come first)")
        raise ValueError(f"{layer!r} got input of shape {tuple(x.shape)}, expected a 4-D "
                         f"batch (N, {c}, H, W) in NCHW order: {hint}")
    if channels is not None and x.shape[1] != channels:
        raise ValueError(f"{layer!r} got input of shape {tuple(x.shape)} with {x.shape[1]} "
                         f"channels on axis 1, expected {channels}: check c_in, or transpose "
                         f"NHWC images with x.transpose(0, 3, 1, 2)")


def check_window(layer, x_shape, padded_hw, kh, kw):
    """Raise unless a (kh, kw) window fits inside the padded spatial size ``padded_hw``."""
    hp, wp = padded_hw
    if kh > hp or kw > wp:
        raise ValueError(f"{layer!r}: window {kh}x{kw} is larger than the padded input "
                         f"{hp}x{wp} (input shape {tuple(x_shape)}): use a smaller kernel, "
                         f"more padding, or a larger input")
