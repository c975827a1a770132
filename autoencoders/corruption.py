"""Corruptions for the denoising autoencoder (Vincent et al. 2008; Vincent et al. 2010, §4).

The denoising AE trains g(f(x̃)) to reproduce the clean x from a corrupted x̃ ~ q(x̃ | x):

    "gaussian"         x̃ = x + σ ε,          ε ~ N(0, I),        level = σ > 0
    "masking"          x̃_i = 0 with prob. ν, else x_i,           level = ν in [0, 1)
    "salt-and-pepper"  x̃_i = 0 or 1 (each half the time) with prob. ν, else x_i
    "dropout"          x̃ = x ⊙ m / (1 − ν),  m_i ~ Bernoulli(1 − ν)   (inverted dropout)

Each corruption is a callable ``x -> x̃`` with its own seeded generator and ``reseed``;
it draws its noise on the device of x (the model's), whatever the global backend says.
"""
from minidl import backend, checks

__all__ = ["Corruption", "GaussianNoiseCorruption", "MaskingCorruption",
           "SaltAndPepperCorruption", "DropoutCorruption", "make_corruption", "NOISES"]


class Corruption:
    """Base: holds ``level`` and a seeded generator; subclasses implement ``__call__``."""

    def __init__(self, level, seed=None):
        self.level = self._check_level(level)
        self.rng = backend.rng(seed)

    def _check_level(self, level):
        """A probability ν in [0, 1): 1 would destroy every input."""
        return checks.number(type(self).__name__, "level", level, low=0, high=1, high_open=True)

    def _draw(self, x):
        """Uniform [0, 1) samples shaped like x, on x's device."""
        return self.rng.random(x.shape, x.dtype, xp=backend.get_array_module(x))

    def reseed(self, seed):
        self.rng = backend.rng(seed)

    def __repr__(self):
        return f"{type(self).__name__}(level={self.level})"


class GaussianNoiseCorruption(Corruption):
    """x̃ = x + σ ε with ε ~ N(0, I) (isotropic Gaussian noise); level = σ."""

    def _check_level(self, level):
        """The noise std σ >= 0."""
        return checks.number(type(self).__name__, "level", level, low=0)

    def __call__(self, x):
        noise = self.rng.normal(x.shape, x.dtype, xp=backend.get_array_module(x))
        noise *= self.level
        return x + noise


class MaskingCorruption(Corruption):
    """Masking noise: each input set to 0 with probability ν = level."""

    def __call__(self, x):
        keep = self._draw(x) >= self.level
        return x * keep


class SaltAndPepperCorruption(Corruption):
    """Salt-and-pepper: with probability ν = level an input becomes 0 or 1 (fair coin)."""

    def __call__(self, x):
        hit = self._draw(x) < self.level
        salt = self._draw(x) < 0.5
        xp = backend.get_array_module(x)
        return xp.where(hit, salt.astype(x.dtype), x)


class DropoutCorruption(Corruption):
    """Inverted dropout on the input: x̃ = x ⊙ m / (1 − ν), m_i ~ Bernoulli(1 − ν)."""

    def __call__(self, x):
        keep = self._draw(x) >= self.level
        return x * keep * (1.0 / (1.0 - self.level))


NOISES = {"gaussian": GaussianNoiseCorruption, "masking": MaskingCorruption,
          "salt-and-pepper": SaltAndPepperCorruption, "dropout": DropoutCorruption}


def make_corruption(noise, level, seed=None):
    """The corruption called ``noise`` (one of :data:`NOISES`) at ``level``."""
    checks.one_of("make_corruption", "noise", noise, sorted(NOISES))
    return NOISES[noise](level, seed=seed)
