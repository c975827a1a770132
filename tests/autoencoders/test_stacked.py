"""StackedAutoencoder: greedy phase on frozen codes, shared layers, gradients, seeds."""
import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import backend
from minidl.gradcheck import check_gradients, check_layer
from minidl.layers import Dense, Sequential

from autoencoders import StackedAutoencoder

seeds = st.integers(0, 2**16)
widths = st.lists(st.integers(1, 5), min_size=2, max_size=4)
units = st.sampled_from(["plain", "denoising", "sparse"])


def images(n, d, seed):
    return backend.to_device(numpy.random.default_rng(seed).random((n, d)), dtype=numpy.float32)


def denses(layer):
    return [l for l in layer if isinstance(l, Dense)]


@given(sizes=widths, unit=units, seed=seeds)
def test_stack_shares_the_units_layers(sizes, unit, seed):
    model = StackedAutoencoder(sizes, unit=unit, seed=seed)
    enc, dec = denses(model.encoder), denses(model.decoder)
    assert len(enc) == len(dec) == len(sizes) - 1
    for i, u in enumerate(model.units):
        assert enc[i].W is u.denses[0].W
        assert dec[-1 - i] is denses(u.decoder)[0]
    assert [d.n_out for d in enc] == sizes[1:] and [d.n_out for d in dec] == sizes[-2::-1]


@given(sizes=st.lists(st.integers(2, 4), min_size=3, max_size=4), unit=units, seed=seeds)
def test_greedy_phase_trains_each_unit_on_the_frozen_codes_below(sizes, unit, seed):
    model = StackedAutoencoder(sizes, unit=unit, seed=seed)
    X = images(12, sizes[0], seed)
    seen = []
    for i, u in enumerate(model.units):
        def recording_fit(H, _fit=u.fit, **kw):
            below = [p.data.copy() for v in model.units[:len(seen)] for p in v.parameters()]
            seen.append((H.copy(), below))
            return _fit(H, **kw)
        u.fit = recording_fit
    model.pretrain(X, epochs=2, batch_size=5, seed=seed)
    H = X
    for i, u in enumerate(model.units):
        numpy.testing.assert_allclose(backend.to_host(seen[i][0]), backend.to_host(H), rtol=1e-6)
        frozen_now = [p.data for v in model.units[:i] for p in v.parameters()]
        for before, after in zip(seen[i][1], frozen_now):
            assert bool((before == after).all())  # lower units untouched while unit i trains
        H = u.encode(H)


@given(sizes=widths, seed=seeds, n=st.integers(1, 4))
def test_stacked_objective_gradients_float64(sizes, seed, n):
    model = StackedAutoencoder(sizes, seed=seed).astype(numpy.float64)
    X = backend.to_device(numpy.random.default_rng(seed).random((n, sizes[0])))
    model.objective(X)
    model.zero_grad()
    model.backward()
    params = model.parameters()
    # x is also the target here, so dx is checked below with check_layer instead
    check_gradients(lambda: model.objective(X)["loss"], [p.data for p in params],
                    [p.grad.copy() for p in params], [p.name for p in params],
                    rtol=1e-6, atol=1e-8)  # deep sigmoid stacks: gradients down to ~1e-5
    model.encoder.input_grad = True   # off for training (nothing needs dL/dx); checked here
    check_layer(Sequential(model.encoder, model.decoder), X, seed=seed, atol=1e-8)  # random dy


@given(unit=units, seed=seeds)
def test_pretrain_and_fit_are_reproducible_by_seed(unit, seed):
    X = images(20, 6, seed)
    weights = []
    for _ in range(2):
        model = StackedAutoencoder([6, 4, 3], unit=unit, seed=seed)
        model.pretrain(X, epochs=1, batch_size=8)
        model.fit(X, epochs=1, batch_size=8, seed=seed, verbose=0)
        weights.append([backend.to_host(w) for w in model.get_weights()])
    for a, b in zip(*weights):
        numpy.testing.assert_array_equal(a, b)


def test_pretraining_then_fine_tuning_lowers_the_loss():
    X = images(200, 16, 0) > 0.5
    X = backend.to_device(X, dtype=numpy.float32)
    model = StackedAutoencoder([16, 8, 4], seed=0)
    start = model.evaluate(X)["loss"]
    assert model.pretrain(X, epochs=[5, 4], batch_size=20) is model
    assert [len(u.history_.history["loss"]) for u in model.units] == [5, 4]
    pretrained = model.evaluate(X)["loss"]
    model.fit(X, epochs=5, batch_size=20, seed=0, verbose=0)
    assert model.evaluate(X)["loss"] < pretrained < start
    assert model.encode(X).shape == (200, 4) and model.encode(X).dtype == numpy.float32
    out = backend.to_host(model.reconstruct(X))
    assert out.min() >= 0 and out.max() <= 1


def test_units_get_derived_seeds_and_only_the_first_layer_skips_dx():
    model = StackedAutoencoder([6, 5, 4], seed=3)
    assert [u.get_params()["seed"] for u in model.units] == [
        backend.derive_seed(3, "unit", i) for i in range(2)]
    first, second = denses(model.encoder)
    assert first.input_grad is False and second.input_grad is True


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="at least 2"):
        StackedAutoencoder([5])
    with pytest.raises(ValueError, match=r"sizes\[1\]=0 must be an integer >= 1"):
        StackedAutoencoder([5, 0])
    with pytest.raises(ValueError, match="unit="):
        StackedAutoencoder([5, 3], unit="contractive")
    model = StackedAutoencoder([5, 3], seed=0)
    with pytest.raises(ValueError, match=r"expected \(batch, 5\)"):
        model.pretrain(images(4, 6, 0), epochs=1, batch_size=2)
    with pytest.raises(ValueError, match=r"expected \(batch, 5\)"):
        model.encode(images(4, 4, 0))
