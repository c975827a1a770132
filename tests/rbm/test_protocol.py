"""The unit protocol (minidl/pretrain.py), estimator behaviour, devices and saved configs."""
import numpy
import pytest

from minidl import backend, io
from minidl.optimizers import SGD, Adam
from rbm import DBN, BernoulliRBM, GaussianBernoulliRBM

from rbm.exact import binary_data, randomise


def host(x):
    return backend.to_host(x)


def grey(n, d, seed):
    return backend.to_device(numpy.random.default_rng(seed).random((n, d)), dtype=numpy.float32)


# --- estimator: get_params / set_params / fit -> self -----------------------------------
def test_get_params_are_the_constructor_keywords_and_rebuild_the_model():
    opt = SGD(0.2, momentum=0.5)
    model = BernoulliRBM(6, 4, k=3, persistent=True, optimizer=opt, weight_decay=1e-3, seed=5)
    params = model.get_params()
    assert params["optimizer"] is opt and params["k"] == 3 and params["seed"] == 5
    twin = BernoulliRBM(**params)
    numpy.testing.assert_array_equal(host(twin.W.data), host(model.W.data))
    model.set_params(n_hidden=7)
    assert model.W.shape == (6, 7) and model.k == 3 and model.get_params()["n_hidden"] == 7


def test_fit_returns_self_ignores_y_and_keeps_the_history():
    X = binary_data(20, 6, 0)
    model = BernoulliRBM(6, 4, seed=0)
    y = numpy.arange(20)                                          # a pipeline passes labels
    assert model.fit(X, y, epochs=3, batch_size=5, verbose=0) is model
    assert len(model.history_.history["recon_error"]) == 3
    H = model.fit_transform(X, epochs=1, batch_size=5, verbose=0)
    assert H.shape == (20, 4)
    assert model.inverse_transform(H).shape == (20, 6)
    numpy.testing.assert_allclose(host(model.inverse_transform(model.transform(X))),
                                  host(model.reconstruct(X)), rtol=1e-6)


@pytest.mark.parametrize("cls, lr", [(BernoulliRBM, 0.01), (GaussianBernoulliRBM, 0.01)])
def test_optimizer_is_chosen_by_keyword_name_or_default(cls, lr):
    X = grey(8, 3, 0)
    default = cls(3, 2, seed=0)
    default.fit(X, epochs=1, batch_size=4, verbose=0)
    assert isinstance(default.optimizer, SGD) and default.optimizer.lr == lr
    assert default.optimizer.momentum == 0.9
    named = cls(3, 2, seed=0, optimizer="adam")
    assert isinstance(named.optimizer, Adam) and named.get_config()["optimizer"] == "adam"
    named.fit(X, epochs=1, batch_size=4, verbose=0, optimizer=SGD(0.3))   # fit's wins
    assert isinstance(named.optimizer, SGD) and named.optimizer.lr == 0.3


# --- sample(n, *, steps=None, init=None, seed=None) --------------------------------------
@pytest.mark.parametrize("make", [lambda: BernoulliRBM(6, 4, seed=0),
                                  lambda: GaussianBernoulliRBM(6, 4, seed=0),
                                  lambda: DBN([6, 4, 3], seed=0)])
def test_one_sample_signature(make):
    a, b = make(), make()
    first = host(a.sample(3, steps=4, seed=11))
    a.sample(5, steps=2)                                          # the model's own stream moves
    numpy.testing.assert_array_equal(host(a.sample(3, steps=4, seed=11)), first)
    numpy.testing.assert_array_equal(host(b.sample(3, steps=4, seed=11)), first)
    assert first.shape == (3, 6)
    init = grey(2, 6, 0) if not isinstance(a, GaussianBernoulliRBM) else grey(2, 6, 0) - 0.5
    assert a.sample(2, steps=0, init=init).shape == (2, 6)
    with pytest.raises(TypeError):
        a.sample(3, 4)                                            # steps is keyword-only


