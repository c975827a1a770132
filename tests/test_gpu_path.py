"""Defects the CuPy stand-in found on the GPU path, each pinned by a test.

The global backend stays NumPy here while the models move to CuPy (the stand-in on a
CPU machine, real CuPy on a GPU): a model owns its device, so nothing it builds or
computes may fall back to the global backend.
"""
import numpy
import pytest

from minidl import backend, losses
from minidl.classifier import Classifier
from minidl.layers import Dense, ReLU, Sequential
from minidl.model import Model
from minidl.training import metric_names

from rbm import DBN

if not backend.available:
    pytest.skip("needs CuPy: real, or the stand-in tests/conftest.py installs",
                allow_module_level=True)


def on_cupy(params):
    return all(isinstance(p.data, backend.cupy.ndarray) and isinstance(p.grad, backend.cupy.ndarray)
               for p in params)


def data(n=32, d=8, seed=0):
    gen = numpy.random.default_rng(seed)
    return gen.random((n, d), dtype=numpy.float32), numpy.arange(n) % 2


def test_dbn_unroll_and_to_classifier_build_on_the_dbns_device_not_the_global_one():
    assert backend.current() == "numpy"
    X, y = data()
    dbn = DBN([8, 4, 3], seed=0).to("cupy")
    encoder, decoder = dbn.unroll()
    assert on_cupy(encoder.parameters()) and on_cupy(decoder.parameters())
    clf = dbn.to_classifier(2, seed=0)
    assert on_cupy(clf.parameters())
    clf.fit(X, y, epochs=1, batch_size=8, verbose=0)      # crashed in Dense.forward before
    assert numpy.isfinite(clf.history_.history["loss"][0])


class BareAutoencoder(Model):
    """A model whose evaluate trusts its input to be on its device (as fit's batches are)."""

    def __init__(self):
        self.net = Sequential(Dense(8, 3, seed=0), ReLU(), Dense(3, 8, seed=1))
        self.loss = losses.MSE()

    def evaluate(self, x):
        return {"loss": self.loss.forward(self.net.forward(x), x)}


def test_metric_names_evaluates_the_first_row_on_the_models_device():
    model = BareAutoencoder().to("cupy")
    X, _ = data()
    assert metric_names(model, X) == {"loss"}                     # X is on the host
    assert metric_names(model, X, validation=True) == {"loss", "val_loss"}


@pytest.mark.parametrize("bad", [-1, 2])
def test_fit_refuses_labels_outside_the_classes_once_before_any_weight_moves(bad):
    """Inside fit the loss no longer checks each batch's labels; fit checks them all once."""
    X, y = data()
    y[5] = bad
    clf = Classifier(Sequential(Dense(8, 2, seed=0))).to("cupy")  # C from the logits' width
    before = [backend.to_host(w) for w in clf.get_weights()]
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\), got values from "):
        clf.fit(X, y, epochs=1, batch_size=8, verbose=0)
    for a, b in zip(before, clf.get_weights()):
        numpy.testing.assert_array_equal(a, backend.to_host(b))
