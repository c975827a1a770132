"""Annealed importance sampling (AIS) of an RBM's log partition function, both ways.

Salakhutdinov & Murray (2008), "On the quantitative analysis of deep belief networks",
after Neal (2001). Anneal between a *base-rate* model p_0, whose Z_0 is known, and the
RBM p_K through the intermediate distributions (0 = β_0 < β_1 < ... < β_K = 1)

    f_k(v) = exp((1 − β_k) vᵀb_A + β_k vᵀb) · Π_j (1 + exp(β_k (c_j + (vW)_j)))

(p_0 has weights 0 and visible biases b_A = logit of the data's smoothed pixel means,
so log Z_0 = Σ_i softplus(b_A,i) + H log 2, and f_K(v) = exp(−F(v))). T_k is one Gibbs
sweep that leaves p_k = f_k / Z_k invariant (h ~ σ(β_k a), v ~ σ((1 − β_k) b_A + β_k (b + Wh))).

**Forward AIS** (:func:`log_partition`). Each of M chains starts with an exact sample
v_1 ~ p_0 and moves by v_{k+1} ~ T_k(v_k), collecting

    log w = Σ_{k=1..K} [log f_k(v_k) − log f_{k−1}(v_k)],     E[w] = Z_K / Z_0,

so log Ẑ = log Z_0 + log mean(w). By Jensen's inequality E[log mean(w)] ≤ log E[w]:
**forward AIS underestimates log Z in expectation**, and a log-likelihood
mean(−F(v)) − log Ẑ computed from it is *optimistic* (too high). When the annealing is
too short for the model, the shortfall is large and the error bar does not show it.

**Reverse AIS** (:func:`log_partition_reverse`; Burda, Grosse & Salakhutdinov 2015,
section 3). The same chain run backwards: start from samples v_K ~ p_K of the RBM
itself, move by v_{k−1} ~ T_{k−1}(v_k), and collect

    log w̃ = Σ_{k=1..K} [log f_{k−1}(v_k) − log f_k(v_k)],     E[w̃] = Z_0 / Z_K

(each T_k leaves p_k invariant, so Σ_{v_k} f_k(v_k) T_k(v_k, v_{k−1}) = f_k(v_{k−1}) and
the sums telescope). Then log Ẑ = log Z_0 − log mean(w̃), and Jensen now points the other
way: E[−log mean(w̃)] ≥ −log E[w̃], so **reverse AIS overestimates log Z in expectation**
and its log-likelihood is *pessimistic*. Exact samples of a large RBM do not exist; in
practice the chains start from data (optionally after Gibbs sweeps of the RBM), as PyDeep
does. The guarantee then holds only approximately: data sit where the RBM puts high
probability, which makes w̃ smaller still (more pessimistic) unless the RBM has modes
the data never visit -- and MNIST RBMs have them. Measured on a 784-20 RBM (PCD-1, 3
epochs on full MNIST) whose log Z enumeration gives exactly, 184.66: forward AIS with
2,000 betas x 100 chains 184.16 ± 0.29 (below, as it should be); reverse AIS from 100
training digits after 1,000 Gibbs sweeps 181.35 ± 0.22, *also below*: started from data,
reverse AIS is no upper bound on log Z. (Burda et al.'s RAISE is a different, per-test-digit estimator of
log p(v); this module estimates log Z.) Together: E[log Ẑ_forward] ≤ log Z ≤ E[log Ẑ_reverse].

Both report, by the delta method, the standard error of log Ẑ, std(w) / (√M · mean(w)),
computed from w / max(w). It measures the spread of the weights, not the bias above.

**Both on one path** (:func:`log_partition_bounds`). Forward AIS's final states v_K with
weights w are a weighted sample of p_K (E_{p_K}[g] ≈ Σ w g(v_K) / Σ w); resampling them in
proportion to w (sampling-importance-resampling) gives approximate samples of the RBM --
including the modes that only annealing from β = 0 found -- and reverse AIS starts from
those. Measured on PyDeep's centered 784-500 RBM recipe (row 6b of the papers table, 2,000
betas x 100 chains): forward log Z 967.08 with an effective sample size of 1.0 (one chain
held 99.5% of the weight); reverse AIS from 100 training digits after 1,000 sweeps 959.44,
from base-rate noise after 10,000 sweeps 963.76 -- both *below* the forward figure, so no
bound -- and from the resampled forward states 971.25, above it: a bracket 4.2 nats wide.
With the paper's 14,500 betas: forward 968.60 (effective sample size 1.1), reverse from
digits 961.32, reverse from the resampled states 981.54 -- a bracket of 12.9 nats, close
to the width of PyDeep's own on the same recipe (11.75). The effective sample size
(Σ w)² / Σ w² is returned with it: near 1, one chain carries the forward estimate and its
error bar means little.
"""
import math

