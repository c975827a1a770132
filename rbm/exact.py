"""Exact references for tiny RBMs: every (v, h) state enumerated on the host in float64.

The oracle the RBM tests and the exercises' graders share (one copy): the energy and the
joint p(v, h) by enumeration, the conditionals, the exact distribution after k Gibbs sweeps
(the transition matrix to the k-th power), and from those the exact expectation of the CD-k
estimate. Nothing here samples, so a test or a grader can compare a sampler's averages with
numbers that carry no noise. Sizes: 2^(D + H) states, so D + H <= ~16.

Host NumPy on purpose: an oracle must not share the device code it judges.
"""
import itertools

from minidl import backend

#: The host array module, asked of the backend like every array module here: on purpose
#: NumPy, whatever the current backend, so the oracle shares no device code with what it judges.
np = backend.module("numpy")


def states(n):
    """All 2^n binary vectors of length n, (2^n, n) float64."""
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def params(model):
    """W, b, c of a model as host float64 arrays."""
    return [backend.to_host(p.data).astype(np.float64)
            for p in (model.W, model.vbias, model.hbias)]


def energy(model, V, H):
    """E(v, h) = −vᵀb − hᵀc − vᵀWh for every pair of rows: (len(V), len(H))."""
    W, b, c = params(model)
    return -(V @ b)[:, None] - (H @ c)[None, :] - V @ W @ H.T


def joint(model):
    """p(v, h) over all states, (2^D, 2^H), and log Z."""
    logits = -energy(model, states(model.n_visible), states(model.n_hidden))
    log_z = np.logaddexp.reduce(logits.ravel())
    return np.exp(logits - log_z), log_z


def randomise(model, seed, scale=1.0):
    """Give a model random weights and biases of a given scale (in place)."""
    gen = np.random.default_rng(seed)
    for p in model.parameters():
        if p.name != "log_sigma":
            values = scale * gen.standard_normal(p.shape)
            p.data[...] = backend.to_device(values, dtype=p.dtype)
    return model


def binary_data(n, d, seed):
    return backend.to_device((np.random.default_rng(seed).random((n, d)) < 0.5)
                             .astype(np.float32))


def conditionals(model):
    """P(h | v) over all states (2^D, 2^H) and P(v | h) (2^H, 2^D), from the joint."""
    p, _ = joint(model)
    return p / p.sum(axis=1, keepdims=True), (p / p.sum(axis=0, keepdims=True)).T


def gibbs_distribution(model, V, k):
    """Exact distribution of v after k sweeps v → h → v started at each row of V: (len(V), 2^D).

    One sweep is the transition matrix T[v, v'] = Σ_h P(h | v) P(v' | h); k sweeps are T^k.
    """
    p_h_v, p_v_h = conditionals(model)
    T = p_h_v @ p_v_h
    index = (V @ (2 ** np.arange(V.shape[1] - 1, -1, -1))).astype(int)   # row of states()
    start = np.eye(2 ** V.shape[1])[index]
    return start @ np.linalg.matrix_power(T, k)


def free_energy_grad_expectations(model, dist):
    """E[∂F/∂θ] for (W, b, c) when v has distribution ``dist`` (2^D,) over states():

    ∂F/∂W = −v P(h|v)ᵀ, ∂F/∂b = −v, ∂F/∂c = −P(h|v)  (binary hidden units).
    """
    W, b, c = params(model)
    S = states(model.n_visible)
    ph = 1 / (1 + np.exp(-(S @ W + c)))
    return [-(S.T * dist) @ ph, -dist @ S, -dist @ ph]


def cd_expected_gradient(model, V, k):
    """The expectation of the CD-k estimate over a batch V: E_data[∂F] − E_{T^k}[∂F].

    k = None gives the exact gradient (the chain's stationary distribution, p(v)).
    """
    data = [free_energy_grad_expectations(model, row) for row in np.eye(2 ** V.shape[1])
            [(V @ (2 ** np.arange(V.shape[1] - 1, -1, -1))).astype(int)]]
    data = [np.mean([d[i] for d in data], axis=0) for i in range(3)]
    if k is None:
        neg = free_energy_grad_expectations(model, joint(model)[0].sum(axis=1))
    else:
        neg = free_energy_grad_expectations(model, gibbs_distribution(model, V, k).mean(axis=0))
    return [d - n for d, n in zip(data, neg)]
