"""A deep autoencoder, 784-128-64-32-64-128-784 (the Keras tutorial's deep model).

ReLU everywhere but the output, which gives logits for the BCE loss; Adam. The figure
shows the training and validation BCE per pixel by epoch, and test reconstructions.

    python -m examples.ae_deep [--epochs 8] [--seed 0] [--full]
"""
from minidl import backend, datasets, viz
from minidl.optimizers import Adam

import autoencoders as ae
from examples._common import Result, out_path, parse_args

TITLE = "Deep autoencoder 784-128-64-32"


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=8, full_epochs=100)
    epochs = args.epochs
    X, _ = datasets.load(args.dataset, "train")
    X_test, _ = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    model = ae.DeepAutoencoder([X.shape[1], 128, 64, 32], activation="relu", seed=args.seed)
    history = model.fit(X, epochs=epochs, batch_size=256 if args.full else 64,
                        optimizer=Adam(lr=1e-3 if args.full else 2e-3),
                        validation_data=X_test, seed=args.seed, verbose=0)
    result = Result()
    curves = {"train": history.history["recon"], "test": history.history["val_recon"]}
    result.add_figure(viz.curves(curves, out_path(args, "deep_curves"), ylabel="BCE per pixel",
                                 title="784-128-64-32 autoencoder"),
                      "Reconstruction BCE per pixel on the training and test sets by epoch.")
    recon = backend.to_host(model.reconstruct(X_test[:10]))
    result.add_figure(viz.reconstructions(X_test[:10], recon, out_path(args, "deep_recon"),
                                          shape=shape, title="deep autoencoder"),
                      "Test digits (top) and their reconstructions from a 32-unit code.")
    result.metrics["test BCE per pixel"] = model.evaluate(X_test)["recon"]
    print(f"test BCE per pixel: {result.metrics['test BCE per pixel']:.4f}")
    return result


if __name__ == "__main__":
    main()