from minidl import backend, checks
from minidl.layers.activations import sigmoid
from rbm.bernoulli import data_log_odds

__all__ = ["log_partition", "log_partition_reverse", "log_partition_bounds", "beta_schedule",
           "base_rate_biases"]


def beta_schedule(n_betas):
    """The paper's schedule scaled to ``n_betas`` inverse temperatures, from 0 to 1.

    Salakhutdinov & Murray spend 500 steps on [0, 0.5], 4,000 on [0.5, 0.9] and
    10,000 on [0.9, 1] (14,500 in all): equal steps within each segment, steps 10x
    then 100x finer near β = 1 where the distributions change fastest.
    """
    n_betas = checks.integer("beta_schedule", "n_betas", n_betas, low=4)
    counts = [max(1, round(n_betas * f)) for f in (500 / 14500, 4000 / 14500)]
    counts.append(max(1, n_betas - 1 - sum(counts)))
    edges = [0.0, 0.5, 0.9, 1.0]
    betas = [edges[i] + (edges[i + 1] - edges[i]) * j / counts[i]
             for i in range(3) for j in range(counts[i])]
    return betas + [1.0]


def base_rate_biases(model, data=None):
    """b_A = log(p̄ / (1 − p̄)), p̄ = (Σ_n v_n + 1) / (N + 2) (add-one smoothing); 0 if no data."""
    xp = backend.get_array_module(model.W.data)
    if data is None:
        return xp.zeros(model.n_visible, dtype=backend.float64)
    return data_log_odds(model._visible(data, "ais base_rate_data"))


def _check(model, who):
    from rbm.bernoulli import BernoulliRBM
    if not isinstance(model, BernoulliRBM) or model.hidden != "binary":
        raise TypeError(f"rbm.ais.{who} supports BernoulliRBM with binary hidden "
                        f"units, got {model!r}; use log_partition_exact() for small models")


def _standard_form(model):
    """(W, b, c, shift): the plain energy −vᵀb − hᵀc − vᵀWh with log Z = log Z(W, b, c) − shift.

    A plain RBM is its own standard form (shift 0); a centered RBM gives its equivalent
    one (:meth:`rbm.centered.CenteredBernoulliRBM.standard_form`).
    """
    if hasattr(model, "standard_form"):
        return model.standard_form()
    return model.W.data, model.vbias.data, model.hbias.data, 0.0


