"""CenteredBernoulliRBM: energy by enumeration, gradients, the offsets, its plain twin, training."""
import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import backend, datasets, io
from minidl.gradcheck import check_gradients
from minidl.optimizers import SGD
from rbm import BernoulliRBM, ais
from rbm.centered import CenteredBernoulliRBM
from rbm.exact import binary_data, randomise, states

small = st.integers(1, 5)
seeds = st.integers(0, 2**16)


def host64(x):
    return backend.to_host(x).astype(numpy.float64)


def centered_energy(model, V, H):
    """E(v, h) = −(v − μ)ᵀW(h − λ) − bᵀ(v − μ) − cᵀ(h − λ) for every pair of rows, host float64."""
    W, b, c, mu, lam = (host64(p.data) for p in (model.W, model.vbias, model.hbias,
                                                 model.mu, model.lam))
    return -(V - mu) @ W @ (H - lam).T - ((V - mu) @ b)[:, None] - ((H - lam) @ c)[None, :]


def random_model(d, h, seed, scale=1.0):
    """Random W, b, c and offsets μ, λ in (0, 1)."""
    model = randomise(CenteredBernoulliRBM(d, h), seed, scale)
    gen = numpy.random.default_rng(seed + 7)
    model.mu.data[...] = backend.to_device(gen.uniform(0.05, 0.95, d), dtype=numpy.float32)
    model.lam.data[...] = backend.to_device(gen.uniform(0.05, 0.95, h), dtype=numpy.float32)
    return model


@given(d=small, h=small, seed=seeds)
def test_free_energy_and_log_z_match_enumeration(d, h, seed):
    model = random_model(d, h, seed)
    V = states(d)
    logits = -centered_energy(model, V, states(h))
    fe = host64(model.free_energy(backend.to_device(V, dtype=numpy.float32)))
    numpy.testing.assert_allclose(fe, -numpy.logaddexp.reduce(logits, axis=1), rtol=1e-5,
                                  atol=1e-4)
    expected = numpy.logaddexp.reduce(logits.ravel())
    assert abs(model.log_partition_exact() - expected) < 1e-4 * max(1.0, abs(expected))


@given(d=small, h=small, seed=seeds)
def test_the_plain_twin_has_the_same_distribution(d, h, seed):
    """standard_form(): a BernoulliRBM with W, b − Wλ, c − Wᵀμ; log Z differs by the shift."""
    model = random_model(d, h, seed)
    W, b, c, shift = model.standard_form()
    twin = BernoulliRBM(d, h)
    for p, value in zip((twin.W, twin.vbias, twin.hbias), (W, b, c)):
        p.data[...] = value
    V = backend.to_device(states(d), dtype=numpy.float32)
    log_p = -host64(model.free_energy(V)) - model.log_partition_exact()
    log_p_twin = -host64(twin.free_energy(V)) - twin.log_partition_exact()
    numpy.testing.assert_allclose(log_p, log_p_twin, atol=1e-4)
    assert abs(model.log_partition_exact() - (twin.log_partition_exact() - shift)) < 1e-4 * \
        max(1.0, abs(twin.log_partition_exact()))
    numpy.testing.assert_allclose(host64(model.mean_h(V)), host64(twin.mean_h(V)), atol=1e-5)
    H = backend.to_device(states(h), dtype=numpy.float32)
    numpy.testing.assert_allclose(host64(model.mean_v(H)), host64(twin.mean_v(H)), atol=1e-5)


@given(batch=small, d=small, h=small, seed=seeds)
def test_free_energy_gradients(batch, d, h, seed):
    """∂F/∂W, ∂F/∂b, ∂F/∂c and ∂F/∂v against central differences, float64, random upstream."""
    model = random_model(d, h, seed).astype(numpy.float64)
    gen = numpy.random.default_rng(seed + 1)
    v = backend.to_device(gen.uniform(0.05, 0.95, (batch, d)))
    u = backend.to_device(gen.standard_normal(batch))              # random upstream gradient
    model.zero_grad()
    model._add_free_energy_grad(v, model.mean_h(v), u)
    dv = model.free_energy_grad_v(v) * u[:, None]
    trained = [p for p in model.parameters() if not p.frozen]
    assert [p.name for p in trained] == ["W", "vbias", "hbias"]
    check_gradients(lambda: float((model.free_energy(v) * u).sum()),
                    [v] + [p.data for p in trained], [dv] + [p.grad.copy() for p in trained],
                    ["dv"] + [p.name for p in trained])


