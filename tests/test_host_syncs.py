"""One host sync per training batch, for every model class, counted on the CuPy stand-in.

On a GPU each conversion of device data to a host value stalls the queue. A training
batch may cost one: the batch's metrics, copied to the host together by
``minidl.training.fit`` (for the progress bar, the history and the divergence check).
Optimizers, gradient clipping, the label-range check and the re-validation of data fit
has already checked cost none.

Syncs per batch are measured as a difference, so that what a fit costs once (checking
all of X, the metric names, the weights snapshot) does not count against the batches:

    per batch = (syncs of a fit over 6 batches − syncs of a fit over 2 batches) / 4

The counter is the stand-in's (tests/_cupy_standin/syncs.py): with real CuPy on a GPU
these tests skip.
"""
import numpy
import pytest

from minidl import backend
from minidl.classifier import Classifier
from minidl.gradcheck import check_layer
from minidl.layers import Dense, ReLU, Sequential, Sigmoid
from minidl.optimizers import Adam

import autoencoders as ae
from rbm import DBN, BernoulliRBM, GaussianBernoulliRBM

if backend.cupy is None or not backend.cupy.__file__.startswith(__file__.rsplit("/", 1)[0]):
    pytest.skip("the sync counter belongs to the CuPy stand-in (real CuPy or none here)",
                allow_module_level=True)
from tests._cupy_standin import syncs  # noqa: E402

BATCH = 16


def images(n, seed=0):
    return numpy.random.default_rng(seed).random((n, 1, 8, 8), dtype=numpy.float32)


def rows(n, width=16, seed=0):
    return numpy.random.default_rng(seed).random((n, width), dtype=numpy.float32)


def sequences(n, seed=0):
    return numpy.random.default_rng(seed).random((n, 5, 4), dtype=numpy.float32)


def labels(n):
    return numpy.arange(n) % 3


def classifier(clip):
    net = Sequential(Dense(16, 8, seed=0), ReLU(), Dense(8, 3, seed=1))
    return Classifier(net, n_classes=3), Adam(lr=1e-3, clip_norm=1.0 if clip else None)


#: name -> (build: () -> (model, optimizer or None), data: n -> (X, y or None), fits per run)
MODELS = {
    "DeepAutoencoder": (lambda: (ae.DeepAutoencoder([16, 8, 4], seed=0), None), rows),
    "LinearAutoencoder": (lambda: (ae.LinearAutoencoder([16, 4], seed=0), None), rows),
    "TiedAutoencoder": (lambda: (ae.TiedAutoencoder([16, 4], seed=0), None), rows),
    "DenoisingAutoencoder": (lambda: (ae.DenoisingAutoencoder([16, 4], seed=0), None), rows),
    "SparseAutoencoder": (lambda: (ae.SparseAutoencoder([16, 4], seed=0), None), rows),
    "SparseAutoencoder(l1)": (lambda: (ae.SparseAutoencoder([16, 4], beta=0.0, l1=1e-3,
                                                            seed=0), None), rows),
    "KSparseAutoencoder": (lambda: (ae.KSparseAutoencoder([16, 8], k=2, k_start=4, seed=0),
                                    None), rows),
    "ContractiveAutoencoder": (lambda: (ae.ContractiveAutoencoder([16, 4], seed=0), None), rows),
    "VAE": (lambda: (ae.VAE([16, 8, 2], seed=0), None), rows),
    "BetaVAE": (lambda: (ae.BetaVAE([16, 8, 2], beta=4.0, seed=0), None), rows),
    "ConvAutoencoder": (lambda: (ae.ConvAutoencoder("keras", image_shape=(1, 8, 8),
                                                      seed=0), None),
                        images),
    "Seq2SeqAutoencoder": (lambda: (ae.Seq2SeqAutoencoder([4, 3], seed=0), None), sequences),
    "BernoulliRBM": (lambda: (BernoulliRBM(16, 8, seed=0), None), rows),
    "BernoulliRBM(PCD-3)": (lambda: (BernoulliRBM(16, 8, k=3, persistent=True, seed=0), None),
                            rows),
    "GaussianBernoulliRBM": (lambda: (GaussianBernoulliRBM(16, 8, seed=0), None), rows),
    "Classifier": (lambda: classifier(clip=False), lambda n: (rows(n), labels(n))),
    "Classifier(clip_norm)": (lambda: classifier(clip=True), lambda n: (rows(n), labels(n))),
}


def fit_syncs(name, n_batches):
    """Host syncs of one epoch of ``fit`` over ``n_batches`` batches, the model on CuPy."""
    build, data = MODELS[name]
    model, optimizer = build()
    model.to("cupy")
    X = data(n_batches * BATCH)
    X, y = X if isinstance(X, tuple) else (X, None)
    syncs.reset()
    model.fit(X, y, epochs=1, batch_size=BATCH, optimizer=optimizer, verbose=0, seed=0)
    return syncs.total(), syncs.sites()


def syncs_per_batch(name):
    small, _ = fit_syncs(name, 2)
    large, sites = fit_syncs(name, 6)
    return (large - small) / 4, sites


@pytest.mark.parametrize("name", list(MODELS))
def test_a_training_batch_costs_at_most_one_host_sync(name):
    per_batch, sites = syncs_per_batch(name)
    assert per_batch <= 1.0, (f"{name}: {per_batch:.2f} host syncs per training batch; "
                              f"by call site over 6 batches: {dict(sites)}")


def test_dbn_pretraining_costs_at_most_one_host_sync_per_batch_of_each_rbm():
    def pretrain_syncs(n_batches):
        dbn = DBN([16, 8, 4], seed=0).to("cupy")
        syncs.reset()
        dbn.pretrain(rows(n_batches * BATCH), epochs=1, batch_size=BATCH)
        return syncs.total(), syncs.sites()
    small, _ = pretrain_syncs(2)
    large, sites = pretrain_syncs(6)
    per_batch = (large - small) / (4 * 2)                  # two RBMs, 4 more batches each
    assert per_batch <= 1.0, f"{per_batch:.2f} syncs per batch: {dict(sites)}"


def test_fit_copies_a_batchs_metrics_in_one_sync_and_trains_on_the_device():
    """The one sync per batch is fit's copy of the metrics (a VAE reports four)."""
    _, sites = fit_syncs("VAE", 6)
    copies = sum(n for site, n in sites.items() if " to_floats " in site)
    assert copies == 6, dict(sites)               # one per batch, all four metrics together


def test_a_gradient_check_costs_a_fixed_number_of_syncs_not_one_per_element():
    def check_syncs(n_in):
        layer = Sequential(Dense(n_in, 3, seed=0), Sigmoid())
        layer.to("cupy") if hasattr(layer, "to") else [p.to("cupy") for p in layer.parameters()]
        x = backend.to_device(rows(4, n_in), "cupy")
        syncs.reset()
        check_layer(layer, x, seed=0)
        return syncs.total()
    assert check_syncs(2) == check_syncs(6) <= 2, "syncs grew with the number of elements"
