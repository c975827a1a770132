"""Convolutional autoencoder: reconstructions of test digits and their 8x4x4 codes.

The lecture's conv AE (Chollet 2016, "Building autoencoders in Keras"): three
conv + max-pool blocks squeeze a 1x28x28 digit into 8 feature maps of 4x4
(128 numbers, a 6x compression); conv + upsampling blocks rebuild it. Trained with
BCE on the logits and Adam. The codes are drawn as the lecture does: the 8 maps of
4x4 side by side, a 4x32 strip per digit.

    python -m examples.conv_autoencoder [--epochs 3] [--seed 0] [--out gallery] [--full]

Quick mode (Adam, lr 3e-3, batch 32) trains 3 epochs on 3,000 digits; --full trains
50 epochs (the tutorial's setting, Adam lr 1e-3, batch 128) on the whole training split.
"""
from minidl import backend, datasets, viz
from minidl.optimizers import Adam

from autoencoders import ConvAutoencoder
from examples._common import Result, out_path, parse_args

TITLE = "Convolutional autoencoder: reconstructions and 8x4x4 codes"


def code_strips(Z):
    """(N, 8, 4, 4) code maps -> (N, 4, 32): the 8 maps side by side."""
    n, c, h, w = Z.shape
    return Z.transpose(0, 2, 1, 3).reshape(n, h, c * w)


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=3, full_epochs=50)
    X, _ = datasets.load(args.dataset, "train")
    X_test, _ = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    X = X if args.full else X[:3000]

    model = ConvAutoencoder("lecture", seed=args.seed)
    history = model.fit(X, epochs=args.epochs, batch_size=128 if args.full else 32,
                        optimizer=Adam(1e-3 if args.full else 3e-3), seed=args.seed, verbose=0,
                        validation_data=X_test[:500])
    result = Result()
    originals = X_test[:10]
    recon = backend.to_host(model.reconstruct(originals))
    result.add_figure(viz.reconstructions(originals, recon, out_path(args, "conv_ae_recon"),
                                          shape=shape, title="conv AE (code 8x4x4)"),
                      "Test digits (top) and the conv autoencoder's reconstructions (bottom) "
                      "from a code of 8 maps of 4x4.")
    strips = code_strips(backend.to_host(model.encode(originals)))
    result.add_figure(viz.image_grid(strips.reshape(len(strips), -1),
                                     out_path(args, "conv_ae_codes"), shape=strips.shape[1:],
                                     ncols=2,
                                     title="codes: 8 maps of 4x4, side by side"),
                      "The 8x4x4 code of each test digit above, drawn as a 4x32 strip "
                      "(the lecture's 'latent maps').")
    result.add_figure(viz.curves({k: v for k, v in history.history.items() if "loss" in k},
                                 out_path(args, "conv_ae_curves"), ylabel="BCE"),
                      "Training and validation BCE per epoch.")
    result.metrics.update({"test BCE (500 digits)": history.history["val_loss"][-1],
                           "code size": int(strips[0].size), "epochs": args.epochs})
    return result


if __name__ == "__main__":
    main()
