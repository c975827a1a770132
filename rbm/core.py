"""The public RBM classes, gathered for ``from rbm import *``.

    BernoulliRBM          binary visibles; binary or linear ("Gaussian") hidden units
    GaussianBernoulliRBM  real-valued visibles with (optionally learned) σ, binary hiddens
    CenteredBernoulliRBM  binary units, energy measured from moving offsets (rbm.centered)

Each lives in its own module (rbm.bernoulli, rbm.gaussian) on top of rbm.base.RBM;
likelihood estimation is in rbm.likelihood (exact) and rbm.ais (annealed importance).
"""
from rbm.base import RBM
from rbm.bernoulli import BernoulliRBM
from rbm.centered import CenteredBernoulliRBM
from rbm.gaussian import GaussianBernoulliRBM

__all__ = ["RBM", "BernoulliRBM", "CenteredBernoulliRBM", "GaussianBernoulliRBM"]
