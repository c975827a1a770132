"""Layers that inject noise during training and are the identity otherwise."""
from minidl import backend
from minidl.layers.base import Layer

__all__ = ["Dropout", "GaussianNoise"]


class Dropout(Layer):
    """Inverted dropout (Srivastava et al. 2014) with drop probability ``rate``.

    Training:  m_i ~ Bernoulli(1 − rate),  y = x ⊙ m / (1 − rate),  dx = dy ⊙ m / (1 − rate).
    Scaling at training time keeps E[y] = x, so evaluation is simply y = x.
    """

    def __init__(self, rate, *, seed=None):
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout: rate={rate!r} must be in [0, 1) (the probability of "
                             f"dropping a unit, e.g. 0.5)")
        self.rate = rate
        self.rng = backend.rng(seed)
        self.scale = None  # m / (1 − rate), or 1.0 in evaluation

    def reseed(self, seed):
        self.rng = backend.rng(seed)

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self.scale = 1.0
            return x
        keep = self.rng.random(x.shape, dtype=x.dtype) >= self.rate
        self.scale = keep * (1.0 / (1.0 - self.rate))
        self.scale = self.scale.astype(x.dtype, copy=False)
        return x * self.scale

    def backward(self, dy):
        self._need_forward(self.scale)
        return dy * self.scale

    def __repr__(self):
        return f"Dropout({self.rate})"


class GaussianNoise(Layer):
    """Additive Gaussian noise: y = x + std · ε, ε ~ N(0, I) in training; y = x otherwise.

    The noise does not depend on x, so dx = dy.
    """

    def __init__(self, std, *, seed=None):
        if not std >= 0:
            raise ValueError(f"GaussianNoise: std={std!r} must be >= 0")
        self.std = std
        self.rng = backend.rng(seed)
        self.ran = None

    def reseed(self, seed):
        self.rng = backend.rng(seed)

    def forward(self, x, training=False):
        self.ran = True
        if not training or self.std == 0:
            return x
        noise = self.rng.normal(x.shape, dtype=x.dtype)
        noise *= self.std
        noise += x
        return noise

    def backward(self, dy):
        self._need_forward(self.ran)
        return dy

    def __repr__(self):
        return f"GaussianNoise({self.std})"
