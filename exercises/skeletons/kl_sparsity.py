"""Exercise "kl_sparsity": the sparse autoencoder's KL penalty, through the batch mean.

Replace the ``raise NotImplementedError("exercise: ...")`` with your code, then run

    python -m exercises check kl_sparsity

Given: the hyperparameter checks, and ``kl_bernoulli(rho, rho_hat)`` (the elementwise
KL(ρ ‖ ρ̂) of the docstring). ``h`` are sigmoid codes (B, K).
"""
from minidl import backend, checks
from autoencoders.penalties import kl_bernoulli


class KLSparsity:
    """@library autoencoders.penalties:KLSparsity"""

    name = "kl_sparsity"

    def __init__(self, rho=0.1, beta=3.0):
        self.rho = checks.number("KLSparsity", "rho", rho, low=0, high=1, low_open=True,
                                 high_open=True)
        self.beta = checks.number("KLSparsity", "beta", beta, low=0)

    def value_and_grad(self, h):
        xp = backend.get_array_module(h)
        raise NotImplementedError("exercise: ρ̂ = batch mean of h (clipped to [1e-7, 1 − 1e-7]); "
                                  "return (Ω as a float, dΩ/dh of h's shape)")
