"""A deep autoencoder's 2-D codes vs 2-D PCA, coloured by digit.

The figure 3 of Hinton & Salakhutdinov (2006).

A deep belief net 784-256-64-2 (linear top units) is pretrained greedily with CD-1,
unrolled into a 784-256-64-2-64-256-784 autoencoder (decoder = transposed weights,
untied) and fine-tuned with backprop on the cross-entropy. Its 2-D codes of the test
digits are plotted next to the first two principal components: the deep codes separate
the classes better than the linear projection. We measure "separate" with the
accuracy of a 5-nearest-neighbour classifier on the 2-D codes (fitted on the training
codes, scored on the test codes): the better the classes are separated in the plane,
the more often a test digit's neighbours share its label.

    python -m examples.dbn_codes_2d [--epochs 5] [--seed 0] [--out gallery] [--full]

--full: the paper's 784-1000-500-250-2 on full MNIST with 5 pretraining epochs per RBM
and 5 fine-tuning epochs. With the paper-like 20 + 50 the run had not finished after 16
minutes on one BLAS thread of the shared 2-core machine (2026-12-03; another job on the
other core) and was stopped.
"""
import numpy

from minidl import backend, datasets, metrics, viz
from minidl.optimizers import Adam
from autoencoders import Autoencoder
from rbm import DBN

from examples._common import Result, out_path, parse_args, run_alone

TITLE = "Deep autoencoder (DBN-pretrained) 2-D codes vs PCA"


def knn_predict(Z_train, y_train, Z_test, k=5):
    """Labels of a k-nearest-neighbour vote in the code space (Euclidean)."""
    d = (Z_test ** 2).sum(1)[:, None] - 2 * Z_test @ Z_train.T + (Z_train ** 2).sum(1)
    # d: squared distances, (N_test, N_train)
    nearest = y_train[numpy.argsort(d, axis=1)[:, :k]]                      # (N_test, k)
    votes = numpy.stack([(nearest == c).sum(axis=1) for c in range(int(y_train.max()) + 1)])
    return votes.argmax(axis=0)


def knn_accuracy(Z_train, y_train, Z_test, y_test, k=5):
    """Test accuracy of a k-nearest-neighbour vote in the code space (Euclidean)."""
    return float((knn_predict(Z_train, y_train, Z_test, k) == y_test).mean())


def separated_classes(Z_train, y_train, Z_test, y_test, k=5, recall=0.8):
    """The classes whose test digits the k-NN vote recognises at ``recall`` or more: the
    ones that form a cluster of their own in the map."""
    predicted = knn_predict(Z_train, y_train, Z_test, k)
    return [int(c) for c in numpy.unique(y_test)
            if numpy.mean(predicted[y_test == c] == c) >= recall]


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=5)
    X, y = datasets.load(args.dataset, "train")
    X_test, y_test = datasets.load(args.dataset, "test")
    sizes = [X.shape[1], 1000, 500, 250, 2] if args.full else [X.shape[1], 256, 64, 2]
    pre_epochs, tune_epochs = (5, 5) if args.full else (args.epochs, 2 * args.epochs)

    dbn = DBN(sizes, linear_top=True, seed=args.seed)
    dbn.pretrain(X, epochs=pre_epochs, batch_size=100, seed=args.seed)
    ae = Autoencoder(*dbn.unroll())
    history = ae.fit(X, epochs=tune_epochs, batch_size=50, optimizer=Adam(3e-3),
                     seed=args.seed, verbose=0).history_
    Z, Z_train = backend.to_host(ae.encode(X_test)), backend.to_host(ae.encode(X))
    pca = metrics.PCA(2).fit(X)
    Z_pca, Z_pca_train = pca.transform(X_test), pca.transform(X)
    knn_ae = knn_accuracy(Z_train, y, Z, y_test)
    knn_pca = knn_accuracy(Z_pca_train, y, Z_pca, y_test)
    apart = separated_classes(Z_train, y, Z, y_test)
    apart_pca = separated_classes(Z_pca_train, y, Z_pca, y_test)

    result = Result()
    result.metrics["test BCE (mean per pixel), deep AE"] = round(ae.evaluate(X_test)["loss"], 4)
    result.metrics["fine-tuning epochs"] = len(history.history["loss"])
    result.metrics["5-NN test accuracy on 2-D codes: deep AE"] = round(knn_ae, 4)
    result.metrics["5-NN test accuracy on 2-D codes: PCA"] = round(knn_pca, 4)
    result.metrics["classes with 5-NN recall >= 80%: deep AE"] = len(apart)
    result.metrics["classes with 5-NN recall >= 80%: PCA"] = len(apart_pca)
    result.claim("the deep AE's 2-D codes separate the digits better than PCA's first two "
                 "components (5-NN test accuracy in the plane)", knn_ae, ">", knn_pca)
    result.add_figure(viz.codes_2d(Z, y_test, out_path(args, "dbn_codes_2d"),
                                   title=f"deep autoencoder {sizes}"),
                      f"2-D codes of the test digits from the DBN-pretrained, fine-tuned deep "
                      f"autoencoder (linear code units), coloured by class. Classes with a "
                      f"cluster of their own (5-NN recall of 80% or more): "
                      f"{', '.join(map(str, apart)) or 'none'}; the others overlap"
                      + (" (at quick scale; --full trains the paper's 784-1000-500-250-2)."
                         if not args.full else "."))
    result.add_figure(viz.codes_2d(Z_pca, y_test, out_path(args, "dbn_codes_2d_pca"),
                                   title="PCA, first two components"),
                      f"The same digits projected on the first two principal components. "
                      f"Classes with a cluster of their own: "
                      f"{', '.join(map(str, apart_pca)) or 'none'}.")
    result.report()
    return result


if __name__ == "__main__":
    run_alone(main)
