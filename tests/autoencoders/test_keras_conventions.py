"""The lecture's Keras code, ported line by line: ``fit(x_in, x_target)`` means what it says.

Keras' ``autoencoder.fit(x_train_noisy, x_train)`` reconstructs its second argument from
its first. minidl's rule (``Autoencoder.fit``): a second argument of X's shape is the
reconstruction target; a 1-D vector of labels is ignored (scikit-learn's Pipeline hands
every step its y); anything else is refused before any weight moves.
"""
import numpy
import pytest

from minidl import backend, datasets, metrics
from minidl.optimizers import Adam
from minidl.training import fit as training_fit

import autoencoders as ae


def host(a):
    return backend.to_host(a)


def mnist(n_train, n_test):
    (x_train, _), (x_test, _) = datasets.load("mnist-5k"), datasets.load("mnist-5k", "test")
    return x_train[:n_train], x_test[:n_test]


def prototypes(n, d, seed, n_protos=6, flip=0.05):
    """Binary patterns: noisy copies of a few random prototypes, float32 in {0, 1}."""
    gen = numpy.random.default_rng(seed)
    protos = gen.random((n_protos, d)) < 0.5
    return (protos[gen.integers(0, n_protos, n)] ^ (gen.random((n, d)) < flip)).astype("float32")


#: every autoencoder class, small; each with the shape of one input row it takes
VARIANTS = {
    "deep": (lambda: ae.DeepAutoencoder([16, 8], seed=0), (16,)),
    "linear": (lambda: ae.LinearAutoencoder([16, 8], seed=0), (16,)),
    "tied": (lambda: ae.TiedAutoencoder([16, 8], seed=0), (16,)),
    "denoising": (lambda: ae.DenoisingAutoencoder([16, 8], level=0.1, seed=0), (16,)),
    "sparse": (lambda: ae.SparseAutoencoder([16, 8], seed=0), (16,)),
    "contractive": (lambda: ae.ContractiveAutoencoder([16, 8], lam=0.01, seed=0), (16,)),
    "ksparse": (lambda: ae.KSparseAutoencoder([16, 12], k=6, k_start=None, seed=0), (16,)),
    "vae": (lambda: ae.VAE([16, 12, 4], seed=0), (16,)),
    "betavae": (lambda: ae.BetaVAE([16, 12, 4], beta=1.5, seed=0), (16,)),
    "conv": (lambda: ae.ConvAutoencoder("keras", image_shape=(1, 4, 4), seed=0), (16,)),
    "seq2seq": (lambda: ae.Seq2SeqAutoencoder([4, 12], seed=0), (4, 4)),
    "stacked": (lambda: ae.StackedAutoencoder([16, 12, 8], seed=0), (16,)),
}


def variant_data(name, n=64, seed=0):
    make, row = VARIANTS[name]
    return make(), prototypes(n, 16, seed).reshape((n,) + row)


# --- the lecture's snippet: autoencoder.fit(x_train, x_train, ...) -----------------------
def test_lecture_snippet_fit_x_train_x_train_learns_what_fit_x_train_learns():
    """Bit for bit the weights of fit(x_train): the target x_train is the input itself
    (what fit(X) learns is checked across tests/autoencoders; 50 epochs are not run here)."""
    x_train, x_test = mnist(600, 200)
    encoding_dim = 32
    # Dense(32, relu) -> Dense(784, sigmoid), binary cross-entropy, Adam: the lecture's model
    autoencoder = ae.DeepAutoencoder([784, encoding_dim], seed=0)
    autoencoder.fit(x_train, x_train, epochs=3, batch_size=256, shuffle=True,
                    validation_data=(x_test, x_test), seed=0, verbose=0)
    plain = ae.DeepAutoencoder([784, encoding_dim], seed=0)
    plain.fit(x_train, epochs=3, batch_size=256, shuffle=True, validation_data=x_test,
              seed=0, verbose=0)
    for a, b in zip(autoencoder.get_weights(), plain.get_weights()):
        numpy.testing.assert_array_equal(host(a), host(b))
    history = autoencoder.history_.history
    assert history["val_loss"][-1] == pytest.approx(autoencoder.evaluate(x_test)["loss"], rel=1e-5)
    assert history["loss"][-1] < history["loss"][0]
    assert history["val_loss"][-1] < history["val_loss"][0]


