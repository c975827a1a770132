"""The centered binary RBM: the energy measured from offsets μ (visible) and λ (hidden).

Melchior, Fischer & Wiskott (2016), "How to center deep Boltzmann machines", JMLR 17.
With v ∈ {0,1}^D, h ∈ {0,1}^H and offsets μ ∈ (0,1)^D, λ ∈ (0,1)^H:

    E(v, h)    = −(v − μ)ᵀW(h − λ) − bᵀ(v − μ) − cᵀ(h − λ)
    P(h_j=1|v) = σ(c_j + ((v − μ)W)_j)              P(v_i=1|h) = σ(b_i + (W(h − λ))_i)
    F(v)       = −bᵀ(v − μ) + λᵀa − Σ_j softplus(a_j),   a = c + (v − μ)W

Free-energy gradients (p = P(h=1|v)); CD / PCD take their data-minus-model difference:

    ∂F/∂W = −(v − μ)ᵀ(p − λ)     ∂F/∂b = −(v − μ)     ∂F/∂c = −(p − λ)     ∂F/∂v = −b − (p − λ)Wᵀ

so the weight update is the covariance of the *centered* states, which keeps it from
mixing in the bias updates (why centering makes training robust to the recipe).

The offsets follow the data ("dd" in the paper): after each update, with rate ν,

    μ ← μ + ν (mean(v⁺) − μ),      λ ← λ + ν (mean P(h|v⁺) − λ),

and the biases move with them, b ← b + W Δλ and c ← c + WᵀΔμ, which leaves p(v, h)
unchanged (the uncentered form below is the same before and after). μ starts at the
first batch's mean (ν = 1 the first time), λ at 0.5.

The same distribution as a plain RBM (:meth:`CenteredBernoulliRBM.standard_form`):

    E(v, h) = −vᵀWh − vᵀ(b − Wλ) − hᵀ(c − Wᵀμ) + (bᵀμ + cᵀλ − μᵀWλ)

so log Z = log Z_plain(W, b − Wλ, c − Wᵀμ) − (bᵀμ + cᵀλ − μᵀWλ): exact enumeration and
AIS (:mod:`rbm.ais`) work through it.
"""
from minidl import backend, checks
from minidl.layers.activations import sigmoid
from minidl.parameter import Parameter
from rbm.bernoulli import BernoulliRBM

__all__ = ["CenteredBernoulliRBM"]


