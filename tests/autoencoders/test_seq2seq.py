import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import backend
from minidl.gradcheck import check_gradients
from minidl.layers import LSTM, LSTMDecoder, TimeDistributed
from minidl.optimizers import Adam

from autoencoders import Autoencoder, Seq2SeqAutoencoder

seeds = st.integers(0, 2**16)


def sequences(shape, seed, low=0.0, high=1.0):
    return backend.to_device(numpy.random.default_rng(seed).uniform(low, high, shape))


def check_objective(model, x):
    """check_gradients of the model's objective over every parameter.

    (Not over x: x is also the target, and backward follows only the encoder's path.)
    """
    model.astype(numpy.float64)
    model.zero_grad()
    model.objective(x)
    model.backward()
    params = model.parameters()

    def f():
        return model.objective(x)["loss"]

    check_gradients(f, [p.data for p in params], [p.grad.copy() for p in params],
                    [p.name for p in params], rtol=1e-6)


@given(batch=st.integers(1, 3), steps=st.integers(1, 4), features=st.integers(1, 3),
       hidden=st.lists(st.integers(1, 3), min_size=1, max_size=2), loss=st.sampled_from(
           ["bce", "mse"]), seed=seeds)
def test_seq2seq_objective_gradients(batch, steps, features, hidden, loss, seed):
    model = Seq2SeqAutoencoder([features] + hidden, loss=loss, seed=seed)
    n_lstm = 2 * len(hidden)
    assert len(model.parameters()) == 3 * n_lstm + 2  # W, U, b per LSTM; the output Dense
    check_objective(model, sequences((batch, steps, features), seed))


def test_architecture_mirrors_the_sizes():
    model = Seq2SeqAutoencoder([5, 8, 3], seed=0)
    enc = [layer for layer in model.encoder if isinstance(layer, LSTM)]
    dec = list(model.decoder)
    assert [(l.n_in, l.n_hidden, l.return_sequences, l.return_cell) for l in enc] == [
        (5, 8, True, False), (8, 3, False, True)]          # the code is the last cell state
    assert isinstance(dec[0], LSTMDecoder) and isinstance(dec[-1], TimeDistributed)
    assert (dec[0].lstm.n_in, dec[0].lstm.n_hidden) == (3, 3)
    assert [(l.n_in, l.n_hidden) for l in dec[1:-1]] == [(3, 8)]
    assert (dec[-1].layer.n_in, dec[-1].layer.n_out) == (8, 5)
    assert isinstance(model, Autoencoder)


def test_objective_value_is_the_loss_of_the_reconstruction():
    """BCE with logits (mean over all elements) of the decoder's logits, by hand."""
    model = Seq2SeqAutoencoder([3, 4], seed=1)
    x = sequences((5, 6, 3), 2).astype(numpy.float32)
    value = model.objective(x)["loss"]
    logits = backend.to_host(model.decoder.forward(model.encoder.forward(x))).astype(numpy.float64)
    t = backend.to_host(x).astype(numpy.float64)
    expected = numpy.mean(numpy.logaddexp(0, logits) - logits * t)
    assert value == pytest.approx(expected, rel=1e-5)
    recon = backend.to_host(model.reconstruct(x))
    numpy.testing.assert_allclose(recon, 1 / (1 + numpy.exp(-logits)), rtol=1e-5)
    assert recon.shape == (5, 6, 3) and recon.dtype == numpy.float32


def test_codes_lengths_and_decode():
    model = Seq2SeqAutoencoder([2, 4], seed=0)
    with pytest.raises(ValueError, match="does not know the sequence length"):
        model.decode(backend.xp.zeros((3, 4), dtype=numpy.float32))
    z = model.encode(sequences((3, 7, 2), 0).astype(numpy.float32))
    assert z.shape == (3, 4)
    assert model.decode(z).shape == (3, 7, 2)            # the last length seen
    assert model.decode(z, seq_len=5).shape == (3, 5, 2)
    assert model.reconstruct(sequences((2, 9, 2), 1).astype(numpy.float32)).shape == (2, 9, 2)
    fixed = Seq2SeqAutoencoder([2, 4], seq_len=6, seed=0)
    assert fixed.decode(backend.xp.zeros((1, 4), dtype=numpy.float32)).shape == (1, 6, 2)
    assert fixed.get_config() == {"sizes": [2, 4], "seq_len": 6, "loss": "bce"}


def test_training_reduces_reconstruction_error():
    """Sine waves of random phase: a few epochs of Adam must beat the initial error clearly."""
    gen = numpy.random.default_rng(0)
    t = numpy.arange(12)
    X = numpy.sin(t / 2.0 + gen.uniform(0, 6.3, (64, 1)))[:, :, None].astype(numpy.float32)
    model = Seq2SeqAutoencoder([1, 8], loss="mse", seed=0)
    before = model.evaluate(X)["loss"]
    history = model.fit(X, epochs=30, batch_size=16, optimizer=Adam(lr=1e-2, clip_norm=1.0),
                        seed=0, verbose=0).history_
    after = model.evaluate(X)["loss"]
    assert after < 0.3 * before
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_bad_arguments_are_refused_with_the_valid_range():
    for sizes, words in (([28], "at least 2 sizes"),
                         ([28, 0], r"sizes\[1\]=0 must be an integer >= 1"),
                         ("28,64", "must be a list of layer sizes"),
                         ([28, 2.5], r"sizes\[1\]=2.5 must be an integer")):
        with pytest.raises(ValueError, match=words):
            Seq2SeqAutoencoder(sizes)
    with pytest.raises(ValueError, match="seq_len=0 must be an integer >= 1"):
        Seq2SeqAutoencoder([28, 64], seq_len=0)
    model = Seq2SeqAutoencoder([28, 8])
    with pytest.raises(ValueError, match=r"\(4, 784\).*X.reshape\(-1, 28, 28\)"):
        model.encode(backend.xp.zeros((4, 784), dtype=numpy.float32))
