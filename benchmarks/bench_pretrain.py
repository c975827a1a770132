"""Quality benchmarks of greedy layer-wise pretraining (issue 6), minidl only.

``pretrain_deep_ae_30``: Hinton & Salakhutdinov (2006)'s deep autoencoder. A DBN with
linear code units (CD-1, batch 100, lr 0.1, weight cost 2e-4, momentum 0.9; code
layer lr 0.001) is pretrained, unrolled and fine-tuned (Adam, BCE); the figure is the
average squared reconstruction error per test image, summed over pixels, next to
PCA with as many components (computed here, the baseline) and the same network
fine-tuned from a random Glorot initialisation with the same budget. Paper: 3.00
deep AE, 13.87 PCA; target ratio deep / PCA <= 0.25 on full MNIST.
quick: 784-256-64-30 on mnist-5k, 3 + 6 epochs; full: 784-1000-500-250-30 on
``mnist`` (mnist-5k when the full set is absent), 50 pretraining epochs per layer
and 50 fine-tuning epochs (the paper fine-tunes 200 epochs with conjugate gradients).

``pretrain_dbn_classifier``: a DBN-initialised 784-500-500-2000-10 classifier
(Hinton, Osindero & Teh 2006: 1.2% test error; target <= 1.3%), fine-tuned with Adam
(lr 1e-3, batch 100; the paper used up-down fine-tuning, then backprop with SGD).
quick: 784-128-128-256, 3 + 10 epochs, mnist-5k; full: 50 + 50 epochs.

``pretrain_semi_supervised``: a DBN pretrained on every training digit without labels;
with 100 and 1000 labels, a softmax on the frozen encoder (probe) and then the whole
network fine-tuned, pretrained vs random initialisation (test accuracy).

"seconds" is the total training time of the pretrained model (noisy on shared CPUs).
"""
import time

BENCHMARKS = [
    dict(name="pretrain_deep_ae_30",
         description="784-1000-500-250-30 DBN-pretrained deep AE: sq. error/test image vs PCA-30",
         sides={"minidl": "benchmarks.bench_pretrain:deep_ae"}, baseline=None, target=None),
    dict(name="pretrain_dbn_classifier",
         description="DBN-initialised 784-500-500-2000-10 classifier: test error (paper 1.2%)",
         sides={"minidl": "benchmarks.bench_pretrain:dbn_classifier"}, baseline=None,
         target=None),
    dict(name="pretrain_semi_supervised",
         description="probe / fine-tuned accuracy with 100 and 1000 labels, pretrained vs random",
         sides={"minidl": "benchmarks.bench_pretrain:semi_supervised"}, baseline=None,
         target=None),
]


def _data(quick):
    """(X, y, X_test, y_test): mnist-5k in quick mode, full MNIST when present otherwise."""
    from minidl import datasets
    if not quick:
        try:
            return (*datasets.load("mnist", "train"), *datasets.load("mnist", "test"))
        except Exception:  # full MNIST not downloaded: fall back to the bundled digits
            pass
    return (*datasets.load("mnist-5k", "train"), *datasets.load("mnist-5k", "test"))


def _squared_error(X, X_hat):
    import numpy
    from minidl import backend
    diff = backend.to_host(X_hat).astype(numpy.float64) - backend.to_host(X)
    return float((diff * diff).sum(axis=1).mean())


