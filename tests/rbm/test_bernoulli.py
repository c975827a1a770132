"""BernoulliRBM: free energy, conditionals, gradients, dtypes and bad input."""
import math

import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import backend
from minidl.gradcheck import check_gradients
from rbm import BernoulliRBM

from rbm.exact import binary_data, energy, params, randomise, states

small = st.integers(1, 5)
seeds = st.integers(0, 2**16)


def host(x):
    return backend.to_host(x)


@given(d=small, h=small, seed=seeds)
def test_free_energy_is_log_sum_over_hidden_states(d, h, seed):
    model = randomise(BernoulliRBM(d, h), seed)
    V = states(d)
    expected = -numpy.logaddexp.reduce(-energy(model, V, states(h)), axis=1)
    got = host(model.free_energy(backend.to_device(V, dtype=numpy.float32)))
    numpy.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-4)


@given(d=small, h=small, seed=seeds)
def test_conditionals_match_bayes_rule(d, h, seed):
    model = randomise(BernoulliRBM(d, h), seed)
    V, H = states(d), states(h)
    p = numpy.exp(-energy(model, V, H))                             # unnormalised p(v, h)
    p_h_given_v = p / p.sum(axis=1, keepdims=True)
    p_v_given_h = p / p.sum(axis=0, keepdims=True)
    numpy.testing.assert_allclose(host(model.mean_h(backend.to_device(V))),
                                  p_h_given_v @ H, rtol=1e-4, atol=1e-5)
    numpy.testing.assert_allclose(host(model.mean_v(backend.to_device(H, dtype=numpy.float32))),
                                  p_v_given_h.T @ V, rtol=1e-4, atol=1e-5)


@given(d=small, h=st.integers(1, 3), seed=seeds)
def test_linear_hidden_free_energy_integrates_the_gaussian(d, h, seed):
    model = randomise(BernoulliRBM(d, h, hidden="linear"), seed, scale=0.5)
    W, b, c = params(model)
    V = states(d)
    grid = numpy.linspace(-30, 30, 6001)
    a = V @ W + c                                                  # (2^d, h)
    log_int = numpy.log(numpy.trapezoid(numpy.exp(-0.5 * grid ** 2 + a[..., None] * grid),
                                        grid, axis=-1))            # ∫ exp(−E_j) dh_j
    expected = -(V @ b) - log_int.sum(axis=1)
    got = host(model.free_energy(backend.to_device(V, dtype=numpy.float32)))
    numpy.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("hidden", ["binary", "linear"])
@given(batch=small, d=small, h=small, seed=seeds)
def test_free_energy_gradients(hidden, batch, d, h, seed):
    model = randomise(BernoulliRBM(d, h, hidden=hidden), seed).astype(numpy.float64)
    gen = numpy.random.default_rng(seed + 1)
    v = backend.to_device(gen.uniform(0.05, 0.95, (batch, d)))     # probabilities are fine
    u = backend.to_device(gen.standard_normal(batch))              # random upstream gradient
    model.zero_grad()
    model._add_free_energy_grad(v, model.mean_h(v), u)
    dv = model.free_energy_grad_v(v) * u[:, None]
    params_ = model.parameters()
    check_gradients(lambda: float((model.free_energy(v) * u).sum()),
                    [v] + [p.data for p in params_], [dv] + [p.grad.copy() for p in params_],
                    ["dv"] + [p.name for p in params_])


@given(n=st.integers(1, 8), d=st.integers(2, 6), h=small, seed=seeds)
def test_pseudo_likelihood_is_one_flip_estimate(n, d, h, seed):
    model = randomise(BernoulliRBM(d, h), seed)
    v = binary_data(n, d, seed)
    got = host(model.pseudo_likelihood(v, seed=seed)).astype(numpy.float64)
    fe = host(model.free_energy(v)).astype(numpy.float64)
    candidates = numpy.empty((n, d))
    for i in range(d):                                              # every possible flip
        flipped = host(v).copy()
        flipped[:, i] = 1 - flipped[:, i]
        delta = host(model.free_energy(backend.to_device(flipped))) - fe
        candidates[:, i] = -d * numpy.logaddexp(0, -delta)          # D log σ(ΔF)
    assert numpy.all(numpy.min(numpy.abs(candidates - got[:, None]), axis=1) < 1e-3 * d)
    assert numpy.all(got <= 0)


def test_float32_stays_float32():
    model = BernoulliRBM(6, 4, seed=0, k=2)
    v = backend.to_device(numpy.random.default_rng(0).random((5, 6)))   # float64 input
    outputs = [model.mean_h(v), model.sample_h(v), model.transform(v), model.reconstruct(v),
               model.free_energy(v), model.gibbs(v, 2), model.sample(3, steps=2),
               model.pseudo_likelihood(v, seed=0), model.free_energy_grad_v(v)]
    assert all(o.dtype == numpy.float32 for o in outputs), [o.dtype for o in outputs]
    for persistent in (False, True):
        model = BernoulliRBM(6, 4, seed=0, persistent=persistent)
        model.train_step(v)
        model.train_step(v)
        assert all(p.data.dtype == p.grad.dtype == numpy.float32 for p in model.parameters())


def test_samples_are_binary_and_seeded():
    a = host(BernoulliRBM(6, 4, seed=3).sample(5, steps=3))
    b = host(BernoulliRBM(6, 4, seed=3).sample(5, steps=3))
    numpy.testing.assert_array_equal(a, b)
    g = host(BernoulliRBM(6, 4, seed=3).gibbs(binary_data(5, 6, 0), 3))
    assert set(numpy.unique(g)) <= {0.0, 1.0} and a.min() >= 0 and a.max() <= 1


@pytest.mark.parametrize("bad, match", [
    (numpy.full((2, 6), 1.5), r"\[0, 1\].*\[1.5, 1.5\]"),
    (numpy.full((2, 6), numpy.nan), "NaN"),
    (numpy.zeros((2, 5)), r"\(2, 5\).*expected \(batch, 6\)"),
    (numpy.zeros((2, 2, 3)), "flatten"),
])
def test_bad_input_is_refused(bad, match):
    model = BernoulliRBM(6, 4, seed=0)
    for method in (model.train_step, model.transform, model.free_energy):
        with pytest.raises(ValueError, match=match):
            method(backend.to_device(bad))


def test_likelihood_needs_binary_data():
    model = BernoulliRBM(6, 4, seed=0)
    with pytest.raises(ValueError, match="binarise"):
        model.log_likelihood(backend.xp.full((2, 6), 0.5), 0.0)


def test_exact_partition_refuses_huge_layers():
    with pytest.raises(ValueError, match="ais"):
        BernoulliRBM(40, 30).log_partition_exact()
    assert math.isfinite(BernoulliRBM(40, 3).log_partition_exact())
