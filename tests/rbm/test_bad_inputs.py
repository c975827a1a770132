"""Bad input to every public RBM entry point: refused up front, with the problem named.

Each row is (what is tried, the call, the error type, a pattern the message must match).
The data rows are tried against every method that takes visible data.
"""
import numpy
import pytest

from minidl import backend
from minidl.optimizers import SGD
from rbm import DBN, BernoulliRBM, GaussianBernoulliRBM, ais

D, H = 6, 4


def data(n=8, fill=None, dtype=numpy.float32, last=None):
    """(n, D) host data: random binary, or all ``fill``; ``last`` replaces the last row."""
    X = (numpy.random.default_rng(0).random((n, D)) < 0.5).astype(dtype)
    if fill is not None:
        X[...] = fill
    if last is not None:
        X[-1] = last
    return X


# --- visible data: (id, array, models it is bad for, error type, message pattern) ---------
BAD_DATA = [
    ("above 1", data(fill=1.5), "bernoulli", ValueError, r"\[0, 1\].*\[1.5, 1.5\].*X / 255"),
    ("negative", data(fill=-0.5), "bernoulli", ValueError, r"needs data in \[0, 1\]"),
    ("raw 0-255 pixels", data(fill=255.0), "bernoulli", ValueError, r"rescale \(e.g. X / 255\)"),
    ("NaN", data(fill=numpy.nan), "both", ValueError, r"8 NaN or infinite.*clean or impute"),
    ("one inf", data(last=numpy.inf), "both", ValueError, r"6 NaN or infinite"),
    ("beyond float32", data(fill=1e39, dtype=numpy.float64), "both", ValueError,
     r"values up to 1e\+39, beyond the range of the model's float32"),
    ("0 rows", data()[:0], "both", ValueError, r"no samples \(shape \(0, 6\)\).*at least one row"),
    ("wrong width", numpy.zeros((3, 5), numpy.float32), "both", ValueError,
     r"shape \(3, 5\): expected \(batch, 6\)"),
    ("images", numpy.zeros((3, 2, 3), numpy.float32), "both", ValueError,
     r"\(3, 2, 3\).*flatten images first"),
    ("1-D", numpy.zeros(6, numpy.float32), "both", ValueError, r"shape \(6,\).*one row per"),
    ("strings", numpy.full((2, D), "a"), "both", TypeError, r"needs numbers.*dtype <U1"),
    # a list of rows is read as numpy.asarray reads it (issue 18); a ragged one is refused
    ("a ragged list", [[0.0] * D, [0.0]], "both", ValueError,
     r"input is a list that NumPy cannot read as one array"),
]

METHODS = {
    "fit": lambda m, X: m.fit(X, epochs=1, batch_size=4, verbose=0),
    "fit validation_data": lambda m, X: m.fit(data(), epochs=1, batch_size=4, verbose=0,
                                              validation_data=X),
    "train_step": lambda m, X: m.train_step(X),
    "transform": lambda m, X: m.transform(X),
    "mean_h": lambda m, X: m.mean_h(X),
    "sample_h": lambda m, X: m.sample_h(X),
    "free_energy": lambda m, X: m.free_energy(X),
    "evaluate": lambda m, X: m.evaluate(X),
    "reconstruct": lambda m, X: m.reconstruct(X),
    "gibbs": lambda m, X: m.gibbs(X, 1),
    "sample init": lambda m, X: m.sample(len(X), steps=1, init=X),
    "free_energy_grad_v": lambda m, X: m.free_energy_grad_v(X),
}
BERNOULLI_ONLY = {
    "pseudo_likelihood": lambda m, X: m.pseudo_likelihood(X, seed=0),
    "log_likelihood": lambda m, X: m.log_likelihood(X, 0.0),
    "ais base_rate_data": lambda m, X: ais.log_partition(m, 2, 4, seed=0, base_rate_data=X),
}
MODELS = {"bernoulli": lambda: BernoulliRBM(D, H, seed=0),
          "gaussian": lambda: GaussianBernoulliRBM(D, H, seed=0)}


def _data_cases():
    for kind, make in MODELS.items():
        methods = dict(METHODS, **(BERNOULLI_ONLY if kind == "bernoulli" else {}))
        for case, X, bad_for, exc, pattern in BAD_DATA:
            if bad_for in ("both", kind):
                for method, call in methods.items():
                    if method == "sample init" and case == "0 rows":
                        continue                                  # n=0 is refused first
                    yield pytest.param(make, call, X, exc, pattern,
                                       id=f"{kind}-{method}-{case}")


@pytest.mark.parametrize("make, call, X, exc, pattern", list(_data_cases()))
def test_bad_data_is_refused_and_nothing_moves(make, call, X, exc, pattern):
    model = make()
    before = [backend.to_host(p.data).copy() for p in model.parameters()]
    with pytest.raises(exc, match=pattern):
        call(model, backend.to_device(X) if isinstance(X, numpy.ndarray) and X.dtype.kind == "f"
             else X)
    for p, b in zip(model.parameters(), before):
        numpy.testing.assert_array_equal(backend.to_host(p.data), b)


