"""minidl.checks: the shared argument and data checks, value by value."""
import math

import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import backend, checks


@given(value=st.integers(-5, 50))
def test_integer_accepts_python_and_numpy_ints_and_returns_python_int(value):
    for given_value in (value, numpy.int64(value), numpy.int8(value), numpy.uint16(abs(value))):
        out = checks.integer("Owner", "n", given_value)
        assert type(out) is int and out == int(given_value)


@pytest.mark.parametrize("value, words", [
    (3.0, r"Owner: n=3.0 must be an integer; sizes and counts are whole numbers, e.g. n=3"),
    (3.7, r"n=3.7 must be an integer; .* e.g. n=4"),
    (numpy.float32(2.0), r"n=.*2.0.* must be an integer"),
    (True, r"n=True must be an integer$"),
    (False, r"n=False must be an integer$"),
    ("3", r"n='3' must be an integer$"),
    (None, r"n=None must be an integer$"),
    ([3], r"n=\[3\] must be an integer$"),
])
def test_integer_refuses_non_integers_naming_owner_and_value(value, words):
    with pytest.raises(ValueError, match=words):
        checks.integer("Owner", "n", value)


@pytest.mark.parametrize("value, low, ok", [(0, 0, True), (-1, 0, False), (1, 1, True),
                                            (0, 1, False), (numpy.int32(5), 6, False)])
def test_integer_lower_bound_is_inclusive(value, low, ok):
    if ok:
        assert checks.integer("O", "k", value, low=low) == value
    else:
        with pytest.raises(ValueError, match=rf"k={int(value)} must be an integer >= {low}"):
            checks.integer("O", "k", value, low=low)


def test_positive_int_is_integer_at_least_one():
    assert checks.positive_int("O", "k", numpy.int64(1)) == 1
    with pytest.raises(ValueError, match=r"O: k=0 must be an integer >= 1"):
        checks.positive_int("O", "k", 0)


@given(value=st.floats(-1e30, 1e30, allow_nan=False))
def test_number_returns_a_python_float_for_any_finite_real(value):
    for given_value in (value, numpy.float32(value), numpy.float64(value)):
        out = checks.number("O", "x", given_value)
        assert type(out) is float and out == float(given_value)
    assert checks.number("O", "x", 3) == 3.0 and checks.number("O", "x", numpy.int16(2)) == 2.0


@pytest.mark.parametrize("value, error, words", [
    (math.inf, ValueError, r"x=inf must be a finite number"),
    (-math.inf, ValueError, r"x=-inf must be a finite number"),
    (math.nan, ValueError, r"x=nan must be a finite number"),
    (numpy.float32("nan"), ValueError, r"x=nan must be a finite number"),
    (True, TypeError, r"x=True must be a number, got bool"),
    ("0.1", TypeError, r"x='0.1' must be a number, got str"),
    (None, TypeError, r"x=None must be a number, got NoneType"),
    (1j, TypeError, r"must be a number, got complex"),
])
def test_number_refuses_non_finite_and_non_numbers(value, error, words):
    with pytest.raises(error, match=words):
        checks.number("O", "x", value)


@pytest.mark.parametrize("kwargs, inside, outside, expected", [
    (dict(low=0, low_open=True), [1e-12, 5.0], [0.0, -1.0], r"a number > 0"),
    (dict(low=0), [0.0, 2.0], [-1e-9], r"a number >= 0"),
    (dict(high=1, high_open=True), [0.999, -3.0], [1.0, 2.0], r"a number < 1"),
    (dict(low=0, high=1, high_open=True), [0.0, 0.5], [1.0, -0.1], r"a number in \[0, 1\)"),
    (dict(low=0, high=1, low_open=True), [1.0, 0.5], [0.0, 1.1], r"a number in \(0, 1\]"),
])
def test_number_bounds_open_and_closed(kwargs, inside, outside, expected):
    for v in inside:
        assert checks.number("O", "x", v, **kwargs) == v
    for v in outside:
        with pytest.raises(ValueError, match=rf"O: x={v!r} is out of range: expected {expected}"):
            checks.number("O", "x", v, **kwargs)


