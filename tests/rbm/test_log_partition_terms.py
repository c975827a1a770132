"""The exact log Z combines every term of its sum: within a chunk of states and across chunks.

``rbm.likelihood.log_sum_exp_states`` sums exp(log_weight(s)) over 2^n states in chunks of
2^12, each chunk by a log-sum-exp and the chunks by log(e^a + e^b) = a + log1p(e^(b − a)).
When the terms are close (small weights: every state about as likely) none of them is
negligible, so keeping only the largest term or the largest chunk is off by up to log 2^n.
Checked against a direct float64 sum over all states at once (no chunks), and against the
closed form of an RBM without weights, Z = Π_i (1 + e^(b_i)) Π_j (1 + e^(c_j)).
"""
import numpy
import pytest
from hypothesis import given, settings, strategies as st

from minidl import backend
from rbm import BernoulliRBM
from rbm.likelihood import log_sum_exp_states


def all_states(n):
    """The 2^n binary vectors, bit i of row k = (k >> i) & 1 (float64, host)."""
    k = numpy.arange(2 ** n)[:, None]
    return ((k >> numpy.arange(n)[None, :]) & 1).astype(numpy.float64)


def direct_log_sum(log_weights):
    top = log_weights.max()
    return top + numpy.log(numpy.exp(log_weights - top).sum())


@settings(max_examples=10)
@given(n=st.sampled_from([3, 12, 13, 14]), seed=st.integers(0, 2**16),
       scale=st.sampled_from([0.01, 0.5, 3.0]))
def test_log_sum_exp_states_equals_the_direct_sum(n, seed, scale):
    """n = 13 and 14 span 2 and 4 chunks; at scale 3 many terms are small, not negligible."""
    w = numpy.random.default_rng(seed).standard_normal(n) * scale

    def log_weight(s):
        return s @ backend.to_device(w, dtype=numpy.float64)

    got = log_sum_exp_states(n, log_weight, xp=backend.xp)
    assert got == pytest.approx(direct_log_sum(all_states(n) @ w), rel=1e-12, abs=1e-12)


def test_one_chunk_that_is_small_but_not_negligible_counts():
    """States 0..4095 weigh e^0, states 4096..8191 weigh e^(−3): log Z = log(4096 (1 + e^(−3)))."""
    def log_weight(s):
        return -3.0 * s[:, 12]

    expected = numpy.log(4096.0) + numpy.log1p(numpy.exp(-3.0))
    assert log_sum_exp_states(13, log_weight, xp=backend.xp) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("n_visible, n_hidden", [(13, 14), (5, 4)])
def test_rbm_without_weights_has_the_product_partition_function(n_visible, n_hidden):
    model = BernoulliRBM(n_visible, n_hidden, seed=0)
    gen = numpy.random.default_rng(1)
    b, c = gen.standard_normal(n_visible) * 0.3, gen.standard_normal(n_hidden) * 0.3
    model.W.data[...] = 0
    model.vbias.data[...] = backend.to_device(b, dtype=model.vbias.dtype)
    model.hbias.data[...] = backend.to_device(c, dtype=model.hbias.dtype)
    b, c = (backend.to_host(p.data).astype(numpy.float64) for p in (model.vbias, model.hbias))
    expected = numpy.logaddexp(0, b).sum() + numpy.logaddexp(0, c).sum()
    assert model.log_partition_exact() == pytest.approx(expected, rel=1e-10)


def test_rbm_log_partition_with_small_weights_equals_the_direct_sum():
    """13 hidden units (2 chunks), small weights: every hidden state matters."""
    model = BernoulliRBM(14, 13, seed=0)
    gen = numpy.random.default_rng(2)
    for p in (model.W, model.vbias, model.hbias):
        p.data[...] = backend.to_device(gen.standard_normal(p.shape) * 0.1, dtype=p.dtype)
    W, b, c = (backend.to_host(p.data).astype(numpy.float64)
               for p in (model.W, model.vbias, model.hbias))
    H = all_states(13)
    log_weights = H @ c + numpy.logaddexp(0, H @ W.T + b).sum(axis=1)
    assert model.log_partition_exact() == pytest.approx(direct_log_sum(log_weights), rel=1e-10)


def test_log_partition_enumerates_the_smaller_layer_either_way():
    """40 x 3 enumerates the 8 hidden states, 3 x 40 the 8 visible ones; both equal the direct
    sum of their formula (a test once only asked the 40 x 3 value to be finite)."""
    for d, h in [(40, 3), (3, 40)]:
        model = BernoulliRBM(d, h, seed=0)
        gen = numpy.random.default_rng(d)
        for p in (model.W, model.vbias, model.hbias):
            p.data[...] = backend.to_device(gen.standard_normal(p.shape) * 0.3, dtype=p.dtype)
        W, b, c = (backend.to_host(p.data).astype(numpy.float64)
                   for p in (model.W, model.vbias, model.hbias))
        S = all_states(3)
        if h == 3:   # Σ_h exp(hᵀc + Σ_i softplus(b_i + (Wh)_i))
            log_weights = S @ c + numpy.logaddexp(0, S @ W.T + b).sum(axis=1)
        else:        # Σ_v exp(vᵀb + Σ_j softplus(c_j + (vW)_j))
            log_weights = S @ b + numpy.logaddexp(0, S @ W + c).sum(axis=1)
        assert model.log_partition_exact() == pytest.approx(direct_log_sum(log_weights),
                                                            rel=1e-10), (d, h)
