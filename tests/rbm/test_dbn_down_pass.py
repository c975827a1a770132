"""DBN.inverse_transform is the down-pass of probabilities, top RBM first.

    v̂ = σ(b_1 + W_1 σ(b_2 + W_2 h))          (DBN([D, H1, H2]))

Every RBM of a DBN has binary visible units (only the top one's hidden units may be linear),
so each step down is a sigmoid, whatever ``linear_top`` says.

Until now a test only checked its shape; here it is computed from the weights by hand.
"""
import numpy
from hypothesis import given, strategies as st

from minidl import backend
from rbm import DBN
from rbm.exact import randomise


def host(a):
    return backend.to_host(a).astype(numpy.float64)


def sigmoid(a):
    return 1 / (1 + numpy.exp(-a))


@given(sizes=st.lists(st.integers(1, 5), min_size=2, max_size=4), linear_top=st.booleans(),
       seed=st.integers(0, 2**16), n=st.integers(1, 4))
def test_inverse_transform_is_the_down_pass_from_the_top(sizes, linear_top, seed, n):
    dbn = DBN(sizes, linear_top=linear_top, seed=seed)
    for i, rbm in enumerate(dbn.rbms):
        randomise(rbm, seed + i)
    top = numpy.random.default_rng(seed).random((n, sizes[-1])).astype(numpy.float32)
    expected = top.astype(numpy.float64)
    for rbm in reversed(dbn.rbms):
        expected = sigmoid(host(rbm.vbias.data) + expected @ host(rbm.W.data).T)
    got = host(dbn.inverse_transform(backend.to_device(top)))
    assert got.shape == (n, sizes[0])
    numpy.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
