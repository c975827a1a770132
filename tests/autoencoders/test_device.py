"""Models own their device: every autoencoder method computes on its parameters' module.

The global ``backend.xp`` is replaced by a module that fails on any use while the
models' arrays stay NumPy; every method (training with noise, sampling, the conv AE's
figures, greedy pretraining) must still work and return NumPy arrays.
"""
import numpy
import pytest

from minidl import backend

import autoencoders as ae


class Poisoned:
    """Stands in for the global backend.xp: touching it fails the test, naming the attribute."""

    def __getattr__(self, name):
        raise AssertionError(f"code read the global backend.xp.{name} instead of the model's "
                             f"own array module")


def binary(shape, seed=0):
    return (numpy.random.default_rng(seed).random(shape) < 0.3).astype(numpy.float32)


FIT = dict(epochs=1, batch_size=4, verbose=0, seed=0)


def dense_calls(model, X=None):
    X = binary((8, 12)) if X is None else X
    return [lambda: model.fit(X, validation_data=X, **FIT), lambda: model.encode(X),
            lambda: model.transform(X), lambda: model.reconstruct(X),
            lambda: model.inverse_transform(model.encode(X)), lambda: model.evaluate(X),
            lambda: model.reconstruction_error(X)]


def vae_calls():
    model, X = ae.VAE([12, 6, 2], seed=0), binary((8, 12))
    return model, dense_calls(model) + [lambda: model.sample(3), lambda: model.sample(3, seed=1),
                                        lambda: model.interpolate(X[0], X[1], steps=4),
                                        lambda: model.latent_arithmetic(X[:2], X[2:4], X[4:]),
                                        lambda: model.encode_distribution(X)]


def conv_calls():
    model, X = ae.ConvAutoencoder("lecture", noise_factor=0.5, seed=0), binary((4, 784))
    return model, dense_calls(model, X) + [
        lambda: model.decode(model.encode(X)), lambda: model.feature_maps(X[0]),
        lambda: model.maximize_activation("first", steps=2)]


def stacked_calls():
    model, X = ae.StackedAutoencoder([12, 6, 3], unit="denoising", seed=0), binary((8, 12))
    return model, [lambda: model.pretrain(X, epochs=1, batch_size=4)] + dense_calls(model, X)


def seq2seq_calls():
    model, X = ae.Seq2SeqAutoencoder([3, 4], seed=0), binary((4, 5, 3))
    return model, dense_calls(model, X) + [lambda: model.decode(numpy.zeros((2, 4)), seq_len=3)]


BUILDS = {
    "deep": lambda: (lambda m: (m, dense_calls(m)))(ae.DeepAutoencoder([12, 6, 3], seed=0)),
    **{f"denoising-{noise}": (lambda noise: lambda: (lambda m: (m, dense_calls(m)))(
        ae.DenoisingAutoencoder([12, 4], noise=noise, level=0.3, seed=0)))(noise)
       for noise in ("gaussian", "masking", "salt-and-pepper", "dropout")},
    "sparse": lambda: (lambda m: (m, dense_calls(m)))(ae.SparseAutoencoder([12, 4], l1=0.1)),
    "ksparse": lambda: (lambda m: (m, dense_calls(m)))(ae.KSparseAutoencoder([12, 8], k=2)),
    "contractive": lambda: (lambda m: (m, dense_calls(m)))(ae.ContractiveAutoencoder([12, 4])),
    "vae": vae_calls, "conv": conv_calls, "stacked": stacked_calls, "seq2seq": seq2seq_calls,
}


@pytest.mark.parametrize("name", sorted(BUILDS))
def test_every_method_computes_on_the_models_module(name, monkeypatch, backend_name):
    if backend_name != "numpy":
        pytest.skip("the model's arrays must be NumPy while the global is poisoned")
    model, calls = BUILDS[name]()             # built on the real backend
    monkeypatch.setattr(backend, "xp", Poisoned())
    for call in calls:
        out = call()
        for array in out if isinstance(out, tuple) else (out,):
            if hasattr(array, "shape"):
                assert isinstance(array, numpy.ndarray), type(array)


def test_the_remembered_first_parameter_follows_astype_and_set_params():
    """Model remembers its first Parameter for xp/dtype: a cast is still seen, and a
    rebuild by set_params forgets the old layers."""
    import numpy
    import autoencoders as ae
    model = ae.DeepAutoencoder([6, 3], seed=0)
    assert model._dtype() == numpy.float32
    model.astype(numpy.float64)
    assert model._dtype() == numpy.float64
    assert model.encode(numpy.zeros((2, 6))).dtype == numpy.float64
    old_first = model._first_parameter()
    model.set_params(sizes=[6, 2])
    assert model._first_parameter() is not old_first
    assert model._first_parameter() is model.parameters()[0]
    assert model._dtype() == numpy.float32 and model.encode(numpy.zeros((1, 6))).shape == (1, 2)
