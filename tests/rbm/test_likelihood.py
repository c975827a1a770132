"""Exact log Z against brute force, AIS against exact, and the log-likelihood."""
import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import backend
from rbm import BernoulliRBM, ais

from rbm.exact import binary_data, joint, randomise, states

seeds = st.integers(0, 2**16)


@given(d=st.integers(1, 7), h=st.integers(1, 7), seed=seeds, scale=st.sampled_from([0.1, 1, 3]))
def test_log_partition_exact_matches_brute_force(d, h, seed, scale):
    model = randomise(BernoulliRBM(d, h), seed, scale)
    _, expected = joint(model)
    assert abs(model.log_partition_exact() - expected) < 1e-4 * max(1.0, abs(expected))


@given(d=st.integers(1, 6), h=st.integers(1, 4), seed=seeds)
def test_log_partition_exact_linear_hidden(d, h, seed):
    model = randomise(BernoulliRBM(d, h, hidden="linear"), seed, 0.5)
    V = backend.to_device(states(d), dtype=numpy.float32)
    expected = numpy.logaddexp.reduce(-backend.to_host(model.free_energy(V)).astype(float))
    assert abs(model.log_partition_exact() - expected) < 1e-4 * max(1.0, abs(expected))


def test_log_likelihood_is_mean_log_probability():
    model = randomise(BernoulliRBM(5, 3), 7)
    p, _ = joint(model)
    p_v = p.sum(axis=1)                                            # marginal over h
    rows = [0, 3, 3, 17, 31]
    V = states(5)[rows]
    got = model.log_likelihood(backend.to_device(V), model.log_partition_exact())
    assert abs(got - numpy.log(p_v[rows]).mean()) < 1e-4


@pytest.mark.parametrize("seed, scale, with_data", [(0, 0.3, True), (1, 1.0, True),
                                                    (2, 2.0, True), (3, 1.0, False)])
def test_ais_is_within_three_standard_errors_of_exact(seed, scale, with_data):
    model = randomise(BernoulliRBM(12, 8), seed, scale)
    data = binary_data(60, 12, seed) if with_data else None
    log_z, stderr = ais.log_partition(model, n_chains=100, n_betas=1000, seed=seed,
                                      base_rate_data=data)
    exact = model.log_partition_exact()
    assert 0 < stderr < 0.5
    assert abs(log_z - exact) <= 3 * stderr + 1e-3, (log_z, exact, stderr)


def test_ais_error_bar_shrinks_with_more_temperatures():
    model = randomise(BernoulliRBM(12, 8), 5, 2.0)
    short = ais.log_partition(model, n_chains=100, n_betas=50, seed=0)[1]
    long = ais.log_partition(model, n_chains=100, n_betas=2000, seed=0)[1]
    assert long < short


def test_beta_schedule_is_increasing_and_finer_near_one():
    betas = numpy.array(ais.beta_schedule(1450))
    steps = numpy.diff(betas)
    assert betas[0] == 0 and betas[-1] == 1 and len(betas) == 1450 and numpy.all(steps > 0)
    assert steps[-1] < steps[len(steps) // 5] < steps[0]          # the three segments


def test_ais_refuses_models_it_cannot_anneal():
    from rbm import GaussianBernoulliRBM
    with pytest.raises(TypeError, match="BernoulliRBM"):
        ais.log_partition(GaussianBernoulliRBM(4, 3), 10, 10, seed=0)
    with pytest.raises(ValueError, match="n_chains"):
        ais.log_partition(BernoulliRBM(4, 3), 1, 10, seed=0)