# --- DBN: constructor conventions, pretrain -> self, derived seeds -----------------------
def test_dbn_pretrain_returns_self_with_each_history_and_derived_seeds():
    X = binary_data(30, 8, 0)
    dbn = DBN([8, 5, 3], linear_top=True, seed=4)
    for i, rbm in enumerate(dbn.rbms):
        assert rbm.seed == backend.derive_seed(4, "unit", i)
    assert dbn.rbms[0].optimizer.lr == 0.1 and dbn.rbms[1].optimizer.lr == 0.001
    assert dbn.pretrain(X, epochs=[2, 3], batch_size=10) is dbn
    assert [len(r.history_.history["recon_error"]) for r in dbn.rbms] == [2, 3]
    assert dbn.inverse_transform(dbn.transform(X)).shape == (30, 8)


def test_dbn_optimizer_objects_are_copied_per_rbm_and_params_rebuild_it():
    opt = SGD(0.02, momentum=0.5)
    dbn = DBN([6, 4, 3], optimizer=opt, k=2, seed=1)
    assert dbn.rbms[0].optimizer is not dbn.rbms[1].optimizer
    assert all(r.optimizer.lr == 0.02 and r.k == 2 for r in dbn.rbms)
    twin = DBN(**dbn.get_params())
    for a, b in zip(dbn.rbms, twin.rbms):
        numpy.testing.assert_array_equal(host(a.W.data), host(b.W.data))
    dbn.set_params(sizes=[6, 2])
    assert len(dbn.rbms) == 1 and dbn.rbms[0].n_hidden == 2


# --- scikit-learn: an RBM inside Pipeline / GridSearchCV -----------------------------------
def test_rbm_features_for_digit_classification_in_a_pipeline():
    """scikit-learn's own example, with minidl's RBM in place of sklearn's.

    Seeded (weights and batch order), and trained long enough that 0.7 is far from the
    seed-to-seed spread: over 30 seeds (model and fit) the score was 0.817-0.863 (mean 0.838,
    sd 0.011) at 15 epochs; at the 5 epochs this test once used, 0.723-0.770 (and unseeded
    runs as low as 0.697)."""
    pytest.importorskip("sklearn")
    from sklearn.base import clone
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(numpy.float32)
    pipe = Pipeline([("rbm", BernoulliRBM(64, 32, seed=0)),      # on CuPy in the CuPy copy:
                     ("host", backend.ToHost()),                # scikit-learn takes host arrays
                     ("logistic", LogisticRegression(max_iter=300))])
    assert clone(pipe).get_params()["rbm__n_hidden"] == 32
    search = GridSearchCV(pipe, {"rbm__n_hidden": [8, 32]}, cv=2)
    search.fit(X[:600], y[:600], rbm__epochs=15, rbm__batch_size=20, rbm__verbose=0,
               rbm__seed=0)
    assert search.best_params_["rbm__n_hidden"] == 32            # more features: better
    assert search.score(X[600:900], y[600:900]) > 0.7           # chance: 0.1


# --- devices: nothing reads the global backend once a model is built ---------------------
class _Poison:
    """Stands in for ``backend.xp``: any use of the global module fails the test."""

    def __getattr__(self, name):
        raise AssertionError(f"read the global backend.xp.{name}; use the model's xp")


