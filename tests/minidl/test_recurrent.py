"""Tests for minidl.layers.recurrent: LSTM (BPTT), LSTMDecoder, RepeatVector, TimeDistributed."""
import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import backend
from minidl.gradcheck import check_gradients, check_layer
from minidl.layers import LSTM, Dense, LSTMDecoder, RepeatVector, Sequential, TimeDistributed

small = st.integers(1, 4)
seeds = st.integers(0, 2**16)


def random_input(shape, seed, scale=1.0):
    return backend.to_device(scale * numpy.random.default_rng(seed).standard_normal(shape))


@given(batch=small, steps=st.integers(1, 5), n_in=small, n_hidden=small,
       sequences=st.booleans(), seed=seeds)
def test_lstm_gradients(batch, steps, n_in, n_hidden, sequences, seed):
    layer = LSTM(n_in, n_hidden, return_sequences=sequences, seed=seed)
    check_layer(layer, random_input((batch, steps, n_in), seed), seed=seed)


@given(batch=small, steps=st.integers(1, 5), n_in=small, n_hidden=small, seed=seeds)
def test_lstm_cell_output_gradients(batch, steps, n_in, n_hidden, seed):
    """return_cell=True: y = c_T, and backward starts from dc_T = dy (dx, W, U, b checked)."""
    layer = LSTM(n_in, n_hidden, return_cell=True, seed=seed)
    check_layer(layer, random_input((batch, steps, n_in), seed), seed=seed)


def test_lstm_cell_output_is_the_last_cell_state():
    """c_T from return_cell, and h_T = o_T tanh(c_T) from the plain layer, on one input."""
    x = random_input((2, 4, 3), 0)
    cell = LSTM(3, 5, return_cell=True, seed=1)
    plain = LSTM(3, 5, seed=1)
    c_T, h_T = backend.to_host(cell.forward(x)), backend.to_host(plain.forward(x))
    o_T = backend.to_host(plain.gates[-1][:, 15:])
    numpy.testing.assert_allclose(h_T, o_T * numpy.tanh(c_T), rtol=1e-5, atol=1e-6)
    assert not numpy.allclose(c_T, h_T)
    with pytest.raises(ValueError, match="return_cell=True .* return_sequences=True"):
        LSTM(3, 5, return_sequences=True, return_cell=True)


@given(batch=small, steps=st.integers(1, 5), n_hidden=small, seed=seeds)
def test_lstm_decoder_gradients(batch, steps, n_hidden, seed):
    """LSTMDecoder: dz along its three paths (input at every step, h_0, c_0) and the LSTM's
    W, U, b, against numerical gradients."""
    layer = LSTMDecoder(n_hidden, steps, seed=seed)
    check_layer(layer, random_input((batch, n_hidden), seed, scale=2.0), seed=seed)


def test_lstm_decoder_is_the_lstm_started_from_the_code():
    """Forward equals LSTM(x_t = tanh z for every t; h_0 = tanh z, c_0 = z) written out."""
    z = random_input((3, 4), 5)
    layer = LSTMDecoder(4, 6, seed=2)
    y = layer.forward(z)
    s = backend.xp.tanh(z)
    x = backend.xp.stack([s] * 6, axis=1)
    want = layer.lstm.forward(x, initial_state=(s, z))
    numpy.testing.assert_allclose(backend.to_host(y), backend.to_host(want), rtol=1e-6)
    assert y.shape == (3, 6, 4)
    with pytest.raises(ValueError, match=r"expected \(batch, 4\)"):
        layer.forward(random_input((3, 5), 0))


@given(batch=small, steps=st.integers(1, 4), n_in=small, n_hidden=small,
       sequences=st.booleans(), seed=seeds)
def test_lstm_initial_state_gradients(batch, steps, n_in, n_hidden, sequences, seed):
    layer = LSTM(n_in, n_hidden, return_sequences=sequences, seed=seed).astype(numpy.float64)
    x = random_input((batch, steps, n_in), seed)
    h0, c0 = random_input((batch, n_hidden), seed + 1), random_input((batch, n_hidden), seed + 2)
    y = layer.forward(x, initial_state=(h0, c0))
    dy = random_input(y.shape, seed + 3)
    layer.backward(dy)

    def f():
        return float((layer.forward(x, initial_state=(h0, c0)) * dy).sum())

    check_gradients(f, [h0, c0], [layer.dh0.copy(), layer.dc0.copy()], ["dh0", "dc0"])


