"""minidl: a from-scratch deep-learning library for learning autoencoders and RBMs.

Every forward and backward pass is written by hand in array code; the backend
(NumPy or CuPy) is chosen in :mod:`minidl.backend`.
"""
from minidl import backend
from minidl.parameter import Parameter

__version__ = "0.1.0"
__all__ = ["backend", "Parameter", "__version__"]
