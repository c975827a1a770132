import importlib.util
import math

import numpy
import pytest
from hypothesis import example, given, strategies as st

from minidl import backend, metrics

seeds = st.integers(0, 2**16)
has_sklearn = importlib.util.find_spec("sklearn") is not None


# --- AUROC -------------------------------------------------------------------------------------
def test_auroc_hand_computed_with_ties():
    # positives 0.35, 0.8 against negatives 0.1, 0.4: pairs won 1 + 2 of 4
    assert metrics.auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == 0.75
    # a tie between a positive and a negative counts half: (1 + 0.5 + 1 + 1) / 4
    assert metrics.auroc([0.1, 0.5, 0.5, 0.9], [0, 0, 1, 1]) == 0.875
    assert metrics.auroc([3, 3, 3, 3], [0, 1, 0, 1]) == 0.5
    assert metrics.auroc([1, 2, 3], [1, 0, 0]) == 0.0


@given(seed=seeds, n=st.integers(2, 40), levels=st.integers(1, 6))
def test_auroc_is_the_fraction_of_pairs_ranked_correctly(seed, n, levels):
    rng = numpy.random.default_rng(seed)
    scores = rng.integers(0, levels, n)            # few levels: many ties
    labels = numpy.r_[0, 1, rng.integers(0, 2, n - 2)]
    pos, neg = scores[labels == 1], scores[labels == 0]
    diff = pos[:, None] - neg[None, :]
    expected = ((diff > 0) + 0.5 * (diff == 0)).mean()
    assert metrics.auroc(backend.to_device(scores), labels) == pytest.approx(expected, abs=1e-12)


def test_auroc_needs_both_classes():
    with pytest.raises(ValueError, match="both"):
        metrics.auroc([0.2, 0.3], [1, 1])


# --- clustering accuracy and NMI ------------------------------------------------------------------
@given(seed=seeds, n=st.integers(1, 50), k=st.integers(1, 8))
def test_permuted_labelling_is_perfect(seed, n, k):
    rng = numpy.random.default_rng(seed)
    y = rng.integers(0, k, n)
    renamed = (rng.permutation(k) + 100)[y]      # same partition, other names
    assert metrics.clustering_accuracy(y, renamed) == 1.0
    assert metrics.nmi(y, renamed) == pytest.approx(1.0)


def test_clustering_accuracy_hand_computed():
    # best matching: cluster 1 -> class 0 (2 right), cluster 0 -> class 1 (3 right)
    assert metrics.clustering_accuracy([0, 0, 0, 1, 1, 1], [1, 1, 0, 0, 0, 0]) == 5 / 6
    # more clusters than classes: the extra cluster matches nothing
    assert metrics.clustering_accuracy([0, 0, 1, 1], [0, 1, 2, 2]) == 0.75


