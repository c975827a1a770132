"""Digits dreamed by a deep belief net: Gibbs sampling at the top, one pass down.

A DBN 784-256-256 is pretrained greedily with CD-1 (Hinton, Osindero & Teh 2006).
To generate, run a Gibbs chain in the top RBM, whose visible layer is the first
hidden layer, then map its P(h_1 | h_2) down to pixels with the bottom RBM's
P(v | h_1). Chains started from test digits show what the top RBM has made of them.

    python -m examples.dbn_samples [--epochs 5] [--seed 0] [--out gallery] [--full]

--full: 784-500-500 (the paper's lower layers), 30 epochs per layer, 1000 Gibbs steps.
"""
from minidl import backend, datasets, viz
from rbm import DBN

from examples._common import Result, out_path, parse_args

TITLE = "DBN samples: Gibbs at the top, one down pass"


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=5)
    X, _ = datasets.load(args.dataset, "train")
    X_test, _ = datasets.load(args.dataset, "test")
    sizes = [X.shape[1], 500, 500] if args.full else [X.shape[1], 256, 256]
    steps = 1000 if args.full else 200
    dbn = DBN(sizes, lr=0.05, seed=args.seed)
    dbn.pretrain(X, epochs=30 if args.full else args.epochs, batch_size=64, seed=args.seed)

    shape = datasets.image_shape(args.dataset)
    result = Result()
    fantasies = backend.to_host(dbn.sample(40, gibbs_steps=steps))
    result.add_figure(viz.image_grid(fantasies, out_path(args, "dbn_samples"), shape=shape,
                                     title=f"{steps} Gibbs steps from noise"),
                      f"Forty samples: {steps} Gibbs steps in the top RBM from random "
                      f"states, then one deterministic pass down to pixels.")
    from_data = backend.to_host(dbn.sample(10, gibbs_steps=steps // 10, init=X_test[:10]))
    result.add_figure(viz.rows([X_test[:10], from_data], ["test digits",
                                                           f"after {steps // 10} steps"],
                               out_path(args, "dbn_samples_from_data"), shape=shape),
                      "Chains started from test digits (passed up first) wander to "
                      "nearby digits the model finds likely.")
    result.metrics["mean pixel of samples"] = round(float(fantasies.mean()), 3)
    result.metrics["mean pixel of data"] = round(float(X.mean()), 3)
    return result


if __name__ == "__main__":
    main()
