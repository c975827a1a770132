"""The RBM exercises: the free energy and ∂F/∂θ, one CD-k update, and AIS log Z.

Both are graded by the exact oracle the RBM tests use (:mod:`rbm.exact`: every state of a
tiny RBM enumerated): F(v) = −log Σ_h e^(−E(v, h)), and the exact expectation of the CD-k
estimate, E_data[∂F] − E_{T^k}[∂F] with T the one-sweep Gibbs transition matrix. A CD-k
estimate is random, so it is averaged over a batch of 10,000 rows (four distinct rows,
tiled) and compared with that expectation within 0.05 (the estimate's standard error is
~0.005 per element).
"""
import math

import numpy

from minidl import backend, gradcheck

from exercises import Exercise
from exercises.catalog_layers import F64
from exercises.grading import Outcome, Stop, host64
from rbm import BernoulliRBM
from rbm.exact import (binary_data, cd_expected_gradient, energy,
                       free_energy_grad_expectations, joint, randomise, states)

NAMES = ("dW", "db (visible bias)", "dc (hidden bias)")
CD_ATOL = 0.05


def tiny_rbm(seed=0, n_visible=4, n_hidden=3, scale=1.0):
    """A BernoulliRBM small enough to enumerate, with N(0, scale²) weights, in float64."""
    model = randomise(BernoulliRBM(n_visible, n_hidden, seed=seed), seed + 1, scale=scale)
    for p in model.parameters():
        p.astype(F64)
    return model


def _onehot_mean(V):
    """The empirical distribution of the rows of host V over rbm.exact.states()."""
    index = (V @ (2 ** numpy.arange(V.shape[1] - 1, -1, -1))).astype(int)
    return numpy.eye(2 ** V.shape[1])[index].mean(axis=0)


def _triple(g, quantity, out):
    if not (isinstance(out, (tuple, list)) and len(out) == 3):
        g.add(Outcome(quantity, False, note=f"expected (dW, db, dc), got {type(out).__name__}"))
        raise Stop
    return out


# --- free energy --------------------------------------------------------------------------
def _free_energy_part(mod, g):
    model = tiny_rbm()
    V = binary_data(6, 4, seed=2).astype(F64)
    Vh = host64(V)
    F = -numpy.logaddexp.reduce(-energy(model, Vh, states(model.n_hidden)), axis=1)
    b = host64(model.vbias.data)
    found = g.run("free_energy(rbm, v)", mod.free_energy, model, V.copy())
    g.compare("F(v) against the enumeration −log Σ_h e^(−E(v, h))", F, found, [
        ("F has the wrong sign: F(v) = −vᵀb − Σ_j softplus(c_j + (vW)_j)", -F),
        ("F is missing the visible term −vᵀb", F + Vh @ b),
        ("F is summed over the batch: return one value per row", F.sum())])
    exact = free_energy_grad_expectations(model, _onehot_mean(Vh))
    grads = _triple(g, "free_energy_grads(rbm, v)",
                    g.run("free_energy_grads(rbm, v)", mod.free_energy_grads, model, V.copy()))
    B = V.shape[0]
    for name, ref, mine in zip(NAMES, exact, grads):
        g.compare(f"{name} of the batch-mean F, against the enumeration", ref, mine, [
            (f"{name.split()[0]} has the right numbers transposed", ref.T),
            (f"{name.split()[0]} is summed over the batch: average it", ref * B),
            (f"{name.split()[0]} has the wrong sign: ∂F/∂W = −vᵀp, ∂F/∂b = −v, ∂F/∂c = −p",
             -ref)])
    arrays = [model.W.data, model.vbias.data, model.hbias.data]
    g.gradient_check("gradient check of your ∂F/∂θ against your F (minidl.gradcheck, float64)",
                     lambda: gradcheck.check_gradients(
                         lambda: float(mod.free_energy(model, V).mean()), arrays,
                         list(mod.free_energy_grads(model, V)), list(NAMES)))


