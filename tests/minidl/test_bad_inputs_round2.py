"""Bad input, second round: the cases of issue 18 that were not answered well.

Table-driven like ``test_bad_inputs.py``: each row is (case, call, expected error type,
words the message must contain). The words name what was wrong (the argument and its
value, or the user's own path) and the fix, so a generic error does not pass. Below the
table: what cannot be one call (io.load rebuilding every class io.save accepts, the
divergence warning, ModelCheckpoint refusing before any weight moves, the backend's
environment variable).
"""
import os
import subprocess
import sys
import warnings

import numpy
import pytest

import autoencoders as ae
from minidl import backend, datasets, io
from minidl._idx import write_idx
from minidl.callbacks import DivergenceWarning, DivergenceWatch, ModelCheckpoint
from minidl.classifier import Classifier
from minidl.layers import Dense
from minidl.model import Model
from minidl.optimizers import SGD
from rbm import DBN, BernoulliRBM, GaussianBernoulliRBM


def digits(n=16, d=8, seed=0):
    return numpy.random.default_rng(seed).random((n, d)).astype(numpy.float32)


def host(a):
    return numpy.asarray(backend.to_host(a))


def zero_image_files(folder):
    write_idx(os.path.join(folder, "train-images-idx3-ubyte"), numpy.zeros((0, 28, 28), "u1"))
    write_idx(os.path.join(folder, "train-labels-idx1-ubyte"), numpy.zeros((0,), "u1"))
    return folder


SEED_WORDS = ("seed=-1", "integer >= 0", "seed=0")

ROWS = [
    # seed=-1: one message everywhere, naming the argument, the rule and an example
    ("seed DeepAutoencoder", lambda t: ae.DeepAutoencoder([8, 4], seed=-1), ValueError,
     SEED_WORDS),
    ("seed VAE", lambda t: ae.VAE([8, 6, 2], seed=-1), ValueError, SEED_WORDS),
    ("seed Seq2Seq", lambda t: ae.Seq2SeqAutoencoder([3, 4], seed=-1), ValueError, SEED_WORDS),
    ("seed KSparse", lambda t: ae.KSparseAutoencoder([8, 6], k=2, seed=-1), ValueError,
     SEED_WORDS),
    ("seed Conv", lambda t: ae.ConvAutoencoder(seed=-1), ValueError, SEED_WORDS),
    ("seed Stacked", lambda t: ae.StackedAutoencoder([8, 6, 4], seed=-1), ValueError,
     SEED_WORDS),
    ("seed fit", lambda t: ae.DeepAutoencoder([8, 4]).fit(digits(), epochs=1, batch_size=8,
                                                          seed=-1, verbose=0),
     ValueError, SEED_WORDS),
    ("seed backend.rng", lambda t: backend.rng(-1), ValueError, SEED_WORDS),
    # evaluate's batch_size
    ("evaluate batch_size=0", lambda t: ae.DeepAutoencoder([8, 4]).evaluate(digits(),
                                                                            batch_size=0),
     ValueError, ("evaluate", "batch_size=0", ">= 1")),
    ("evaluate batch_size=-1", lambda t: ae.DeepAutoencoder([8, 4]).evaluate(digits(),
                                                                             batch_size=-1),
     ValueError, ("evaluate", "batch_size=-1", ">= 1")),
    ("conv evaluate batch_size=0",
     lambda t: ae.ConvAutoencoder("keras", image_shape=(1, 4, 4)).evaluate(digits(4, 16),
                                                                          batch_size=0),
     ValueError, ("batch_size=0", ">= 1")),
    ("classifier evaluate batch_size=-1",
     lambda t: Classifier(Dense(8, 3), n_classes=3).evaluate((digits(), numpy.zeros(16, int)),
                                                             batch_size=-1),
     ValueError, ("Classifier.evaluate", "batch_size=-1", ">= 1")),
    # complex input
    ("complex fit", lambda t: ae.DeepAutoencoder([8, 4]).fit(digits().astype(numpy.complex64),
                                                             epochs=1, batch_size=8, verbose=0),
     TypeError, ("complex", "X.real")),
    ("complex encode", lambda t: ae.VAE([8, 6, 2]).encode(digits().astype(numpy.complex128)),
     TypeError, ("complex", "X.real")),
    # io.save: the user's path, never a temporary file
    ("save into a missing folder",
     lambda t: io.save(ae.DeepAutoencoder([8, 4]), os.path.join(t, "no", "m.npz")),
     FileNotFoundError, ("'{t}/no/m.npz'", "folder", "does not exist", "os.makedirs")),
    ("save onto a directory", lambda t: io.save(ae.DeepAutoencoder([8, 4]), t),
     IsADirectoryError, ("'{t}'", "is a directory", "model.npz")),
    ("save onto /dev/null", lambda t: io.save(ae.DeepAutoencoder([8, 4]), os.devnull),
     ValueError, ("'/dev/null'", "not a regular file", "model.npz")),
    # IDX files with zero images
    ("IDX with 0 images", lambda t: datasets.load("mnist", data_dir=zero_image_files(t)),
     datasets.CorruptFileError, ("train-images-idx3-ubyte", "0 mnist images", "delete it",
                                 "downloads them again")),
]


