"""A shallow autoencoder is a scikit-learn transformer: Pipeline, GridSearchCV, clone.

The unit protocol (``minidl.pretrain``): ``fit`` returns the model, ``transform`` =
``encode``, ``inverse_transform`` = ``decode``, ``get_params``/``set_params`` from the
constructor's keywords. ``fit``'s training keywords travel as fit parameters
(``Pipeline.fit(X, y, ae__epochs=1, ...)``). A model on CuPy hands device arrays on;
``backend.ToHost()`` is the step that gives scikit-learn host arrays.
"""
import numpy
import pytest

from minidl import backend

import autoencoders as ae

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

FIT = {"ae__epochs": 1, "ae__batch_size": 32, "ae__verbose": 0, "ae__seed": 0}


def digits(n=300):
    X, y = load_digits(return_X_y=True)
    return (X[:n] / 16.0).astype(numpy.float32), y[:n]


def test_clone_builds_an_untrained_twin_with_the_same_keywords():
    model = ae.DenoisingAutoencoder([64, numpy.int64(16)], noise="gaussian", level=0.2,
                                    optimizer="adam", seed=3)
    model.fit(digits()[0], epochs=1, batch_size=50, verbose=0)
    twin = clone(model)
    assert type(twin) is type(model) and twin.get_params() == model.get_params()
    assert not hasattr(twin, "history_") and hasattr(model, "history_")
    fresh = ae.DenoisingAutoencoder(**model.get_params())
    for a, b in zip(twin.get_weights(), fresh.get_weights()):   # the seeded initial weights
        numpy.testing.assert_array_equal(backend.to_host(a), backend.to_host(b))


def test_set_params_rebuilds_and_refuses_unknown_keywords():
    model = ae.DeepAutoencoder([64, 16], seed=0)
    assert model.set_params(sizes=[64, 8]) is model
    assert model.encode(digits(5)[0]).shape == (5, 8)
    with pytest.raises(ValueError, match="unknown parameter"):
        model.set_params(width=3)


def test_autoencoder_features_feed_logistic_regression_in_a_pipeline():
    X, y = digits()
    pipe = Pipeline([("ae", ae.DeepAutoencoder([64, 32], activation="sigmoid", seed=0)),
                     ("host", backend.ToHost()), ("clf", LogisticRegression(max_iter=500))])
    pipe.fit(X[:200], y[:200], **FIT)
    codes = pipe.named_steps["ae"].transform(X[200:])
    assert codes.shape == (100, 32)
    numpy.testing.assert_array_equal(backend.to_host(pipe.named_steps["ae"].inverse_transform(
        codes)), backend.to_host(pipe.named_steps["ae"].reconstruct(X[200:])))
    assert pipe.score(X[200:], y[200:]) > 0.5   # ten classes: chance is 0.1


def test_grid_search_over_an_autoencoder_hyperparameter():
    X, y = digits()
    pipe = Pipeline([("ae", ae.DeepAutoencoder([64, 8], activation="sigmoid", seed=0)),
                     ("host", backend.ToHost()), ("clf", LogisticRegression(max_iter=300))])
    search = GridSearchCV(pipe, {"ae__sizes": [[64, 2], [64, 32]]}, cv=2)
    search.fit(X, y, **FIT)
    scores = search.cv_results_["mean_test_score"]
    assert search.best_params_ == {"ae__sizes": [64, 32]}, scores   # 32 codes beat 2
    best = search.best_estimator_.named_steps["ae"]
    assert best.sizes == [64, 32] and len(best.history_.history["loss"]) == 1


def test_to_host_hands_the_next_step_numpy_arrays_from_a_model_on_any_device():
    X, _ = digits(50)
    model = ae.DeepAutoencoder([64, 8], activation="sigmoid", seed=0)
    codes = model.fit(X, epochs=1, batch_size=25, verbose=0).transform(X)
    assert type(codes) is type(backend.xp.zeros(1))       # the unit protocol: model's device
    step = clone(backend.ToHost())
    for out in (step.fit_transform(codes), step.fit(codes).transform(codes)):
        assert type(out) is numpy.ndarray and out.shape == (50, 8)
        numpy.testing.assert_array_equal(out, backend.to_host(codes))
