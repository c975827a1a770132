"""Exercise "ais": annealed importance sampling of log Z for a Bernoulli RBM.

Replace the ``raise NotImplementedError("exercise: ...")`` with your code, then run

    python -m exercises check ais

Given: the annealing path of the library (``rbm.ais``): ``path.betas`` (0 = β_0 < ... <
β_K = 1), ``path.hidden_input(v)`` = a = c + vW, ``path.log_ratio(v, a, β_to, β_from)`` =
log f_to(v) − log f_from(v), ``path.sweep(a, β)`` = one Gibbs sweep v' ~ T_β, ``path.b_a``
the base-rate biases; and the chains' start, exact samples v_1 ~ p_0. The check compares
your log Ẑ with the exact log Z of a tiny RBM (every state enumerated), within 0.1.
"""
import math

from minidl import backend
from minidl.layers.activations import sigmoid
from rbm.ais import _Annealing, _bernoulli


def log_partition(rbm, n_chains=500, n_betas=200, seed=0):
    """@library rbm.ais"""
    path = _Annealing(rbm, None, n_betas, seed)
    xp = path.xp
    p0 = xp.broadcast_to(sigmoid(path.b_a), (n_chains, rbm.n_visible))
    v = _bernoulli(path.gen, p0.copy())                                 # v_1 ~ p_0, exactly
    raise NotImplementedError("exercise: log w = Σ_k [log f_k(v_k) − log f_{k−1}(v_k)], "
                              "moving v_{k+1} = path.sweep(a, β_k) between; log Z_0 = "
                              "Σ_i softplus(b_A,i) + H log 2; return log Z_0 + log mean(w), "
                              "computed without overflow (subtract max log w)")
