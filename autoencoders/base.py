"""Autoencoder: an encoder, a decoder, a reconstruction loss, and optional extras.

The objective of every autoencoder in this package, for a batch x (B, D):

    x̃    = corruption(x)                 training only; identity otherwise
    h    = f(x̃)                          the encoder's output, e.g. (B, K)
    z    = bottleneck(h)                  identity here; top-k (k-sparse), sampling (VAE)
    out  = g(z)                           the decoder's output (logits for images)
    J    = L(out, x) + Σ_p Ω_p(h)         the loss compares with the *clean* x

Backward runs the chain rule in reverse; each penalty adds dΩ/dh at the code and,
when it depends on parameters directly (the contractive penalty on W), into their grad:

    dout = dL/dout;  dz = g.backward(dout);  dh = bottleneck'(dz) + Σ_p dΩ_p/dh;  f.backward(dh)

Variants are this class with a different bottleneck, penalties or corruption, so a
denoising, sparse, tied autoencoder is one line::

    DeepAutoencoder([784, 196], activation="sigmoid", tied=True,
                    loss=make_loss("bce", reduction="batch"),   # per-sample, as UFLDL
                    corruption=make_corruption("masking", 0.3),
                    penalties=[KLSparsity(rho=0.05, beta=3.0)])
"""
from minidl import backend
from minidl.layers.base import Layer
from minidl.model import Model

__all__ = ["Autoencoder", "make_loss", "dense_stack"]

LOSSES = ("bce", "mse")


def make_loss(loss, reduction="mean"):
    """A minidl Loss from "bce" (BCE with logits), "mse", or a Loss object (returned as is).

    ``reduction`` applies to the names: "mean" averages over every element (the Keras
    numbers), "batch" sums over the features and averages over the batch (per-sample
    objectives: UFLDL, Rifai et al., the VAE).
    """
    from minidl import losses
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"loss={loss!r}: expected one of {LOSSES} or a minidl Loss object "
                             f"such as minidl.losses.MSE(reduction='sum')")
        cls = losses.BCEWithLogits if loss == "bce" else losses.MSE
        return cls(reduction=reduction)
    if not (hasattr(loss, "forward") and hasattr(loss, "backward")):
        raise TypeError(f"loss must be 'bce', 'mse' or an object with forward(pred, target) and "
                        f"backward(), got {type(loss).__name__}")
    return loss


def dense_stack(sizes, activation, *, last=None, seed=None, start=0):
    """Dense layers for ``sizes`` = [n_0, n_1, ..., n_L] with ``activation`` between them.

    ``activation`` and ``last`` are names ("relu", "sigmoid", "tanh", "linear") or None;
    ``last`` is applied after the final Dense. Weights are Glorot-uniform (the Keras and
    PyTorch-benchmark default), biases zero. Returns (list of layers, list of Dense).
    """
    from minidl.layers import Dense
    layers, denses = [], []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        dense = Dense(a, b, init="glorot", seed=None if seed is None else seed + start + i)
        layers.append(dense)
        denses.append(dense)
        act = last if i == len(sizes) - 2 else activation
        if act not in (None, "linear"):
            layers.append(activation_layer(act))
    return layers, denses


def activation_layer(name):
    """The activation layer called ``name``: "relu", "sigmoid", "tanh" or "leaky_relu"."""
    from minidl.layers import activations
    table = {"relu": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh", "leaky_relu": "LeakyReLU",
             "softplus": "Softplus"}
    if name not in table:
        raise ValueError(f"activation={name!r}: expected one of {sorted(table)} or 'linear'")
    return getattr(activations, table[name])()


def check_sizes(sizes, owner, minimum=2):
    """``sizes`` as a list of positive ints, input first, code last."""
    try:
        sizes = [int(s) for s in sizes]
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: sizes={sizes!r} must be a list of layer sizes, input to "
                         f"code, e.g. [784, 32]") from None
    if len(sizes) < minimum or min(sizes) < 1:
        raise ValueError(f"{owner}: sizes={sizes!r} must list at least {minimum} positive "
                         f"sizes, input to code, e.g. [784, 128, 32]")
    return sizes


