"""Restricted Boltzmann machines, sampling, likelihood estimation and deep belief nets.

Built only from minidl; each module lists its public names in ``__all__``.
"""
from rbm.core import *  # noqa: F401,F403  BernoulliRBM, GaussianBernoulliRBM, ...
from rbm.dbn import *  # noqa: F401,F403  DBN
