"""Exercise "contractive": the contractive penalty λ ‖J‖²_F of a sigmoid encoder.

Replace each ``raise NotImplementedError("exercise: ...")`` with your code, then run

    python -m exercises check contractive

Given: the hyperparameter check. ``self.dense`` is the encoder's Dense layer (its weight
``self.dense.W.data`` is (D, K)); ``h = σ(x W + b)`` are its codes (B, K).
"""
from minidl import backend, checks


class ContractivePenalty:
    """@library autoencoders.penalties:ContractivePenalty"""

    name = "contractive"

    def __init__(self, dense, lam=0.1):
        self.dense = dense
        self.lam = checks.number("ContractivePenalty", "lam", lam, low=0)

    def value_and_grad(self, h):
        raise NotImplementedError("exercise: return (Ω as a float, ∂Ω/∂h of h's shape)")

    def parameter_grads(self, h):
        raise NotImplementedError("exercise: return [(self.dense.W, ∂Ω/∂W)], ∂Ω/∂W of W's shape")
