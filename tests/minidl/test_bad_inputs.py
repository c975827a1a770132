"""Bad input, tried against every core public entry point it applies to.

Each row is (entry point, what is wrong, call, expected error type, words the message
must contain). The words name the problem (the argument, the value or the file), so a
generic error such as "index out of range" does not pass. For ``fit`` every refused
row also checks that nothing happened first: no weight moved, no callback ran, no
checkpoint was written and ``model.optimizer`` is as it was.

Accepted-input rows at the end pin what must keep working (NumPy scalars, names of
optimizers).
"""
import json
import os

import numpy
import pytest

from minidl import backend, datasets, io, metrics, optimizers
from minidl.callbacks import Callback, EarlyStopping, ModelCheckpoint  # noqa: F401 (eval'd)
from minidl.classifier import Classifier
from minidl.layers import Dense, Sequential, Tanh
from minidl.model import Model
from minidl.training import fit

F32_MAX_PLUS = 1e39   # finite in float64, inf in float32


class Regression(Model):
    """y = x W + b with mean squared error; counts the train steps it ran."""

    def __init__(self, n_in=3):
        self.dense = Dense(n_in, 1, seed=0)
        self.steps = 0

    def train_step(self, batch):
        x, t = batch
        diff = self.dense.forward(self.as_array(x)) - self.as_array(t)
        self.dense.backward(2.0 * diff / diff.size)
        self.apply_gradients()
        self.steps += 1
        return {"loss": float((diff * diff).mean())}

    def evaluate(self, batch):
        x, t = batch
        diff = self.dense.forward(self.as_array(x)) - self.as_array(t)
        return {"loss": float((diff * diff).mean())}


