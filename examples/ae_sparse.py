"""Sparse autoencoders: a KL penalty to a target activation, and an L1 activity penalty.

1. UFLDL's sparse autoencoder, 784-196 sigmoid code with ρ = 0.1, β = 3: the filters
   (columns of the encoder's W) become localised pen strokes.
2. The Keras tutorial's L1 version: a 32-unit ReLU code with activity_regularizer
   l1(10e-5) (= 1e-4), next to the same model without it. The tutorial reports a mean
   code activation of 3.33 with the penalty vs 7.30 without (50 epochs, full MNIST).

    python -m examples.ae_sparse [--epochs 8] [--seed 0] [--full]
"""
from minidl import backend, datasets, viz
from minidl.optimizers import Adam

import autoencoders as ae
from examples._common import Result, out_path, parse_args

TITLE = "Sparse autoencoders: KL and L1"


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=8, full_epochs=50)
    epochs = args.epochs
    X, _ = datasets.load(args.dataset, "train")
    X_test, _ = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    fit = dict(epochs=epochs, batch_size=64, seed=args.seed, verbose=0)
    result = Result()

    kl = ae.SparseAutoencoder([X.shape[1], 196], rho=0.1, beta=3.0, seed=args.seed)
    kl.fit(X, optimizer=Adam(lr=2e-3), **fit)
    rho_hat = backend.to_host(kl.mean_activation(X_test))
    result.metrics["KL sparse AE: mean activation (target 0.1)"] = float(rho_hat.mean())
    result.add_figure(viz.filters(backend.to_host(kl.denses[0].W.data),
                                  out_path(args, "sparse_kl_filters"), shape=shape, n=100,
                                  title="sparse AE filters (ρ = 0.1, β = 3)"),
                      "The first 100 of 196 encoder filters of the KL-sparse autoencoder.")

    for name, l1 in (("L1 1e-4", 1e-4), ("plain", None)):
        model = ae.SparseAutoencoder([X.shape[1], 32], beta=0.0, l1=l1, seed=args.seed)
        model.fit(X, optimizer=Adam(lr=2e-3), **fit)
        mean = float(backend.to_host(model.encode(X_test)).mean())
        result.metrics[f"ReLU-32 AE, {name}: mean code activation"] = mean
        result.metrics[f"ReLU-32 AE, {name}: test BCE per pixel"] = model.evaluate(X_test)["recon"]
    for key, value in result.metrics.items():
        print(f"{key}: {value:.4f}")
    return result


if __name__ == "__main__":
    main()
