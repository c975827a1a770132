"""2-D convolution and transposed convolution (NCHW), as GEMMs over im2col rows.

Conventions follow PyTorch: ``Conv2D.W`` is (c_out, c_in, kh, kw),
``Conv2DTranspose.W`` is (c_in, c_out, kh, kw), and the transposed convolution's
output size is (in − 1)·stride − 2·padding + kernel (+ output_padding).
Like every deep-learning library, "convolution" here is cross-correlation
(the kernel is not flipped).
"""
import math

from minidl import backend
from minidl.layers.base import Layer
from minidl.layers.im2col import (check_nchw, check_window, col2im_matmul, from_rows, im2col,
                                  nchw_full, pad2d, same_padding, to_rows)
from minidl.parameter import Parameter

__all__ = ["Conv2D", "Conv2DTranspose"]


def _pair(value, what, layer):
    """``k`` or ``(kh, kw)`` -> (kh, kw) of positive ints."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in pair):
        raise ValueError(f"{layer}: {what}={value!r} must be a positive int or a pair of them")
    return pair


def _check_channels(layer, **sizes):
    for name, n in sizes.items():
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"{layer}: {name}={n!r} must be a positive integer number of channels")


def _glorot(shape, fan_in, fan_out, seed, dtype):
    """Glorot-uniform filters (the Keras default): U(−a, a), a = sqrt(6 / (fan_in + fan_out))."""
    a = math.sqrt(6.0 / (fan_in + fan_out))
    return backend.rng(seed).uniform(-a, a, shape, dtype)


class Conv2D(Layer):
    """2-D convolution ``y = W ⋆ x + b`` of NCHW images.

    Shapes: x (N, C_in, H, W), W (C_out, C_in, kh, kw), b (C_out,),
    y (N, C_out, Ho, Wo) with Ho = ⌊(H + pad_top + pad_bottom − kh) / s⌋ + 1.

    Parameters
    ----------
    c_in, c_out : int, input and output channels.
    kernel_size : int or (kh, kw).
    stride : int, the same step along both axes.
    padding : int p (p zeros on every side, PyTorch), "valid" (= 0), or "same"
        (TensorFlow/Keras: Ho = ⌈H / s⌉, the odd extra zero at the bottom/right).
    seed : int or None, seeds the Glorot-uniform initial filters; b starts at 0.
    input_grad : bool, False makes ``backward`` skip dx and return None (for the
        first layer of a network, whose input needs no gradient).

    Notes
    -----
    With x̃ the zero-padded input and s the stride, the forward pass is

        y[n, o, i, j] = b[o] + Σ_{c, a, b'} W[o, c, a, b'] · x̃[n, c, i·s + a, j·s + b']

    computed as ONE GEMM for the whole batch on the im2col matrix X̂
    (C_in·kh·kw, Ho·Wo·N): Ŷ = Ŵ X̂ + b, with Ŵ = W.reshape(C_out, C_in·kh·kw) and
    Ŷ (C_out, Ho·Wo·N) turned back into NCHW. Backward, with dŶ the upstream gradient
    laid out like Ŷ:

        dW += (dŶ X̂ᵀ).reshape(W.shape)
        db += Σ_{n,i,j} dy[n, :, i, j]
        dx  = crop(col2im(Ŵᵀ dŶ))        (col2im adds overlapping windows)

    For stride 1 with C_out < C_in the same dx is computed as a convolution of the
    zero-padded dy with the flipped kernels (one im2col of dy, one GEMM), which is
    cheaper than kh·kw scatter-adds -- see ``_input_grad_stride1``. (With batch-last
    arrays the scatter-adds won for C_out = C_in = 32: 5.1 ms against 6.7 ms.)

    With fewer outputs than inputs (C_out < C_in, e.g. the 32 -> 1 logits layer) the
    im2col matrix is C_in/C_out times larger than needed; ``_forward_few_outputs``
    multiplies first and shifts after -- see there.

    Sources: LeCun et al. (1998), "Gradient-based learning applied to document
    recognition"; Dumoulin & Visin (2016), "A guide to convolution arithmetic".
    """

    def __init__(self, c_in, c_out, kernel_size, stride=1, padding=0, *, bias=True, seed=None,
                 dtype=backend.float32, input_grad=True, name=None):
        _check_channels("Conv2D", c_in=c_in, c_out=c_out)
        self.kh, self.kw = _pair(kernel_size, "kernel_size", "Conv2D")
        if isinstance(stride, bool) or not isinstance(stride, int) or stride < 1:
            raise ValueError(f"Conv2D: stride={stride!r} must be a positive int")
        self.stride = stride
        integer = isinstance(padding, int) and not isinstance(padding, bool)
        if not (padding in ("same", "valid") or (integer and padding >= 0)):
            raise ValueError(f"Conv2D: padding={padding!r} must be an int >= 0, 'same' or 'valid'")
        self.c_in, self.c_out, self.padding = c_in, c_out, padding
        self.name = name or f"conv_{c_in}x{c_out}"
        fan_in, fan_out = c_in * self.kh * self.kw, c_out * self.kh * self.kw
        self.W = Parameter(_glorot((c_out, c_in, self.kh, self.kw), fan_in, fan_out, seed, dtype),
                           name=f"{self.name}.W")
        self.b = (Parameter(backend.xp.zeros(c_out, dtype=dtype), name=f"{self.name}.b")
                  if bias else None)
        self.cols, self.pads, self.padded_shape = None, None, None
        self.dcols = None  # backward's im2col buffer, re-used between calls
        # False: backward returns None instead of dx (the first layer of a network
        # never needs it); set it back to True to differentiate w.r.t. the input
        self.input_grad = input_grad
        self.reference = False  # True: always the readable im2col path (tests compare)
        self.x_rows, self.dz = None, None  # state of the few-outputs path

    def _pads(self, h, w):
        """(top, bottom, left, right) zero padding for an input of size h x w."""
        if self.padding == "same":
            return same_padding(h, self.kh, self.stride) + same_padding(w, self.kw, self.stride)
        p = 0 if self.padding == "valid" else self.padding
        return (p, p, p, p)

    def output_shape(self, shape):
        """(N, C_out, Ho, Wo) for an input of shape (N, C_in, H, W)."""
        t, b, l, r = self._pads(shape[2], shape[3])
        return (shape[0], self.c_out, (shape[2] + t + b - self.kh) // self.stride + 1,
                (shape[3] + l + r - self.kw) // self.stride + 1)

    def forward(self, x, training=False):
        check_nchw(self, x, self.c_in)
        self.pads = self._pads(x.shape[2], x.shape[3])
        xpad = pad2d(x, self.pads)
        check_window(self, x.shape, xpad.shape[2:], self.kh, self.kw)
        n, _, ho, wo = self.output_shape(x.shape)
        self.padded_shape = xpad.shape
        if self.c_out < self.c_in and not self.reference:
            return self._forward_few_outputs(xpad, ho, wo)
        self.x_rows = None
        # (C_in·kh·kw, Ho·Wo·N), refilling last call's buffer
        self.cols = im2col(xpad, self.kh, self.kw, self.stride, out=self.cols)
        y = self.W.data.reshape(self.c_out, -1) @ self.cols      # (C_out, Ho·Wo·N)
        if self.b is not None:
            y += self.b.data[:, None]
        return from_rows(y, n, ho, wo)                           # (N, C_out, Ho, Wo)

    def backward(self, dy):
        if self.x_rows is not None:
            return self._backward_few_outputs(dy)
        self._need_forward(self.cols)
        xp = backend.get_array_module(dy)
        dy_rows = to_rows(dy)                                    # (C_out, Ho·Wo·N)
        self.W.grad += (self.cols @ dy_rows.T).T.reshape(self.W.shape)  # faster than dy @ colsᵀ
        if self.b is not None:
            self.b.grad += dy_rows.sum(axis=1)
        if not self.input_grad:
            return None
        if self.stride == 1 and self.c_out < self.c_in:  # the cheaper of two equal results
            dxpad = self._input_grad_stride1(dy)
        else:
            w4 = xp.ascontiguousarray(self.W.data.transpose(1, 2, 3, 0))  # (C_in, kh, kw, C_out)
            dxpad = col2im_matmul(w4, dy_rows, self.padded_shape, self.kh, self.kw, self.stride)
        return self._crop(dxpad)

    def _crop(self, dxpad):
        """The gradient of the padded input, cropped back to the input's size."""
        t, _, l, _ = self.pads
        h, w = self.padded_shape[2] - sum(self.pads[:2]), self.padded_shape[3] - sum(self.pads[2:])
        return dxpad[:, :, t:t + h, l:l + w]

    def _forward_few_outputs(self, xpad, ho, wo):
        """Forward for C_out < C_in: one GEMM over every padded pixel, then kh·kw shifted adds.

        Z[o, a, b, (p, q, n)] = Σ_c W[o, c, a, b] · x̃[n, c, p, q]       (C_out·kh·kw, H̃·W̃·N)
        y[n, o, i, j] = b[o] + Σ_{a,b} Z[o, a, b, (i·s + a, j·s + b, n)]
        Z holds C_out·kh·kw rows where im2col would hold C_in·kh·kw.
        """
        xp = backend.get_array_module(xpad)
        n, _, hp, wp = xpad.shape
        s, kh, kw = self.stride, self.kh, self.kw
        self.x_rows = to_rows(xpad)                                   # (C_in, H̃·W̃·N)
        self.cols = None
        w_rows = self.W.data.transpose(0, 2, 3, 1).reshape(-1, self.c_in)  # (C_out·kh·kw, C_in)
        z = (w_rows @ self.x_rows).reshape(self.c_out, kh, kw, hp, wp, n)
        y = xp.zeros((self.c_out, ho, wo, n), dtype=xpad.dtype)
        for a in range(kh):
            for b in range(kw):
                y += z[:, a, b, a:a + s * ho:s, b:b + s * wo:s]
        if self.b is not None:
            y += self.b.data.reshape(-1, 1, 1, 1)
        return y.transpose(3, 0, 1, 2)                                # (N, C_out, Ho, Wo)

    def _backward_few_outputs(self, dy):
        """Backward of ``_forward_few_outputs``: dZ places dy at every shifted position,

            dZ[o, a, b, (i·s + a, j·s + b, n)] = dy[n, o, i, j]   (zero elsewhere)
            dW = dZ X̃ᵀ  (reshaped to W),   dx̃ = Ŵᵀ dZ  back to NCHW,
        both GEMMs over the small dZ (C_out·kh·kw rows).
        """
        xp = backend.get_array_module(dy)
        n, _, hp, wp = self.padded_shape
        ho, wo = dy.shape[2], dy.shape[3]
        s, kh, kw = self.stride, self.kh, self.kw
        dz = xp.zeros((self.c_out, kh, kw, hp, wp, n), dtype=dy.dtype)
        dy_c = dy.transpose(1, 2, 3, 0)                               # (C_out, Ho, Wo, N)
        for a in range(kh):
            for b in range(kw):
                dz[:, a, b, a:a + s * ho:s, b:b + s * wo:s] = dy_c
        dz = dz.reshape(self.c_out * kh * kw, -1)
        dw = (dz @ self.x_rows.T).reshape(self.c_out, kh, kw, self.c_in)
        self.W.grad += dw.transpose(0, 3, 1, 2)
        if self.b is not None:
            self.b.grad += dy.sum(axis=(0, 2, 3))
        if not self.input_grad:
            return None
        w_rows = self.W.data.transpose(0, 2, 3, 1).reshape(-1, self.c_in)
        return self._crop(from_rows(w_rows.T @ dz, n, hp, wp))

    def _input_grad_stride1(self, dy):
        """dx̃ for stride 1 as a convolution: dy, zero-padded by k − 1, ⋆ the flipped kernels.

        dx̃[n, c, i, j] = Σ_{o,a,b} W[o, c, a, b] dy[n, o, i − a, j − b]
                       = Σ_{o,a,b} W[o, c, kh−1−a, kw−1−b] dy_pad[n, o, i + a, j + b]
        One im2col of dy (C_out·kh·kw rows) and one batched GEMM instead of kh·kw
        scatter-adds -- much cheaper when C_out is small (the decoder's last layer).
        """
        dy_pad = pad2d(dy, (self.kh - 1, self.kh - 1, self.kw - 1, self.kw - 1))
        self.dcols = im2col(dy_pad, self.kh, self.kw, 1, out=self.dcols)  # (C_out·kh·kw, H̃·W̃·N)
        w_flip = self.W.data[:, :, ::-1, ::-1].transpose(1, 0, 2, 3).reshape(self.c_in, -1)
        return from_rows(w_flip @ self.dcols, dy.shape[0], *self.padded_shape[2:])

    def __repr__(self):
        return (f"Conv2D({self.c_in}, {self.c_out}, kernel_size=({self.kh}, {self.kw}), "
                f"stride={self.stride}, padding={self.padding!r})")


class Conv2DTranspose(Layer):
    """Transposed ("fractionally strided") convolution: the adjoint of Conv2D's map x -> y.

    Shapes: x (N, C_in, H, W), W (C_in, C_out, kh, kw), b (C_out,), y (N, C_out, Ho, Wo) with
    Ho = (H − 1)·s − 2·padding + kh + output_padding (PyTorch), or Ho = H·s for
    padding="same" (Keras: the crop leaves the odd extra row at the bottom).

    Parameters
    ----------
    c_in, c_out : int; kernel_size : int or (kh, kw); stride : int.
    padding : int >= 0 (rows cropped from each side of the full output) or "same".
    output_padding : int in [0, stride), extra rows/cols at the bottom/right (PyTorch).

    Notes
    -----
    Every input pixel scatters a weighted copy of the kernel into the output:

        z[n, o, i·s + a, j·s + b'] += Σ_c x[n, c, i, j] · W[c, o, a, b']
        y = crop(z) + b

    i.e. Ẑ = Ŵᵀ X̂ with X̂ = x laid out as (C_in, H·W·N), Ŵ = W.reshape(C_in, C_out·kh·kw),
    followed by col2im (done offset by offset, without building Ẑ). Backward is a
    plain strided convolution of the (un-cropped) dy:

        dŶ = im2col(pad(dy))                 (C_out·kh·kw, H·W·N)
        dx = Ŵ dŶ, back to NCHW
        dW += (X̂ dŶᵀ).reshape(W.shape);   db += Σ_{n,i,j} dy[n, :, i, j]

    Source: Dumoulin & Visin (2016), "A guide to convolution arithmetic", ch. 4;
    Zeiler et al. (2010), "Deconvolutional networks".
    """

    def __init__(self, c_in, c_out, kernel_size, stride=1, padding=0, *, output_padding=0,
                 bias=True, seed=None, dtype=backend.float32, name=None):
        _check_channels("Conv2DTranspose", c_in=c_in, c_out=c_out)
        self.kh, self.kw = _pair(kernel_size, "kernel_size", "Conv2DTranspose")
        if isinstance(stride, bool) or not isinstance(stride, int) or stride < 1:
            raise ValueError(f"Conv2DTranspose: stride={stride!r} must be a positive int")
        if not (padding == "same" or (isinstance(padding, int) and not isinstance(padding, bool)
                                      and padding >= 0)):
            raise ValueError(f"Conv2DTranspose: padding={padding!r} must be an int >= 0 or 'same'")
        if not (isinstance(output_padding, int) and 0 <= output_padding < stride) or (
                padding == "same" and output_padding):
            raise ValueError(f"Conv2DTranspose: output_padding={output_padding!r} must be an int "
                             f"in [0, stride={stride}) (and 0 with padding='same')")
        self.c_in, self.c_out, self.stride = c_in, c_out, stride
        self.padding, self.output_padding = padding, output_padding
        self.name = name or f"convT_{c_in}x{c_out}"
        fan_in, fan_out = c_in * self.kh * self.kw, c_out * self.kh * self.kw
        self.W = Parameter(_glorot((c_in, c_out, self.kh, self.kw), fan_out, fan_in, seed, dtype),
                           name=f"{self.name}.W")
        self.b = (Parameter(backend.xp.zeros(c_out, dtype=dtype), name=f"{self.name}.b")
                  if bias else None)
        self.x_rows, self.in_shape, self.geometry = None, None, None
        self.dz = None  # backward's im2col buffer, re-used between calls

    def _geometry(self, h, w):
        """(Ho, Wo, top, left): output size and where the crop starts in the full output."""
        s = self.stride
        if self.padding == "same":
            ho, wo = h * s, w * s
            return ho, wo, same_padding(ho, self.kh, s)[0], same_padding(wo, self.kw, s)[0]
        p, op = self.padding, self.output_padding
        return (h - 1) * s - 2 * p + self.kh + op, (w - 1) * s - 2 * p + self.kw + op, p, p

    def output_shape(self, shape):
        ho, wo, _, _ = self._geometry(shape[2], shape[3])
        return (shape[0], self.c_out, ho, wo)

    def _buffer_hw(self, h, w):
        """Size of the full (uncropped) output, large enough for the crop window."""
        ho, wo, top, left = self.geometry
        return (max((h - 1) * self.stride + self.kh, top + ho),
                max((w - 1) * self.stride + self.kw, left + wo))

    def forward(self, x, training=False):
        check_nchw(self, x, self.c_in)
        n, _, h, w = x.shape
        self.geometry = ho, wo, top, left = self._geometry(h, w)
        if ho < 1 or wo < 1:
            raise ValueError(f"{self!r}: input of shape {tuple(x.shape)} gives an empty output "
                             f"({ho}x{wo}): reduce the padding")
        self.in_shape = x.shape
        xp = backend.get_array_module(x)
        self.x_rows = to_rows(x)                                  # (C_in, H·W·N)
        w4 = xp.ascontiguousarray(self.W.data.transpose(1, 2, 3, 0))  # (C_out, kh, kw, C_in)
        full = col2im_matmul(w4, self.x_rows, (n, self.c_out) + self._buffer_hw(h, w),
                             self.kh, self.kw, self.stride)
        y = full[:, :, top:top + ho, left:left + wo]
        if self.b is not None:
            y += self.b.data.reshape(1, -1, 1, 1)
        return y

    def backward(self, dy):
        self._need_forward(self.x_rows)
        n, _, h, w = self.in_shape
        ho, wo, top, left = self.geometry
        xp = backend.get_array_module(dy)
        full = nchw_full(xp, (n, self.c_out) + self._buffer_hw(h, w), 0, dy.dtype)
        full[:, :, top:top + ho, left:left + wo] = dy
        used = full[:, :, :(h - 1) * self.stride + self.kh, :(w - 1) * self.stride + self.kw]
        self.dz = im2col(used, self.kh, self.kw, self.stride, out=self.dz)  # (C_out·kh·kw, HWN)
        w2 = self.W.data.reshape(self.c_in, -1)
        self.W.grad += (self.dz @ self.x_rows.T).T.reshape(self.W.shape)
        if self.b is not None:
            self.b.grad += dy.sum(axis=(0, 2, 3))
        return from_rows(w2 @ self.dz, n, h, w)

    def __repr__(self):
        return (f"Conv2DTranspose({self.c_in}, {self.c_out}, kernel_size=({self.kh}, {self.kw}), "
                f"stride={self.stride}, padding={self.padding!r})")
