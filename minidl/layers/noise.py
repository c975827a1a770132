"""Layers that inject noise during training and are the identity otherwise."""
from minidl import backend, checks
from minidl.layers.base import Layer

__all__ = ["Dropout", "GaussianNoise"]


class Dropout(Layer):
    """Inverted dropout (Srivastava et al. 2014) with drop probability ``rate``.

    Training:  m_i ~ Bernoulli(1 − rate),  y = x ⊙ m / (1 − rate),  dx = dy ⊙ m / (1 − rate).
    Scaling at training time keeps E[y] = x, so evaluation is simply y = x.
    """

    def __init__(self, rate, *, seed=None):
        # the probability of dropping a unit, e.g. 0.5
        self.rate = checks.number("Dropout", "rate", rate, low=0, high=1, high_open=True)
        self.rng = backend.rng(seed)
        self.scale = None  # m / (1 − rate), or 1.0 in evaluation

    def reseed(self, seed):
        self.rng = backend.rng(seed)

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self.scale = 1.0
            return x
        xp = backend.get_array_module(x)  # draw where x lives, whatever the global backend
        keep = self.rng.random(x.shape, dtype=x.dtype, xp=xp) >= self.rate
        self.scale = keep * (1.0 / (1.0 - self.rate))
        self.scale = self.scale.astype(x.dtype, copy=False)
        return x * self.scale

    def backward(self, dy):
        self._need_forward(self.scale)
        if not self.input_grad:
            return None
        return dy * self.scale

    def __repr__(self):
        return f"Dropout({self.rate})"


class GaussianNoise(Layer):
    """Additive Gaussian noise: y = x + std · ε, ε ~ N(0, I) in training; y = x otherwise.

    The noise does not depend on x, so dx = dy.
    """

    def __init__(self, std, *, seed=None):
        self.std = checks.number("GaussianNoise", "std", std, low=0)
        self.rng = backend.rng(seed)
        self.ran = None

    def reseed(self, seed):
        self.rng = backend.rng(seed)

    def forward(self, x, training=False):
        self.ran = True
        if not training or self.std == 0:
            return x
        noise = self.rng.normal(x.shape, dtype=x.dtype, xp=backend.get_array_module(x))
        noise *= self.std
        noise += x
        return noise

    def backward(self, dy):
        self._need_forward(self.ran)
        return dy if self.input_grad else None

    def __repr__(self):
        return f"GaussianNoise({self.std})"