def test_one_of_lists_the_choices():
    assert checks.one_of("O", "loss", "bce", ("bce", "mse")) == "bce"
    with pytest.raises(ValueError, match=r"O: loss='BCE' is not supported: expected one of "
                                         r"\('bce', 'mse'\)"):
        checks.one_of("O", "loss", "BCE", ("bce", "mse"))


def test_sizes_checks_every_entry_and_the_length():
    assert checks.sizes("AE", (784, numpy.int64(32))) == [784, 32]
    assert all(type(s) is int for s in checks.sizes("AE", [numpy.int32(8), 3]))
    with pytest.raises(ValueError, match=r"AE: sizes\[1\]=3.7 must be an integer"):
        checks.sizes("AE", [8, 3.7])
    with pytest.raises(ValueError, match=r"sizes\[0\]=True"):
        checks.sizes("AE", [True, 3])
    with pytest.raises(ValueError, match=r"sizes\[1\]=0 must be an integer >= 1"):
        checks.sizes("AE", [8, 0])
    with pytest.raises(ValueError, match=r"must list at least 3 sizes"):
        checks.sizes("AE", [8, 3], minimum=3)
    with pytest.raises(ValueError, match=r"sizes='784' must be a list of layer sizes"):
        checks.sizes("AE", "784")
    with pytest.raises(ValueError, match=r"sizes=784 must be a list"):
        checks.sizes("AE", 784)


def test_samples_refuses_no_rows_only():
    X = numpy.zeros((2, 3))
    assert checks.samples("O", X) is X
    with pytest.raises(ValueError, match=r"O: Z has no samples \(shape \(0, 4\)\); pass at least"):
        checks.samples("O", numpy.zeros((0, 4)), name="Z")


@given(n=st.integers(1, 30), seed=st.integers(0, 2**16),
       kind=st.sampled_from(["nan", "inf", "-inf"]), count=st.integers(1, 3))
def test_finite_array_counts_the_bad_values(n, seed, kind, count):
    rng = numpy.random.default_rng(seed)
    X = rng.standard_normal((n, 2))
    X.flat[rng.choice(X.size, size=min(count, X.size), replace=False)] = float(kind)
    with pytest.raises(ValueError, match=rf"O: X contains {min(count, X.size)} NaN or infinite "
                                         rf"value\(s\) out of {X.size}"):
        checks.finite_array("O", backend.to_device(X))
    clean = backend.to_device(rng.standard_normal((n, 2)).astype(numpy.float32))
    assert checks.finite_array("O", clean) is clean


def test_finite_array_sum_overflow_is_not_mistaken_for_inf(xp):
    """Finite float32 values whose sum overflows pass: the fast path falls back to counting."""
    X = backend.to_device(numpy.full((4, 2), 3e38, numpy.float32))
    with numpy.errstate(over="ignore"):
        assert float(backend.to_host(X.sum())) == numpy.inf
    assert checks.finite_array("O", X) is X


def test_finite_array_refuses_float64_beyond_the_target_dtype(xp):
    X = backend.to_device(numpy.array([[1.0, -4e38], [0.0, 2.0]]))
    with pytest.raises(ValueError, match=r"O: X holds values up to 4e\+38, beyond float32's "
                                         r"largest 3.4e\+38.*rescale"):
        checks.finite_array("O", X, dtype=numpy.float32)
    assert checks.finite_array("O", X, dtype=numpy.float64) is X    # no narrowing: fine
    assert checks.finite_array("O", backend.to_device(numpy.array([1e30])),
                               dtype=numpy.float32) is not None     # within range: fine


def test_finite_array_ignores_integer_data():
    labels = numpy.array([0, 3, 9])
    assert checks.finite_array("O", labels) is labels


def test_outside_unit_interval_reports_the_range_only_when_it_is_broken():
    assert checks.outside_unit_interval(numpy.array([0.0, 0.5, 1.0])) is None
    assert checks.outside_unit_interval(numpy.zeros((0, 3))) is None
    assert checks.outside_unit_interval(numpy.array([0.2, 255.0])) == (0.2, 255.0)
    assert checks.outside_unit_interval(numpy.array([-0.5, 0.7])) == (-0.5, 0.7)