class CenteredBernoulliRBM(BernoulliRBM):
    """A binary RBM with centered states (binary hidden units only).

    Parameters
    ----------
    n_visible, n_hidden : int >= 1.
    offset_rate : ν in (0, 1], the moving-average rate of the offsets (the paper: 0.01).
    Every other keyword as :class:`rbm.bernoulli.BernoulliRBM` (k, persistent, optimizer,
    weight_decay, sparsity_*, init_std, seed); ``hidden`` must be "binary".

    Attributes
    ----------
    W, vbias (b), hbias (c) : Parameters, trained.
    mu (μ, (n_visible,)), lam (λ, (n_hidden,)) : frozen Parameters (saved with the
        weights; the optimizer does not step them), moved by :meth:`update_offsets`.
    """

    def __init__(self, n_visible, n_hidden, *, offset_rate=0.01, hidden="binary", **kwargs):
        if hidden != "binary":
            raise ValueError(f"CenteredBernoulliRBM: hidden={hidden!r} is not supported; the "
                             f"centered RBM has binary hidden units (hidden='binary')")
        super().__init__(n_visible, n_hidden, hidden=hidden, **kwargs)
        self.offset_rate = checks.number("CenteredBernoulliRBM", "offset_rate", offset_rate,
                                         low=0, high=1, low_open=True)
        xp, f32 = backend.xp, backend.float32
        self.mu = Parameter(xp.full(self.n_visible, 0.5, dtype=f32), "mu", frozen=True)
        self.lam = Parameter(xp.full(self.n_hidden, 0.5, dtype=f32), "lam", frozen=True)
        self._offsets_started = False

    def get_config(self):
        return {**super().get_config(), "offset_rate": self.offset_rate}

    # --- the centered conditionals and free energy ------------------------------------------
    def _visible_term(self, v):
        """What the hidden units see: v − μ."""
        return v - self.mu.data

    def _mean_v(self, h):
        """P(v = 1 | h) = σ(b + (h − λ)Wᵀ).  (B, H) -> (B, D)."""
        a = (h - self.lam.data) @ self.W.data.T
        a += self.vbias.data
        return sigmoid(a, out=a)

    def _free_energy(self, v):
        """F(v) = −bᵀ(v − μ) + λᵀa − Σ_j softplus(a_j).  (B, D) -> (B,)."""
        a = self._hidden_input(v)
        return -(self._visible_term(v) @ self.vbias.data) + a @ self.lam.data \
            - self._hidden_log_sum(a)

    def free_energy_grad_v(self, v):
        """∂F/∂v = −b − (p − λ)Wᵀ, one row per sample.  (B, D) -> (B, D)."""
        v = self._visible(v, "free_energy_grad_v")
        dv = (self._mean_h(v) - self.lam.data) @ self.W.data.T
        dv += self.vbias.data
        return -dv

    def _add_free_energy_grad(self, v, ph, weight):
        """grad += Σ_b weight_b ∂F(v_b)/∂θ with the centered states v − μ and p − λ."""
        w = weight if isinstance(weight, float) else weight[:, None]
        vc, pc = self._visible_term(v), ph - self.lam.data
        wp = pc * w                                                   # (B, H)
        self.W.grad -= vc.T @ wp                                      # ∂F/∂W = −(v − μ)ᵀ(p − λ)
        self.hbias.grad -= wp.sum(axis=0)                             # ∂F/∂c = −(p − λ)
        self.vbias.grad -= (vc * w).sum(axis=0)                       # ∂F/∂b = −(v − μ)

    # --- the offsets -------------------------------------------------------------------------
    def train_step(self, batch):
        """One CD-k / PCD-k update (the centered gradient), then :meth:`update_offsets`."""
        v = self._visible(batch, "train_step")
        metrics = super().train_step(v)
        self.update_offsets(v)
        return metrics

    def update_offsets(self, v):
        """μ ← μ + ν(mean(v) − μ), λ ← λ + ν(mean P(h|v) − λ); b += WΔλ, c += WᵀΔμ.

        The bias shift keeps b − Wλ and c − Wᵀμ, hence p(v, h), unchanged. The first
        call sets μ to mean(v) (ν = 1) so the visible states are centered from the start.
        """
        v = self._visible(v, "update_offsets")
        rate = self.offset_rate
        d_mu = (1.0 if not self._offsets_started else rate) * (v.mean(axis=0) - self.mu.data)
        d_lam = rate * (self._mean_h(v).mean(axis=0) - self.lam.data)
        self._offsets_started = True
        self.vbias.data += self.W.data @ d_lam
        self.hbias.data += d_mu @ self.W.data
        self.mu.data += d_mu
        self.lam.data += d_lam

    # --- the same distribution as a plain RBM --------------------------------------------------
    def standard_form(self):
        """(W, b − Wλ, c − Wᵀμ, shift): the plain RBM with this p(v, h), and
        shift = bᵀμ + cᵀλ − μᵀWλ so that log Z = log Z_plain − shift."""
        W, b, c = self.W.data, self.vbias.data, self.hbias.data
        mu, lam = self.mu.data, self.lam.data
        shift = float(b @ mu) + float(c @ lam) - float(mu @ (W @ lam))
        return W, b - W @ lam, c - mu @ W, shift

    def _params64(self):
        W, b, c, _ = self.standard_form()
        return [x.astype(backend.float64) for x in (W, b, c)]

    def log_partition_exact(self, max_bits=None):
        """log Z by enumeration, through the plain RBM of :meth:`standard_form`."""
        return super().log_partition_exact(max_bits) - self.standard_form()[3]