@pytest.mark.parametrize("bad_row, pattern", [(2.0, r"\[0, 1\]"), (numpy.nan, "NaN")])
def test_fit_checks_the_whole_data_before_the_first_update(bad_row, pattern):
    """A bad last row stops fit before batch 1 trains (not mid-epoch, after 24 updates)."""
    model = BernoulliRBM(D, H, seed=0)
    before = backend.to_host(model.W.data).copy()
    with pytest.raises(ValueError, match=pattern):
        model.fit(backend.to_device(data(n=100, last=bad_row)), epochs=1, batch_size=4,
                  verbose=0, shuffle=False)
    numpy.testing.assert_array_equal(backend.to_host(model.W.data), before)


HIDDEN_BAD = [
    ("wrong width", numpy.zeros((2, H + 1), numpy.float32), ValueError,
     r"hidden states of shape \(2, 5\): expected \(batch, 4\)"),
    ("NaN", numpy.full((2, H), numpy.nan, numpy.float32), ValueError, "NaN"),
    ("0 rows", numpy.zeros((0, H), numpy.float32), ValueError, "no samples"),
]


@pytest.mark.parametrize("kind", sorted(MODELS))
@pytest.mark.parametrize("method", ["mean_v", "sample_v", "inverse_transform"])
@pytest.mark.parametrize("case, h, exc, pattern", HIDDEN_BAD, ids=[c[0] for c in HIDDEN_BAD])
def test_bad_hidden_states_are_refused(kind, method, case, h, exc, pattern):
    with pytest.raises(exc, match=pattern):
        getattr(MODELS[kind](), method)(backend.to_device(h))


# --- constructor and method arguments -----------------------------------------------------
INT64, F32 = numpy.int64, numpy.float32
BAD_ARGUMENTS = [
    ("n_hidden=3.7", lambda: BernoulliRBM(D, 3.7), ValueError,
     r"n_hidden=3.7 must be an integer >= 1; sizes and counts are whole numbers, e.g. "
     r"n_hidden=4"),
    ("n_hidden=True", lambda: BernoulliRBM(D, True), ValueError, r"n_hidden=True must be an int"),
    ("n_visible=0", lambda: BernoulliRBM(0, H), ValueError, r"n_visible=0 must be an integer >= 1"),
    ("n_hidden='4'", lambda: BernoulliRBM(D, "4"), ValueError, r"n_hidden='4' must be an integer"),
    ("k=0", lambda: BernoulliRBM(D, H, k=0), ValueError, r"k=0 must be an integer >= 1"),
    ("k=2.0", lambda: BernoulliRBM(D, H, k=2.0), ValueError, r"k=2.0 must be an integer"),
    ("hidden='relu'", lambda: BernoulliRBM(D, H, hidden="relu"), ValueError,
     r"hidden='relu' is not supported: expected one of \('binary', 'linear'\)"),
    ("weight_decay=-1", lambda: BernoulliRBM(D, H, weight_decay=-1), ValueError,
     r"weight_decay=-1.0 is out of range: expected a number >= 0"),
    ("weight_decay=inf", lambda: BernoulliRBM(D, H, weight_decay=float("inf")), ValueError,
     r"weight_decay=inf must be a finite number"),
    ("sparsity_target=1.5", lambda: BernoulliRBM(D, H, sparsity_target=1.5), ValueError,
     r"sparsity_target=1.5 is out of range: expected a number in \(0, 1\)"),
    ("sparsity with linear units", lambda: BernoulliRBM(D, H, sparsity_target=0.1,
                                                        hidden="linear"),
     ValueError, r"needs binary hidden units"),
    ("sparsity_decay=1", lambda: BernoulliRBM(D, H, sparsity_decay=1), ValueError,
     r"sparsity_decay=1.0 is out of range: expected a number in \[0, 1\)"),
    ("init_std=nan", lambda: BernoulliRBM(D, H, init_std=float("nan")), ValueError,
     r"init_std=nan must be a finite number"),
    ("seed=1.5", lambda: BernoulliRBM(D, H, seed=1.5), ValueError, r"seed=1.5 must be an integ"),
    ("optimizer='adamw2'", lambda: BernoulliRBM(D, H, optimizer="adamw2"), ValueError,
     r"optimizer='adamw2' is not an optimizer"),
    ("removed lr=", lambda: BernoulliRBM(D, H, lr=0.1), TypeError, r"unexpected keyword.*'lr'"),
    ("removed momentum=", lambda: BernoulliRBM(D, H, momentum=0.9), TypeError,
     r"unexpected keyword.*'momentum'"),
    ("lr=inf", lambda: GaussianBernoulliRBM(D, H, lr=float("inf")), TypeError,
     r"unexpected keyword.*'lr'"),
    ("sigma_range=(0, 1)", lambda: GaussianBernoulliRBM(D, H, sigma_range=(0, 1)), ValueError,
     r"sigma_range=\(0, 1\) is invalid, expected \(low, high\) with 0 < low < high"),
    ("sigma_range=(1, nan)", lambda: GaussianBernoulliRBM(D, H, sigma_range=(1, float("nan"))),
     ValueError, r"sigma_range"),
    ("gibbs k=0", lambda: BernoulliRBM(D, H).gibbs(data(), 0), ValueError, r"k=0 must be an int"),
    ("gibbs k=1.5", lambda: BernoulliRBM(D, H).gibbs(data(), 1.5), ValueError, r"k=1.5"),
    ("sample n=0", lambda: BernoulliRBM(D, H).sample(0), ValueError, r"n=0 must be an integer"),
    ("sample n=2.5", lambda: BernoulliRBM(D, H).sample(2.5), ValueError, r"n=2.5"),
    ("sample steps=-1", lambda: BernoulliRBM(D, H).sample(2, steps=-1), ValueError,
     r"steps=-1 must be an integer >= 0"),
    ("sample init rows", lambda: BernoulliRBM(D, H).sample(2, init=data(3)), ValueError,
     r"init has 3 rows but n=2; pass n=len\(init\)"),
    ("ais n_chains=1", lambda: ais.log_partition(BernoulliRBM(D, H), 1, 10), ValueError,
     r"n_chains=1 must be an integer >= 2"),
    ("ais n_betas=3", lambda: ais.log_partition(BernoulliRBM(D, H), 2, 3), ValueError,
     r"n_betas=3 must be an integer >= 4"),
    ("ais n_betas=10.5", lambda: ais.log_partition(BernoulliRBM(D, H), 2, 10.5), ValueError,
     r"n_betas=10.5 must be an integer"),
    ("ais Gaussian model", lambda: ais.log_partition(GaussianBernoulliRBM(D, H), 2, 10),
     TypeError, r"supports BernoulliRBM with binary hidden units"),
    ("ais linear hidden", lambda: ais.log_partition(BernoulliRBM(D, H, hidden="linear"), 2, 10),
     TypeError, r"log_partition_exact\(\) for small models"),
    ("log_likelihood of grey data", lambda: BernoulliRBM(D, H).log_likelihood(
        backend.to_device(data(fill=0.5)), 0.0), ValueError, r"binarise first"),
    ("DBN sizes=[784]", lambda: DBN([784]), ValueError, r"at least 2 sizes"),
    ("DBN sizes=[784, 3.7]", lambda: DBN([784, 3.7]), ValueError,
     r"sizes\[1\]=3.7 must be an integer"),
    ("DBN sizes=[784, True]", lambda: DBN([784, True]), ValueError, r"sizes\[1\]=True"),
    ("DBN sizes='784'", lambda: DBN("784"), ValueError, r"must be a list of layer sizes"),
    ("DBN removed lr=", lambda: DBN([6, 4], lr=0.1), TypeError, r"unexpected keyword.*'lr'"),
    ("DBN optimizer='x'", lambda: DBN([6, 4], optimizer="x"), ValueError, r"not an optimizer"),
    ("DBN transform width", lambda: DBN([D, H], seed=0).transform(data()[:, :5]), ValueError,
     r"expected \(batch, 6\)"),
    ("DBN pretrain 0 rows", lambda: DBN([D, H], seed=0).pretrain(data()[:0]), ValueError,
     r"no samples"),
]


