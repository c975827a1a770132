"""Exercise "dense": the affine layer y = x W + b, and its three gradients.

Replace each ``raise NotImplementedError("exercise: ...")`` with your code, then run

    python -m exercises check dense

Given: the Parameters (``self.W.data``, ``self.W.grad``, ...), the input check and the
"forward first" check. Write whole-batch array code: no Python loop over samples. Use
``xp = backend.get_array_module(x)`` if you need an array function (it is NumPy or CuPy).
"""
from minidl import backend
from minidl.layers.base import Layer
from minidl.layers.dense import init_weight
from minidl.parameter import Parameter


class Dense(Layer):
    """@library minidl.layers.dense:Dense"""

    def __init__(self, n_in, n_out, *, seed=None):
        self.n_in, self.n_out = n_in, n_out
        self.W = Parameter(init_weight(n_in, n_out, seed=seed), name="W")
        self.b = Parameter(backend.xp.zeros(n_out, dtype=backend.float32), name="b")
        self.x = None

    def forward(self, x, training=False):
        self._check_features(x, self.n_in)       # given: a clear error for a wrong shape
        self.x = x                                # given: backward needs the input
        raise NotImplementedError("exercise: return y = x W + b, shape (B, n_out)")

    def backward(self, dy):
        self._need_forward(self.x)                # given: refuses to run before forward
        raise NotImplementedError("exercise: add xᵀ dy into self.W.grad and Σ_batch dy into "
                                  "self.b.grad (+=, never =), then return dx = dy Wᵀ")
