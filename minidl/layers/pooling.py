"""Pooling and upsampling of NCHW images: MaxPool2D, AvgPool2D, UpSampling2D.

Pooling reads each window through the same strided view as convolution
(:func:`minidl.layers.im2col.windows`); its backward pass loops over the k·k
window offsets, adding one strided slice per offset (no ``add.at``).
"""
from minidl import backend
from minidl.layers.base import Layer
from minidl.layers.im2col import check_nchw, check_window, nchw_full, pad2d, same_padding, windows

__all__ = ["MaxPool2D", "AvgPool2D", "UpSampling2D"]


def _positive_int(layer, name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{layer}: {name}={value!r} must be a positive int")
    return value


def _add_windows(dx, dy, k, stride, part):
    """For every window offset (a, b): dx[:, :, i·s + a, j·s + b] += part(a, b)[:, :, i, j].

    ``dx`` is the zero (padded) input gradient, ``dy`` (N, C, Ho, Wo) sets Ho, Wo.
    One strided-slice addition per offset: overlapping windows simply add.
    """
    ho, wo = dy.shape[2], dy.shape[3]
    for a in range(k):
        for b in range(k):
            dx[:, :, a:a + stride * ho:stride, b:b + stride * wo:stride] += part(a, b)
    return dx


class MaxPool2D(Layer):
    """Max pooling: ``y[n, c, i, j] = max_{a, b < k} x̃[n, c, i·s + a, j·s + b]``.

    Shapes: x (N, C, H, W) -> y (N, C, Ho, Wo), Ho = ⌊(H + pads − k) / s⌋ + 1.

    Parameters
    ----------
    size : int, the window k (square).
    stride : int, defaults to ``size`` (non-overlapping windows).
    padding : int p (PyTorch, p <= size / 2), or "same" (Keras: Ho = ⌈H / s⌉, the
        odd extra cell at the bottom/right, so 7x7 pools to 4x4 with size 2).
        Padded cells hold −∞: they never win the max.

    Notes
    -----
    Backward routes each dy to the one input that won its window (the first
    maximum in row-major window order when values tie):

        dx[n, c, i·s + a*, j·s + b*] += dy[n, c, i, j],   (a*, b*) = argmax of the window

    and zero elsewhere. Source: Ranzato et al. (2007); Scherer et al. (2010),
    "Evaluation of pooling operations in convolutional architectures".
    """

    def __init__(self, size, stride=None, padding=0):
        self.size = _positive_int("MaxPool2D", "size", size)
        self.stride = size if stride is None else _positive_int("MaxPool2D", "stride", stride)
        if padding != "same" and not (isinstance(padding, int) and not isinstance(padding, bool)
                                      and 0 <= padding <= size // 2):
            raise ValueError(f"MaxPool2D: padding={padding!r} must be 'same' or an int in "
                             f"[0, size // 2 = {size // 2}]")
        self.padding = padding
        self.argmax, self.in_shape, self.pads = None, None, None

    def _pads(self, h, w):
        if self.padding == "same":
            return same_padding(h, self.size, self.stride) + same_padding(w, self.size, self.stride)
        return (self.padding,) * 4

    def forward(self, x, training=False):
        check_nchw(self, x)
        xp = backend.get_array_module(x)
        self.in_shape, self.pads = x.shape, self._pads(x.shape[2], x.shape[3])
        xpad = pad2d(x, self.pads, value=-xp.inf)
        check_window(self, x.shape, xpad.shape[2:], self.size, self.size)
        k, s = self.size, self.stride
        ho, wo = (xpad.shape[2] - k) // s + 1, (xpad.shape[3] - k) // s + 1
        # offset (0, 0) of every window; order="K" keeps x's memory layout (batch-last
        # after a conv, see minidl.layers.im2col), so no operation below mixes layouts
        y = xpad[:, :, :s * ho:s, :s * wo:s].copy(order="K")
        idx_type = xp.int8 if k * k < 128 else xp.int32
        self.argmax = xp.zeros_like(y, dtype=idx_type)
        for off in range(1, k * k):                     # a running max over window offsets
            a, b = divmod(off, k)
            cand = xpad[:, :, a:a + s * ho:s, b:b + s * wo:s]
            better = cand > y                           # strict: the first maximum wins ties
            xp.maximum(y, cand, out=y)
            # argmax = the last offset that raised the max; offsets only grow, so that is
            # max(argmax, better·off) -- branch-free, far faster than a masked assignment
            xp.maximum(self.argmax, better * idx_type(off), out=self.argmax)
        return y

    def backward(self, dy):
        self._need_forward(self.argmax)
        n, c, h, w = self.in_shape
        t, b, l, r = self.pads
        k, s, xp = self.size, self.stride, backend.get_array_module(dy)
        ho, wo = dy.shape[2], dy.shape[3]
        dxpad = nchw_full(xp, (n, c, h + t + b, w + l + r), 0, dy.dtype)
        for off in range(k * k):
            a, b_ = divmod(off, k)
            cells = dxpad[:, :, a:a + s * ho:s, b_:b_ + s * wo:s]
            if s >= k:  # windows do not overlap: each cell is written once, in place
                xp.multiply(dy, self.argmax == off, out=cells)
            else:
                cells += dy * (self.argmax == off)
        return dxpad[:, :, t:t + h, l:l + w]

    def __repr__(self):
        return f"MaxPool2D({self.size}, stride={self.stride}, padding={self.padding!r})"


class AvgPool2D(Layer):
    """Average pooling: ``y[n, c, i, j] = (1/k²) Σ_{a, b < k} x[n, c, i·s + a, j·s + b]``.

    Shapes: x (N, C, H, W) -> y (N, C, Ho, Wo), Ho = ⌊(H − k) / s⌋ + 1 (no padding).

    Notes
    -----
    Backward spreads each dy evenly over its window (overlaps add):

        dx[n, c, i·s + a, j·s + b] += dy[n, c, i, j] / k²   for every a, b < k

    Source: LeCun et al. (1998) (the "subsampling" layers of LeNet-5).
    """

    def __init__(self, size, stride=None):
        self.size = _positive_int("AvgPool2D", "size", size)
        self.stride = size if stride is None else _positive_int("AvgPool2D", "stride", stride)
        self.in_shape = None

    def forward(self, x, training=False):
        check_nchw(self, x)
        check_window(self, x.shape, x.shape[2:], self.size, self.size)
        self.in_shape = x.shape
        return windows(x, self.size, self.size, self.stride).mean(axis=(4, 5))

    def backward(self, dy):
        self._need_forward(self.in_shape)
        g = dy / float(self.size * self.size)
        dx = backend.get_array_module(dy).zeros(self.in_shape, dtype=dy.dtype)
        return _add_windows(dx, dy, self.size, self.stride, lambda a, b: g)

    def __repr__(self):
        return f"AvgPool2D({self.size}, stride={self.stride})"


class UpSampling2D(Layer):
    """Nearest-neighbour upsampling: ``y[n, c, i, j] = x[n, c, ⌊i / s⌋, ⌊j / s⌋]``.

    Shapes: x (N, C, H, W) -> y (N, C, s·H, s·W).

    Notes
    -----
    Each input pixel is copied into an s x s block, so its gradient is the sum
    over that block:  dx[n, c, i, j] = Σ_{a, b < s} dy[n, c, i·s + a, j·s + b].
    Source: the Keras ``UpSampling2D`` layer used by the convolutional
    autoencoder of Chollet (2016), "Building autoencoders in Keras".
    """

    def __init__(self, scale=2):
        self.scale = _positive_int("UpSampling2D", "scale", scale)
        self.in_shape = None

    def forward(self, x, training=False):
        check_nchw(self, x)
        self.in_shape = x.shape
        n, c, h, w = x.shape
        s = self.scale
        xp = backend.get_array_module(x)
        y = xp.broadcast_to(x[:, :, :, None, :, None], (n, c, h, s, w, s))
        return y.reshape(n, c, h * s, w * s)

    def backward(self, dy):
        self._need_forward(self.in_shape)
        n, c, h, w = self.in_shape
        s = self.scale
        return dy.reshape(n, c, h, s, w, s).sum(axis=(3, 5))

    def __repr__(self):
        return f"UpSampling2D({self.scale})"
