"""What Seq2SeqAutoencoder.decode writes, not only its shape.

The decoder reads the same code z at every step (RepeatVector) through causal LSTMs, so
step t depends on z and steps < t only: the first 5 steps of a 7-step decode are the 5-step
decode. And decode(encode(x)) is reconstruct(x), sequences in [0, 1] (sigmoid applied).
"""
import numpy

from minidl import backend

from autoencoders import Seq2SeqAutoencoder


def host(a):
    return backend.to_host(a)


def sequences(shape, seed):
    return numpy.random.default_rng(seed).random(shape).astype(numpy.float32)


def test_a_shorter_decode_is_the_prefix_of_a_longer_one():
    model = Seq2SeqAutoencoder([2, 4], seed=0)
    z = model.encode(sequences((3, 7, 2), 0))
    long, short = host(model.decode(z, seq_len=7)), host(model.decode(z, seq_len=5))
    numpy.testing.assert_allclose(short, long[:, :5], rtol=1e-6, atol=1e-7)
    assert not numpy.allclose(long[:, 5], long[:, 6])          # later steps do move on


def test_decode_of_the_code_is_the_reconstruction():
    model = Seq2SeqAutoencoder([3, 5], seed=1)
    x = sequences((4, 6, 3), 1)
    recon = host(model.reconstruct(x))
    numpy.testing.assert_allclose(host(model.decode(model.encode(x))), recon, rtol=1e-6)
    assert recon.min() > 0 and recon.max() < 1
    logits = host(model.decoder.forward(model.encode(x)))
    numpy.testing.assert_allclose(recon, 1 / (1 + numpy.exp(-logits.astype(numpy.float64))),
                                  rtol=1e-5)
