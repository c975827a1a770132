"""Fast paths of Conv2D, Conv2DTranspose and MaxPool2D: the readable code's results, sooner.

The layers in ``conv.py`` and ``pooling.py`` are written as the textbook algorithms:
"im2col, one GEMM, bias" and "dW = dŶ X̂ᵀ, dx = col2im(Ŵᵀ dŶ)" for a convolution, "the
max of each window, the gradient to the argmax" for max pooling. On a CPU that code
spends its time moving memory, not multiplying, and the tricks below cut that traffic.
Each one replaces one step of the readable code and computes the same numbers (the
tests run both on random shapes and compare values and gradients):

- **buffer re-use**: im2col refills last call's column array. A fresh array of many
  MB costs page faults that can outlast the copy itself.
- **dW as (X̂ dŶᵀ)ᵀ**: the same product; OpenBLAS runs this orientation 1.5-2x faster
  on the lecture model's shapes (e.g. 72x25088 by 25088x16: 0.9 ms against 2.0 ms).
- **col2im_matmul**: dx = col2im(Ŵᵀ dŶ) without building Ŵᵀ dŶ, which is kh·kw times
  the image: one small GEMM per kernel offset, added straight into its strided slice.
- **few outputs** (C_out < C_in, e.g. the 16 -> 1 logits layer): multiply every padded
  pixel by every kernel tap first (C_out·kh·kw rows), then shift and add. The im2col
  copy would be C_in/C_out times larger than that product.
- **running max**: max pooling as k² element-wise maxima over strided slices, with the
  argmax kept as an int8 offset and updated without branches, instead of copying
  every window to take ``argmax`` over it.

Both paths share the batch-last memory layout of ``im2col.py`` ("Memory layout").

``enabled`` switches them on (the default). ``with fastconv.disabled(): ...`` runs the
readable code instead -- to test against it, or to time what the tricks buy
(``python -m benchmarks --only conv_fast_paths``). Measured on the lecture conv AE's
layers (batch 128, forward + backward, CPU time on one thread of a busy shared 2-core
machine, so +-20%): conv 16->1 at 28x28 10.5 ms fast / 64 ms readable, conv 16->8
10.4 / 16.0 ms, conv 8->16 "valid" 7.2 / 9.9 ms, max pooling of 16x28x28 forward
1.8 / 24 ms and backward 2.1 / 11 ms; a whole training epoch 1.03 s / 3.10 s.
"""
import contextlib

from minidl import backend
from minidl.layers.im2col import from_rows, im2col, nchw_full, to_rows

__all__ = ["enabled", "disabled", "col2im_matmul", "conv2d_forward", "conv2d_backward",
           "maxpool_forward", "maxpool_backward"]

enabled = True


@contextlib.contextmanager
def disabled():
    """Run the readable layer code inside the ``with`` block (restored after it)."""
    global enabled
    saved, enabled = enabled, False
    try:
        yield
    finally:
        enabled = saved


class ConvState:
    """What the fast Conv2D keeps from forward for backward: one of two caches."""

    def __init__(self):
        self.cols = None    # X̂, (C_in·kh·kw, Ho·Wo·N): the im2col path (and its buffer)
        self.x_rows = None  # X̃ as rows, (C_in, H̃·W̃·N): the few-outputs path


# --- convolution ----------------------------------------------------------------------
def conv2d_forward(layer, xpad, ho, wo):
    """Conv2D's forward on the padded input ``xpad``; the state goes to ``layer.fast``."""
    state = layer.fast if layer.fast is not None else ConvState()
    layer.fast = state
    if layer.c_out < layer.c_in:
        state.cols = None
        return _few_outputs_forward(layer, state, xpad, ho, wo)
    state.x_rows = None
    state.cols = im2col(xpad, layer.kh, layer.kw, layer.stride, out=state.cols)
    y = layer.W.data.reshape(layer.c_out, -1) @ state.cols    # (C_out, Ho·Wo·N)
    if layer.b is not None:
        y += layer.b.data[:, None]
    return from_rows(y, xpad.shape[0], ho, wo)


