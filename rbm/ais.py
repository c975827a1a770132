"""Annealed importance sampling (AIS) of an RBM's log partition function.

Salakhutdinov & Murray (2008), "On the quantitative analysis of deep belief networks",
after Neal (2001). Anneal from a *base-rate* model p_A, whose Z_A is known, to the RBM
p_B through the intermediate distributions (0 = β_0 < β_1 < ... < β_K = 1)

    p*_k(v) = exp((1 − β_k) vᵀb_A + β_k vᵀb) · Π_j (1 + exp(β_k (c_j + (vW)_j)))

(p_A has weights 0 and visible biases b_A = logit of the data's smoothed pixel means,
so log Z_0 = Σ_i softplus(b_A,i) + H log 2, and p*_K(v) = exp(−F(v))). Each of M
chains starts with an exact sample v_1 ~ p_0 and moves by one Gibbs sweep T_k that
leaves p_k invariant (h ~ σ(β_k a), v ~ σ((1 − β_k) b_A + β_k (b + Wh))), collecting

    log w = Σ_{k=1..K} [log p*_k(v_k) − log p*_{k−1}(v_k)]

Then Z_B/Z_A ≈ mean(w): log Z = log Z_0 + log-mean-exp(log w), and by the delta
method its standard error is std(w) / (√M · mean(w)), computed from w / max(w).
"""
import math

from minidl import backend, checks
from minidl.layers.activations import sigmoid

__all__ = ["log_partition", "beta_schedule", "base_rate_biases"]


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
    v = model._visible(data, "ais base_rate_data").astype(backend.float64)
    p = (v.sum(axis=0) + 1.0) / (v.shape[0] + 2.0)
    return xp.log(p) - xp.log1p(-p)


def _check(model):
    from rbm.bernoulli import BernoulliRBM
    if not isinstance(model, BernoulliRBM) or model.hidden != "binary":
        raise TypeError(f"rbm.ais.log_partition supports BernoulliRBM with binary hidden "
                        f"units, got {model!r}; use log_partition_exact() for small models")


def log_partition(model, n_chains=100, n_betas=14500, seed=None, *, base_rate_data=None):
    """AIS estimate of log Z of a BernoulliRBM: returns (log_z, log_z_stderr).

    Parameters
    ----------
    model : BernoulliRBM with binary hidden units.
    n_chains : M >= 2 independent annealing runs (the paper used 100).
    n_betas : number of inverse temperatures, >= 4 (the paper used 14,500).
    seed : seeds every sample.
    base_rate_data : (N, D) data for the base-rate model's biases (recommended: the
        training set); None uses the uniform distribution (b_A = 0).
    """
    _check(model)
    n_chains = checks.integer("log_partition", "n_chains", n_chains, low=2)
    n_betas = checks.integer("log_partition", "n_betas", n_betas, low=4)
    seed = None if seed is None else checks.integer("log_partition", "seed", seed, low=0)
    betas = beta_schedule(n_betas)
    gen = backend.rng(seed)
    dtype = model.W.dtype
    W, b, c = model.W.data, model.vbias.data, model.hbias.data
    b_a64 = base_rate_biases(model, base_rate_data)
    xp = backend.get_array_module(W)
    b_a = b_a64.astype(dtype)
    db = (b - b_a).astype(dtype)                                      # b − b_A
    v = _bernoulli(gen, sigmoid(xp.broadcast_to(b_a, (n_chains, model.n_visible)).copy()))
    log_w = xp.zeros(n_chains, dtype=backend.float64)
    for k in range(1, len(betas)):
        prev, beta = betas[k - 1], betas[k]
        a = v @ W
        a += c                                                        # (M, H)
        step = (beta - prev) * (v @ db) + (xp.logaddexp(0.0, beta * a)
                                           - xp.logaddexp(0.0, prev * a)).sum(axis=1)
        log_w += step
        if k < len(betas) - 1:
            h = _bernoulli(gen, sigmoid(a * beta))
            va = h @ W.T
            va += b
            va *= beta
            va += (1.0 - beta) * b_a
            v = _bernoulli(gen, sigmoid(va))
    log_z0 = float(xp.logaddexp(0.0, b_a64).sum()) + model.n_hidden * math.log(2.0)
    return _log_mean_exp_with_stderr(log_w, log_z0)


def _bernoulli(gen, p):
    """A binary sample with P(1) = p, on p's device."""
    xp = backend.get_array_module(p)
    u = gen.random(p.shape, dtype=p.dtype, xp=xp)
    return xp.less(u, p, out=u)


def _log_mean_exp_with_stderr(log_w, log_z0):
    xp = backend.get_array_module(log_w)
    top = float(log_w.max())
    r = xp.exp(log_w - top)                                           # w / max(w)
    mean = float(r.mean())
    stderr = float(r.std(ddof=1)) / (math.sqrt(r.shape[0]) * mean)
    return log_z0 + top + math.log(mean), stderr
