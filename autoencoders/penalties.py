"""Penalties on the code h = f(x), added to the reconstruction loss.

A penalty Ω is an object with

    name                       the key under which ``evaluate``/``fit`` report it
    value_and_grad(h)          -> (Ω as a float, dΩ/dh with h's shape)
    parameter_grads(h)         (optional) -> [(Parameter, dΩ/dθ)] for the parameters Ω reads
                               directly, not through h (the contractive penalty's W)

Both are pure: the model adds the gradients where they belong. Every Ω here is an
average over the batch of B samples, like the per-sample losses it is added to.
(The VAE's KL term is not a penalty on h: it lives with the rest of the ELBO in ``vae.py``.)
"""
from minidl import backend, checks

__all__ = ["KLSparsity", "L1Activity", "ContractivePenalty", "kl_bernoulli"]


def kl_bernoulli(rho, rho_hat):
    """KL(ρ || ρ̂) = ρ log(ρ/ρ̂) + (1−ρ) log((1−ρ)/(1−ρ̂)), elementwise (ρ̂ an array)."""
    xp = backend.get_array_module(rho_hat)
    return rho * xp.log(rho / rho_hat) + (1.0 - rho) * xp.log((1.0 - rho) / (1.0 - rho_hat))


class KLSparsity:
    """Sparsity by KL divergence to a target mean activation (UFLDL, "Sparse autoencoder").

    Notes
    -----
    With sigmoid codes h (B, K) and the batch mean ρ̂_j = (1/B) Σ_b h_bj:

        Ω = β Σ_j KL(ρ || ρ̂_j)
        ∂Ω/∂ρ̂_j = β (−ρ/ρ̂_j + (1−ρ)/(1−ρ̂_j))
        ∂Ω/∂h_bj = (1/B) ∂Ω/∂ρ̂_j        (the gradient flows through the batch mean)

    ρ̂ is clipped to [1e-7, 1 − 1e-7] so a dead or saturated unit gives a large but finite value.
    """

    name = "kl_sparsity"

    def __init__(self, rho=0.1, beta=3.0):
        self.rho = checks.number("KLSparsity", "rho", rho, low=0, high=1, low_open=True,
                                 high_open=True)
        self.beta = checks.number("KLSparsity", "beta", beta, low=0)   # 0 turns the term off

    def value_and_grad(self, h):
        xp = backend.get_array_module(h)
        rho_hat = xp.clip(h.mean(axis=0), 1e-7, 1.0 - 1e-7)   # (K,)
        value = self.beta * backend.scalar(kl_bernoulli(self.rho, rho_hat).sum())
        d_rho_hat = self.beta * (-self.rho / rho_hat + (1.0 - self.rho) / (1.0 - rho_hat))
        dh = xp.broadcast_to(d_rho_hat * (1.0 / h.shape[0]), h.shape).copy()
        return value, dh

    def __repr__(self):
        return f"KLSparsity(rho={self.rho}, beta={self.beta})"


class L1Activity:
    """L1 activity penalty Ω = λ (1/B) Σ_b Σ_j |h_bj| (the Keras tutorial's activity_regularizer).

    ∂Ω/∂h = λ sign(h) / B. The tutorial writes ``10e-5``, which is λ = 1e-4.
    """

    name = "l1"

    def __init__(self, l1=1e-4):
        self.l1 = checks.number("L1Activity", "l1", l1, low=0)

    def value_and_grad(self, h):
        xp = backend.get_array_module(h)
        scale = self.l1 / h.shape[0]
        return scale * backend.scalar(xp.abs(h).sum()), xp.sign(h) * scale

    def __repr__(self):
        return f"L1Activity(l1={self.l1})"


class ContractivePenalty:
    """Contractive penalty λ ||J_f(x)||²_F for a sigmoid encoder h = σ(xW + b) (Rifai et al. 2011).

    Notes
    -----
    J_ji = ∂h_j/∂x_i = h_j (1 − h_j) W_ij, so, per sample and averaged over the batch,

        ||J||²_F = Σ_j (h_j (1 − h_j))² Σ_i W_ij²          (Rifai et al. 2011, eq. 4 and §4)
        Ω = λ (1/B) Σ_b Σ_j a_bj w_j,   a = (h (1 − h))²,  w_j = Σ_i W_ij²

    Gradients: through the code, ∂Ω/∂h_bj = λ/B · 2 h(1 − h)(1 − 2h) · w_j (the encoder's
    backward carries it on to W and b); and directly, ∂Ω/∂W_ij = λ/B · 2 W_ij Σ_b a_bj.
    ``dense`` is the encoder's Dense layer, whose W the penalty reads.
    """

    name = "contractive"

    def __init__(self, dense, lam=0.1):
        self.dense = dense
        self.lam = checks.number("ContractivePenalty", "lam", lam, low=0)

    def jacobian_norm(self, h):
        """||J_f(x)||²_F per sample, (B,)."""
        a = (h * (1.0 - h)) ** 2
        return a @ (self.dense.W.data ** 2).sum(axis=0)

    def value_and_grad(self, h):
        w = (self.dense.W.data ** 2).sum(axis=0)   # (K,)
        s = h * (1.0 - h)
        scale = self.lam / h.shape[0]
        value = scale * backend.scalar(((s * s) @ w).sum())
        dh = (2.0 * scale) * s * (1.0 - 2.0 * h) * w
        return value, dh

    def parameter_grads(self, h):
        s = h * (1.0 - h)
        a_sum = (s * s).sum(axis=0)   # (K,)
        return [(self.dense.W, (2.0 * self.lam / h.shape[0]) * self.dense.W.data * a_sum)]

    def __repr__(self):
        return f"ContractivePenalty(lam={self.lam})"
