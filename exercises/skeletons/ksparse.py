"""Exercise "ksparse": the k-sparse autoencoder's bottleneck, as a layer.

Replace each ``raise NotImplementedError("exercise: ...")`` with your code, then run

    python -m exercises check ksparse

In the library this is ``KSparseAutoencoder.bottleneck`` (forward) and
``bottleneck_backward``; here it is a layer TopK(k): forward(h) -> z, backward(dz) -> dh.
Hint: ``xp.partition(-h, k - 1, axis=1)[:, k - 1:k]`` is minus each row's k-th largest value.
"""
from minidl import backend
from minidl.layers.base import Layer


class TopK(Layer):
    """@library autoencoders.ksparse"""

    def __init__(self, k):
        self.k = k
        self.mask = None

    def forward(self, h, training=False):
        xp = backend.get_array_module(h)
        raise NotImplementedError("exercise: self.mask = 1[the k largest of each row]; "
                                  "return z = h ⊙ mask")

    def backward(self, dz):
        self._need_forward(self.mask)
        raise NotImplementedError("exercise: return dh = dz ⊙ mask")
