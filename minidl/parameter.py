"""Parameter: a learnable array and the gradient accumulated into it."""
from minidl import backend


class Parameter:
    """A learnable array ``data`` with its gradient ``grad`` of the same shape.

    Layers *add* into ``grad`` during ``backward`` (``p.grad += ...``) and never
    replace it, so a Parameter used twice (weight tying) collects the sum of both
    uses. Optimizers read ``grad`` and skip frozen parameters.
    """

    def __init__(self, data, name=None, frozen=False):
        self.data = data
        self.grad = backend.get_array_module(data).zeros_like(data)
        self.name = name
        self.frozen = frozen

    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def size(self):
        return self.data.size

    def zero_grad(self):
        """Reset the accumulated gradient to zero, in place."""
        self.grad.fill(0)

    def to(self, name):
        """Move data and grad to backend ``name`` ("numpy" or "cupy")."""
        self.data = backend.to_device(self.data, name)
        self.grad = backend.to_device(self.grad, name)
        return self

    def astype(self, dtype):
        """Cast data and grad to ``dtype`` (gradient checks use float64)."""
        self.data = self.data.astype(dtype)
        self.grad = self.grad.astype(dtype)
        return self

    def __repr__(self):
        flag = ", frozen" if self.frozen else ""
        return f"Parameter({self.name!r}, shape={tuple(self.shape)}, dtype={self.dtype}{flag})"
