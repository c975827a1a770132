"""K-means and PCA on the 8x8 digits: the lecture's warm-up before autoencoders.

PCA is the linear autoencoder's closed form: project the centred images onto the
top principal axes (the "eigen-digits") and map back. K-means summarises the data
by k prototype images; matched to the true classes (Hungarian matching), its
clusters give an accuracy without ever seeing a label.

    python -m examples.kmeans_pca [--dataset digits] [--seed 0] [--out gallery] [--full]

--epochs is not used (k-means runs to convergence); --full uses more restarts and
PCA components.

Claims, each against a baseline computed here: k-means finds the digit classes without
labels far better than a random partition into 10 clusters of the same sizes (accuracy
and NMI), and PCA's reconstruction from its top components beats the reconstruction
from as many random orthonormal directions (PSNR).
"""
import numpy

from minidl import datasets, metrics, viz

from examples._common import Result, out_path, parse_args, run_alone

TITLE = "K-means and PCA on handwritten digits"


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=1, dataset="digits")
    X, y = datasets.load(args.dataset, "train")
    shape = datasets.image_shape(args.dataset)
    n_init, n_components = (20, 40) if args.full else (5, 10)
    result = Result()

    # PCA: 2-D map of the data, the principal axes as images, reconstructions.
    pca2 = metrics.PCA(2).fit(X)
    result.add_figure(viz.codes_2d(pca2.transform(X), y, out_path(args, "pca_2d"),
                                   title=f"{args.dataset}: first two principal components"),
                      "Every training image projected on the first two principal axes, "
                      "coloured by its true digit.")
    pca = metrics.PCA(n_components).fit(X)
    result.add_figure(viz.filters(pca.components_.T, out_path(args, "pca_components"),
                                  shape=shape, n=n_components, title="principal axes"),
                      f"The top {n_components} principal axes drawn as images "
                      f"(the 'eigen-digits'), largest variance first.")
    recon = pca.inverse_transform(pca.transform(X[:10]))
    result.add_figure(viz.reconstructions(X[:10], recon.clip(0, 1), out_path(args, "pca_recon"),
                                          shape=shape,
                                          title=f"PCA with {n_components} components"),
                      f"Originals (top) and their reconstructions from {n_components} "
                      f"principal components (bottom).")

    # K-means with k = 10 on the raw pixels.
    centers, labels = metrics.kmeans(X, 10, n_init=n_init, seed=args.seed)
    majority = [numpy.bincount(y[labels == j], minlength=10).argmax() for j in range(10)]
    result.add_figure(viz.image_grid(centers[numpy.argsort(majority, kind="stable")],
                                     out_path(args, "kmeans_centres"), shape=shape, ncols=10,
                                     title="k-means centres (k = 10)"),
                      "The 10 k-means cluster centres, each the mean image of its cluster, "
                      "ordered by the most common digit in the cluster.")

    shuffled = numpy.random.default_rng(args.seed).permutation(labels)  # same cluster sizes
    Q, _ = numpy.linalg.qr(numpy.random.default_rng(args.seed).standard_normal(
        (X.shape[1], n_components)))
    centred = X - X.mean(axis=0)
    random_recon = centred @ Q @ Q.T + X.mean(axis=0)
    result.metrics.update({
        "k-means clustering accuracy": metrics.clustering_accuracy(y, labels),
        "k-means NMI": metrics.nmi(y, labels),
        "random partition: clustering accuracy": metrics.clustering_accuracy(y, shuffled),
        "random partition: NMI": metrics.nmi(y, shuffled),
        "PCA variance explained, 2 components": float(pca2.explained_variance_ratio_.sum()),
        f"PCA variance explained, {n_components} components":
            float(pca.explained_variance_ratio_.sum()),
        f"PCA reconstruction PSNR (dB), {n_components} components":
            metrics.psnr(X, pca.inverse_transform(pca.transform(X))),
        f"random {n_components}-D projection: reconstruction PSNR (dB)":
            metrics.psnr(X, random_recon),
    })
    result.report()
    m = result.metrics
    result.claim("k-means matches the digit classes better than a random partition "
                 "(clustering accuracy)", m["k-means clustering accuracy"], ">",
                 m["random partition: clustering accuracy"])
    result.claim("k-means clusters share information with the labels, a random partition "
                 "does not (NMI)", m["k-means NMI"], ">", m["random partition: NMI"])
    result.claim(f"the top {n_components} principal axes reconstruct better than "
                 f"{n_components} random directions (PSNR, dB)",
                 m[f"PCA reconstruction PSNR (dB), {n_components} components"], ">",
                 m[f"random {n_components}-D projection: reconstruction PSNR (dB)"])
    return result


if __name__ == "__main__":
    run_alone(main)
