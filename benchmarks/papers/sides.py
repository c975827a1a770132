"""The sides of the rows that compare with PyTorch (1, 2 and 8), one process each.

The papers runner calls ``benchmarks._runner.run_side("benchmarks.papers.sides:<fn>")``,
so minidl and PyTorch never share a process, a thread pool or an import. The scale
(full / quick / tiny, see :mod:`benchmarks.papers.common`) travels in the environment
variable ``MINIDL_PAPERS_SCALE``. Both sides of a row train the same network from the
same kind of initialisation (Glorot-uniform weights, zero biases) on the same digits, in
the same order of epochs and batch size, with Adam(lr 1e-3); "seconds" is the training
time, the quality number is measured on the official test set.
"""
import os
import time

from benchmarks.papers import common

ADAM_LR = 1e-3
SETTINGS = {  # row -> scale -> (epochs, batch size)
    "ae_784_32": {"full": (50, 256), "quick": (6, 256), "tiny": (1, 256)},
    "ae_deep": {"full": (100, 256), "quick": (8, 256), "tiny": (1, 256)},
    "vae": {"full": (50, 100), "quick": (5, 100), "tiny": (1, 100)},
}
SIZES = {"ae_784_32": [784, 32], "ae_deep": [784, 128, 64, 32], "vae": [784, 400, 20]}


def _scale(quick):
    return os.environ.get("MINIDL_PAPERS_SCALE", "quick" if quick else "full")


def _data(quick):
    data = common.load_data(_scale(quick))
    return data.X_all, data.X_test          # these recipes fix their epochs: all 60,000


# --- minidl ---------------------------------------------------------------------------------
def _minidl(name, quick, build, metric):
    from minidl.optimizers import Adam
    from minidl.training import fit
    X, X_test = _data(quick)
    epochs, batch = SETTINGS[name][_scale(quick)]
    model = build()
    start = time.perf_counter()
    history = fit(model, X, epochs=epochs, batch_size=batch, optimizer=Adam(lr=ADAM_LR), seed=0,
                  verbose=0)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "value": float(model.evaluate(X_test)[metric]),
            "final_train_loss": float(history.history["loss"][-1]), "epochs": epochs,
            "batch_size": batch}


def minidl_ae_784_32(quick):
    import autoencoders as ae
    return _minidl("ae_784_32", quick,
                   lambda: ae.DeepAutoencoder(SIZES["ae_784_32"], activation="relu", seed=0),
                   "recon")


def minidl_ae_deep(quick):
    import autoencoders as ae
    return _minidl("ae_deep", quick,
                   lambda: ae.DeepAutoencoder(SIZES["ae_deep"], activation="relu", seed=0),
                   "recon")


def minidl_vae(quick):
    import autoencoders as ae
    return _minidl("vae", quick, lambda: ae.VAE(SIZES["vae"], seed=0), "neg_elbo")


# --- PyTorch --------------------------------------------------------------------------------
def _dense_stack(sizes, torch):
    """Linear layers with ReLU between them (none after the last), Glorot-uniform, zero bias."""
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        lin = torch.nn.Linear(a, b)
        torch.nn.init.xavier_uniform_(lin.weight)
        torch.nn.init.zeros_(lin.bias)
        layers += [lin] + ([torch.nn.ReLU()] if i < len(sizes) - 2 else [])
    return torch.nn.Sequential(*layers)


def _torch(name, quick, modules, objective):
    import torch
    torch.manual_seed(0)
    X, X_test = (torch.from_numpy(a) for a in _data(quick))
    epochs, batch = SETTINGS[name][_scale(quick)]
    params = [p for m in modules for p in m.parameters()]
    opt = torch.optim.Adam(params, lr=ADAM_LR)
    gen = torch.Generator().manual_seed(0)
    start = time.perf_counter()
    for _ in range(epochs):
        total = 0.0
        order = torch.randperm(len(X), generator=gen)
        for i in range(0, len(X), batch):
            xb = X[order[i:i + batch]]
            opt.zero_grad()
            loss = objective(xb)
            loss.backward()
            opt.step()
            total += float(loss) * len(xb)
    seconds = time.perf_counter() - start
    with torch.no_grad():
        value = float(objective(X_test))
    return {"seconds": seconds, "value": value, "final_train_loss": total / len(X),
            "epochs": epochs, "batch_size": batch}


def _torch_ae(name, quick):
    import torch
    torch.manual_seed(0)
    sizes = SIZES[name]
    encoder = torch.nn.Sequential(_dense_stack(sizes, torch), torch.nn.ReLU())  # ReLU code
    decoder = _dense_stack(sizes[::-1], torch)                                  # logits
    bce = torch.nn.BCEWithLogitsLoss()                                          # mean per pixel
    return _torch(name, quick, (encoder, decoder), lambda x: bce(decoder(encoder(x)), x))


def torch_ae_784_32(quick):
    return _torch_ae("ae_784_32", quick)


def torch_ae_deep(quick):
    return _torch_ae("ae_deep", quick)


def torch_vae(quick):
    import torch
    torch.manual_seed(0)
    n_in, n_hidden, n_z = SIZES["vae"]
    encoder = _dense_stack([n_in, n_hidden, 2 * n_z], torch)       # -> (mu, log var)
    decoder = _dense_stack([n_z, n_hidden, n_in], torch)           # -> logits

    def neg_elbo(x):
        mu, logvar = encoder(x).chunk(2, dim=1)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        recon = torch.nn.functional.binary_cross_entropy_with_logits(decoder(z), x,
                                                                     reduction="sum")
        kl = -0.5 * (1 + logvar - mu ** 2 - logvar.exp()).sum()
        return (recon + kl) / len(x)
    return _torch("vae", quick, (encoder, decoder), neg_elbo)
