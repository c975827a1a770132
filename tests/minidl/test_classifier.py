"""Classifier: softmax cross-entropy values, gradients, predictions, freezing."""
import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import backend
from minidl.classifier import Classifier
from minidl.gradcheck import check_gradients
from minidl.layers import Dense, Sequential, Tanh
from minidl.optimizers import SGD
from minidl.pretrain import freeze_first

sizes = st.integers(1, 5)
seeds = st.integers(0, 2**16)


def data(n, d, c, seed):
    rng = numpy.random.default_rng(seed)
    X = backend.to_device(rng.standard_normal((n, d)))
    y = backend.to_device(rng.integers(0, c, n))
    return X, y


def net(d, c, seed, hidden=4):
    return Sequential(Dense(d, hidden, seed=seed), Tanh(), Dense(hidden, c, seed=seed + 1))


@given(n=sizes, d=sizes, c=st.integers(2, 5), seed=seeds)
def test_loss_and_accuracy_match_closed_form(n, d, c, seed):
    X, y = data(n, d, c, seed)
    model = Classifier(net(d, c, seed).astype(numpy.float64), n_classes=c)
    z = backend.to_host(model.logits(X))
    yh = backend.to_host(y)
    log_p = z - z.max(1, keepdims=True)
    log_p -= numpy.log(numpy.exp(log_p).sum(1, keepdims=True))
    expected = -log_p[numpy.arange(n), yh].mean()
    metrics = model.evaluate((X, y))
    assert metrics["loss"] == pytest.approx(expected, rel=1e-10)
    assert metrics["accuracy"] == pytest.approx((z.argmax(1) == yh).mean())


@given(n=sizes, d=sizes, c=st.integers(2, 4), seed=seeds)
def test_objective_gradients_float64(n, d, c, seed):
    X, y = data(n, d, c, seed)
    model = Classifier(net(d, c, seed).astype(numpy.float64))
    model.objective(X, y)
    model.zero_grad()
    dx = model.backward()
    params = model.parameters()

    def f():
        return model.objective(X, y)["loss"]

    check_gradients(f, [X] + [p.data for p in params], [dx] + [p.grad.copy() for p in params],
                    ["dx"] + [p.name for p in params])


@given(n=sizes, d=sizes, c=st.integers(2, 5), seed=seeds)
def test_predictions_agree_with_probabilities(n, d, c, seed):
    X, _ = data(n, d, c, seed)
    model = Classifier(net(d, c, seed))
    proba = backend.to_host(model.predict_proba(X.astype(numpy.float32)))
    assert proba.shape == (n, c) and proba.dtype == numpy.float32
    numpy.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-5)
    numpy.testing.assert_array_equal(backend.to_host(model.predict(X)), proba.argmax(1))


@given(seed=seeds, k=st.integers(0, 3))
def test_frozen_layers_do_not_move_during_fit(seed, k):
    X, y = data(40, 3, 3, seed)
    network = freeze_first(net(3, 3, seed), k)
    before = [p.data.copy() for p in network.parameters()]
    frozen = [p.frozen for p in network.parameters()]
    Classifier(network).fit(X, y, epochs=2, batch_size=10, optimizer=SGD(0.5), verbose=0)
    for b, p, fz in zip(before, network.parameters(), frozen):
        assert bool((p.data == b).all()) == fz, p.name


def test_fit_learns_a_separable_problem():
    rng = numpy.random.default_rng(0)
    X = rng.standard_normal((200, 2)).astype(numpy.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    model = Classifier(Sequential(Dense(2, 2, seed=0)), n_classes=2)
    model.fit(X, y, epochs=20, batch_size=20, optimizer=SGD(0.5), seed=0, verbose=0)
    assert model.score(X, y) > 0.95


def test_bad_arguments_are_refused():
    X, y = data(4, 3, 2, 0)
    with pytest.raises(TypeError, match="Layer"):
        Classifier("not a network")
    with pytest.raises(ValueError, match="n_classes"):
        Classifier(net(3, 2, 0), n_classes=1)
    with pytest.raises(ValueError, match=r"expected \(batch, 5\)"):
        Classifier(net(3, 2, 0), n_classes=5).predict(X)
    with pytest.raises(ValueError, match="labelled batches"):
        Classifier(net(3, 2, 0)).evaluate(X)
    with pytest.raises(ValueError, match="one int label per sample"):
        Classifier(net(3, 2, 0)).evaluate((X, y[:2]))
    with pytest.raises(ValueError, match="expected"):
        Classifier(net(3, 2, 0)).predict(X[:, :2])
