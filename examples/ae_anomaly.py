"""Anomaly detection by reconstruction error: a digit the autoencoder never saw.

Train a 784-128-32 autoencoder on every digit except one (``HELD_OUT`` = 7),
then score each test digit by its mean squared reconstruction error. The held-out class
reconstructs worse, so the error ranks it as anomalous; AUROC measures how well
(0.5 = chance, 1 = perfect). PCA's reconstruction error (32 components) is the baseline.

    python -m examples.ae_anomaly [--epochs 10] [--seed 0] [--full]
"""
import numpy

from minidl import backend, datasets, metrics, viz
from minidl.optimizers import Adam

import autoencoders as ae
from examples._common import Result, out_path, parse_args

TITLE = "Anomaly detection with an autoencoder"
HELD_OUT = 7


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=10, full_epochs=50)
    epochs = args.epochs
    X, y = datasets.load(args.dataset, "train")
    X_test, y_test = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    normal = X[y != HELD_OUT]
    model = ae.DeepAutoencoder([X.shape[1], 128, 32], activation="relu", seed=args.seed)
    model.fit(normal, epochs=epochs, batch_size=64, optimizer=Adam(lr=2e-3), seed=args.seed,
              verbose=0)
    anomalous = y_test == HELD_OUT
    score = backend.to_host(model.reconstruction_error(X_test))
    pca = metrics.PCA(32).fit(normal)
    pca_score = ((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2).mean(axis=1)
    result = Result()
    result.metrics[f"AUROC, autoencoder (digit {HELD_OUT} held out)"] = metrics.auroc(score,
                                                                                      anomalous)
    result.metrics[f"AUROC, PCA-32 (digit {HELD_OUT} held out)"] = metrics.auroc(pca_score,
                                                                                anomalous)
    worst = numpy.argsort(score)[::-1][:20]
    result.add_figure(viz.image_grid(X_test[worst], out_path(args, "anomaly_worst"), shape=shape,
                                     title=f"highest reconstruction error (no {HELD_OUT} in "
                                           f"training)"),
                      f"The 20 test digits the autoencoder reconstructs worst, trained without "
                      f"any {HELD_OUT}: {int(anomalous[worst].sum())} of them are {HELD_OUT}s.")
    for key, value in result.metrics.items():
        print(f"{key}: {value:.3f}")
    return result


if __name__ == "__main__":
    main()
