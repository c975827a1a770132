"""Variational autoencoder (Kingma & Welling 2014) with a 2-D latent space.

784-256-(μ, log σ²) in 2-D, Bernoulli decoder with logits. Figures: the decoded
manifold over a grid of latent points at Gaussian quantiles (the paper's Figure 4),
a straight-line interpolation between two test digits, and latent arithmetic: the
"thickness" direction (mean code of the boldest digits minus that of the thinnest)
added to ten test digits. Reported: the negative ELBO in nats per digit on the test
set (Kingma & Welling's Figure 2 shows about 150-160 nats for a 2-D latent on full MNIST).

    python -m examples.ae_vae [--epochs 15] [--seed 0] [--full]
"""
import numpy
from scipy.stats import norm

from minidl import backend, datasets, viz
from minidl.optimizers import Adam

import autoencoders as ae
from examples._common import Result, out_path, parse_args

TITLE = "Variational autoencoder: manifold, interpolation, arithmetic"


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=15, full_epochs=100)
    epochs = args.epochs
    X, _ = datasets.load(args.dataset, "train")
    X_test, _ = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    model = ae.VAE([X.shape[1], 256, 2], seed=args.seed)
    model.fit(X, epochs=epochs, batch_size=64, optimizer=Adam(lr=2e-3), seed=args.seed,
              verbose=0)
    result = Result()
    result.metrics["test negative ELBO (nats per digit)"] = model.evaluate(X_test)["neg_elbo"]

    n = 15
    grid = norm.ppf(numpy.linspace(0.05, 0.95, n)).astype(numpy.float32)
    Z = numpy.array([[a, b] for b in grid[::-1] for a in grid], dtype=numpy.float32)
    result.add_figure(viz.manifold(backend.to_host(model.decode(Z)), n,
                                   out_path(args, "vae_manifold"), shape=shape,
                                   title="VAE: decoded latent grid"),
                      "Digits decoded from a 15x15 grid of latent points at Gaussian quantiles.")
    line = backend.to_host(model.interpolate(X_test[0], X_test[1], steps=10))
    result.add_figure(viz.strip(line, out_path(args, "vae_interpolation"), shape=shape,
                                title="interpolation in latent space"),
                      "Decoded points on the line from the code of one test digit to another's.")
    ink = X.sum(axis=1)
    bold, thin = X[ink > numpy.quantile(ink, 0.9)], X[ink < numpy.quantile(ink, 0.1)]
    bolder = backend.to_host(model.latent_arithmetic(bold, thin, X_test[:10]))
    result.add_figure(viz.rows([X_test[:10], backend.to_host(model.reconstruct(X_test[:10])),
                                bolder], ["original", "reconstruction", "+ (bold − thin)"],
                               out_path(args, "vae_arithmetic"), shape=shape,
                               title="latent arithmetic"),
                      "Test digits, their reconstructions, and the decoding of their code plus "
                      "the mean code of bold digits minus that of thin digits. In a 2-D latent "
                      "space the boldest digits are mostly zeros, so the direction mixes "
                      "'bold' with 'zero': attributes need more latent dimensions to separate.")
    for key, value in result.metrics.items():
        print(f"{key}: {value:.2f}")
    return result


if __name__ == "__main__":
    main()
