"""Layer: the forward/backward contract every building block follows, and Sequential.

A layer maps ``x`` to ``y`` in ``forward`` and caches the cheapest state that
``backward`` needs. ``backward(dy)`` receives dL/dy, *adds* dL/dθ into each
parameter's ``grad`` and returns dL/dx. It never writes into ``dy`` or into the
cached input, and it refuses to run before ``forward``.

The unused input gradient. Nobody needs dL/dx of a network's first layer (the
data is not learned), and for Dense or Conv2D that dx costs a GEMM as large as
the one for dW. So every layer has ``input_grad`` (True by default): when it is
False, ``backward`` still adds the parameter gradients but skips dx and returns
None. A model sets it on its network once, ``net.input_grad = False``, and
:class:`Sequential` passes it on to its first layer.
"""
from minidl.parameter import Parameter

__all__ = ["Layer", "Sequential", "collect_parameters"]


def collect_parameters(obj):
    """Parameters reachable from ``obj``'s attributes, each listed once.

    Walks attributes that are Parameters, objects with ``parameters()`` (layers,
    models) and lists/tuples of those. De-duplication is by identity, so a tied
    weight shared by two layers appears once and receives one optimizer step.
    """
    seen, out = set(), []

    def visit(value):
        if isinstance(value, Parameter):
            if id(value) not in seen:
                seen.add(id(value))
                out.append(value)
        elif isinstance(value, (list, tuple)):
            for v in value:
                visit(v)
        elif hasattr(value, "_own_parameters"):
            for v in value._own_parameters():
                visit(v)

    for value in vars(obj).values():
        visit(value)
    return out


class Layer:
    """Base class of every layer: ``forward``, ``backward``, ``parameters``.

    ``input_grad``: False makes ``backward`` skip dL/dx and return None (see the
    module docstring); the parameter gradients are the same either way.
    """

    input_grad = True

    def forward(self, x, training=False):
        raise NotImplementedError(f"{type(self).__name__} is abstract: a layer implements "
                                  f"forward(x, training)")

    def backward(self, dy):
        raise NotImplementedError(f"{type(self).__name__} is abstract: a layer implements "
                                  f"backward(dy)")

    def __call__(self, x, training=False):
        return self.forward(x, training=training)

    # --- parameters -------------------------------------------------------
    def _own_parameters(self):
        return collect_parameters(self)

    def parameters(self):
        """Every Parameter of this layer (and its sub-layers), each once."""
        return collect_parameters(self)

    def zero_grad(self):
        for p in self.parameters():
            p.zero_grad()

    def freeze(self):
        """Stop optimizers from updating this layer's parameters."""
        for p in self.parameters():
            p.frozen = True
        return self

    def unfreeze(self):
        for p in self.parameters():
            p.frozen = False
        return self

    def sublayers(self):
        """Direct sub-layers (attributes that are layers, or lists of layers)."""
        out = []
        for value in vars(self).values():
            items = value if isinstance(value, (list, tuple)) else [value]
            out.extend(v for v in items if isinstance(v, Layer))
        return out

    # --- moving and casting ----------------------------------------------
    def to(self, name):
        """Move every parameter to backend ``name`` ("numpy" or "cupy")."""
        for p in self.parameters():
            p.to(name)
        return self

    def astype(self, dtype):
        """Cast every parameter to ``dtype`` (and forget cached state)."""
        for p in self.parameters():
            p.astype(dtype)
        return self

    def reseed(self, seed):
        """Reset the random generator of every stochastic sub-layer to ``seed``.

        Stochastic layers (Dropout, GaussianNoise) override this to reset their
        own generator; gradient checks call it before each forward pass so the
        noise is the same in every evaluation.
        """
        for layer in self.sublayers():
            layer.reseed(seed)

    # --- helpers for subclasses ------------------------------------------
    def _need_forward(self, *cached):
        """Raise if ``backward`` is called before ``forward`` stored its state."""
        if any(c is None for c in cached):
            raise RuntimeError(f"{self!r}.backward() called before forward(): "
                               f"run forward(x) on a batch first")

    def _check_features(self, x, n, what="input"):
        """Raise a clear error unless ``x`` is (batch, n)."""
        if x.ndim != 2 or x.shape[1] != n:
            hint = ("flatten it first, e.g. layers.Flatten()" if x.ndim > 2
                    else f"pass an array of shape (batch, {n})")
            raise ValueError(f"{self!r} got {what} of shape {tuple(x.shape)}, "
                             f"expected (batch, {n}): {hint}")

    def __repr__(self):
        return f"{type(self).__name__}()"


class Sequential(Layer):
    """Layers applied one after another: ``y = f_n(... f_2(f_1(x)))``.

    backward runs the chain rule in reverse: ``dx = J_1ᵀ(... J_nᵀ(dy))``.

    ``input_grad = False`` is handed to the first layer, and on through the leading
    layers without parameters (a Reshape, a noise layer): when nothing before a layer
    learns, nobody needs that layer's dx either. backward stops at the first layer
    that returns None.
    """

    def __init__(self, *layers):
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"Sequential argument {i} is {type(layer).__name__}, "
                                f"expected a minidl Layer such as layers.Dense(784, 32)")
        self.layers = list(layers)

    @property
    def input_grad(self):
        return not self.layers or self.layers[0].input_grad

    @input_grad.setter
    def input_grad(self, value):
        for layer in self.layers:
            layer.input_grad = value
            if layer.parameters():  # the layers after this one must pass dx back to it
                break

    def forward(self, x, training=False):
        for layer in self.layers:
            x = layer.forward(x, training=training)
        return x

    def backward(self, dy):
        for i in reversed(range(len(self.layers))):
            dy = self.layers[i].backward(dy)
            if dy is None:  # input_grad False: layers[:i] learn nothing, so we are done
                self._check_nothing_learns_before(i)
                return None
        return dy

    def _check_nothing_learns_before(self, i):
        learning = [layer for layer in self.layers[:i] if layer.parameters()]
        if learning:
            raise RuntimeError(f"{self.layers[i]!r} returned no input gradient (its input_grad "
                               f"is False) but {learning[0]!r} before it has parameters that "
                               f"need one: set input_grad = False on the Sequential, not on a "
                               f"layer in the middle")

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self):
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def append(self, layer):
        self.layers.append(layer)
        return self

    def __repr__(self):
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential({inner})"
