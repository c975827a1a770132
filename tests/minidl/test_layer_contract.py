"""The Layer contract, checked for every layer in minidl.layers.

backward must not write into dy or into the cached input, must refuse to run before
forward, and a float32 input must give a float32 output and gradient. Parameter
gradients accumulate (``grad +=``): two backward calls add up, and a weight shared by
two layers collects both uses. ``input_grad = False`` skips dx and nothing else.
"""
import contextlib

import numpy
import pytest
from hypothesis import given, settings, strategies as st

from minidl import backend, layers
from minidl.layers import fastconv

seeds = st.integers(0, 2**16)

# id -> (constructor, input shape); several ids may build the same class along
# different code paths (Conv2D's few-outputs route, a nested Sequential)
TABLE = {
    "Dense": (lambda: layers.Dense(4, 3, seed=0), (2, 4)),
    "TiedDense": (lambda: layers.TiedDense(layers.Dense(3, 4, seed=0)), (2, 4)),
    "Identity": (layers.Identity, (2, 4)),
    "Sigmoid": (layers.Sigmoid, (2, 4)),
    "ReLU": (layers.ReLU, (2, 4)),
    "LeakyReLU": (layers.LeakyReLU, (2, 4)),
    "Tanh": (layers.Tanh, (2, 4)),
    "Softplus": (layers.Softplus, (2, 4)),
    "Softmax": (layers.Softmax, (2, 4)),
    "Dropout": (lambda: layers.Dropout(0.5, seed=0), (2, 4)),
    "GaussianNoise": (lambda: layers.GaussianNoise(0.1, seed=0), (2, 4)),
    "Flatten": (layers.Flatten, (2, 3, 2)),
    "Reshape": (lambda: layers.Reshape((2, 2)), (2, 4)),
    "Sequential": (lambda: layers.Sequential(layers.Dense(4, 3, seed=0), layers.Tanh()), (2, 4)),
    "Sequential nested, reshape first": (lambda: layers.Sequential(
        layers.Sequential(layers.Reshape((1, 4, 4)), layers.Conv2D(1, 2, 3, seed=0)),
        layers.ReLU(), layers.Flatten(), layers.Dense(8, 3, seed=1)), (2, 16)),
    "Conv2D": (lambda: layers.Conv2D(2, 3, 3, padding="same", seed=0), (2, 2, 5, 5)),
    "Conv2D few outputs": (lambda: layers.Conv2D(3, 2, 3, stride=2, padding=1, seed=0),
                           (2, 3, 5, 5)),
    "Conv2DTranspose": (lambda: layers.Conv2DTranspose(2, 3, 3, stride=2, seed=0), (2, 2, 4, 4)),
    "MaxPool2D": (lambda: layers.MaxPool2D(2), (2, 2, 4, 4)),
    "MaxPool2D overlapping": (lambda: layers.MaxPool2D(3, stride=1, padding=1), (2, 2, 4, 4)),
    "AvgPool2D": (lambda: layers.AvgPool2D(2), (2, 2, 4, 4)),
    "UpSampling2D": (lambda: layers.UpSampling2D(2), (2, 2, 3, 3)),
    "LSTM": (lambda: layers.LSTM(3, 4, return_sequences=True, seed=0), (2, 5, 3)),
    "LSTM last state": (lambda: layers.LSTM(3, 4, seed=0), (2, 5, 3)),
    "LSTM last cell": (lambda: layers.LSTM(3, 4, return_cell=True, seed=0), (2, 5, 3)),
    "LSTMDecoder": (lambda: layers.LSTMDecoder(4, 3, seed=0), (2, 4)),
    "RepeatVector": (lambda: layers.RepeatVector(3), (2, 4)),
    "TimeDistributed": (lambda: layers.TimeDistributed(layers.Dense(3, 2, seed=0)), (2, 5, 3)),
}
NAMES = list(TABLE)
WITH_PARAMETERS = [name for name in NAMES if TABLE[name][0]().parameters()]


def speed(fast):
    return contextlib.nullcontext() if fast else fastconv.disabled()


