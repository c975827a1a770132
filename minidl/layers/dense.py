"""Fully connected layers: Dense and its weight-tied mirror TiedDense."""
import math

from minidl import backend, checks
from minidl.layers.base import Layer
from minidl.parameter import Parameter

__all__ = ["Dense", "TiedDense", "init_weight"]

INITS = ("glorot", "he", "normal", "zeros")


def init_weight(n_in, n_out, init="glorot", *, scale=0.01, seed=None, dtype=backend.float32):
    """A fresh ``(n_in, n_out)`` weight matrix.

    - ``"glorot"``: Glorot & Bengio (2010) uniform, U(-a, a) with a = sqrt(6 / (n_in + n_out));
    - ``"he"``: He et al. (2015) normal, std sqrt(2 / n_in), for ReLU layers;
    - ``"normal"``: N(0, scale²), Hinton's small random weights (scale 0.01) for RBMs;
    - ``"zeros"``: all zero.
    """
    checks.one_of("init_weight", "init", init, INITS)
    rng = backend.rng(seed)
    shape = (n_in, n_out)
    if init == "glorot":
        a = math.sqrt(6.0 / (n_in + n_out))
        return rng.uniform(-a, a, shape, dtype)
    if init == "zeros":
        return backend.xp.zeros(shape, dtype=dtype)
    std = math.sqrt(2.0 / n_in) if init == "he" else scale
    w = rng.normal(shape, dtype)
    w *= dtype(std)
    return w


class Dense(Layer):
    """Affine map ``y = x W + b``.

    Shapes: x (B, n_in), W (n_in, n_out), b (n_out,), y (B, n_out).

    Backward, with dy = dL/dy:
        dW += xᵀ dy          (n_in, n_out)
        db += Σ_batch dy     (n_out,)
        dx  = dy Wᵀ          (B, n_in), skipped when ``input_grad`` is False

    Parameters
    ----------
    n_in, n_out : int
    init : "glorot" (default), "he", "normal" or "zeros" -- see :func:`init_weight`.
    bias : bool, whether to learn ``b``.
    seed : int or None, seeds the initial weights.
    """

    def __init__(self, n_in, n_out, *, init="glorot", scale=0.01, bias=True, seed=None,
                 dtype=backend.float32, name=None):
        self.n_in = checks.positive_int("Dense", "n_in", n_in)
        self.n_out = checks.positive_int("Dense", "n_out", n_out)
        self.name = name or f"dense_{n_in}x{n_out}"
        self.W = Parameter(init_weight(n_in, n_out, init, scale=scale, seed=seed, dtype=dtype),
                           name=f"{self.name}.W")
        self.b = (Parameter(backend.xp.zeros(n_out, dtype=dtype), name=f"{self.name}.b")
                  if bias else None)
        self.x = None

    def forward(self, x, training=False):
        self._check_features(x, self.n_in)
        self.x = x
        y = x @ self.W.data
        if self.b is not None:
            y += self.b.data
        return y

    def backward(self, dy):
        self._need_forward(self.x)
        self.W.grad += self.x.T @ dy
        if self.b is not None:
            self.b.grad += dy.sum(axis=0)
        if not self.input_grad:
            return None  # the network's first layer: nobody needs dL/dx
        return dy @ self.W.data.T

    def __repr__(self):
        return f"Dense({self.n_in}, {self.n_out})"


class TiedDense(Layer):
    """The mirror of a Dense layer that re-uses its weight transposed: ``y = x Wᵀ + c``.

    ``W`` is the *same* Parameter object as ``dense.W`` (weight tying), so the
    gradient it accumulates is the sum of both uses:
        dW += dyᵀ x          (n_in_of_dense, n_out_of_dense) -- note the transpose
        dc += Σ_batch dy
        dx  = dy W           (skipped when ``input_grad`` is False)
    Shapes: x (B, dense.n_out), y (B, dense.n_in). ``c`` is this layer's own bias.
    """

    def __init__(self, dense, *, bias=True, name=None):
        if not isinstance(dense, Dense):
            raise TypeError(f"TiedDense needs the Dense layer whose weight it mirrors, "
                            f"got {type(dense).__name__}")
        self.W = dense.W  # the Parameter itself, not a copy: that is the tying
        self.n_in, self.n_out = dense.n_out, dense.n_in
        self.name = name or f"tied_{dense.name}"
        xp = backend.get_array_module(dense.W.data)
        self.b = (Parameter(xp.zeros(self.n_out, dtype=dense.W.dtype), name=f"{self.name}.b")
                  if bias else None)
        self.x = None

    def forward(self, x, training=False):
        self._check_features(x, self.n_in)
        self.x = x
        y = x @ self.W.data.T
        if self.b is not None:
            y += self.b.data
        return y

    def backward(self, dy):
        self._need_forward(self.x)
        self.W.grad += dy.T @ self.x
        if self.b is not None:
            self.b.grad += dy.sum(axis=0)
        if not self.input_grad:
            return None
        return dy @ self.W.data

    def __repr__(self):
        return f"TiedDense({self.n_in}, {self.n_out})"
