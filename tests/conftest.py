"""Shared test set-up: hypothesis profile and the backend every test runs on.

Every test runs once per usable backend: "numpy" always, and "cupy" where CuPy finds
a CUDA GPU. Elsewhere the CuPy copies are not collected at all (no wall of skips); the
run's header says so and why. Inside a test, use ``backend.xp`` (or the ``xp``
fixture) to make arrays.

Two guards keep a run from passing without testing what it was asked to:
``MINIDL_REQUIRE_GPU=1`` (set it in a GPU CI job) stops the run at once when CuPy is
unusable, and a run that collects nothing (pytest's exit status 5) says why in its
summary.
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


def _why_no_cupy():
    """Why the CuPy cases are not collected here (None when they are)."""
    if backend.available:
        return None
    return "CuPy is not installed" if backend.cupy is None else "CuPy found no CUDA GPU"


BACKENDS = ["numpy"] if _why_no_cupy() else ["numpy", "cupy"]


def pytest_report_header(config):
    reason = _why_no_cupy()
    if reason is None:
        return "minidl backends: numpy, cupy (every test runs on both)"
    return (f"minidl backends: numpy only; the CuPy copies of every test were not collected "
            f"({reason}). Run on a machine with a CUDA GPU and CuPy to test the GPU path.")


def pytest_sessionstart(session):
    if os.environ.get("MINIDL_REQUIRE_GPU") and _why_no_cupy():
        pytest.exit(f"MINIDL_REQUIRE_GPU is set but {_why_no_cupy()}: the GPU tests cannot "
                    f"run here", returncode=3)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        reason = _why_no_cupy()
        extra = f" (note: the CuPy copies are not collected here: {reason})" if reason else ""
        terminalreporter.write_line(f"minidl: no tests were collected for this selection{extra}; "
                                    f"this run tested nothing and exits with status 5",
                                    red=True, bold=True)


@pytest.fixture(scope="module", params=BACKENDS, autouse=True)
def backend_name(request):
    """Run the module's tests on this backend, then restore the previous one."""
    name = request.param
    previous = backend.current()
    backend.use(name)
    yield name
    backend.use(previous)


@pytest.fixture
def xp(backend_name):
    """The array module of the backend under test."""
    return backend.module(backend_name)