def make64(name):
    make, shape = TABLE[name]
    return make().astype(backend.float64), shape


def randn(shape, seed):
    return backend.to_device(numpy.random.default_rng(seed).standard_normal(shape))


def run(layer, x, dy, seed):
    """One forward (training, noise re-seeded) and backward; returns dx."""
    layer.reseed(seed)
    layer.forward(x, training=True)
    return layer.backward(dy)


def grads(layer):
    return [backend.to_host(p.grad).copy() for p in layer.parameters()]


def test_every_exported_layer_is_in_the_table():
    exported = {name for name in dir(layers) if isinstance(getattr(layers, name), type)
                and issubclass(getattr(layers, name), layers.Layer) and name != "Layer"}
    covered = {type(make()).__name__ for make, _ in TABLE.values()}
    assert exported <= covered, f"add these layers to TABLE: {sorted(exported - covered)}"


@pytest.mark.parametrize("name", NAMES)
def test_backward_leaves_dy_and_input_untouched_and_keeps_float32(name):
    make, shape = TABLE[name]
    layer = make()
    g = numpy.random.default_rng(0)
    x = backend.to_device(g.standard_normal(shape).astype(numpy.float32))
    x_copy = x.copy()
    y = layer.forward(x, training=True)
    assert y.dtype == numpy.float32, f"{name} turned float32 input into {y.dtype}"
    dy = backend.to_device(g.standard_normal(y.shape).astype(numpy.float32))
    dy_copy = dy.copy()
    dx = layer.backward(dy)
    assert dx.shape == x.shape and dx.dtype == numpy.float32
    numpy.testing.assert_array_equal(backend.to_host(dy), backend.to_host(dy_copy))
    numpy.testing.assert_array_equal(backend.to_host(x), backend.to_host(x_copy))
    for p in layer.parameters():
        assert p.grad.dtype == numpy.float32 and p.data.dtype == numpy.float32


@pytest.mark.parametrize("name", NAMES)
def test_backward_before_forward_raises(name):
    make, shape = TABLE[name]
    with pytest.raises(RuntimeError, match="before forward"):
        make().backward(backend.xp.ones(shape, dtype=backend.float32))


# --- gradients accumulate ------------------------------------------------------------
@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("name", WITH_PARAMETERS)
@settings(max_examples=10)
@given(seed=seeds)
def test_two_backward_calls_add_their_parameter_gradients(name, fast, seed):
    """grad after (x1, dy1) then (x2, dy2) without zero_grad = the sum of each alone.
    A layer that writes ``grad = ...`` instead of ``grad += ...`` fails here."""
    layer, shape = make64(name)
    x1, x2 = randn(shape, seed), randn(shape, seed + 1)
    with speed(fast):
        dy1 = randn(layer.forward(x1).shape, seed + 2)
        dy2 = randn(dy1.shape, seed + 3)
        alone = []
        for x, dy in ((x1, dy1), (x2, dy2)):
            layer.zero_grad()
            run(layer, x, dy, seed)
            alone.append(grads(layer))
        layer.zero_grad()
        run(layer, x1, dy1, seed)
        run(layer, x2, dy2, seed)
    for p, g1, g2 in zip(layer.parameters(), *alone):
        numpy.testing.assert_allclose(backend.to_host(p.grad), g1 + g2, rtol=1e-12, atol=1e-12,
                                      err_msg=f"{name}: {p.name} after two backward calls")


