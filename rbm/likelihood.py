"""Exact likelihood of small RBMs: enumerate one layer, sum the other analytically.

For a Bernoulli RBM with energy E(v, h) = −vᵀb − hᵀc − vᵀWh,

    Z = Σ_v Σ_h exp(−E(v, h))
      = Σ_v exp(−F(v))                      (sum h out:  F(v) = −vᵀb − Σ_j softplus(c_j + (vW)_j))
      = Σ_h exp(hᵀc + Σ_i softplus(b_i + (Wh)_i))   (sum v out instead)

so only the *smaller* layer has to be enumerated: 2^min(D, H) terms, taken in chunks
and combined with a log-sum-exp so nothing overflows. The average log-likelihood of
data is then mean_n(−F(v_n)) − log Z. Everything here runs in float64.
"""
import math

from minidl import backend

__all__ = ["binary_states", "log_sum_exp_states", "log_likelihood", "MAX_EXACT_BITS"]

#: Largest layer log_partition_exact enumerates (2^24 ≈ 16.8M states).
MAX_EXACT_BITS = 24
_CHUNK_BITS = 12


def binary_states(n, start, stop, xp, dtype=backend.float64):
    """Rows start..stop−1 of the 2^n binary vectors of length n (bit i = (index >> i) & 1)."""
    index = xp.arange(start, stop, dtype=xp.int64)[:, None]
    return ((index >> xp.arange(n, dtype=xp.int64)[None, :]) & 1).astype(dtype)


def log_sum_exp_states(n, log_weight, *, xp, max_bits=MAX_EXACT_BITS,
                       who="log_partition_exact"):
    """log Σ_s exp(log_weight(S)) over all 2^n binary states s, in chunks of 2^12.

    ``log_weight`` maps a (chunk, n) float64 array of states to (chunk,) log-weights;
    ``xp`` is the model's array module (the states are made there).
    """
    if n > max_bits:
        raise ValueError(f"{who}: enumerating 2^{n} states is too slow (limit 2^{max_bits}); "
                         f"estimate log Z with rbm.ais.log_partition(model, ...) instead")
    total, chunk = -math.inf, 1 << _CHUNK_BITS
    for start in range(0, 2 ** n, chunk):
        values = log_weight(binary_states(n, start, min(start + chunk, 2 ** n), xp))
        top = float(values.max())
        part = top + math.log(float(xp.exp(values - top).sum()))
        high, low = max(total, part), min(total, part)
        total = high + math.log1p(math.exp(low - high)) if low > -math.inf else high
    return total


def log_likelihood(model, X, log_z):
    """Mean log p(v) = mean_n(−F(v_n)) − log Z over the rows of X, as a Python float."""
    v = model._visible(X, "log_likelihood")
    model._check_binary(v, "log_likelihood")
    fe = model._free_energy(v).astype(backend.float64)
    return -float(fe.mean()) - float(log_z)
