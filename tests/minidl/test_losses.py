import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import backend
from minidl.gradcheck import check_gradients
from minidl.losses import MSE, BCEWithLogits, SoftmaxCrossEntropy

shapes = st.tuples(st.integers(1, 5), st.integers(1, 6))
seeds = st.integers(0, 2**16)
reductions = st.sampled_from(["mean", "sum", "batch"])


def data(shape, seed):
    g = numpy.random.default_rng(seed)
    return (backend.to_device(3 * g.standard_normal(shape)),
            backend.to_device(g.random(shape)))


def check_loss(loss, pred, target):
    loss.forward(pred, target)
    check_gradients(lambda: loss.forward(pred, target), [pred], [loss.backward()], ["dpred"])


@given(shape=shapes, seed=seeds, reduction=reductions)
def test_mse_gradient(shape, seed, reduction):
    check_loss(MSE(reduction), *data(shape, seed))


@given(shape=shapes, seed=seeds, reduction=reductions)
def test_bce_with_logits_gradient(shape, seed, reduction):
    check_loss(BCEWithLogits(reduction), *data(shape, seed))


@given(shape=shapes, seed=seeds, reduction=reductions, int_labels=st.booleans())
def test_softmax_cross_entropy_gradient(shape, seed, reduction, int_labels):
    pred, _ = data(shape, seed)
    labels = numpy.random.default_rng(seed).integers(0, shape[1], shape[0])
    target = labels if int_labels else numpy.eye(shape[1])[labels]
    check_loss(SoftmaxCrossEntropy(reduction), pred, backend.to_device(target))


def test_values_against_closed_forms():
    p = numpy.array([[0.5, -1.0, 2.0], [0.0, 3.0, -2.0]])
    t = numpy.array([[1.0, 0.0, 0.5], [0.2, 1.0, 0.0]])
    dp, dt = backend.to_device(p), backend.to_device(t)
    sq = (p - t) ** 2
    assert MSE().forward(dp, dt) == pytest.approx(sq.mean(), rel=1e-12)
    assert MSE("sum").forward(dp, dt) == pytest.approx(sq.sum(), rel=1e-12)
    assert MSE("batch").forward(dp, dt) == pytest.approx(sq.sum() / 2, rel=1e-12)
    s = 1 / (1 + numpy.exp(-p))
    bce = -(t * numpy.log(s) + (1 - t) * numpy.log(1 - s))
    assert BCEWithLogits().forward(dp, dt) == pytest.approx(bce.mean(), rel=1e-12)
    assert BCEWithLogits("batch").forward(dp, dt) == pytest.approx(bce.sum() / 2, rel=1e-12)
    softmax = numpy.exp(p) / numpy.exp(p).sum(axis=1, keepdims=True)
    labels = numpy.array([2, 1])
    ce = -numpy.log(softmax[[0, 1], labels])
    sce = SoftmaxCrossEntropy()
    assert sce.forward(dp, backend.to_device(labels)) == pytest.approx(ce.mean(), rel=1e-12)
    assert sce.forward(dp, backend.to_device(numpy.eye(3)[labels])) == pytest.approx(ce.mean())


def test_against_torch_functional():
    torch = pytest.importorskip("torch")
    g = numpy.random.default_rng(0)
    p, t = g.standard_normal((4, 7)), g.random((4, 7))
    labels = g.integers(0, 7, 4)
    F = torch.nn.functional
    tp, tt = torch.tensor(p), torch.tensor(t)
    dp, dt = backend.to_device(p), backend.to_device(t)
    assert BCEWithLogits().forward(dp, dt) == pytest.approx(
        F.binary_cross_entropy_with_logits(tp, tt).item(), rel=1e-10)
    assert MSE().forward(dp, dt) == pytest.approx(F.mse_loss(tp, tt).item(), rel=1e-10)
    assert SoftmaxCrossEntropy().forward(dp, backend.to_device(labels)) == pytest.approx(
        F.cross_entropy(tp, torch.tensor(labels)).item(), rel=1e-10)


def test_bce_is_finite_at_extreme_logits():
    z = backend.to_device(numpy.array([[-1e4, 1e4, -1e4, 1e4]], dtype=numpy.float32))
    t = backend.to_device(numpy.array([[0.0, 1.0, 1.0, 0.0]], dtype=numpy.float32))
    loss = BCEWithLogits("sum")
    with numpy.errstate(over="raise", divide="raise", invalid="raise"):
        value = loss.forward(z, t)
        grad = backend.to_host(loss.backward())
    assert value == pytest.approx(2e4, rel=1e-6)
    numpy.testing.assert_allclose(grad, [[0, 0, -1, 1]], atol=1e-12)


@pytest.mark.parametrize("dtype, rel", [(numpy.float64, 1e-12), (numpy.float32, 2e-6)])
def test_bce_shared_tanh_matches_the_log1p_form(dtype, rel):
    """The tanh form of forward agrees with max(z,0) − zt + log1p(e^−|z|) in float64."""
    g = numpy.random.default_rng(3)
    z = numpy.concatenate([g.uniform(-40, 40, 3000), g.standard_normal(3000)]).reshape(60, 100)
    t = g.random(z.shape)
    z64, t64 = z.astype(dtype).astype(numpy.float64), t.astype(dtype).astype(numpy.float64)
    exact = numpy.maximum(z64, 0) - z64 * t64 + numpy.log1p(numpy.exp(-numpy.abs(z64)))
    loss = BCEWithLogits("sum")
    value = loss.forward(backend.to_device(z.astype(dtype)), backend.to_device(t.astype(dtype)))
    assert value == pytest.approx(exact.sum(), rel=rel)
    grad = backend.to_host(loss.backward())
    numpy.testing.assert_allclose(grad, 1 / (1 + numpy.exp(-z64)) - t64, atol=10 * rel)
    numpy.testing.assert_array_equal(backend.to_host(loss.backward()), grad)  # cache intact


@pytest.mark.parametrize("cls", [MSE, BCEWithLogits])
def test_float32_stays_float32(cls):
    p = backend.xp.zeros((2, 3), dtype=backend.float32)
    loss = cls()
    loss.forward(p, p + 0.5)
    assert loss.backward().dtype == numpy.float32


@pytest.mark.parametrize("int_labels", [True, False])
def test_softmax_cross_entropy_keeps_float32(int_labels):
    p = backend.xp.zeros((2, 3), dtype=backend.float32)
    labels = numpy.array([0, 2])
    target = labels if int_labels else numpy.eye(3, dtype=numpy.float32)[labels]
    loss = SoftmaxCrossEntropy()
    loss.forward(p, backend.to_device(target))
    assert loss.backward().dtype == numpy.float32


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        MSE().forward(backend.xp.zeros((2, 3)), backend.xp.zeros((3, 2)))
    with pytest.raises(RuntimeError, match="before forward"):
        BCEWithLogits().backward()
    with pytest.raises(ValueError, match="reduction"):
        MSE("median")
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\)"):
        SoftmaxCrossEntropy().forward(backend.xp.zeros((2, 3)), backend.to_device(numpy.array([0, 3])))
