"""Corruptions for the denoising autoencoder (Vincent et al. 2008; Vincent et al. 2010, §4).

The denoising AE trains g(f(x̃)) to reproduce the clean x from a corrupted x̃ ~ q(x̃ | x):

    "gaussian"         x̃ = x + σ ε,          ε ~ N(0, I),        level = σ > 0
    "masking"          x̃_i = 0 with prob. ν, else x_i,           level = ν in [0, 1)
    "salt-and-pepper"  x̃_i = 0 or 1 (each half the time) with prob. ν, else x_i
    "dropout"          x̃ = x ⊙ m / (1 − ν),  m_i ~ Bernoulli(1 − ν)   (inverted dropout)

Each corruption is a callable ``x -> x̃`` with its own seeded generator and ``reseed``.
"""
from minidl import backend

__all__ = ["Corruption", "GaussianNoiseCorruption", "MaskingCorruption",
           "SaltAndPepperCorruption", "DropoutCorruption", "make_corruption", "NOISES"]


class Corruption:
    """Base: holds ``level`` and a seeded generator; subclasses implement ``__call__``."""

    valid = "level in [0, 1)"

    def __init__(self, level, seed=None):
        if not self._ok(level):
            raise ValueError(f"{type(self).__name__}: level={level!r} invalid, need {self.valid}")
        self.level = float(level)
        self.rng = backend.rng(seed)

    @staticmethod
    def _ok(level):
        return 0.0 <= level < 1.0

    def reseed(self, seed):
        self.rng = backend.rng(seed)

    def __repr__(self):
        return f"{type(self).__name__}(level={self.level})"


class GaussianNoiseCorruption(Corruption):
    """x̃ = x + σ ε with ε ~ N(0, I) (isotropic Gaussian noise); level = σ."""

    valid = "level (the noise std σ) >= 0"

    @staticmethod
    def _ok(level):
        return level >= 0.0

    def __call__(self, x):
        noise = self.rng.normal(x.shape, x.dtype)
        noise *= self.level
        return x + noise


class MaskingCorruption(Corruption):
    """Masking noise: each input set to 0 with probability ν = level."""

    def __call__(self, x):
        keep = self.rng.random(x.shape, x.dtype) >= self.level
        return x * keep


class SaltAndPepperCorruption(Corruption):
    """Salt-and-pepper: with probability ν = level an input becomes 0 or 1 (fair coin)."""

    def __call__(self, x):
        hit = self.rng.random(x.shape, x.dtype) < self.level
        salt = self.rng.random(x.shape, x.dtype) < 0.5
        xp = backend.get_array_module(x)
        return xp.where(hit, salt.astype(x.dtype), x)


class DropoutCorruption(Corruption):
    """Inverted dropout on the input: x̃ = x ⊙ m / (1 − ν), m_i ~ Bernoulli(1 − ν)."""

    def __call__(self, x):
        keep = self.rng.random(x.shape, x.dtype) >= self.level
        return x * keep * (1.0 / (1.0 - self.level))


NOISES = {"gaussian": GaussianNoiseCorruption, "masking": MaskingCorruption,
          "salt-and-pepper": SaltAndPepperCorruption, "dropout": DropoutCorruption}


def make_corruption(noise, level, seed=None):
    """The corruption called ``noise`` (one of :data:`NOISES`) at ``level``."""
    if noise not in NOISES:
        raise ValueError(f"noise={noise!r}: expected one of {sorted(NOISES)}")
    return NOISES[noise](level, seed=seed)