class Autoencoder(Model):
    """The general autoencoder: ``Autoencoder(encoder, decoder, loss=..., ...)``.

    Parameters
    ----------
    encoder, decoder : minidl layers (e.g. Sequential). For images the decoder ends in
        logits and the loss is "bce"; ``decode``/``reconstruct`` then apply the sigmoid.
    loss : "bce" (BCE with logits, mean over all elements; default), "mse", or a Loss.
    corruption : None, or a callable ``x -> x̃`` applied to training batches only
        (see :func:`autoencoders.make_corruption`); the loss compares with the clean x.
    penalties : objects with ``value_and_grad(h) -> (float, dh)``, added to the
        objective at the encoder output h (see :mod:`autoencoders.penalties`).
    seed : seeds the model's own noise (the VAE's ε, say).

    ``fit(X, ...)`` is :func:`minidl.training.fit`; ``evaluate(X)`` returns the mean
    objective ("loss"), the reconstruction term ("recon") and each penalty by name.
    """

    def __init__(self, encoder, decoder, *, loss="bce", corruption=None, penalties=(),
                 seed=None):
        for name, layer in (("encoder", encoder), ("decoder", decoder)):
            if not isinstance(layer, Layer):
                raise TypeError(f"Autoencoder {name} must be a minidl Layer (e.g. "
                                f"layers.Sequential(...)), got {type(layer).__name__}")
        if corruption is not None and not callable(corruption):
            raise TypeError(f"corruption must be callable x -> x̃, got {type(corruption).__name__}")
        self.encoder, self.decoder = encoder, decoder
        self.loss = make_loss(loss)
        self.corruption = corruption
        self.penalties = list(penalties)
        for p in self.penalties:
            if not hasattr(p, "value_and_grad"):
                raise TypeError(f"penalty {p!r} needs a value_and_grad(h) method")
        self.seed = seed
        self.rng = backend.rng(seed)
        self.optimizer = None

    @staticmethod
    def from_sizes(sizes, *, activation="relu", **kwargs):
        """A deep AE from a size list, e.g. ``Autoencoder.from_sizes([784, 128, 64, 32])``.

        The same as :class:`autoencoders.DeepAutoencoder` ``(sizes, activation=..., **kwargs)``.
        """
        from autoencoders.variants import DeepAutoencoder
        return DeepAutoencoder(sizes, activation=activation, **kwargs)

    # --- the objective, forward and backward -----------------------------------
    def bottleneck(self, h, training=False):
        """z from the encoder output h inside the objective; identity here."""
        return h

    def bottleneck_backward(self, dz):
        """dL/dh from dL/dz through :meth:`bottleneck`; identity here."""
        return dz

    def objective(self, x, training=False):
        """Forward pass of the whole objective on a batch; returns the metrics dict.

        Caches what :meth:`backward` needs. Values are Python floats; "loss" is J.
        """
        x_in = self.corruption(x) if (training and self.corruption is not None) else x
        self._h = self.encoder.forward(x_in, training=training)
        out = self.decoder.forward(self.bottleneck(self._h, training), training=training)
        recon = float(self.loss.forward(out, x))
        metrics, total = {"recon": recon}, recon
        self._penalty_grads = []
        for p in self.penalties:
            value, dh = p.value_and_grad(self._h)
            metrics[p.name] = float(value)
            total += float(value)
            self._penalty_grads.append((p, dh))
        metrics["loss"] = total
        return metrics

    def backward(self):
        """Gradients of the last :meth:`objective` into every parameter's grad; returns dL/dx."""
        if getattr(self, "_h", None) is None:
            raise RuntimeError(f"{type(self).__name__}.backward() called before objective(x)")
        dh = self.bottleneck_backward(self.decoder.backward(self.loss.backward()))
        for p, dp in self._penalty_grads:
            dh = dh + dp
            for param, grad in getattr(p, "parameter_grads", lambda h: [])(self._h):
                param.grad += grad
        return self.encoder.backward(dh)

    def train_step(self, batch):
        """Objective, backward and one optimizer step on ``batch`` (X or (X, y))."""
        x = self._batch_input(batch)
        metrics = self.objective(x, training=True)
        self.backward()
        self.apply_gradients()
        return metrics

    def evaluate(self, X, batch_size=1024):
        """Mean metrics on X (no corruption, no dropout): {"loss", "recon", penalties...}.

        Serves both the public ``evaluate(X)`` and ``fit``'s validation (a batch X or
        (X, y)). Large X is processed in chunks of ``batch_size`` samples.
        """
        X = self._batch_input(X)
        n, totals = X.shape[0], {}
        for start in range(0, n, batch_size):
            part = X[start:start + batch_size]
            for k, v in self.objective(part, training=False).items():
                totals[k] = totals.get(k, 0.0) + v * part.shape[0]
        self._h = None
        return {k: v / n for k, v in totals.items()}

    # --- using a trained model ---------------------------------------------------
    def features(self, h):
        """The code ``encode`` reports, from the encoder output h; identity here."""
        return h

    def code(self, h):
        """z used by ``reconstruct`` (deterministic); :meth:`bottleneck` at test time here."""
        return self.bottleneck(h, training=False)

    def encode(self, X):
        """Codes of X (batch of inputs): the encoder's output (the VAE: μ)."""
        return self.features(self.encoder.forward(self.as_array(X, self._dtype())))

    def decode(self, Z):
        """Outputs for codes Z; images in [0, 1] when the loss is BCE with logits."""
        out = self.decoder.forward(self.as_array(Z, self._dtype()))
        return self._to_output(out)

    def reconstruct(self, X):
        """g(f(X)) without corruption, as images when the loss is BCE with logits."""
        h = self.encoder.forward(self.as_array(X, self._dtype()))
        return self._to_output(self.decoder.forward(self.code(h)))

    def reconstruction_error(self, X):
        """Per-sample reconstruction error (N,): mean squared error over the features.

        A score for anomaly detection: inputs unlike the training data reconstruct worse.
        """
        X = self.as_array(X, self._dtype())
        diff = self.reconstruct(X) - X
        return (diff * diff).reshape(X.shape[0], -1).mean(axis=1)

    # --- helpers -----------------------------------------------------------------
    @property
    def outputs_logits(self):
        """True when the loss takes logits (BCE), so outputs need a sigmoid."""
        from minidl import losses
        return isinstance(self.loss, losses.BCEWithLogits)

    def _to_output(self, out):
        if self.outputs_logits:
            from minidl.layers.activations import sigmoid
            return sigmoid(out)
        return out

    def _dtype(self):
        params = self.parameters()
        return params[0].dtype if params else backend.float32

    def _batch_input(self, batch):
        x = batch[0] if isinstance(batch, (tuple, list)) else batch
        return self.as_array(x, self._dtype())

    def reseed(self, seed):
        """Reset every random generator: the model's, the corruption's and the layers'."""
        self.rng = backend.rng(seed)
        for obj in (self.corruption, self.encoder, self.decoder):
            if hasattr(obj, "reseed"):
                obj.reseed(seed)

    def __repr__(self):
        return f"{type(self).__name__}({self.encoder!r}, {self.decoder!r})"
