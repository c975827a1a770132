"""Autoencoder: an encoder, a decoder, a reconstruction loss, and optional extras.

The objective of every autoencoder in this package but the VAE, for a batch x (B, D):

    x̃    = corruption(x)                 training only; identity otherwise
    h    = f(x̃)                          the encoder's output, e.g. (B, K)
    z    = bottleneck(h)                  identity here; the k largest units (k-sparse)
    out  = g(z)                           the decoder's output (logits for images)
    J    = L(out, t) + Σ_p Ω_p(h)         the loss compares with the *clean* target t

Backward runs the chain rule in reverse; each penalty adds dΩ/dh at the code and,
when it depends on parameters directly (the contractive penalty on W), into their grad:

    dout = dL/dout;  dz = g.backward(dout);  dh = bottleneck'(dz) + Σ_p dΩ_p/dh;  f.backward(dh)

Nothing in training needs dL/dx, so the encoder is told so (``encoder.input_grad = False``)
and its first layer skips that product. The VAE samples its code and adds its KL term
itself: it overrides ``objective`` and ``backward`` in ``vae.py``, where the whole ELBO reads.

The target t is x itself, unless ``fit(X, Y)`` is given one -- Keras' meaning of
``autoencoder.fit(x_train_noisy, x_train)``: reconstruct Y (of X's shape) from X. The
rule for fit's second argument: of X's shape, the reconstruction target; a 1-D vector
of one label per row, ignored (scikit-learn's Pipeline hands every step its labels,
and an unsupervised step must take them); any other shape, refused before any weight
moves.

Variants are this class with a different bottleneck, penalties or corruption
(``variants.py``, ``ksparse.py``); the generic class takes any two layers::

    Autoencoder(Sequential(Dense(784, 32), ReLU()), Sequential(Dense(32, 784)), loss="bce")

Every public method checks its input first (no rows, NaN/inf, values beyond the model's
float range, and pixels outside [0, 1] when they are the target of a BCE loss), so a bad
array is refused with a message before any weight moves, never turned into NaN.
"""
from minidl import backend, checks
from minidl.layers.base import Layer
from minidl.model import Batch, Model

__all__ = ["Autoencoder", "make_loss", "dense_stack", "activation_layer", "LOSSES",
           "ACTIVATIONS"]

LOSSES = ("bce", "mse")
ACTIVATIONS = ("relu", "sigmoid", "tanh", "leaky_relu", "softplus", "linear")


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


