"""CD-k / PCD against the exact gradient, the Gibbs sampler, and training by fit."""
import numpy
import pytest

from minidl import backend, datasets
from minidl.optimizers import SGD
from rbm import BernoulliRBM

from rbm.exact import binary_data, cd_expected_gradient, joint, randomise, states


def host(x):
    return backend.to_host(x).astype(numpy.float64)


def exact_gradient(model, V):
    """−∂ mean log p(v)/∂(W, b, c) = E_data[∂F/∂θ] − E_model[∂F/∂θ], by enumeration."""
    p, _ = joint(model)
    S = states(model.n_visible)
    p_v = p.sum(axis=1)
    ph_data = host(model.mean_h(backend.to_device(V)))
    ph_all = host(model.mean_h(backend.to_device(S)))
    data = [V.T @ ph_data / len(V), V.mean(axis=0), ph_data.mean(axis=0)]
    model_ = [S.T @ (ph_all * p_v[:, None]), p_v @ S, p_v @ ph_all]
    return [m - d for d, m in zip(data, model_)]                     # ∂F/∂θ = −(v h, v, h)


COUPLED = dict(seed=0, scale=2.5)   # strong weights: CD-1, CD-2, CD-3 and CD-∞ differ by > 0.05
ATOL = 0.025                        # about 4 standard errors with 6,000 chains


def grads(model):
    return [host(p.grad) for p in (model.W, model.vbias, model.hbias)]


def max_gap(a, b):
    return max(float(numpy.abs(x - y).max()) for x, y in zip(a, b))


def coupled_batch():
    V = host(binary_data(6, 5, 2))
    return V, backend.to_device(numpy.tile(V, (1000, 1)))          # 6,000 chains


def test_the_oracle_is_the_exact_gradient_at_k_infinity():
    model = randomise(BernoulliRBM(5, 3, seed=0), 1)
    V = host(binary_data(6, 5, 2))
    assert max_gap(cd_expected_gradient(model, V, None), exact_gradient(model, V)) < 1e-6


@pytest.mark.parametrize("k", [1, 2, 3, 25])
def test_cd_k_estimate_has_the_expectation_of_k_gibbs_sweeps(k):
    """CD-k's estimate matches the exact E[CD-k] (data − T^k from the data), for each k.

    The model is coupled strongly enough that the expectations for k = 1, 2, 3, 25 are
    all further apart than the tolerance, so a CD that runs 1 (or k − 1) sweeps fails.
    """
    V, batch = coupled_batch()
    model = randomise(BernoulliRBM(5, 3, k=k, seed=0), COUPLED["seed"], COUPLED["scale"])
    expected = {j: cd_expected_gradient(model, V, j) for j in (1, 2, 3, 25, None)}
    others = [j for j in (1, 2, 3, 25) if j != k]
    assert min(max_gap(expected[k], expected[j]) for j in others) > 2 * ATOL   # test power
    model.zero_grad()
    model.accumulate_gradients(batch)
    assert max_gap(grads(model), expected[k]) < ATOL
    if k == 25:                                                     # mixed: the true gradient
        assert max_gap(grads(model), exact_gradient(model, V)) < ATOL


@pytest.mark.parametrize("updates", [1, 3, 25])
def test_pcd_chains_carry_over_between_updates(updates):
    """PCD-1 on a fixed model: after n updates the chains have made n sweeps from the data.

    So the n-th estimate has the expectation of CD-n (exactly computable), not CD-1's:
    a PCD that restarts its chains at the data on every update fails for n = 3 and 25.
    """
    V, batch = coupled_batch()
    model = randomise(BernoulliRBM(5, 3, k=1, persistent=True, seed=0), COUPLED["seed"],
                      COUPLED["scale"])
    for _ in range(updates):                                        # no optimizer: θ fixed
        model.zero_grad()
        model.accumulate_gradients(batch)
    assert max_gap(grads(model), cd_expected_gradient(model, V, updates)) < ATOL
    if updates > 1:
        assert max_gap(grads(model), cd_expected_gradient(model, V, 1)) > 2 * ATOL


def test_weight_decay_applies_to_w_only():
    """g_W gains λW; the biases' gradients are untouched, even when the biases are not 0."""
    v = binary_data(4, 6, 0)
    got = []
    for wd in (0.0, 0.1):
        model = randomise(BernoulliRBM(6, 4, seed=0, weight_decay=wd), 3)   # biases ≠ 0
        model.accumulate_gradients(v)                               # same seed: same samples
        got.append(grads(model))
    numpy.testing.assert_allclose(got[1][0] - got[0][0], 0.1 * host(model.W.data), atol=1e-6)
    numpy.testing.assert_array_equal(got[1][1], got[0][1])
    numpy.testing.assert_array_equal(got[1][2], got[0][2])


