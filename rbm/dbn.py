"""DBN: a deep belief net, greedily stacked RBMs (Hinton, Osindero & Teh 2006).

Pretrain a stack of RBMs one at a time, each on P(h | v) of the one below; then
use it three ways: as a generative model (Gibbs sampling in the top RBM, one down
pass), unrolled into a deep autoencoder (Hinton & Salakhutdinov 2006), or as the
initialisation of a classifier.
"""
import copy

from minidl import backend, checks
from minidl.classifier import Classifier
from minidl.layers import Dense, Sequential, Sigmoid
from minidl.model import Estimator
from minidl.optimizers import SGD
from minidl.pretrain import greedy_pretrain

from rbm.bernoulli import BernoulliRBM

__all__ = ["DBN"]


def _dense_from(W, b):
    """A Dense layer holding *copies* of W (n_in, n_out) and b (n_out,)."""
    n_in, n_out = W.shape
    dense = Dense(n_in, n_out, init="zeros", dtype=W.dtype)
    dense.W.data = W.copy()
    dense.b.data = b.copy()
    dense.W.grad = backend.get_array_module(W).zeros_like(dense.W.data)
    dense.b.grad = backend.get_array_module(b).zeros_like(dense.b.data)
    return dense


class DBN(Estimator):
    """A stack of Bernoulli RBMs: ``DBN([784, 1000, 500, 250, 30], linear_top=True)``.

    Parameters
    ----------
    sizes : [visible, hidden_1, ..., hidden_L], at least two entries.
    linear_top : the top RBM has linear (Gaussian, unit variance) hidden units, the
        real-valued code of Hinton & Salakhutdinov (2006); it trains with ``top_optimizer``.
    k, persistent, weight_decay, init_std : every RBM's settings (defaults: the paper's
        CD-1 and weight cost 2e-4).
    optimizer : every binary RBM's optimizer: None for the paper's SGD(0.1, momentum=0.9),
        an Optimizer (each RBM gets a copy of its own) or a name.
    top_optimizer : a linear top RBM's optimizer: None for SGD(0.001, momentum=0.9), the
        paper's small rate for linear units; an Optimizer or a name.
    init_vbias : every RBM's: "data" (default; each RBM's visible biases start at the
        log-odds of what it is fitted on, see :class:`rbm.BernoulliRBM`) or "zeros"
        (Hinton & Salakhutdinov's code).
    seed : RBM i is seeded with ``backend.derive_seed(seed, "unit", i)``.
    epochs, batch_size : keyword-only: ``fit`` / ``pretrain``'s defaults (None: 20 epochs
        of batches of 100 per RBM, the paper's batch size).

    Attributes
    ----------
    rbms : the list of :class:`rbm.BernoulliRBM`, bottom first.

    Notes
    -----
    Greedy training (:func:`minidl.pretrain.greedy_pretrain`): RBM i models
    H_{i-1} = P(h | H_{i-2}) (H_0 = X). The up-pass (``transform``) is

        h_i = σ(h_{i-1} W_i + c_i)   (linear top: h_L = h_{L-1} W_L + c_L).

    Unrolled, the encoder is that up-pass and the decoder runs it backwards with the
    transposed weights and the visible biases, v̂_{i-1} = σ(h_i W_iᵀ + b_i), ending in
    the logits h_1 W_1ᵀ + b_1; the decoder gets copies, so encoder and decoder are
    untied and fine-tune separately, as in the paper.
    """

    def __init__(self, sizes, *, linear_top=False, k=1, persistent=False, optimizer=None,
                 top_optimizer=None, weight_decay=2e-4, init_std=0.01, init_vbias="data",
                 seed=None):
        self.sizes = checks.sizes("DBN", sizes, minimum=2)
        self.linear_top = bool(linear_top)
        self.seed = None if seed is None else checks.integer("DBN", "seed", seed, low=0)
        self.rbms = []
        for i, (n_v, n_h) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            linear = self.linear_top and i == len(self.sizes) - 2
            if linear:
                opt = SGD(0.001, momentum=0.9) if top_optimizer is None else top_optimizer
            else:
                opt = SGD(0.1, momentum=0.9) if optimizer is None else optimizer
            self.rbms.append(BernoulliRBM(
                n_v, n_h, k=k, persistent=persistent, hidden="linear" if linear else "binary",
                optimizer=copy.deepcopy(opt), weight_decay=weight_decay, init_std=init_std,
                init_vbias=init_vbias, seed=backend.derive_seed(self.seed, "unit", i)))

    #: ``fit`` / ``pretrain``'s training length per RBM when neither they nor the
    #: constructor say: 20 epochs of batches of 100 (the batches and the rate are
    #: Hinton & Salakhutdinov's 2006 recipe). ``DBN([784, 256, 256]).fit(X)`` on mnist-5k,
    #: then ``sample(100)``: with 10 epochs the samples covered 9, 4, 6, 7, 6 digit
    #: classes at seeds 0-4; with 20, 6, 7, 6, 5, 6, 6, 8, 8, 8, 6 at seeds 0-9 (40: 7, 6,
    #: 8, 7, 4, 7, 7, 6, 8, 9; the RBMs' own lr 0.01 and batches of 20: 8, 5, 9, 7, 8, 3,
    #: 8, 4, 5, 7). All of these after 1,000 sweeps; with today's 200, 20 epochs give
    #: 9, 8, 8, 9, 9, 9, 9, 9, 10, 9.
    default_epochs = 20
    default_batch_size = 100

    def pretrain(self, X, *, epochs=None, batch_size=None, verbose=0, seed=None, **fit_kwargs):
        """Greedy phase: fit RBM i on the up-pass of RBMs 0..i-1; returns self.

        ``epochs`` and ``batch_size`` (None: the constructor's, else 20 and 100) may be
        lists with one value per RBM; other
        keywords go to every RBM's ``fit``. Each RBM's History is in ``rbm.history_``.
        RBM i's fit is seeded with ``derive_seed(seed, "unit", i)`` (seed: the DBN's
        when None).
        """
        epochs, batch_size = self.training_length(epochs, batch_size)
        greedy_pretrain(self.rbms, X, epochs=epochs, batch_size=batch_size, verbose=verbose,
                        seed=self.seed if seed is None else seed, **fit_kwargs)
        return self

    def fit(self, X, y=None, **kwargs):
        """``pretrain(X, **kwargs)`` (``y`` is ignored), for scikit-learn pipelines.

        ``fit(X)`` alone trains with the constructor's ``epochs`` / ``batch_size``,
        else 20 epochs of batches of 100 per RBM."""
        return self.pretrain(X, **kwargs)

    def fit_transform(self, X, y=None, **kwargs):
        """``pretrain(X, **kwargs).transform(X)``."""
        return self.pretrain(X, **kwargs).transform(X)

    def transform(self, X):
        """The up-pass of probabilities: P(h_L | ... P(h_1 | X)).  (N, D) -> (N, sizes[-1])."""
        H = X
        for rbm in self.rbms:
            H = rbm.transform(H)
        return H

    def unroll(self):
        """``(encoder, decoder)`` as Sequentials of Dense + Sigmoid holding copies of the weights.

        encoder: Dense(W_1, c_1) σ ... Dense(W_L, c_L) [σ unless linear_top]
        decoder: Dense(W_Lᵀ, b_L) σ ... Dense(W_1ᵀ, b_1)   -- logits: wrap with
        ``autoencoders.Autoencoder(encoder, decoder)`` (BCE with logits).
        """
        enc, dec = [], []
        for i, rbm in enumerate(self.rbms):
            enc.append(_dense_from(rbm.W.data, rbm.hbias.data))
            if not (i == len(self.rbms) - 1 and self.linear_top):
                enc.append(Sigmoid())
        for i, rbm in reversed(list(enumerate(self.rbms))):
            dec.append(_dense_from(rbm.W.data.T, rbm.vbias.data))
            if i > 0:
                dec.append(Sigmoid())
        device = self._device()            # the DBN's own device, not the global backend
        for p in [p for layer in enc + dec for p in layer.parameters()]:
            p.to(device)
        return Sequential(*enc), Sequential(*dec)

    def _device(self):
        """The backend name ("numpy" or "cupy") the RBMs' parameters live on."""
        return backend.name_of(backend.get_array_module(self.rbms[0].W.data))

    def to_classifier(self, n_classes, *, seed=None):
        """A :class:`minidl.classifier.Classifier`: unrolled encoder + Dense(n_top, n_classes).

        The encoder holds copies of the RBM weights, so fine-tuning leaves ``rbms`` intact.
        The classifier lives on the DBN's device (after ``dbn.to("cupy")``, on CuPy,
        whatever the global backend says).
        """
        encoder, _ = self.unroll()
        head = Dense(self.sizes[-1], n_classes, seed=seed, dtype=self.rbms[-1].W.dtype)
        return Classifier(Sequential(*encoder.layers, head), n_classes=n_classes).to(self._device())

    def sample(self, n, *, steps=None, init=None, seed=None):
        """``n`` fantasies: ``steps`` Gibbs sweeps in the top RBM (default 200), one down pass.

        The top RBM gives P(h_{L-1} | h_L); each lower RBM maps it down with its
        P(v | h). Returns visible probabilities (n, sizes[0]). The top chain starts from
        ``init`` (n, sizes[0]) passed up the stack, by default noise *at the pixels*
        drawn from the bottom RBM's p(v | h = 0) = Bernoulli(σ(b_1)), as
        :meth:`BernoulliRBM.sample` starts. (Noise drawn at the top RBM's own visible
        layer instead is not what the data look like there: 2, 3, 5, 2, 3 classes at
        seeds 0-4 against 6, 7, 7, 8, 8, ``fit(X)`` on mnist-5k, 1,000 sweeps.) ``seed``
        draws from a generator of its own (the start and the chain). Why 200 sweeps and not
        1,000: see :data:`rbm.base.DEFAULT_SAMPLE_STEPS` (at seeds 0-9 the classes fall from
        8-10 to 5-8 as the top chain runs on to 1,000).
        """
        owner = f"{self!r}.sample"
        n = checks.positive_int(owner, "n", n)
        bottom = self.rbms[0]
        gen = bottom._rng if seed is None else backend.rng(seed)
        start = bottom._random_visible(n, gen) if init is None else init
        for rbm in self.rbms[:-1]:
            start = rbm.transform(start)
        v = self.rbms[-1].sample(n, steps=steps, init=start,
                                 seed=None if seed is None else backend.derive_seed(seed, "chain"))
        for rbm in reversed(self.rbms[:-1]):
            v = rbm.mean_v(v)
        return v

    def inverse_transform(self, H):
        """The down-pass of probabilities from the top code.  (N, sizes[-1]) -> (N, sizes[0])."""
        for rbm in reversed(self.rbms):
            H = rbm.mean_v(H)
        return H

    def get_config(self):
        """The keywords that shape the stack (JSON-able; optimizer objects are training state)."""
        return dict(sizes=self.sizes, linear_top=self.linear_top, k=self.rbms[0].k,
                    persistent=self.rbms[0].persistent,
                    weight_decay=self.rbms[0].weight_decay, init_std=self.rbms[0].init_std,
                    seed=self.seed)

    def parameters(self):
        """Every RBM's Parameters, bottom first."""
        return [p for rbm in self.rbms for p in rbm.parameters()]

    def to(self, name):
        """Move every RBM to backend ``name`` ("numpy" or "cupy"); returns self."""
        for rbm in self.rbms:
            rbm.to(name)
        return self

    def __repr__(self):
        top = ", linear_top=True" if self.linear_top else ""
        return f"DBN({self.sizes}{top})"
