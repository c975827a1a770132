"""Variational autoencoder (Kingma & Welling 2014): manifold, reconstructions, arithmetic.

Two VAEs, 784-256-(μ, log σ²), Bernoulli decoder with logits, Adam (12 epochs in the
quick setting; the 2-D one with smaller batches, as it needs more steps to unfold):

* a 2-D latent space for the paper's Figure 4: digits decoded from a grid of latent
  points at Gaussian quantiles (2-D is what can be drawn, not what reconstructs well);
* a 16-D latent space for reconstructions, a straight-line interpolation between two
  test digits, and latent arithmetic: "bold minus thin". The attribute vector is the
  mean code of each class's boldest fifth minus that of its thinnest fifth, averaged
  over the classes (so the class itself cancels out), and is added to test digits' codes.

A referee classifier (an MLP trained here on the real digits, see
:func:`examples._common.digit_judge`) reads the images. Recognition counts only the
test digits the referee itself gets right, so its own mistakes are not charged to the VAE.

Claims: the referee recognises at least 90% of the 16-D VAE's reconstructions; the 2-D
manifold grid shows at least 8 of the 10 classes (each in >= 3 of its 225 cells);
bold-minus-thin keeps the digit's class in at least 70% of cases and adds ink
(more than the reconstruction without it has).

``--full`` trains each VAE 20 epochs on all 60,000 digits: with 100 the run did not finish
in 15 minutes on 2 cores.

    python -m examples.ae_vae [--epochs 12] [--seed 0] [--full]
"""
import numpy
from scipy.stats import norm

from minidl import backend, datasets, viz
from minidl.optimizers import Adam

import autoencoders as ae
from examples._common import Result, digit_judge, out_path, parse_args, run_alone

TITLE = "Variational autoencoder: manifold, reconstructions, arithmetic"
GRID = 15


def fit_vae(X, latent, args, *, batch_size, lr):
    model = ae.VAE([X.shape[1], 256, latent], seed=backend.derive_seed(args.seed, "latent", latent))
    return model.fit(X, epochs=args.epochs, batch_size=batch_size, optimizer=Adam(lr=lr),
                     seed=args.seed, verbose=0)


def bold_minus_thin(model, X, y):
    """Mean over classes of (mean code of the boldest 20%) − (mean code of the thinnest 20%)."""
    Z, ink = backend.to_host(model.encode(X)), X.sum(axis=1)
    directions = []
    for c in numpy.unique(y):
        mine = y == c
        thin, bold = numpy.quantile(ink[mine], [0.2, 0.8])
        directions.append(Z[mine & (ink >= bold)].mean(axis=0)
                          - Z[mine & (ink <= thin)].mean(axis=0))
    return numpy.mean(directions, axis=0)


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=12, full_epochs=20)
    X, y = datasets.load(args.dataset, "train")
    X_test, y_test = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    judge = digit_judge(X, y, seed=args.seed)
    known = backend.to_host(judge.predict(X_test)) == y_test   # digits the referee gets right
    Xk, yk = X_test[known], y_test[known]
    result = Result()

    # 2-D: the manifold
    flat = fit_vae(X, 2, args, batch_size=32, lr=3e-3)   # 2-D needs more steps to unfold
    grid = norm.ppf(numpy.linspace(0.05, 0.95, GRID)).astype(numpy.float32)
    Z = numpy.array([[a, b] for b in grid[::-1] for a in grid], dtype=numpy.float32)
    cells = backend.to_host(flat.decode(Z))
    counts = numpy.bincount(backend.to_host(judge.predict(cells)), minlength=10)
    shown = int((counts >= 3).sum())
    result.add_figure(viz.manifold(cells, GRID, out_path(args, "vae_manifold"), shape=shape,
                                   title="2-D VAE: decoded latent grid"),
                      f"Digits decoded from a {GRID}x{GRID} grid of latent points at Gaussian "
                      f"quantiles; the referee finds {shown} classes in at least 3 cells each "
                      f"(cells per class 0-9: {' '.join(map(str, counts))}). The referee "
                      f"names every cell, blurred ones too, so a class it counts can be hard "
                      f"to see (at quick scale the 2s and 4s are poor); --full trains longer "
                      f"on full MNIST.")

    # 16-D: reconstructions, interpolation, arithmetic
    vae = fit_vae(X, 16, args, batch_size=64, lr=2e-3)
    recon = backend.to_host(vae.reconstruct(Xk))
    recognised = float(numpy.mean(backend.to_host(judge.predict(recon)) == yk))
    pair = [int(numpy.flatnonzero(yk == c)[0]) for c in (1, 8)]
    line = backend.to_host(vae.interpolate(Xk[pair[0]], Xk[pair[1]], steps=10))
    result.add_figure(viz.rows([Xk[:10], recon[:10], line],
                               ["test digit", "reconstruction", "interpolation 1 → 8"],
                               out_path(args, "vae_reconstructions"), shape=shape,
                               title=f"16-D VAE: {100 * recognised:.0f}% of reconstructions "
                                     f"recognised"),
                      "Test digits and their reconstructions by the 16-D VAE; bottom row: "
                      "decoded points on the straight line from a 1's code to an 8's.")
    direction = bold_minus_thin(vae, X, y)
    codes = backend.to_host(vae.encode(Xk))
    bolder = backend.to_host(vae.decode((codes + direction).astype(numpy.float32)))
    kept = float(numpy.mean(backend.to_host(judge.predict(bolder)) == yk))
    ink_plain, ink_bold = float(recon.sum(axis=1).mean()), float(bolder.sum(axis=1).mean())
    result.add_figure(viz.rows([Xk[:10], recon[:10], bolder[:10]],
                               ["test digit", "reconstruction", "+ (bold − thin)"],
                               out_path(args, "vae_arithmetic"), shape=shape,
                               title="latent arithmetic: bold minus thin"),
                      f"Test digits, their reconstructions, and the decoding of their code plus "
                      f"the bold-minus-thin direction: {100 * kept:.0f}% keep their class, "
                      f"with {ink_bold / ink_plain:.2f}x the ink.")

    result.metrics.update({
        "referee test accuracy (real digits)": float(known.mean()),
        "2-D VAE: test negative ELBO (nats per digit)": flat.evaluate(X_test)["neg_elbo"],
        "16-D VAE: test negative ELBO (nats per digit)": vae.evaluate(X_test)["neg_elbo"],
        "16-D VAE: reconstructions recognised": recognised,
        "2-D manifold: classes in >= 3 grid cells": shown,
        "bold − thin: class kept": kept,
        "ink per digit, reconstruction": ink_plain,
        "ink per digit, + (bold − thin)": ink_bold})
    result.report()
    result.claim("the referee recognises the 16-D VAE's reconstructions (fraction, of the "
                 "digits it recognises itself)", recognised, ">=", 0.9)
    result.claim("the 2-D manifold grid shows the classes (classes in >= 3 of its cells)",
                 shown, ">=", 8)
    result.claim("bold − thin keeps the digit's class (fraction)", kept, ">=", 0.7)
    result.claim("bold − thin adds ink (mean ink per digit, vs the plain reconstruction)",
                 ink_bold, ">", ink_plain)
    return result


if __name__ == "__main__":
    run_alone(main)
