"""Reverse AIS against the exact log Z, and the sandwich forward ≤ exact ≤ reverse."""
import numpy
import pytest

from minidl import backend
from rbm import BernoulliRBM, GaussianBernoulliRBM, ais
from rbm.exact import binary_data, params, randomise, states


def exact_samples(model, n, seed):
    """n exact samples of p(v): h ~ p(h) by enumerating the hidden layer, then v ~ p(v | h).

    p(h) ∝ exp(hᵀc + Σ_i softplus(b_i + (Wh)_i)) (v summed out), host float64.
    """
    W, b, c = params(model)
    H = states(model.n_hidden)
    log_p = H @ c + numpy.logaddexp(0.0, H @ W.T + b).sum(axis=1)
    p = numpy.exp(log_p - log_p.max())
    gen = numpy.random.default_rng(seed)
    h = H[gen.choice(len(p), size=n, p=p / p.sum())]
    pv = 1.0 / (1.0 + numpy.exp(-(h @ W.T + b)))
    return backend.to_device((gen.random(pv.shape) < pv).astype(numpy.float32))


@pytest.mark.parametrize("seed, scale, with_data", [(0, 0.3, True), (1, 1.0, True),
                                                    (2, 2.0, True), (3, 1.0, False)])
def test_reverse_ais_from_exact_samples_is_within_three_standard_errors(seed, scale, with_data):
    model = randomise(BernoulliRBM(12, 8), seed, scale)
    data = binary_data(60, 12, seed) if with_data else None
    log_z, stderr = ais.log_partition_reverse(model, exact_samples(model, 100, seed), 1000,
                                              seed=seed, base_rate_data=data)
    exact = model.log_partition_exact()
    assert 0 < stderr < 0.5
    assert abs(log_z - exact) <= 3 * stderr + 1e-3, (log_z, exact, stderr)


def test_short_annealing_sandwiches_the_exact_log_z():
    """5 temperatures are far too few for this RBM: forward AIS comes out low (an optimistic
    likelihood) by more than its own error bar says, reverse AIS from exact samples high."""
    model = randomise(BernoulliRBM(24, 10), 1, 2.0)
    data = binary_data(100, 24, 1)
    exact = model.log_partition_exact()
    forward = [ais.log_partition(model, 100, 5, seed=s, base_rate_data=data) for s in range(10)]
    reverse = [ais.log_partition_reverse(model, exact_samples(model, 100, 10 + s), 5, seed=s,
                                         base_rate_data=data) for s in range(10)]
    low = numpy.mean([z for z, _ in forward]) - exact
    high = numpy.mean([z for z, _ in reverse]) - exact
    assert low < -1.0 and high > 0.3, (low, high)
    assert -low > 3 * numpy.mean([e for _, e in forward])          # the error bar hides it


def test_burn_in_moves_a_bad_start_to_the_model():
    """Chains started at all-zero visibles (no sample of the model) and annealed in 4 steps
    are off by far more than their error bar; 200 Gibbs sweeps at β = 1 first fix that."""
    model = randomise(BernoulliRBM(12, 8), 1, 1.0)
    exact = model.log_partition_exact()
    zeros = backend.xp.zeros((200, 12), dtype=backend.float32)
    cold, cold_err = ais.log_partition_reverse(model, zeros, 4, seed=0)
    warm, warm_err = ais.log_partition_reverse(model, zeros, 4, seed=0, burn_in=200)
    assert abs(cold - exact) > 3 * cold_err + 0.3, (cold, exact, cold_err)
    assert abs(warm - exact) <= 3 * warm_err + 1e-3, (warm, exact, warm_err)