@pytest.mark.parametrize("case, call, error, words", ROWS, ids=[r[0] for r in ROWS])
def test_bad_input_is_refused_with_the_problem_and_the_fix(tmp_path, case, call, error, words):
    t = str(tmp_path)
    with pytest.raises(error) as info:
        call(t)
    message = str(info.value)
    for w in words:
        assert w.format(t=t) in message, f"{case}: {w!r} not in {message!r}"
    assert ".tmp-" not in message


def test_save_onto_dev_null_leaves_it_a_device():
    with pytest.raises(ValueError):
        io.save(ae.DeepAutoencoder([8, 4]), os.devnull)
    assert os.path.exists(os.devnull) and not os.path.isfile(os.devnull)


# --- io.load rebuilds every class io.save accepts ------------------------------------------------
SAVEABLE = {
    "deep": lambda: ae.DeepAutoencoder([8, 6, 4], seed=1),
    "deep-sizes-ndarray": lambda: ae.DeepAutoencoder(numpy.array([8, 4]), seed=1),
    "linear": lambda: ae.LinearAutoencoder([8, 3], seed=1),
    "tied": lambda: ae.TiedAutoencoder([8, 4], seed=1),
    "denoising": lambda: ae.DenoisingAutoencoder([8, 4], noise="gaussian", level=0.2, seed=1),
    "sparse": lambda: ae.SparseAutoencoder([8, 4], seed=1),
    "ksparse": lambda: ae.KSparseAutoencoder([8, 6], k=2, seed=1),
    "contractive": lambda: ae.ContractiveAutoencoder([8, 4], seed=1),
    "vae": lambda: ae.VAE([8, 6, 2], seed=1),
    "betavae": lambda: ae.BetaVAE([8, 6, 2], seed=1),
    "conv": lambda: ae.ConvAutoencoder("keras", image_shape=(1, 4, 4), seed=1),
    "seq2seq": lambda: ae.Seq2SeqAutoencoder([3, 4], seed=1),
    "stacked": lambda: ae.StackedAutoencoder([8, 6, 4], seed=1),
    "rbm": lambda: BernoulliRBM(8, 4, seed=1),
    "gaussian-rbm": lambda: GaussianBernoulliRBM(8, 4, learn_sigma=True, seed=1),
    "dbn": lambda: DBN([8, 6, 4], seed=1),
    "dbn-linear-top": lambda: DBN(numpy.array([8, 6, 4]), linear_top=True, seed=1),
}


@pytest.mark.parametrize("name", sorted(SAVEABLE))
def test_io_load_rebuilds_every_saveable_class_from_the_file_alone(tmp_path, name):
    model = SAVEABLE[name]()
    for i, p in enumerate(model.parameters()):     # weights no constructor would draw
        p.data[...] = backend.to_device(numpy.random.default_rng(i).standard_normal(
            p.data.shape).astype(host(p.data).dtype), backend.name_of(backend.get_array_module(
                p.data)))
    path = str(tmp_path / "model.npz")
    io.save(model, path)
    again = io.load(path)
    assert type(again) is type(model)
    assert again.get_config() == model.get_config()
    for a, b in zip(model.parameters(), again.parameters()):
        numpy.testing.assert_array_equal(host(a.data), host(b.data))


# --- training that diverges but stays finite ----------------------------------------------------
class Rising(Model):
    """A model whose reported loss is ``losses[step]``: the loss curve is the test's to write."""

    def __init__(self, losses):
        self.dense, self.losses, self.step = Dense(2, 1, seed=0), list(losses), 0

    def train_step(self, batch):
        self.step += 1
        return {"loss": self.losses[self.step - 1]}

    def evaluate(self, batch):
        return {"loss": 0.0}


def diverging_warnings(fit):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit()
    return [str(w.message) for w in caught if issubclass(w.category, DivergenceWarning)]


def test_a_finite_but_exploding_loss_warns_naming_the_learning_rate():
    X = numpy.random.default_rng(0).random((256, 784)).astype(numpy.float32)
    model = ae.DeepAutoencoder([784, 32], seed=0)
    said = diverging_warnings(lambda: model.fit(X, epochs=2, batch_size=64, verbose=0,
                                                optimizer=SGD(1e6)))
    assert len(said) == 1, said
    assert "lr=1e+06" in said[0] and "smaller" in said[0] and "lr=100000" in said[0]
    assert all(numpy.isfinite(model.history_.history["loss"]))