class Spy(Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def on_train_begin(self, logs=None):
        self.events.append("begin")

    def on_batch_end(self, batch, logs=None):
        self.events.append("batch")


def xy(n=8, d=3, seed=0):
    rng = numpy.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(numpy.float32)
    return X, X.sum(1, keepdims=True)


def with_x(change):
    X, y = xy()
    X = X.astype(numpy.float64) if change == "float64" else X
    if change == "nan":
        X[2, 1] = numpy.nan
    elif change == "inf":
        X[0, 0] = -numpy.inf
    elif change == "float64":
        X[1, 1] = F32_MAX_PLUS
    return X, y


# --- fit: every refusal comes before anything happens ----------------------------------------
def fit_kwargs(tmp_path, **change):
    X, y = xy()
    kwargs = dict(X=X, y=y, epochs=2, batch_size=4, verbose=0)
    kwargs.update(change)
    return kwargs


FIT_CASES = {
    # name: (changes to the fit call, error type, regex the message must match)
    "epochs=0": (dict(epochs=0), ValueError, r"epochs=0 must be an integer >= 1"),
    "epochs=-1": (dict(epochs=-1), ValueError, r"epochs=-1"),
    "epochs=2.5": (dict(epochs=2.5), ValueError, r"epochs=2.5 must be an integer"),
    "epochs=2.0": (dict(epochs=2.0), ValueError, r"epochs=2.0 must be an integer"),
    "epochs=True": (dict(epochs=True), ValueError, r"epochs=True must be an integer"),
    "epochs='3'": (dict(epochs="3"), ValueError, r"epochs='3' must be an integer"),
    # epochs=None is the model's default now (issue 18: fit(X) needs no keyword)
    "epochs='10'": (dict(epochs="10"), ValueError, r"epochs='10' must be an integer"),
    "batch_size=0": (dict(batch_size=0), ValueError, r"batch_size=0 must be an integer >= 1"),
    "batch_size=3.7": (dict(batch_size=3.7), ValueError, r"batch_size=3.7 .*batch_size=4"),
    "batch_size=False": (dict(batch_size=False), ValueError, r"batch_size=False"),
    "verbose=3": (dict(verbose=3), ValueError, r"verbose=3 is not supported"),
    # a list of rows is read as numpy.asarray reads it (issue 18); a ragged one is refused
    "X ragged list": (dict(X=[[1.0, 2.0, 3.0], [1.0]]), ValueError,
                      r"X is a list that NumPy cannot read as one array"),
    "X 1-D": (dict(X=numpy.zeros(8, numpy.float32)), ValueError, r"reshape\(-1, 1\)"),
    "X no rows": (dict(X=numpy.zeros((0, 3), numpy.float32)), ValueError,
                  r"X has no samples \(shape \(0, 3\)\)"),
    "X NaN": (dict(X=with_x("nan")[0]), ValueError, r"X contains 1 NaN or infinite"),
    "X -inf": (dict(X=with_x("inf")[0]), ValueError, r"X contains 1 NaN or infinite"),
    "X float64 beyond float32": (dict(X=with_x("float64")[0]), ValueError,
                                 r"X holds values up to 1e\+39, beyond float32"),
    "y fewer rows": (dict(y=numpy.zeros((7, 1), numpy.float32)), ValueError,
                     r"X has 8 samples but y has 7"),
    "y scalar": (dict(y=numpy.float32(1.0)), ValueError, r"y has none \(a scalar\)"),
    "y ragged list": (dict(y=[[1.0]] * 7 + [[1.0, 2.0]]), ValueError,
                      r"y is a list that NumPy cannot read as one array"),
    "y NaN": (dict(y=numpy.full((8, 1), numpy.nan, numpy.float32)), ValueError,
              r"y contains 8 NaN"),
    "X_val wrong features": (dict(validation_data=(numpy.zeros((4, 5), numpy.float32),
                                                   numpy.zeros((4, 1), numpy.float32))),
                             ValueError, r"X_val has rows of shape \(5,\) but .* \(3,\)"),
    "y_val wrong shape": (dict(validation_data=(numpy.zeros((4, 3), numpy.float32),
                                                numpy.zeros((4, 2), numpy.float32))),
                          ValueError, r"y_val has rows of shape \(2,\) but .* \(1,\)"),
    "X_val no rows": (dict(validation_data=(numpy.zeros((0, 3), numpy.float32),
                                            numpy.zeros((0, 1), numpy.float32))),
                      ValueError, r"X_val has no samples"),
    "X_val NaN": (dict(validation_data=with_x("nan")), ValueError, r"X_val contains 1 NaN"),
    "X_val float64 beyond float32": (dict(validation_data=with_x("float64")), ValueError,
                                     r"X_val holds values up to 1e\+39"),
    "validation triple": (dict(validation_data=(1, 2, 3)), ValueError,
                          r"X_val or \(X_val, y_val\), got a sequence of 3"),
    "validation without targets": (dict(validation_data=numpy.zeros((4, 3), numpy.float32)),
                                   ValueError, r"must be the pair \(X_val, y_val\)"),
    "optimizer 'adamw'": (dict(optimizer="adamw"), ValueError,
                          r"optimizer='adamw' is not an optimizer.*'adam'"),
    "optimizer 42": (dict(optimizer=42), ValueError, r"optimizer=42 is not an optimizer"),
    "optimizer class": (dict(optimizer=optimizers.Adam), ValueError,
                        r"optimizer=Adam is the class.*Adam\(lr=...\)"),
    "callback not a Callback": (dict(callbacks=[print]), TypeError,
                                r"callbacks must be minidl Callback objects"),
    "checkpoint names a missing metric": (
        dict(callbacks=["ModelCheckpoint('{dir}/ck-{{val_accuracy:.2f}}.npz', monitor='loss')"]),
        ValueError, r"names \['val_accuracy'\], which the model does not report.*'loss'"),
    "checkpoint positional field": (
        dict(callbacks=["ModelCheckpoint('{dir}/ck-{{}}.npz', monitor='loss')"]),
        ValueError, r"is not a valid template"),
    "checkpoint bad format spec": (
        dict(callbacks=["ModelCheckpoint('{dir}/ck-{{loss:.2q}}.npz', monitor='loss')"]),
        ValueError, r"is not a valid template"),
    "checkpoint monitors a missing metric": (
        dict(callbacks=["ModelCheckpoint('{dir}/ck.npz', monitor='val_accuracy')"]),
        ValueError, r"metric 'val_accuracy' is not among the metrics fit logs, \['loss'\]"),
    "early stopping monitors a missing metric": (
        dict(callbacks=["EarlyStopping(monitor='accuracy')"]),
        ValueError, r"EarlyStopping: metric 'accuracy' is not among"),
}


def build_callbacks(specs, folder):
    return [eval(s.format(dir=folder)) if isinstance(s, str) else s for s in specs]


@pytest.mark.parametrize("how", ["training.fit", "Model.fit"])
@pytest.mark.parametrize("case", list(FIT_CASES))
def test_fit_refuses_before_anything_happens(case, how, tmp_path):
    change, error, words = FIT_CASES[case]
    kwargs = fit_kwargs(tmp_path, **change)
    spy = Spy()
    kwargs["callbacks"] = build_callbacks(kwargs.get("callbacks", []), tmp_path) + [spy]
    model = Regression()
    sentinel = model.optimizer = optimizers.SGD(0.1)
    before = model.get_weights()
    X, y = kwargs.pop("X"), kwargs.pop("y")
    with pytest.raises(error, match=words):
        if how == "training.fit":
            fit(model, X, y, **kwargs)
        else:
            model.fit(X, y, **kwargs)
    assert model.steps == 0 and spy.events == []
    assert model.optimizer is sentinel and sentinel.state == {}
    for a, b in zip(before, model.get_weights()):
        numpy.testing.assert_array_equal(backend.to_host(a), backend.to_host(b))
    assert os.listdir(tmp_path) == []


# --- evaluate and the classifier -----------------------------------------------------------
def classifier(n_classes=None):
    return Classifier(Sequential(Dense(3, 4, seed=0), Tanh(), Dense(4, 2, seed=1)),
                      n_classes=n_classes)


LABELS = numpy.array([0, 1, 1, 0, 1, 0, 0, 1])
X_NAN = with_x("nan")[0]
X_BIG = with_x("float64")[0]
EMPTY = numpy.zeros((0, 3), numpy.float32)

CLASSIFIER_CASES = {
    "network not a Layer": (lambda: Classifier("mlp"), TypeError,
                            r"network must be a minidl Layer"),
    "n_classes=1": (lambda: classifier(1), ValueError, r"n_classes=1 must be an integer >= 2"),
    "n_classes=2.5": (lambda: classifier(2.5), ValueError, r"n_classes=2.5 must be an integer"),
    "n_classes=True": (lambda: classifier(True), ValueError, r"n_classes=True"),
    "evaluate without labels": (lambda: classifier().evaluate(xy()[0]), ValueError,
                                r"needs labelled batches \(X, y\)"),
    "evaluate no rows": (lambda: classifier().evaluate((EMPTY, LABELS[:0])), ValueError,
                         r"X has no samples"),
    "evaluate NaN": (lambda: classifier().evaluate((X_NAN, LABELS)), ValueError,
                     r"X contains 1 NaN"),
    "evaluate float64 beyond float32": (lambda: classifier().evaluate((X_BIG, LABELS)),
                                        ValueError, r"beyond float32"),
    "evaluate label count": (lambda: classifier().evaluate((xy()[0], LABELS[:5])), ValueError,
                             r"labels of shape \(5,\) for 8 samples"),
    "evaluate float labels": (lambda: classifier().evaluate((xy()[0], LABELS + 0.5)),
                              ValueError, r"labels must be integers.*float64"),
    "evaluate label out of range": (lambda: classifier().evaluate((xy()[0], LABELS * 7)),
                                    ValueError, r"labels must be in \[0, 2\)"),
    "predict no rows": (lambda: classifier().predict(EMPTY), ValueError, r"X has no samples"),
    "predict NaN": (lambda: classifier().predict(X_NAN), ValueError, r"X contains 1 NaN"),
    "predict wrong features": (lambda: classifier().predict(numpy.zeros((2, 5))), ValueError,
                               r"5"),
    "predict_proba NaN": (lambda: classifier().predict_proba(X_NAN), ValueError,
                          r"X contains 1 NaN"),
    "score no rows": (lambda: classifier().score(EMPTY, LABELS[:0]), ValueError,
                      r"X has no samples"),
    "wrong class count": (lambda: classifier(5).predict(xy()[0]), ValueError,
                          r"expected \(batch, 5\)"),
}


@pytest.mark.parametrize("case", list(CLASSIFIER_CASES))
def test_classifier_and_evaluate_refuse(case):
    call, error, words = CLASSIFIER_CASES[case]
    with pytest.raises(error, match=words):
        call()


# --- optimizers -----------------------------------------------------------------------------
OPTIMIZERS = {"SGD": optimizers.SGD, "Adagrad": optimizers.Adagrad,
              "RMSprop": optimizers.RMSprop, "Adadelta": optimizers.Adadelta,
              "Adam": optimizers.Adam}
BAD_LR = {"0": (0.0, ValueError, "out of range"), "-1": (-1.0, ValueError, "out of range"),
          "inf": (float("inf"), ValueError, "must be a finite number"),
          "nan": (float("nan"), ValueError, "must be a finite number"),
          "str": ("0.1", TypeError, "must be a number, got str"),
          "bool": (True, TypeError, "must be a number, got bool")}


@pytest.mark.parametrize("lr", list(BAD_LR))
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_refuses_a_bad_learning_rate(name, lr):
    value, error, words = BAD_LR[lr]
    with pytest.raises(error, match=rf"{name}: lr={value!r}.*{words}".replace("(", r"\(")):
        OPTIMIZERS[name](lr=value)


OPTIMIZER_CASES = {
    "SGD momentum=1": (lambda: optimizers.SGD(0.1, momentum=1.0), ValueError, r"momentum=1.0"),
    "SGD momentum=nan": (lambda: optimizers.SGD(0.1, momentum=float("nan")), ValueError,
                         r"momentum=nan must be a finite"),
    "SGD nesterov without momentum": (lambda: optimizers.SGD(0.1, nesterov=True), ValueError,
                                      r"nesterov=True needs momentum > 0"),
    "SGD nesterov='yes'": (lambda: optimizers.SGD(0.1, 0.9, nesterov="yes"), TypeError,
                           r"nesterov='yes' must be True or False"),
    "weight_decay=-1": (lambda: optimizers.Adam(weight_decay=-1), ValueError,
                        r"weight_decay=-1.0 is out of range"),
    "weight_decay=inf": (lambda: optimizers.SGD(0.1, weight_decay=float("inf")), ValueError,
                         r"weight_decay=inf must be a finite"),
    "clip_norm=0": (lambda: optimizers.Adam(clip_norm=0), ValueError, r"clip_norm=0.0"),
    "clip_norm=inf": (lambda: optimizers.RMSprop(clip_norm=float("inf")), ValueError,
                      r"clip_norm=inf must be a finite"),
    "Adam beta1=1": (lambda: optimizers.Adam(beta1=1.0), ValueError, r"beta1=1.0"),
    "Adam beta2=nan": (lambda: optimizers.Adam(beta2=float("nan")), ValueError, r"beta2=nan"),
    "Adam eps=0": (lambda: optimizers.Adam(eps=0.0), ValueError, r"eps=0.0"),
    "RMSprop rho=1": (lambda: optimizers.RMSprop(rho=1), ValueError, r"rho=1.0"),
    "Adadelta rho=-0.1": (lambda: optimizers.Adadelta(rho=-0.1), ValueError, r"rho=-0.1"),
    "Adagrad eps=-1": (lambda: optimizers.Adagrad(eps=-1), ValueError, r"eps=-1.0"),
    "get('adamw')": (lambda: optimizers.get("adamw"), ValueError, r"'adamw' is not an optimizer"),
    "get(None)": (lambda: optimizers.get(None), ValueError, r"None is not an optimizer"),
    "get(Adam)": (lambda: optimizers.get(optimizers.Adam), ValueError, r"is the class"),
}


@pytest.mark.parametrize("case", list(OPTIMIZER_CASES))
def test_optimizer_arguments_refused(case):
    call, error, words = OPTIMIZER_CASES[case]
    with pytest.raises(error, match=words):
        call()


# --- io -------------------------------------------------------------------------------------
class Tiny(Model):
    def __init__(self, n=3, activation="relu", seed=0):
        self.dense = Dense(n, 2, seed=seed)
        self.activation = activation


def write_npz(path, **arrays):
    numpy.savez(path, **arrays)
    return str(path)


def io_file(tmp_path, kind):
    """A file of the named kind, for load_weights / load / load_config."""
    path = tmp_path / "f.npz"
    if kind == "npy":
        with open(path, "wb") as f:
            numpy.save(f, numpy.zeros(3))
    elif kind == "text":
        path.write_text("epoch,loss\n1,0.5\n")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "pickle":
        import pickle
        path.write_bytes(pickle.dumps({"W": [1, 2]}))
    elif kind == "foreign npz":
        write_npz(path, W=numpy.zeros(3))
    elif kind == "future format":
        io.save(Tiny(), str(path))
        arrays = dict(numpy.load(path))
        arrays["__format__"] = numpy.array([99])
        write_npz(path, **arrays)
    elif kind == "format 1":
        io.save(Tiny(), str(path))
        arrays = dict(numpy.load(path))
        arrays["__format__"] = numpy.array([1])
        del arrays["__class__"]
        write_npz(path, **arrays)
    elif kind == "foreign class":
        io.save(Tiny(), str(path))
        arrays = dict(numpy.load(path))
        arrays["__class__"] = numpy.frombuffer(b"os:system", numpy.uint8)
        write_npz(path, **arrays)
    elif kind == "no config":
        io.save(Tiny(), str(path), config=None)
        arrays = dict(numpy.load(path))
        arrays["__config__"] = numpy.frombuffer(b"null", numpy.uint8)
        arrays["__class__"] = numpy.frombuffer(b"minidl.classifier:Classifier", numpy.uint8)
        write_npz(path, **arrays)
    elif kind == "sigmoid model":
        io.save(Tiny(activation="sigmoid"), str(path))
    elif kind == "other class":
        io.save(Regression(3), str(path))
    return str(path)


IO_CASES = {
    # name: (file kind, entry point, error type, regex)
    "missing file": (None, "load_weights", FileNotFoundError, r"no file .*nope.npz"),
    ".npy file": ("npy", "load_weights", io.WeightsFileError,
                  r"is a single NumPy array \(.npy, written by numpy.save\)"),
    "text file": ("text", "load_weights", io.WeightsFileError,
                  r"is a text file \(it starts 'epoch,loss"),
    "empty file": ("empty", "load_weights", io.WeightsFileError, r"is empty \(0 bytes\)"),
    "pickle file": ("pickle", "load_weights", io.WeightsFileError,
                    r"is a Python pickle, which minidl refuses"),
    "foreign npz": ("foreign npz", "load_weights", io.WeightsFileError,
                    r"not written by minidl.io.save .*\['W'\]"),
    "future format": ("future format", "load_weights", io.WeightsFileError,
                      r"format version 99, but this minidl reads versions \[1, 2\]"),
    "config differs": ("sigmoid model", "load_weights", io.WeightsFileError,
                       r"different config \(activation: file 'sigmoid', model 'relu'\)"
                       r".*strict=False"),
    "class differs": ("other class", "load_weights", io.WeightsFileError,
                      r"holds a Regression, not a Tiny"),
    "load_config of .npy": ("npy", "load_config", io.WeightsFileError, r"single NumPy array"),
    "load_config future": ("future format", "load_config", io.WeightsFileError, r"version 99"),
    "load of text": ("text", "load", io.WeightsFileError, r"is a text file"),
    "load of format 1": ("format 1", "load", io.WeightsFileError,
                         r"format 1\) does not record its model's class"),
    "load of a foreign class": ("foreign class", "load", io.WeightsFileError,
                                r"names the class os:system; io.load only rebuilds classes of"),
    "load without config": ("no config", "load", io.WeightsFileError,
                            r"saved without a config, so it cannot be rebuilt"),
    "load of a test class": ("sigmoid model", "load", io.WeightsFileError,
                             r"names the class .*Tiny; io.load only rebuilds"),
}


@pytest.mark.parametrize("case", list(IO_CASES))
def test_io_refuses_naming_the_file_and_the_problem(case, tmp_path):
    kind, entry, error, words = IO_CASES[case]
    path = str(tmp_path / "nope.npz") if kind is None else io_file(tmp_path, kind)
    target = Tiny()
    before = target.get_weights()
    with pytest.raises(error, match=words):
        if entry == "load_weights":
            io.load_weights(target, path)
        elif entry == "load_config":
            io.load_config(path)
        else:
            io.load(path)
    for a, b in zip(before, target.get_weights()):    # on the model's device: copy to compare
        numpy.testing.assert_array_equal(backend.to_host(a), backend.to_host(b))


SAVE_CASES = {
    "not a model": (lambda p: io.save(object(), p), TypeError, r"needs a Layer or Model"),
    "config not JSON": (lambda p: io.save(Tiny(), p, config={"f": print}), TypeError,
                        r"config must be JSON-serialisable"),
    "config NaN": (lambda p: io.save(Tiny(), p, config={"lr": float("nan")}), TypeError,
                   r"finite numbers"),
    "keyword not JSON": (lambda p: io.save(Tiny(n=3, activation=numpy.zeros(2)), p), TypeError,
                         r"Tiny.get_config: constructor keyword activation=.*ndarray"
                         r".*not JSON-able"),
}


@pytest.mark.parametrize("case", list(SAVE_CASES))
def test_save_refuses_and_writes_nothing(case, tmp_path):
    call, error, words = SAVE_CASES[case]
    with pytest.raises(error, match=words):
        call(str(tmp_path / "m.npz"))
    assert os.listdir(tmp_path) == []


# --- datasets -------------------------------------------------------------------------------
DATASET_CASES = {
    "unknown name": (lambda: datasets.load("mnits"), ValueError, r"unknown dataset 'mnits'"),
    "bad split": (lambda: datasets.load("digits", "validation"), ValueError,
                  r"unknown split 'validation'.*'train' or 'test'"),
    "bars n=2.5": (lambda: datasets.load("bars-and-stripes", n=2.5), ValueError, r"n=2.5"),
    "bars n=True": (lambda: datasets.load("bars-and-stripes", n=True), ValueError, r"n=True"),
    "bars n=9": (lambda: datasets.load("bars-and-stripes", n=9), ValueError, r"\[2, 8\]"),
    "unknown option": (lambda: datasets.load("digits", download=False), TypeError,
                       r"unknown options \['download'\]"),
    "image_shape unknown": (lambda: datasets.image_shape("cifar"), ValueError,
                            r"unknown dataset 'cifar'"),
}


@pytest.mark.parametrize("case", list(DATASET_CASES))
def test_datasets_refuse(case):
    call, error, words = DATASET_CASES[case]
    with pytest.raises(error, match=words):
        call()


def test_idx_files_of_another_dataset_are_refused_naming_the_file(tmp_path, monkeypatch):
    from minidl._idx import CorruptFileError, write_idx
    monkeypatch.delenv("MINIDL_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    datasets._read_idx_pair.cache_clear()
    write_idx(tmp_path / "t10k-images-idx3-ubyte", numpy.zeros((4, 10, 10), numpy.uint8))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", numpy.zeros(4, numpy.uint8))
    with pytest.raises(CorruptFileError, match=r"t10k-images-idx3-ubyte: fashion-mnist images "
                                               r"are 28 x 28, but this file holds 10 x 10"):
        datasets.load("fashion-mnist", "test", data_dir=tmp_path, download=False)


# --- metrics --------------------------------------------------------------------------------
Z = numpy.random.default_rng(0).standard_normal((20, 4))
Y = numpy.arange(20) % 2

METRIC_CASES = {
    "psnr shapes": (lambda: metrics.psnr(Z, Z[:3]), ValueError, r"shapes differ"),
    "psnr NaN": (lambda: metrics.psnr(numpy.full(3, numpy.nan), numpy.zeros(3)), ValueError,
                 r"psnr: a contains 3 NaN"),
    "psnr no rows": (lambda: metrics.psnr(Z[:0], Z[:0]), ValueError, r"psnr: a has no samples"),
    "auroc one class": (lambda: metrics.auroc(Z[:, 0], numpy.ones(20)), ValueError,
                        r"needs both positive and negative labels"),
    "auroc NaN": (lambda: metrics.auroc(numpy.r_[numpy.nan, 1.0], [0, 1]), ValueError,
                  r"scores contains 1 NaN"),
    "auroc lengths": (lambda: metrics.auroc(Z[:, 0], Y[:5]), ValueError,
                      r"20 scores but 5 labels"),
    "kmeans k=0": (lambda: metrics.kmeans(Z, 0), ValueError,
                   r"k=0 must be an integer in \[1, 20\]"),
    "kmeans k=2.5": (lambda: metrics.kmeans(Z, 2.5), ValueError, r"k=2.5 must be an integer"),
    "kmeans k=True": (lambda: metrics.kmeans(Z, True), ValueError, r"k=True"),
    "kmeans k>N": (lambda: metrics.kmeans(Z, 21), ValueError,
                   r"k=21 must be an integer in \[1, 20\]"),
    "kmeans NaN": (lambda: metrics.kmeans(numpy.full((3, 2), numpy.nan), 1), ValueError,
                   r"kmeans: X contains 6 NaN"),
    "kmeans no rows": (lambda: metrics.kmeans(Z[:0], 1), ValueError, r"kmeans: X has no samples"),
    "kmeans n_init=0": (lambda: metrics.kmeans(Z, 2, n_init=0), ValueError, r"n_init=0"),
    "PCA k=0": (lambda: metrics.PCA(0), ValueError, r"PCA: k \(the number of components\)=0"),
    "PCA k=1.5": (lambda: metrics.PCA(1.5), ValueError, r"=1.5 must be an integer"),
    "PCA k too big": (lambda: metrics.PCA(5).fit(Z), ValueError, r"k <= min\(N, D\)"),
    "PCA NaN": (lambda: metrics.PCA(1).fit(numpy.full((3, 2), numpy.nan)), ValueError,
                r"PCA: X contains 6 NaN"),
    "PCA no rows": (lambda: metrics.PCA(1).fit(Z[:0]), ValueError, r"PCA: X has no samples"),
    "PCA not fitted": (lambda: metrics.PCA(1).transform(Z), RuntimeError, r"not fitted yet"),
    "clustering lengths": (lambda: metrics.clustering_accuracy(Y, Y[:4]), ValueError,
                           r"y_true has 20 labels but y_pred has 4"),
    "nmi no rows": (lambda: metrics.nmi(Y[:0], Y[:0]), ValueError, r"y_true has no samples"),
    "probe no rows": (lambda: metrics.linear_probe(Z[:0], Y[:0], Z, Y), ValueError,
                      r"Z_train has no samples"),
    "probe NaN": (lambda: metrics.linear_probe(numpy.full((4, 2), numpy.nan), Y[:4], Z, Y),
                  ValueError, r"Z_train contains 8 NaN"),
    "probe features": (lambda: metrics.linear_probe(Z, Y, Z[:, :2], Y), ValueError,
                       r"Z_train has 4 features but Z_test 2"),
    "probe label count": (lambda: metrics.linear_probe(Z, Y[:5], Z, Y), ValueError,
                          r"Z_train of shape \(20, 4\) and y_train of shape \(5,\)"),
    "probe fractional labels": (lambda: metrics.linear_probe(Z, Y + 0.5, Z, Y), ValueError,
                                r"y_train must hold integer class labels"),
    "probe negative labels": (lambda: metrics.linear_probe(Z, Y - 1, Z, Y), ValueError,
                              r"y_train holds negative labels"),
    "probe schedule": (lambda: metrics.linear_probe(Z, Y, Z, Y, lr_schedule="cosine"),
                       ValueError, r"lr_schedule='cosine' is not supported: expected one of "
                       r"\('constant', 'linear'\)"),
}


@pytest.mark.parametrize("case", list(METRIC_CASES))
def test_metrics_refuse(case):
    call, error, words = METRIC_CASES[case]
    with pytest.raises(error, match=words):
        call()


# --- what must keep working -----------------------------------------------------------------
def test_numpy_scalars_and_optimizer_names_are_accepted():
    X, y = xy()
    model = Regression()
    fit(model, X, y, epochs=numpy.int64(2), batch_size=numpy.int32(4), verbose=0,
        optimizer=optimizers.SGD(numpy.float32(0.01), momentum=numpy.float64(0.5)))
    assert model.steps == 4
    for name, cls in (("adam", optimizers.Adam), ("SGD", optimizers.SGD),
                      ("rmsprop", optimizers.RMSprop)):
        model.fit(X, y, epochs=1, batch_size=8, optimizer=name, verbose=0)
        assert type(model.optimizer) is cls
    assert optimizers.Adam(lr=numpy.float32(1e-3)).lr == pytest.approx(1e-3)
    assert metrics.PCA(numpy.int64(2)).k == 2 and Classifier(Dense(3, 2), n_classes=numpy.int8(2))


def test_the_tables_cover_every_entry_point():
    """The report's count, and a guard that no table silently empties."""
    counts = {"fit": 2 * len(FIT_CASES), "classifier/evaluate": len(CLASSIFIER_CASES),
              "optimizers": len(OPTIMIZERS) * len(BAD_LR) + len(OPTIMIZER_CASES),
              "io": len(IO_CASES) + len(SAVE_CASES), "datasets": len(DATASET_CASES) + 1,
              "metrics": len(METRIC_CASES)}
    assert all(n >= 7 for n in counts.values()), counts
    print("bad-input cases:", json.dumps(counts), "total", sum(counts.values()))
