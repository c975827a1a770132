"""How narrow can the bottleneck be? 784-k-784 autoencoders with k = 32, 16 and 8.

The lecture's three figures: the same autoencoder 784-128-k-128-784 (ReLU hidden
layers, a linear code, logits out, BCE with Adam) trained with a 32-, 16- and 8-unit
code; test digits on top, reconstructions below. The narrower the code, the blurrier
and more "average" the digits. (A ReLU code of 8 units trains poorly in a few epochs:
units that die take their share of the code with them; the linear code avoids that.)

Claims: the test reconstruction error grows as the code narrows, 32 -> 16 -> 8.

    python -m examples.ae_bottleneck [--epochs 8] [--seed 0] [--full]
"""
from minidl import backend, datasets, viz
from minidl.optimizers import Adam

import autoencoders as ae
from examples._common import Result, out_path, parse_args, run_alone

TITLE = "Autoencoder bottlenecks: 32, 16 and 8 code units"
CODES = (32, 16, 8)


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=8, full_epochs=50)
    epochs = args.epochs
    optimizer = (lambda: Adam(lr=1e-3)) if args.full else (lambda: Adam(lr=2e-3))
    batch_size = 256 if args.full else 64
    X, _ = datasets.load(args.dataset, "train")
    X_test, _ = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    result, bce = Result(), {}
    for k in CODES:
        model = ae.DeepAutoencoder([X.shape[1], 128, k], activation="relu",
                                   code_activation=None, seed=args.seed)
        model.fit(X, epochs=epochs, batch_size=batch_size, optimizer=optimizer(),
                  seed=args.seed, verbose=0)
        bce[k] = model.evaluate(X_test)["recon"]
        result.metrics[f"test BCE per pixel, code {k}"] = bce[k]
        recon = backend.to_host(model.reconstruct(X_test[:10]))
        path = viz.reconstructions(X_test[:10], recon, out_path(args, f"bottleneck_{k}"),
                                   shape=shape, title=f"784-128-{k}-128-784, test BCE {bce[k]:.3f}")
        result.add_figure(path, f"Test digits (top) and their reconstructions through a "
                                f"{k}-unit code (bottom) after {epochs} epochs.")
    result.report()
    for wide, narrow in zip(CODES[:-1], CODES[1:]):
        result.claim(f"a {narrow}-unit code reconstructs worse than a {wide}-unit one "
                     f"(test BCE per pixel)", bce[narrow], ">", bce[wide])
    return result


if __name__ == "__main__":
    run_alone(main)
