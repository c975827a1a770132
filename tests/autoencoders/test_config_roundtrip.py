"""Every autoencoder class: save with minidl.io, rebuild from the file alone, same outputs.

A config that leaves out anything that changes the outputs or the objective (the loss,
tied weights, the corruption, a penalty, the image shape, ...) makes the rebuilt twin
compute something else; so the twin is compared on what it computes -- ``encode``,
``reconstruct`` and ``evaluate`` -- not on its weights.
"""
import numpy
import pytest

from minidl import backend, io
from minidl.layers import Dense, ReLU, Sequential

import autoencoders as ae


def binary(n, d, seed):
    return (numpy.random.default_rng(seed).random((n, d)) < 0.3).astype(numpy.float32)


DENSE = lambda n: binary(n, 12, 0)                                     # noqa: E731
SEQUENCES = lambda n: binary(n * 5, 3, 1).reshape(n, 5, 3)             # noqa: E731
IMAGES = lambda n: binary(n, 784, 2)                                   # noqa: E731

MODELS = {   # name: (builder, data); every keyword away from its default where it matters
    "deep": (lambda: ae.DeepAutoencoder([12, 6, 3], activation="tanh", code_activation=None,
                                        loss="mse", seed=1), DENSE),
    "linear": (lambda: ae.LinearAutoencoder([12, 4], seed=1), DENSE),
    "tied": (lambda: ae.TiedAutoencoder([12, 5, 3], activation="relu", seed=1), DENSE),
    "denoising-gaussian": (lambda: ae.DenoisingAutoencoder([12, 4], noise="gaussian", level=0.2,
                                                           seed=1), DENSE),
    "denoising-masking": (lambda: ae.DenoisingAutoencoder([12, 4], noise="masking", level=0.4,
                                                          tied=True, seed=1), DENSE),
    "denoising-salt-and-pepper": (lambda: ae.DenoisingAutoencoder(
        [12, 4], noise="salt-and-pepper", level=0.1, activation="relu", seed=1), DENSE),
    "denoising-dropout": (lambda: ae.DenoisingAutoencoder([12, 4], noise="dropout", level=0.5,
                                                          loss="mse", seed=1), DENSE),
    "sparse-kl": (lambda: ae.SparseAutoencoder([12, 5], rho=0.2, beta=2.0, reduction="mean",
                                               seed=1), DENSE),
    "sparse-l1": (lambda: ae.SparseAutoencoder([12, 5], beta=0.0, l1=1e-2, seed=1), DENSE),
    "ksparse": (lambda: ae.KSparseAutoencoder([12, 8], k=numpy.int64(2), alpha=2, k_start=5,
                                              tied=False, seed=1), DENSE),
    "ksparse-tied-bce": (lambda: ae.KSparseAutoencoder([12, 8], k=3, loss="bce", seed=1), DENSE),
    "contractive": (lambda: ae.ContractiveAutoencoder([12, 4], lam=0.5, reduction="mean",
                                                      seed=1), DENSE),
    "vae": (lambda: ae.VAE([12, 6, 2], activation="tanh", seed=1), DENSE),
    "betavae": (lambda: ae.BetaVAE([12, 6, 2], beta=8.0, seed=1), DENSE),
    "conv-lecture": (lambda: ae.ConvAutoencoder("lecture", noise_factor=0.3, seed=1), IMAGES),
    "conv-keras": (lambda: ae.ConvAutoencoder("keras", image_shape=(1, 28, 28), loss="mse",
                                              seed=1), IMAGES),
    "conv-keras-16x20": (lambda: ae.ConvAutoencoder("keras", image_shape=(2, 16, 20), seed=1),
                         lambda n: binary(n, 2 * 16 * 20, 3)),
    "seq2seq": (lambda: ae.Seq2SeqAutoencoder([3, 6, 4], loss="mse", seq_len=5, seed=1),
                SEQUENCES),
    "stacked": (lambda: ae.StackedAutoencoder([12, 6, 3], unit="denoising",
                                              unit_kwargs={"noise": "gaussian", "level": 0.1},
                                              activation="tanh", seed=1), DENSE),
}


def outputs(model, X):
    """What the model computes: codes, reconstructions, and its objective in and out of training.

    The training objective catches what only training sees (the corruption's level, say);
    reseeding gives both sides the same noise (the corruption, the VAE's ε).
    """
    model.reseed(5)
    training = model.objective(model._inputs(X, "test"), training=True)
    model.reseed(5)
    return {"encode": backend.to_host(model.encode(X)),
            "reconstruct": backend.to_host(model.reconstruct(X)),
            "evaluate": model.evaluate(X), "training objective": training}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_a_saved_model_rebuilds_from_its_file_alone(name, tmp_path):
    build, data = MODELS[name]
    model, X = build(), data(8)
    model.fit(X, epochs=1, batch_size=4, seed=0, verbose=0)   # weights away from the init
    path = io.save(model, str(tmp_path / "model.npz"))
    twin = io.load(path)
    assert type(twin) is type(model) and twin is not model
    assert twin.get_config() == model.get_config()
    mine, theirs = outputs(model, X), outputs(twin, X)
    for key in ("encode", "reconstruct"):
        numpy.testing.assert_array_equal(mine[key], theirs[key], err_msg=f"{name}: {key}")
    assert mine["evaluate"] == theirs["evaluate"]
    assert mine["training objective"] == theirs["training objective"]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_config_is_json_and_the_keywords_as_given(name):
    model = MODELS[name][0]()
    config = model.get_config()
    params = model.get_params()
    # epochs / batch_size: how long fit trains, like the optimizer not part of the model
    assert set(config) == set(params) - {"seed", "optimizer", "epochs", "batch_size"}
    assert type(model)(**config).get_config() == config


@pytest.mark.parametrize("name, change", [
    ("deep", {"activation": "sigmoid"}), ("deep", {"loss": "bce"}),
    ("ksparse", {"tied": True}), ("denoising-masking", {"level": 0.1}),
    ("conv-lecture", {"noise_factor": None}), ("sparse-kl", {"beta": 1.0}),
])
def test_loading_into_a_model_with_another_config_names_the_keys(name, change, tmp_path):
    model = MODELS[name][0]()
    path = io.save(model, str(tmp_path / "model.npz"))
    other = type(model)(**{**model.get_config(), **change})
    with pytest.raises(io.WeightsFileError, match=list(change)[0]):
        io.load_weights(other, path)


def test_a_model_built_from_layers_says_it_cannot_be_rebuilt_but_its_weights_load(tmp_path):
    def build(seed):
        return ae.Autoencoder(Sequential(Dense(12, 4, seed=seed), ReLU()),
                              Sequential(Dense(4, 12, seed=seed + 1)))

    model, X = build(0), DENSE(6)
    assert model.get_config() is None
    path = io.save(model, str(tmp_path / "layers.npz"))
    with pytest.raises(io.WeightsFileError, match="cannot be rebuilt|build it by hand"):
        io.load(path)
    twin = build(7)
    io.load_weights(twin, path)
    numpy.testing.assert_array_equal(backend.to_host(model.reconstruct(X)),
                                     backend.to_host(twin.reconstruct(X)))
