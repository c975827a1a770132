"""The Layer contract, checked for every layer in minidl.layers.

backward must not write into dy or into the cached input, must refuse to run before
forward, and a float32 input must give a float32 output and gradient.
"""
import numpy
import pytest

from minidl import backend, layers

# name -> (constructor, input shape)
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
    "Sequential": (lambda: layers.Sequential(layers.Dense(4, 3), layers.Tanh()), (2, 4)),
    "Conv2D": (lambda: layers.Conv2D(2, 3, 3, padding="same", seed=0), (2, 2, 5, 5)),
    "Conv2DTranspose": (lambda: layers.Conv2DTranspose(2, 3, 3, stride=2, seed=0), (2, 2, 4, 4)),
    "MaxPool2D": (lambda: layers.MaxPool2D(2), (2, 2, 4, 4)),
    "AvgPool2D": (lambda: layers.AvgPool2D(2), (2, 2, 4, 4)),
    "UpSampling2D": (lambda: layers.UpSampling2D(2), (2, 2, 3, 3)),
    "LSTM": (lambda: layers.LSTM(3, 4, return_sequences=True, seed=0), (2, 5, 3)),
    "RepeatVector": (lambda: layers.RepeatVector(3), (2, 4)),
    "TimeDistributed": (lambda: layers.TimeDistributed(layers.Dense(3, 2, seed=0)), (2, 5, 3)),
}
PRESENT = [name for name in TABLE if hasattr(layers, name)]


def test_every_exported_layer_is_in_the_table():
    exported = {name for name in dir(layers) if isinstance(getattr(layers, name), type)
                and issubclass(getattr(layers, name), layers.Layer) and name != "Layer"}
    assert exported <= set(TABLE), f"add these layers to TABLE: {sorted(exported - set(TABLE))}"


@pytest.mark.parametrize("name", PRESENT)
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


@pytest.mark.parametrize("name", PRESENT)
def test_backward_before_forward_raises(name):
    make, shape = TABLE[name]
    with pytest.raises(RuntimeError, match="before forward"):
        make().backward(backend.xp.ones(shape, dtype=backend.float32))


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
