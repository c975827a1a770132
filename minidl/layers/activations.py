"""Element-wise non-linearities and softmax.

Each layer caches what its derivative needs (the output for Sigmoid and Tanh, a
mask for ReLU, the input for Softplus) and multiplies the upstream gradient by the
local derivative:  dx = dy ⊙ f'(x). With ``input_grad`` False (the first layer of a
network) there is nothing to compute and backward returns None.
"""
from minidl import backend, checks
from minidl.layers.base import Layer

__all__ = ["sigmoid", "Identity", "Sigmoid", "ReLU", "LeakyReLU", "Tanh", "Softplus", "Softmax"]


def sigmoid(x, out=None):
    """Logistic function σ(x) = 1 / (1 + e^(−x)), stable for any x.

    Written as σ(x) = ½ tanh(x/2) + ½: one transcendental, and tanh saturates to
    ±1 instead of overflowing, so σ(±1000) is exactly 1 or 0 with no warning.
    ``out`` may be ``x`` itself to compute in place.
    """
    xp = backend.get_array_module(x)
    out = xp.multiply(x, 0.5, out=out)
    xp.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


class Identity(Layer):
    """y = x;  dx = dy."""

    def forward(self, x, training=False):
        self.ran = True
        return x

    def backward(self, dy):
        self._need_forward(getattr(self, "ran", None))
        return dy if self.input_grad else None


class Sigmoid(Layer):
    """y = σ(x) = 1 / (1 + e^(−x));  dx = dy ⊙ y ⊙ (1 − y)  (from the cached output y)."""

    def __init__(self):
        self.y = None

    def forward(self, x, training=False):
        self.y = sigmoid(x)
        return self.y

    def backward(self, dy):
        self._need_forward(self.y)
        if not self.input_grad:
            return None
        y = self.y
        dx = 1.0 - y          # one temporary, then in place
        dx *= y
        dx *= dy
        return dx


class ReLU(Layer):
    """y = max(x, 0);  dx = dy ⊙ [x > 0]  (the derivative at 0 is taken as 0)."""

    def __init__(self):
        self.mask = None

    def forward(self, x, training=False):
        self.mask = x > 0
        # maximum is one float pass; x * mask would first cast the booleans to float
        return backend.get_array_module(x).maximum(x, 0)

    def backward(self, dy):
        self._need_forward(self.mask)
        if not self.input_grad:
            return None
        return dy * self.mask


class LeakyReLU(Layer):
    """y = x if x > 0 else αx;  dx = dy if x > 0 else α dy  (Maas et al. 2013)."""

    def __init__(self, alpha=0.01):
        self.alpha = checks.number("LeakyReLU", "alpha", alpha, low=0)  # typical: 0.01
        self.mask = None

    def forward(self, x, training=False):
        self.mask = x > 0
        xp = backend.get_array_module(x)
        return xp.where(self.mask, x, x * self.alpha)

    def backward(self, dy):
        self._need_forward(self.mask)
        if not self.input_grad:
            return None
        xp = backend.get_array_module(dy)
        return xp.where(self.mask, dy, dy * self.alpha)

    def __repr__(self):
        return f"LeakyReLU(alpha={self.alpha})"


class Tanh(Layer):
    """y = tanh(x);  dx = dy ⊙ (1 − y²)."""

    def __init__(self):
        self.y = None

    def forward(self, x, training=False):
        self.y = backend.get_array_module(x).tanh(x)
        return self.y

    def backward(self, dy):
        self._need_forward(self.y)
        if not self.input_grad:
            return None
        dx = self.y * self.y
        dx -= 1.0
        dx *= -1.0
        dx *= dy
        return dx


class Softplus(Layer):
    """y = log(1 + eˣ), computed as max(x, 0) + log(1 + e^(−|x|)) so it never overflows;
    dx = dy ⊙ σ(x)."""

    def __init__(self):
        self.x = None

    def forward(self, x, training=False):
        xp = backend.get_array_module(x)
        self.x = x
        return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))

    def backward(self, dy):
        self._need_forward(self.x)
        if not self.input_grad:
            return None
        return dy * sigmoid(self.x)


class Softmax(Layer):
    """Softmax over the last axis: y_i = e^(x_i − m) / Σ_j e^(x_j − m), m = max_j x_j.

    Subtracting the row maximum changes nothing mathematically and keeps e^(·) <= 1.
    Backward (the Jacobian is diag(y) − y yᵀ):  dx = y ⊙ (dy − Σ_j dy_j y_j).
    """

    def __init__(self):
        self.y = None

    def forward(self, x, training=False):
        xp = backend.get_array_module(x)
        e = xp.exp(x - x.max(axis=-1, keepdims=True))
        e /= e.sum(axis=-1, keepdims=True)
        self.y = e
        return e

    def backward(self, dy):
        self._need_forward(self.y)
        if not self.input_grad:
            return None
        y = self.y
        return y * (dy - (dy * y).sum(axis=-1, keepdims=True))
