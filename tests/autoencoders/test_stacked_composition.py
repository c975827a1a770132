"""The stack computes what its units compute, one after the other.

    encode(x)      = f_L(... f_1(x))
    reconstruct(x) = g_1(... g_L(f_L(... f_1(x))))     (g_i: unit i's decoder, then σ)

Sharing the units' Parameters is checked elsewhere by identity; here the numbers of the
stacked encoder and decoder are checked against the units' own encode and decode, after
pretraining (so the weights are not their initial values) and again after fine-tuning.
"""
import numpy
import pytest

from minidl import backend

from autoencoders import StackedAutoencoder


def host(a):
    return backend.to_host(a)


@pytest.mark.parametrize("unit", ["plain", "sparse"])
def test_stacked_encode_and_reconstruct_are_the_units_composed(unit):
    X = (numpy.random.default_rng(0).random((40, 10)) < 0.4).astype(numpy.float32)
    model = StackedAutoencoder([10, 6, 3], unit=unit, seed=1)
    model.pretrain(X, epochs=2, batch_size=10)
    for stage in ("pretrained", "fine-tuned"):
        codes = X
        for u in model.units:
            codes = u.encode(codes)
        numpy.testing.assert_allclose(host(model.encode(X)), host(codes), rtol=1e-5,
                                      atol=1e-6, err_msg=stage)
        out = codes
        for u in reversed(model.units):
            out = u.decode(out)
        numpy.testing.assert_allclose(host(model.reconstruct(X)), host(out), rtol=1e-5,
                                      atol=1e-6, err_msg=stage)
        model.fit(X, epochs=2, batch_size=10, seed=2, verbose=0)