def conv2d_backward(layer, dy):
    """Conv2D's backward after :func:`conv2d_forward`: dW, db added; dx̃ (padded) or None."""
    state = layer.fast
    if state.x_rows is not None:
        return _few_outputs_backward(layer, state, dy)
    dy_rows = to_rows(dy)                                      # (C_out, Ho·Wo·N)
    layer.W.grad += (state.cols @ dy_rows.T).T.reshape(layer.W.shape)
    if layer.b is not None:
        layer.b.grad += dy_rows.sum(axis=1)
    if not layer.input_grad:
        return None
    w_t = layer.W.data.reshape(layer.c_out, -1).T                 # Ŵᵀ (C_in·kh·kw, C_out)
    return col2im_matmul(w_t, dy_rows, layer.padded_shape, layer.kh, layer.kw, layer.stride)


def _few_outputs_forward(layer, state, xpad, ho, wo):
    """Forward for C_out < C_in: one GEMM over every padded pixel, then kh·kw shifted adds.

        Z[o, a, b, p] = Σ_c W[o, c, a, b] X̃[c, p]      for every padded pixel p
        y[n, o, i, j] = b[o] + Σ_{a,b} Z[o, a, b, (i·s + a, j·s + b, n)]

    Z has C_out·kh·kw rows where im2col's X̂ would have C_in·kh·kw.
    """
    xp = backend.get_array_module(xpad)
    n, _, hp, wp = xpad.shape
    s, kh, kw = layer.stride, layer.kh, layer.kw
    state.x_rows = to_rows(xpad)                                   # (C_in, H̃·W̃·N)
    w_rows = layer.W.data.transpose(0, 2, 3, 1).reshape(-1, layer.c_in)  # (C_out·kh·kw, C_in)
    z = (w_rows @ state.x_rows).reshape(layer.c_out, kh, kw, hp, wp, n)
    y = xp.zeros((layer.c_out, ho, wo, n), dtype=xpad.dtype)
    for a in range(kh):
        for b in range(kw):
            y += z[:, a, b, a:a + s * ho:s, b:b + s * wo:s]
    if layer.b is not None:
        y += layer.b.data.reshape(-1, 1, 1, 1)
    return y.transpose(3, 0, 1, 2)                                 # (N, C_out, Ho, Wo)


def _few_outputs_backward(layer, state, dy):
    """Backward of :func:`_few_outputs_forward`: dZ places dy at every shifted position,

        dZ[o, a, b, (i·s + a, j·s + b, n)] = dy[n, o, i, j]   (zero elsewhere)
        dW = dZ X̃ᵀ  (reshaped to W),   dx̃ = Ŵᵀ dZ  back to NCHW,

    both GEMMs over the small dZ (C_out·kh·kw rows).
    """
    xp = backend.get_array_module(dy)
    n, _, hp, wp = layer.padded_shape
    ho, wo = dy.shape[2], dy.shape[3]
    s, kh, kw = layer.stride, layer.kh, layer.kw
    dz = xp.zeros((layer.c_out, kh, kw, hp, wp, n), dtype=dy.dtype)
    dy_c = dy.transpose(1, 2, 3, 0)                                # (C_out, Ho, Wo, N)
    for a in range(kh):
        for b in range(kw):
            dz[:, a, b, a:a + s * ho:s, b:b + s * wo:s] = dy_c
    dz = dz.reshape(layer.c_out * kh * kw, -1)
    dw = (dz @ state.x_rows.T).reshape(layer.c_out, kh, kw, layer.c_in)
    layer.W.grad += dw.transpose(0, 3, 1, 2)
    if layer.b is not None:
        layer.b.grad += dy.sum(axis=(0, 2, 3))
    if not layer.input_grad:
        return None
    w_rows = layer.W.data.transpose(0, 2, 3, 1).reshape(-1, layer.c_in)
    return from_rows(w_rows.T @ dz, n, hp, wp)


