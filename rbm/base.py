"""What every RBM shares: the hidden layer, Gibbs sampling and the CD-k / PCD update.

An RBM defines p(v, h) = exp(−E(v, h)) / Z. Summing out the hidden units gives the
*free energy* F(v), with p(v) = exp(−F(v)) / Z, and the gradient of the negative
log-likelihood of a batch is a difference of two expectations of ∂F/∂θ:

    −∂ log p(v)/∂θ = ∂F(v)/∂θ − E_{v'~model}[∂F(v')/∂θ]
                     (positive phase)   (negative phase)

Contrastive divergence (Hinton 2002) estimates the model expectation with samples
v⁻ from k steps of block Gibbs sampling h → v → h started at the data; persistent
CD (Tieleman 2008) keeps the chains running from one update to the next instead.
:meth:`RBM.accumulate_gradients` is that whole algorithm, top to bottom, in one
method; it writes the estimate into each Parameter's ``grad`` so a shared optimizer
(SGD with momentum, as in Hinton's practical guide) takes the step.

The visible side (binary, Gaussian) lives in the subclasses -- ``_mean_v``,
``_sample_v_from_mean``, ``_free_energy`` and its gradient ``_add_free_energy_grad``;
this class holds the hidden side, binary (logistic) or linear with unit-variance
Gaussian noise, and everything built on the conditionals.
"""
import math

from minidl import backend, checks, optimizers
from minidl.layers.activations import sigmoid
from minidl.model import Model
from minidl.parameter import Parameter
from rbm._inputs import check_hidden, check_visible

__all__ = ["RBM"]

_HIDDEN = ("binary", "linear")
#: Gibbs steps of ``sample`` when none are asked for: 200. A CD-1 model's long chains
#: drift onto the few modes it over-weights (CD-1 does not learn the model's equilibrium,
#: Tieleman 2008), so the samples lose classes as the chains run on. Measured with every
#: ``fit(X)`` default on mnist-5k, 100 chains from noise, classes by an MLP judge, seeds
#: 0-9 (``BernoulliRBM(784, 128)`` / ``DBN([784, 256, 256])``):
#:
#: ====== ============================ ============================
#: steps  BernoulliRBM(784, 128)        DBN([784, 256, 256])
#: ====== ============================ ============================
#: 100    8 9 10 10 8 7 8 8 8 8         9 10 8 10 9 10 8 8 10 8
#: 200    9 9 9 10 8 5 9 9 8 8          9 8 8 9 9 9 9 9 10 9
#: 1000   7 8 8 8 7 4 4 10 7 8          6 7 6 5 6 6 8 8 8 6
#: ====== ============================ ============================
#:
#: At 200 the DBN's samples carry 1.08x the data's ink (1000: 0.87x; 100: 1.23x, the
#: noise not yet gone). Ask for ``steps=`` to watch the drift.
DEFAULT_SAMPLE_STEPS = 200


