"""Behaviour of the trained dense autoencoders (small, fast) and their API contracts."""
import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import backend
from minidl.callbacks import Callback
from minidl.optimizers import Adam

import autoencoders as ae
from autoencoders.ksparse import KSchedule

seeds = st.integers(0, 2**16)


def host(a):
    return backend.to_host(a)


def prototypes(n, d, seed, n_protos=6, flip=0.05):
    """Binary patterns: noisy copies of a few random prototypes, float32 in {0, 1}."""
    gen = numpy.random.default_rng(seed)
    protos = gen.random((n_protos, d)) < 0.5
    x = protos[gen.integers(0, n_protos, n)] ^ (gen.random((n, d)) < flip)
    return x.astype(numpy.float32)


def principal_angles_deg(A, B):
    qa, _ = numpy.linalg.qr(A)
    qb, _ = numpy.linalg.qr(B)
    s = numpy.clip(numpy.linalg.svd(qa.T @ qb, compute_uv=False), -1, 1)
    return numpy.degrees(numpy.arccos(s))


def test_linear_autoencoder_spans_the_pca_subspace():
    gen = numpy.random.default_rng(0)
    scales = numpy.array([5.0, 3.0, 0.5, 0.4, 0.3, 0.2])
    basis, _ = numpy.linalg.qr(gen.standard_normal((6, 6)))
    X = (gen.standard_normal((400, 6)) * scales) @ basis.T + 1.0
    model = ae.LinearAutoencoder([6, 2], seed=0)
    model.fit(X.astype(numpy.float32), epochs=60, batch_size=50, optimizer=Adam(lr=0.02),
              seed=0, verbose=0)
    _, _, vt = numpy.linalg.svd(X - X.mean(axis=0), full_matrices=False)
    decoder_span = host(model.decoder[0].W.data).T        # (6, 2): the decoder's columns
    angles = principal_angles_deg(decoder_span, vt[:2].T)
    assert angles.max() < 3.0, angles


@given(k=st.integers(1, 4), alpha=st.integers(1, 3), seed=seeds)
def test_ksparse_codes_have_exactly_k_and_alpha_k_nonzeros(k, alpha, seed):
    model = ae.KSparseAutoencoder([10, 12], k=k, alpha=alpha, seed=seed)
    x = backend.to_device(numpy.random.default_rng(seed).standard_normal((7, 10))
                          .astype(numpy.float32))
    h = model.encoder.forward(x)
    assert (host(model.bottleneck(h, training=True)) != 0).sum(axis=1).tolist() == [k] * 7
    assert (host(model.encode(x)) != 0).sum(axis=1).tolist() == [min(alpha * k, 12)] * 7


def test_ksparse_schedule_goes_linearly_from_k_start_to_k_over_half_the_epochs():
    model = ae.KSparseAutoencoder([8, 10], k=2, k_start=8, seed=0)
    seen = []

    class Spy(Callback):   # records the k each epoch trained with (at its first batch)
        def on_batch_end(self, batch, logs=None):
            if batch == 0:
                seen.append(self.model.k_current)

    X = numpy.random.default_rng(0).standard_normal((20, 8)).astype(numpy.float32)
    model.fit(X, epochs=5, batch_size=10, callbacks=[Spy()], verbose=0)
    assert seen == [8, 6, 3, 2, 2]   # k_e = round(8 − 6 · min(1, e / 2.5))
    assert model.k_current == 2


