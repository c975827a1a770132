import os
import subprocess
import sys

import numpy
import pytest

from minidl import backend


def test_use_switches_current_module(backend_name):
    assert backend.current() == backend_name
    assert backend.xp is backend.module(backend_name)


def test_unknown_backend_is_refused_with_the_valid_names():
    with pytest.raises(ValueError, match=r"unknown backend 'torch'.*numpy.*cupy"):
        backend.use("torch")


@pytest.mark.skipif(backend.available, reason="a GPU is present, so cupy is usable")
def test_cupy_without_gpu_says_what_to_do():
    with pytest.raises(RuntimeError, match=r"backend 'cupy' requested but .*numpy"):
        backend.use("cupy")
    assert backend.current() == "numpy"  # a refused switch leaves the backend alone


def test_round_trip_host_device_keeps_values_and_dtype():
    host = numpy.arange(12, dtype=numpy.float32).reshape(3, 4)
    dev = backend.to_device(host)
    assert backend.get_array_module(dev) is backend.xp
    back = backend.to_host(dev)
    assert isinstance(back, numpy.ndarray) and back.dtype == numpy.float32
    numpy.testing.assert_array_equal(back, host)


def test_to_device_casts_when_asked():
    dev = backend.to_device([[1, 2]], dtype=backend.float32)
    assert dev.dtype == numpy.float32 and dev.shape == (1, 2)


def test_rng_same_seed_same_numbers_and_dtype():
    a, b = backend.rng(7), backend.rng(7)
    x, y = a.normal((5, 3)), b.normal((5, 3))
    assert x.dtype == numpy.float32
    numpy.testing.assert_array_equal(backend.to_host(x), backend.to_host(y))
    assert not numpy.array_equal(backend.to_host(backend.rng(8).normal((5, 3))),
                                 backend.to_host(x))


def test_rng_uniform_range_and_permutation():
    u = backend.to_host(backend.rng(0).uniform(-2.0, 3.0, (1000,)))
    assert u.dtype == numpy.float32 and u.min() >= -2.0 and u.max() < 3.0
    assert abs(u.mean() - 0.5) < 0.2
    perm = backend.rng(0).permutation(10)
    assert sorted(perm.tolist()) == list(range(10))


def test_scatter_add_sums_repeated_indices():
    target = backend.xp.zeros(4, dtype=backend.float32)
    idx = backend.to_device(numpy.array([0, 2, 2, 3, 0, 0]))
    vals = backend.to_device(numpy.array([1, 2, 3, 4, 5, 6], dtype=numpy.float32))
    backend.scatter_add(target, idx, vals)
    numpy.testing.assert_array_equal(backend.to_host(target), [12, 0, 5, 4])


def test_environment_variable_picks_the_backend():
    env = dict(os.environ, MINIDL_BACKEND="numpy")
    out = subprocess.run([sys.executable, "-c", "from minidl import backend; print(backend.current())"],
                         env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "numpy"
    env["MINIDL_BACKEND"] = "tensorflow"
    bad = subprocess.run([sys.executable, "-c", "import minidl"], env=env,
                         capture_output=True, text=True)
    assert bad.returncode != 0 and "unknown backend 'tensorflow'" in bad.stderr