@given(d=st.integers(1, 4), h=st.integers(1, 4), seed=seeds)
def test_exact_expectations_of_the_statistics_give_the_likelihood_gradient(d, h, seed):
    """E_data[∂F/∂θ] − E_model[∂F/∂θ] (what CD / PCD estimate) is −∂ mean log p(v)/∂θ."""
    model = random_model(d, h, seed).astype(numpy.float64)
    X = backend.to_device(host64(binary_data(6, d, seed)))
    V = backend.to_device(states(d))
    p_v = numpy.exp(-host64(model.free_energy(V)) - model.log_partition_exact())
    model.zero_grad()
    model._add_free_energy_grad(X, model.mean_h(X), 1.0 / X.shape[0])
    model._add_free_energy_grad(V, model.mean_h(V), -backend.to_device(p_v))
    trained = [p for p in model.parameters() if not p.frozen]
    check_gradients(lambda: -float(model.log_likelihood(X, model.log_partition_exact())),
                    [p.data for p in trained], [p.grad.copy() for p in trained],
                    [p.name for p in trained], eps=1e-6, rtol=1e-5, atol=1e-7)


def test_update_offsets_moves_them_and_keeps_the_distribution():
    model = random_model(5, 3, 0)
    model.offset_rate = 0.3
    X = binary_data(40, 5, 1)
    V = backend.to_device(states(5), dtype=numpy.float32)
    log_p = -host64(model.free_energy(V)) - model.log_partition_exact()
    mu, lam = host64(model.mu.data), host64(model.lam.data)
    target_lam = host64(model.mean_h(X)).mean(axis=0)
    model.update_offsets(X)                                        # the first call: μ = mean
    numpy.testing.assert_allclose(host64(model.mu.data), host64(X).mean(axis=0), atol=1e-6)
    numpy.testing.assert_allclose(host64(model.lam.data), lam + 0.3 * (target_lam - lam),
                                  atol=1e-6)
    numpy.testing.assert_allclose(-host64(model.free_energy(V)) - model.log_partition_exact(),
                                  log_p, atol=1e-4)
    mu = host64(model.mu.data)
    model.update_offsets(X[:10])                                   # later calls: rate ν
    numpy.testing.assert_allclose(host64(model.mu.data),
                                  mu + 0.3 * (host64(X[:10]).mean(axis=0) - mu), atol=1e-6)
    numpy.testing.assert_allclose(-host64(model.free_energy(V)) - model.log_partition_exact(),
                                  log_p, atol=1e-4)


def test_ais_estimates_the_centered_log_z():
    model = random_model(12, 8, 3, scale=1.0)
    data = binary_data(60, 12, 3)
    exact = model.log_partition_exact()
    log_z, stderr = ais.log_partition(model, 100, 1000, seed=0, base_rate_data=data)
    assert abs(log_z - exact) <= 3 * stderr + 1e-3, (log_z, exact, stderr)
    log_z, stderr = ais.log_partition_reverse(model, data, 1000, seed=0, burn_in=100,
                                              base_rate_data=data)
    assert abs(log_z - exact) <= 3 * stderr + 0.05, (log_z, exact, stderr)


def test_pcd_training_raises_exact_log_likelihood_of_bars_and_stripes():
    """Bars and stripes on 3x3 pixels (14 patterns, best possible −log 14), PCD-1 (row 6b's
    algorithm; CD differs only in where the chains start, which rbm.base tests)."""
    X = backend.to_device(datasets.load("bars-and-stripes", n=3)[0])
    model = CenteredBernoulliRBM(9, 8, persistent=True, seed=0, init_std=0.1)
    before = model.log_likelihood(X, model.log_partition_exact())
    model.fit(X, epochs=800, batch_size=7, seed=0, verbose=0, optimizer=SGD(0.05, momentum=0.5))
    after = model.log_likelihood(X, model.log_partition_exact())
    assert after > before + 1.5, (before, after)
    assert after < -numpy.log(len(X)) + 1e-6


def test_offsets_are_saved_with_the_weights(tmp_path):
    model = random_model(6, 4, 2)
    io.save(model, str(tmp_path / "c.npz"))
    again = io.load(str(tmp_path / "c.npz"))
    assert isinstance(again, CenteredBernoulliRBM) and again.offset_rate == model.offset_rate
    for name in ("mu", "lam", "W"):
        numpy.testing.assert_array_equal(host64(getattr(again, name).data),
                                         host64(getattr(model, name).data))


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="binary hidden"):
        CenteredBernoulliRBM(4, 3, hidden="linear")
    with pytest.raises(ValueError, match="offset_rate"):
        CenteredBernoulliRBM(4, 3, offset_rate=0.0)
