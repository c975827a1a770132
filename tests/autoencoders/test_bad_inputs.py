"""Bad input to every public entry point of the autoencoders: a clear error, nothing moved.

Table-driven: each row is (what, call, error type, words the message must contain).
``call`` gets a fresh model's factory; data rows also check that no weight moved.
"""
import numpy
import pytest

from minidl import backend, training

import autoencoders as ae

GOOD = (numpy.random.default_rng(0).random((6, 12)) < 0.4).astype(numpy.float32)
PIXELS_255 = GOOD * 255.0


def with_value(value, rows=6, d=12):
    x = GOOD[:rows, :d].astype(numpy.float64).copy()
    x[1, 2] = value
    return x


NAN, INF, HUGE = with_value(numpy.nan), with_value(numpy.inf), with_value(1e39)
EMPTY = numpy.zeros((0, 12), dtype=numpy.float32)

DENSE_BCE = {   # every BCE model that reads (N, 12) rows
    "deep": lambda: ae.DeepAutoencoder([12, 4], seed=0),
    "tied": lambda: ae.TiedAutoencoder([12, 4], seed=0),
    "denoising": lambda: ae.DenoisingAutoencoder([12, 4], seed=0),
    "sparse": lambda: ae.SparseAutoencoder([12, 4], seed=0),
    "contractive": lambda: ae.ContractiveAutoencoder([12, 4], seed=0),
    "vae": lambda: ae.VAE([12, 6, 2], seed=0),
    "betavae": lambda: ae.BetaVAE([12, 6, 2], seed=0),
    "ksparse-bce": lambda: ae.KSparseAutoencoder([12, 8], k=2, loss="bce", seed=0),
    "stacked": lambda: ae.StackedAutoencoder([12, 6, 3], seed=0),
}
FIT = dict(epochs=1, batch_size=3, verbose=0)
SCALE_WORDS = ("[0, 1]", "255", "loss='mse'")
BAD_VALUE_WORDS = {"nan": ("NaN",), "inf": ("infinite",), "huge": ("float32",)}

DATA_ROWS = []   # (case id, model factory, method, argument, error, words)
for name, make in DENSE_BCE.items():
    DATA_ROWS += [(f"{name}-fit-0..255", make, "fit", PIXELS_255, ValueError, SCALE_WORDS),
                  (f"{name}-evaluate-0..255", make, "evaluate", PIXELS_255, ValueError,
                   SCALE_WORDS),
                  (f"{name}-fit-validation-0..255", make, "fit-val", PIXELS_255, ValueError,
                   SCALE_WORDS + ("validation_data",)),
                  (f"{name}-training.fit-0..255", make, "training.fit", PIXELS_255, ValueError,
                   SCALE_WORDS),
                  (f"{name}-training.fit-validation-0..255", make, "training.fit-val",
                   PIXELS_255, ValueError, SCALE_WORDS + ("X_val",))]
    for method in ("fit", "encode", "reconstruct", "evaluate", "transform",
                   "reconstruction_error"):
        for what, X in (("nan", NAN), ("inf", INF), ("huge", HUGE)):
            DATA_ROWS.append((f"{name}-{method}-{what}", make, method, X, ValueError,
                              BAD_VALUE_WORDS[what]))
        DATA_ROWS.append((f"{name}-{method}-0-rows", make, method, EMPTY, ValueError,
                          ("no samples",)))
DATA_ROWS += [
    ("stacked-pretrain-0..255", DENSE_BCE["stacked"], "pretrain", PIXELS_255, ValueError,
     SCALE_WORDS),
    ("stacked-pretrain-nan", DENSE_BCE["stacked"], "pretrain", NAN, ValueError, ("NaN",)),
    ("deep-decode-nan", DENSE_BCE["deep"], "decode", with_value(numpy.nan, d=4), ValueError,
     ("Z", "NaN")),
    ("deep-inverse_transform-huge", DENSE_BCE["deep"], "inverse_transform",
     with_value(1e39, d=4), ValueError, ("Z", "float32")),
    ("deep-decode-0-rows", DENSE_BCE["deep"], "decode", numpy.zeros((0, 4)), ValueError,
     ("no samples",)),
    ("conv-fit-0..255", lambda: ae.ConvAutoencoder(seed=0), "fit",
     numpy.full((2, 784), 255.0), ValueError, SCALE_WORDS),
    ("conv-encode-nan", lambda: ae.ConvAutoencoder(seed=0), "encode",
     numpy.full((2, 784), numpy.nan), ValueError, ("NaN",)),
    ("conv-image-shape-vs-flat-data", lambda: ae.ConvAutoencoder(seed=0), "fit",
     numpy.zeros((2, 100)), ValueError, ("(2, 100)", "(N, 784)", "(1, 28, 28)")),
    ("conv-image-shape-vs-image-data", lambda: ae.ConvAutoencoder(seed=0), "reconstruct",
     numpy.zeros((2, 1, 32, 32)), ValueError, ("(2, 1, 32, 32)", "(1, 28, 28)")),
    ("conv-2-channels-vs-1-channel-data", lambda: ae.ConvAutoencoder(
        "keras", image_shape=(2, 28, 28), seed=0), "encode", numpy.zeros((2, 1, 28, 28)),
     ValueError, ("(2, 1, 28, 28)", "(2, 28, 28)")),
    ("seq2seq-fit-0..255", lambda: ae.Seq2SeqAutoencoder([3, 4], seed=0), "fit",
     numpy.full((2, 5, 3), 255.0), ValueError, SCALE_WORDS),
    ("seq2seq-flat-data", lambda: ae.Seq2SeqAutoencoder([3, 4], seed=0), "encode",
     numpy.zeros((2, 15)), ValueError, ("(2, 15)", "(batch, time, features)")),
    ("seq2seq-0-rows", lambda: ae.Seq2SeqAutoencoder([3, 4], seed=0), "reconstruct",
     numpy.zeros((0, 5, 3)), ValueError, ("no samples",)),
]


