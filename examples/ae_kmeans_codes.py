"""k-means on autoencoder codes vs on pixels vs on PCA.

Cluster the test digits into 10 groups three ways: on the raw 784 pixels, on 32 principal
components, and on the 32-unit codes of a 784-256-64-32 autoencoder. Matched to the true
labels (Hungarian matching), each clustering gets an accuracy, and an NMI. The figure shows
the autoencoder's cluster centres decoded back into images.

    python -m examples.ae_kmeans_codes [--epochs 8] [--seed 0] [--full]
"""
import numpy

from minidl import backend, datasets, metrics, viz
from minidl.optimizers import Adam

import autoencoders as ae
from examples._common import Result, out_path, parse_args

TITLE = "k-means on autoencoder codes, pixels and PCA"


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=8, full_epochs=50)
    epochs = args.epochs
    X, _ = datasets.load(args.dataset, "train")
    X_test, y_test = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    model = ae.DeepAutoencoder([X.shape[1], 256, 64, 32], activation="relu", code_activation=None,
                               seed=args.seed)
    model.fit(X, epochs=epochs, batch_size=64, optimizer=Adam(lr=2e-3), seed=args.seed,
              verbose=0)
    spaces = {"pixels": X_test,
              "PCA-32": metrics.PCA(32).fit(X).transform(X_test),
              "AE-32 codes": backend.to_host(model.encode(X_test))}
    result, centres = Result(), None
    n_init = 10 if args.full else 3
    for name, Z in spaces.items():
        c, labels = metrics.kmeans(Z, 10, n_init=n_init, seed=args.seed)
        result.metrics[f"k-means accuracy, {name}"] = metrics.clustering_accuracy(y_test, labels)
        result.metrics[f"k-means NMI, {name}"] = metrics.nmi(y_test, labels)
        centres = c
    images = backend.to_host(model.decode(numpy.asarray(centres, dtype=numpy.float32)))
    result.add_figure(viz.image_grid(images, out_path(args, "kmeans_ae_centres"), shape=shape,
                                     ncols=10, title="k-means centres in code space, decoded"),
                      "The 10 k-means centres found in the autoencoder's code space, decoded "
                      "back into images.")
    for key, value in result.metrics.items():
        print(f"{key}: {value:.3f}")
    return result


if __name__ == "__main__":
    main()
