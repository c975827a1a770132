"""Exercise "tied_dense": the decoder that re-uses the encoder's weight, transposed.

Replace each ``raise NotImplementedError("exercise: ...")`` with your code, then run

    python -m exercises check tied_dense

Given: the tying itself (``self.W`` *is* ``dense.W``, the same Parameter object), this
layer's own bias ``self.b``, the checks. The lesson is the gradient: W is used twice (by the
encoder and by this layer), so each use must *add* its part into ``W.grad``.
"""
from minidl import backend
from minidl.layers.base import Layer
from minidl.parameter import Parameter


class TiedDense(Layer):
    """@library minidl.layers.dense:TiedDense"""

    def __init__(self, dense):
        self.W = dense.W             # the Parameter itself, not a copy: that is the tying
        self.n_in, self.n_out = dense.n_out, dense.n_in
        xp = backend.get_array_module(dense.W.data)
        self.b = Parameter(xp.zeros(self.n_out, dtype=dense.W.dtype), name="b")
        self.x = None

    def forward(self, x, training=False):
        self._check_features(x, self.n_in)
        self.x = x
        raise NotImplementedError("exercise: return y = x Wᵀ + b, shape (B, dense.n_in)")

    def backward(self, dy):
        self._need_forward(self.x)
        raise NotImplementedError("exercise: W.grad += dyᵀ x, b.grad += Σ_batch dy; "
                                  "return dx = dy W")
