"""Model: what ``minidl.training.fit`` drives.

A model owns layers (and so Parameters) and an optimizer, and implements

    train_step(batch) -> dict of metrics   forward, objective, backward, optimizer step
    evaluate(batch)   -> dict of metrics   forward and objective only

``batch`` is the input array ``X[idx]`` when ``fit`` was given no targets, and the
pair ``(X[idx], y[idx])`` when it was. Metric values are Python floats.
"""
from minidl import backend
from minidl.layers.base import collect_parameters


class Model:
    """Base class: parameter bookkeeping, device moves, and ``fit``."""

    optimizer = None

    def _own_parameters(self):
        return collect_parameters(self)

    def parameters(self):
        """Every Parameter of the model, each once (tied weights included once)."""
        return collect_parameters(self)

    def default_optimizer(self):
        """The optimizer ``fit`` uses when none is given (Adam, lr 1e-3)."""
        from minidl.optimizers import Adam
        return Adam(lr=1e-3)

    def train_step(self, batch):
        raise NotImplementedError(f"{type(self).__name__} (abstract Model) must implement train_step(batch)")

    def evaluate(self, batch):
        raise NotImplementedError(f"{type(self).__name__} (abstract Model) must implement evaluate(batch)")

    def apply_gradients(self):
        """One optimizer step on the accumulated grads, then reset them."""
        params = self.parameters()
        self.optimizer.step(params)
        self.optimizer.zero_grad(params)

    def zero_grad(self):
        for p in self.parameters():
            p.zero_grad()

    def fit(self, X, y=None, **kwargs):
        """Train with :func:`minidl.training.fit`; same keywords. Returns the History."""
        from minidl.training import fit
        return fit(self, X, y, **kwargs)

    def to(self, name):
        """Move every parameter (and optimizer state) to backend ``name``."""
        for p in self.parameters():
            p.to(name)
        if self.optimizer is not None and hasattr(self.optimizer, "to"):
            self.optimizer.to(name)
        return self

    def astype(self, dtype):
        for p in self.parameters():
            p.astype(dtype)
        return self

    # --- weights, for restore-best and checkpoints ---------------------------
    def get_weights(self):
        """Copies of every parameter's data, in ``parameters()`` order."""
        return [p.data.copy() for p in self.parameters()]

    def set_weights(self, weights):
        """Assign arrays (from :meth:`get_weights`) to the parameters, in order.

        Every shape and dtype is checked before anything is assigned, so a
        mismatched list leaves the model untouched.
        """
        params, weights = self.parameters(), list(weights)
        if len(weights) != len(params):
            raise ValueError(f"{type(self).__name__}.set_weights got {len(weights)} arrays for "
                             f"{len(params)} parameters: pass the list from get_weights()")
        for p, w in zip(params, weights):
            if tuple(w.shape) != tuple(p.shape) or w.dtype != p.dtype:
                raise ValueError(f"{type(self).__name__}.set_weights: {p.name} needs shape "
                                 f"{tuple(p.shape)} {p.dtype}, got {tuple(w.shape)} {w.dtype}")
        for p, w in zip(params, weights):
            xp = backend.get_array_module(p.data)
            xp.copyto(p.data, backend.to_device(w, backend.name_of(xp)))

    def get_config(self):
        """The constructor arguments as a JSON-able dict, stored by ``minidl.io.save``.

        None by default; models override it so a file records how to rebuild them.
        """
        return None

    @staticmethod
    def as_array(X, dtype=backend.float32):
        """``X`` on the current backend with ``dtype`` (no copy when already so)."""
        return backend.to_device(X, dtype=dtype)
