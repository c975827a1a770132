"""Convolutional autoencoder: reconstructions of test digits and their 8x4x4 codes.

The lecture's conv AE (Chollet 2016, "Building autoencoders in Keras"): three
conv + max-pool blocks squeeze a 1x28x28 digit into 8 feature maps of 4x4
(128 numbers, a 6x compression); conv + upsampling blocks rebuild it. Trained with
BCE on the logits and Adam. The codes are drawn as the lecture does: the 8 maps of
4x4 side by side, a 4x32 strip per digit.

Why convolutions: the same 3x3 filters slide over the whole image, so the network
needs few weights (about 4,400 here) for what a dense layer would spend hundreds of
thousands on. The baseline is a dense autoencoder with about as many weights,
784-3-784 (about 5,500). For the record we also train a dense 784-128-784 autoencoder
with the conv AE's code size (128 numbers, 23x the conv AE's weights).

Claim: the conv AE reconstructs test digits better than a dense AE of comparable size
(test BCE per pixel).

    python -m examples.conv_autoencoder [--epochs 3] [--seed 0] [--out gallery] [--full]

Quick mode (Adam, lr 3e-3, batch 32) trains 3 epochs on 3,000 digits; --full trains
15 epochs (Adam lr 1e-3, batch 128) on the whole training split. The tutorial trains 50,
but here one epoch of the conv AE on 60,000 digits took 36 s (one BLAS thread, two other
jobs running), and the run at 50 did not finish in 15 minutes.
"""
import numpy

from minidl import backend, datasets, viz
from minidl.optimizers import Adam

import autoencoders as ae
from examples._common import Result, out_path, parse_args, run_alone

TITLE = "Convolutional autoencoder vs dense autoencoders"


def code_strips(Z):
    """(N, C, 4, 4) code maps -> (N, 4, 5C - 1): the C maps side by side, each pair parted
    by a one-pixel column at the codes' largest value (drawn white)."""
    n, c, h, w = Z.shape
    padded = numpy.concatenate([Z, numpy.full((n, c, h, 1), Z.max(), Z.dtype)], axis=3)
    return padded.transpose(0, 2, 1, 3).reshape(n, h, c * (w + 1))[:, :, :-1]


def n_weights(model):
    return int(sum(p.data.size for p in model.parameters()))


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=3, full_epochs=15)
    X, _ = datasets.load(args.dataset, "train")
    X_test, _ = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    X = X if args.full else X[:3000]
    fit = dict(epochs=args.epochs, batch_size=128 if args.full else 32, seed=args.seed,
               verbose=0)
    lr = 1e-3 if args.full else 3e-3

    models = {"conv AE (8x4x4 code)": ae.ConvAutoencoder("lecture", seed=args.seed),
              "dense 784-3-784 (as many weights)": ae.DeepAutoencoder(
                  [X.shape[1], 3], activation="relu", code_activation=None, seed=args.seed),
              "dense 784-128-784 (same code size)": ae.DeepAutoencoder(
                  [X.shape[1], 128], activation="relu", seed=args.seed)}
    result, bce, recon = Result(), {}, [X_test[:10]]
    for name, model in models.items():
        model.fit(X, optimizer=Adam(lr), **fit)
        bce[name] = model.evaluate(X_test)["recon"]
        result.metrics[f"test BCE per pixel, {name}"] = bce[name]
        result.metrics[f"weights, {name}"] = n_weights(model)
        recon.append(backend.to_host(model.reconstruct(X_test[:10])).reshape(10, -1))
    conv, small = list(models)[:2]
    result.add_figure(viz.rows(recon, ["test digit", "conv AE", "dense, same weights",
                                       "dense, same code"],
                               out_path(args, "conv_ae_recon"), shape=shape,
                               title="conv AE vs dense AEs"),
                      f"Test digits and their reconstructions by the conv autoencoder "
                      f"({n_weights(models[conv])} weights, code 8x4x4), a dense one with about "
                      f"as many weights, and a dense one with the same code size.")
    codes = backend.to_host(models[conv].encode(X_test[:500]))          # (500, 8, 4, 4)
    # a channel is dead when at no position does its value vary across the digits
    dead = numpy.flatnonzero(codes.std(axis=0).max(axis=(1, 2)) <= 1e-2)
    result.metrics["conv AE: dead code channels (the same map for every digit)"] = len(dead)
    strips = code_strips(codes[:10])
    result.add_figure(viz.image_grid(strips.reshape(len(strips), -1),
                                     out_path(args, "conv_ae_codes"), shape=strips.shape[1:],
                                     ncols=2, title="codes: 8 maps of 4x4, side by side"),
                      "The 8x4x4 code of each test digit above, drawn as a strip of 8 maps "
                      "(the lecture's 'latent maps'), parted by white lines. "
                      + (f"Dead channels, the same map for every digit: "
                         f"{', '.join(str(int(d) + 1) for d in dead)} of 8 (counting from the "
                         f"left)." if len(dead) else "No channel is dead."))
    result.report()
    result.claim("the conv AE beats a dense AE with about as many weights (test BCE per "
                 "pixel)", bce[conv], "<", bce[small])
    return result


if __name__ == "__main__":
    run_alone(main)