class _Annealing:
    """The path f_0 → f_K of one RBM: log-weight increments and the Gibbs sweeps T_k."""

    def __init__(self, model, base_rate_data, n_betas, seed):
        self.betas = beta_schedule(n_betas)
        self.gen = backend.rng(seed)
        W, b, c, self.shift = _standard_form(model)
        self.dtype = model.W.dtype
        self.W, self.b, self.c = W, b, c
        b_a64 = base_rate_biases(model, base_rate_data)
        self.xp = backend.get_array_module(W)
        self.b_a = b_a64.astype(self.dtype)
        self.db = (b - self.b_a).astype(self.dtype)                   # b − b_A
        self.log_z0 = (float(self.xp.logaddexp(0.0, b_a64).sum())
                       + model.n_hidden * math.log(2.0))

    def hidden_input(self, v):
        a = v @ self.W
        a += self.c
        return a                                                      # (M, H)

    def log_ratio(self, v, a, to, frm):
        """log f_to(v) − log f_frm(v) = (to − frm) vᵀ(b − b_A) + Σ_j [sp(to·a_j) − sp(frm·a_j)]."""
        xp = self.xp
        return (to - frm) * (v @ self.db) + (xp.logaddexp(0.0, to * a)
                                             - xp.logaddexp(0.0, frm * a)).sum(axis=1)

    def sweep(self, a, beta):
        """v' ~ T_β: h ~ σ(β a), v' ~ σ((1 − β) b_A + β (b + Wh)); ``a`` is c + vW of the old v."""
        h = _bernoulli(self.gen, sigmoid(a * beta))
        va = h @ self.W.T
        va += self.b
        va *= beta
        va += (1.0 - beta) * self.b_a
        return _bernoulli(self.gen, sigmoid(va))


def _arguments(who, model, n_chains, n_betas, seed):
    _check(model, who)
    if n_chains is not None:
        checks.integer(who, "n_chains", n_chains, low=2)
    n_betas = checks.integer(who, "n_betas", n_betas, low=4)
    seed = None if seed is None else checks.integer(who, "seed", seed, low=0)
    return n_betas, seed


def log_partition(model, n_chains=100, n_betas=14500, seed=None, *, base_rate_data=None):
    """Forward AIS estimate of log Z of a BernoulliRBM: returns (log_z, log_z_stderr).

    In expectation an *under*-estimate of log Z (an optimistic log-likelihood); see the
    module docstring.

    Parameters
    ----------
    model : BernoulliRBM (or a centered one) with binary hidden units.
    n_chains : M >= 2 independent annealing runs (the paper used 100).
    n_betas : number of inverse temperatures, >= 4 (the paper used 14,500).
    seed : seeds every sample.
    base_rate_data : (N, D) data for the base-rate model's biases (recommended: the
        training set); None uses the uniform distribution (b_A = 0).
    """
    n_betas, seed = _arguments("log_partition", model, n_chains, n_betas, seed)
    path = _Annealing(model, base_rate_data, n_betas, seed)
    log_w, _ = _forward(path, n_chains, model.n_visible)
    return _log_mean_exp_with_stderr(log_w, path.log_z0, path.shift)


def _forward(path, n_chains, n_visible):
    """(log w, v_K): forward AIS's log-weights and final states, (M,) and (M, D)."""
    betas, xp = path.betas, path.xp
    v = _bernoulli(path.gen, sigmoid(xp.broadcast_to(path.b_a, (n_chains, n_visible))
                                     .copy()))                       # v_1 ~ p_0, exactly
    log_w = xp.zeros(n_chains, dtype=backend.float64)
    for k in range(1, len(betas)):
        a = path.hidden_input(v)
        log_w += path.log_ratio(v, a, betas[k], betas[k - 1])         # log f_k − log f_{k−1}
        if k < len(betas) - 1:
            v = path.sweep(a, betas[k])                               # v_{k+1} ~ T_k(v_k)
    return log_w, v


