import math

import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import Parameter, backend
from minidl.optimizers import SGD, Adadelta, Adagrad, Adam, RMSprop, clip_grad_norm

seeds = st.integers(0, 2**16)
shapes = st.lists(st.integers(1, 5), min_size=1, max_size=2).map(tuple)
STEPS = 4


def host_arrays(seed, shape, n, dtype=numpy.float64):
    gen = numpy.random.default_rng(seed)
    return [gen.standard_normal(shape).astype(dtype) for _ in range(n)]


def run_minidl(opt, theta0, grads):
    """Apply ``opt`` to a Parameter starting at theta0 with the given gradient sequence."""
    p = Parameter(backend.to_device(theta0.copy()))
    for g in grads:
        p.zero_grad()
        p.grad += backend.to_device(g)
        opt.step([p])
    return backend.to_host(p.data)


# --- each rule written out by hand, in float64 ----------------------------------
def ref_sgd(theta, grads, lr, mu, nesterov, wd):
    b = None
    for g in grads:
        g = g + wd * theta
        b = g.copy() if b is None else mu * b + g
        theta = theta - lr * ((g + mu * b) if nesterov else (b if mu else g))
    return theta


def ref_adagrad(theta, grads, lr, eps, wd):
    G = numpy.zeros_like(theta)
    for g in grads:
        g = g + wd * theta
        G = G + g**2
        theta = theta - lr * g / (numpy.sqrt(G) + eps)
    return theta


def ref_rmsprop(theta, grads, lr, rho, eps, wd):
    v = numpy.zeros_like(theta)
    for g in grads:
        g = g + wd * theta
        v = rho * v + (1 - rho) * g**2
        theta = theta - lr * g / (numpy.sqrt(v) + eps)
    return theta


def ref_adadelta(theta, grads, lr, rho, eps, wd):
    v, u = numpy.zeros_like(theta), numpy.zeros_like(theta)
    for g in grads:
        g = g + wd * theta
        v = rho * v + (1 - rho) * g**2
        delta = numpy.sqrt(u + eps) / numpy.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta**2
        theta = theta - lr * delta
    return theta


def ref_adam(theta, grads, lr, b1, b2, eps, wd):
    m, v = numpy.zeros_like(theta), numpy.zeros_like(theta)
    for t, g in enumerate(grads, start=1):
        g = g + wd * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        theta = theta - lr * m_hat / (numpy.sqrt(v_hat) + eps)
    return theta


CASES = {
    "sgd": (lambda: SGD(0.1, weight_decay=0.01),
            lambda th, gs: ref_sgd(th, gs, 0.1, 0.0, False, 0.01)),
    "momentum": (lambda: SGD(0.1, momentum=0.9, weight_decay=0.01),
                 lambda th, gs: ref_sgd(th, gs, 0.1, 0.9, False, 0.01)),
    "nesterov": (lambda: SGD(0.05, momentum=0.8, nesterov=True, weight_decay=0.1),
                 lambda th, gs: ref_sgd(th, gs, 0.05, 0.8, True, 0.1)),
    "adagrad": (lambda: Adagrad(0.1, eps=1e-8, weight_decay=0.01),
                lambda th, gs: ref_adagrad(th, gs, 0.1, 1e-8, 0.01)),
    "rmsprop": (lambda: RMSprop(0.01, rho=0.9, eps=1e-6, weight_decay=0.01),
                lambda th, gs: ref_rmsprop(th, gs, 0.01, 0.9, 1e-6, 0.01)),
    "adadelta": (lambda: Adadelta(0.5, rho=0.9, eps=1e-6, weight_decay=0.01),
                 lambda th, gs: ref_adadelta(th, gs, 0.5, 0.9, 1e-6, 0.01)),
    "adam": (lambda: Adam(0.01, beta1=0.8, beta2=0.99, eps=1e-7, weight_decay=0.01),
             lambda th, gs: ref_adam(th, gs, 0.01, 0.8, 0.99, 1e-7, 0.01)),
}


@pytest.mark.parametrize("case", sorted(CASES))
@given(shape=shapes, seed=seeds)
def test_update_matches_published_rule(case, shape, seed):
    make, reference = CASES[case]
    theta0, *grads = host_arrays(seed, shape, 1 + STEPS)
    got = run_minidl(make(), theta0, grads)
    numpy.testing.assert_allclose(got, reference(theta0, grads), rtol=1e-10, atol=1e-12)


TORCH = {
    "sgd": (lambda: SGD(0.1, weight_decay=0.01), "SGD", dict(lr=0.1, weight_decay=0.01)),
    "momentum": (lambda: SGD(0.1, momentum=0.9, weight_decay=0.01), "SGD",
                 dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
    "nesterov": (lambda: SGD(0.05, momentum=0.8, nesterov=True, weight_decay=0.1), "SGD",
                 dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1)),
    "adagrad": (lambda: Adagrad(0.1, weight_decay=0.01), "Adagrad",
                dict(lr=0.1, weight_decay=0.01)),
    "rmsprop": (lambda: RMSprop(0.01, rho=0.9, weight_decay=0.01), "RMSprop",
                dict(lr=0.01, alpha=0.9, weight_decay=0.01)),
    "adadelta": (lambda: Adadelta(weight_decay=0.01), "Adadelta",
                 dict(lr=1.0, rho=0.95, eps=1e-6, weight_decay=0.01)),
    "adam": (lambda: Adam(0.01, weight_decay=0.01), "Adam",
             dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)),
}


