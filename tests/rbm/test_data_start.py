"""Where a binary RBM starts: visible biases from the data, chains from p(v | h = 0).

``init_vbias="data"`` sets b to the add-one smoothed log-odds of the data's means on the
first fit of a fresh model; ``sample`` (and the DBN's) start from noise drawn from the
visible units alone. Checked against closed forms and against what the code must not
touch (biases set by hand, ``init_vbias="zeros"``, a second fit).
"""
import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import backend
from rbm import DBN, BernoulliRBM
from rbm.bernoulli import data_log_odds
from rbm.centered import CenteredBernoulliRBM


def host(x):
    return backend.to_host(x).astype(numpy.float64)


def binary(shape, seed, p=0.3):
    return (numpy.random.default_rng(seed).random(shape) < p).astype(numpy.float32)


@given(n=st.integers(1, 30), d=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_data_log_odds_is_the_closed_form(n, d, seed):
    """b_i = log(p_i / (1 - p_i)), p_i = (sum_n v_ni + 1) / (N + 2); sigmoid(b) = p."""
    v = numpy.random.default_rng(seed).random((n, d))
    p = (v.sum(axis=0) + 1.0) / (n + 2.0)
    b = host(data_log_odds(backend.to_device(v)))
    numpy.testing.assert_allclose(b, numpy.log(p / (1 - p)), rtol=1e-10, atol=1e-12)
    numpy.testing.assert_allclose(1 / (1 + numpy.exp(-b)), p, rtol=1e-10)


def test_first_fit_starts_the_visible_biases_at_the_data_log_odds():
    """The biases the first update starts from are the data's log-odds (seen with lr 0:
    no step moves them), a never-on pixel at -log(N + 1), an always-on one at +log(N + 1)."""
    X = binary((40, 5), 0)
    X[:, 0], X[:, 1] = 0, 1
    model = BernoulliRBM(5, 3, optimizer="sgd", seed=0)
    model.optimizer.lr = 0.0
    model.fit(backend.to_device(X), epochs=1, batch_size=10, verbose=0, seed=0)
    b = host(model.vbias.data)
    numpy.testing.assert_allclose(b, host(data_log_odds(backend.to_device(X))), rtol=1e-6)
    numpy.testing.assert_allclose(b[:2], [-numpy.log(41), numpy.log(41)], rtol=1e-6)


@pytest.mark.parametrize("how", ["zeros", "by hand", "second fit"])
def test_the_data_start_leaves_other_biases_alone(how):
    X, other = binary((40, 5), 1), binary((40, 5), 2, p=0.8)
    model = BernoulliRBM(5, 3, optimizer="sgd", init_vbias="zeros" if how == "zeros" else
                         "data", seed=0)
    model.optimizer.lr = 0.0
    if how == "by hand":
        model.vbias.data[...] = backend.to_device(numpy.full(5, 0.25), dtype=numpy.float32)
    if how == "second fit":
        model.fit(backend.to_device(X), epochs=1, batch_size=10, verbose=0, seed=0)
    before = host(model.vbias.data)
    model.fit(backend.to_device(other), epochs=1, batch_size=10, verbose=0, seed=0)
    numpy.testing.assert_array_equal(host(model.vbias.data), before)


def test_init_vbias_is_checked_kept_in_the_config_and_passed_on_by_the_dbn():
    with pytest.raises(ValueError, match="init_vbias"):
        BernoulliRBM(4, 2, init_vbias="mean")
    assert BernoulliRBM(4, 2, init_vbias="zeros").get_params()["init_vbias"] == "zeros"
    assert CenteredBernoulliRBM(4, 2, init_vbias="zeros").init_vbias == "zeros"
    assert [r.init_vbias for r in DBN([4, 3, 2], init_vbias="zeros").rbms] == ["zeros"] * 2


def test_chains_start_from_the_visible_units_alone():
    """The default start draws v ~ Bernoulli(sigmoid(b)): the empirical rates of 4,000
    draws match sigmoid(b) within 4 standard errors."""
    model = BernoulliRBM(6, 2, seed=0)
    b = numpy.array([-3.0, -1.0, 0.0, 0.5, 2.0, 4.0])
    model.vbias.data[...] = backend.to_device(b, dtype=numpy.float32)
    v = host(model._random_visible(4000, backend.rng(1)))
    p = 1 / (1 + numpy.exp(-b))
    assert set(numpy.unique(v)) <= {0.0, 1.0}
    numpy.testing.assert_array_less(numpy.abs(v.mean(axis=0) - p),
                                    4 * numpy.sqrt(p * (1 - p) / 4000) + 1e-9)


def test_dbn_chains_start_from_pixel_noise_passed_up():
    """DBN.sample's top chain starts at the up-pass of noise drawn from the bottom RBM's
    p(v | h = 0), the same draw as ``rbms[0]._random_visible`` with the sample's seed."""
    dbn = DBN([6, 4, 3], seed=0)
    for rbm in dbn.rbms:
        rbm.vbias.data[...] = backend.to_device(numpy.linspace(-2, 2, rbm.n_visible),
                                                dtype=numpy.float32)
    seen = {}
    top_sample = dbn.rbms[-1].sample

    def recording(n, *, steps=None, init=None, seed=None):
        seen["init"] = host(init)
        return top_sample(n, steps=steps, init=init, seed=seed)

    dbn.rbms[-1].sample = recording
    dbn.sample(5, steps=0, seed=3)
    noise = dbn.rbms[0]._random_visible(5, backend.rng(3))
    numpy.testing.assert_allclose(seen["init"], host(dbn.rbms[0].transform(noise)), rtol=1e-6)


def test_the_data_start_also_happens_under_minidl_training_fit():
    """``minidl.training.fit(rbm, X)`` (what the paper rows call) starts the biases too:
    the start lives in the ``begin_fit`` hook fit calls, not only in ``rbm.fit``."""
    from minidl.training import fit
    X = binary((40, 5), 3)
    model = BernoulliRBM(5, 3, optimizer="sgd", seed=0)
    model.optimizer.lr = 0.0
    fit(model, backend.to_device(X), epochs=1, batch_size=10, verbose=0, seed=0)
    numpy.testing.assert_allclose(host(model.vbias.data),
                                  host(data_log_odds(backend.to_device(X))), rtol=1e-6)