def call(model, method, X):
    if method == "fit":
        return model.fit(X, **FIT)
    if method == "fit-val":
        return model.fit(GOOD, validation_data=X, **FIT)
    if method == "pretrain":
        return model.pretrain(X, epochs=1, batch_size=3)
    if method == "training.fit":     # the loop itself, not the model's door
        return training.fit(model, X, **FIT)
    if method == "training.fit-val":
        return training.fit(model, GOOD, validation_data=X, **FIT)
    return getattr(model, method)(X)


@pytest.mark.parametrize("case, make, method, X, error, words", DATA_ROWS,
                         ids=[row[0] for row in DATA_ROWS])
def test_bad_data_is_refused_before_any_weight_moves(case, make, method, X, error, words):
    model = make()
    before = [backend.to_host(w) for w in model.get_weights()]
    with pytest.raises(error) as info:
        call(model, method, X)
    for word in words:
        assert word in str(info.value), (case, str(info.value))
    for a, b in zip(before, model.get_weights()):
        numpy.testing.assert_array_equal(a, backend.to_host(b))


def test_mse_models_take_unscaled_data():
    """The [0, 1] rule is the BCE loss's, not a blanket one."""
    for model in (ae.DeepAutoencoder([12, 4], loss="mse", seed=0), ae.LinearAutoencoder([12, 4]),
                  ae.KSparseAutoencoder([12, 8], k=2, seed=0)):
        model.fit(PIXELS_255 / 100.0 - 1.0, **FIT)
        assert numpy.isfinite(model.evaluate(PIXELS_255)["loss"])


SIZED = {
    "DeepAutoencoder": ae.DeepAutoencoder, "LinearAutoencoder": ae.LinearAutoencoder,
    "TiedAutoencoder": ae.TiedAutoencoder, "DenoisingAutoencoder": ae.DenoisingAutoencoder,
    "SparseAutoencoder": ae.SparseAutoencoder, "ContractiveAutoencoder": ae.ContractiveAutoencoder,
    "KSparseAutoencoder": lambda s: ae.KSparseAutoencoder(s, k=1),
    "VAE": ae.VAE, "BetaVAE": ae.BetaVAE, "Seq2SeqAutoencoder": ae.Seq2SeqAutoencoder,
    "StackedAutoencoder": ae.StackedAutoencoder,
}
BAD_SIZES = [([8, 3.7], ValueError, "sizes[1]=3.7 must be an integer"),
             ([8, True], ValueError, "sizes[1]=True must be an integer"),
             ([8, 0], ValueError, "sizes[1]=0 must be an integer >= 1"),
             ([8, -2], ValueError, "sizes[1]=-2 must be an integer >= 1"),
             ([8], ValueError, "at least 2 sizes"),
             ("8,4", ValueError, "must be a list of layer sizes"),
             (8, ValueError, "must be a list of layer sizes")]


@pytest.mark.parametrize("cls", sorted(SIZED))
@pytest.mark.parametrize("sizes, error, words", BAD_SIZES)
def test_bad_sizes_are_refused_not_truncated(cls, sizes, error, words):
    with pytest.raises(error) as info:
        SIZED[cls](sizes)
    assert words in str(info.value), str(info.value)


@pytest.mark.parametrize("cls", sorted(SIZED))
def test_numpy_integers_are_accepted_as_sizes(cls):
    model = SIZED[cls]([numpy.int64(6), numpy.int32(3)])
    assert model.get_config()["sizes"] == [6, 3]
    assert all(type(s) is int for s in model.get_config()["sizes"])


