"""Shared test set-up: hypothesis profile and the backend every test runs on.

Every test runs once per backend ("numpy", and "cupy" where a GPU is present;
otherwise the CuPy case is skipped with the reason). Inside a test, use
``backend.xp`` (or the ``xp`` fixture) to make arrays.
"""
import os

import pytest
from hypothesis import HealthCheck, settings

from minidl import backend

# CI draws the same examples on every run (derandomize), so a red CI is reproducible;
# local runs explore new examples each time.
settings.register_profile(
    "default", max_examples=int(os.environ.get("MINIDL_HYPOTHESIS_EXAMPLES", "40")),
    deadline=None, suppress_health_check=[HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")))
settings.register_profile("thorough", max_examples=200, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("MINIDL_HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="module", params=["numpy", "cupy"], autouse=True)
def backend_name(request):
    """Run the module's tests on this backend, then restore the previous one."""
    name = request.param
    if name == "cupy" and not backend.available:
        pytest.skip("CuPy backend: no CuPy installation with a CUDA GPU on this machine")
    previous = backend.current()
    backend.use(name)
    yield name
    backend.use(previous)


@pytest.fixture
def xp(backend_name):
    """The array module of the backend under test."""
    return backend.module(backend_name)