def test_a_loss_rising_epoch_after_epoch_warns_once():
    X = numpy.zeros((4, 2), numpy.float32)       # one batch per epoch
    model = Rising([1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6])
    model.optimizer = SGD(0.3)
    said = diverging_warnings(lambda: model.fit(X, epochs=7, batch_size=4, verbose=0))
    assert len(said) == 1 and "4 epochs in a row" in said[0] and "lr=0.3" in said[0], said


@pytest.mark.parametrize("curve", [[1.0, 0.8, 0.9, 0.7, 0.75, 0.6, 0.65],   # wobbles down
                                   [1.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95],    # rises, still below
                                   [1.0, 1.001, 1.002, 1.003, 1.004, 1.005, 1.006]])  # a hair
def test_a_loss_that_does_not_diverge_is_left_alone(curve):
    X = numpy.zeros((4, 2), numpy.float32)
    model = Rising(curve)
    model.optimizer = SGD(0.1)
    assert diverging_warnings(lambda: model.fit(X, epochs=7, batch_size=4, verbose=0)) == []


def test_a_watch_started_late_skips_the_epochs_before_and_compares_with_its_first():
    X = numpy.zeros((4, 2), numpy.float32)
    planned_rise = [1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.0, 1.99, 1.98, 1.97]

    def said(curve, watch):
        model = Rising(curve)
        model.optimizer = SGD(0.1)
        return diverging_warnings(lambda: model.fit(X, epochs=len(curve), batch_size=4,
                                                    verbose=0, callbacks=[watch]))
    assert len(said(planned_rise, DivergenceWatch())) == 1          # watched from epoch 0
    assert said(planned_rise, DivergenceWatch(start_epoch=5)) == []
    late = said(planned_rise[:6] + [2.0, 2.1, 2.2, 2.3, 2.4], DivergenceWatch(start_epoch=5))
    assert len(late) == 1 and "at epoch 11 (epoch 6: 2)" in late[0], late
    with pytest.raises(ValueError, match="start_epoch"):
        DivergenceWatch(start_epoch=-1)


# --- ModelCheckpoint: the folder is checked before any weight moves -----------------------------
def checkpoint_refusal(path):
    model = ae.DeepAutoencoder([8, 4], seed=0)
    before = [host(w).copy() for w in model.get_weights()]
    with pytest.raises(OSError) as info:
        model.fit(digits(), epochs=2, batch_size=8, verbose=0,
                  callbacks=[ModelCheckpoint(path, monitor="loss")])
    for a, b in zip(before, model.get_weights()):
        numpy.testing.assert_array_equal(a, host(b))
    return str(info.value)


def test_checkpoint_into_a_missing_folder_is_refused_before_training(tmp_path):
    path = str(tmp_path / "missing" / "ckpt-{epoch:02d}.npz")
    message = checkpoint_refusal(path)
    assert path in message and "does not exist" in message and "os.makedirs" in message
    assert ".tmp-" not in message


def test_checkpoint_into_a_read_only_folder_is_refused_before_training(tmp_path, monkeypatch):
    folder = tmp_path / "read-only"
    folder.mkdir()
    real_access = os.access     # root writes anywhere: the folder is read-only to os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if os.path.realpath(p) ==
                        os.path.realpath(folder) else real_access(p, mode, **kw))
    path = str(folder / "best.npz")
    message = checkpoint_refusal(path)
    assert path in message and "not writable" in message


# --- the Gaussian RBM and unstandardised data ----------------------------------------------------
def test_gaussian_rbm_on_unstandardised_data_warns_how_to_standardise():
    X = (200 + 50 * numpy.random.default_rng(0).standard_normal((64, 6))).astype(numpy.float32)
    with pytest.warns(UserWarning, match=r"mean 19\d.*standardise.*X\.mean\(0\)"):
        GaussianBernoulliRBM(6, 3, seed=0).fit(X, epochs=1, batch_size=32, verbose=0)
    Z = (X - X.mean(0)) / X.std(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        GaussianBernoulliRBM(6, 3, seed=0).fit(Z, epochs=1, batch_size=32, verbose=0)


# --- MINIDL_BACKEND and an explicit backend ------------------------------------------------------
def test_an_explicit_backend_beats_an_unusable_minidl_backend_variable():
    code = ("import warnings; warnings.simplefilter('always')\n"
            "from minidl import backend\n"
            "backend.use('numpy'); print(backend.current())")
    env = dict(os.environ, MINIDL_BACKEND="cupy")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if "cupy" in out.stdout.strip():
        pytest.skip("real CuPy works here: MINIDL_BACKEND=cupy is usable")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "numpy"
    assert "MINIDL_BACKEND='cupy'" in out.stderr and "--backend" in out.stderr
    env["MINIDL_BACKEND"] = "tensorflow"
    bad = subprocess.run([sys.executable, "-c", "import minidl"], env=env,
                         capture_output=True, text=True)
    assert bad.returncode != 0 and "MINIDL_BACKEND='tensorflow'" in bad.stderr