def log_partition_bounds(model, n_chains=100, n_betas=14500, seed=None, *,
                         base_rate_data=None):
    """Forward and reverse AIS of log Z on one path, reverse started from forward's samples.

    Returns a dict: ``forward`` and ``forward_stderr`` (as :func:`log_partition`: an
    under-estimate in expectation), ``reverse`` and ``reverse_stderr`` (reverse AIS from
    the forward chains' final states resampled in proportion to their weights: approximate
    samples of the RBM, so an over-estimate in expectation as far as they are), and
    ``ess``, the forward weights' effective sample size (Σ w)² / Σ w², between 1 and M.
    See the module docstring ("Both on one path") for why the reverse start matters.
    Arguments as :func:`log_partition`; the reverse pass uses the same temperatures.
    """
    n_betas, seed = _arguments("log_partition_bounds", model, n_chains, n_betas, seed)
    path = _Annealing(model, base_rate_data, n_betas, seed)
    log_w, v_final = _forward(path, n_chains, model.n_visible)
    forward, forward_err = _log_mean_exp_with_stderr(log_w, path.log_z0, path.shift)
    w = backend.to_host(path.xp.exp(log_w - log_w.max()))            # (M,) host, max 1
    p = w / w.sum()
    u = path.gen.integers(0, 2 ** 53, (n_chains,)) / 2.0 ** 53           # host uniforms
    picks = p.cumsum().searchsorted(u, side="right").clip(max=n_chains - 1)  # i w.p. p_i
    start = v_final[path.xp.asarray(picks)]
    reverse, reverse_err = log_partition_reverse(
        model, start, n_betas, None if seed is None else seed + 1,
        base_rate_data=base_rate_data)
    return {"forward": forward, "forward_stderr": forward_err, "reverse": reverse,
            "reverse_stderr": reverse_err, "ess": float(1.0 / (p * p).sum())}


def log_partition_reverse(model, start, n_betas=14500, seed=None, *, burn_in=0,
                          base_rate_data=None):
    """Reverse AIS estimate of log Z of a BernoulliRBM: returns (log_z, log_z_stderr).

    In expectation an *over*-estimate of log Z (a pessimistic log-likelihood) when the
    chains start from exact samples of the RBM; see the module docstring.

    Parameters
    ----------
    model : BernoulliRBM (or a centered one) with binary hidden units.
    start : (M, D) binary visible states, M >= 2: where the M chains start. Exact
        samples of the model where they exist (small RBMs); otherwise data, e.g. test
        digits, which the RBM's Gibbs chains then move from (``burn_in``).
    n_betas : number of inverse temperatures, >= 4 (the same schedule as forward AIS,
        walked from β = 1 down to 0).
    seed : seeds every sample.
    burn_in : Gibbs sweeps of the RBM itself (β = 1) from ``start`` before annealing.
    base_rate_data : as :func:`log_partition` (use the same data for both estimates).
    """
    n_betas, seed = _arguments("log_partition_reverse", model, None, n_betas, seed)
    burn_in = checks.integer("log_partition_reverse", "burn_in", burn_in, low=0)
    v = model._visible(start, "log_partition_reverse(start=...)")
    if v.shape[0] < 2:
        raise ValueError(f"log_partition_reverse: start has {v.shape[0]} row(s), expected "
                         f"at least 2 chains (one row each); pass more starting states")
    model._check_binary(v, "log_partition_reverse(start=...)")
    path = _Annealing(model, base_rate_data, n_betas, seed)
    betas, xp = path.betas, path.xp
    for _ in range(burn_in):
        v = path.sweep(path.hidden_input(v), 1.0)
    log_w = xp.zeros(v.shape[0], dtype=backend.float64)
    for k in range(len(betas) - 1, 0, -1):
        a = path.hidden_input(v)
        log_w += path.log_ratio(v, a, betas[k - 1], betas[k])         # log f_{k−1} − log f_k
        if k > 1:
            v = path.sweep(a, betas[k - 1])                           # v_{k−1} ~ T_{k−1}(v_k)
    log_z, stderr = _log_mean_exp_with_stderr(log_w, 0.0, 0.0)
    return path.log_z0 - log_z - path.shift, stderr


def _bernoulli(gen, p):
    """A binary sample with P(1) = p, on p's device."""
    xp = backend.get_array_module(p)
    u = gen.random(p.shape, dtype=p.dtype, xp=xp)
    return xp.less(u, p, out=u)


def _log_mean_exp_with_stderr(log_w, log_z0, shift):
    """(log_z0 + log mean(w) − shift, std(w) / (√M mean(w))), from w / max(w)."""
    xp = backend.get_array_module(log_w)
    top = float(log_w.max())
    r = xp.exp(log_w - top)                                           # w / max(w)
    mean = float(r.mean())
    stderr = float(r.std(ddof=1)) / (math.sqrt(r.shape[0]) * mean)
    return log_z0 + top + math.log(mean) - shift, stderr
