"""Variational autoencoders: VAE (Kingma & Welling 2014) and β-VAE (Higgins et al. 2017).

The whole model is in this file: encoder q(z|x) = N(μ(x), diag σ²(x)), the
reparameterised sample, the decoder p(x|z) = Bernoulli(sigmoid(g(z))), the objective
and its backward. Forward, for a batch x (B, D) and a latent size L:

    h          = f(x)                                  encoder output, (B, 2L)
    μ, log σ²  = h[:, :L], h[:, L:]
    σ          = exp(½ log σ²)
    ε          ~ N(0, I)                               (B, L), fresh every call
    z          = μ + σ ⊙ ε                             reparameterisation (§2.4)
    logits     = g(z)                                  decoder, (B, D)

The objective is the negative ELBO per sample, in nats (Appendix B for the KL):

    recon = (1/B) Σ_b Σ_pixels BCE(logits_b, x_b)                 −E_q[log p(x|z)], one z
    KL    = (1/B) Σ_b −½ Σ_j (1 + log σ²_bj − μ²_bj − σ²_bj)      KL(q(z|x) || N(0, I))
    J     = recon + β KL                                           (−ELBO when β = 1)

The reconstruction is SUMMED over the pixels (averaging it would let the KL dominate).
The β-VAE weights the KL by β > 1. Backward, with dz = dJ/dz from the decoder; z depends
on μ and log σ² through z = μ + exp(½ log σ²) ε (ε held from the forward pass):

    dμ       = dz                 + β μ / B
    d log σ² = dz ⊙ ε ⊙ ½σ        + β ½ (σ² − 1) / B
    f.backward([dμ, d log σ²])
"""
from minidl import backend, checks
from minidl.layers import Dense, Sequential

from autoencoders.base import ACTIVATIONS, LOSSES, Autoencoder, dense_stack, make_loss

__all__ = ["VAE", "BetaVAE"]