def test_lstm_matches_step_equations():
    """Forward against the gate equations evaluated one step at a time with NumPy."""
    layer = LSTM(3, 2, return_sequences=True, seed=4)
    x = backend.to_host(random_input((2, 5, 3), 0)).astype(numpy.float32)
    y = backend.to_host(layer.forward(backend.to_device(x)))
    W, U, b = (backend.to_host(p.data).astype(numpy.float64) for p in layer.parameters())
    h = c = numpy.zeros((2, 2))
    sig = lambda z: 1 / (1 + numpy.exp(-z))  # noqa: E731
    for t in range(5):
        i, f, g, o = numpy.split(x[:, t] @ W + h @ U + b, 4, axis=1)
        c = sig(f) * c + sig(i) * numpy.tanh(g)
        h = sig(o) * numpy.tanh(c)
        numpy.testing.assert_allclose(y[:, t], h, rtol=1e-5, atol=1e-6)
    assert y.dtype == numpy.float32


@given(batch=small, steps=st.integers(1, 6), n_in=small, n_hidden=small, seed=seeds)
def test_lstm_forward_matches_torch(batch, steps, n_in, n_hidden, seed):
    torch = pytest.importorskip("torch")
    layer = LSTM(n_in, n_hidden, return_sequences=True, seed=seed)
    ref = torch.nn.LSTM(n_in, n_hidden, batch_first=True)
    with torch.no_grad():  # torch holds W_ih (4H, D), W_hh (4H, H), same gate order i, f, g, o
        ref.weight_ih_l0.copy_(torch.from_numpy(backend.to_host(layer.W.data).T.copy()))
        ref.weight_hh_l0.copy_(torch.from_numpy(backend.to_host(layer.U.data).T.copy()))
        ref.bias_ih_l0.copy_(torch.from_numpy(backend.to_host(layer.b.data)))
        ref.bias_hh_l0.zero_()  # torch's two biases add up to our one
    x = backend.to_host(random_input((batch, steps, n_in), seed)).astype(numpy.float32)
    h0 = backend.to_host(random_input((batch, n_hidden), seed + 1)).astype(numpy.float32)
    c0 = backend.to_host(random_input((batch, n_hidden), seed + 2)).astype(numpy.float32)
    expected, (h_T, c_T) = ref(torch.from_numpy(x), (torch.from_numpy(h0)[None],
                                                     torch.from_numpy(c0)[None]))
    ours = layer.forward(backend.to_device(x), initial_state=(backend.to_device(h0),
                                                             backend.to_device(c0)))
    numpy.testing.assert_allclose(backend.to_host(ours), expected.detach().numpy(),
                                  rtol=1e-5, atol=1e-5)


def test_lstm_initialisation():
    layer = LSTM(6, 5, seed=0)
    b = backend.to_host(layer.b.data)
    numpy.testing.assert_array_equal(b[5:10], 1.0)  # forget-gate bias
    numpy.testing.assert_array_equal(numpy.delete(b, range(5, 10)), 0.0)
    U = backend.to_host(layer.U.data)
    numpy.testing.assert_allclose(U @ U.T, numpy.eye(5), atol=1e-5)  # orthogonal rows
    a = numpy.sqrt(6 / (6 + 20))
    W = backend.to_host(layer.W.data)
    assert W.shape == (6, 20) and numpy.abs(W).max() <= a
    numpy.testing.assert_array_equal(W, backend.to_host(LSTM(6, 5, seed=0).W.data))


