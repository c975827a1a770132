"""Denoising convolutional autoencoder: noisy / clean / restored digits.

The Keras tutorials' denoising conv AE: every training digit is corrupted with
Gaussian noise of std 0.5 and clipped back to [0, 1],
    x̃ = clip(x + 0.5 ε, 0, 1),  ε ~ N(0, I),
and the network learns to output the clean x (Vincent et al. 2008). The baseline is the
same conv AE trained on clean digits only: it has learnt to copy what it sees, noise
included, so it restores less.

Quick mode (Adam, lr 3e-3, batch 32) trains the lecture's small conv AE (code 8x4x4)
for 3 epochs on 3,000 digits. --full trains the keras.io tutorial's model -- two
conv32 + max-pool blocks down to 32x7x7, two stride-2 transposed convolutions back
up, a 3x3 conv to one channel of logits -- for 2 epochs (Adam lr 1e-3, batch 128) on
the whole training split. The tutorial trains 50; here one epoch of that model on 60,000
digits took 146 s (one BLAS thread, two other jobs running), so its 50 epochs for the two
models would take about 4 hours, and the run at 50 was stopped at 16 minutes.

Claims (PSNR against the clean test digits): the denoising conv AE's output beats the
plain conv AE's output for the same noisy input, and beats the noisy input itself. A
win over a baseline that learnt nothing would prove nothing, so a third claim checks
the baseline: on clean digits the plain conv AE beats the best input-blind answer, the
mean training digit given for every input (a collapsed AE, one blob for every digit,
scores about that).

    python -m examples.conv_denoising [--epochs 3] [--seed 0] [--out gallery] [--full]
"""
from minidl import backend, datasets, metrics, viz
from minidl.optimizers import Adam

from autoencoders import ConvAutoencoder
from examples._common import Result, out_path, parse_args, run_alone

TITLE = "Denoising convolutional autoencoder"


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=3, full_epochs=2)
    X, _ = datasets.load(args.dataset, "train")
    X_test, _ = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    X = X if args.full else X[:3000]
    architecture = "keras" if args.full else "lecture"
    fit = dict(epochs=args.epochs, batch_size=128 if args.full else 32, seed=args.seed,
               verbose=0)
    lr = 1e-3 if args.full else 3e-3

    denoising = ConvAutoencoder(architecture, noise_factor=0.5, seed=args.seed)
    plain = ConvAutoencoder(architecture, seed=args.seed)
    denoising.fit(X, optimizer=Adam(lr), **fit)
    plain.fit(X, optimizer=Adam(lr), **fit)

    clean = X_test[:500]
    noisy = backend.to_host(denoising.corruption(backend.to_device(clean)))  # the same noise
    restored = backend.to_host(denoising.reconstruct(noisy))
    copied = backend.to_host(plain.reconstruct(noisy))
    mean_digit = backend.to_host(X).mean(axis=0, keepdims=True) + 0 * clean
    plain_on_clean = backend.to_host(plain.reconstruct(clean))
    psnr_plain_clean = metrics.psnr(clean, plain_on_clean)
    psnr_mean_digit = metrics.psnr(clean, mean_digit)
    psnr = {"noisy input": metrics.psnr(clean, noisy),
            "denoising conv AE": metrics.psnr(clean, restored),
            "plain conv AE": metrics.psnr(clean, copied)}
    result = Result()
    result.add_figure(viz.rows([noisy, clean, restored, copied, plain_on_clean],
                               ["noisy", "clean", "denoising AE", "plain AE",
                                "plain AE, clean in"],
                               out_path(args, "conv_denoising"), shape=shape,
                               title="denoising conv AE (noise std 0.5, clipped)"),
                      f"Test digits with Gaussian noise of std 0.5, the clean digits, the "
                      f"denoising conv autoencoder's output ({psnr['denoising conv AE']:.1f} dB) "
                      f"and the plain conv autoencoder's output for the same noisy input "
                      f"({psnr['plain conv AE']:.1f} dB): it copies the noise into a grey "
                      f"smear. The last row shows that this baseline did learn: given the "
                      f"clean digits it reconstructs them ({psnr_plain_clean:.1f} dB; the "
                      f"mean digit for every input scores {psnr_mean_digit:.1f} dB).")
    result.metrics.update({f"PSNR vs clean (dB), {k}": v for k, v in psnr.items()})
    result.metrics["PSNR vs clean (dB), plain conv AE on clean input"] = psnr_plain_clean
    result.metrics["PSNR vs clean (dB), the mean training digit for every input"] = \
        psnr_mean_digit
    result.metrics.update({"epochs": args.epochs, "architecture": architecture})
    result.report()
    result.claim("the denoising conv AE restores noisy digits better than a plain conv AE "
                 "(PSNR, dB)", psnr["denoising conv AE"], ">", psnr["plain conv AE"])
    result.claim("the denoising conv AE's output is cleaner than its noisy input (PSNR, dB)",
                 psnr["denoising conv AE"], ">", psnr["noisy input"])
    result.claim("the baseline learnt: the plain conv AE reconstructs clean digits better "
                 "than the mean digit does (PSNR, dB)", psnr_plain_clean, ">", psnr_mean_digit)
    result.claim("the denoiser is no blob either: its restorations beat the mean digit "
                 "(PSNR, dB)", psnr["denoising conv AE"], ">", psnr_mean_digit)
    return result


if __name__ == "__main__":
    run_alone(main)
