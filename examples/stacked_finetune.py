"""A stacked autoencoder trained layer by layer, topped with a classifier and fine-tuned.

The lecture's recipe (Bengio et al. 2007; Vincent et al. 2010): train a shallow
denoising autoencoder 784-256 on every training digit (no labels), then a second one
256-128 on its codes, each reconstructing its own clean input from a copy with 30% of
the entries zeroed (x̃),

    h_1 = σ(x̃ W_1 + b_1),  x̂ = h_1 W'_1 + b'_1;     h_2 = σ(h̃_1 W_2 + b_2),  ĥ_1 = ...

then keep the encoders, put a softmax layer on top and fine-tune the whole network
784-256-128-10 with backprop on the labels. The baseline is the same network from a
random (Glorot) initialisation trained on the same labels with the same optimizer and
steps (600 updates of 50 digits). Labels are scarce here (a random 500 of the 4,000
training digits), which is where the unsupervised layers help. Fine-tuning uses plain SGD
with lr 0.1, the optimizer of 2007: at seeds 0-4 (quick) the pretrained network scores
0.858-0.873 against 0.774-0.830 from scratch, 3 to 10 points ahead. With Adam 1e-3 doing
the fine-tuning instead, as this example once did, the gain shrinks to 0.3-3 points
(0.874 vs 0.844, 0.868 vs 0.862, 0.870 vs 0.854, 0.880 vs 0.872, 0.874 vs 0.871), near
the noise of 1,000 test digits -- ``pretrain_vs_modern`` measures why.

    python -m examples.stacked_finetune [--epochs 5] [--labels 500] [--seed 0] [--out gallery]

--epochs: pretraining epochs per layer. --full: full MNIST (when present), 20 epochs
per layer, 1,000 labels.
"""
import numpy

from minidl import datasets, viz
from minidl.backend import derive_seed
from minidl.classifier import Classifier
from minidl.layers import Dense, Sequential, Sigmoid
from minidl.optimizers import SGD
from autoencoders import StackedAutoencoder

from examples._common import Result, out_path, parse_args, run_alone

TITLE = "Stacked autoencoder: layer-wise pretraining, a softmax on top, fine-tuning"

SIZES = [784, 256, 128]
TUNE_STEPS = 600          # fine-tuning updates of batch 50, whatever the number of labels


def random_network(seed):
    """784-256-128-10 with sigmoid hidden units, Glorot-initialised."""
    return Sequential(Dense(SIZES[0], SIZES[1], seed=derive_seed(seed, "layer", 0)), Sigmoid(),
                      Dense(SIZES[1], SIZES[2], seed=derive_seed(seed, "layer", 1)), Sigmoid(),
                      Dense(SIZES[2], 10, seed=derive_seed(seed, "head")))


def fine_tune(network, X, y, seed):
    model = Classifier(network, n_classes=10)
    epochs = -(-TUNE_STEPS * 50 // len(X))
    # plain SGD, as in 2007 (see the module docstring for what Adam changes)
    return model.fit(X, y, epochs=epochs, batch_size=50, optimizer=SGD(0.1), seed=seed,
                     verbose=0)


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=5, full_epochs=20, extra=lambda p: p.add_argument(
        "--labels", type=int, default=None, help="labelled training digits (default 500)"))
    name = args.dataset
    X, y = datasets.load(name, "train")
    X_test, y_test = datasets.load(name, "test")
    n_labels = args.labels or (1000 if args.full else 500)
    labelled = numpy.random.default_rng(args.seed).choice(len(X), n_labels, replace=False)

    # 1. greedy, unsupervised: each shallow AE on the codes of the one below
    stack = StackedAutoencoder(SIZES, unit="denoising",
                               unit_kwargs={"noise": "masking", "level": 0.3}, seed=args.seed)
    stack.pretrain(X, epochs=args.epochs, batch_size=50, seed=args.seed)
    # 2. the encoders + a softmax layer, fine-tuned on the labels
    head = Dense(SIZES[-1], 10, seed=derive_seed(args.seed, "head"))
    pretrained = Sequential(*stack.encoder, head)
    tuned = fine_tune(pretrained, X[labelled], y[labelled], args.seed)
    scratch = fine_tune(random_network(args.seed), X[labelled], y[labelled], args.seed)
    acc_tuned, acc_scratch = tuned.score(X_test, y_test), scratch.score(X_test, y_test)

    result = Result()
    result.metrics[f"test accuracy, {n_labels} labels: stacked AE + fine-tuning"] = round(
        acc_tuned, 4)
    result.metrics[f"test accuracy, {n_labels} labels: same network, random init"] = round(
        acc_scratch, 4)
    for i, unit in enumerate(stack.units):
        result.metrics[f"unit {i + 1} final pretraining loss"] = round(
            unit.history_.history["loss"][-1], 4)
    result.claim(f"layer-wise pretraining then fine-tuning beats the same network from a "
                 f"random initialisation with {n_labels} labels (test accuracy)", acc_tuned,
                 ">", acc_scratch)
    curves = {"stacked AE + fine-tuning": tuned.history_.history["loss"],
              "random init": scratch.history_.history["loss"]}
    result.add_figure(viz.curves(curves, out_path(args, "stacked_finetune_loss"),
                                 ylabel="training cross-entropy",
                                 title=f"fine-tuning 784-256-128-10 on {n_labels} labels"),
                      "Training loss of the classifier during fine-tuning: the pretrained "
                      "network starts from features that already describe the digits.")
    shape = datasets.image_shape(name)
    result.add_figure(viz.filters(stack.encoder.layers[0].W.data, out_path(
                          args, "stacked_finetune_filters"), shape=shape,
                          title="first layer after pretraining and fine-tuning"),
                      "Weights of 100 first-layer units of the fine-tuned network, learned "
                      "first without labels by the bottom autoencoder.")
    result.report()
    return result


if __name__ == "__main__":
    run_alone(main)