def test_long_saturated_sequence_stays_finite():
    layer = LSTM(8, 16, return_sequences=True, seed=0)
    x = random_input((4, 500, 8), 0, scale=1e4).astype(numpy.float32)
    y = layer.forward(x)
    dx = layer.backward(random_input(y.shape, 1).astype(numpy.float32))
    for a in (y, dx, layer.W.grad, layer.U.grad, layer.b.grad, layer.dh0, layer.dc0):
        assert bool(backend.xp.isfinite(a).all())
    assert float(backend.xp.abs(y).max()) <= 1.0  # h = o tanh(c) is bounded


def test_lstm_wrong_shapes_say_how_to_fix():
    layer = LSTM(28, 8)
    with pytest.raises(ValueError, match=r"\(64, 784\).*reshape\(len\(x\), 28, 28\)"):
        layer.forward(backend.xp.zeros((64, 784), dtype=numpy.float32))
    with pytest.raises(ValueError, match=r"expected \(batch, time, 28\)"):
        layer.forward(backend.xp.zeros((2, 3, 5), dtype=numpy.float32))
    x = backend.xp.zeros((2, 3, 28), dtype=numpy.float32)
    with pytest.raises(ValueError, match=r"h0 has shape \(3, 8\).*\(2, 8\)"):
        layer.forward(x, initial_state=(backend.xp.zeros((3, 8)), backend.xp.zeros((2, 8))))
    layer.forward(x)
    with pytest.raises(ValueError, match=r"expected the output's shape \(2, 8\)"):
        layer.backward(backend.xp.zeros((2, 3, 8), dtype=numpy.float32))


def test_backward_before_forward_and_bad_sizes_raise():
    for layer in (LSTM(2, 3), RepeatVector(2), TimeDistributed(Dense(2, 3))):
        with pytest.raises(RuntimeError, match="before forward"):
            layer.backward(backend.xp.zeros((1, 3)))
    for bad in (0, -2, 1.5):
        with pytest.raises(ValueError, match=r"LSTM: n_hidden=.* must be an integer >= 1"):
            LSTM(3, bad)
        with pytest.raises(ValueError, match=r"RepeatVector: n=.* must be an integer >= 1"):
            RepeatVector(bad)


@given(batch=small, n=small, d=small, seed=seeds)
def test_repeat_vector(batch, n, d, seed):
    x = random_input((batch, d), seed)
    y = RepeatVector(n).forward(x)
    assert y.shape == (batch, n, d)
    numpy.testing.assert_array_equal(backend.to_host(y[:, -1]), backend.to_host(x))
    check_layer(RepeatVector(n), x, seed=seed)


@given(batch=small, steps=small, n_in=small, n_out=small, seed=seeds)
def test_time_distributed_gradients(batch, steps, n_in, n_out, seed):
    layer = TimeDistributed(Sequential(Dense(n_in, 3, seed=seed), Dense(3, n_out, seed=seed + 1)))
    assert len(layer.parameters()) == 4  # the inner layers' W and b, shared over time
    check_layer(layer, random_input((batch, steps, n_in), seed), seed=seed)


def test_time_distributed_applies_layer_per_step():
    dense = Dense(3, 2, seed=0)
    x = random_input((4, 5, 3), 0).astype(numpy.float32)
    y = TimeDistributed(dense).forward(x)
    for t in range(5):
        numpy.testing.assert_allclose(backend.to_host(y[:, t]),
                                      backend.to_host(dense.forward(x[:, t])), rtol=1e-6)
    with pytest.raises(ValueError, match=r"expected \(batch, time, features"):
        TimeDistributed(dense).forward(x[:, 0])
    with pytest.raises(TypeError, match="wraps a minidl Layer"):
        TimeDistributed(numpy.tanh)


@given(batch=small, steps=st.integers(2, 4), seed=seeds)
def test_lstm_stack_encoder_decoder_gradients(batch, steps, seed):
    """The seq2seq chain LSTM -> RepeatVector -> LSTM -> TimeDistributed(Dense), end to end."""
    net = Sequential(LSTM(3, 4, seed=seed), RepeatVector(steps),
                     LSTM(4, 2, return_sequences=True, seed=seed + 1),
                     TimeDistributed(Dense(2, 3, seed=seed + 2)))
    check_layer(net, random_input((batch, steps, 3), seed), seed=seed)
