"""Two-dimensional codes: a nonlinear autoencoder vs PCA, coloured by digit.

784-256-64-2 with ReLU hidden layers and a linear 2-unit code, against the projection on
the first two principal axes. The autoencoder's map separates the digits better; a
linear probe on the 2-D codes puts a number on it.

Claim: a linear classifier on the autoencoder's 2-D codes beats one on PCA's 2-D codes.

    python -m examples.ae_codes_2d [--epochs 10] [--seed 0] [--full]
"""
from minidl import backend, datasets, metrics, viz
from minidl.optimizers import Adam

import autoencoders as ae
from examples._common import Result, out_path, parse_args, run_alone

TITLE = "2-D autoencoder codes vs 2-D PCA"


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=10, full_epochs=50)
    epochs = args.epochs
    X, y = datasets.load(args.dataset, "train")
    X_test, y_test = datasets.load(args.dataset, "test")
    model = ae.DeepAutoencoder([X.shape[1], 256, 64, 2], activation="relu", code_activation=None,
                               seed=args.seed)
    model.fit(X, epochs=epochs, batch_size=64, optimizer=Adam(lr=2e-3), seed=args.seed,
              verbose=0)
    pca = metrics.PCA(2).fit(X)
    codes = {"autoencoder": (backend.to_host(model.encode(X)),
                             backend.to_host(model.encode(X_test))),
             "PCA": (pca.transform(X), pca.transform(X_test))}
    result, acc = Result(), {}
    for name, (Z, Z_test) in codes.items():
        slug = "ae" if name == "autoencoder" else "pca"
        acc[name] = metrics.linear_probe(Z, y, Z_test, y_test, seed=args.seed)
        result.add_figure(viz.codes_2d(Z_test, y_test, out_path(args, f"codes_2d_{slug}"),
                                       title=f"{name}: 2-D codes of the test digits "
                                             f"(linear probe {acc[name]:.2f})"),
                          f"Test digits mapped to 2-D by the {name}, coloured by their label.")
        result.metrics[f"linear-probe test accuracy on 2-D {name} codes"] = acc[name]
    result.report()
    result.claim("a linear probe on the 2-D autoencoder codes beats one on 2-D PCA "
                 "(test accuracy)", acc["autoencoder"], ">", acc["PCA"])
    return result


if __name__ == "__main__":
    run_alone(main)
