"""DBN: a deep belief net, greedily stacked RBMs (Hinton, Osindero & Teh 2006).

Pretrain a stack of RBMs one at a time, each on P(h | v) of the one below; then
use it three ways: as a generative model (Gibbs sampling in the top RBM, one down
pass), unrolled into a deep autoencoder (Hinton & Salakhutdinov 2006), or as the
initialisation of a classifier.
"""
from minidl import backend
from minidl.classifier import Classifier
from minidl.layers import Dense, Sequential, Sigmoid
from minidl.pretrain import greedy_pretrain

from rbm.bernoulli import BernoulliRBM

__all__ = ["DBN"]


def _check_sizes(sizes):
    try:
        sizes = [int(s) for s in sizes]
    except (TypeError, ValueError):
        raise ValueError(f"DBN: sizes={sizes!r} must be a list of layer sizes, visible "
                         f"first, e.g. [784, 500, 500, 2000]") from None
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"DBN: sizes={sizes!r} must list at least 2 positive sizes, "
                         f"visible first, e.g. [784, 1000, 500, 250, 30]")
    return sizes


def _dense_from(W, b):
    """A Dense layer holding *copies* of W (n_in, n_out) and b (n_out,)."""
    n_in, n_out = W.shape
    dense = Dense(n_in, n_out, init="zeros", dtype=W.dtype)
    dense.W.data = W.copy()
    dense.b.data = b.copy()
    dense.W.grad = backend.get_array_module(W).zeros_like(dense.W.data)
    dense.b.grad = backend.get_array_module(b).zeros_like(dense.b.data)
    return dense


class DBN:
    """A stack of Bernoulli RBMs: ``DBN([784, 1000, 500, 250, 30], linear_top=True)``.

    Parameters
    ----------
    sizes : [visible, hidden_1, ..., hidden_L], at least two entries.
    linear_top : the top RBM has linear (Gaussian, unit variance) hidden units, the
        real-valued code of Hinton & Salakhutdinov (2006); trained with ``top_lr``.
    k, lr, momentum, weight_decay : every RBM's CD-k settings (defaults: the paper's
        CD-1, lr 0.1, weight cost 2e-4; momentum 0.9).
    top_lr : learning rate of a linear top RBM (0.001 in the paper).
    **rbm_kwargs : any other :class:`rbm.BernoulliRBM` keyword, for every RBM
        (``persistent=True`` for PCD, ``sparsity_target``, ``init_std``, ...).
    seed : RBM i is seeded with seed + i.

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

    def __init__(self, sizes, *, linear_top=False, k=1, lr=0.1, momentum=0.9,
                 weight_decay=2e-4, top_lr=0.001, seed=None, **rbm_kwargs):
        self.sizes = _check_sizes(sizes)
        self.linear_top, self.seed = bool(linear_top), seed
        self.rbms = []
        for i, (n_v, n_h) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            top = i == len(self.sizes) - 2
            linear = top and self.linear_top
            self.rbms.append(BernoulliRBM(
                n_v, n_h, k=k, hidden="linear" if linear else "binary",
                lr=top_lr if linear else lr, momentum=momentum, weight_decay=weight_decay,
                seed=None if seed is None else seed + i, **rbm_kwargs))

    def pretrain(self, X, *, epochs=10, batch_size=100, verbose=0, seed=None, **fit_kwargs):
        """Greedy phase: fit RBM i on the up-pass of RBMs 0..i-1; returns self.

        ``epochs`` and ``batch_size`` may be lists with one value per RBM; other
        keywords go to every RBM's ``fit``. Histories are in ``rbm.pretrain_history_``.
        """
        greedy_pretrain(self.rbms, X, epochs=epochs, batch_size=batch_size, verbose=verbose,
                        seed=self.seed if seed is None else seed, **fit_kwargs)
        return self

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
        return Sequential(*enc), Sequential(*dec)

    def to_classifier(self, n_classes, *, seed=None):
        """A :class:`minidl.classifier.Classifier`: unrolled encoder + Dense(n_top, n_classes).

        The encoder holds copies of the RBM weights, so fine-tuning leaves ``rbms`` intact.
        """
        encoder, _ = self.unroll()
        head = Dense(self.sizes[-1], n_classes, seed=seed, dtype=self.rbms[-1].W.dtype)
        return Classifier(Sequential(*encoder.layers, head), n_classes=n_classes)

    def sample(self, n, gibbs_steps=1000, init=None):
        """``n`` fantasies: ``gibbs_steps`` of Gibbs sampling in the top RBM, then one down pass.

        The top RBM gives P(h_{L-1} | h_L); each lower RBM maps it down with its
        P(v | h). Returns visible probabilities (N, sizes[0]). ``init`` optionally
        starts the top chain from data (N, sizes[0]) passed up first.
        """
        if gibbs_steps < 1:
            raise ValueError(f"DBN.sample: gibbs_steps={gibbs_steps!r} must be >= 1")
        start = None
        if init is not None:
            start = init
            for rbm in self.rbms[:-1]:
                start = rbm.transform(start)
        v = self.rbms[-1].sample(n if init is None else start.shape[0], steps=gibbs_steps,
                                 init=start)
        for rbm in reversed(self.rbms[:-1]):
            v = rbm.mean_v(v)
        return v

    def parameters(self):
        """Every RBM's Parameters, bottom first."""
        return [p for rbm in self.rbms for p in rbm.parameters()]

    def __repr__(self):
        top = ", linear_top=True" if self.linear_top else ""
        return f"DBN({self.sizes}{top})"
