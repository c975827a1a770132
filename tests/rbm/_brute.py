"""Brute-force references for tiny RBMs: every (v, h) state enumerated in NumPy float64."""
import itertools

import numpy

from minidl import backend


def states(n):
    """All 2^n binary vectors of length n, (2^n, n) float64."""
    return numpy.array(list(itertools.product([0.0, 1.0], repeat=n)))


def params(model):
    """W, b, c of a model as host float64 arrays."""
    return [backend.to_host(p.data).astype(numpy.float64)
            for p in (model.W, model.vbias, model.hbias)]


def energy(model, V, H):
    """E(v, h) = −vᵀb − hᵀc − vᵀWh for every pair of rows: (len(V), len(H))."""
    W, b, c = params(model)
    return -(V @ b)[:, None] - (H @ c)[None, :] - V @ W @ H.T


def joint(model):
    """p(v, h) over all states, (2^D, 2^H), and log Z."""
    logits = -energy(model, states(model.n_visible), states(model.n_hidden))
    log_z = numpy.logaddexp.reduce(logits.ravel())
    return numpy.exp(logits - log_z), log_z


def randomise(model, seed, scale=1.0):
    """Give a model random weights and biases of a given scale (in place)."""
    gen = numpy.random.default_rng(seed)
    for p in model.parameters():
        if p.name != "log_sigma":
            values = scale * gen.standard_normal(p.shape)
            p.data[...] = backend.to_device(values, dtype=p.dtype)
    return model


def binary_data(n, d, seed):
    return backend.to_device((numpy.random.default_rng(seed).random((n, d)) < 0.5)
                             .astype(numpy.float32))