@settings(max_examples=20)
@given(batch=st.integers(1, 4), n_in=st.integers(1, 5), n_out=st.integers(1, 5), seed=seeds)
def test_tied_weight_collects_both_uses_over_two_passes(batch, n_in, n_out, seed):
    """Dense + TiedDense sharing W: after two forward/backward passes without zero_grad,
    W.grad = Σ_passes (encoder's xᵀdz + decoder's (dyᵀh)), the decoder's use computed
    with an untied copy. An overwrite in either layer loses at least one term."""
    enc = layers.Dense(n_in, n_out, seed=seed).astype(backend.float64)
    net = layers.Sequential(enc, layers.Tanh(), layers.TiedDense(enc))
    untied_enc = layers.Dense(n_in, n_out, seed=seed).astype(backend.float64)
    untied_dec = layers.Dense(n_out, n_in).astype(backend.float64)
    untied_dec.W.data = untied_enc.W.data.T.copy()
    untied = layers.Sequential(untied_enc, layers.Tanh(), untied_dec)
    for k in range(2):
        x, dy = randn((batch, n_in), seed + 2 * k), randn((batch, n_in), seed + 2 * k + 1)
        for model in (net, untied):
            model.forward(x)
            model.backward(dy)
    expected = backend.to_host(untied_enc.W.grad) + backend.to_host(untied_dec.W.grad).T
    numpy.testing.assert_allclose(backend.to_host(enc.W.grad), expected, rtol=1e-12, atol=1e-12)
    assert len(net.parameters()) == 3  # W once, two biases: one optimizer step for W


# --- input_grad = False skips dx, and only dx ------------------------------------------
@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=10)
@given(seed=seeds)
def test_input_grad_false_returns_none_and_the_same_parameter_gradients(name, fast, seed):
    (full, shape), (skip, _) = make64(name), make64(name)
    skip.input_grad = False
    assert full.input_grad and not skip.input_grad
    x = randn(shape, seed)
    with speed(fast):
        dy = randn(full.forward(x).shape, seed + 1)
        assert run(full, x, dy, seed).shape == x.shape
        assert run(skip, x, dy, seed) is None
    for p, q in zip(full.parameters(), skip.parameters()):
        numpy.testing.assert_array_equal(backend.to_host(q.grad), backend.to_host(p.grad),
                                         err_msg=f"{name}: {p.name}")


def test_sequential_hands_input_grad_to_its_first_learning_layer():
    """False reaches every layer up to the first with parameters (here inside a nested
    Sequential), and no further: the layers after it must still pass dx back to it."""
    inner = layers.Sequential(layers.Reshape((1, 4, 4)), layers.GaussianNoise(0.1),
                              layers.Conv2D(1, 2, 3, seed=0), layers.ReLU())
    net = layers.Sequential(layers.Identity(), inner, layers.Flatten(), layers.Dense(8, 2))
    net.input_grad = False
    assert not net.input_grad and not inner.input_grad
    assert [layer.input_grad for layer in inner] == [False, False, False, True]
    assert net[2].input_grad and net[3].input_grad
    x = randn((3, 16), 0).astype(numpy.float32)
    assert net.backward(backend.xp.ones(net.forward(x).shape, dtype=numpy.float32)) is None
    net.input_grad = True
    assert all(layer.input_grad for layer in inner) and net[0].input_grad
    assert net.backward(backend.xp.ones((3, 2), dtype=numpy.float32)).shape == x.shape


def test_a_layer_skipping_dx_in_the_middle_is_refused():
    net = layers.Sequential(layers.Dense(4, 3), layers.Tanh(), layers.Dense(3, 2))
    net[2].input_grad = False  # the first Dense would silently get no gradient
    net.forward(backend.xp.ones((2, 4), dtype=numpy.float32))
    with pytest.raises(RuntimeError, match=r"returned no input gradient.*Dense\(4, 3\) before "
                                           r"it has parameters.*set input_grad = False on the "
                                           r"Sequential"):
        net.backward(backend.xp.ones((2, 2), dtype=numpy.float32))


def test_freeze_unfreeze_and_deduplicated_parameters():
    enc = layers.Dense(4, 3)
    net = layers.Sequential(enc, layers.ReLU(), layers.TiedDense(enc))
    assert len(net.parameters()) == 3
    net.freeze()
    assert all(p.frozen for p in net.parameters())
    net.unfreeze()
    assert not any(p.frozen for p in net.parameters())


def test_sequential_refuses_non_layers():
    with pytest.raises(TypeError, match="argument 1 is function"):
        layers.Sequential(layers.Dense(2, 2), lambda x: x)
