"""DBN: greedy RBM stack, up-pass, unrolling (copied, untied weights), classifier, sampling."""
import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import backend
from minidl.gradcheck import check_gradients, check_layer
from minidl.layers import Dense, Sigmoid
from minidl.losses import BCEWithLogits

from rbm import DBN, BernoulliRBM

seeds = st.integers(0, 2**16)
widths = st.lists(st.integers(1, 5), min_size=2, max_size=4)


def images(n, d, seed):
    return backend.to_device(numpy.random.default_rng(seed).random((n, d)), dtype=numpy.float32)


def host(a):
    return backend.to_host(a)


def denses(layer):
    return [l for l in layer if isinstance(l, Dense)]


@given(sizes=widths, linear_top=st.booleans(), seed=seeds)
def test_unrolled_weights_are_the_rbms_and_untied(sizes, linear_top, seed):
    dbn = DBN(sizes, linear_top=linear_top, seed=seed)
    for rbm in dbn.rbms:  # non-zero biases, so a swap of b and c would show
        rbm.vbias.data += backend.to_device(numpy.arange(rbm.n_visible), dtype=numpy.float32)
        rbm.hbias.data -= backend.to_device(numpy.arange(rbm.n_hidden), dtype=numpy.float32)
    encoder, decoder = dbn.unroll()
    enc, dec = denses(encoder), denses(decoder)
    for i, rbm in enumerate(dbn.rbms):
        numpy.testing.assert_array_equal(host(enc[i].W.data), host(rbm.W.data))
        numpy.testing.assert_array_equal(host(enc[i].b.data), host(rbm.hbias.data))
        numpy.testing.assert_array_equal(host(dec[-1 - i].W.data), host(rbm.W.data).T)
        numpy.testing.assert_array_equal(host(dec[-1 - i].b.data), host(rbm.vbias.data))
    assert isinstance(encoder[-1], Sigmoid) != linear_top
    assert isinstance(decoder[-1], Dense)  # logits
    W_rbm, W_dec = host(dbn.rbms[0].W.data).copy(), host(dec[-1].W.data).copy()
    enc[0].W.data += 1.0
    numpy.testing.assert_array_equal(host(dbn.rbms[0].W.data), W_rbm)
    numpy.testing.assert_array_equal(host(dec[-1].W.data), W_dec)


@given(sizes=widths, linear_top=st.booleans(), seed=seeds, n=st.integers(1, 5))
def test_transform_is_the_up_pass_and_the_encoder_computes_it(sizes, linear_top, seed, n):
    dbn = DBN(sizes, linear_top=linear_top, seed=seed)
    X = images(n, sizes[0], seed)
    H = host(X).astype(numpy.float64)
    for i, rbm in enumerate(dbn.rbms):
        a = H @ host(rbm.W.data) + host(rbm.hbias.data)
        H = a if (linear_top and i == len(dbn.rbms) - 1) else 1 / (1 + numpy.exp(-a))
    numpy.testing.assert_allclose(host(dbn.transform(X)), H, rtol=1e-5, atol=1e-6)
    encoder, _ = dbn.unroll()
    numpy.testing.assert_allclose(host(encoder.forward(X)), H, rtol=1e-5, atol=1e-6)


# Ten random 2-4 pixel images: an upper RBM sees hidden probabilities near 0.5, its data
# start reconstructs them almost exactly (error ~1e-5), and lr 0.1 then rightly reports a
# 10x rise. What this test checks is which data each RBM is fitted on, not the training.
@pytest.mark.filterwarnings("ignore::minidl.callbacks.DivergenceWarning")
@given(sizes=st.lists(st.integers(2, 4), min_size=3, max_size=4), seed=seeds)
def test_greedy_phase_fits_rbm_i_on_the_transform_of_rbm_i_minus_1(sizes, seed):
    dbn = DBN(sizes, seed=seed)
    X = images(10, sizes[0], seed)
    seen = []
    for rbm in dbn.rbms:
        def recording_fit(H, _fit=rbm.fit, **kw):
            seen.append(host(H).copy())
            return _fit(H, **kw)
        rbm.fit = recording_fit
    dbn.pretrain(X, epochs=1, batch_size=4)
    H = X
    for i, rbm in enumerate(dbn.rbms):
        numpy.testing.assert_allclose(seen[i], host(H), rtol=1e-6)
        H = rbm.transform(H)