def test_sparsity_adds_its_penalty_gradient_to_c_and_w_only():
    """With decay 0, q = mean P(h|v⁺): g_c += s(q − p), g_W += s·mean(v)ᵀ(q − p), g_b unchanged."""
    v = binary_data(5, 6, 1)
    got = []
    for target in (None, 0.05):
        model = randomise(BernoulliRBM(6, 4, seed=0, sparsity_target=target, sparsity_cost=0.5,
                                       sparsity_decay=0.0), 3)
        model.accumulate_gradients(v)
        got.append(grads(model))
    dq = 0.5 * (host(model.mean_h(v)).mean(axis=0) - 0.05)
    numpy.testing.assert_allclose(got[1][2] - got[0][2], dq, atol=1e-6)
    numpy.testing.assert_allclose(got[1][0] - got[0][0], numpy.outer(host(v).mean(axis=0), dq),
                                  atol=1e-6)
    numpy.testing.assert_array_equal(got[1][1], got[0][1])


def test_gibbs_samples_follow_the_model_distribution():
    model = randomise(BernoulliRBM(4, 3, seed=0), 3)
    p, _ = joint(model)
    v = model.gibbs(binary_data(20000, 4, 0), 30)                  # 20,000 chains
    codes = host(v) @ (2 ** numpy.arange(3, -1, -1))               # row index of states(4)
    empirical = numpy.bincount(codes.astype(int), minlength=16) / len(codes)
    assert 0.5 * numpy.abs(empirical - p.sum(axis=1)).sum() < 0.03


def bars_and_stripes():
    try:
        return datasets.load("bars-and-stripes", n=3)[0]
    except Exception:                                               # pragma: no cover
        bits = states(3)
        bars = numpy.repeat(bits[:, None, :], 3, axis=1).reshape(-1, 9)
        stripes = numpy.repeat(bits[1:-1, :, None], 3, axis=2).reshape(-1, 9)
        return numpy.concatenate([bars, stripes]).astype(numpy.float32)


@pytest.mark.parametrize("k, persistent", [(1, False), (5, False), (1, True)])
def test_training_raises_exact_log_likelihood_of_bars_and_stripes(k, persistent):
    X = bars_and_stripes()
    model = BernoulliRBM(9, 8, k=k, persistent=persistent, seed=0, init_std=0.1)
    before = model.log_likelihood(X, model.log_partition_exact())
    history = model.fit(X, epochs=800, batch_size=7, seed=0, verbose=0,
                        optimizer=SGD(0.05, momentum=0.5)).history_
    after = model.log_likelihood(X, model.log_partition_exact())
    assert after > before + 1.5, (before, after)                    # best possible: −log 14
    assert after < -numpy.log(len(X)) + 1e-6
    errors = history.history["recon_error"]
    assert errors[-1] < errors[0]


def test_sparsity_target_lowers_hidden_activity():
    X = backend.to_device(bars_and_stripes())
    activity = []
    for target in (None, 0.05):
        model = BernoulliRBM(9, 16, seed=0, sparsity_target=target, sparsity_cost=0.5)
        model.fit(X, epochs=60, batch_size=7, seed=0, verbose=0)
        activity.append(float(model.transform(X).mean()))
    assert activity[1] < 0.5 * activity[0]


def test_pcd_chains_match_the_largest_batch_and_can_be_reset():
    model = BernoulliRBM(6, 4, seed=0, persistent=True)
    model.train_step(binary_data(5, 6, 0))
    chain = host(model._chain).copy()
    model.train_step(binary_data(3, 6, 1))                          # a smaller last batch
    assert model._chain.shape == (5, 4) and set(numpy.unique(chain)) <= {0.0, 1.0}
    numpy.testing.assert_array_equal(host(model._chain[3:]), chain[3:])   # unused: kept
    model.reset_chains()
    assert model._chain is None


def test_fit_is_reproducible_with_seeds_and_lowers_the_reconstruction_error():
    X = bars_and_stripes()
    # lr 0.05: the default 0.01 is set for MNIST-sized data and needs more than these
    # 800 updates on the 14 bars-and-stripes patterns
    runs = [BernoulliRBM(9, 5, optimizer=SGD(0.05, momentum=0.9), seed=1) for _ in range(2)]
    before = runs[0].evaluate(X)["recon_error"]
    for model in runs:
        assert model.fit(X, epochs=200, batch_size=4, seed=2, verbose=0) is model
    numpy.testing.assert_array_equal(host(runs[0].W.data), host(runs[1].W.data))
    after = runs[0].evaluate(X)["recon_error"]
    assert after < 0.6 * before, (before, after)
    errors = runs[0].history_.history["recon_error"]
    assert len(errors) == 200 and errors[-1] < errors[0]
