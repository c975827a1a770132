"""Denoising convolutional autoencoder: noisy / clean / restored digits.

The Keras tutorials' denoising conv AE: every training digit is corrupted with
Gaussian noise of std 0.5 and clipped back to [0, 1],
    x̃ = clip(x + 0.5 ε, 0, 1),  ε ~ N(0, I),
and the network learns to output the clean x (Vincent et al. 2008).

Quick mode (Adam, lr 3e-3, batch 32) trains the lecture's small conv AE (code 8x4x4)
for 3 epochs on 3,000 digits. --full trains the keras.io tutorial's model -- two
conv32 + max-pool blocks down to 32x7x7, two stride-2 transposed convolutions back
up, a 3x3 conv to one channel of logits -- for 50 epochs (Adam lr 1e-3, batch 128)
on the whole training split.

    python -m examples.conv_denoising [--epochs 3] [--seed 0] [--out gallery] [--full]
"""
from minidl import backend, datasets, metrics, viz
from minidl.optimizers import Adam

from autoencoders import ConvAutoencoder
from examples._common import Result, out_path, parse_args

TITLE = "Denoising convolutional autoencoder"


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=3, full_epochs=50)
    X, _ = datasets.load(args.dataset, "train")
    X_test, _ = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    X = X if args.full else X[:3000]

    architecture = "keras" if args.full else "lecture"
    model = ConvAutoencoder(architecture, noise_factor=0.5, seed=args.seed)
    model.fit(X, epochs=args.epochs, batch_size=128 if args.full else 32,
              optimizer=Adam(1e-3 if args.full else 3e-3), seed=args.seed, verbose=0)

    clean = X_test[:500]
    noisy = backend.to_host(model.corruption(backend.to_device(clean)))  # the same noise
    restored = backend.to_host(model.reconstruct(noisy))
    result = Result()
    result.add_figure(viz.rows([noisy, clean, restored], ["noisy", "clean", "restored"],
                               out_path(args, "conv_denoising"), shape=shape,
                               title="denoising conv AE (noise std 0.5, clipped)"),
                      "Test digits with Gaussian noise of std 0.5 (top), the clean digits "
                      "(middle) and the denoising conv autoencoder's output (bottom).")
    result.metrics.update({
        "PSNR noisy vs clean (dB)": metrics.psnr(noisy, clean),
        "PSNR restored vs clean (dB)": metrics.psnr(restored, clean),
        "epochs": args.epochs, "architecture": architecture})
    return result


if __name__ == "__main__":
    main()
