"""Exercise "conv2d": 2-D convolution as im2col and ONE matrix product, and its backward.

Replace each ``raise NotImplementedError("exercise: ...")`` with your code, then run

    python -m exercises check conv2d

Given: the Parameters, the zero padding ``pad2d(x, self.pads)`` and
- ``im2col(xpad, kh, kw, stride)`` -> X̂ (C_in·kh·kw, Ho·Wo·N), column (i, j, n) the window
  under output pixel (n, i, j);
- ``col2im(cols, padded_shape, kh, kw, stride)``, its adjoint: adds each column back onto
  its pixels (overlapping windows add), returning the padded image's gradient;
- ``to_rows(dy)``: (N, C, H, W) -> (C, H·W·N), and ``from_rows(y, n, h, w)``, its inverse.
"""
from minidl import backend
from minidl.layers.base import Layer
from minidl.layers.im2col import check_nchw, col2im, from_rows, im2col, pad2d, to_rows
from minidl.parameter import Parameter


class Conv2D(Layer):
    """@library minidl.layers.conv:Conv2D"""

    def __init__(self, c_in, c_out, kernel_size, stride=1, padding=0, *, seed=None):
        self.c_in, self.c_out, self.kh = c_in, c_out, kernel_size
        self.kw, self.stride, self.pads = kernel_size, stride, (padding,) * 4
        W = backend.rng(seed).uniform(-0.5, 0.5, (c_out, c_in, self.kh, self.kw))
        self.W = Parameter(W, name="W")
        self.b = Parameter(backend.xp.zeros(c_out, dtype=W.dtype), name="b")
        self.cols, self.padded_shape, self.in_shape = None, None, None

    def forward(self, x, training=False):
        check_nchw(self, x, self.c_in)
        xpad = pad2d(x, self.pads)                                   # x̃, zero-padded
        self.in_shape, self.padded_shape = x.shape, xpad.shape
        n = x.shape[0]
        ho = (xpad.shape[2] - self.kh) // self.stride + 1
        wo = (xpad.shape[3] - self.kw) // self.stride + 1
        raise NotImplementedError("exercise: self.cols = X̂ = im2col(...); Ŷ = Ŵ X̂ + b with "
                                  "Ŵ = W.reshape(C_out, -1); return from_rows(Ŷ, n, ho, wo)")

    def backward(self, dy):
        self._need_forward(self.cols)
        p = self.pads[0]
        h, w = self.in_shape[2:]
        raise NotImplementedError("exercise: dŶ = to_rows(dy); W.grad += (dŶ X̂ᵀ) reshaped; "
                                  "b.grad += Σ dy over (n, i, j); return dx = col2im(Ŵᵀ dŶ, "
                                  "...) cropped to [p:p + h, p:p + w]")