def col2im_matmul(m, dy, shape, kh, kw, stride):
    """``col2im(m @ dy, shape, kh, kw, stride)`` without building the product ``m @ dy``.

    ``m`` (C·kh·kw, O) maps the O channels of ``dy`` (O, Ho·Wo·N) to window positions
    (Conv2D's backward: m = Ŵᵀ). The readable path materialises m @ dy,
    (C·kh·kw, Ho·Wo·N) -- kh·kw times the image -- and then adds it back; here each
    kernel offset (a, b) does its GEMM m[(:, a, b)] @ dy, (C, Ho·Wo·N), and adds it
    straight into its strided slice, so the memory traffic stays near the image size.
    """
    n, c, h, wd = shape
    ho, wo = (h - kh) // stride + 1, (wd - kw) // stride + 1
    xp = backend.get_array_module(dy)
    out = xp.zeros((c, h, wd, n), dtype=dy.dtype)       # batch-last, like the GEMM's rows
    part = xp.empty((c, ho * wo * n), dtype=dy.dtype)   # re-used by every offset
    # (kh, kw, C, O): one contiguous, BLAS-ready (C, O) matrix per kernel offset
    w = xp.ascontiguousarray(m.reshape(c, kh, kw, -1).transpose(1, 2, 0, 3))
    for a in range(kh):
        for b in range(kw):
            if w.shape[-1] == 1:  # one channel in: the product is an outer product
                xp.multiply(w[a, b], dy, out=part)
            else:
                xp.matmul(w[a, b], dy, out=part)
            out[:, a:a + stride * ho:stride, b:b + stride * wo:stride] += (
                part.reshape(c, ho, wo, n))
    return out.transpose(3, 0, 1, 2)                     # (N, C, H, W) view


# --- max pooling ----------------------------------------------------------------------
def maxpool_forward(layer, xpad, ho, wo):
    """MaxPool2D's forward as a running max over the k² window offsets.

    Sets ``layer.argmax`` to the winning offset a·k + b of each window (int8), the
    first maximum in row-major order on ties -- what the readable ``argmax`` gives.
    """
    xp = backend.get_array_module(xpad)
    k, s = layer.size, layer.stride
    # offset (0, 0) of every window; order="K" keeps x's memory layout (batch-last
    # after a conv, see minidl.layers.im2col), so no operation below mixes layouts
    y = xpad[:, :, :s * ho:s, :s * wo:s].copy(order="K")
    idx_type = xp.int8 if k * k < 128 else xp.int32
    argmax = xp.zeros_like(y, dtype=idx_type)
    for off in range(1, k * k):
        a, b = divmod(off, k)
        cand = xpad[:, :, a:a + s * ho:s, b:b + s * wo:s]
        better = cand > y                           # strict: the first maximum wins ties
        xp.maximum(y, cand, out=y)
        # argmax = the last offset that raised the max; offsets only grow, so that is
        # max(argmax, better·off) -- branch-free, far faster than a masked assignment
        xp.maximum(argmax, better * idx_type(off), out=argmax)
    layer.argmax = argmax
    return y


def maxpool_backward(layer, dy, padded_shape):
    """dx̃ (padded) of max pooling: each dy to its window's argmax, written in place
    when windows do not overlap (each cell of dx̃ then belongs to one window)."""
    xp = backend.get_array_module(dy)
    k, s = layer.size, layer.stride
    ho, wo = dy.shape[2], dy.shape[3]
    dxpad = nchw_full(xp, padded_shape, 0, dy.dtype)
    for off in range(k * k):
        a, b = divmod(off, k)
        cells = dxpad[:, :, a:a + s * ho:s, b:b + s * wo:s]
        if s >= k:
            xp.multiply(dy, layer.argmax == off, out=cells)
        else:
            cells += dy * (layer.argmax == off)
    return dxpad
