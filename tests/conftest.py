"""Shared test set-up: hypothesis profile and the backend every test runs on.

The tests of the library and its models (tests/minidl, tests/autoencoders, tests/rbm)
run once per backend: "numpy", and "cupy". CuPy is the real one where it finds a CUDA
GPU; everywhere else it is the strict stand-in of ``tests/_cupy_standin`` (arrays that
refuse implicit host conversion, CuPy's names only, host syncs counted), installed as
``cupy`` before minidl is imported, so every CPU run tests the GPU path's logic. The
run's header says which CuPy ran. ``MINIDL_CUPY_STANDIN=0`` turns the stand-in off
(the CuPy copies are then not collected without a GPU). tests/exercises runs on both
too (the graders take their arrays from minidl.backend), except its command-line tests.
The others (benchmarks, examples, the top-level tests/test_*.py) run on NumPy only:
they drive subprocesses and scripts the stand-in cannot reach, or test no array code.
A module opts out of the CuPy copy with ``pytestmark = pytest.mark.numpy_only``.
Inside a test, use ``backend.xp`` (or the ``xp`` fixture) to make arrays.

Two guards keep a run from passing without testing what it was asked to:
``MINIDL_REQUIRE_GPU=1`` (set it in a GPU CI job) stops the run at once unless real
CuPy finds a GPU (the stand-in does not count), and a run that collects nothing
(pytest's exit status 5) says why in its summary.
"""
import os
import pathlib
import sys

import pytest
from hypothesis import HealthCheck, settings


def _real_cupy_works():
    """True when real CuPy imports and sees a CUDA device."""
    try:
        import cupy
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:            # not installed, no driver, no device, ...
        return False


# Before minidl is imported: minidl.backend imports cupy once, at import time.
STANDIN = (os.environ.get("MINIDL_CUPY_STANDIN", "1") != "0"
           and not os.environ.get("MINIDL_REQUIRE_GPU") and not _real_cupy_works())
if STANDIN:
    assert "minidl" not in sys.modules, "the CuPy stand-in must be installed before minidl"
    from tests._cupy_standin import install
    install()

from minidl import backend  # noqa: E402

#: The directories whose tests also run on CuPy (real or the stand-in).
CUPY_DIRS = ("minidl", "autoencoders", "rbm", "exercises")
_TESTS = pathlib.Path(__file__).parent

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


def _which_cupy():
    if STANDIN:
        return ("the strict CPU stand-in (tests/_cupy_standin; real CuPy is unusable here; "
                "MINIDL_CUPY_STANDIN=0 turns it off)")
    return f"real CuPy {backend.cupy.__version__} on a CUDA GPU"


def pytest_report_header(config):
    reason = _why_no_cupy()
    if reason is None:
        return (f"minidl backends: numpy, cupy = {_which_cupy()}; tests/"
                f"{{{','.join(CUPY_DIRS)}}} run on both, the rest on numpy")
    return (f"minidl backends: numpy only; the CuPy copies of every test were not collected "
            f"({reason}). Run on a machine with a CUDA GPU and CuPy to test the GPU path.")


def pytest_configure(config):
    config.addinivalue_line("markers", "numpy_only: this module's tests have no CuPy copy")


def pytest_sessionstart(session):
    if os.environ.get("MINIDL_REQUIRE_GPU") and _why_no_cupy():
        pytest.exit(f"MINIDL_REQUIRE_GPU is set but {_why_no_cupy()}: the GPU tests cannot "
                    f"run here", returncode=3)


def _backends_for(module, node):
    """The backends a test module runs on: both in CUPY_DIRS, else numpy."""
    parts = pathlib.Path(module.__file__).resolve().relative_to(_TESTS.resolve()).parts
    if len(parts) < 2 or parts[0] not in CUPY_DIRS or node.get_closest_marker("numpy_only"):
        return ["numpy"]
    return BACKENDS


def pytest_generate_tests(metafunc):
    if "backend_name" in metafunc.fixturenames:
        metafunc.parametrize("backend_name", _backends_for(metafunc.module, metafunc.definition),
                             indirect=True, scope="module")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        reason = _why_no_cupy()
        extra = f" (note: the CuPy copies are not collected here: {reason})" if reason else ""
        terminalreporter.write_line(f"minidl: no tests were collected for this selection{extra}; "
                                    f"this run tested nothing and exits with status 5",
                                    red=True, bold=True)


@pytest.fixture(scope="module", autouse=True)
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
