import numpy
import pytest
from hypothesis import given, settings, strategies as st

from minidl import backend
from minidl.gradcheck import check_gradients
from minidl.layers import Sequential

from autoencoders import Autoencoder, ConvAutoencoder
from autoencoders.conv import ARCHITECTURES, GaussianCorruption

CODE_SHAPES = {"lecture": (8, 4, 4), "keras": (32, 7, 7)}


def images(n, seed, flat=True):
    x = numpy.random.default_rng(seed).random((n, 784) if flat else (n, 1, 28, 28))
    return backend.to_device(x.astype(numpy.float32))


def bce_with_logits(z, x):
    """Mean over pixels of −[x log σ(z) + (1 − x) log(1 − σ(z))] = softplus(z) − x z."""
    xp = backend.get_array_module(z)
    return float((xp.logaddexp(0, z) - x * z).mean())


@pytest.mark.parametrize("architecture", ["lecture", "keras"])
def test_shapes_layouts_and_range(architecture):
    model = ConvAutoencoder(architecture, seed=0)
    assert isinstance(model, Autoencoder)
    x = images(3, 0)
    assert model.encode(x).shape == (3,) + CODE_SHAPES[architecture]
    flat = model.reconstruct(x)
    assert flat.shape == (3, 784) and flat.dtype == numpy.float32
    assert float(flat.min()) > 0 and float(flat.max()) < 1
    assert model.reconstruct(images(2, 1, flat=False)).shape == (2, 1, 28, 28)


@settings(max_examples=3)
@given(architecture=st.sampled_from(["lecture", "keras"]), n=st.integers(1, 2),
       seed=st.integers(0, 2**16))
def test_objective_gradient_every_parameter_and_input(architecture, n, seed):
    """BCE(decoder(encoder(x)), x), its backward vs a directional numerical derivative."""
    model = ConvAutoencoder(architecture, seed=seed).astype(numpy.float64)
    gen = numpy.random.default_rng(seed)
    for p in model.parameters():
        if p.name.endswith(".b"):
            # zero biases put ReLU inputs exactly on the kink wherever a receptive field is
            # all zeros; random biases keep every ReLU input away from 0
            p.data = backend.to_device(0.1 * gen.standard_normal(p.shape))
    x = images(n, seed, flat=False).astype(numpy.float64)
    target = x.copy()
    model.encoder.input_grad = True  # off for training; dx is checked here

    def objective():
        return bce_with_logits(model.decoder.forward(model.encoder.forward(x)), target)

    params = model.parameters()
    for p in params:
        p.zero_grad()
    z = model.decoder.forward(model.encoder.forward(x))
    xp = backend.get_array_module(z)
    dz = (1 / (1 + xp.exp(-z)) - target) / z.size          # d mean-BCE / d logits
    dx = model.encoder.backward(model.decoder.backward(dz))
    arrays = [x] + [p.data for p in params]
    analytic = [dx] + [p.grad.copy() for p in params]
    names = ["dx"] + [p.name for p in params]
    for k in range(2):  # two random directions through all parameters and the input
        try:
            check_gradients(objective, arrays, analytic, names, directional=True, seed=seed + k,
                            rtol=1e-5, atol=1e-9)
        except AssertionError:
            # tens of thousands of ReLU inputs: now and then one lies within the ±1e-6 step
            # of its kink (e.g. keras, n=1, seed=269) and the central difference straddles it.
            # That error shrinks with the step; a wrong gradient does not.
            check_gradients(objective, arrays, analytic, names, directional=True, seed=seed + k,
                            rtol=1e-5, atol=1e-9, eps=1e-7)


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_first_conv_skips_the_input_gradient_without_changing_parameter_gradients(architecture):
    """Training asks for no d/dimage: the first conv returns None, every dW is unchanged."""
    x = images(4, 1, flat=False)
    grads = []
    for input_grad in (False, True):
        model = ConvAutoencoder(architecture, seed=2)
        assert model.encoder.layers[0] is model._enc_layers[model.conv_layers()[0]]
        assert model.encoder.layers[0].input_grad is False   # the Autoencoder's rule
        model.encoder.input_grad = input_grad
        z = model.decoder.forward(model.encoder.forward(x))
        dx = model.encoder.backward(model.decoder.backward(z - x))
        assert (dx is None) == (not input_grad)
        grads.append([backend.to_host(p.grad) for p in model.parameters()])
    for g_off, g_on in zip(*grads):
        numpy.testing.assert_allclose(g_off, g_on, rtol=1e-6, atol=1e-7)
    assert model.maximize_activation("first", steps=2).shape == (32 if architecture == "keras"
                                                                 else 16, 1, 28, 28)