@pytest.mark.parametrize("case", sorted(TORCH))
@given(shape=shapes, seed=seeds)
def test_update_matches_torch_optim(case, shape, seed):
    torch = pytest.importorskip("torch")
    make, torch_name, kwargs = TORCH[case]
    theta0, *grads = host_arrays(seed, shape, 1 + STEPS, numpy.float32)
    ours = run_minidl(make(), theta0, grads)
    tp = torch.nn.Parameter(torch.from_numpy(theta0.copy()))
    topt = getattr(torch.optim, torch_name)([tp], **kwargs)
    for g in grads:
        tp.grad = torch.from_numpy(g.copy())
        topt.step()
    assert ours.dtype == numpy.float32
    numpy.testing.assert_allclose(ours, tp.detach().numpy(), rtol=2e-5, atol=1e-6)


@given(seed=seeds, max_norm=st.sampled_from([0.1, 1.0, 100.0]))
def test_clip_matches_global_norm_rule(seed, max_norm):
    a, b = host_arrays(seed, (3, 4), 2)
    p, q = Parameter(backend.to_device(a * 0)), Parameter(backend.to_device(b[:2] * 0))
    p.grad += backend.to_device(a)
    q.grad += backend.to_device(b[:2])
    total = math.sqrt((a**2).sum() + (b[:2]**2).sum())
    assert clip_grad_norm([p, q], max_norm) == pytest.approx(total)
    scale = min(1.0, max_norm / (total + 1e-6))
    numpy.testing.assert_allclose(backend.to_host(p.grad), a * scale, rtol=1e-12)
    numpy.testing.assert_allclose(backend.to_host(q.grad), b[:2] * scale, rtol=1e-12)


@given(seed=seeds)
def test_sgd_with_clip_norm_takes_a_step_of_clipped_length(seed):
    theta0, g = host_arrays(seed, (5,), 2)
    got = run_minidl(SGD(1.0, clip_norm=0.01), theta0, [g * 10])
    assert numpy.linalg.norm(got - theta0) == pytest.approx(0.01, rel=1e-4)


def test_clip_matches_torch():
    torch = pytest.importorskip("torch")
    theta0, g1, g2 = host_arrays(7, (4, 3), 3, numpy.float32)
    ours = run_minidl(Adam(0.1, clip_norm=0.5), theta0, [g1, g2])
    tp = torch.nn.Parameter(torch.from_numpy(theta0.copy()))
    topt = torch.optim.Adam([tp], lr=0.1)
    for g in (g1, g2):
        tp.grad = torch.from_numpy(g.copy())
        torch.nn.utils.clip_grad_norm_([tp], 0.5)
        topt.step()
    numpy.testing.assert_allclose(ours, tp.detach().numpy(), rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("make", [c[0] for c in CASES.values()], ids=sorted(CASES))
def test_frozen_params_do_not_move_and_state_stays_float32(make):
    theta0, g = host_arrays(3, (4, 2), 2, numpy.float32)
    live = Parameter(backend.to_device(theta0.copy()))
    frozen = Parameter(backend.to_device(theta0.copy()), frozen=True)
    opt = make()
    for p in (live, frozen):
        p.grad += backend.to_device(g)
    opt.step([live, frozen])
    numpy.testing.assert_array_equal(backend.to_host(frozen.data), theta0)
    assert id(frozen) not in opt.state
    assert not numpy.array_equal(backend.to_host(live.data), theta0)
    assert live.data.dtype == numpy.float32
    for value in opt.state[id(live)].values():
        if hasattr(value, "dtype"):
            assert value.dtype == numpy.float32


def test_weight_decay_leaves_grad_unchanged_and_zero_grad_resets():
    theta0, g = host_arrays(4, (3,), 2, numpy.float32)
    p = Parameter(backend.to_device(theta0.copy()))
    p.grad += backend.to_device(g)
    opt = Adam(weight_decay=0.1)
    opt.step([p])
    numpy.testing.assert_array_equal(backend.to_host(p.grad), g)
    opt.zero_grad([p])
    assert not backend.to_host(p.grad).any()


def test_to_moves_state():
    p = Parameter(backend.xp.ones(3, dtype=numpy.float32))
    p.grad += 1
    opt = Adam()
    opt.step([p])
    opt.to("numpy")
    assert all(isinstance(v, numpy.ndarray) for v in opt.state[id(p)].values()
               if hasattr(v, "shape"))


@pytest.mark.parametrize("make, match", [
    (lambda: SGD(0.0), "lr"), (lambda: SGD(-1.0), "lr"),
    (lambda: SGD(0.1, momentum=-0.5), "momentum"),
    (lambda: SGD(0.1, nesterov=True), "nesterov"),
    (lambda: SGD(0.1, weight_decay=-1e-4), "weight_decay"),
    (lambda: Adagrad(eps=0.0), "eps"),
    (lambda: RMSprop(rho=1.0), "rho"), (lambda: RMSprop(rho=-0.1), "rho"),
    (lambda: Adadelta(rho=1.5), "rho"), (lambda: Adadelta(eps=-1.0), "eps"),
    (lambda: Adam(beta1=1.0), "beta1"), (lambda: Adam(beta2=-0.1), "beta2"),
    (lambda: Adam(clip_norm=0.0), "clip_norm"),
])
def test_invalid_hyperparameters_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()
