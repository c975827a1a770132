"""greedy_pretrain and freeze_first, with recording fake units."""
import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import backend
from minidl.classifier import Classifier
from minidl.layers import Dense, Sequential, Sigmoid
from minidl.optimizers import SGD
from minidl.pretrain import freeze_first, greedy_pretrain

seeds = st.integers(0, 2**16)


class RecordingUnit:
    """Remembers what fit saw; transform is a fixed random projection."""

    def __init__(self, n_in, n_out, seed):
        self.M = backend.to_device(numpy.random.default_rng(seed).standard_normal((n_in, n_out)))
        self.seen = None

    def fit(self, X, **kwargs):
        """The unit protocol: train, keep the History in history_, return self."""
        self.seen, self.kwargs = X.copy(), kwargs
        self.history_ = {"epochs": kwargs["epochs"]}
        return self

    def transform(self, X):
        return numpy.tanh(backend.to_host(X)) @ backend.to_host(self.M)


@given(widths=st.lists(st.integers(1, 5), min_size=2, max_size=5), n=st.integers(1, 6),
       seed=seeds)
def test_unit_i_is_trained_on_the_transform_of_unit_i_minus_1(widths, n, seed):
    units = [RecordingUnit(a, b, seed + i) for i, (a, b) in enumerate(zip(widths, widths[1:]))]
    X = numpy.random.default_rng(seed).standard_normal((n, widths[0]))
    epochs = list(range(1, len(units) + 1))
    calls = []
    out = greedy_pretrain(units, X, epochs=epochs, batch_size=7, verbose=0, seed=seed,
                          on_layer_end=lambda i, u, h: calls.append((i, h)))
    assert out == units
    H = X
    for i, unit in enumerate(units):
        numpy.testing.assert_array_equal(backend.to_host(unit.seen), H)
        assert unit.kwargs["epochs"] == epochs[i] and unit.kwargs["batch_size"] == 7
        assert unit.kwargs["seed"] == backend.derive_seed(seed, "unit", i)
        assert unit.history_ == {"epochs": epochs[i]}
        H = unit.transform(H)
    assert calls == [(i, {"epochs": epochs[i]}) for i in range(len(units))]
    assert len({u.kwargs["seed"] for u in units}) == len(units)  # independent streams


def test_bad_units_and_settings_are_refused():
    X = numpy.zeros((3, 2))
    with pytest.raises(ValueError, match="at least one unit"):
        greedy_pretrain([], X)
    with pytest.raises(TypeError, match="lacks fit"):
        greedy_pretrain([object()], X)
    with pytest.raises(ValueError, match="one value per unit"):
        greedy_pretrain([RecordingUnit(2, 2, 0)] * 2, X, epochs=[1, 2, 3], verbose=0)


def test_freeze_first_marks_exactly_the_first_k_layers():
    network = Sequential(Dense(3, 4), Sigmoid(), Dense(4, 2))
    freeze_first(network, 1)
    assert [p.frozen for p in network.parameters()] == [True, True, False, False]
    freeze_first(network, 0)
    assert not any(p.frozen for p in network.parameters())
    with pytest.raises(ValueError, match="between 0"):
        freeze_first(network, 4)
    with pytest.raises(TypeError, match="not a Layer"):
        freeze_first([Dense(2, 2), "relu"], 1)


@given(seed=seeds)
def test_frozen_parameters_do_not_move_then_unfreezing_trains_them(seed):
    rng = numpy.random.default_rng(seed)
    X, y = rng.standard_normal((30, 4)), rng.integers(0, 3, 30)
    network = Sequential(Dense(4, 5, seed=seed), Sigmoid(), Dense(5, 3, seed=seed + 1))
    model = Classifier(freeze_first(network, 2))
    W0 = network[0].W.data.copy()
    head0 = network[2].W.data.copy()
    model.fit(X, y, epochs=2, batch_size=8, optimizer=SGD(0.3, momentum=0.9), verbose=0)
    assert bool((network[0].W.data == W0).all())
    assert not bool((network[2].W.data == head0).all())
    freeze_first(network, 0)
    model.fit(X, y, epochs=1, batch_size=8, verbose=0)
    assert not bool((network[0].W.data == W0).all())
