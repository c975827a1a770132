"""Gibbs chains from noise turning into digits: sampling from a trained RBM.

A 784-256 RBM is trained with persistent contrastive divergence (PCD-1, Tieleman
2008), which keeps its negative chains running between updates and so learns a model
whose own Gibbs chains produce digit-like samples (CD-1's samples are much worse).
Then ten fresh chains start from random binary noise and alternate h ~ p(h | v),
v ~ p(v | h); each row of the figure shows E[v | h] after more steps.

    python -m examples.rbm_gibbs_chains [--epochs 10] [--seed 0] [--out gallery] [--full]

--full: 500 hidden units, 50 epochs, longer chains.
"""
import numpy

from minidl import backend, datasets, viz
from minidl.optimizers import SGD
from rbm import BernoulliRBM

from examples._common import Result, out_path, parse_args

TITLE = "RBM Gibbs chains: from noise to digits"


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=10, full_epochs=50)
    X, _ = datasets.load(args.dataset, "train")
    X = (X > 0.5).astype(numpy.float32)
    shape = datasets.image_shape(args.dataset)
    rbm = BernoulliRBM(X.shape[1], 500 if args.full else 256, k=1, persistent=True,
                       seed=args.seed)
    rbm.fit(X, epochs=args.epochs, batch_size=100, seed=args.seed, verbose=0,
            optimizer=SGD(0.05, momentum=0.5))

    shown = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500] + ([1000, 2000] if args.full else [])
    rbm.reseed(args.seed + 1)
    v = (backend.rng(args.seed).random((10, X.shape[1])) < 0.5).astype(X.dtype)   # noise
    frames, done = [], 0
    for step in shown:
        if step > done:
            v = rbm.gibbs(v, step - done)
            done = step
        frames.append(backend.to_host(rbm.mean_v(rbm.mean_h(v))))
    chains = numpy.stack(frames)                                  # (steps shown, 10, D)

    result = Result()
    result.add_figure(viz.gibbs_chains(chains, out_path(args, "rbm_gibbs_chains"), shape=shape,
                                       title="Gibbs sampling from random noise (PCD-1 RBM)"),
                      f"Ten chains (columns) after {', '.join(map(str, shown))} Gibbs steps "
                      f"(rows): noise settles into digit-like images.")
    final = backend.to_host(rbm.free_energy((chains[-1] > 0.5).astype(numpy.float32)))
    data_fe = backend.to_host(rbm.free_energy(X[:1000]))
    result.metrics["mean free energy: data"] = round(float(data_fe.mean()), 1)
    result.metrics["mean free energy: final samples"] = round(float(final.mean()), 1)
    return result


if __name__ == "__main__":
    main()
