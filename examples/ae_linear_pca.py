"""A linear autoencoder learns the PCA subspace (Baldi & Hornik 1989).

784-k-784 without non-linearity, trained on squared error, reaches the span of the top-k
principal axes, though not the axes themselves (any invertible mix of them reconstructs
equally well). We compare the decoder's k directions with PCA's by principal angles
(0 degrees: the same subspace) and show both reconstructions.

    python -m examples.ae_linear_pca [--epochs 100] [--seed 0] [--full]
"""
import numpy

from minidl import backend, datasets, metrics, viz
from minidl.optimizers import Adam

import autoencoders as ae
from examples._common import Result, out_path, parse_args

TITLE = "Linear autoencoder vs PCA"
K = 8


def principal_angles_deg(A, B):
    """Angles between the column spans of A and B (D, k), in degrees, smallest first."""
    qa, _ = numpy.linalg.qr(A)
    qb, _ = numpy.linalg.qr(B)
    cosines = numpy.clip(numpy.linalg.svd(qa.T @ qb, compute_uv=False), -1.0, 1.0)
    return numpy.degrees(numpy.arccos(cosines))


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=100, full_epochs=400)
    epochs = args.epochs
    X, _ = datasets.load(args.dataset, "train")
    X_test, _ = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    model = ae.LinearAutoencoder([X.shape[1], K], seed=args.seed)
    model.fit(X, epochs=epochs, batch_size=256, optimizer=Adam(lr=5e-3), seed=args.seed,
              verbose=0)
    pca = metrics.PCA(K).fit(X)
    angles = principal_angles_deg(backend.to_host(model.decoder[0].W.data).T, pca.components_.T)
    pca_recon = pca.inverse_transform(pca.transform(X_test))
    ae_recon = backend.to_host(model.reconstruct(X_test))
    result = Result()
    result.metrics.update({
        "largest principal angle (deg)": float(angles.max()),
        "mean principal angle (deg)": float(angles.mean()),
        "test MSE, PCA": float(((pca_recon - X_test) ** 2).mean()),
        "test MSE, linear AE": float(((ae_recon - X_test) ** 2).mean()),
    })
    result.add_figure(viz.rows([X_test[:10], pca_recon[:10].clip(0, 1), ae_recon[:10].clip(0, 1)],
                               ["original", f"PCA, {K}", f"linear AE, {K}"],
                               out_path(args, "linear_vs_pca"), shape=shape,
                               title="linear autoencoder vs PCA"),
                      f"Test digits, their projection on the top {K} principal axes, and the "
                      f"linear autoencoder's reconstruction: nearly identical images.")
    result.add_figure(viz.filters(backend.to_host(model.decoder[0].W.data).T,
                                  out_path(args, "linear_ae_directions"), shape=shape, n=K,
                                  ncols=K, title="linear AE decoder directions"),
                      "The decoder's directions: mixtures of the eigen-digits, not the "
                      "eigen-digits themselves.")
    for key, value in result.metrics.items():
        print(f"{key}: {value:.4f}")
    return result


if __name__ == "__main__":
    main()
