"""The samples an RBM draws have the distribution its conditionals say, not only the means.

    Gaussian-Bernoulli visible units:  v_i | h ~ N(b_i + σ_i (Wh)_i, σ_i²)
    linear hidden units:               h_j | v ~ N(c_j + (vW)_j, 1)

Each test draws N = 20,000 samples of one conditional (the same v or h repeated) and checks
the sample mean and variance of every unit. The bounds come from the sampling error, not a
guess: for N normal draws the sample mean has sd s/√N and the sample variance s²·√(2/(N − 1)),
so each check allows 6 of those sd (a false alarm rate ~2e-9 per unit) and nothing more.
At N = 20,000 that is ±6% of the variance: σ = 0.5 against σ² = 0.25 as the noise scale is a
factor 4 in the variance, and a variance of 2 (or 0) is far outside too.
"""
import math

import numpy
from hypothesis import given, settings, strategies as st

from minidl import backend
from rbm import BernoulliRBM, GaussianBernoulliRBM
from rbm.exact import randomise

N = 20_000
Z = 6.0                     # bounds in sd of the estimate


def host(a):
    return backend.to_host(a).astype(numpy.float64)


def check_normal_samples(samples, mean, var):
    """Rows of ``samples`` (N, K) are draws of N(mean, diag(var)): sample mean and variance
    within Z sampling sd of the truth, unit by unit."""
    n = samples.shape[0]
    got_mean, got_var = samples.mean(axis=0), samples.var(axis=0, ddof=1)
    mean_tol = Z * numpy.sqrt(var / n)
    var_tol = Z * var * math.sqrt(2.0 / (n - 1))
    assert (numpy.abs(got_mean - mean) < mean_tol).all(), (got_mean, mean, mean_tol)
    assert (numpy.abs(got_var - var) < var_tol).all(), (got_var, var, var_tol)


@settings(max_examples=5)
@given(seed=st.integers(0, 2**16), d=st.integers(1, 5), h=st.integers(1, 4))
def test_gaussian_visible_samples_have_mean_b_plus_sigma_wh_and_variance_sigma_squared(seed, d, h):
    model = randomise(GaussianBernoulliRBM(d, h, learn_sigma=True, seed=seed), seed, scale=0.5)
    gen = numpy.random.default_rng(seed)
    sigma = gen.uniform(0.3, 3.0, d)                     # away from 1, where σ = σ²
    model.log_sigma.data[...] = backend.to_device(numpy.log(sigma), dtype=numpy.float32)
    hidden = (gen.random((1, h)) < 0.5).astype(numpy.float32)
    H = backend.to_device(numpy.repeat(hidden, N, axis=0))
    expected_mean = host(model.mean_v(H[:1]))[0]
    numpy.testing.assert_allclose(
        expected_mean, host(model.vbias.data) + sigma * (hidden @ host(model.W.data).T)[0],
        rtol=1e-5, atol=1e-5)
    check_normal_samples(host(model.sample_v(H)), expected_mean, sigma ** 2)


@settings(max_examples=5)
@given(seed=st.integers(0, 2**16), d=st.integers(1, 5), h=st.integers(1, 4))
def test_linear_hidden_samples_have_mean_c_plus_vw_and_unit_variance(seed, d, h):
    model = randomise(BernoulliRBM(d, h, hidden="linear", seed=seed), seed, scale=0.5)
    visible = (numpy.random.default_rng(seed + 1).random((1, d)) < 0.5).astype(numpy.float32)
    V = backend.to_device(numpy.repeat(visible, N, axis=0))
    expected_mean = (host(model.hbias.data) + visible @ host(model.W.data))[0]
    numpy.testing.assert_allclose(host(model.mean_h(V[:1]))[0], expected_mean,
                                  rtol=1e-5, atol=1e-5)
    check_normal_samples(host(model.sample_h(V)), expected_mean, numpy.ones(h))


def test_linear_hidden_samples_are_independent_across_units_and_rows():
    """Unit variance is per unit; the noise is also uncorrelated between units and between
    rows (a shared draw would make the correlations 1). |r| of N draws has sd 1/√N."""
    model = randomise(BernoulliRBM(3, 4, hidden="linear", seed=0), 0, scale=0.5)
    V = backend.to_device(numpy.ones((N, 3), numpy.float32))
    noise = host(model.sample_h(V)) - host(model.mean_h(V))
    r_units = numpy.corrcoef(noise.T)[numpy.triu_indices(4, 1)]
    r_rows = numpy.corrcoef(noise[:N // 2].ravel(), noise[N // 2:].ravel())[0, 1]
    assert numpy.abs(r_units).max() < Z / math.sqrt(N), r_units
    assert abs(r_rows) < Z / math.sqrt(2 * N), r_rows


def test_binary_hidden_samples_are_bernoulli_of_the_mean():
    """For contrast with the linear units: binary samples are 0/1 with frequency P(h=1|v)
    (a binomial proportion, sd √(p(1 − p)/N))."""
    model = randomise(BernoulliRBM(3, 4, seed=0), 0, scale=1.0)
    V = backend.to_device(numpy.ones((N, 3), numpy.float32))
    samples, p = host(model.sample_h(V)), host(model.mean_h(V[:1]))[0]
    assert set(numpy.unique(samples)) <= {0.0, 1.0}
    assert (numpy.abs(samples.mean(axis=0) - p) < Z * numpy.sqrt(p * (1 - p) / N)).all()


def test_sample_with_no_steps_from_init_is_the_mean_of_e_v_given_a_hidden_draw():
    """sample(n, steps=0, init=v0) returns E[v | h] for one h ~ P(h | v0): averaged over N rows
    that is Σ_h P(h | v0) E[v | h], enumerated over the 2^4 hidden states (each row is a mean
    of values in [0, 1], so its sd is at most 1/2 and the bound is 6 · 0.5/√N)."""
    model = randomise(BernoulliRBM(5, 4, seed=0), 0, scale=1.5)
    v0 = numpy.array([[1, 0, 1, 1, 0]], dtype=numpy.float32)
    got = host(model.sample(N, steps=0, init=backend.to_device(numpy.repeat(v0, N, axis=0)),
                            seed=1)).mean(axis=0)
    W, b, c = (host(p.data) for p in (model.W, model.vbias, model.hbias))
    p = 1 / (1 + numpy.exp(-(c + v0[0] @ W)))                     # P(h_j = 1 | v0)
    H = ((numpy.arange(16)[:, None] >> numpy.arange(4)) & 1).astype(float)
    weight = numpy.prod(numpy.where(H == 1, p, 1 - p), axis=1)    # P(h | v0)
    expected = weight @ (1 / (1 + numpy.exp(-(b + H @ W.T))))     # Σ_h P(h|v0) E[v|h]
    assert numpy.abs(got - expected).max() < Z * 0.5 / math.sqrt(N), (got, expected)
