"""Exercise "maxpool": 2-D max pooling of NCHW images (non-overlapping windows), and its backward.

Replace each ``raise NotImplementedError("exercise: ...")`` with your code, then run

    python -m exercises check maxpool

Given: ``windows(x, k, k, k)``, a strided view of every k x k window, (N, C, Ho, Wo, k, k),
and the shape checks. This exercise uses stride = size and no padding.
"""
from minidl import backend
from minidl.layers.base import Layer
from minidl.layers.im2col import check_nchw, windows


class MaxPool2D(Layer):
    """@library minidl.layers.pooling:MaxPool2D"""

    def __init__(self, size):
        self.size = self.stride = size
        self.argmax, self.in_shape = None, None

    def forward(self, x, training=False):
        check_nchw(self, x)
        xp = backend.get_array_module(x)
        k = self.size
        n, c, h, w = x.shape
        ho, wo = h // k, w // k
        x = x[:, :, :ho * k, :wo * k]               # cells no window covers are dropped
        self.in_shape = x.shape
        raise NotImplementedError("exercise: keep each window's argmax (a·k + b) in "
                                  "self.argmax, (N, C, Ho, Wo); return the window max")

    def backward(self, dy):
        self._need_forward(self.argmax)
        raise NotImplementedError("exercise: dx (the input's shape): dy at each window's "
                                  "argmax cell, 0 elsewhere")
