"""The Gaussian-Bernoulli RBM: real-valued visible units, binary hidden units.

For real-valued data (standardised to zero mean and unit variance per feature), as in
Hinton's practical guide (section 13.2) and Cho, Ilin & Raiko (2011):

    E(v, h)    = Σ_i (v_i − b_i)² / 2σ_i²  −  hᵀc  −  Σ_ij (v_i/σ_i) W_ij h_j
    P(h_j=1|v) = σ(c_j + ((v/σ) W)_j)
    p(v_i | h) = N(b_i + σ_i (Wh)_i,  σ_i²)
    F(v)       = Σ_i (v_i − b_i)² / 2σ_i²  −  Σ_j softplus(c_j + ((v/σ) W)_j)

With σ fixed at 1 (the default, right for standardised data) this is the guide's
recipe. ``learn_sigma=True`` also learns z = log σ (Cho et al. learn the log so σ
stays positive); σ is clipped to ``sigma_range`` after every step, because a
learned variance tends to collapse towards 0 and make training unstable.

Free-energy gradients, with p = P(h|v) and s = σ:

    ∂F/∂b = −(v − b)/s²       ∂F/∂W = −(v/s)ᵀ p       ∂F/∂c = −p
    ∂F/∂z_i = −(v_i − b_i)²/s_i² + (v_i/s_i)(pWᵀ)_i       ∂F/∂v = (v − b)/s² − (pWᵀ)/s
"""
import math

from minidl import backend, checks
from minidl.parameter import Parameter
from rbm.base import RBM
from rbm.likelihood import log_likelihood, log_sum_exp_states

__all__ = ["GaussianBernoulliRBM"]


