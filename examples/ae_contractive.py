"""Contractive autoencoder (Rifai et al. 2011): a code that is insensitive to its input.

J = Σ_x [ L(x, g(f(x))) + λ ||J_f(x)||²_F ] with a sigmoid encoder, where the Frobenius
norm of the encoder's Jacobian has the closed form Σ_j (h_j(1 − h_j))² Σ_i W_ij². Next to
a plain sigmoid autoencoder of the same size we report the mean ||J_f(x)||²_F on test
digits (smaller: more contractive) and the reconstruction error.

The filter figures show live units only: a unit whose activation hardly varies over the
test digits (std < 0.01: a sigmoid stuck near 0 or 1) is dead, carries nothing, and is
counted in the caption instead of drawn.

Claim: the contractive penalty makes the code less sensitive to its input than the plain
AE's (smaller mean ||J_f(x)||²_F on test digits).

    python -m examples.ae_contractive [--epochs 8] [--seed 0] [--full]
"""
import numpy

from minidl import backend, datasets, viz
from minidl.optimizers import Adam

import autoencoders as ae
from examples._common import Result, live_units, out_path, parse_args, run_alone

TITLE = "Contractive autoencoder"
LAM = 0.1


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=8, full_epochs=50)
    epochs = args.epochs
    X, _ = datasets.load(args.dataset, "train")
    X_test, _ = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    result, jac = Result(), {}
    for name, lam in (("contractive", LAM), ("plain", 0.0)):
        model = ae.ContractiveAutoencoder([X.shape[1], 128], lam=lam, seed=args.seed)
        model.fit(X, epochs=epochs, batch_size=64, optimizer=Adam(lr=2e-3), seed=args.seed,
                  verbose=0)
        jac[name] = float(backend.to_host(model.jacobian_norm(X_test)).mean())
        result.metrics[f"{name} (λ = {lam}): mean ||J||²_F on test"] = jac[name]
        result.metrics[f"{name} (λ = {lam}): test BCE per digit"] = model.evaluate(X_test)["recon"]
        live = live_units(model.encode(X_test))
        result.metrics[f"{name} (λ = {lam}): dead units of 128"] = int((~live).sum())
        W = backend.to_host(model.denses[0].W.data)[:, numpy.flatnonzero(live)]
        result.add_figure(viz.filters(W, out_path(args, f"contractive_filters_{name}"),
                                      shape=shape, n=64, ncols=8,
                                      title=f"{name} AE filters (λ = {lam})"),
                          f"64 encoder filters of the {name} autoencoder's live units "
                          f"({int((~live).sum())} of 128 units are dead and not drawn).")
    result.report()
    result.claim("the contractive AE's code is less sensitive to its input than the plain "
                 "AE's (mean ||J_f(x)||²_F on test)", jac["contractive"], "<", jac["plain"])
    return result


if __name__ == "__main__":
    run_alone(main)