class VAE(Autoencoder):
    """Variational autoencoder with a Gaussian encoder and a Bernoulli decoder.

    Parameters
    ----------
    sizes : [input, hidden..., latent L], e.g. [784, 512, 2].
    beta : weight of the KL term (1 for the VAE), >= 0.
    activation : of the hidden layers, "relu" (default) or "tanh" (the paper's).
    loss : "bce" (Bernoulli decoder, default) or "mse" (squared error summed over pixels).
    optimizer : None (Adam, lr 1e-3), an Optimizer or a name.
    seed : seeds the weights and the noise ε.

    ``evaluate(X)`` reports "neg_elbo" (nats per sample, one sample of z), "recon", "kl"
    (β·KL) and "loss" (the objective: equals neg_elbo when β = 1). ``encode`` returns μ,
    ``reconstruct`` decodes μ, ``sample`` decodes draws from the prior.
    """

    def __init__(self, sizes, *, beta=1.0, activation="relu", loss="bce", optimizer=None,
                 seed=None):
        owner = type(self).__name__
        sizes = checks.sizes(owner, sizes)
        seed = checks.seed(owner, seed)
        beta = checks.number(owner, "beta", beta, low=0)
        checks.one_of(owner, "activation", activation, ACTIVATIONS)
        checks.one_of(owner, "loss", loss, LOSSES)
        latent = sizes[-1]
        enc, _ = dense_stack(sizes[:-1], activation, last=activation,
                             seed=backend.derive_seed(seed, "encoder"))
        enc.append(Dense(sizes[-2], 2 * latent, seed=backend.derive_seed(seed, "mu_logvar")))
        dec, _ = dense_stack(sizes[::-1], activation, last=None,
                             seed=backend.derive_seed(seed, "decoder"))
        super().__init__(Sequential(*enc), Sequential(*dec), loss=make_loss(loss, "batch"),
                         optimizer=optimizer, seed=seed)
        self.sizes, self.latent, self.beta, self.activation = sizes, latent, beta, activation
        self._cache = None

    # --- the objective: −ELBO, forward and backward ------------------------------
    def objective(self, x, training=False, target=None):
        """J = recon + β KL on a batch, with one fresh ε; caches what backward needs.

        ``target`` (None: x) is what the decoded sample is compared with, as in
        :meth:`Autoencoder.objective`."""
        h = self.encoder.forward(x, training=training)                 # (B, 2L)
        xp = backend.get_array_module(h)                                # the model's module
        mu, logvar = h[:, :self.latent], h[:, self.latent:]
        std = xp.exp(0.5 * logvar)                                      # σ
        eps = self.rng.normal(mu.shape, h.dtype, xp=xp)                 # ε ~ N(0, I)
        z = mu + std * eps                                              # reparameterisation
        logits = self.decoder.forward(z, training=training)            # (B, D)
        recon = self.loss.forward(logits, x if target is None else target)   # Σ pixels, mean B
        kl = backend.scalar((-0.5 * (1.0 + logvar - mu * mu - std * std)).sum(axis=1).mean())
        self._cache = (mu, std, eps)
        return {"recon": recon, "kl": self.beta * kl, "loss": recon + self.beta * kl,
                "neg_elbo": recon + kl}

    def backward(self):
        """dJ/dθ into every parameter's grad, through the sample z = μ + σ ⊙ ε."""
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward() called before objective(x)")
        mu, std, eps = self._cache
        dz = self.decoder.backward(self.loss.backward())                # (B, L)
        scale = self.beta / mu.shape[0]                                 # β / B
        dmu = dz + scale * mu
        dlogvar = dz * eps * (0.5 * std) + (0.5 * scale) * (std * std - 1.0)
        xp = backend.get_array_module(dz)
        return self.encoder.backward(xp.concatenate([dmu, dlogvar], axis=1))

    # --- using a trained model ------------------------------------------------------
    def encode_distribution(self, X):
        """(μ, log σ²) of q(z|x) for each row of X, each (N, L)."""
        h = self.encoder.forward(self._inputs(X, "encode"))
        return h[:, :self.latent], h[:, self.latent:]

    def encode(self, X):
        """μ(x) for each row of X: the code, (N, L)."""
        return self.encode_distribution(X)[0]

    def reconstruct(self, X):
        """Images decoded from the mean code μ(x) (no sampling), (N, D)."""
        return self._to_output(self.decoder.forward(self.encode(X)))

    def sample(self, n, *, steps=None, init=None, seed=None):
        """n images decoded from z ~ N(0, I): (n, D) in [0, 1].

        The one ``sample`` signature of minidl's generative models. A VAE samples
        ancestrally in one pass, so ``steps`` (Gibbs steps of an RBM or DBN) must be
        None, and ``init`` (a chain's starting batch) is refused: to decode chosen codes
        use ``decode(Z)``. ``seed`` seeds the draw (None: the model's own generator).
        """
        owner = f"{type(self).__name__}.sample"
        if steps is not None:
            raise ValueError(f"{owner}: steps={steps!r}, but a VAE has no Markov chain: it "
                             f"draws z ~ N(0, I) and decodes it once; leave steps=None")
        if init is not None:
            raise ValueError(f"{owner}: init is the starting batch of a Gibbs chain (RBMs, "
                             f"DBNs); a VAE starts from the prior. To decode chosen codes "
                             f"use decode(Z); to vary a digit use decode(encode(X) + noise)")
        n = checks.positive_int(owner, "n", n)
        gen = self.rng if seed is None else backend.rng(seed)
        z = gen.normal((n, self.latent), self._dtype(), xp=self.xp)
        return self._to_output(self.decoder.forward(z))

    def interpolate(self, x_a, x_b, steps=10):
        """Images along the straight line from μ(x_a) to μ(x_b) in latent space: (steps, D)."""
        xp, steps = self.xp, checks.integer("VAE.interpolate", "steps", steps, low=2)
        pair = xp.concatenate([self.as_array(x_a).reshape(1, -1),
                               self.as_array(x_b).reshape(1, -1)])
        mu = self.encode(pair)
        t = xp.linspace(0.0, 1.0, steps, dtype=mu.dtype)[:, None]
        return self.decode((1.0 - t) * mu[0] + t * mu[1])

    def latent_arithmetic(self, X_a, X_b, X_c):
        """decode(μ(x_c) + mean μ(X_a) − mean μ(X_b)) for each row x_c of X_c: (len(X_c), D).

        The attribute vector mean μ(X_a) − mean μ(X_b) (say thick minus thin digits) is
        added to each code of X_c: "x_c, but as X_a differs from X_b".
        """
        direction = self.encode(X_a).mean(axis=0) - self.encode(X_b).mean(axis=0)
        return self.decode(self.encode(X_c) + direction)

    def __repr__(self):
        return f"{type(self).__name__}({self.sizes}, beta={self.beta})"


class BetaVAE(VAE):
    """β-VAE (Higgins et al. 2017): the VAE objective with the KL weighted by β (default 4).

    J = Σ_pixels BCE(g(z), x) + β KL(q(z|x) || N(0, I)); β > 1 pushes towards
    disentangled, less detailed codes. ``evaluate`` still reports the true −ELBO.
    """

    def __init__(self, sizes, *, beta=4.0, activation="relu", loss="bce", optimizer=None,
                 seed=None):
        super().__init__(sizes, beta=beta, activation=activation, loss=loss,
                         optimizer=optimizer, seed=seed)
