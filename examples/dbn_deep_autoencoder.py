"""Reconstructions of a DBN-pretrained deep autoencoder vs PCA, and what pretraining buys.

Hinton & Salakhutdinov (2006): a 784-1000-500-250-30 deep belief net with linear code
units is pretrained greedily with CD-1, unrolled into a deep autoencoder and fine-tuned
with backprop. Its 30-D codes reconstruct test digits far better than 30 principal
components (the paper: 3.00 vs 13.87 squared error per image). The same network
fine-tuned from a random (Glorot) initialisation with the same budget shows what the
pretraining adds.

Quick: 784-256-64-10 on mnist-5k, 5 pretraining epochs per layer and 10 fine-tuning
epochs (Adam). The quick code has 10 units, not 30: with 4,000 digits and this budget
the deep AE underfits (it does not overfit: train and test errors stay close), and at
30 units PCA's linear fit is still the better one (about 21 vs 14.6 after 30 fine-tuning
epochs); at 10 units the non-linear code already wins. --full runs the paper's
784-1000-500-250-30 on full MNIST with a budget that fits in 15 minutes on 2 cores.

    python -m examples.dbn_deep_autoencoder [--epochs 5] [--seed 0] [--out gallery] [--full]

--full: the paper's sizes, 5 pretraining epochs per RBM and 5 fine-tuning epochs. With 20
+ 50 the run did not finish in 15 minutes (one fine-tuning epoch of the 9-layer net on
60,000 digits is about a minute on one core). The paper-scale run, 50 + 50 epochs with
early stopping, is row 4 of ``python -m benchmarks --papers`` (44 minutes; 0.236 of PCA's
squared error against the paper's 3.00 / 13.87 = 0.216).
"""
from minidl import backend, datasets, metrics, viz
from minidl.optimizers import Adam
from autoencoders import Autoencoder, DeepAutoencoder
from rbm import DBN

from examples._common import Result, out_path, parse_args, run_alone

TITLE = "Deep autoencoder (DBN-pretrained) reconstructions vs PCA-30"


def squared_error(X, X_hat):
    """Mean over test images of Σ_pixels (x − x̂)², the paper's measure."""
    diff = backend.to_host(X_hat) - backend.to_host(X)
    return float((diff * diff).sum(axis=1).mean())


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=5)
    X, _ = datasets.load(args.dataset, "train")
    X_test, _ = datasets.load(args.dataset, "test")
    sizes = [X.shape[1], 1000, 500, 250, 30] if args.full else [X.shape[1], 256, 64, 10]
    pre_epochs, tune_epochs = (5, 5) if args.full else (args.epochs, 2 * args.epochs)

    dbn = DBN(sizes, linear_top=True, seed=args.seed)
    dbn.pretrain(X, epochs=pre_epochs, batch_size=100, seed=args.seed)
    pretrained = Autoencoder(*dbn.unroll())
    random_init = DeepAutoencoder(sizes, activation="sigmoid", code_activation="linear",
                                  seed=args.seed)
    for ae in (pretrained, random_init):
        ae.fit(X, epochs=tune_epochs, batch_size=50, optimizer=Adam(3e-3), seed=args.seed,
               verbose=0)
    pca = metrics.PCA(sizes[-1]).fit(X)
    X_pca = pca.inverse_transform(pca.transform(X_test))

    result = Result()
    err_pre = squared_error(X_test, pretrained.reconstruct(X_test))
    err_random = squared_error(X_test, random_init.reconstruct(X_test))
    err_pca = squared_error(X_test, X_pca)
    code = sizes[-1]
    result.metrics["squared error per test image: deep AE (pretrained)"] = round(err_pre, 2)
    result.metrics["squared error per test image: deep AE (random init)"] = round(err_random, 2)
    result.metrics[f"squared error per test image: PCA-{code}"] = round(err_pca, 2)
    result.metrics["squared error per train image: deep AE (pretrained)"] = round(
        squared_error(X[:1000], pretrained.reconstruct(X[:1000])), 2)
    result.claim(f"the DBN-pretrained deep AE reconstructs test digits better than PCA with "
                 f"the same {code}-D code (squared error per image)", err_pre, "<", err_pca)
    result.claim("pretraining beats a random initialisation with the same fine-tuning budget "
                 "(squared error per image)", err_pre, "<", err_random)
    shape = datasets.image_shape(args.dataset)
    rows = [X_test[:10], backend.to_host(pretrained.reconstruct(X_test[:10])),
            backend.to_host(random_init.reconstruct(X_test[:10])), X_pca[:10]]
    result.add_figure(viz.rows(rows, ["test digits", "deep AE, pretrained",
                                      "deep AE, random init", f"PCA-{sizes[-1]}"],
                               out_path(args, "dbn_deep_ae_reconstructions"), shape=shape,
                               title=f"{sizes[-1]}-D codes"),
                      f"Test digits and their reconstructions from {sizes[-1]}-D codes: the "
                      "DBN-pretrained deep autoencoder, the same network from a random "
                      "initialisation with the same fine-tuning budget, and PCA.")
    result.report()
    return result


if __name__ == "__main__":
    run_alone(main)
