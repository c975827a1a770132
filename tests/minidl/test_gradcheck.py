"""The gradient checker must pass correct gradients AND catch wrong ones."""
import numpy
import pytest
from hypothesis import example, given, strategies as st

from minidl import backend
from minidl.gradcheck import check_gradients, check_layer, numerical_gradient
from minidl.layers import Dense, Layer


def test_numerical_gradient_of_a_known_function():
    x = backend.to_device(numpy.array([[0.5, -1.0], [2.0, 0.25]]))
    grad = numerical_gradient(lambda: float((x ** 3).sum()), x)
    numpy.testing.assert_allclose(backend.to_host(grad), 3 * backend.to_host(x) ** 2, rtol=1e-8)
    numpy.testing.assert_array_equal(backend.to_host(x), [[0.5, -1.0], [2.0, 0.25]])  # restored


class WrongDense(Dense):
    """A Dense layer with a deliberately wrong bias gradient (halved)."""

    def backward(self, dy):
        self.W.grad += self.x.T @ dy
        self.b.grad += 0.5 * dy.sum(axis=0)  # wrong: should be the plain sum
        return dy @ self.W.data.T


def test_check_layer_catches_a_wrong_bias_gradient_and_explains():
    x = backend.to_device(numpy.random.default_rng(0).standard_normal((4, 3)))
    with pytest.raises(AssertionError) as err:
        check_layer(WrongDense(3, 2, seed=0), x)
    msg = str(err.value)
    assert ".b" in msg and "worst element" in msg and "rtol=" in msg and "analytic" in msg


class MutatingLayer(Layer):
    def forward(self, x, training=False):
        self.x = x
        return 2 * x

    def backward(self, dy):
        dy *= 2  # forbidden: writes into the caller's array
        return dy


def test_check_layer_catches_backward_that_mutates_dy():
    x = backend.to_device(numpy.ones((2, 2)))
    with pytest.raises(AssertionError, match="modified the upstream gradient"):
        check_layer(MutatingLayer(), x)


@given(batch=st.integers(1, 20), n=st.integers(5, 40), seed=st.integers(0, 2**16))
@example(batch=12, n=14, seed=13611)   # directions nearly orthogonal to the gradient: a
@example(batch=14, n=40, seed=2086)    # derivative of -0.0072 (|f| 27), of -0.00057 (|f| < 1)
@example(batch=11, n=37, seed=64)      # and one that sees the wrong bias only by 1.4e-6
def test_directional_mode_agrees_and_catches(batch, n, seed):
    x = backend.to_device(numpy.random.default_rng(seed).standard_normal((batch, n)))
    check_layer(Dense(n, 7, seed=seed), x, directional=True, seed=seed)
    with pytest.raises(AssertionError, match="directional"):
        check_layer(WrongDense(n, 7, seed=seed), x, directional=True, seed=seed)


def test_check_gradients_requires_float64():
    x = backend.xp.ones(3, dtype=backend.float32)
    with pytest.raises(TypeError, match="float64"):
        check_gradients(lambda: float(x.sum()), [x], [x], ["x"])


def test_check_gradients_on_a_closed_form():
    a = backend.to_device(numpy.array([1.0, -2.0, 0.5]))
    check_gradients(lambda: float(backend.xp.exp(a).sum()), [a], [backend.xp.exp(a)], ["a"])
    with pytest.raises(AssertionError, match="gradient check failed for a"):
        check_gradients(lambda: float(backend.xp.exp(a).sum()), [a], [a * 1.0], ["a"])


@pytest.mark.parametrize("directional", [False, True])
def test_checks_run_on_the_arrays_module_not_the_global(monkeypatch, backend_name, directional):
    """check_layer and the directional check draw and compare on x's module."""
    if backend_name != "numpy":
        pytest.skip("the arrays must be NumPy while the global is poisoned")

    class Poisoned:
        def __getattr__(self, name):
            raise AssertionError(f"gradcheck read the global backend.xp.{name}")

    layer = Dense(3, 2, seed=0)
    x = numpy.random.default_rng(0).standard_normal((4, 3))
    monkeypatch.setattr(backend, "xp", Poisoned())
    assert check_layer(layer, x, directional=directional) < 1e-6


def test_the_elementwise_check_allows_for_the_rounding_of_a_large_f_and_no_more():
    """f = 1000 + 0.001·Σ x²: each difference quotient carries ~u·1000/ε ≈ 1e-7 of rounding.

    That is far above atol + rtol·|g| (about 1e-9 here), so a check without the rounding
    floor failed this correct gradient; with it the correct one passes, and one that is
    wrong by 1% of its size (1e-5, above the floor) still fails, naming the floor.
    """
    x = backend.to_device(numpy.random.default_rng(0).uniform(0.5, 1.0, 6))

    def f():
        return float(1000.0 + 0.001 * (x * x).sum())
    exact = 0.002 * x
    noise = numpy.linalg.norm(backend.to_host(numerical_gradient(f, x) - exact))
    assert noise > 1e-9 + 1e-7 * 2 * numpy.linalg.norm(backend.to_host(exact))  # would fail
    check_gradients(f, [x], [exact], ["x"])
    with pytest.raises(AssertionError, match="rounding floor"):
        check_gradients(f, [x], [exact * 1.01], ["x"])