def test_rbm_methods_compute_on_the_models_module_not_the_global(monkeypatch):
    from rbm import ais
    X = binary_data(12, 6, 0)
    models = [randomise(BernoulliRBM(6, 4, seed=0, persistent=True), 1),
              randomise(BernoulliRBM(6, 3, seed=0, hidden="linear"), 1),
              randomise(GaussianBernoulliRBM(6, 4, seed=0, learn_sigma=True), 1)]
    dbn = DBN([6, 4, 3], seed=0)
    monkeypatch.setattr(backend, "xp", _Poison())
    for model in models:
        for out in (model.transform(X), model.inverse_transform(model.transform(X)),
                    model.free_energy(X), model.gibbs(X, 2), model.sample(2, steps=2),
                    model.sample(2, steps=1, seed=3), model.sample_h(X), model.sample_v(
                        model.transform(X))):
            assert backend.get_array_module(out) is model.xp
        model.evaluate(X)
        model.train_step(X)
        model.log_partition_exact()
        if isinstance(model, BernoulliRBM):
            model.pseudo_likelihood(X, seed=0)
            model.log_likelihood(X, model.log_partition_exact())
    ais.log_partition(models[0], n_chains=4, n_betas=10, seed=0, base_rate_data=X)
    dbn.transform(X), dbn.sample(2, steps=2), dbn.inverse_transform(dbn.transform(X))


# --- saved configs rebuild the model exactly ------------------------------------------------
ROUND_TRIPS = {
    "binary": lambda: BernoulliRBM(6, 4, k=3, weight_decay=1e-3, sparsity_target=0.1,
                                   sparsity_cost=0.3, sparsity_decay=0.5, init_std=0.1,
                                   seed=2),
    "linear hidden": lambda: BernoulliRBM(6, 4, hidden="linear", seed=3),
    "pcd": lambda: BernoulliRBM(6, 4, persistent=True, k=2, optimizer="sgd", seed=4),
    "gaussian": lambda: GaussianBernoulliRBM(6, 4, learn_sigma=True, sigma_range=(0.5, 2.0),
                                             seed=5),
}


@pytest.mark.parametrize("name", sorted(ROUND_TRIPS))
def test_config_round_trip_rebuilds_an_identical_model(name, tmp_path):
    model = ROUND_TRIPS[name]()
    X = grey(16, 6, 0) if name != "gaussian" else grey(16, 6, 0) * 4 - 2
    model.fit(X, epochs=2, batch_size=8, seed=0, verbose=0)       # weights, σ and biases move
    path = str(tmp_path / "rbm.npz")
    io.save(model, path)
    rebuilt = type(model)(**io.load_config(path))
    io.load_weights(rebuilt, path)
    assert rebuilt.get_config() == model.get_config()
    for method in ("transform", "free_energy", "reconstruct"):
        numpy.testing.assert_array_equal(host(getattr(rebuilt, method)(X)),
                                         host(getattr(model, method)(X)), err_msg=method)
    assert rebuilt.evaluate(X) == model.evaluate(X)
    if name == "gaussian":
        assert rebuilt.sigma_range == (0.5, 2.0) and not rebuilt.log_sigma.frozen
    # the next CD update (the objective) is the same too, from the same training state
    for m in (model, rebuilt):
        m.reseed(9), m.reset_chains(), m.zero_grad()
        m._q = None                                               # sparsity's running mean
        m.accumulate_gradients(X)
    for a, b in zip(model.parameters(), rebuilt.parameters()):
        numpy.testing.assert_array_equal(host(a.grad), host(b.grad), err_msg=a.name)


def test_dbn_config_round_trip(tmp_path):
    dbn = DBN([6, 4, 3], linear_top=True, k=2, weight_decay=1e-3, seed=1)
    X = grey(20, 6, 1)
    dbn.pretrain(X, epochs=2, batch_size=10)
    path = str(tmp_path / "dbn.npz")
    io.save(dbn, path)
    rebuilt = DBN(**io.load_config(path))
    io.load_weights(rebuilt, path)
    assert rebuilt.get_config() == dbn.get_config()
    numpy.testing.assert_array_equal(host(rebuilt.transform(X)), host(dbn.transform(X)))
    H = X
    for a, b in zip(dbn.rbms, rebuilt.rbms):
        assert a.evaluate(H) == b.evaluate(H)
        H = a.transform(H)
    assert [r.hidden for r in rebuilt.rbms] == ["binary", "linear"]
