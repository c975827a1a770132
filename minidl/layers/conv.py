"""2-D convolution and transposed convolution (NCHW), as GEMMs over im2col rows.

Conventions follow PyTorch: ``Conv2D.W`` is (c_out, c_in, kh, kw),
``Conv2DTranspose.W`` is (c_in, c_out, kh, kw), and the transposed convolution's
output size is (in − 1)·stride − 2·padding + kernel (+ output_padding).
Like every deep-learning library, "convolution" here is cross-correlation
(the kernel is not flipped).

The code below is the textbook algorithm. The same results computed faster (buffer
re-use, fused col2im, multiply-first for few output channels) live in
:mod:`minidl.layers.fastconv`, which each method hands over to in one line while
``fastconv.enabled`` is True (the default); the tests compare the two.
"""
import math

from minidl import backend, checks
from minidl.layers import fastconv
from minidl.layers.base import Layer
from minidl.layers.im2col import (check_nchw, check_window, col2im, from_rows, im2col,
                                  nchw_full, pad2d, same_padding, to_rows)
from minidl.parameter import Parameter

__all__ = ["Conv2D", "Conv2DTranspose"]


def _pair(value, what, layer):
    """``k`` or ``(kh, kw)`` -> (kh, kw) of positive ints."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2:
        raise ValueError(f"{layer}: {what}={value!r} must be a positive int or a pair (kh, kw)")
    return tuple(checks.positive_int(layer, what, v) for v in pair)


def _padding(layer, padding, words):
    """``padding`` unchanged if it is an int >= 0 or one of ``words``."""
    if isinstance(padding, str):
        return checks.one_of(layer, "padding", padding, words)
    return checks.integer(layer, "padding", padding, low=0)


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
    input_grad : bool, sets the ``input_grad`` attribute every layer has: False makes
        ``backward`` skip dx and return None. Prefer ``net.input_grad = False`` on the
        whole network (a Sequential hands it to its first layer).

    Notes
    -----
    With x̃ the zero-padded input and s the stride, the forward pass is

        y[n, o, i, j] = b[o] + Σ_{c, a, b'} W[o, c, a, b'] · x̃[n, c, i·s + a, j·s + b']

    computed as ONE GEMM for the whole batch on the im2col matrix X̂
    (C_in·kh·kw, Ho·Wo·N), whose column (i, j, n) is the window under output pixel
    (n, i, j): Ŷ = Ŵ X̂ + b, with Ŵ = W.reshape(C_out, C_in·kh·kw) and Ŷ
    (C_out, Ho·Wo·N) read back as NCHW. Backward, with dŶ the upstream gradient laid
    out like Ŷ:

        dW += (dŶ X̂ᵀ).reshape(W.shape)
        db += Σ_{n,i,j} dy[n, :, i, j]
        dx  = crop(col2im(Ŵᵀ dŶ))        (col2im adds overlapping windows back)

    Sources: LeCun et al. (1998), "Gradient-based learning applied to document
    recognition"; Chellapilla, Puri & Simard (2006) for im2col; Dumoulin & Visin
    (2016), "A guide to convolution arithmetic".
    """

    def __init__(self, c_in, c_out, kernel_size, stride=1, padding=0, *, bias=True, seed=None,
                 dtype=backend.float32, input_grad=True, name=None):
        self.c_in = checks.positive_int("Conv2D", "c_in", c_in)
        self.c_out = checks.positive_int("Conv2D", "c_out", c_out)
        self.kh, self.kw = _pair(kernel_size, "kernel_size", "Conv2D")
        self.stride = checks.positive_int("Conv2D", "stride", stride)
        self.padding = _padding("Conv2D", padding, ("same", "valid"))
        self.name = name or f"conv_{c_in}x{c_out}"
        fan_in, fan_out = c_in * self.kh * self.kw, c_out * self.kh * self.kw
        self.W = Parameter(_glorot((c_out, c_in, self.kh, self.kw), fan_in, fan_out, seed, dtype),
                           name=f"{self.name}.W")
        self.b = (Parameter(backend.xp.zeros(c_out, dtype=dtype), name=f"{self.name}.b")
                  if bias else None)
        self.input_grad = bool(input_grad)
        self.cols, self.pads, self.padded_shape = None, None, None
        self.fast = None  # fastconv's state, when it ran forward

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
        xpad = pad2d(x, self.pads)                                 # x̃
        check_window(self, x.shape, xpad.shape[2:], self.kh, self.kw)
        n, _, ho, wo = self.output_shape(x.shape)
        self.padded_shape = xpad.shape
        if fastconv.enabled:  # the same y, faster (see fastconv); the textbook follows
            self.cols = None
            return fastconv.conv2d_forward(self, xpad, ho, wo)
        self.fast = None
        self.cols = im2col(xpad, self.kh, self.kw, self.stride)   # X̂ (C_in·kh·kw, Ho·Wo·N)
        y = self.W.data.reshape(self.c_out, -1) @ self.cols       # Ŷ = Ŵ X̂, (C_out, Ho·Wo·N)
        if self.b is not None:
            y += self.b.data[:, None]
        return from_rows(y, n, ho, wo)                            # (N, C_out, Ho, Wo)

    def backward(self, dy):
        if self.fast is not None:  # forward ran fastconv: its backward goes with it
            dxpad = fastconv.conv2d_backward(self, dy)
            return None if dxpad is None else self._crop(dxpad)
        self._need_forward(self.cols)
        dy_rows = to_rows(dy)                                     # dŶ (C_out, Ho·Wo·N)
        self.W.grad += (dy_rows @ self.cols.T).reshape(self.W.shape)   # dŶ X̂ᵀ
        if self.b is not None:
            self.b.grad += dy_rows.sum(axis=1)
        if not self.input_grad:
            return None  # the network's first layer: nobody needs dL/dx
        dcols = self.W.data.reshape(self.c_out, -1).T @ dy_rows   # Ŵᵀ dŶ (C_in·kh·kw, Ho·Wo·N)
        return self._crop(col2im(dcols, self.padded_shape, self.kh, self.kw, self.stride))

    def _crop(self, dxpad):
        """The gradient of the padded input, cropped back to the input's size."""
        t, _, l, _ = self.pads
        h, w = self.padded_shape[2] - sum(self.pads[:2]), self.padded_shape[3] - sum(self.pads[2:])
        return dxpad[:, :, t:t + h, l:l + w]

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

    i.e. z = col2im(Ŵᵀ X̂) with X̂ = x laid out as (C_in, H·W·N) and
    Ŵ = W.reshape(C_in, C_out·kh·kw) -- Conv2D's backward dx, run forward. Backward is
    a plain strided convolution of the (un-cropped) dy:

        dŶ = im2col(pad(dy))                 (C_out·kh·kw, H·W·N)
        dx = Ŵ dŶ, back to NCHW              (skipped when ``input_grad`` is False)
        dW += (X̂ dŶᵀ).reshape(W.shape);   db += Σ_{n,i,j} dy[n, :, i, j]

    Source: Dumoulin & Visin (2016), "A guide to convolution arithmetic", ch. 4;
    Zeiler et al. (2010), "Deconvolutional networks".
    """

    def __init__(self, c_in, c_out, kernel_size, stride=1, padding=0, *, output_padding=0,
                 bias=True, seed=None, dtype=backend.float32, name=None):
        owner = "Conv2DTranspose"
        c_in = checks.positive_int(owner, "c_in", c_in)
        c_out = checks.positive_int(owner, "c_out", c_out)
        self.kh, self.kw = _pair(kernel_size, "kernel_size", owner)
        stride = checks.positive_int(owner, "stride", stride)
        padding = _padding(owner, padding, ("same",))
        output_padding = checks.integer(owner, "output_padding", output_padding, low=0)
        if output_padding >= stride or (padding == "same" and output_padding):
            raise ValueError(f"{owner}: output_padding={output_padding!r} must be an int "
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
        self.x_rows = to_rows(x)                                  # X̂ (C_in, H·W·N)
        w_t = self.W.data.reshape(self.c_in, -1).T                # Ŵᵀ (C_out·kh·kw, C_in)
        full_shape = (n, self.c_out) + self._buffer_hw(h, w)      # the uncropped z
        if fastconv.enabled:  # the same z without building Ŵᵀ X̂
            full = fastconv.col2im_matmul(w_t, self.x_rows, full_shape, self.kh, self.kw,
                                          self.stride)
        else:
            full = col2im(w_t @ self.x_rows, full_shape, self.kh, self.kw, self.stride)
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
        # dŶ (C_out·kh·kw, H·W·N), refilling last call's buffer
        self.dz = im2col(used, self.kh, self.kw, self.stride, out=self.dz)
        # X̂ dŶᵀ, computed as (dŶ X̂ᵀ)ᵀ: the orientation BLAS runs faster here
        self.W.grad += (self.dz @ self.x_rows.T).T.reshape(self.W.shape)
        if self.b is not None:
            self.b.grad += dy.sum(axis=(0, 2, 3))
        if not self.input_grad:
            return None
        return from_rows(self.W.data.reshape(self.c_in, -1) @ self.dz, n, h, w)   # Ŵ dŶ

    def __repr__(self):
        return (f"Conv2DTranspose({self.c_in}, {self.c_out}, kernel_size=({self.kh}, {self.kw}), "
                f"stride={self.stride}, padding={self.padding!r})")
