"""k-sparse autoencoders (Makhzani & Frey 2013): filters for several k.

A linear code of which only the k largest units per digit are kept (and back-propagated
through), tied weights, squared error; k is lowered from 100 to its target over the first
half of training. Small k gives local, stroke-like filters; large k gives global,
PCA-like ones (the paper's Figure 1). A linear probe on the alpha*k-sparse features
measures how useful they are (the paper: 1.35% error with 1000 units, k = 25, full MNIST).

    python -m examples.ae_ksparse [--epochs 10] [--seed 0] [--full]
"""
from minidl import backend, datasets, metrics, viz
from minidl.optimizers import Adam

import autoencoders as ae
from examples._common import Result, out_path, parse_args

TITLE = "k-sparse autoencoder filters"


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=10, full_epochs=100)
    epochs = args.epochs
    n_hidden = 1000 if args.full else 256
    X, y = datasets.load(args.dataset, "train")
    X_test, y_test = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    result = Result()
    for k in (10, 25, 70):
        model = ae.KSparseAutoencoder([X.shape[1], n_hidden], k=k, alpha=3, seed=args.seed)
        model.fit(X, epochs=epochs, batch_size=64, optimizer=Adam(lr=1e-3), seed=args.seed,
                  verbose=0)
        result.add_figure(viz.filters(backend.to_host(model.denses[0].W.data),
                                      out_path(args, f"ksparse_filters_k{k}"), shape=shape, n=50,
                                      title=f"k = {k} of {n_hidden}"),
                          f"50 filters of a {n_hidden}-unit k-sparse autoencoder with k = {k}.")
        result.metrics[f"k={k}: test MSE per pixel"] = model.evaluate(X_test)["recon"]
        if k == 25:
            acc = metrics.linear_probe(backend.to_host(model.encode(X)), y,
                                       backend.to_host(model.encode(X_test)), y_test,
                                       seed=args.seed)
            result.metrics["k=25: linear-probe test error on alpha*k features"] = 1.0 - acc
    for key, value in result.metrics.items():
        print(f"{key}: {value:.4f}")
    return result


if __name__ == "__main__":
    main()