def test_nmi_of_independent_labelings_is_zero_and_closed_form():
    assert metrics.nmi([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(0.0, abs=1e-12)
    # T = [0,0,1,1], P = [0,0,0,1]: I = H(P) - H(P|T) = h(1/4) - 1/2 * ln 2
    h = lambda *p: -sum(q * math.log(q) for q in p)  # noqa: E731
    mutual = h(0.25, 0.75) - 0.5 * math.log(2)
    expected = mutual / ((math.log(2) + h(0.25, 0.75)) / 2)
    assert metrics.nmi([0, 0, 1, 1], [0, 0, 0, 1]) == pytest.approx(expected, rel=1e-12)


@pytest.mark.skipif(not has_sklearn, reason="scikit-learn not installed")
@given(seed=seeds, n=st.integers(2, 60), k=st.integers(1, 6))
def test_nmi_matches_scikit_learn(seed, n, k):
    from sklearn.metrics import normalized_mutual_info_score
    rng = numpy.random.default_rng(seed)
    a, b = rng.integers(0, k, n), rng.integers(0, k + 1, n)
    assert metrics.nmi(a, b) == pytest.approx(normalized_mutual_info_score(a, b), abs=1e-10)


# --- PSNR ---------------------------------------------------------------------------------------
@given(seed=seeds, n=st.integers(1, 30), c=st.integers(1, 100))
def test_psnr_closed_form(seed, n, c):
    a = numpy.random.default_rng(seed).random(n)
    b = a + c / 1000.0                               # MSE = (c / 1000)²
    assert metrics.psnr(a, b) == pytest.approx(-20 * math.log10(c / 1000.0), rel=1e-9)
    assert metrics.psnr(255 * a, 255 * b, max_value=255.0) == pytest.approx(metrics.psnr(a, b))
    assert metrics.psnr(backend.to_device(a), a) == math.inf


# --- PCA ----------------------------------------------------------------------------------------
def random_data(seed, n, d):
    rng = numpy.random.default_rng(seed)
    return rng.standard_normal((n, d)) @ rng.standard_normal((d, d)) + rng.standard_normal(d)


@given(seed=seeds, n=st.integers(3, 20), d=st.integers(1, 8), k=st.integers(1, 8))
def test_pca_reconstruction_error_is_discarded_variance(seed, n, d, k):
    k = min(k, d, n)
    X = random_data(seed, n, d)
    pca = metrics.PCA(k).fit(backend.to_device(X))
    Xc = X - X.mean(axis=0)
    s = numpy.linalg.svd(Xc, compute_uv=False)
    error = ((X - pca.inverse_transform(pca.transform(X))) ** 2).sum()
    assert error == pytest.approx((s[k:] ** 2).sum(), rel=1e-6, abs=1e-8)
    numpy.testing.assert_allclose(pca.components_ @ pca.components_.T, numpy.eye(k), atol=1e-10)
    # a variance is known to about eps x the largest one (by the SVD or by eigh alike), so
    # a zero-variance direction is compared with an absolute tolerance at that scale
    numpy.testing.assert_allclose(pca.explained_variance_, s[:k] ** 2 / (n - 1), rtol=1e-10,
                                  atol=1e-12 * s[0] ** 2 / (n - 1))


@pytest.mark.skipif(not has_sklearn, reason="scikit-learn not installed")
@given(seed=seeds, n=st.integers(3, 20), d=st.integers(2, 8), k=st.integers(1, 8))
@example(seed=1352, n=15, d=5, k=5)   # a variance of 2.8e-8 next to 16: rtol alone failed it
def test_pca_matches_scikit_learn_up_to_sign(seed, n, d, k):
    from sklearn.decomposition import PCA as SkPCA
    k = min(k, d, n - 1)
    X = random_data(seed, n, d)
    ours, theirs = metrics.PCA(k).fit(X), SkPCA(k, svd_solver="full").fit(X)
    sign = numpy.sign((ours.components_ * theirs.components_).sum(axis=1))
    numpy.testing.assert_allclose(ours.components_, sign[:, None] * theirs.components_,
                                  atol=1e-6)
    # float64 resolves a variance to about eps x the largest one (by eigh or by the SVD), so
    # a small one is compared with an absolute tolerance at that scale (1e-12 ~ 5000 eps)
    top = theirs.explained_variance_[0]
    numpy.testing.assert_allclose(ours.explained_variance_, theirs.explained_variance_,
                                  rtol=1e-8, atol=1e-12 * top)
    numpy.testing.assert_allclose(ours.explained_variance_ratio_,
                                  theirs.explained_variance_ratio_, rtol=1e-8,
                                  atol=1e-12 * theirs.explained_variance_ratio_[0])
    numpy.testing.assert_allclose(ours.transform(X), sign * theirs.transform(X), atol=1e-6)


@given(seed=seeds, n=st.integers(3, 20), d=st.integers(2, 8), k=st.integers(1, 8))
def test_pca_sign_convention_largest_loading_positive(seed, n, d, k):
    """Each component's largest-magnitude loading is positive, whatever sign eigh returns, so
    refitting on the rows in another order, or on −X + c (same covariance), gives the same
    components bit for bit in sign."""
    k = min(k, d, n - 1)
    X = random_data(seed, n, d)
    C = metrics.PCA(k).fit(X).components_
    top = C[numpy.arange(k), numpy.abs(C).argmax(axis=1)]
    assert (top > 0).all(), C
    for other in (X[::-1], 3.0 - X):
        numpy.testing.assert_allclose(metrics.PCA(k).fit(other).components_, C, atol=1e-6)
    if has_sklearn:   # scikit-learn's axes put in the same convention: no sign to align
        from sklearn.decomposition import PCA as SkPCA
        theirs = SkPCA(k, svd_solver="full").fit(X).components_
        largest = theirs[numpy.arange(k), numpy.abs(theirs).argmax(axis=1)]
        theirs = theirs * numpy.sign(largest)[:, None]
        numpy.testing.assert_allclose(C, theirs, atol=1e-6)


def test_pca_keeps_float32_and_refuses_bad_k():
    X = random_data(0, 10, 4).astype(numpy.float32)
    assert metrics.PCA(2).fit(X).transform(X).dtype == numpy.float32
    with pytest.raises(ValueError, match="k <= min"):
        metrics.PCA(5).fit(X)
    with pytest.raises(RuntimeError, match="fit"):
        metrics.PCA(2).transform(X)


# --- k-means ----------------------------------------------------------------------------------
@given(seed=seeds, k=st.integers(1, 5), per=st.integers(2, 15), d=st.integers(1, 4))
def test_kmeans_finds_well_separated_blobs(seed, k, per, d):
    rng = numpy.random.default_rng(seed)
    means = numpy.arange(k)[:, None] * 100.0 + rng.standard_normal((k, d))
    y = numpy.repeat(numpy.arange(k), per)
    X = means[y] + rng.standard_normal((k * per, d))
    centers, labels = metrics.kmeans(backend.to_device(X), k, n_init=3, seed=seed)
    assert centers.shape == (k, d) and labels.shape == (k * per,)
    assert metrics.clustering_accuracy(y, labels) == 1.0
    for j in range(k):  # every centre is the mean of its cluster (a Lloyd fixed point)
        numpy.testing.assert_allclose(centers[j], X[labels == j].mean(axis=0), atol=1e-9)
    nearest = ((X[:, None, :] - centers[None]) ** 2).sum(-1).argmin(1)
    numpy.testing.assert_array_equal(labels, nearest)


def test_kmeans_is_seeded_and_refuses_bad_k():
    X = random_data(1, 40, 3)
    a, b = metrics.kmeans(X, 4, seed=7), metrics.kmeans(X, 4, seed=7)
    numpy.testing.assert_array_equal(a[0], b[0])
    with pytest.raises(ValueError, match=r"\[1, 40\]"):
        metrics.kmeans(X, 0)


# --- linear probe -------------------------------------------------------------------------------
@pytest.mark.parametrize("lr_schedule", ["constant", "linear"])
@pytest.mark.parametrize("informative", [True, False])
def test_linear_probe_separable_codes_vs_noise(informative, lr_schedule):
    pytest.importorskip("minidl.losses")
    rng = numpy.random.default_rng(0)
    y = rng.integers(0, 3, 600)
    Z = rng.standard_normal((600, 5)).astype(numpy.float32)
    if informative:
        Z[:, 0] += 6.0 * y                             # class is a threshold on z_0
    acc = metrics.linear_probe(Z[:400], y[:400], Z[400:], y[400:], epochs=20, lr=0.05, seed=0,
                               lr_schedule=lr_schedule)
    if informative:
        assert acc >= 0.95
    else:
        assert acc < 0.55                              # chance is 1/3


@pytest.mark.parametrize("scale", ["feature", "global"])
def test_linear_probe_standardises_the_test_codes_with_the_training_statistics(scale):
    """A test set of one class only, its codes far from the training mean: standardised with
    the training μ and σ they stay on their class's side (accuracy 1); standardised with
    their own mean they would straddle the boundary (about half right). A row's prediction
    depends on that row alone, so the accuracy on a set is the mean of those on its rows."""
    rng = numpy.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    Z = rng.standard_normal((300, 2)) * 0.5
    Z[:, 0] += numpy.where(y == 1, 2.0, -2.0)          # class = sign of z_0, training mean ~0
    Z_test = rng.standard_normal((40, 2)) * 0.5 + [2.0, 0.0]   # class 1 only, mean (2, 0)
    y_test = numpy.ones(40, dtype=int)
    probe = dict(epochs=20, lr=0.05, seed=0, scale=scale)
    assert metrics.linear_probe(Z, y, Z_test, y_test, **probe) == 1.0
    rows = [metrics.linear_probe(Z, y, Z_test[i:i + 1], y_test[i:i + 1], **probe)
            for i in range(3)]
    assert rows == [1.0, 1.0, 1.0]


def test_linear_probe_global_scale_keeps_rare_sparse_units_small():
    """Per-unit standardisation blows a rarely-on noise unit up; one global scale does not.

    Units 0-2 carry the class; each digit also lights one of 297 noise units that is
    on for ~3 training digits, so its standard deviation is tiny and ``scale="feature"``
    turns its activations into large values the probe fits (and then misreads on the
    test digits). ``scale="global"`` leaves them as small as they are.
    """
    rng = numpy.random.default_rng(0)
    n, d = 1200, 300
    y = rng.integers(0, 3, n)
    Z = numpy.zeros((n, d), numpy.float32)
    Z[numpy.arange(n), y] = 1.0 + 0.3 * rng.random(n)
    Z[:, :3] += 0.8 * (rng.random((n, 3)) < 0.3)
    Z[numpy.arange(n), rng.integers(3, d, n)] = 0.5 * rng.random(n)
    split = (Z[:800], y[:800], Z[800:], y[800:])
    per_feature = metrics.linear_probe(*split, epochs=10, scale="feature", seed=0)
    global_ = metrics.linear_probe(*split, epochs=10, scale="global", seed=0)
    assert global_ >= 0.97 and per_feature <= 0.9, (global_, per_feature)
    with pytest.raises(ValueError, match=r"scale='units' is not supported.*'feature', 'global'"):
        metrics.linear_probe(*split, scale="units")


@pytest.mark.parametrize("lr_schedule, decayed", [("constant", False), ("linear", True)])
def test_linear_probe_lr_schedule_is_used(monkeypatch, lr_schedule, decayed):
    """lr_schedule="linear" trains with LinearDecay (Adam's rate set after every epoch);
    "constant" does not: the argument is never silently ignored."""
    from minidl.callbacks import LinearDecay
    rates = []
    original = LinearDecay.on_epoch_end

    def spy(self, epoch, logs=None):
        original(self, epoch, logs)
        rates.append(self.model.optimizer.lr)
    monkeypatch.setattr(LinearDecay, "on_epoch_end", spy)
    rng = numpy.random.default_rng(0)
    Z, y = rng.standard_normal((50, 3)), rng.integers(0, 2, 50)
    metrics.linear_probe(Z, y, Z, y, epochs=4, lr=0.02, lr_schedule=lr_schedule)
    assert rates == (pytest.approx([0.015, 0.01, 0.005, 0.0]) if decayed else [])
