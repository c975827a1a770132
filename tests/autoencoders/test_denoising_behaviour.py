"""A denoising autoencoder corrupts its input while training, and only then.

J = E_{x̃ ~ q(x̃|x)} L(x, g(f(x̃))) is a training objective: ``evaluate``, ``encode``,
``reconstruct`` and ``transform`` describe the model on the clean x. Each is compared with
a twin that has the same weights and no corruption at all, so a corruption leaking into
any of them (at masking level 0.5 half the inputs vanish) changes the numbers.
"""
import numpy
import pytest

from minidl import backend
from minidl.optimizers import SGD

import autoencoders as ae

NOISES = ["masking", "gaussian", "salt-and-pepper", "dropout"]


def host(a):
    return backend.to_host(a)


def trained_pair(noise):
    """A briefly trained DenoisingAutoencoder and a plain twin holding copies of its weights."""
    X = (numpy.random.default_rng(0).random((60, 12)) < 0.5).astype(numpy.float32)
    model = ae.DenoisingAutoencoder([12, 5], noise=noise, level=0.5, seed=1)
    model.fit(X, epochs=2, batch_size=20, seed=2, verbose=0)
    twin = ae.DeepAutoencoder([12, 5], activation="sigmoid", seed=3)
    twin.set_weights(model.get_weights())
    assert twin.corruption is None
    return model, twin, X


@pytest.mark.parametrize("noise", NOISES)
def test_inference_methods_see_the_clean_input(noise):
    model, twin, X = trained_pair(noise)
    for method in ["encode", "reconstruct", "transform"]:
        got, want = host(getattr(model, method)(X)), host(getattr(twin, method)(X))
        numpy.testing.assert_array_equal(got, want, err_msg=method)
    got, want = model.evaluate(X), twin.evaluate(X)
    assert got.keys() == want.keys()
    for k in want:
        assert got[k] == pytest.approx(want[k], rel=1e-6), k


@pytest.mark.parametrize("noise", NOISES)
def test_validation_loss_is_the_clean_evaluate(noise):
    model, twin, X = trained_pair(noise)
    model.fit(X, epochs=1, batch_size=20, seed=4, verbose=0, validation_data=X)
    twin.set_weights(model.get_weights())   # the weights the validation pass saw
    assert model.history_.history["val_loss"][-1] == pytest.approx(twin.evaluate(X)["loss"],
                                                                   rel=1e-6)


def test_training_batches_are_corrupted_at_the_level():
    """The encoder sees x̃ in train_step: at masking level ν = 0.5 about half the ones of x
    become 0 (4,000 ones, so the fraction's sampling sd is 0.008; the bound is 6 sd)."""
    X = numpy.ones((400, 10), dtype=numpy.float32)
    model = ae.DenoisingAutoencoder([10, 4], noise="masking", level=0.5, seed=1,
                                    optimizer=SGD(lr=0.1))
    seen = []
    forward = model.encoder.forward

    def spy(x, training=False):
        seen.append((host(x).copy(), training))
        return forward(x, training=training)

    model.encoder.forward = spy
    model.train_step(backend.to_device(X))
    (x_in, training), = seen
    assert training
    assert abs((x_in == 0).mean() - 0.5) < 0.05, (x_in == 0).mean()