# --- the Keras denoising tutorial: autoencoder.fit(x_train_noisy, x_train, ...) ----------
@pytest.mark.numpy_only
@pytest.mark.parametrize("seed", [0])   # margins 1.36, 1.48, 1.44 dB at seeds 0, 1, 2
def test_keras_denoising_tutorial_beats_the_plain_autoencoder_on_noisy_input(seed):
    x_train, x_test = mnist(2000, 500)
    rng = numpy.random.default_rng(seed)
    noise_factor = 0.5
    x_train_noisy = x_train + noise_factor * rng.normal(loc=0.0, scale=1.0, size=x_train.shape)
    x_test_noisy = x_test + noise_factor * rng.normal(loc=0.0, scale=1.0, size=x_test.shape)
    x_train_noisy = numpy.clip(x_train_noisy, 0., 1.).astype("float32")
    x_test_noisy = numpy.clip(x_test_noisy, 0., 1.).astype("float32")
    autoencoder = ae.DeepAutoencoder([784, 64], seed=seed)
    autoencoder.fit(x_train_noisy, x_train, epochs=5, batch_size=128, shuffle=True,
                    validation_data=(x_test_noisy, x_test), seed=seed, verbose=0)
    # what minidl did before: the second argument dropped, the noisy digits reconstructed
    plain = ae.DeepAutoencoder([784, 64], seed=seed)
    plain.fit(x_train_noisy, epochs=5, batch_size=128, shuffle=True, seed=seed, verbose=0)
    denoised = metrics.psnr(host(autoencoder.reconstruct(x_test_noisy)), x_test)
    copied = metrics.psnr(host(plain.reconstruct(x_test_noisy)), x_test)
    assert denoised > copied + 0.7, (denoised, copied)
    assert denoised > metrics.psnr(x_test_noisy, x_test) + 2.0
    # the validation loss compared with the clean digits, as the training loss did
    val = autoencoder.evaluate((x_test_noisy, x_test))["loss"]
    assert autoencoder.history_.history["val_loss"][-1] == pytest.approx(val, rel=1e-5)
    assert val < autoencoder.evaluate(x_test_noisy)["loss"]


# --- every variant: the target is what the loss compares with ----------------------------
@pytest.mark.numpy_only     # ~15 s; the CuPy copy runs the target path in the snippet test
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_variant_learns_to_reconstruct_the_target_not_the_input(name):
    model, X = variant_data(name)
    flat = X.reshape(len(X), -1)
    Y = flat.copy()
    Y[:, 8:] = 0.0          # the target blanks the second half of every row (X's shape)
    model.fit(X, Y.reshape(X.shape), epochs=40, batch_size=16, optimizer=Adam(lr=1e-2),
              seed=0, verbose=0)
    out = host(model.reconstruct(X)).reshape(flat.shape)[:, 8:]
    to_target, to_input = numpy.abs(out).mean(), numpy.abs(out - flat[:, 8:]).mean()
    assert to_target < 0.5 * to_input, (to_target, to_input)     # ignored target: >> 1


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_a_target_of_another_shape_is_refused_before_any_weight_moves(name):
    model, X = variant_data(name, n=8)
    before = [host(w) for w in model.get_weights()]
    wrong = X.reshape(len(X), -1)[:, :3]
    with pytest.raises(ValueError, match=rf"X has shape \(8, .*\) but y has shape \(8, 3\).*fit\(X\)"):
        model.fit(X, wrong, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"validation_data\[1\] has shape \(8, 3\)"):
        model.fit(X, epochs=1, verbose=0, validation_data=(X, wrong))
    for a, b in zip(before, model.get_weights()):
        numpy.testing.assert_array_equal(a, host(b))


@pytest.mark.parametrize("name", ["deep", "vae", "seq2seq"])
def test_1d_labels_are_ignored_as_scikit_learn_requires_of_an_unsupervised_step(name):
    runs = []
    for labels in (None, numpy.arange(32) % 3):
        model, X = variant_data(name, n=32)
        model.fit(X, labels, epochs=2, batch_size=8, seed=0, verbose=0,
                  validation_data=X if labels is None else (X, labels))
        runs.append([host(w) for w in model.get_weights()])
    for a, b in zip(*runs):
        numpy.testing.assert_array_equal(a, b)


def test_training_fit_itself_refuses_labels_for_an_autoencoder():
    model, X = variant_data("deep", n=8)
    with pytest.raises(ValueError, match=r"y has shape \(8,\).*reconstruction target"):
        training_fit(model, X, numpy.zeros(8, dtype=int), epochs=1, batch_size=4, verbose=0)


def test_bce_target_outside_the_unit_interval_is_refused():
    model, X = variant_data("deep", n=8)
    with pytest.raises(ValueError, match=r"y has values in \[0, 2\].*BCE"):
        model.fit(X, 2.0 * X, epochs=1, verbose=0)
