"""Variational autoencoders: VAE (Kingma & Welling 2014) and β-VAE (Higgins et al. 2017).

Encoder q(z|x) = N(μ(x), diag σ²(x)): one network outputs h = [μ, log σ²] (B, 2L).
Reparameterisation (Kingma & Welling 2014, §2.4): z = μ + σ ⊙ ε, ε ~ N(0, I), σ = exp(½ log σ²).
Decoder p(x|z) = Bernoulli(sigmoid(g(z))) with logits g(z).

Negative ELBO per sample, in nats (App. B for the KL):

    −ELBO = −E_q[log p(x|z)] + KL(q(z|x) || N(0, I))
          = Σ_pixels BCE(g(z), x)  −  ½ Σ_j (1 + log σ_j² − μ_j² − σ_j²)

The reconstruction is SUMMED over the pixels (averaging it would let the KL dominate).
The β-VAE weights the KL by β > 1. Backward through the sampling, with dz = dL/dz:

    dμ = dz + β μ / B,     d log σ² = dz ⊙ ε ⊙ ½ σ + β ½ (σ² − 1) / B

(the KL terms come from :class:`autoencoders.GaussianKL`; ε is held from the forward pass).
"""
from minidl import backend
from minidl.layers import Dense, Sequential

from autoencoders.base import Autoencoder, check_sizes, dense_stack, make_loss
from autoencoders.penalties import GaussianKL

__all__ = ["VAE", "BetaVAE"]


class VAE(Autoencoder):
    """Variational autoencoder with a Gaussian encoder and a Bernoulli decoder.

    Parameters
    ----------
    sizes : [input, hidden..., latent L], e.g. [784, 512, 2].
    beta : weight of the KL term (1 for the VAE), >= 0.
    activation : of the hidden layers, "relu" (default) or "tanh" (the paper's).
    seed : seeds the weights and the noise ε.

    ``evaluate(X)`` reports "neg_elbo" (nats per sample, one sample of z), "recon", "kl"
    (β·KL) and "loss" (the objective: equals neg_elbo when β = 1).
    """

    def __init__(self, sizes, *, beta=1.0, activation="relu", loss="bce", seed=None):
        sizes = check_sizes(sizes, type(self).__name__)
        self.kl = GaussianKL(beta)   # validates beta
        latent = sizes[-1]
        enc, _ = dense_stack(sizes[:-1], activation, last=activation, seed=seed)
        enc.append(Dense(sizes[-2], 2 * latent, seed=None if seed is None else seed + 50))
        dec, _ = dense_stack(sizes[::-1], activation, last=None, seed=seed, start=100)
        super().__init__(Sequential(*enc), Sequential(*dec), loss=make_loss(loss, "batch"),
                         penalties=[self.kl], seed=seed)
        self.sizes, self.latent, self.beta = sizes, latent, self.kl.beta
        self.activation = activation
        self._eps = None

    # --- the reparameterised bottleneck ---------------------------------------------
    def bottleneck(self, h, training=False):
        """z = μ + exp(½ log σ²) ⊙ ε, with fresh ε from the model's generator."""
        xp = backend.get_array_module(h)
        mu, logvar = GaussianKL.split(h)
        self._eps = self.rng.normal(mu.shape, h.dtype)
        self._std = xp.exp(0.5 * logvar)
        return mu + self._std * self._eps

    def bottleneck_backward(self, dz):
        """[dμ, d log σ²] = [dz, dz ⊙ ε ⊙ ½σ] (the KL's share is added as a penalty)."""
        if self._eps is None:
            raise RuntimeError("VAE.bottleneck_backward() called before forward")
        xp = backend.get_array_module(dz)
        return xp.concatenate([dz, dz * self._eps * (0.5 * self._std)], axis=1)

    def objective(self, x, training=False):
        metrics = super().objective(x, training)
        metrics["neg_elbo"] = metrics["recon"] + float(self.kl.per_sample(self._h).mean())
        return metrics

    def code(self, h):
        """Reconstructions decode the mean μ."""
        return GaussianKL.split(h)[0]

    features = code

    def encode_distribution(self, X):
        """(μ, log σ²) of q(z|x) for each row of X, each (N, L)."""
        h = self.encoder.forward(self.as_array(X, self._dtype()))
        return GaussianKL.split(h)

    # --- generating --------------------------------------------------------------------
    def sample(self, n, seed=None):
        """n images decoded from z ~ N(0, I): (n, D) in [0, 1]."""
        z = backend.rng(seed).normal((n, self.latent), self._dtype())
        return self.decode(z)

    def interpolate(self, x_a, x_b, steps=10):
        """Images along the straight line from μ(x_a) to μ(x_b) in latent space: (steps, D)."""
        xp = backend.xp
        mu = self.encode(xp.stack([self.as_array(x_a).ravel(), self.as_array(x_b).ravel()]))
        t = xp.linspace(0.0, 1.0, steps, dtype=mu.dtype)[:, None]
        return self.decode((1.0 - t) * mu[0] + t * mu[1])

    def latent_arithmetic(self, X_a, X_b, X_c):
        """decode(μ(x_c) + mean μ(X_a) − mean μ(X_b)) for each row x_c of X_c: (len(X_c), D).

        The attribute vector mean μ(X_a) − mean μ(X_b) (say thick minus thin digits) is
        added to each code of X_c: "x_c, but as X_a differs from X_b".
        """
        direction = self.encode(X_a).mean(axis=0) - self.encode(X_b).mean(axis=0)
        return self.decode(self.encode(X_c) + direction)

    def get_config(self):
        return {"sizes": self.sizes, "beta": self.beta, "activation": self.activation}

    def __repr__(self):
        return f"{type(self).__name__}({self.sizes}, beta={self.beta})"


class BetaVAE(VAE):
    """β-VAE (Higgins et al. 2017): the VAE objective with the KL weighted by β (default 4).

    J = Σ_pixels BCE(g(z), x) + β KL(q(z|x) || N(0, I)); β > 1 pushes towards
    disentangled, less detailed codes. ``evaluate`` still reports the true −ELBO.
    """

    def __init__(self, sizes, *, beta=4.0, **kwargs):
        super().__init__(sizes, beta=beta, **kwargs)
