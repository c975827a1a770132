"""Objective VALUES against closed forms and independent computations."""
import math

import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import backend

import autoencoders as ae

seeds = st.integers(0, 2**16)


def host(a):
    return backend.to_host(a)


def bce_sum_per_sample(logits, x):
    """Σ_pixels −[x log σ(z) + (1 − x) log(1 − σ(z))], averaged over the batch (plain NumPy)."""
    p = 1.0 / (1.0 + numpy.exp(-logits))
    return float(-(x * numpy.log(p) + (1 - x) * numpy.log(1 - p)).sum(axis=1).mean())


def vae_with_code(mu, sigma):
    """A VAE([1, 1, L]) whose encoder outputs [μ, log σ²] for any input (zero weights)."""
    latent = len(mu)
    model = ae.VAE([1, 1, latent], activation="tanh", seed=0).astype(numpy.float64)
    last = model.encoder[-1]
    for p in model.encoder.parameters():
        p.data[...] = 0.0
    last.b.data[...] = backend.to_device(numpy.concatenate([mu, numpy.log(sigma ** 2)]))
    return model


@given(l=st.integers(1, 4), seed=seeds)
def test_vae_kl_matches_numerical_integral(l, seed):
    """KL(N(μ, σ²) || N(0, 1)) by quadrature on a grid, summed over independent dims."""
    gen = numpy.random.default_rng(seed)
    mu, sigma = gen.uniform(-2, 2, l), gen.uniform(0.3, 2.0, l)
    t = numpy.linspace(-15, 15, 60001)
    expected = 0.0
    for m, s in zip(mu, sigma):
        logq = -0.5 * ((t - m) / s) ** 2 - numpy.log(s * math.sqrt(2 * math.pi))
        logp = -0.5 * t ** 2 - math.log(math.sqrt(2 * math.pi))
        expected += numpy.trapezoid(numpy.exp(logq) * (logq - logp), t)
    x = backend.to_device(numpy.full((3, 1), 0.5))
    metrics = vae_with_code(mu, sigma).objective(x)
    assert metrics["neg_elbo"] - metrics["recon"] == pytest.approx(expected, rel=1e-6)
    model = vae_with_code(mu, sigma)
    model.beta = 4.0
    assert model.objective(x)["kl"] == pytest.approx(4 * expected, rel=1e-6)


def test_vae_kl_is_zero_at_the_prior():
    metrics = vae_with_code(numpy.zeros(3), numpy.ones(3)).objective(
        backend.to_device(numpy.full((2, 1), 0.5)))
    assert metrics["kl"] == 0.0 and metrics["neg_elbo"] == metrics["recon"]


@given(b=st.integers(1, 5), k=st.integers(1, 6), seed=seeds)
def test_kl_sparsity_value_for_known_activations(b, k, seed):
    gen = numpy.random.default_rng(seed)
    rho, beta = gen.uniform(0.05, 0.5), gen.uniform(0.5, 5)
    col = gen.uniform(0.05, 0.95, k)           # each unit's activation, same for every sample
    h = backend.to_device(numpy.tile(col, (b, 1)))
    expected = beta * sum(rho * math.log(rho / r) + (1 - rho) * math.log((1 - rho) / (1 - r))
                          for r in col)
    value, _ = ae.KLSparsity(rho, beta).value_and_grad(h)
    assert value == pytest.approx(expected, rel=1e-10)


def test_kl_sparsity_uses_the_batch_mean_not_each_sample():
    """Half the batch at 0.1, half at 0.3: ρ̂ = 0.2, so KL(0.2 || 0.2) = 0."""
    h = backend.to_device(numpy.array([[0.1], [0.3]]))
    assert ae.KLSparsity(0.2, 1.0).value_and_grad(h)[0] == pytest.approx(0.0, abs=1e-12)


@given(b=st.integers(1, 4), l1=st.sampled_from([1e-4, 0.1, 1.0]), seed=seeds)
def test_l1_activity_value(b, l1, seed):
    h = numpy.random.default_rng(seed).standard_normal((b, 5))
    value, _ = ae.L1Activity(l1).value_and_grad(backend.to_device(h))
    assert value == pytest.approx(l1 * numpy.abs(h).sum() / b, rel=1e-12)


@given(d=st.integers(2, 5), k=st.integers(1, 4), seed=seeds)
def test_contractive_norm_matches_numerical_jacobian(d, k, seed):
    model = ae.ContractiveAutoencoder([d, k], lam=1.0, seed=seed).astype(numpy.float64)
    x = numpy.random.default_rng(seed).random((1, d))
    eps, J = 1e-6, numpy.zeros((k, d))
    for i in range(d):
        step = numpy.zeros((1, d))
        step[0, i] = eps
        up = host(model.encode(backend.to_device(x + step)))
        down = host(model.encode(backend.to_device(x - step)))
        J[:, i] = ((up - down) / (2 * eps))[0]
    got = float(host(model.jacobian_norm(backend.to_device(x)))[0])
    assert got == pytest.approx((J ** 2).sum(), rel=1e-6)
    h = model.encode(backend.to_device(x))
    assert model.contractive.value_and_grad(h)[0] == pytest.approx(got, rel=1e-12)


@given(b=st.integers(1, 4), seed=seeds)
def test_vae_reconstruction_is_summed_over_pixels_and_elbo_adds_kl(b, seed):
    model = ae.VAE([12, 6, 2], seed=seed).astype(numpy.float64)
    x = numpy.random.default_rng(seed).random((b, 12))
    xd = backend.to_device(x)
    model.reseed(seed)
    metrics = model.objective(xd)
    model.reseed(seed)
    h = host(model.encoder.forward(xd))
    mu, logvar = h[:, :2], h[:, 2:]
    eps = host(model.rng.normal(mu.shape, numpy.float64, xp=model.xp))   # objective's ε
    z = mu + numpy.exp(0.5 * logvar) * eps
    logits = host(model.decoder.forward(backend.to_device(z)))
    recon = bce_sum_per_sample(logits, x)
    assert metrics["recon"] == pytest.approx(recon, rel=1e-10)
    kl = float((-0.5 * (1 + logvar - mu ** 2 - numpy.exp(logvar))).sum(axis=1).mean())
    assert metrics["neg_elbo"] == pytest.approx(recon + kl, rel=1e-10)
    assert metrics["loss"] == pytest.approx(recon + kl, rel=1e-10)   # β = 1


def test_beta_vae_weights_kl_but_reports_true_elbo():
    x = backend.to_device(numpy.random.default_rng(0).random((4, 10)))
    model = ae.BetaVAE([10, 5, 2], beta=4.0, seed=0).astype(numpy.float64)
    m = backend.to_floats(model.objective(x))     # on CuPy the values stay on the device
    kl = m["neg_elbo"] - m["recon"]
    assert kl > 0
    assert m["kl"] == pytest.approx(4.0 * kl, rel=1e-10)
    assert m["loss"] == pytest.approx(m["recon"] + 4.0 * kl, rel=1e-10)


def test_plain_autoencoder_bce_is_mean_over_pixels():
    model = ae.DeepAutoencoder([6, 3], seed=0).astype(numpy.float64)
    x = numpy.random.default_rng(1).random((5, 6))
    logits = host(model.decoder.forward(model.encoder.forward(backend.to_device(x))))
    expected = bce_sum_per_sample(logits, x) / 6
    assert model.evaluate(backend.to_device(x))["recon"] == pytest.approx(expected, rel=1e-10)