def dense_stack(sizes, activation, *, last=None, seed=None):
    """Dense layers for ``sizes`` = [n_0, n_1, ..., n_L] with ``activation`` between them.

    ``activation`` and ``last`` are names ("relu", "sigmoid", "tanh", "linear") or None;
    ``last`` is applied after the final Dense. Weights are Glorot-uniform (the Keras and
    PyTorch-benchmark default), biases zero; layer i is seeded with
    ``derive_seed(seed, "dense", i)``. Returns (list of layers, list of Dense).
    """
    from minidl.layers import Dense
    layers, denses = [], []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        dense = Dense(a, b, init="glorot", seed=backend.derive_seed(seed, "dense", i))
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
    optimizer : None (``fit`` then uses Adam, lr 1e-3), an Optimizer, or a name ("adam").
    seed : seeds the model's own noise (the VAE's ε, the corruption).

    It is also the unit of :func:`minidl.pretrain.greedy_pretrain` and a scikit-learn
    transformer: ``fit(X, ...)`` returns the model (History in ``history_``),
    ``transform = encode``, ``inverse_transform = decode``. ``evaluate(X)`` returns the
    mean objective ("loss"), the reconstruction term ("recon") and each penalty by name.

    A model built from layers has no config: ``minidl.io.save`` stores its weights, and
    they load into the same layers built again by hand; the named variants
    (:class:`DeepAutoencoder` and the rest) rebuild from the file alone.
    """

    def __init__(self, encoder, decoder, *, loss="bce", corruption=None, penalties=(),
                 optimizer=None, seed=None):
        for name, layer in (("encoder", encoder), ("decoder", decoder)):
            if not isinstance(layer, Layer):
                raise TypeError(f"Autoencoder {name} must be a minidl Layer (e.g. "
                                f"layers.Sequential(...)), got {type(layer).__name__}")
        if corruption is not None and not callable(corruption):
            raise TypeError(f"corruption must be callable x -> x̃, got {type(corruption).__name__}")
        for p in penalties:
            if not hasattr(p, "value_and_grad"):
                raise TypeError(f"penalty {p!r} needs a value_and_grad(h) method")
        self.encoder, self.decoder = encoder, decoder
        self.encoder.input_grad = False   # training never needs dL/dx: the first layer skips it
        self.loss = make_loss(loss)
        self.corruption = corruption
        self.penalties = list(penalties)
        self.seed = seed
        self.rng = backend.rng(backend.derive_seed(seed, "noise"))
        self.optimizer = None
        if optimizer is not None:
            from minidl.optimizers import get
            self.optimizer = get(optimizer, owner=type(self).__name__)
        self._h = None

    # --- the objective, forward and backward -----------------------------------
    def bottleneck(self, h, training=False):
        """z, the code the decoder reads, from the encoder output h; identity here."""
        return h

    def bottleneck_backward(self, dz):
        """dL/dh from dL/dz through :meth:`bottleneck`; identity here."""
        return dz

    def objective(self, x, training=False, target=None):
        """Forward pass of the whole objective on a batch; returns the metrics dict.

        ``target`` is what the reconstruction is compared with (None: x itself); the
        corruption applies to the input x only. Caches what :meth:`backward` needs.
        Values are scalars (``backend.scalar``: a float on NumPy, a 0-d device array on
        CuPy, so a step never waits for the GPU); "loss" is J.
        """
        x_in = self.corruption(x) if (training and self.corruption is not None) else x
        h = self.encoder.forward(x_in, training=training)
        out = self.decoder.forward(self.bottleneck(h, training), training=training)
        recon = self.loss.forward(out, x if target is None else target)
        metrics, total = {"recon": recon}, recon
        self._h, self._penalty_grads = h, []
        for p in self.penalties:
            value, dh = p.value_and_grad(h)
            metrics[p.name] = value
            total = total + value
            self._penalty_grads.append((p, dh))
        metrics["loss"] = total
        return metrics

    def backward(self):
        """Gradients of the last :meth:`objective` into every parameter's grad.

        Returns dL/dx when the encoder computes it (``encoder.input_grad``), else None.
        """
        if self._h is None:
            raise RuntimeError(f"{type(self).__name__}.backward() called before objective(x)")
        dh = self.bottleneck_backward(self.decoder.backward(self.loss.backward()))
        for p, dp in self._penalty_grads:
            dh = dh + dp
            for param, grad in getattr(p, "parameter_grads", lambda h: [])(self._h):
                param.grad += grad
        return self.encoder.backward(dh)

    def train_step(self, batch):
        """Objective, backward and one optimizer step on ``batch``: X, or fit's
        :class:`~minidl.model.Batch` (X, Y) whose Y is the reconstruction target."""
        x, target = self._batch_pair(batch)
        metrics = self.objective(x, training=True, target=target)
        self.backward()
        self.apply_gradients()
        return metrics

    def fit(self, X, y=None, **kwargs):
        """Train to reconstruct X -- or ``y``, when it has X's shape -- from X; returns self.

        ``fit(X_noisy, X_clean)`` is Keras' ``autoencoder.fit(x_train_noisy, x_train)``:
        the loss compares the reconstruction of X with y. A 1-D ``y`` of one label per
        row is ignored, as scikit-learn requires of an unsupervised step (a Pipeline
        passes its labels to every step); any other y is refused, naming both shapes.
        ``validation_data`` is X_val or (X_val, Y_val), read by the same rule.

        The same keywords as :func:`minidl.training.fit` (``epochs``, ``batch_size``,
        ``optimizer``, ``seed``, ``callbacks``, ``validation_data``, ``verbose``);
        without ``epochs`` / ``batch_size`` the constructor's are used, else
        ``default_epochs`` = 10 and ``default_batch_size`` = 32 (Keras' batch size).
        Returns the model, with the History in ``history_``. X may be an array-like
        (a list of rows, a DataFrame). Everything ``evaluate`` would refuse is refused
        here, before the first weight moves.
        """
        x = self.as_array(X, self._dtype())
        target = self._target(x, y, "fit", name="y")
        X = self._inputs(x, "fit", targets=True)
        val = kwargs.get("validation_data")
        if val is not None:   # checked, and prepared like X (a conv AE's images, say)
            kwargs["validation_data"] = self._validation(val)
        return super().fit(X, target, **kwargs)

    def evaluate(self, X, batch_size=1024):
        """Mean metrics on X (no corruption, no dropout): {"loss", "recon", penalties...}.

        Serves both the public ``evaluate(X)`` and ``fit``'s validation (a batch X or
        (X, Y)). ``evaluate((X, Y))``, a tuple, compares the reconstruction of X with Y
        (X's shape) or ignores Y when it is 1-D labels, as ``fit`` does. Large X is
        processed in chunks of ``batch_size`` samples.
        """
        batch_size = checks.positive_int(f"{type(self).__name__}.evaluate", "batch_size",
                                         batch_size)
        X, Y = self._evaluation_pair(X)
        n, totals = X.shape[0], {}
        for start in range(0, n, batch_size):
            part = X[start:start + batch_size]
            target = None if Y is None else Y[start:start + batch_size]
            for k, v in self.objective(part, training=False, target=target).items():
                totals[k] = totals.get(k, 0.0) + v * part.shape[0]
        return backend.to_floats({k: v / n for k, v in totals.items()})

    # --- using a trained model ---------------------------------------------------
    def encode(self, X):
        """Codes of X (batch of inputs): the encoder's output."""
        return self.encoder.forward(self._inputs(X, "encode"))

    def decode(self, Z):
        """Outputs for codes Z; images in [0, 1] when the loss is BCE with logits."""
        z = self.as_array(Z, self._dtype(), name="Z")
        return self._to_output(self.decoder.forward(z))

    def reconstruct(self, X):
        """g(bottleneck(f(X))) without corruption, as images when the loss is BCE."""
        h = self.encoder.forward(self._inputs(X, "reconstruct"))
        return self._to_output(self.decoder.forward(self.bottleneck(h)))

    def transform(self, X):
        """The unit protocol's name for :meth:`encode` (scikit-learn, greedy pretraining)."""
        return self.encode(X)

    def inverse_transform(self, H):
        """The unit protocol's name for :meth:`decode`."""
        return self.decode(H)

    def reconstruction_error(self, X):
        """Per-sample reconstruction error (N,): mean squared error over the features.

        A score for anomaly detection: inputs unlike the training data reconstruct worse.
        """
        x = self._inputs(X, "reconstruction_error")
        diff = self.reconstruct(X).reshape(x.shape) - x
        return (diff * diff).reshape(x.shape[0], -1).mean(axis=1)

    # --- config: the constructor's keywords ---------------------------------------
    def get_config(self):
        """The constructor's keywords as JSON (without seed and optimizer), or None.

        A named variant rebuilds from them (``minidl.io.load``). A model built from
        layers, ``Autoencoder(encoder, decoder)``, returns None: no keywords describe
        its layers, so build them again by hand and ``minidl.io.load_weights`` into them.
        """
        if "encoder" in self.get_params():
            return None
        return super().get_config()

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

    def _batch_input(self, x):
        """An array on the model's device and dtype, unchecked (subclasses shape it).

        ``fit`` checked the whole X once (:meth:`_inputs`), so batches skip the checks.
        """
        return backend.to_device(x, backend.name_of(self.xp), dtype=self._dtype())

    def _batch_pair(self, batch):
        """(x, target or None) of a training batch: X, or fit's Batch (X, Y)."""
        if isinstance(batch, Batch):
            return self._batch_input(batch[0]), self._batch_input(batch[1])
        return self._batch_input(batch), None

    def _target(self, x, Y, where, *, name="y"):
        """The reconstruction target for inputs ``x``, checked and prepared, or None.

        Y of x's shape is the target; None, or a 1-D vector of one label per row
        (scikit-learn's unsupervised convention), means "reconstruct x"; anything
        else is refused.
        """
        if Y is None:
            return None
        y = self.as_array(Y, None, name=name)
        if tuple(y.shape) == tuple(x.shape):
            return self._inputs(y, where, targets=True, name=name)
        if y.ndim == 1 and y.shape[0] == x.shape[0]:
            return None             # labels: an autoencoder learns without them
        raise ValueError(f"{type(self).__name__}.{where}: X has shape {tuple(x.shape)} but "
                         f"{name} has shape {tuple(y.shape)}; an autoencoder's second "
                         f"argument is the reconstruction target, of X's shape (Keras' "
                         f"fit(x_noisy, x_clean)), or 1-D labels, which it ignores. To "
                         f"reconstruct X call fit(X)")

    def _validation(self, val):
        """``validation_data`` (X_val or (X_val, Y_val)) checked and prepared like X."""
        if isinstance(val, (tuple, list)) and len(val) == 2:
            x_val = self.as_array(val[0], self._dtype(), name="validation_data[0]")
            y_val = self._target(x_val, val[1], "fit", name="validation_data[1]")
            x_val = self._inputs(x_val, "fit", targets=True, name="validation_data[0]")
            return x_val if y_val is None else (x_val, y_val)
        return self._inputs(val, "fit", targets=True, name="validation_data")

    def _evaluation_pair(self, X):
        """(x, target or None) for :meth:`evaluate`: fit's Batch, a tuple (X, Y), or X.

        Only ``evaluate`` reads a tuple of two arrays as a pair (its documented form);
        every other method reads a tuple or list as rows, as ``numpy.asarray`` does.
        """
        if isinstance(X, Batch):
            return self._batch_input(X[0]), self._batch_input(X[1])
        if (isinstance(X, tuple) and len(X) == 2 and all(hasattr(a, "shape") for a in X)
                and len(X[0].shape) >= 2):
            x = self.as_array(X[0], self._dtype())
            target = self._target(x, X[1], "evaluate", name="Y")
            return self._inputs(x, "evaluate", targets=True), target
        return self._inputs(X, "evaluate", targets=True), None

    def _inputs(self, X, where, *, targets=False, name="X"):
        """X checked, on the model's device: every public method's door.

        A list, tuple or DataFrame is read as ``numpy.asarray`` reads it (rows), never
        as a pair. ``as_array`` refuses no rows, NaN or inf and float64 values beyond
        float32's range; here, when X is also the target of a BCE loss, values outside
        [0, 1] are refused too (the loss would go negative and seem to improve).
        """
        x = self.as_array(X, self._dtype(), name=name)
        if targets:
            self.check_data(x, name=name, where=where)
        return self._batch_input(x)

    def check_targets(self, x, y, *, name="y", where="fit"):
        """``minidl.training.fit``'s hook for its ``y``: a reconstruction target of x's shape.

        (Only the model's own :meth:`fit` ignores 1-D labels, scikit-learn's convention;
        ``training.fit(model, X, y)`` trains on exactly the pairs it is given.)
        """
        if tuple(y.shape) != tuple(x.shape):
            raise ValueError(f"{type(self).__name__}.{where}: X has shape {tuple(x.shape)} "
                             f"but {name} has shape {tuple(y.shape)}; an autoencoder's y is "
                             f"the reconstruction target, of X's shape. To reconstruct X "
                             f"pass no y")
        self.check_data(y, name=name, where=where)

    def check_data(self, x, *, name="X", where="fit"):
        """Refuse targets a BCE loss cannot take (values outside [0, 1]).

        ``minidl.training.fit`` calls this hook on X and X_val before any weight moves,
        so ``training.fit(model, X)`` refuses the same data as ``model.fit(X)``.
        """
        bad = checks.outside_unit_interval(x) if self.outputs_logits else None
        if bad is not None:
            low, high = bad
            raise ValueError(f"{type(self).__name__}.{where}: {name} has values in "
                             f"[{low:g}, {high:g}] but the BCE loss needs targets in "
                             f"[0, 1]: scale the data (e.g. X / 255 for 8-bit pixels) or "
                             f"build the model with loss='mse'")

    def reseed(self, seed):
        """Reset every random generator: the model's, the corruption's and the layers'."""
        self.rng = backend.rng(backend.derive_seed(seed, "noise"))
        if self.corruption is not None and hasattr(self.corruption, "reseed"):
            self.corruption.reseed(backend.derive_seed(seed, "corruption"))
        for layer in (self.encoder, self.decoder):
            layer.reseed(seed)

    def __repr__(self):
        return f"{type(self).__name__}({self.encoder!r}, {self.decoder!r})"