def test_ksparse_schedule_does_not_set_off_the_divergence_warning():
    """The loss rises by design while k falls (here from 32 to 1 over epochs 1-10); fit
    watches for divergence only from epoch 11, where k is reached. Trained with
    ``training.fit`` and the schedule alone, the same run warns (the rise is real)."""
    import warnings
    from minidl import datasets
    from minidl.callbacks import DivergenceWarning
    from minidl.training import fit
    X = datasets.load("digits", "train")[0]

    def warned(train):
        model = ae.KSparseAutoencoder([64, 64], k=1, k_start=32, seed=0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            losses = train(model)
        return [str(w.message) for w in caught if w.category is DivergenceWarning], losses

    kw = dict(epochs=20, batch_size=64, verbose=0, seed=0, optimizer=Adam(1e-2))
    said, losses = warned(lambda m: fit(m, X, callbacks=[KSchedule(20)], **kw).history["loss"])
    assert len(said) == 1 and "in a row" in said[0], (said, losses)
    said, losses = warned(lambda m: m.fit(X, **kw).history_.history["loss"])
    assert said == [], said
    assert max(losses[4:11]) > 2 * min(losses[:4])     # the rise the watch now skips


def test_sparse_autoencoder_mean_activation_approaches_rho():
    X = prototypes(300, 20, 0)
    model = ae.SparseAutoencoder([20, 16], rho=0.1, beta=3.0, seed=0)
    before = float(host(model.mean_activation(X)).mean())
    model.fit(X, epochs=100, batch_size=50, optimizer=Adam(lr=0.01), seed=0, verbose=0)
    after = float(host(model.mean_activation(X)).mean())
    assert abs(after - 0.1) < 0.03 < abs(before - 0.1), (before, after)


def test_denoising_autoencoder_cleans_masked_inputs_better_than_plain():
    """Trained long enough that the 0.8 margin does not hang on one seed: over 48 runs (model,
    fit and test-noise seeds 0-7, the derive_seed paths salted or not, NumPy's PCG64, Philox
    and SFC64 streams) the ratio was 0.51-0.62 (mean 0.56, sd 0.025) at 100 epochs, and
    0.53-0.60 over 16 runs on the CuPy stand-in's own stream; at the 30 epochs this test
    once used it was 0.73-0.84 (0.77-0.83 on the stand-in), so 0.8 was tuned to one seed."""
    X = prototypes(400, 30, 1)
    noisy = ae.make_corruption("masking", 0.4, seed=5)(backend.to_device(X))
    errors = {}
    for name, model in [("plain", ae.DeepAutoencoder([30, 20], activation="sigmoid", seed=0)),
                        ("denoising", ae.DenoisingAutoencoder([30, 20], noise="masking",
                                                              level=0.4, seed=0))]:
        model.fit(X, epochs=100, batch_size=50, optimizer=Adam(lr=0.01), seed=0, verbose=0)
        errors[name] = float(host(((model.reconstruct(noisy) - backend.to_device(X)) ** 2).mean()))
    assert errors["denoising"] < 0.8 * errors["plain"], errors


MODELS = {
    "deep": lambda s: ae.DeepAutoencoder([12, 6, 3], seed=s),
    "tied": lambda s: ae.TiedAutoencoder([12, 4], seed=s),
    "denoising": lambda s: ae.DenoisingAutoencoder([12, 4], noise="gaussian", level=0.2, seed=s),
    "sparse": lambda s: ae.SparseAutoencoder([12, 5], l1=1e-3, seed=s),
    "ksparse": lambda s: ae.KSparseAutoencoder([12, 8], k=2, k_start=6, seed=s),
    "contractive": lambda s: ae.ContractiveAutoencoder([12, 4], seed=s),
    "vae": lambda s: ae.VAE([12, 6, 2], seed=s),
    "betavae": lambda s: ae.BetaVAE([12, 6, 2], seed=s),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_fit_is_reproducible_by_seed_and_stays_float32(name):
    X = prototypes(40, 12, 2)
    runs = []
    for _ in range(2):
        model = MODELS[name](3)
        assert model.fit(X, epochs=2, batch_size=16, seed=4, verbose=0,
                         validation_data=X[:10]) is model
        runs.append([host(w) for w in model.get_weights()])
        assert set(model.history_.history) >= {"loss", "recon", "val_loss"}
    for a, b in zip(*runs):
        numpy.testing.assert_array_equal(a, b)
    for p in model.parameters():
        assert p.data.dtype == numpy.float32 and p.grad.dtype == numpy.float32, p
    for out in (model.encode(X), model.reconstruct(X), model.decode(model.encode(X))):
        assert out.dtype == numpy.float32
    rec = host(model.reconstruct(X))
    assert rec.shape == X.shape
    if name != "ksparse":   # the k-sparse AE's MSE output is not squashed into [0, 1]
        assert rec.min() >= 0 and rec.max() <= 1
    assert all(numpy.isfinite(v) for v in model.evaluate(X).values())


def test_vae_generation_helpers_shapes_and_range():
    model = ae.VAE([12, 6, 2], seed=0)
    X = prototypes(10, 12, 3)
    for out, shape in [(model.sample(5, seed=1), (5, 12)),
                       (model.interpolate(X[0], X[1], steps=7), (7, 12)),
                       (model.latent_arithmetic(X[:3], X[3:6], X[6:]), (4, 12))]:
        out = host(out)
        assert out.shape == shape and out.min() >= 0 and out.max() <= 1
    ends = host(model.interpolate(X[0], X[1], steps=3))
    numpy.testing.assert_allclose(ends[[0, 2]], host(model.reconstruct(X[:2])), rtol=1e-5)


@pytest.mark.parametrize("make, words", [
    (lambda: ae.SparseAutoencoder([10, 4], rho=1.0), "(0, 1)"),
    (lambda: ae.SparseAutoencoder([10, 4], rho=0.0), "(0, 1)"),
    (lambda: ae.SparseAutoencoder([10, 4], beta=-1), ">= 0"),
    (lambda: ae.SparseAutoencoder([10, 4], l1=-1e-4), ">= 0"),
    (lambda: ae.KSparseAutoencoder([10, 4], k=5), "[1, 4]"),
    (lambda: ae.KSparseAutoencoder([10, 4], k=0), "[1, 4]"),
    (lambda: ae.KSparseAutoencoder([10, 4], k=2, alpha=0.5), ">= 1"),
    (lambda: ae.ContractiveAutoencoder([10, 4], lam=-0.1), ">= 0"),
    (lambda: ae.ContractiveAutoencoder([10, 6, 4]), "[input, code]"),
    (lambda: ae.BetaVAE([10, 4, 2], beta=-1.0), ">= 0"),
    (lambda: ae.DenoisingAutoencoder([10, 4], noise="pink"), "gaussian"),
    (lambda: ae.DenoisingAutoencoder([10, 4], noise="masking", level=1.0), "[0, 1)"),
    (lambda: ae.DenoisingAutoencoder([10, 4], noise="gaussian", level=-0.1), ">= 0"),
    (lambda: ae.DeepAutoencoder([10]), "at least 2"),
    (lambda: ae.DeepAutoencoder([10, 4], loss="hinge"), "bce"),
])
def test_bad_hyperparameters_are_refused_naming_the_valid_range(make, words):
    with pytest.raises(ValueError) as info:
        make()
    assert words in str(info.value)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_training_skips_the_unused_input_gradient(name):
    """The encoder's first layer is told no dL/dx is needed; parameter gradients are unchanged."""
    x = backend.to_device(prototypes(6, 12, 4))
    grads = []
    for input_grad in (False, True):
        model = MODELS[name](0)
        assert model.encoder.layers[0].input_grad is False
        model.encoder.input_grad = input_grad
        model.reseed(2)
        model.objective(x, training=True)
        dx = model.backward()
        assert (dx is None) == (not input_grad)
        grads.append([host(p.grad) for p in model.parameters()])
    for off, on in zip(*grads):
        numpy.testing.assert_allclose(off, on, rtol=1e-6, atol=1e-7)


def test_backward_before_objective_is_refused():
    with pytest.raises(RuntimeError, match="before"):
        ae.DeepAutoencoder([6, 3]).backward()


def test_evaluate_accepts_an_x_y_pair_like_fit_validation():
    model = ae.DeepAutoencoder([6, 3], seed=0)
    X = prototypes(8, 6, 0)
    assert model.evaluate((X, numpy.zeros(8))) == model.evaluate(X)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_config_rebuilds_an_equivalent_model(name):
    """Same config, same weights => same outputs and objective (not only same shapes)."""
    model = MODELS[name](0)
    X = prototypes(20, 12, 5)
    model.fit(X, epochs=1, batch_size=10, seed=0, verbose=0)   # weights away from the init
    twin = type(model)(**model.get_config())
    twin.set_weights(model.get_weights())
    for method in ("encode", "reconstruct"):
        numpy.testing.assert_array_equal(host(getattr(model, method)(X)),
                                         host(getattr(twin, method)(X)), err_msg=method)
    for m in (model, twin):   # the same noise on both sides (corruption, the VAE's ε)
        m.reseed(1)
    assert model.evaluate(X) == twin.evaluate(X)
    x = backend.to_device(X)
    for m in (model, twin):
        m.reseed(1)
    assert model.objective(x, training=True) == twin.objective(x, training=True)


@given(level=st.sampled_from([0.1, 0.3, 0.6]), seed=seeds)
def test_corruptions_follow_their_definitions(level, seed):
    x = backend.to_device(numpy.random.default_rng(seed).uniform(0.2, 0.8, (50, 40))
                          .astype(numpy.float32))
    masked = host(ae.make_corruption("masking", level, seed=seed)(x))
    hit = masked == 0
    assert abs(hit.mean() - level) < 0.05 and numpy.array_equal(masked[~hit], host(x)[~hit])
    sp = host(ae.make_corruption("salt-and-pepper", level, seed=seed)(x))
    changed = sp != host(x)
    assert abs(changed.mean() - level) < 0.05 and set(numpy.unique(sp[changed])) <= {0.0, 1.0}
    dropped = host(ae.make_corruption("dropout", level, seed=seed)(x))
    kept = dropped != 0
    numpy.testing.assert_allclose(dropped[kept], host(x)[kept] / (1 - level), rtol=1e-6)
    noisy = host(ae.make_corruption("gaussian", level, seed=seed)(x)) - host(x)
    assert abs(noisy.std() - level) < 0.1 * level
    for out in (masked, sp, dropped):
        assert out.dtype == numpy.float32
