"""What every RBM shares: the hidden layer, Gibbs sampling and the CD-k / PCD step.

An RBM defines p(v, h) = exp(−E(v, h)) / Z. Summing out the hidden units gives the
*free energy* F(v), with p(v) = exp(−F(v)) / Z, and the gradient of the negative
log-likelihood of a batch is a difference of two expectations of ∂F/∂θ:

    −∂ log p(v)/∂θ = ∂F(v)/∂θ − E_{v'~model}[∂F(v')/∂θ]
                     (positive phase)   (negative phase)

Contrastive divergence (Hinton 2002) estimates the model expectation with samples
v⁻ from k steps of block Gibbs sampling v → h → v started at the data; persistent
CD (Tieleman 2008) keeps the chains running from one step to the next instead.
``train_step`` writes that estimate into each Parameter's ``grad`` and lets a
shared optimizer (SGD with momentum, as in Hinton's practical guide) take the step.

The visible side (binary, Gaussian) lives in the subclasses; this class holds the
hidden side, which is binary (logistic) or linear with unit-variance Gaussian noise.
"""
import math

from minidl import backend
from minidl.model import Model
from minidl.parameter import Parameter

__all__ = ["RBM"]

_HIDDEN = ("binary", "linear")


def _positive_int(cls, name, value):
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{cls}: {name}={value!r} must be a positive integer")


def _in_range(cls, name, value, ok, expected):
    if not ok:
        raise ValueError(f"{cls}: {name}={value!r} is invalid, expected {expected}")


def sigmoid_(a):
    """σ(a) = 1 / (1 + e^{−a}) computed in place as ½ tanh(a/2) + ½ (never overflows)."""
    xp = backend.get_array_module(a)
    a *= 0.5
    xp.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