class RBM(Model):
    """Base class of the RBMs: hidden units, Gibbs sampling, CD-k / PCD training.

    Parameters (common keywords)
    ----------------------------
    n_visible, n_hidden : int >= 1.
    k : int >= 1, Gibbs steps of the negative phase (CD-k / PCD-k).
    persistent : bool, keep the negative chains between updates (PCD, Tieleman 2008).
    hidden : "binary" (logistic units) or "linear" (h = c + vW + N(0, 1) noise).
    optimizer : None, an Optimizer or a name ("sgd", "adam", ...): what ``fit`` steps
        with unless ``fit(optimizer=...)`` says otherwise. None means
        :meth:`default_optimizer`, SGD(lr 0.01, momentum 0.9).
    weight_decay : λ >= 0, adds λW to W's gradient (the L2 "weight-cost" of Hinton's
        guide, section 10; biases are not decayed).
    sparsity_target : None or p in (0, 1): push the running mean activation q of each
        binary hidden unit towards p (Hinton's guide, section 11), adding
        sparsity_cost·(q − p) to the hidden biases' gradient and
        sparsity_cost·mean(v)ᵀ(q − p) to W's. q ← decay·q + (1 − decay)·mean(P(h|v)).
    init_std : W starts as N(0, init_std²) (0.01 in the guide); biases start at 0.
    seed : seeds the initial weights and every sample the model draws.
    epochs, batch_size : keyword-only, every minidl model's: how long ``fit(X)`` trains
        when fit is not told (None: :attr:`default_epochs` = 20 and
        :attr:`default_batch_size` = 20). Visible to ``get_params``, so ``GridSearchCV``
        can tune them.
    """

    #: learning rate of the default optimizer (subclasses change it).
    default_lr = 0.01
    #: ``fit(X)``'s training length when neither fit nor the constructor's ``epochs=`` /
    #: ``batch_size=`` give one: 20 epochs of batches of 20. scikit-learn's BernoulliRBM
    #: trains 10 epochs of 10, as many updates on a given X, but with gradients half as
    #: noisy the binary RBM's samples from noise cover the digits (measured in
    #: :class:`rbm.bernoulli.BernoulliRBM`'s docstring).
    default_epochs = 20
    default_batch_size = 20

    def __init__(self, n_visible, n_hidden, *, k=1, persistent=False, hidden="binary",
                 optimizer=None, weight_decay=0.0, sparsity_target=None, sparsity_cost=0.1,
                 sparsity_decay=0.9, init_std=0.01, seed=None):
        cls = type(self).__name__
        self.n_visible = checks.positive_int(cls, "n_visible", n_visible)
        self.n_hidden = checks.positive_int(cls, "n_hidden", n_hidden)
        self.k = checks.positive_int(cls, "k", k)
        self.persistent = bool(persistent)
        self.hidden = checks.one_of(cls, "hidden", hidden, _HIDDEN)
        self.weight_decay = checks.number(cls, "weight_decay", weight_decay, low=0)
        if sparsity_target is not None:
            sparsity_target = checks.number(cls, "sparsity_target", sparsity_target,
                                            low=0, high=1, low_open=True, high_open=True)
            if hidden != "binary":
                raise ValueError(f"{cls}: sparsity_target={sparsity_target!r} needs binary "
                                 f"hidden units (hidden='binary'), got hidden={hidden!r}; "
                                 f"drop sparsity_target or use binary units")
        self.sparsity_target = sparsity_target
        self.sparsity_cost = checks.number(cls, "sparsity_cost", sparsity_cost, low=0)
        self.sparsity_decay = checks.number(cls, "sparsity_decay", sparsity_decay,
                                            low=0, high=1, high_open=True)
        self.init_std = checks.number(cls, "init_std", init_std, low=0)
        self.seed = None if seed is None else checks.integer(cls, "seed", seed, low=0)
        self.optimizer = None if optimizer is None else optimizers.get(optimizer, owner=cls)
        self._rng = backend.rng(self.seed)
        xp, f32 = backend.xp, backend.float32      # built on the current backend
        W = self._rng.normal((self.n_visible, self.n_hidden), xp=xp)
        W *= self.init_std
        self.W = Parameter(W, "W")
        self.vbias = Parameter(xp.zeros(self.n_visible, dtype=f32), "vbias")
        self.hbias = Parameter(xp.zeros(self.n_hidden, dtype=f32), "hbias")
        self._chain = None      # PCD: hidden states of the persistent chains
        self._q = None          # running mean hidden activation (sparsity)

    def reseed(self, seed):
        """Restart the model's random stream (samples, PCD chains) from ``seed``."""
        self._rng = backend.rng(seed)

    def default_optimizer(self):
        """``SGD(default_lr, momentum=0.9)``: momentum as Hinton's guide ends it (0.5 → 0.9);
        the rate is 0.01 for both kinds of visible units (see the subclasses)."""
        return optimizers.SGD(self.default_lr, momentum=0.9)

    # --- input checks (rbm/_inputs.py) -------------------------------------------------
    def _visible(self, v, where):
        """``v`` on the model's device in its dtype, shape and values checked."""
        return check_visible(self, v, where)

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
        return sigmoid(a, out=a) if self.hidden == "binary" else a

    def _sample_h_from_mean(self, ph, gen=None):
        """A binary sample (u < p) or, for linear units, p + N(0, 1); ``ph`` is kept."""
        gen, xp = gen or self._rng, backend.get_array_module(ph)
        if self.hidden == "binary":
            u = gen.random(ph.shape, dtype=ph.dtype, xp=xp)
            return xp.less(u, ph, out=u)                          # 1.0 where u < p
        noise = gen.normal(ph.shape, dtype=ph.dtype, xp=xp)
        noise += ph
        return noise

    def _hidden_log_sum(self, a):
        """Σ_j log Σ_{h_j} exp(h_j a_j): softplus(a) for binary, a²/2 + ½log 2π for linear."""
        xp = backend.get_array_module(a)
        if self.hidden == "binary":
            return xp.logaddexp(0.0, a).sum(axis=1)
        return 0.5 * (a * a).sum(axis=1) + 0.5 * math.log(2 * math.pi) * a.shape[1]

    # --- the conditionals, for users --------------------------------------------------------
    def mean_h(self, v):
        """E[h | v]: σ(c + vW) for binary units, c + vW for linear ones.  (B, D) -> (B, H)."""
        return self._mean_h(self._visible(v, "mean_h"))

    def sample_h(self, v):
        """One sample of h ~ p(h | v).  (B, D) -> (B, H)."""
        return self._sample_h_from_mean(self.mean_h(v))

    def mean_v(self, h):
        """E[v | h] (the subclass's visible units).  (B, H) -> (B, D)."""
        return self._mean_v(check_hidden(self, h, "mean_v"))

    def sample_v(self, h):
        """One sample of v ~ p(v | h).  (B, H) -> (B, D)."""
        return self._sample_v_from_mean(self.mean_v(h))

    def free_energy(self, v):
        """F(v) = −log Σ_h exp(−E(v, h)), one value per row.  (B, D) -> (B,)."""
        return self._free_energy(self._visible(v, "free_energy"))

    # --- sampling -------------------------------------------------------------------------
    def _gibbs_chain(self, v, steps, gen):
        """``steps`` sweeps v → h ~ p(h|v) → v ~ p(v|h); returns the last v."""
        for _ in range(steps):
            h = self._sample_h_from_mean(self._mean_h(v), gen)
            v = self._sample_v_from_mean(self._mean_v(h), gen)
        return v

    def gibbs(self, v, k=1):
        """k steps of block Gibbs sampling v → h → v; returns the last visible sample."""
        k = checks.positive_int(f"{self!r}.gibbs", "k", k)
        return self._gibbs_chain(self._visible(v, "gibbs"), k, self._rng)

    def sample(self, n, *, steps=None, init=None, seed=None):
        """``n`` fantasies after ``steps`` Gibbs sweeps (default 200) from ``init``.

        ``init`` is an (n, n_visible) batch to start from (default: noise drawn from
        p(v | h = 0), the visible units alone: Bernoulli(σ(b)) or N(b, σ²));
        ``seed`` draws from a generator of its own (default: the model's stream).
        Returns E[v | h] of the last hidden sample (smoother to look at than a binary v).
        """
        owner = f"{self!r}.sample"
        n = checks.positive_int(owner, "n", n)
        steps = DEFAULT_SAMPLE_STEPS if steps is None else checks.integer(owner, "steps",
                                                                          steps, low=0)
        gen = self._rng if seed is None else backend.rng(seed)
        if init is None:
            v = self._random_visible(n, gen)
        else:
            v = self._visible(init, "sample(init=...)")
            if v.shape[0] != n:
                raise ValueError(f"{owner}: init has {v.shape[0]} rows but n={n}; pass "
                                 f"n=len(init)")
        v = self._gibbs_chain(v, steps, gen)
        return self._mean_v(self._sample_h_from_mean(self._mean_h(v), gen))

    # --- what users call -----------------------------------------------------------------
    def fit(self, X, y=None, *, validation_data=None, **kwargs):
        """Train by CD-k / PCD-k with :func:`minidl.training.fit`; returns ``self``.

        Keywords as :func:`minidl.training.fit` (epochs, batch_size, optimizer, seed,
        callbacks, validation_data, verbose); without epochs / batch_size the
        constructor's are used, else 10 and 10 (:attr:`default_epochs`). ``y`` is
        ignored (unsupervised, as scikit-learn's Pipeline expects). X may be an
        array-like (a list of rows, a DataFrame). The whole of X (and the validation
        data) is checked before any weight moves.
        """
        X = self._visible(X, "fit")
        if validation_data is not None:
            validation_data = self._visible(validation_data, "fit(validation_data=...)")
        return super().fit(X, validation_data=validation_data, **kwargs)

    def check_data(self, x, *, name="X", where="fit"):
        """The hook ``minidl.training.fit`` calls on X and X_val before any weight moves."""
        self._visible(x, f"{where}({name})")

    def transform(self, X):
        """Features P(h = 1 | v) (or E[h | v] for linear units).  (N, D) -> (N, H)."""
        return self.mean_h(X)

    def inverse_transform(self, H):
        """Back down: E[v | h].  (N, H) -> (N, D)."""
        return self.mean_v(H)

    def reconstruct(self, X):
        """Deterministic reconstruction E[v | h = E[h | v]].  (N, D) -> (N, D)."""
        return self._mean_v(self.mean_h(X))

    def evaluate(self, batch):
        """{"recon_error": mean Σ_i (v − v̂)², "free_energy": mean F(v)} of a batch."""
        v = self._visible(batch, "evaluate")
        return backend.to_floats({"recon_error": self._sq_error(v, self._mean_v(self._mean_h(v))),
                                  "free_energy": backend.scalar(self._free_energy(v).mean())})

    @staticmethod
    def _sq_error(v, recon):
        """mean_b Σ_i (v − v̂)², a scalar on the model's device (no host sync)."""
        d = v - recon
        return backend.scalar((d * d).sum()) / v.shape[0]

    def __repr__(self):
        return f"{type(self).__name__}({self.n_visible}, {self.n_hidden})"

    def get_config(self):
        """The constructor keywords that shape the model and its objective (JSON-able).

        An Optimizer *object* is training state, not part of the model: only an
        optimizer given by name is stored.
        """
        keys = ("k", "persistent", "hidden", "weight_decay", "sparsity_target",
                "sparsity_cost", "sparsity_decay", "init_std", "seed")
        config = dict(n_visible=self.n_visible, n_hidden=self.n_hidden,
                      **{key: getattr(self, key) for key in keys})
        if isinstance(self.get_params().get("optimizer"), str):
            config["optimizer"] = self.get_params()["optimizer"]
        return config

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
        With B rows, statistics at the data v⁺ and at the chains' ends v⁻ (a *sample*,
        so that the average over chains is an expectation under the model once they
        have mixed), the gradient added to ``grad`` is

            g_θ = (1/B) Σ_b ∂F(v⁺_b)/∂θ − (1/B) Σ_b ∂F(v⁻_b)/∂θ   (+ λW, + sparsity)

        for W: (v⁻ᵀ P(h|v⁻) − v⁺ᵀ P(h|v⁺)) / B, "negative minus positive", so that the
        optimizer's θ ← θ − lr·g climbs the log-likelihood. Hidden statistics use
        probabilities, not samples (Hinton's guide, section 3). CD chains start at a
        hidden sample of the data; PCD chains continue where the last update left them.
        Returns {"recon_error": Σ_i (v⁺ − E[v | h⁺])² averaged over the batch}, h⁺ a
        hidden sample of the data: the guide's monitor, not the objective.
        """
        v_pos = self._visible(batch, "train_step")
        B = v_pos.shape[0]
        # 1. positive phase: p⁺ = P(h | v⁺), and h⁺ ~ p(h | v⁺)
        ph_pos = self._mean_h(v_pos)                                # (B, H)
        h = self._sample_h_from_mean(ph_pos)
        pv_recon = self._mean_v(h)                                  # E[v | h⁺], the monitor
        # 2. where the chains start: CD at h⁺, PCD at the persistent states
        if self.persistent:
            h = self._chain_start(h)
        # 3. k Gibbs sweeps h → v⁻ ~ p(v | h) → h ~ p(h | v⁻)
        for step in range(self.k):
            pv = pv_recon if (step == 0 and not self.persistent) else self._mean_v(h)
            v_neg = self._sample_v_from_mean(pv)
            ph_neg = self._mean_h(v_neg)                            # p⁻ = P(h | v⁻)
            if self.persistent or step + 1 < self.k:                # CD drops the last h
                h = self._sample_h_from_mean(ph_neg)
        if self.persistent:
            self._chain[:B] = h                                     # the chains go on
        # 4. the gradient: g = (1/B)[Σ ∂F(v⁺)/∂θ − Σ ∂F(v⁻)/∂θ]; for binary units
        #    g_W = (v⁻ᵀp⁻ − v⁺ᵀp⁺)/B,  g_b = mean(v⁻ − v⁺),  g_c = mean(p⁻ − p⁺)
        self._add_free_energy_grad(v_pos, ph_pos, 1.0 / B)
        self._add_free_energy_grad(v_neg, ph_neg, -1.0 / B)
        # 5. weight decay on W only: g_W += λW
        if self.weight_decay:
            self.W.grad += self.weight_decay * self.W.data
        # 6. sparsity: q ← decay·q + (1 − decay)·mean(p⁺);
        #    g_c += s(q − p),  g_W += s·mean(v)ᵀ(q − p)
        if self.sparsity_target is not None:
            q = ph_pos.mean(axis=0)
            if self._q is not None:
                q = self.sparsity_decay * self._q + (1.0 - self.sparsity_decay) * q
            self._q = q
            dq = self.sparsity_cost * (q - self.sparsity_target)    # (H,)
            self.hbias.grad += dq
            self.W.grad += self._visible_term(v_pos).mean(axis=0)[:, None] * dq[None, :]
        return {"recon_error": self._sq_error(v_pos, pv_recon)}

    def _chain_start(self, h_data):
        """PCD: the persistent hidden states (started at the first batch's samples).

        The chains are as many as the largest batch seen; a smaller batch uses the first ones.
        """
        b = h_data.shape[0]
        if self._chain is None or self._chain.shape[0] < b:
            xp = backend.get_array_module(h_data)
            old = self._chain if self._chain is not None else h_data[:0]
            self._chain = xp.concatenate([old, h_data[old.shape[0]:]])
        return self._chain[:b]

    def _after_update(self):
        """Hook after each optimizer step (the Gaussian RBM clips its σ here)."""

    def reset_chains(self):
        """Forget the persistent chains (PCD restarts from the next batch)."""
        self._chain = None

    def to(self, name):
        """Move the parameters to backend ``name``; chains and running means restart there."""
        self._chain, self._q = None, None
        return super().to(name)