def test_training_lowers_the_reconstruction_loss():
    model = ConvAutoencoder("lecture", seed=0)
    x = images(64, 3, flat=False)
    x = (x > 0.7).astype(numpy.float32)   # sparse binary "digits": learnable quickly
    z = model.decoder.forward(model.encoder.forward(x))
    before = bce_with_logits(z, x)
    assert model.fit(x, epochs=3, batch_size=16, seed=0, verbose=0) is model
    after = bce_with_logits(model.decoder.forward(model.encoder.forward(x)), x)
    assert after < before - 0.02
    assert model.evaluate(x)["loss"] == pytest.approx(after, rel=1e-5)


@given(seed=st.integers(0, 2**16), factor=st.sampled_from([0.1, 0.5, 1.0]))
def test_gaussian_corruption_is_clipped_noise_of_the_given_std(seed, factor):
    x = backend.xp.full((200, 50), 0.5, dtype=numpy.float32)
    noisy = GaussianCorruption(factor, seed=seed)(x)
    assert noisy.dtype == numpy.float32 and float(noisy.min()) >= 0 and float(noisy.max()) <= 1
    raw = backend.to_host(GaussianCorruption(factor, clip=None, seed=seed)(x) - x)
    assert abs(raw.std() - factor) < 0.05 * factor
    assert abs(raw.mean()) < 0.05 * factor
    numpy.testing.assert_array_equal(backend.to_host(x), 0.5)  # the input is not touched


def test_denoising_model_uses_the_corruption():
    model = ConvAutoencoder(noise_factor=0.5, seed=0)
    assert isinstance(model.corruption, GaussianCorruption) and model.corruption.factor == 0.5
    assert ConvAutoencoder(seed=0).corruption is None


@pytest.mark.parametrize("which, shape", [("first", (16, 28, 28)), ("last", (8, 7, 7))])
def test_feature_maps_of_first_and_last_conv(which, shape):
    model = ConvAutoencoder(seed=0)
    maps = model.feature_maps(images(1, 0)[0], layer=which)
    assert maps.shape == shape and float(maps.min()) >= 0  # after the ReLU


def test_activation_maximisation_excites_each_filter_and_leaves_no_gradient():
    model = ConvAutoencoder(seed=0)
    for p in model.parameters():
        p.zero_grad()
    net = Sequential(*model._upto("first"))
    start = model.maximize_activation("first", steps=0, seed=1)
    best = model.maximize_activation("first", steps=15, lr=0.1, seed=1)
    assert best.shape == (16, 1, 28, 28)
    assert float(best.min()) >= 0 and float(best.max()) <= 1

    def own_channel(x):
        h = backend.to_host(net.forward(x)).mean(axis=(2, 3))  # (16 images, 16 channels)
        return numpy.diag(h)

    assert (own_channel(best) >= own_channel(start) - 1e-6).all()
    assert own_channel(best).sum() > own_channel(start).sum()
    assert all(float(abs(p.grad).max()) == 0 for p in model.parameters())
    assert model.encoder.layers[0].input_grad is False   # switched back off afterwards


def test_bad_architecture_and_bad_input_are_refused():
    with pytest.raises(ValueError, match=r"architecture='vgg'.*lecture"):
        ConvAutoencoder("vgg")
    with pytest.raises(ValueError, match=r"\(2, 100\).*\(N, 784\)"):
        ConvAutoencoder(seed=0).encode(backend.xp.zeros((2, 100), dtype=numpy.float32))
    with pytest.raises(ValueError, match=">= 0"):
        ConvAutoencoder(noise_factor=-0.5)


def test_evaluate_reports_the_closed_form_bce_and_chunks_agree():
    model = ConvAutoencoder("lecture", seed=1)
    x = images(5, 2)
    z = model.decoder.forward(model.encoder.forward(x.reshape(5, 1, 28, 28))).reshape(5, -1)
    model.chunk_size = 2   # three chunks of 2, 2 and 1 samples
    assert model.evaluate(x)["loss"] == pytest.approx(bce_with_logits(z, x), rel=1e-5)
    xp = backend.get_array_module(z)
    numpy.testing.assert_allclose(backend.to_host(model.reconstruct(x)),
                                  backend.to_host(1 / (1 + xp.exp(-z))), rtol=1e-5, atol=1e-6)
    assert model.encode(x).shape == (5, 8, 4, 4)
