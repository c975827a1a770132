"""Autoencoder quality and penalty overhead: minidl's autoencoders against PyTorch.

Data: full MNIST when its IDX files are present locally (no download), else the bundled
mnist-5k (4,000 train / 1,000 test digits). Every side trains with Adam(lr=1e-3),
batch 256, Glorot-uniform weights and zero biases; quick mode trains a few epochs on
2,000 digits, full mode the issue's settings.

Quality (figure of merit "seconds" = median epoch time; the numbers to compare are in the
other fields; target None):

* ``quality_ae_784_32``  784-32(ReLU)-784 logits, BCE: test BCE per pixel after 50 epochs
                     (issue: <= 0.09 and within 3% of PyTorch's).
* ``quality_ae_deep``  784-128-64-32-64-128-784 ReLU: test BCE (issue: <= 0.08 after 100 epochs).
* ``quality_sparse_l1``  784-32 ReLU with the Keras L1 activity penalty 1e-4: mean code
                     activation (the tutorial: 3.33 with, 7.30 without, 50 epochs full MNIST).
* ``quality_vae``  784-400-20 Gaussian VAE, Bernoulli decoder: test negative ELBO in nats
                     per digit (single sample of z).

Speed: ``overhead_kl``, ``overhead_l1``, ``overhead_contractive``: epoch time of a 784-256
sigmoid AE with that penalty against the same AE without it; target <= 1.3x.
"""
import time

from benchmarks._shared import summary, timed_fit

BATCH, LR = 256, 1e-3


def load_data(quick):
    """(X_train, X_test) float32 in [0, 1]: local full MNIST, else mnist-5k."""
    from minidl import datasets
    try:
        X, X_test = (datasets.load("mnist", s, download=False)[0] for s in ("train", "test"))
    except Exception:  # full MNIST not on this machine
        X, X_test = (datasets.load("mnist-5k", s)[0] for s in ("train", "test"))
    return (X[:2000], X_test[:1000]) if quick else (X, X_test)


def _epochs(quick, full):
    return 3 if quick else full


def _summary(times, **numbers):
    return summary(times, None, 1, **numbers)   # the first epoch warms up


# --- minidl -------------------------------------------------------------------------------
def _fit_minidl(model, X, epochs):
    from minidl.optimizers import Adam

    times, _ = timed_fit(model, X, epochs=epochs, batch_size=BATCH, optimizer=Adam(lr=LR))
    return times


def minidl_ae_784_32(quick):
    import autoencoders as ae
    X, X_test = load_data(quick)
    model = ae.DeepAutoencoder([784, 32], activation="relu", seed=0)
    times = _fit_minidl(model, X, _epochs(quick, 50))
    return _summary(times, test_bce=model.evaluate(X_test)["recon"])


def minidl_ae_deep(quick):
    import autoencoders as ae
    X, X_test = load_data(quick)
    model = ae.DeepAutoencoder([784, 128, 64, 32], activation="relu", seed=0)
    times = _fit_minidl(model, X, _epochs(quick, 100))
    return _summary(times, test_bce=model.evaluate(X_test)["recon"])


def minidl_sparse_l1(quick):
    import autoencoders as ae
    from minidl import backend
    X, X_test = load_data(quick)
    model = ae.SparseAutoencoder([784, 32], beta=0.0, l1=1e-4, seed=0)
    times = _fit_minidl(model, X, _epochs(quick, 50))
    return _summary(times, mean_activation=float(backend.to_host(model.encode(X_test)).mean()),
                    test_bce=model.evaluate(X_test)["recon"])


def minidl_vae(quick):
    import autoencoders as ae
    X, X_test = load_data(quick)
    model = ae.VAE([784, 400, 20], seed=0)
    times = _fit_minidl(model, X, _epochs(quick, 50))
    return _summary(times, neg_elbo=model.evaluate(X_test)["neg_elbo"])


def _overhead(model, quick):
    """A timing, not a quality figure: 10,000 digits whether or not full MNIST is present."""
    X, _ = load_data(quick)
    return _summary(_fit_minidl(model, X[:10000], 4 if quick else 10))


def minidl_plain_256(quick):
    import autoencoders as ae
    return _overhead(ae.DeepAutoencoder([784, 256], activation="sigmoid", seed=0), quick)


def minidl_kl_256(quick):
    import autoencoders as ae
    return _overhead(ae.SparseAutoencoder([784, 256], rho=0.1, beta=3.0, reduction="mean",
                                          loss="bce", seed=0), quick)


def minidl_l1_256(quick):
    import autoencoders as ae
    return _overhead(ae.SparseAutoencoder([784, 256], beta=0.0, l1=1e-4, activation="sigmoid",
                                          seed=0), quick)


