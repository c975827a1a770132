"""Exercise "cd_k": one contrastive-divergence (CD-k) gradient estimate for a Bernoulli RBM.

Replace the ``raise NotImplementedError("exercise: ...")`` with your code, then run

    python -m exercises check cd_k

Given: the RBM's conditionals, ``rbm.mean_h(v)`` = P(h = 1 | v), ``rbm.sample_h(v)``,
``rbm.mean_v(h)`` = P(v = 1 | h), ``rbm.sample_v(h)``. The check averages your estimate over
10,000 rows and compares it with the exact expectation of the CD-k estimate (every state
of a tiny RBM enumerated), for k = 1 and k = 3.
"""


def cd_k_gradient(rbm, v, k):
    """@library rbm.base:RBM.accumulate_gradients"""
    raise NotImplementedError("exercise: positive phase at v, k Gibbs sweeps from a hidden "
                              "sample of v, negative phase at the chain's end; return "
                              "(dW, db, dc) = (negative − positive statistics) / B")
