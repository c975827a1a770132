"""Pooling and upsampling of NCHW images: MaxPool2D, AvgPool2D, UpSampling2D.

Pooling reads each window through the same strided view as convolution
(:func:`minidl.layers.im2col.windows`); its backward pass loops over the k·k
window offsets, adding one strided slice per offset (no ``add.at``). MaxPool2D's
faster running max lives in :mod:`minidl.layers.fastconv`.
"""
from minidl import backend, checks
from minidl.layers import fastconv
from minidl.layers.base import Layer
from minidl.layers.im2col import check_nchw, check_window, pad2d, same_padding, windows

__all__ = ["MaxPool2D", "AvgPool2D", "UpSampling2D"]


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
    Forward remembers which cell of each window won, as its offset a*·k + b* in the
    window (``argmax``, the first maximum in row-major order when values tie).
    Backward routes each dy to that one input, and zero to the others:

        dx[n, c, i·s + a*, j·s + b*] += dy[n, c, i, j]

    (overlapping windows add). Source: Ranzato et al. (2007); Scherer et al. (2010),
    "Evaluation of pooling operations in convolutional architectures".
    """

    def __init__(self, size, stride=None, padding=0):
        self.size = checks.positive_int("MaxPool2D", "size", size)
        self.stride = size if stride is None else checks.positive_int("MaxPool2D", "stride", stride)
        if padding != "same" and not (isinstance(padding, int) and not isinstance(padding, bool)
                                      and 0 <= padding <= size // 2):
            raise ValueError(f"MaxPool2D: padding={padding!r} must be 'same' or an int in "
                             f"[0, size // 2 = {size // 2}]")
        self.padding = padding
        self.argmax, self.in_shape, self.pads, self.padded_shape = None, None, None, None

    def _pads(self, h, w):
        if self.padding == "same":
            return same_padding(h, self.size, self.stride) + same_padding(w, self.size, self.stride)
        return (self.padding,) * 4

    def forward(self, x, training=False):
        check_nchw(self, x)
        xp = backend.get_array_module(x)
        self.in_shape, self.pads = x.shape, self._pads(x.shape[2], x.shape[3])
        xpad = pad2d(x, self.pads, value=-xp.inf)                 # x̃: pads never win
        check_window(self, x.shape, xpad.shape[2:], self.size, self.size)
        k, s = self.size, self.stride
        ho, wo = (xpad.shape[2] - k) // s + 1, (xpad.shape[3] - k) // s + 1
        self.padded_shape = xpad.shape
        if fastconv.enabled:  # the same y and argmax, faster (see fastconv)
            return fastconv.maxpool_forward(self, xpad, ho, wo)
        # every window, its k x k cells in one row-major axis: (N, C, Ho, Wo, k²)
        win = windows(xpad, k, k, s).reshape(*xpad.shape[:2], ho, wo, k * k)
        self.argmax = win.argmax(axis=-1)           # the cell that won: a*·k + b* (first on ties)
        return win.max(axis=-1)

    def backward(self, dy):
        self._need_forward(self.argmax)
        if not self.input_grad:
            return None
        if fastconv.enabled:  # the same dx̃, faster (either path reads either argmax)
            dxpad = fastconv.maxpool_backward(self, dy, self.padded_shape)
        else:  # at window offset (a, b): dy where that cell won, 0 elsewhere
            dxpad = backend.get_array_module(dy).zeros(self.padded_shape, dtype=dy.dtype)
            _add_windows(dxpad, dy, self.size, self.stride,
                         lambda a, b: dy * (self.argmax == a * self.size + b))
        t, _, l, _ = self.pads
        h, w = self.in_shape[2:]
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
        self.size = checks.positive_int("AvgPool2D", "size", size)
        self.stride = size if stride is None else checks.positive_int("AvgPool2D", "stride", stride)
        self.in_shape = None

    def forward(self, x, training=False):
        check_nchw(self, x)
        check_window(self, x.shape, x.shape[2:], self.size, self.size)
        self.in_shape = x.shape
        return windows(x, self.size, self.size, self.stride).mean(axis=(4, 5))

    def backward(self, dy):
        self._need_forward(self.in_shape)
        if not self.input_grad:
            return None
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
    Each input pixel is copied into an s x s block: for every offset (a, b) in the
    block, the strided slice y[:, :, a::s, b::s] is x. So its gradient is the sum
    over that block:  dx = Σ_{a, b < s} dy[:, :, a::s, b::s].
    Source: the Keras ``UpSampling2D`` layer used by the convolutional
    autoencoder of Chollet (2016), "Building autoencoders in Keras".
    """

    def __init__(self, scale=2):
        self.scale = checks.positive_int("UpSampling2D", "scale", scale)
        self.in_shape = None

    def forward(self, x, training=False):
        check_nchw(self, x)
        self.in_shape = x.shape
        n, c, h, w = x.shape
        s = self.scale
        xp = backend.get_array_module(x)
        # empty_like keeps x's memory layout (batch-last after a conv): the slice copies
        # below then move whole runs of the batch axis
        y = xp.empty_like(x, shape=(n, c, h * s, w * s))
        for a in range(s):
            for b in range(s):
                y[:, :, a::s, b::s] = x
        return y

    def backward(self, dy):
        self._need_forward(self.in_shape)
        if not self.input_grad:
            return None
        s = self.scale
        dx = backend.get_array_module(dy).zeros_like(dy, shape=self.in_shape)
        for a in range(s):
            for b in range(s):
                dx += dy[:, :, a::s, b::s]
        return dx

    def __repr__(self):
        return f"UpSampling2D({self.scale})"
