"""k-means on autoencoder codes vs on pixels vs on PCA.

Cluster the test digits into 10 groups: on the raw 784 pixels, on 10 principal
components, and on the 10-unit codes of a 784-256-64-10 autoencoder (ReLU hidden layers,
linear code). Matched to the true labels (Hungarian matching), each clustering gets an
accuracy, and an NMI. The codes are compared by direction (each code scaled to unit
length, "spherical" k-means): a code's length mostly says how much ink a digit has, its
direction which digit it is. Scaling the pixels the same way does not help them (we
report it too), so the gain is the autoencoder's, not the normalisation's.

This is why the lecture clusters codes rather than pixels (and why DEC, Xie et al. 2016,
starts from an autoencoder's codes: 0.81 against 0.53 for pixels on full MNIST, after
long training). In our quick setting that gain over pixels is within the seed spread:
over seeds 0-4 k-means on pixels scored 0.51-0.63 (one k-means run on 784 dimensions
lands in a better or worse local optimum) and on the codes 0.52-0.61, so the codes lost
to the pixels at seeds 1 and 3. What holds at every seed is the comparison at equal
size: ten numbers learned by the autoencoder cluster by digit better than the ten best
linear ones, PCA's (NMI 0.53-0.56 against 0.47-0.49 over seeds 0-4). NMI rather than
the matched accuracy: it scores the whole contingency table, not one matching, and
varies less from seed to seed.

Claim: k-means on the autoencoder's 10 codes matches the digit classes better than k-means
on 10 principal components (NMI). The pixels' scores are reported beside them.

    python -m examples.ae_kmeans_codes [--epochs 15] [--seed 0] [--full]
"""
import numpy

from minidl import backend, datasets, metrics, viz
from minidl.optimizers import Adam

import autoencoders as ae
from examples._common import Result, out_path, parse_args, run_alone

TITLE = "k-means on autoencoder codes, pixels and PCA"
CODE = 10


def unit_length(Z):
    return Z / numpy.maximum(numpy.linalg.norm(Z, axis=1, keepdims=True), 1e-12)


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=15, full_epochs=50)
    X, _ = datasets.load(args.dataset, "train")
    X_test, y_test = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    model = ae.DeepAutoencoder([X.shape[1], 256, 64, CODE], activation="relu",
                               code_activation=None, seed=args.seed)
    model.fit(X, epochs=args.epochs, batch_size=64, optimizer=Adam(lr=2e-3), seed=args.seed,
              verbose=0)
    codes = backend.to_host(model.encode(X_test))
    spaces = {"pixels": X_test,
              "pixels scaled to unit length": unit_length(X_test),
              f"PCA-{CODE}": metrics.PCA(CODE).fit(X).transform(X_test),
              f"AE-{CODE} codes scaled to unit length": unit_length(codes)}
    result, acc, nmi, labels = Result(), {}, {}, {}
    for name, Z in spaces.items():
        _, labels[name] = metrics.kmeans(Z, 10, n_init=5, seed=args.seed)
        acc[name] = metrics.clustering_accuracy(y_test, labels[name])
        nmi[name] = metrics.nmi(y_test, labels[name])
        result.metrics[f"k-means accuracy, {name}"] = acc[name]
        result.metrics[f"k-means NMI, {name}"] = nmi[name]
    ours = f"AE-{CODE} codes scaled to unit length"
    centres = numpy.stack([codes[labels[ours] == j].mean(axis=0) for j in range(10)
                           if numpy.any(labels[ours] == j)])
    images = backend.to_host(model.decode(centres.astype(numpy.float32)))
    result.add_figure(viz.image_grid(images, out_path(args, "kmeans_ae_centres"), shape=shape,
                                     ncols=10, title="k-means clusters in code space, decoded"),
                      f"The mean code of each of the 10 clusters found in the autoencoder's code "
                      f"space, decoded back into an image (NMI {nmi[ours]:.2f}, PCA-{CODE} "
                      f"{nmi[f'PCA-{CODE}']:.2f}, pixels {nmi['pixels']:.2f}; clustering "
                      f"accuracy {acc[ours]:.2f}, PCA-{CODE} {acc[f'PCA-{CODE}']:.2f}, pixels "
                      f"{acc['pixels']:.2f}).")
    result.report()
    result.claim(f"k-means on the autoencoder's {CODE} codes beats k-means on {CODE} principal "
                 f"components (NMI with the digit classes)", nmi[ours], ">", nmi[f"PCA-{CODE}"])
    return result


if __name__ == "__main__":
    run_alone(main)
