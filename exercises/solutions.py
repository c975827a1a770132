"""The solutions: the library's own code, in the shape each exercise asks for.

Most exercises ask for a library class as it is (``Dense``, ``Adam``, ...). Four ask
for a lesson the library keeps inside a larger object; for those this module calls
the library's code itself, not a copy of it:

- ``TopK``: :class:`autoencoders.KSparseAutoencoder`'s bottleneck and its backward;
- ``free_energy``, ``free_energy_grads``: :class:`rbm.BernoulliRBM`'s free energy and
  the free-energy gradient it accumulates for CD;
- ``cd_k_gradient``: :meth:`rbm.base.RBM.accumulate_gradients`, the CD-k update;
- ``ais_log_partition``: :func:`rbm.ais.log_partition` without its error bar.

``SOLUTIONS[name]`` is what ``exercises.check(name, ...)`` takes; the tests grade each.
"""
import types

from minidl.layers import LSTM, Conv2D, Dense, MaxPool2D, ReLU, Sigmoid, Tanh, TiedDense
from minidl.layers.base import Layer
from minidl.losses import BCEWithLogits, SoftmaxCrossEntropy
from minidl.optimizers import Adam

from autoencoders.ksparse import KSparseAutoencoder
from autoencoders.penalties import ContractivePenalty, KLSparsity
from autoencoders.vae import VAE
from rbm.ais import log_partition

__all__ = ["SOLUTIONS", "TopK", "free_energy", "free_energy_grads", "cd_k_gradient",
           "ais_log_partition"]


class TopK(Layer):
    """The k-sparse bottleneck z = h ⊙ 1[Γ] as a layer (KSparseAutoencoder's own methods)."""

    def __init__(self, k):
        self.k = self.k_current = k
        self._mask = None

    def forward(self, h, training=False):
        return KSparseAutoencoder.bottleneck(self, h, training)

    def backward(self, dz):
        self._need_forward(self._mask)
        return KSparseAutoencoder.bottleneck_backward(self, dz)


def free_energy(rbm, v):
    """F(v), one value per row: ``rbm.free_energy``."""
    return rbm.free_energy(v)


def free_energy_grads(rbm, v):
    """(∂F/∂W, ∂F/∂b, ∂F/∂c) of the batch mean of F: what the RBM adds for CD's positive phase."""
    for p in rbm.parameters():
        p.zero_grad()
    rbm._add_free_energy_grad(v, rbm.mean_h(v), 1.0 / v.shape[0])
    return tuple(p.grad.copy() for p in (rbm.W, rbm.vbias, rbm.hbias))


def ais_log_partition(rbm, n_chains=500, n_betas=200, seed=0):
    """log Ẑ by forward AIS: ``rbm.ais.log_partition`` (its standard error dropped)."""
    return log_partition(rbm, n_chains, n_betas, seed)[0]


def cd_k_gradient(rbm, v, k):
    """The CD-k estimate (dW, db, dc) on batch v: ``rbm.accumulate_gradients``."""
    rbm.k, rbm.persistent = k, False
    for p in rbm.parameters():
        p.zero_grad()
    rbm.accumulate_gradients(v)
    return tuple(p.grad.copy() for p in (rbm.W, rbm.vbias, rbm.hbias))


SOLUTIONS = {
    "dense": Dense,
    "activations": types.SimpleNamespace(Sigmoid=Sigmoid, Tanh=Tanh, ReLU=ReLU),
    "bce_logits": BCEWithLogits,
    "softmax_ce": SoftmaxCrossEntropy,
    "adam": Adam,
    "tied_dense": TiedDense,
    "kl_sparsity": KLSparsity,
    "ksparse": TopK,
    "contractive": ContractivePenalty,
    "conv2d": Conv2D,
    "maxpool": MaxPool2D,
    "lstm": LSTM,
    "vae": VAE,
    "rbm_free_energy": types.SimpleNamespace(free_energy=free_energy,
                                             free_energy_grads=free_energy_grads),
    "cd_k": cd_k_gradient,
    "ais": ais_log_partition,
}
