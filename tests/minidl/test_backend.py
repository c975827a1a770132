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


# --- models own their device: nothing reads the global backend.xp -----------------------------
class PoisonedModule:
    """Stands in for the global ``backend.xp``: any use of it fails the test.

    A model whose parameters live in NumPy must compute with NumPy whatever the global
    setting says, so with this installed as ``backend.xp`` (the model's arrays stay
    NumPy) every method must still work. Reading the global -- ``backend.xp.zeros``,
    ``backend.to_device(x)`` without a name, an unparameterised ``Generator`` draw --
    raises here and names the attribute.
    """

    def __getattr__(self, name):
        raise AssertionError(f"code read the global backend.xp.{name} instead of the "
                             f"model's own array module")


def _data(seed=0, n=24, d=6):
    rng = numpy.random.default_rng(seed)
    return (rng.random((n, d)) > 0.5).astype(numpy.float32), rng.integers(0, 3, n)


def _classifier_calls():
    from minidl.classifier import Classifier
    from minidl.layers import Dense, Sequential, Tanh
    model = Classifier(Sequential(Dense(6, 5, seed=0), Tanh(), Dense(5, 3, seed=1)))
    X, y = _data()
    return model, [lambda: model.fit(X, y, epochs=2, batch_size=8, optimizer="adam",
                                     validation_data=(X, y), seed=0, verbose=0),
                   lambda: model.evaluate((X, y)), lambda: model.predict_proba(X),
                   lambda: model.predict(X), lambda: model.score(X, y)]


def _autoencoder_calls():
    ae = pytest.importorskip("autoencoders")
    model = ae.DeepAutoencoder([6, 3], seed=0)
    X, _ = _data()
    return model, [lambda: model.fit(X, epochs=2, batch_size=8, validation_data=X, seed=0,
                                     verbose=0),
                   lambda: model.evaluate(X), lambda: model.encode(X),
                   lambda: model.decode(model.encode(X)), lambda: model.reconstruct(X),
                   lambda: model.transform(X), lambda: model.inverse_transform(model.transform(X))]


def _rbm_calls():
    rbm = pytest.importorskip("rbm")
    model = rbm.BernoulliRBM(6, 4, seed=0)
    X, _ = _data()
    return model, [lambda: model.fit(X, epochs=2, batch_size=8, seed=0, verbose=0),
                   lambda: model.evaluate(X), lambda: model.transform(X),
                   lambda: model.inverse_transform(model.transform(X)),
                   lambda: model.sample(3, steps=2, seed=0), lambda: model.gibbs(X, 2),
                   lambda: model.free_energy(X)]


@pytest.mark.parametrize("build", [_classifier_calls, _autoencoder_calls, _rbm_calls],
                         ids=["Classifier", "DeepAutoencoder", "BernoulliRBM"])
def test_model_computes_on_its_own_module_whatever_the_global_says(build, monkeypatch,
                                                                    backend_name):
    if backend_name != "numpy":
        pytest.skip("the model's arrays must be NumPy while the global is poisoned")
    model, calls = build()                       # built on the real backend
    monkeypatch.setattr(backend, "xp", PoisonedModule())
    for call in calls:
        out = call()
        for array in out if isinstance(out, tuple) else (out,):
            if hasattr(array, "shape"):
                assert isinstance(array, numpy.ndarray), type(array)
    assert all(isinstance(p.data, numpy.ndarray) for p in model.parameters())


def test_poisoned_module_catches_a_read_of_the_global(monkeypatch):
    """The check above can fail: code that reads the global is caught."""
    monkeypatch.setattr(backend, "xp", PoisonedModule())
    with pytest.raises(AssertionError, match="global backend.xp"):
        backend.to_device(numpy.zeros(2))
    with pytest.raises((AssertionError, TypeError), match="global backend.xp|cannot draw"):
        backend.rng(0).normal((2,))
    numpy_draw = backend.rng(0).normal((2,), xp=numpy)     # the model's module: fine
    assert isinstance(numpy_draw, numpy.ndarray)



# derive_seed's values are part of every seeded model: a changed value changes every result
# a seed reproduces, so they are pinned as literals (NumPy's SeedSequence is stable across
# releases; the path is encoded by its UTF-8 bytes, never by Python's salted hash()).
DERIVED = {(0, "dense", 0): 3905150492, (0, "dense", 1): 3963979623, (0, "noise"): 1827779701,
           (0, "corruption"): 3955767034, (42, "unit", 2): 1866188634, (7,): 2083679832,
           (2**31, "encoder"): 3053427443, (123, "latent", 10): 4124152667}


def test_derive_seed_gives_the_pinned_ints():
    got = {args: backend.derive_seed(*args) for args in DERIVED}
    assert got == DERIVED
    assert all(type(v) is int for v in got.values())
    assert len(set(got.values())) == len(DERIVED)          # different paths, different seeds
    assert backend.derive_seed(None, "dense", 0) is None   # fresh entropy stays fresh


@pytest.mark.parametrize("hash_seed", ["0", "12345"])
def test_derive_seed_is_the_same_in_another_process_with_another_hash_seed(hash_seed):
    code = ("from minidl.backend import derive_seed; "
            f"print([derive_seed(*a) for a in {list(DERIVED)!r}])")
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, OPENBLAS_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True, timeout=120).stdout
    assert out.strip() == str(list(DERIVED.values()))


def test_keeping_freed_memory_for_reuse_reports_whether_it_applied():
    import sys
    applied = backend.keep_freed_memory_for_reuse()
    assert isinstance(applied, bool)
    if sys.platform.startswith("linux"):
        import platform
        if platform.libc_ver()[0] == "glibc":
            assert applied
