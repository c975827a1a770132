"""Exercise "vae": the VAE's reparameterised sample and closed-form KL, forward and backward.

Replace each ``raise NotImplementedError("exercise: ...")`` with your code, then run

    python -m exercises check vae

Given (from the library's VAE, which this class extends): ``self.encoder`` (x -> h, (B, 2L)),
``self.decoder`` (z -> logits), ``self.loss`` (BCE summed over pixels, mean over the batch),
``self.latent`` L, ``self.beta`` β, and the draw of ε. The module docstring below has every
equation of the objective and of its backward.
"""
from minidl import backend

from autoencoders.vae import VAE as LibraryVAE


class VAE(LibraryVAE):
    """@library autoencoders.vae"""

    def objective(self, x, training=False, target=None):
        h = self.encoder.forward(x, training=training)                  # (B, 2L)
        xp = backend.get_array_module(h)
        mu, logvar = h[:, :self.latent], h[:, self.latent:]
        eps = self.rng.normal(mu.shape, h.dtype, xp=xp)                  # given: ε ~ N(0, I)
        raise NotImplementedError("exercise: σ, z = μ + σ ⊙ ε, logits = self.decoder.forward(z), "
                                  "recon = self.loss.forward(logits, x), the KL; keep "
                                  "(mu, std, eps) in self._cache; return {'recon': ..., "
                                  "'kl': β·KL, 'loss': recon + β·KL, 'neg_elbo': recon + KL}")

    def backward(self):
        mu, std, eps = self._cache
        dz = self.decoder.backward(self.loss.backward())                 # given: dJ/dz, (B, L)
        xp = backend.get_array_module(dz)
        raise NotImplementedError("exercise: dμ and d log σ² (the sample's path plus the KL's); "
                                  "return self.encoder.backward(xp.concatenate([dμ, d log σ²], "
                                  "axis=1))")
