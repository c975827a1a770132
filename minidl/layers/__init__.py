"""The layer library: one concept per module, each with forward and backward by hand."""
from minidl.layers.base import Layer, Sequential, collect_parameters
from minidl.layers.dense import Dense, TiedDense

__all__ = ["Layer", "Sequential", "collect_parameters", "Dense", "TiedDense"]
