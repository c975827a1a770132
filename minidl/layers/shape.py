"""Layers that only change the shape of the batch: Flatten and Reshape."""
import math

from minidl import checks
from minidl.layers.base import Layer

__all__ = ["Flatten", "Reshape"]


class Flatten(Layer):
    """(B, d1, d2, ...) -> (B, d1·d2·...);  backward reshapes dy back to the input shape."""

    def __init__(self):
        self.in_shape = None

    def forward(self, x, training=False):
        if x.ndim < 2:
            raise ValueError(f"Flatten got input of shape {tuple(x.shape)}, expected at least "
                             f"(batch, features): add a batch axis, e.g. x[None]")
        self.in_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dy):
        self._need_forward(self.in_shape)
        return dy.reshape(self.in_shape) if self.input_grad else None


class Reshape(Layer):
    """(B, ...) -> (B, *shape), e.g. Reshape((1, 28, 28)) turns (B, 784) into images.

    ``shape`` excludes the batch axis; one entry may be -1 (inferred).
    """

    def __init__(self, shape):
        shape = tuple(checks.integer("Reshape", f"shape[{i}]", s) for i, s in enumerate(shape))
        if shape.count(-1) > 1 or any(s == 0 or s < -1 for s in shape):
            raise ValueError(f"Reshape: target shape {shape} must have positive sizes and at "
                             f"most one -1")
        self.shape = shape
        self.in_shape = None

    def forward(self, x, training=False):
        per_sample = math.prod(x.shape[1:])
        known = math.prod(s for s in self.shape if s != -1)
        if (-1 in self.shape and per_sample % known) or (-1 not in self.shape
                                                         and known != per_sample):
            raise ValueError(f"{self!r} got input of shape {tuple(x.shape)}: {per_sample} values "
                             f"per sample cannot be arranged as {self.shape}")
        self.in_shape = x.shape
        return x.reshape((x.shape[0],) + self.shape)

    def backward(self, dy):
        self._need_forward(self.in_shape)
        return dy.reshape(self.in_shape) if self.input_grad else None

    def __repr__(self):
        return f"Reshape({self.shape})"
