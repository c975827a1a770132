"""A linear autoencoder learns the PCA subspace (Baldi & Hornik 1989).

784-k-784 without non-linearity, trained on squared error, reaches the span of the top-k
principal axes, though not the axes themselves (any invertible mix of them reconstructs
equally well). We compare the decoder's k directions with PCA's by principal angles
(0 degrees: the same subspace; a random subspace is at nearly 90) and show both
reconstructions. The largest angle closes last: it belongs to the direction whose
variance is closest to that of the first one left out, and gradient descent tells
those two apart slowly.

Claims: the trained linear AE's reconstruction error is within 2% of PCA's, the optimum
for a linear map (test MSE), and its subspace has moved onto PCA's: mean principal
angle against that of the same AE before training.

    python -m examples.ae_linear_pca [--epochs 40] [--seed 0] [--full]
"""
import numpy

from minidl import backend, datasets, metrics, viz
from minidl.optimizers import Adam

import autoencoders as ae
from examples._common import Result, out_path, parse_args, run_alone

TITLE = "Linear autoencoder vs PCA"
K = 8


def principal_angles_deg(A, B):
    """Angles between the column spans of A and B (D, k), in degrees, smallest first."""
    qa, _ = numpy.linalg.qr(A)
    qb, _ = numpy.linalg.qr(B)
    cosines = numpy.clip(numpy.linalg.svd(qa.T @ qb, compute_uv=False), -1.0, 1.0)
    return numpy.degrees(numpy.arccos(cosines))


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=40, full_epochs=200)
    X, _ = datasets.load(args.dataset, "train")
    X_test, _ = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    model = ae.LinearAutoencoder([X.shape[1], K], seed=args.seed)
    pca = metrics.PCA(K).fit(X)
    before = principal_angles_deg(backend.to_host(model.decoder[0].W.data).T,
                                  pca.components_.T)
    model.fit(X, epochs=args.epochs, batch_size=256, optimizer=Adam(lr=1e-2), seed=args.seed,
              verbose=0)
    angles = principal_angles_deg(backend.to_host(model.decoder[0].W.data).T, pca.components_.T)
    pca_recon = pca.inverse_transform(pca.transform(X_test))
    ae_recon = backend.to_host(model.reconstruct(X_test))
    result = Result()
    result.metrics.update({
        "largest principal angle (deg)": float(angles.max()),
        "mean principal angle (deg)": float(angles.mean()),
        "mean principal angle before training (deg)": float(before.mean()),
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
    result.report()
    m = result.metrics
    result.claim("the linear AE reaches PCA's reconstruction error: its test MSE vs 1.02 x "
                 "PCA's", m["test MSE, linear AE"], "<=", 1.02 * m["test MSE, PCA"])
    result.claim("its subspace has moved onto PCA's: mean principal angle (deg), vs before "
                 "training", m["mean principal angle (deg)"], "<",
                 m["mean principal angle before training (deg)"])
    return result


if __name__ == "__main__":
    run_alone(main)
