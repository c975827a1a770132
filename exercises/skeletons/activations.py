"""Exercise "activations": Sigmoid, Tanh and ReLU, forward and backward.

Replace each ``raise NotImplementedError("exercise: ...")`` with your code, then run

    python -m exercises check activations

Each layer caches what its derivative needs and returns dx = dy ⊙ f'(x). Given: the
"forward first" check. ``xp = backend.get_array_module(x)`` is NumPy or CuPy.
"""
from minidl import backend
from minidl.layers.base import Layer


class Sigmoid(Layer):
    """@library minidl.layers.activations:Sigmoid"""

    def __init__(self):
        self.y = None

    def forward(self, x, training=False):
        xp = backend.get_array_module(x)
        raise NotImplementedError("exercise: y = σ(x); keep y in self.y")

    def backward(self, dy):
        self._need_forward(self.y)
        raise NotImplementedError("exercise: dx = dy ⊙ y ⊙ (1 − y)")


class Tanh(Layer):
    """@library minidl.layers.activations:Tanh"""

    def __init__(self):
        self.y = None

    def forward(self, x, training=False):
        xp = backend.get_array_module(x)
        raise NotImplementedError("exercise: y = tanh(x); keep y in self.y")

    def backward(self, dy):
        self._need_forward(self.y)
        raise NotImplementedError("exercise: dx = dy ⊙ (1 − y²)")


class ReLU(Layer):
    """@library minidl.layers.activations:ReLU"""

    def __init__(self):
        self.mask = None

    def forward(self, x, training=False):
        xp = backend.get_array_module(x)
        raise NotImplementedError("exercise: keep the mask [x > 0] in self.mask; y = max(x, 0)")

    def backward(self, dy):
        self._need_forward(self.mask)
        raise NotImplementedError("exercise: dx = dy ⊙ [x > 0]")