@pytest.mark.parametrize("call, exc, pattern", [c[1:] for c in BAD_ARGUMENTS],
                         ids=[c[0] for c in BAD_ARGUMENTS])
def test_bad_arguments_are_refused(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


def test_numpy_scalars_are_accepted():
    model = BernoulliRBM(INT64(D), INT64(H), k=INT64(2), weight_decay=F32(1e-4),
                         sparsity_target=F32(0.1), seed=INT64(3))
    assert (model.n_hidden, model.k) == (4, 2) and type(model.n_hidden) is int
    assert model.sample(INT64(2), steps=INT64(1)).shape == (2, D)
    assert model.gibbs(data(), INT64(2)).shape == (8, D)
    log_z, _ = ais.log_partition(model, INT64(3), INT64(10), seed=INT64(0))
    assert numpy.isfinite(log_z)
    assert DBN([INT64(D), INT64(H)], seed=INT64(1)).sizes == [D, H]
    GaussianBernoulliRBM(D, H, sigma_range=(F32(0.5), F32(2.0)), optimizer=SGD(F32(0.01)))


def test_the_fit_loop_itself_refuses_out_of_range_data_before_any_update():
    """``training.fit(rbm, X)`` (not only ``rbm.fit``) checks all of X up front: a bad
    value in the last batch must stop it before the first batch moves a weight."""
    from minidl import training
    X = (numpy.random.default_rng(0).random((20, 6)) < 0.5).astype(numpy.float32)
    X[-1, 2] = 255.0
    model = BernoulliRBM(6, 3, seed=0)
    before = [backend.to_host(w).copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        training.fit(model, X, epochs=1, batch_size=5, shuffle=False, verbose=0)
    for a, b in zip(before, model.get_weights()):
        numpy.testing.assert_array_equal(a, backend.to_host(b))