def minidl_contractive_256(quick):
    import autoencoders as ae
    return _overhead(ae.ContractiveAutoencoder([784, 256], lam=0.1, seed=0, loss="bce",
                                               reduction="mean"), quick)


# --- PyTorch ----------------------------------------------------------------------------------
def _torch_dense(sizes, act, torch):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        lin = torch.nn.Linear(a, b)
        torch.nn.init.xavier_uniform_(lin.weight)
        torch.nn.init.zeros_(lin.bias)
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(act())
    return torch.nn.Sequential(*layers)


def _fit_torch(step, params, X, epochs, torch):
    opt = torch.optim.Adam(params, lr=LR)
    X = torch.from_numpy(X)
    gen = torch.Generator().manual_seed(0)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(len(X), generator=gen)
        for i in range(0, len(X), BATCH):
            opt.zero_grad()
            step(X[order[i:i + BATCH]]).backward()
            opt.step()
        times.append(time.perf_counter() - start)
    return times


def _torch_ae(sizes, quick, full_epochs, l1=None):
    import torch
    torch.manual_seed(0)
    X, X_test = load_data(quick)
    enc = _torch_dense(sizes, torch.nn.ReLU, torch)
    dec = _torch_dense(sizes[::-1], torch.nn.ReLU, torch)
    encoder = torch.nn.Sequential(enc, torch.nn.ReLU())
    bce = torch.nn.BCEWithLogitsLoss()

    def step(x):
        h = encoder(x)
        loss = bce(dec(h), x)
        return loss + l1 * h.abs().sum() / len(x) if l1 else loss

    times = _fit_torch(step, list(enc.parameters()) + list(dec.parameters()), X,
                       _epochs(quick, full_epochs), torch)
    with torch.no_grad():
        xt = torch.from_numpy(X_test)
        h = encoder(xt)
        return times, float(bce(dec(h), xt)), float(h.mean())


def torch_ae_784_32(quick):
    times, test_bce, _ = _torch_ae([784, 32], quick, 50)
    return _summary(times, test_bce=test_bce)


def torch_ae_deep(quick):
    times, test_bce, _ = _torch_ae([784, 128, 64, 32], quick, 100)
    return _summary(times, test_bce=test_bce)


def torch_sparse_l1(quick):
    times, test_bce, mean = _torch_ae([784, 32], quick, 50, l1=1e-4)
    return _summary(times, mean_activation=mean, test_bce=test_bce)


def torch_vae(quick):
    import torch
    torch.manual_seed(0)
    X, X_test = load_data(quick)
    enc = _torch_dense([784, 400, 40], torch.nn.ReLU, torch)
    dec = _torch_dense([20, 400, 784], torch.nn.ReLU, torch)

    def neg_elbo(x):
        mu, logvar = enc(x).chunk(2, dim=1)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        recon = torch.nn.functional.binary_cross_entropy_with_logits(dec(z), x, reduction="sum")
        kl = -0.5 * (1 + logvar - mu ** 2 - logvar.exp()).sum()
        return (recon + kl) / len(x)

    times = _fit_torch(neg_elbo, list(enc.parameters()) + list(dec.parameters()), X,
                       _epochs(quick, 50), torch)
    with torch.no_grad():
        value = float(neg_elbo(torch.from_numpy(X_test)))
    return _summary(times, neg_elbo=value)


def _quality(name, what):
    return dict(name=f"quality_{name}", description=what, baseline="torch", target=None,
                sides={"minidl": f"benchmarks.bench_autoencoders:minidl_{name}",
                       "torch": f"benchmarks.bench_autoencoders:torch_{name}"})


def _overhead_entry(penalty):
    return dict(name=f"overhead_{penalty}", baseline="plain", target=1.3,
                description=f"epoch time of a 784-256 sigmoid AE with the {penalty} penalty / "
                            f"without it",
                sides={"minidl": f"benchmarks.bench_autoencoders:minidl_{penalty}_256",
                       "plain": "benchmarks.bench_autoencoders:minidl_plain_256"})


BENCHMARKS = [
    _quality("ae_784_32", "784-32-784 ReLU AE, BCE, Adam: test BCE per pixel (issue <= 0.09)"),
    _quality("ae_deep", "784-128-64-32 ReLU AE: test BCE per pixel (issue <= 0.08)"),
    _quality("sparse_l1", "784-32 ReLU AE + L1 activity 1e-4: mean code activation "
                          "(Keras tutorial 3.33)"),
    _quality("vae", "784-400-20 VAE: test negative ELBO, nats per digit"),
    _overhead_entry("kl"), _overhead_entry("l1"), _overhead_entry("contractive"),
]