def deep_ae(quick):
    from minidl import metrics
    from minidl.optimizers import Adam
    from autoencoders import Autoencoder, DeepAutoencoder
    from rbm import DBN

    X, _, X_test, _ = _data(quick)
    sizes = [784, 256, 64, 30] if quick else [784, 1000, 500, 250, 30]
    pre, tune = (3, 6) if quick else (50, 50)
    start = time.perf_counter()
    dbn = DBN(sizes, linear_top=True, seed=0).pretrain(X, epochs=pre, batch_size=100, seed=0)
    pretrained = Autoencoder(*dbn.unroll())
    pretrained.fit(X, epochs=tune, batch_size=100, optimizer=Adam(1e-3), seed=0, verbose=0)
    seconds = time.perf_counter() - start
    random_init = DeepAutoencoder(sizes, activation="sigmoid", code_activation="linear", seed=0)
    random_init.fit(X, epochs=tune, batch_size=100, optimizer=Adam(1e-3), seed=0, verbose=0)
    pca = metrics.PCA(sizes[-1]).fit(X)
    err = {"pretrained": _squared_error(X_test, pretrained.reconstruct(X_test)),
           "random": _squared_error(X_test, random_init.reconstruct(X_test)),
           "pca": _squared_error(X_test, pca.inverse_transform(pca.transform(X_test)))}
    return {"seconds": seconds, "sq_error_deep_pretrained": err["pretrained"],
            "sq_error_deep_random_init": err["random"], "sq_error_pca": err["pca"],
            "ratio_deep_over_pca": err["pretrained"] / err["pca"], "paper_deep": 3.00,
            "paper_pca": 13.87}


def dbn_classifier(quick):
    from minidl.optimizers import Adam
    from rbm import DBN

    X, y, X_test, y_test = _data(quick)
    sizes = [784, 128, 128, 256] if quick else [784, 500, 500, 2000]
    pre, tune = (3, 10) if quick else (50, 50)
    start = time.perf_counter()
    dbn = DBN(sizes, seed=0).pretrain(X, epochs=pre, batch_size=100, seed=0)
    model = dbn.to_classifier(10, seed=0)
    model.fit(X, y, epochs=tune, batch_size=100, optimizer=Adam(1e-3), seed=0, verbose=0)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "test_error_percent": 100 * (1 - model.score(X_test, y_test)),
            "paper_error_percent": 1.2}


def _random_network(sizes, seed):
    from minidl.layers import Dense, Sequential, Sigmoid
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers += [Dense(a, b, seed=seed + i), Sigmoid()]
    return Sequential(*layers, Dense(sizes[-1], 10, seed=seed + len(sizes)))


def _probe_then_finetune(network, X, y, X_test, y_test, epochs):
    from minidl.classifier import Classifier
    from minidl.optimizers import Adam
    from minidl.pretrain import freeze_first
    model = Classifier(freeze_first(network, len(network) - 1), n_classes=10)
    batch = max(10, len(X) // 10)
    model.fit(X, y, epochs=epochs, batch_size=batch, optimizer=Adam(1e-2), seed=0, verbose=0)
    probe = model.score(X_test, y_test)
    freeze_first(network, 0)
    model.fit(X, y, epochs=epochs, batch_size=batch, optimizer=Adam(1e-3), seed=0, verbose=0)
    return probe, model.score(X_test, y_test)


def semi_supervised(quick):
    import numpy
    from minidl.optimizers import SGD
    from rbm import DBN

    X, y, X_test, y_test = _data(quick)
    sizes = [784, 256, 128] if quick else [784, 500, 500, 2000]
    start = time.perf_counter()
    dbn = DBN(sizes, optimizer=SGD(0.05, momentum=0.9), seed=0).pretrain(
        X, epochs=3 if quick else 20, batch_size=64, seed=0)
    seconds = time.perf_counter() - start
    order = numpy.random.default_rng(0).permutation(len(X))
    out = {}
    for n in (100, 1000):
        idx = order[:n]
        for name, network in (("pretrained", dbn.to_classifier(10, seed=0).network),
                              ("random", _random_network(sizes, 0))):
            probe, tuned = _probe_then_finetune(network, X[idx], y[idx], X_test, y_test,
                                                30 if quick else 50)
            out[f"acc_{n}_{name}_probe"], out[f"acc_{n}_{name}_finetuned"] = probe, tuned
    return {"seconds": seconds, **out}