@given(sizes=widths, linear_top=st.booleans(), seed=seeds, n=st.integers(1, 4))
def test_unrolled_network_gradients_float64(sizes, linear_top, seed, n):
    dbn = DBN(sizes, linear_top=linear_top, seed=seed)
    encoder, decoder = dbn.unroll()
    encoder.astype(numpy.float64), decoder.astype(numpy.float64)
    X = backend.to_device(numpy.random.default_rng(seed).random((n, sizes[0])))
    loss = BCEWithLogits()
    params = encoder.parameters() + decoder.parameters()

    def f():
        return loss.forward(decoder.forward(encoder.forward(X)), X)

    f()
    for p in params:
        p.zero_grad()
    encoder.backward(decoder.backward(loss.backward()))
    check_gradients(f, [p.data for p in params], [p.grad.copy() for p in params],
                    [p.name for p in params], rtol=1e-6, atol=1e-8)  # tiny deep-stack gradients
    check_layer(decoder, encoder.forward(X), seed=seed, atol=1e-8)  # random dy, dx too


@given(sizes=widths, n_classes=st.integers(2, 4), seed=seeds)
def test_classifier_starts_from_the_pretrained_encoder(sizes, n_classes, seed):
    dbn = DBN(sizes, seed=seed)
    model = dbn.to_classifier(n_classes, seed=seed)
    layers = denses(model.network)
    assert layers[-1].W.shape == (sizes[-1], n_classes)
    for dense, rbm in zip(layers, dbn.rbms):
        numpy.testing.assert_array_equal(host(dense.W.data), host(rbm.W.data))
        assert dense.W is not rbm.W
    X = images(6, sizes[0], seed)
    y = backend.to_device(numpy.random.default_rng(seed).integers(0, n_classes, 6))
    before = host(dbn.rbms[0].W.data).copy()
    model.fit(X, y, epochs=1, batch_size=3, verbose=0)
    numpy.testing.assert_array_equal(host(dbn.rbms[0].W.data), before)


def test_pretrain_uses_the_paper_units_and_lowers_reconstruction_error():
    rng = numpy.random.default_rng(0)
    protos = rng.random((4, 16)) < 0.5
    X = backend.to_device(protos[rng.integers(0, 4, 200)], dtype=numpy.float32)
    dbn = DBN([16, 8, 3], linear_top=True, seed=0)
    assert dbn.rbms[-1].hidden == "linear" and dbn.rbms[0].hidden == "binary"
    assert all(isinstance(r, BernoulliRBM) for r in dbn.rbms)
    err0 = dbn.rbms[0].evaluate(X)["recon_error"]
    dbn.pretrain(X, epochs=5, batch_size=20)
    assert dbn.rbms[0].evaluate(X)["recon_error"] < err0
    assert dbn.transform(X).shape == (200, 3)


@given(sizes=widths, seed=seeds, n=st.integers(1, 4))
def test_samples_are_probabilities_and_reproducible(sizes, seed, n):
    a = host(DBN(sizes, seed=seed).sample(n, steps=3))
    b = host(DBN(sizes, seed=seed).sample(n, steps=3))
    assert a.shape == (n, sizes[0]) and a.min() >= 0 and a.max() <= 1
    numpy.testing.assert_array_equal(a, b)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="at least 2"):
        DBN([784])
    with pytest.raises(ValueError, match=r"sizes\[1\]=-3 must be an integer >= 1"):
        DBN([784, -3])
    dbn = DBN([5, 3], seed=0)
    with pytest.raises(ValueError, match=r"expected \(batch, 5\)"):
        dbn.transform(images(2, 4, 0))
    with pytest.raises(ValueError, match=r"expected \(batch, 5\)"):
        dbn.pretrain(images(2, 6, 0), epochs=1, batch_size=2)
    with pytest.raises(ValueError, match="steps=-1"):
        dbn.sample(2, steps=-1)
    with pytest.raises(ValueError, match="init has 3 rows but n=2"):
        dbn.sample(2, init=images(3, 5, 0))