# --- CD-k ---------------------------------------------------------------------------------
def _cd_part(k):
    def part(fn, g):
        # large weights mix slowly, so CD-1, CD-2 and CD-3 differ (by 0.40 and 0.49 in
        # norm at these seeds, against the 0.05 tolerance): a wrong k cannot pass
        model = tiny_rbm(seed=8, scale=2.5)
        rows = host64(binary_data(4, 4, seed=5))
        V = backend.to_device(numpy.tile(rows, (2500, 1)), dtype=F64)
        exact = [numpy.asarray(e) for e in cd_expected_gradient(model, rows, k)]
        alt = {j: cd_expected_gradient(model, rows, j) for j in (1, k + 1)}
        grads = _triple(g, f"cd_k_gradient(rbm, v, k={k})",
                        g.run(f"cd_k_gradient(rbm, v, k={k})", fn, model, V, k))
        for i, (name, ref, mine) in enumerate(zip(NAMES, exact, grads)):
            short = name.split()[0]
            mistakes = [(f"CD-k ran one Gibbs step whatever k (k = {k})", alt[1][i])] if k > 1 \
                else []
            mistakes += [
                (f"CD-k ran k + 1 = {k + 1} Gibbs steps (off by one)", alt[k + 1][i]),
                (f"{short} has the wrong sign: g = positive − negative statistics "
                 f"(the optimizer subtracts it)", -ref),
                (f"{short} is not divided by the batch size", ref * V.shape[0]),
                ("the negative statistics equal the positive ones: the Gibbs chain never ran",
                 0 * ref)]
            g.compare(f"k={k}: {name}, averaged over 10,000 rows, against the exact CD-{k} "
                      f"expectation (±{CD_ATOL})", ref, mine, mistakes, rtol=0.0, atol=CD_ATOL,
                      mistake_rtol=0.05)
    return part


# --- AIS ------------------------------------------------------------------------------------
AIS_ATOL = 0.1


def _ais_part(fn, g):
    """log Ẑ against log Z by enumeration: 500 chains and 200 temperatures on a 4 x 3 RBM
    err by at most 0.04 (10 seeds of the library's own AIS), against a tolerance of 0.1."""
    model = tiny_rbm(seed=20)
    log_z = joint(model)[1]
    b_a = numpy.zeros(model.n_visible)                        # the uniform base rate
    log_z0 = float(numpy.logaddexp(0.0, b_a).sum()) + model.n_hidden * math.log(2.0)
    found = g.run("log_partition(rbm, n_chains=500, n_betas=200, seed=0)", fn, model,
                  n_chains=500, n_betas=200, seed=0)
    g.compare(f"log Ẑ against the exact log Z by enumeration (±{AIS_ATOL})", log_z, found, [
        ("log Z_0 of the base-rate model was not added: log Ẑ = log Z_0 + log mean(w)",
         log_z - log_z0),
        ("log Z_0 is missing the hidden units' H log 2 (Σ_h over 2^H states of p_0)",
         log_z - model.n_hidden * math.log(2.0)),
        ("this is Ẑ, not log Ẑ: return the logarithm", math.exp(log_z))],
        rtol=0.0, atol=AIS_ATOL, mistake_rtol=0.05, finite_hint=(
            "log Ẑ is not finite: compute log mean(w) as max + log mean(exp(log w − max))"))


EXERCISES = [
    Exercise("rbm_free_energy", "RBM free energy F(v) and ∂F/∂θ, against exact enumeration",
             None, lambda: [_free_energy_part]),
    Exercise("cd_k", "One CD-k update, against the exact CD-k expectation", "cd_k_gradient",
             lambda: [_cd_part(1), _cd_part(3)]),
    Exercise("ais", "AIS: log Z of a tiny RBM by annealed importance sampling, against the "
                    "exact value", "log_partition", lambda: [_ais_part]),
]