HYPER = [   # (what, constructor call, error, words)
    ("k=2.5", lambda: ae.KSparseAutoencoder([8, 6], k=2.5), ValueError, "k=2.5 must be an integer"),
    ("k=True", lambda: ae.KSparseAutoencoder([8, 6], k=True), ValueError, "must be an integer"),
    ("k too large", lambda: ae.KSparseAutoencoder([8, 6], k=7), ValueError, "[1, 6]"),
    ("k_start=3.5", lambda: ae.KSparseAutoencoder([8, 6], k=2, k_start=3.5), ValueError,
     "k_start=3.5 must be an integer"),
    ("k_start < k", lambda: ae.KSparseAutoencoder([8, 6], k=3, k_start=2), ValueError,
     "k_start=2 must be >= k=3"),
    ("alpha=nan", lambda: ae.KSparseAutoencoder([8, 6], k=2, alpha=float("nan")), ValueError,
     "finite"),
    ("lam=inf", lambda: ae.ContractiveAutoencoder([8, 4], lam=float("inf")), ValueError,
     "lam=inf must be a finite number"),
    ("beta=-1", lambda: ae.VAE([8, 4, 2], beta=-1), ValueError, ">= 0"),
    ("beta='big'", lambda: ae.BetaVAE([8, 4, 2], beta="big"), TypeError, "must be a number"),
    ("rho=True", lambda: ae.SparseAutoencoder([8, 4], rho=True), TypeError, "must be a number"),
    ("l1=-1", lambda: ae.SparseAutoencoder([8, 4], beta=0, l1=-1), ValueError, ">= 0"),
    ("level=inf", lambda: ae.DenoisingAutoencoder([8, 4], noise="gaussian", level=float("inf")),
     ValueError, "finite"),
    ("level=1", lambda: ae.DenoisingAutoencoder([8, 4], level=1.0), ValueError, "[0, 1)"),
    ("noise='pink'", lambda: ae.DenoisingAutoencoder([8, 4], noise="pink"), ValueError,
     "salt-and-pepper"),
    ("noise_factor=-1", lambda: ae.ConvAutoencoder(noise_factor=-1), ValueError, ">= 0"),
    ("activation='swish'", lambda: ae.DeepAutoencoder([8, 4], activation="swish"), ValueError,
     "activation='swish' is not supported"),
    ("loss object in a named variant", lambda: ae.DeepAutoencoder([8, 4], loss=object()),
     ValueError, "('bce', 'mse')"),
    ("reduction='sum'", lambda: ae.SparseAutoencoder([8, 4], reduction="sum"), ValueError,
     "reduction='sum'"),
    ("unit='rbm'", lambda: ae.StackedAutoencoder([8, 4], unit="rbm"), ValueError, "unit='rbm'"),
    ("optimizer='adamw'", lambda: ae.DeepAutoencoder([8, 4], optimizer="adamw"), ValueError,
     "optimizer='adamw'"),
    ("seq_len=2.0", lambda: ae.Seq2SeqAutoencoder([3, 4], seq_len=2.0), ValueError,
     "seq_len=2.0 must be an integer"),
    ("architecture='vgg'", lambda: ae.ConvAutoencoder("vgg"), ValueError, "'lecture'"),
    ("image_shape of 2 numbers", lambda: ae.ConvAutoencoder(image_shape=(28, 28)), ValueError,
     "image_shape"),
    ("image_shape the lecture net cannot rebuild", lambda: ae.ConvAutoencoder(
        image_shape=(1, 32, 32)), ValueError, "(1, 32, 32) comes back from the decoder as"),
    ("contractive with two layers", lambda: ae.ContractiveAutoencoder([8, 6, 4]), ValueError,
     "[input, code]"),
    ("KL sparsity with ReLU codes", lambda: ae.SparseAutoencoder([8, 4], activation="relu"),
     ValueError, "'sigmoid'"),
]


@pytest.mark.parametrize("what, build, error, words", HYPER, ids=[row[0] for row in HYPER])
def test_bad_hyperparameters_are_refused_naming_the_problem(what, build, error, words):
    with pytest.raises(error) as info:
        build()
    assert words in str(info.value), str(info.value)


def test_numpy_scalars_are_accepted_as_hyperparameters():
    model = ae.KSparseAutoencoder([8, 6], k=numpy.int64(2), k_start=numpy.int32(4),
                                  alpha=numpy.float32(1.5))
    assert (model.k, model.k_start, model.alpha) == (2, 4, 1.5)
    assert ae.Seq2SeqAutoencoder([3, 4], seq_len=numpy.int64(5)).seq_len == 5
    assert ae.ContractiveAutoencoder([8, 4], lam=numpy.float32(0.5)).lam == 0.5


@pytest.mark.parametrize("kwargs, error, words", [
    ({"steps": 10}, ValueError, "leave steps=None"),
    ({"init": GOOD}, ValueError, "decode(Z)"),
    ({"n": 0}, ValueError, "n=0 must be an integer >= 1"),
    ({"n": 2.5}, ValueError, "n=2.5 must be an integer"),
])
def test_vae_sample_refuses_what_a_vae_cannot_do(kwargs, error, words):
    model = ae.VAE([12, 6, 2], seed=0)
    with pytest.raises(error) as info:
        model.sample(**{"n": 3, **kwargs})
    assert words in str(info.value), str(info.value)
    assert model.sample(3, seed=1).shape == (3, 12)