class RBM(Model):
    """Base class of the RBMs: hidden units, Gibbs sampling, CD-k / PCD training.

    Subclasses define the visible units through ``_visible_term(v)`` (the input the
    hidden units see), ``mean_v``, ``_sample_v_from_mean``, ``free_energy``,
    ``_add_free_energy_grad`` and ``_check_values``.

    Parameters (common keywords)
    ----------------------------
    n_visible, n_hidden : int >= 1.
    k : int >= 1, Gibbs steps of the negative phase (CD-k / PCD-k).
    persistent : bool, keep the negative chains between updates (PCD, Tieleman 2008).
    hidden : "binary" (logistic units) or "linear" (h = c + vW + N(0, 1) noise).
    lr, momentum : the default optimizer, ``SGD(lr, momentum)``.
    weight_decay : λ >= 0, adds λW to W's gradient (the L2 "weight-cost" of Hinton's
        guide, section 10; biases are not decayed).
    sparsity_target : None or p in (0, 1): push the running mean activation q of each
        binary hidden unit towards p (Hinton's guide, section 11), adding
        sparsity_cost·(q − p) to the hidden biases' gradient and
        sparsity_cost·mean(v)ᵀ(q − p) to W's. q ← decay·q + (1 − decay)·mean(P(h|v)).
    init_std : W starts as N(0, init_std²) (0.01 in the guide); biases start at 0.
    seed : seeds the initial weights and every sample the model draws.
    """

    def __init__(self, n_visible, n_hidden, *, k=1, persistent=False, hidden="binary",
                 lr=0.05, momentum=0.9, weight_decay=0.0, sparsity_target=None,
                 sparsity_cost=0.1, sparsity_decay=0.9, init_std=0.01, seed=None):
        cls = type(self).__name__
        _positive_int(cls, "n_visible", n_visible)
        _positive_int(cls, "n_hidden", n_hidden)
        _positive_int(cls, "k", k)
        _in_range(cls, "hidden", hidden, hidden in _HIDDEN, f"one of {_HIDDEN}")
        _in_range(cls, "lr", lr, lr > 0, "a number > 0")
        _in_range(cls, "momentum", momentum, 0 <= momentum < 1, "a number in [0, 1)")
        _in_range(cls, "weight_decay", weight_decay, weight_decay >= 0, "a number >= 0")
        _in_range(cls, "sparsity_target", sparsity_target,
                  sparsity_target is None or (0 < sparsity_target < 1 and hidden == "binary"),
                  "None or a number in (0, 1) (binary hidden units only)")
        _in_range(cls, "sparsity_decay", sparsity_decay, 0 <= sparsity_decay < 1,
                  "a number in [0, 1)")
        _in_range(cls, "init_std", init_std, init_std >= 0, "a number >= 0")
        self.n_visible, self.n_hidden, self.k = n_visible, n_hidden, k
        self.persistent, self.hidden = bool(persistent), hidden
        self.lr, self.momentum, self.weight_decay = float(lr), float(momentum), float(weight_decay)
        self.sparsity_target, self.sparsity_cost = sparsity_target, float(sparsity_cost)
        self.sparsity_decay, self.init_std, self.seed = float(sparsity_decay), init_std, seed
        self._rng = backend.rng(seed)
        xp, f32 = backend.xp, backend.float32
        W = self._rng.normal((n_visible, n_hidden))
        W *= init_std
        self.W = Parameter(W, "W")
        self.vbias = Parameter(xp.zeros(n_visible, dtype=f32), "vbias")
        self.hbias = Parameter(xp.zeros(n_hidden, dtype=f32), "hbias")
        self._chain = None      # PCD: hidden states of the persistent chains
        self._q = None          # running mean hidden activation (sparsity)

    def reseed(self, seed):
        """Restart the model's random stream (samples, PCD chains) from ``seed``."""
        self._rng = backend.rng(seed)

    def default_optimizer(self):
        """``SGD(lr, momentum)``: Hinton's guide uses lr 0.1 / momentum 0.9 on MNIST."""
        from minidl.optimizers import SGD
        return SGD(self.lr, momentum=self.momentum)

    # --- input checks ----------------------------------------------------------------
    def _visible(self, v, where):
        """``v`` on the backend in the model's dtype, with shape and values checked."""
        if not hasattr(v, "shape"):
            raise ValueError(f"{self!r}.{where} needs an array, got {type(v).__name__}")
        v = backend.to_device(v, backend.name_of(backend.get_array_module(self.W.data)),
                              dtype=self.W.dtype)
        if v.ndim != 2 or v.shape[1] != self.n_visible:
            hint = " flatten images first, e.g. X.reshape(len(X), -1)." if v.ndim > 2 else ""
            raise ValueError(f"{self!r}.{where} got input of shape {tuple(v.shape)}: expected "
                             f"(batch, {self.n_visible}), one row per sample.{hint}")
        xp = backend.get_array_module(v)
        if v.size and not bool(xp.isfinite(v).all()):
            raise ValueError(f"{self!r}.{where}: the input contains NaN or infinite values; "
                             f"clean or impute the data first")
        self._check_values(v, where)
        return v

    def _check_values(self, v, where):
        """Subclasses refuse values their visible units cannot take."""

    # --- the hidden side ----------------------------------------------------------------
    def _visible_term(self, v):
        """What the hidden units see of v (v itself, or v/σ for Gaussian visibles)."""
        return v

    def _hidden_input(self, v):
        """Total input to the hidden units, a = c + v'W.  (B, D) -> (B, H)."""
        a = self._visible_term(v) @ self.W.data
        a += self.hbias.data
        return a

    def _mean_h(self, v):
        a = self._hidden_input(v)
        return sigmoid_(a) if self.hidden == "binary" else a

    def _sample_h_from_mean(self, ph):
        """A binary sample (u < p) or, for linear units, p + N(0, 1); ``ph`` is kept."""
        if self.hidden == "binary":
            u = self._rng.random(ph.shape, dtype=ph.dtype)
            return backend.get_array_module(ph).less(u, ph, out=u)   # 1.0 where u < p
        noise = self._rng.normal(ph.shape, dtype=ph.dtype)
        noise += ph
        return noise

    def mean_h(self, v):
        """E[h | v]: σ(c + vW) for binary units, c + vW for linear ones.  (B, D) -> (B, H)."""
        return self._mean_h(self._visible(v, "mean_h"))

    def sample_h(self, v):
        """One sample of h ~ p(h | v).  (B, D) -> (B, H)."""
        return self._sample_h_from_mean(self.mean_h(v))

    def _hidden_log_sum(self, a):
        """Σ_j log Σ_{h_j} exp(h_j a_j): softplus(a) for binary, a²/2 + ½log 2π for linear."""
        xp = backend.get_array_module(a)
        if self.hidden == "binary":
            return xp.logaddexp(0.0, a).sum(axis=1)
        return 0.5 * (a * a).sum(axis=1) + 0.5 * math.log(2 * math.pi) * a.shape[1]

    def sample_v(self, h):
        """One sample of v ~ p(v | h).  (B, H) -> (B, D)."""
        return self._sample_v_from_mean(self.mean_v(h))

    def free_energy(self, v):
        """F(v) = −log Σ_h exp(−E(v, h)), one value per row.  (B, D) -> (B,)."""
        return self._free_energy(self._visible(v, "free_energy"))

    # --- sampling -------------------------------------------------------------------------
    def gibbs(self, v, k=1):
        """k steps of block Gibbs sampling v → h → v; returns the last visible sample."""
        _positive_int(type(self).__name__, "k", k)
        v = self._visible(v, "gibbs")
        for _ in range(k):
            v = self._sample_v_from_mean(self.mean_v(self._sample_h_from_mean(self._mean_h(v))))
        return v

    def sample(self, n, steps=1000, init=None):
        """``n`` fantasies after ``steps`` Gibbs steps from ``init`` (default: random).

        Returns E[v | h] of the last hidden sample (smoother to look at than a binary v).
        """
        _positive_int(type(self).__name__, "n", n)
        v = self._random_visible(n) if init is None else self._visible(init, "sample")
        for _ in range(steps):
            v = self._sample_v_from_mean(self.mean_v(self._sample_h_from_mean(self._mean_h(v))))
        return self.mean_v(self._sample_h_from_mean(self._mean_h(v)))

    # --- what users call -----------------------------------------------------------------
    def transform(self, X):
        """Features P(h = 1 | v) (or E[h | v] for linear units).  (N, D) -> (N, H)."""
        return self.mean_h(X)

    def reconstruct(self, X):
        """Deterministic reconstruction E[v | h = E[h | v]].  (N, D) -> (N, D)."""
        return self.mean_v(self.mean_h(X))

    def evaluate(self, batch):
        """{"recon_error": mean Σ_i (v − v̂)², "free_energy": mean F(v)} of a batch."""
        v = self._visible(batch, "evaluate")
        return {"recon_error": self._sq_error(v, self.mean_v(self._mean_h(v))),
                "free_energy": float(self._free_energy(v).mean())}

    @staticmethod
    def _sq_error(v, recon):
        d = v - recon
        return float((d * d).sum()) / v.shape[0]

    def __repr__(self):
        return f"{type(self).__name__}({self.n_visible}, {self.n_hidden})"

    def get_config(self):
        keys = ("k", "persistent", "hidden", "lr", "momentum", "weight_decay",
                "sparsity_target", "sparsity_cost", "sparsity_decay", "init_std", "seed")
        return dict(n_visible=self.n_visible, n_hidden=self.n_hidden,
                    **{key: getattr(self, key) for key in keys})

    # --- contrastive divergence -----------------------------------------------------------
    def train_step(self, batch):
        """One CD-k (or PCD-k) update on a batch; returns {"recon_error": ...}.

        :meth:`accumulate_gradients`, then one optimizer step (which also zeroes the
        grads), then the subclass hook (the Gaussian RBM clips its σ).
        """
        if self.optimizer is None:
            self.optimizer = self.default_optimizer()
        metrics = self.accumulate_gradients(batch)
        self.apply_gradients()
        self._after_update()
        return metrics

    def accumulate_gradients(self, batch):
        """Add the CD-k / PCD-k estimate of −∂ mean log p(v)/∂θ into every ``grad``.

        Notes
        -----
        With B rows, positive statistics at the data v⁺ and negative ones at the
        chain's end v⁻ (a *sample*, so that the average over chains is an expectation
        under the model once they have mixed), the gradient added to ``grad`` is

            g_θ = (1/B) Σ_b ∂F(v⁺_b)/∂θ − (1/B) Σ_b ∂F(v⁻_b)/∂θ

        i.e. for W: (v⁻ᵀ P(h|v⁻) − v⁺ᵀ P(h|v⁺)) / B, "negative minus positive",
        so that the optimizer's θ ← θ − lr·g climbs the log-likelihood; plus the
        weight-decay and sparsity terms. Hidden expectations use probabilities, not
        samples (Hinton's guide, section 3). CD chains start at a hidden sample of
        the data; PCD chains continue from where the last update left them.
        Returns {"recon_error": Σ_i (v⁺ − E[v | h⁺])² averaged over the batch}, with
        h⁺ a hidden sample of the data: the guide's monitor, not the objective.
        """
        v = self._visible(batch, "train_step")
        ph = self._mean_h(v)                                    # (B, H)
        h_data = self._sample_h_from_mean(ph)
        if self.persistent:
            pv1 = self.mean_v(h_data)
            v_neg, ph_neg = self._negative_phase(self._chain_start(h_data))
            self._chain[:v.shape[0]] = self._sample_h_from_mean(ph_neg)
        else:
            v_neg, ph_neg, pv1 = self._negative_phase(h_data, keep_first=True)
        self._add_cd_grad(v, ph, v_neg, ph_neg, 1.0 / v.shape[0])
        self._add_regularisers(v, ph)
        return {"recon_error": self._sq_error(v, pv1)}

    def _add_cd_grad(self, v, ph, v_neg, ph_neg, scale):
        """grad += scale·(Σ ∂F(v⁺)/∂θ − Σ ∂F(v⁻)/∂θ): the readable two-call form."""
        self._add_free_energy_grad(v, ph, scale)
        self._add_free_energy_grad(v_neg, ph_neg, -scale)

    def _negative_phase(self, h, keep_first=False):
        """k Gibbs steps from hidden state h: (v⁻, P(h|v⁻)) and optionally E[v|h] of step 1."""
        first = None
        for step in range(self.k):
            pv = self.mean_v(h)
            if step == 0 and keep_first:
                first = pv.copy()
            v = self._sample_v_from_mean(pv)
            ph = self._mean_h(v)
            if step < self.k - 1:
                h = self._sample_h_from_mean(ph)
        return (v, ph, first) if keep_first else (v, ph)

    def _chain_start(self, h_data):
        """PCD: the persistent hidden states (started at the first batch's samples)."""
        b = h_data.shape[0]
        if self._chain is None or self._chain.shape[0] < b:
            xp = backend.get_array_module(h_data)
            old = self._chain if self._chain is not None else h_data[:0]
            self._chain = xp.concatenate([old, h_data[old.shape[0]:]])
        return self._chain[:b]

    def _add_regularisers(self, v, ph):
        """Weight decay λW on W, and the sparsity target's (q − p) on c and W."""
        if self.weight_decay:
            self.W.grad += self.weight_decay * self.W.data
        if self.sparsity_target is None:
            return
        current = ph.mean(axis=0)
        if self._q is None:
            self._q = current
        else:
            self._q *= self.sparsity_decay
            self._q += (1.0 - self.sparsity_decay) * current
        dq = self.sparsity_cost * (self._q - self.sparsity_target)      # (H,)
        self.hbias.grad += dq
        self.W.grad += self._visible_term(v).mean(axis=0)[:, None] * dq[None, :]

    def _after_update(self):
        """Hook after each optimizer step (the Gaussian RBM clips its σ here)."""

    def reset_chains(self):
        """Forget the persistent chains (PCD restarts from the next batch)."""
        self._chain = None

    def to(self, name):
        """Move the parameters to backend ``name``; chains and running means restart there."""
        self._chain, self._q = None, None
        return super().to(name)
