"""Denoising autoencoder (Vincent et al. 2008): corrupted in, clean out.

Training pairs are (x̃, x) with x̃ = x + 0.5 ε, ε ~ N(0, I); the loss compares the
reconstruction with the clean x. Rows: noisy test digits, the clean originals, and the
denoising autoencoder's reconstructions. A plain autoencoder of the same size, trained
on clean digits, is the baseline (PSNR against the clean digits).

Claims: on noisy test digits the denoising AE's output is closer to the clean digits
(PSNR) than the plain AE's output, and than the noisy input itself.

``--full`` trains each autoencoder 30 epochs on all 60,000 digits: with 100 the run did
not finish in 16 minutes on the 2-core machine (one BLAS thread, two other jobs running).

    python -m examples.ae_denoising [--epochs 8] [--seed 0] [--full]
"""
from minidl import backend, datasets, metrics, viz
from minidl.optimizers import Adam

import autoencoders as ae
from examples._common import Result, out_path, parse_args, run_alone

TITLE = "Denoising autoencoder"
LEVEL = 0.5


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=8, full_epochs=30)
    epochs = args.epochs
    X, _ = datasets.load(args.dataset, "train")
    X_test, _ = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    sizes = [X.shape[1], 256, 64]
    corrupt = ae.make_corruption("gaussian", LEVEL, seed=backend.derive_seed(args.seed, "noise"))
    noisy = backend.to_host(corrupt(backend.to_device(X_test)))
    models = {"denoising": ae.DenoisingAutoencoder(sizes, noise="gaussian", level=LEVEL,
                                                   activation="relu", seed=args.seed),
              "plain": ae.DeepAutoencoder(sizes, activation="relu", seed=args.seed)}
    result, cleaned = Result(), {}
    for name, model in models.items():
        model.fit(X, epochs=epochs, batch_size=64, optimizer=Adam(lr=2e-3), seed=args.seed,
                  verbose=0)
        cleaned[name] = backend.to_host(model.reconstruct(noisy))
        result.metrics[f"PSNR vs clean (dB), {name} AE on noisy input"] = \
            metrics.psnr(X_test, cleaned[name])
    result.metrics["PSNR vs clean (dB), noisy input"] = metrics.psnr(X_test, noisy.clip(0, 1))
    result.add_figure(viz.rows([noisy.clip(0, 1), X_test, cleaned["denoising"], cleaned["plain"]],
                               ["noisy", "clean", "denoising AE", "plain AE"],
                               out_path(args, "denoising_rows"), shape=shape,
                               title=f"Gaussian noise σ = {LEVEL}"),
                      "Noisy test digits, the clean originals, the denoising autoencoder's "
                      "output and a plain autoencoder's output for the same noisy input.")
    result.report()
    dae = result.metrics["PSNR vs clean (dB), denoising AE on noisy input"]
    result.claim("denoising AE beats a plain AE on noisy digits (PSNR vs clean, dB)", dae, ">",
                 result.metrics["PSNR vs clean (dB), plain AE on noisy input"])
    result.claim("denoising AE output is cleaner than its noisy input (PSNR vs clean, dB)", dae,
                 ">", result.metrics["PSNR vs clean (dB), noisy input"])
    return result


if __name__ == "__main__":
    run_alone(main)
