"""β-VAE (Higgins et al. 2017): sweeping β trades reconstruction for a simpler latent code.

The β-VAE minimises, per digit,

    J = Σ_pixels BCE(g(z), x)  +  β KL(q(z|x) || N(0, I)),     z = μ(x) + σ(x) ⊙ ε

β = 1 is the VAE's negative ELBO. A larger β charges more for every nat of information the
code carries about x, so the encoder sends less (lower KL, the "rate") and the decoder
reconstructs worse (higher BCE, the "distortion"). The sweep trains one β-VAE per β and
checks that trade-off in both directions, at every step of the sweep, on test digits.

Latent traversals show what the code still carries at a large β: starting from one test
digit's μ, one latent coordinate at a time is moved from −3 to 3 and decoded. The
coordinates are sorted by their KL: the decoder relies on those that carry information,
so the image changes more along them (measured as the mean pixel change per step) than
along the coordinates with a KL near 0, which carry almost nothing about the digit.

    python -m examples.beta_vae_sweep [--epochs 4] [--seed 0] [--full]

--full trains each of the five β-VAEs 8 epochs on full MNIST. With 50 epochs per model the
run had not finished after 16 minutes on one BLAS thread of the shared 2-core machine
(2026-12-03) and was stopped.
"""
import numpy

from minidl import backend, datasets, viz
from minidl.optimizers import Adam

import autoencoders as ae
from examples._common import Result, out_path, parse_args, run_alone

TITLE = "β-VAE: the β sweep and latent traversals"
BETAS = (0.5, 1.0, 2.0, 4.0, 8.0)


def kl_per_dimension(model, X):
    """Mean over X of KL(q(z_j|x) || N(0, 1)) = −½ (1 + log σ_j² − μ_j² − σ_j²), (L,)."""
    mu, logvar = (numpy.asarray(backend.to_host(a), dtype=numpy.float64)
                  for a in model.encode_distribution(X))
    return (-0.5 * (1.0 + logvar - mu * mu - numpy.exp(logvar))).mean(axis=0)


def traversal(model, x, dims, values):
    """Decoded images (len(dims) * len(values), D): μ(x) with coordinate d set to each value."""
    mu = numpy.asarray(backend.to_host(model.encode(x[None, :])))[0]
    Z = numpy.repeat(mu[None, :], len(dims) * len(values), axis=0)
    for row, d in enumerate(dims):
        Z[row * len(values):(row + 1) * len(values), d] = values
    return numpy.asarray(backend.to_host(model.decode(Z.astype(numpy.float32))))


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=4, full_epochs=8)
    X, _ = datasets.load(args.dataset, "train")
    X_test, _ = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    sizes = [X.shape[1], 512 if args.full else 256, 10]

    result, recon, kl, models = Result(), [], [], {}
    for beta in BETAS:
        model = ae.BetaVAE(sizes, beta=beta, seed=args.seed)
        model.fit(X, epochs=args.epochs, batch_size=64, optimizer=Adam(lr=2e-3),
                  seed=args.seed, verbose=0)
        scores = model.evaluate(X_test)
        recon.append(scores["recon"])
        kl.append(scores["neg_elbo"] - scores["recon"])   # the KL itself, not β·KL
        models[beta] = model
        result.metrics[f"β = {beta:g}: test reconstruction BCE (nats per digit)"] = recon[-1]
        result.metrics[f"β = {beta:g}: test KL (nats per digit)"] = kl[-1]

    result.claim(f"larger β, lower KL: the largest rise of KL from one β to the next over "
                 f"β = {', '.join(f'{b:g}' for b in BETAS)} (nats)",
                 max(numpy.diff(kl)), "<", 0.0)
    result.claim("larger β, worse reconstruction: the smallest rise of the reconstruction "
                 "BCE from one β to the next (nats)", min(numpy.diff(recon)), ">", 0.0)

    beta = BETAS[-1]
    model, dim_kl = models[beta], kl_per_dimension(models[beta], X_test)
    order = numpy.argsort(dim_kl)[::-1]                    # most informative first
    values = numpy.linspace(-3.0, 3.0, 9, dtype=numpy.float32)
    images = traversal(model, X_test[0], order, values)    # (L * 9, D)
    rows = images.reshape(len(order), len(values), -1)     # (L, 9, D)
    change = numpy.abs(numpy.diff(rows, axis=1)).mean(axis=(1, 2))   # per traversed latent
    for rank, d in enumerate(order):
        result.metrics[f"β = {beta:g}, latent {d}: KL (nats)"] = float(dim_kl[d])
        result.metrics[f"β = {beta:g}, latent {d}: mean pixel change per traversal step"] = \
            float(change[rank])
    result.claim(f"β = {beta:g}: moving the latent with the most KL changes the image more "
                 f"than moving the one with the least (mean pixel change)",
                 change[0], ">", change[-1])

    points = {f"β = {b:g}": ([kl[i]], [recon[i]]) for i, b in enumerate(BETAS)}
    result.add_figure(viz.curves({"β-VAE on test digits": (kl, recon), **points},
                                 out_path(args, "beta_tradeoff"), xlabel="KL (nats per digit)",
                                 ylabel="reconstruction BCE (nats per digit)",
                                 title=f"β = {', '.join(f'{b:g}' for b in BETAS)}, right to left"),
                      "The rate-distortion trade-off: each point is one β-VAE (its β in the "
                      "legend), β growing from right to left. A larger β buys a code with less information (lower KL) "
                      "at the price of a worse reconstruction.")
    row_labels = [f"z{d}, KL {dim_kl[d]:.1f}" for d in order]
    result.add_figure(viz.rows(list(rows), row_labels, out_path(args, "beta_traversal"),
                               n=len(values), shape=shape,
                               title=f"β = {beta:g}: one latent per row, −3 to 3"),
                      f"Latent traversals of the β = {beta:g} model from one test digit: each "
                      f"row moves one latent coordinate from −3 to 3, rows sorted by the "
                      f"coordinate's KL (most informative first; each row is labelled with its "
                      f"latent and KL in nats). The lower rows, whose KL is "
                      f"smaller, change the digit less: the decoder relies on the coordinates "
                      f"that carry information (mean pixel change per step in the metrics).")
    result.report()
    return result


if __name__ == "__main__":
    run_alone(main)