class GaussianBernoulliRBM(RBM):
    """An RBM with Gaussian visible units (per-unit σ) and binary hidden units.

    Parameters
    ----------
    n_visible, n_hidden : int >= 1.
    optimizer : None (the default SGD(lr=0.01, momentum=0.9): the guide advises a rate
        one or two orders of magnitude below the binary RBM's, since Gaussian units have
        no upper bound), an Optimizer or a name.
    learn_sigma : bool, learn log σ as a Parameter ``log_sigma`` (otherwise it is a
        frozen Parameter holding log 1 = 0).
    sigma_range : (low, high), the safe range σ is clipped into (default (0.1, 10)).
    k, persistent, weight_decay, sparsity_target, sparsity_cost, sparsity_decay,
    init_std, seed : as :class:`rbm.base.RBM`. The hidden units are binary.

    Attributes
    ----------
    W (n_visible, n_hidden), vbias (n_visible,), hbias (n_hidden,), log_sigma (n_visible,).
    """

    default_lr = 0.01

    def __init__(self, n_visible, n_hidden, *, k=1, persistent=False, optimizer=None,
                 weight_decay=0.0, sparsity_target=None, sparsity_cost=0.1,
                 sparsity_decay=0.9, init_std=0.01, learn_sigma=False,
                 sigma_range=(0.1, 10.0), seed=None):
        try:
            lo, hi = (checks.number("GaussianBernoulliRBM", "sigma_range", s)
                      for s in sigma_range)
        except (TypeError, ValueError):
            lo = hi = None
        if lo is None or not 0 < lo < hi:
            raise ValueError(f"GaussianBernoulliRBM: sigma_range={sigma_range!r} is invalid, "
                             f"expected (low, high) with 0 < low < high, e.g. (0.1, 10.0)")
        super().__init__(n_visible, n_hidden, k=k, persistent=persistent, hidden="binary",
                         optimizer=optimizer, weight_decay=weight_decay,
                         sparsity_target=sparsity_target, sparsity_cost=sparsity_cost,
                         sparsity_decay=sparsity_decay, init_std=init_std, seed=seed)
        self.learn_sigma, self.sigma_range = bool(learn_sigma), (lo, hi)
        self.log_sigma = Parameter(backend.xp.zeros(self.n_visible, dtype=backend.float32),
                                   "log_sigma", frozen=not learn_sigma)

    @property
    def sigma(self):
        """σ = exp(log_sigma), (n_visible,)."""
        return backend.get_array_module(self.log_sigma.data).exp(self.log_sigma.data)

    def _visible_term(self, v):
        return v / self.sigma

    def _mean_v(self, h):
        """E[v | h] = b + σ ⊙ (hWᵀ).  (B, H) -> (B, D)."""
        m = h @ self.W.data.T
        m *= self.sigma
        m += self.vbias.data
        return m

    def _sample_v_from_mean(self, mv, gen=None):
        gen = gen or self._rng
        noise = gen.normal(mv.shape, dtype=mv.dtype, xp=backend.get_array_module(mv))
        noise *= self.sigma
        noise += mv
        return noise

    def _random_visible(self, n, gen):
        """v ~ N(b, σ²), (n, D): where ``sample`` starts by default."""
        return self._sample_v_from_mean(self.xp.zeros((n, self.n_visible), self.W.dtype)
                                        + self.vbias.data, gen)

    def _check_binary(self, v, where):
        """Densities of real-valued data: any finite values are fine."""

    def fit(self, X, y=None, **kwargs):
        """:meth:`RBM.fit`, after a look at the data's scale (a warning, not a refusal).

        The visible units model N(b + σWh, σ²); with σ = 1 they expect standardised
        features. Data far from that -- an overall mean beyond ±3 or a standard
        deviation above 5 (raw 0..255 pixels, prices) -- train, but slowly and badly, so
        fit warns and shows how to standardise. One reduction over X, on its device.
        """
        xp = backend.get_array_module(X)
        if hasattr(X, "dtype") and X.dtype.kind in "iuf" and X.size:
            mean, std = (float(v) for v in backend.to_host(xp.stack(
                [X.mean(dtype=xp.float64), X.std(dtype=xp.float64)])))
            if abs(mean) > 3 or std > 5:
                import warnings
                warnings.warn(f"GaussianBernoulliRBM.fit: the data have mean {mean:.3g} and "
                              f"standard deviation {std:.3g}, but Gaussian visible units with "
                              f"sigma = 1 expect standardised features (mean 0, variance 1): "
                              f"standardise first, X = (X - X.mean(0)) / (X.std(0) + 1e-8) "
                              f"(sklearn.preprocessing.StandardScaler), and keep the mean and "
                              f"std to map samples back", UserWarning, stacklevel=2)
        return super().fit(X, y, **kwargs)

    def _free_energy(self, v):
        d = (v - self.vbias.data) / self.sigma
        return 0.5 * (d * d).sum(axis=1) - self._hidden_log_sum(self._hidden_input(v))

    def free_energy_grad_v(self, v):
        """∂F/∂v = (v − b)/σ² − (pWᵀ)/σ.  (B, D) -> (B, D)."""
        v = self._visible(v, "free_energy_grad_v")
        s = self.sigma
        return (v - self.vbias.data) / (s * s) - (self._mean_h(v) @ self.W.data.T) / s

    def _add_free_energy_grad(self, v, ph, weight):
        """grad += Σ_b weight_b ∂F(v_b)/∂θ (weight: float or (B,))."""
        w = weight if isinstance(weight, float) else weight[:, None]
        s = self.sigma
        u = v / s                                                     # (B, D)
        wp = ph * w
        self.W.grad -= u.T @ wp                                       # −(v/σ)ᵀ p
        self.hbias.grad -= wp.sum(axis=0)                             # −p
        r = (v - self.vbias.data) / s                                 # (v − b)/σ
        self.vbias.grad -= (r * w).sum(axis=0) / s                    # −(v − b)/σ²
        if not self.log_sigma.frozen:
            dz = u * (wp @ self.W.data.T) - r * r * w                 # weighted ∂F/∂z
            self.log_sigma.grad += dz.sum(axis=0)

    def _after_update(self):
        if not self.log_sigma.frozen:
            xp = backend.get_array_module(self.log_sigma.data)
            lo, hi = self.sigma_range
            xp.clip(self.log_sigma.data, math.log(lo), math.log(hi), out=self.log_sigma.data)

    def log_partition_exact(self, max_bits=None):
        """log Z: enumerate h, integrate v in closed form (a product of Gaussians).

        Notes
        -----
        With m = Wh:  ∫ exp(−E(v, h)) dv = exp(hᵀc) Π_i σ_i √(2π) exp(b_i m_i/σ_i + m_i²/2), so
        log Z = log Σ_h exp(hᵀc + Σ_i (b_i m_i/σ_i + m_i²/2)) + Σ_i log(σ_i √(2π)).
        """
        W, b, c, z = (p.data.astype(backend.float64)
                      for p in (self.W, self.vbias, self.hbias, self.log_sigma))
        xp = backend.get_array_module(W)
        s = xp.exp(z)
        kw = {"xp": xp} if max_bits is None else {"xp": xp, "max_bits": max_bits}

        def log_weight(h):
            m = h @ W.T
            return h @ c + (m * (b / s)).sum(axis=1) + 0.5 * (m * m).sum(axis=1)
        const = float((z + 0.5 * math.log(2 * math.pi)).sum())
        return log_sum_exp_states(self.n_hidden, log_weight, **kw) + const

    def log_likelihood(self, X, log_z):
        """Mean log density log p(v) = mean(−F(v)) − log Z over the rows of X."""
        return log_likelihood(self, X, log_z)

    def get_config(self):
        config = dict(super().get_config(), learn_sigma=self.learn_sigma,
                      sigma_range=list(self.sigma_range))
        del config["hidden"]                      # always binary: not a keyword here
        return config
