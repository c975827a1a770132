"""GaussianBernoulliRBM: free energy, conditionals, exact log Z, gradients, learned σ."""
import numpy
import pytest
from hypothesis import example, given, strategies as st

from minidl import backend
from minidl.gradcheck import check_gradients
from minidl.optimizers import SGD
from rbm import GaussianBernoulliRBM

from rbm.exact import params, randomise, states

seeds = st.integers(0, 2**16)


def host(x):
    return backend.to_host(x).astype(numpy.float64)


def set_sigma(model, seed):
    sigma = numpy.random.default_rng(seed).uniform(0.5, 2.0, model.n_visible)
    model.log_sigma.data[...] = backend.to_device(numpy.log(sigma), dtype=model.log_sigma.dtype)
    return sigma


def energy(model, v, H, sigma):
    """E(v, h) for rows v (N, D) and every hidden state H: (N, 2^H)."""
    W, b, c = params(model)
    quad = (((v - b) / sigma) ** 2).sum(axis=1) / 2
    return quad[:, None] - (H @ c)[None, :] - (v / sigma) @ W @ H.T


@given(n=st.integers(1, 5), d=st.integers(1, 4), h=st.integers(1, 4), seed=seeds)
def test_free_energy_and_conditionals_by_enumeration(n, d, h, seed):
    model = randomise(GaussianBernoulliRBM(d, h), seed)
    sigma = set_sigma(model, seed)
    v = numpy.random.default_rng(seed).standard_normal((n, d))
    H = states(h)
    E = energy(model, v, H, sigma)
    expected_fe = -numpy.logaddexp.reduce(-E, axis=1)
    v_dev = backend.to_device(v, dtype=numpy.float32)
    numpy.testing.assert_allclose(host(model.free_energy(v_dev)), expected_fe, rtol=1e-4, atol=1e-4)
    posterior = numpy.exp(-E + expected_fe[:, None])                # p(h | v), rows sum to 1
    numpy.testing.assert_allclose(host(model.mean_h(v_dev)), posterior @ H, atol=1e-4)
    W, b, _ = params(model)
    mean = host(model.mean_v(backend.to_device(H, dtype=numpy.float32)))
    numpy.testing.assert_allclose(mean, b + sigma * (H @ W.T), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("d, h, seed", [(1, 3, 0), (2, 2, 1), (1, 1, 2)])
def test_log_partition_exact_matches_numerical_integration(d, h, seed):
    model = randomise(GaussianBernoulliRBM(d, h), seed, 0.7)
    sigma = set_sigma(model, seed)
    axis = numpy.linspace(-25, 25, 1001)
    grid = numpy.stack(numpy.meshgrid(*[axis] * d, indexing="ij"), -1).reshape(-1, d)
    log_p = numpy.logaddexp.reduce(-energy(model, grid, states(h), sigma), axis=1)
    log_z = numpy.logaddexp.reduce(log_p) + d * numpy.log(axis[1] - axis[0])   # Riemann sum
    assert abs(model.log_partition_exact() - log_z) < 1e-3


@given(batch=st.integers(1, 4), d=st.integers(1, 4), h=st.integers(1, 4), seed=seeds)
@example(batch=1, d=3, h=1, seed=1534)      # hbias 7.7e-4 off by 1.5e-9 of rounding, |f| = 11
def test_free_energy_gradients_including_log_sigma(batch, d, h, seed):
    model = randomise(GaussianBernoulliRBM(d, h, learn_sigma=True), seed).astype(numpy.float64)
    set_sigma(model, seed)
    gen = numpy.random.default_rng(seed + 1)
    v = backend.to_device(gen.standard_normal((batch, d)))
    u = backend.to_device(gen.standard_normal(batch))
    model.zero_grad()
    model._add_free_energy_grad(v, model.mean_h(v), u)
    dv = model.free_energy_grad_v(v) * u[:, None]
    ps = model.parameters()
    check_gradients(lambda: float((model.free_energy(v) * u).sum()),
                    [v] + [p.data for p in ps], [dv] + [p.grad.copy() for p in ps],
                    ["dv"] + [p.name for p in ps])


def test_learned_sigma_stays_in_its_range_and_training_reduces_error():
    gen = numpy.random.default_rng(0)
    X = (gen.standard_normal((256, 2)) @ numpy.array([[1.0, 0.8], [0.0, 0.3]])).astype("float32")
    X = (X - X.mean(0)) / X.std(0)
    model = GaussianBernoulliRBM(2, 8, learn_sigma=True, sigma_range=(0.5, 1.5), seed=0,
                                 optimizer=SGD(0.05, momentum=0.9))
    history = model.fit(X, epochs=40, batch_size=32, seed=0, verbose=0).history_
    sigma = host(model.sigma)
    assert numpy.all((sigma >= 0.5 - 1e-6) & (sigma <= 1.5 + 1e-6))
    errors = history.history["recon_error"]
    assert errors[-1] < errors[0]
    assert model.transform(X).dtype == numpy.float32 and model.sample(4, steps=3).shape == (4, 2)


def test_real_valued_input_is_accepted_but_nan_is_not():
    model = GaussianBernoulliRBM(3, 2, seed=0)
    assert model.transform(backend.xp.full((2, 3), 7.5)).shape == (2, 2)
    with pytest.raises(ValueError, match="NaN"):
        model.transform(backend.xp.full((2, 3), numpy.nan))


def test_bad_hyperparameters():
    with pytest.raises(TypeError, match="hidden"):           # always binary: no such keyword
        GaussianBernoulliRBM(3, 2, hidden="linear")
    with pytest.raises(ValueError, match="sigma_range"):
        GaussianBernoulliRBM(3, 2, sigma_range=(2.0, 1.0))