def test_reverse_ais_refuses_bad_starts_and_models():
    model = BernoulliRBM(4, 3, seed=0)
    with pytest.raises(ValueError, match="binary"):
        ais.log_partition_reverse(model, backend.xp.full((5, 4), 0.5, dtype=backend.float32), 10)
    with pytest.raises(ValueError, match="at least 2 chains"):
        ais.log_partition_reverse(model, backend.xp.zeros((1, 4), dtype=backend.float32), 10)
    with pytest.raises(ValueError, match="burn_in"):
        ais.log_partition_reverse(model, backend.xp.zeros((5, 4), dtype=backend.float32), 10,
                                  burn_in=-1)
    with pytest.raises(ValueError, match="784|4"):
        ais.log_partition_reverse(model, backend.xp.zeros((5, 7), dtype=backend.float32), 10)
    with pytest.raises(TypeError, match="BernoulliRBM"):
        ais.log_partition_reverse(GaussianBernoulliRBM(4, 3), backend.xp.zeros((5, 4)), 10)


# --- both estimates on one path: reverse AIS from the forward chains, resampled ---------------
def test_bounds_from_one_path_sandwich_the_exact_log_z_when_annealing_is_short():
    """5 temperatures on a hard RBM: averaged over 10 seeds, the forward estimate is low and
    the reverse one -- started from forward's final states resampled by weight, no exact
    samples anywhere -- is high (measured: -9.2 and +7.5 nats on average)."""
    model = randomise(BernoulliRBM(24, 10), 3, 3.0)
    data = binary_data(100, 24, 3)
    exact = model.log_partition_exact()
    runs = [ais.log_partition_bounds(model, 100, 5, seed=s, base_rate_data=data)
            for s in range(10)]
    low = numpy.mean([r["forward"] for r in runs]) - exact
    high = numpy.mean([r["reverse"] for r in runs]) - exact
    assert low < -1.0 and high > 0.5, (low, high)
    assert all(1.0 <= r["ess"] <= 100.0 for r in runs)


@pytest.mark.parametrize("seed, scale", [(0, 0.3), (1, 1.0), (2, 2.0)])
def test_bounds_from_one_path_agree_with_the_exact_log_z_when_annealing_is_long(seed, scale):
    model = randomise(BernoulliRBM(12, 8), seed, scale)
    data = binary_data(60, 12, seed)
    exact = model.log_partition_exact()
    r = ais.log_partition_bounds(model, 100, 1000, seed=seed, base_rate_data=data)
    assert abs(r["forward"] - exact) <= 3 * r["forward_stderr"] + 1e-3, (r, exact)
    assert abs(r["reverse"] - exact) <= 3 * r["reverse_stderr"] + 1e-3, (r, exact)
    assert r["ess"] > 50, r                      # the weights are even: many chains count


def test_bounds_resample_the_heavy_chains(monkeypatch):
    """The reverse start is drawn in proportion to the forward weights: with one chain's
    weight dominating (a hard RBM, 5 temperatures: ess near 1), the start is mostly copies
    of that chain's final state."""
    model = randomise(BernoulliRBM(24, 10), 3, 3.0)
    data = binary_data(100, 24, 3)
    starts = []
    real = ais.log_partition_reverse

    def spy(model, start, *args, **kwargs):
        starts.append(backend.to_host(start))
        return real(model, start, *args, **kwargs)

    monkeypatch.setattr(ais, "log_partition_reverse", spy)
    r = ais.log_partition_bounds(model, 100, 5, seed=4, base_rate_data=data)
    rows, counts = numpy.unique(starts[0], axis=0, return_counts=True)
    assert r["ess"] < 3 and counts.max() >= 50, (r["ess"], counts.max())


def test_bounds_refuse_bad_arguments():
    model = BernoulliRBM(4, 3, seed=0)
    with pytest.raises(ValueError, match="n_chains"):
        ais.log_partition_bounds(model, 1, 10)
    with pytest.raises(ValueError, match="n_betas"):
        ais.log_partition_bounds(model, 10, 2)
    with pytest.raises(TypeError, match="BernoulliRBM"):
        ais.log_partition_bounds(GaussianBernoulliRBM(4, 3), 10, 10)
