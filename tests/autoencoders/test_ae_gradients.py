"""Gradient checks of each dense autoencoder's WHOLE objective, w.r.t. every parameter and x.

The objective (reconstruction + penalties, with the noise held fixed by re-seeding) is
the scalar; its analytic gradient is what ``backward`` accumulates into the grads (and
returns as dx when the encoder is asked for it).
"""
import numpy
from hypothesis import assume, given, strategies as st

from minidl import backend
from minidl.gradcheck import check_gradients

import autoencoders as ae

sizes = st.integers(2, 5)
batches = st.integers(2, 6)
seeds = st.integers(0, 2**16)


def data(shape, seed, unit=True):
    gen = numpy.random.default_rng(seed)
    return backend.to_device(gen.random(shape) if unit else gen.standard_normal(shape))


class FixedTarget:
    """The model's loss with its target held at ``target``, so J depends on the input x
    only through the encoder: then ``backward``'s dL/dx is the whole dJ/dx."""

    def __init__(self, loss, target):
        self.loss, self.target = loss, target

    def forward(self, pred, target):
        return self.loss.forward(pred, self.target)

    def backward(self):
        return self.loss.backward()


def check_objective(model, x, *, seed=0, rtol=1e-6, atol=1e-8):
    """check_gradients on J(θ, x) = c · objective(x); c > 0 random plays the upstream gradient.

    Every parameter is checked, and dx too when nothing random sits between x and the
    encoder (a corruption's dx̃/dx is not part of backward: training never needs it).
    """
    model.astype(numpy.float64)
    x = backend.xp.asarray(x, dtype=numpy.float64)
    check_dx = model.corruption is None
    if check_dx:
        model.loss = FixedTarget(model.loss, x.copy())
        model.encoder.input_grad = True        # off for training; checked here
    params = model.parameters()
    c = float(numpy.random.default_rng(seed + 7).uniform(0.5, 2.0))

    def f():
        model.reseed(seed)
        return c * model.objective(x, training=True)["loss"]

    for p in params:
        p.zero_grad()
    f()
    x_before = x.copy()
    dx = model.backward()
    assert bool(backend.xp.array_equal(x, x_before)), "backward modified the input"
    arrays = [p.data for p in params] + ([x] if check_dx else [])
    analytic = [c * p.grad.copy() for p in params] + ([c * dx] if check_dx else [])
    names = [p.name or f"parameter {i}" for i, p in enumerate(params)] + ["dx"] * check_dx
    assert len(params) > 0
    return check_gradients(f, arrays, analytic, names, rtol=rtol, atol=atol)


@given(b=batches, d=sizes, h=sizes, k=sizes, seed=seeds,
       act=st.sampled_from(["tanh", "sigmoid"]), loss=st.sampled_from(["bce", "mse"]))
def test_deep_autoencoder_objective(b, d, h, k, seed, act, loss):
    model = ae.DeepAutoencoder([d, h, k], activation=act, loss=loss, seed=seed)
    check_objective(model, data((b, d), seed), seed=seed)


@given(b=batches, d=sizes, k=sizes, seed=seeds)
def test_linear_autoencoder_objective(b, d, k, seed):
    check_objective(ae.LinearAutoencoder([d, k], seed=seed), data((b, d), seed, False), seed=seed)


@given(b=batches, d=sizes, h=sizes, k=sizes, seed=seeds)
def test_tied_autoencoder_objective_sums_both_uses(b, d, h, k, seed):
    model = ae.TiedAutoencoder([d, h, k], seed=seed)
    assert len(model.parameters()) == 2 * 2 + 2  # two W (shared), four biases
    check_objective(model, data((b, d), seed), seed=seed)


@given(b=batches, d=sizes, k=sizes, seed=seeds,
       noise=st.sampled_from(["gaussian", "masking", "salt-and-pepper", "dropout"]))
def test_denoising_objective_with_noise_held_fixed(b, d, k, seed, noise):
    model = ae.DenoisingAutoencoder([d, k], noise=noise, level=0.3, seed=seed)
    check_objective(model, data((b, d), seed), seed=seed)


@given(b=batches, d=sizes, k=sizes, seed=seeds, reduction=st.sampled_from(["batch", "mean"]))
def test_sparse_kl_and_l1_objective_through_batch_mean(b, d, k, seed, reduction):
    model = ae.SparseAutoencoder([d, k], rho=0.2, beta=3.0, l1=0.1, reduction=reduction,
                                 seed=seed)
    check_objective(model, data((b, d), seed), seed=seed)


@given(b=batches, d=sizes, k=sizes, seed=seeds)
def test_contractive_objective_wrt_W_and_b(b, d, k, seed):
    model = ae.ContractiveAutoencoder([d, k], lam=2.0, seed=seed)
    check_objective(model, data((b, d), seed), seed=seed)


@given(b=batches, d=sizes, k=sizes, seed=seeds)
def test_contractive_penalty_alone(b, d, k, seed):
    """The penalty's own gradients (code path + direct W term) without the reconstruction."""
    model = ae.ContractiveAutoencoder([d, k], lam=1.0, seed=seed).astype(numpy.float64)
    x = data((b, d), seed)
    enc, pen = model.encoder, model.contractive
    W, bias = model.denses[0].W, model.denses[0].b

    def f():
        return pen.value_and_grad(enc.forward(x))[0]

    for p in (W, bias):
        p.zero_grad()
    h = enc.forward(x)
    _, dh = pen.value_and_grad(h)
    enc.backward(dh)
    for param, grad in pen.parameter_grads(h):
        param.grad += grad
    check_gradients(f, [W.data, bias.data], [W.grad.copy(), bias.grad.copy()], ["W", "b"])


@given(b=batches, d=sizes, k=st.integers(1, 3), seed=seeds, beta=st.sampled_from([1.0, 4.0]))
def test_vae_objective_with_noise_held_fixed(b, d, k, seed, beta):
    model = ae.VAE([d, 4, k], beta=beta, activation="tanh", seed=seed)
    check_objective(model, data((b, d), seed), seed=seed)


@given(b=batches, d=sizes, extra=st.integers(1, 4), k=st.integers(1, 3), seed=seeds,
       tied=st.booleans())
def test_ksparse_objective_away_from_ties(b, d, extra, k, seed, tied):
    n_code = k + extra
    model = ae.KSparseAutoencoder([d, n_code], k=k, k_start=None, tied=tied, seed=seed)
    x = data((b, d), seed, False)
    h = numpy.sort(backend.to_host(model.encoder.forward(x)), axis=1)[:, ::-1]
    assume(numpy.min(h[:, k - 1] - h[:, k]) > 1e-3)   # the top-k set is stable under ±eps
    check_objective(model, x, seed=seed)
