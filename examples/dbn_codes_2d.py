"""A deep autoencoder's 2-D codes vs 2-D PCA, coloured by digit.

The figure 3 of Hinton & Salakhutdinov (2006).

A deep belief net 784-256-64-2 (linear top units) is pretrained greedily with CD-1,
unrolled into a 784-256-64-2-64-256-784 autoencoder (decoder = transposed weights,
untied) and fine-tuned with backprop on the cross-entropy. Its 2-D codes of the test
digits are plotted next to the first two principal components: the deep codes separate
the classes far better than the linear projection.

    python -m examples.dbn_codes_2d [--epochs 5] [--seed 0] [--out gallery] [--full]

--full: the paper's 784-1000-500-250-2 with 20 pretraining and 50 fine-tuning epochs.
"""
from minidl import backend, datasets, metrics, viz
from minidl.optimizers import Adam
from autoencoders import Autoencoder
from rbm import DBN

from examples._common import Result, out_path, parse_args

TITLE = "Deep autoencoder (DBN-pretrained) 2-D codes vs PCA"


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=5)
    X, _ = datasets.load(args.dataset, "train")
    X_test, y_test = datasets.load(args.dataset, "test")
    sizes = [X.shape[1], 1000, 500, 250, 2] if args.full else [X.shape[1], 256, 64, 2]
    pre_epochs, tune_epochs = (20, 50) if args.full else (args.epochs, 2 * args.epochs)

    dbn = DBN(sizes, linear_top=True, seed=args.seed)
    dbn.pretrain(X, epochs=pre_epochs, batch_size=100, seed=args.seed)
    ae = Autoencoder(*dbn.unroll())
    history = ae.fit(X, epochs=tune_epochs, batch_size=100, optimizer=Adam(1e-3),
                     seed=args.seed, verbose=0)
    Z = backend.to_host(ae.encode(X_test))
    Z_pca = metrics.PCA(2).fit(X).transform(X_test)

    result = Result()
    result.metrics["test BCE (mean per pixel), deep AE"] = round(ae.evaluate(X_test)["loss"], 4)
    result.metrics["fine-tuning epochs"] = len(history.history["loss"])
    result.add_figure(viz.codes_2d(Z, y_test, out_path(args, "dbn_codes_2d"),
                                   title=f"deep autoencoder {sizes}"),
                      "2-D codes of the test digits from the DBN-pretrained, fine-tuned deep "
                      "autoencoder (linear code units), coloured by class.")
    result.add_figure(viz.codes_2d(Z_pca, y_test, out_path(args, "dbn_codes_2d_pca"),
                                   title="PCA, first two components"),
                      "The same digits projected on the first two principal components.")
    return result


if __name__ == "__main__":
    main()
