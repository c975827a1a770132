"""Exercise "rbm_free_energy": the free energy F(v) of a Bernoulli RBM, and ∂F/∂θ.

Replace each ``raise NotImplementedError("exercise: ...")`` with your code, then run

    python -m exercises check rbm_free_energy

``rbm`` is a BernoulliRBM: ``rbm.W.data`` (D, H), ``rbm.vbias.data`` b (D,),
``rbm.hbias.data`` c (H,); ``v`` is a batch (B, D). The check enumerates every state of a
tiny RBM to know the exact answer. Given: ``sigmoid``. softplus(a) = log(1 + eᵃ) =
``xp.logaddexp(0, a)``, finite for any a.
"""
from minidl import backend
from minidl.layers.activations import sigmoid


def free_energy(rbm, v):
    """@library rbm.bernoulli"""
    xp = backend.get_array_module(v)
    raise NotImplementedError("exercise: return F(v) = −vᵀb − Σ_j softplus(c_j + (vW)_j), "
                              "one value per row, shape (B,)")


def free_energy_grads(rbm, v):
    """The gradients of the batch mean (1/B) Σ_b F(v_b): (dW (D, H), db (D,), dc (H,)).

    With p = P(h = 1 | v) = σ(c + vW):  ∂F/∂W = −vᵀp,  ∂F/∂b = −v,  ∂F/∂c = −p,
    each averaged over the batch.
    """
    raise NotImplementedError("exercise: return (dW, db, dc), averaged over the batch")
