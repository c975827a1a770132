"""Classifier: any network that ends in class scores, trained with softmax cross-entropy.

The last step of the 2006 recipe: put a softmax layer on a pretrained encoder, train
it on labels (first with the encoder frozen, see :func:`minidl.pretrain.freeze_first`,
then everything), and read off the accuracy.
"""
from minidl import backend, checks
from minidl.layers.activations import Softmax
from minidl.layers.base import Layer
from minidl.losses import SoftmaxCrossEntropy, check_label_range
from minidl.model import Model

__all__ = ["Classifier"]


class Classifier(Model):
    """A network ``f`` whose outputs are logits z = f(x), with softmax cross-entropy.

    Parameters
    ----------
    network : a minidl Layer (e.g. ``Sequential(encoder..., Dense(n_top, n_classes))``)
        mapping (B, D) inputs to (B, C) logits.
    n_classes : int or None; when given, the logits must have this many columns.

    Notes
    -----
    Objective on a batch of B labelled samples (mean reduction):

        L = -(1/B) Σ_b log softmax(z_b)_{y_b},   softmax(z)_c = e^{z_c} / Σ_k e^{z_k}

    Backward: dL/dz = (softmax(z) - onehot(y)) / B, then ``network.backward``.
    ``train_step`` and ``evaluate`` take ``(X, y)`` with int labels y (B,) and report
    {"loss": L, "accuracy": fraction with argmax z = y}: a Classifier's input is always
    that pair (fit's :class:`~minidl.model.Batch`, or a user's tuple), and X in it may
    be an array-like (a list of rows), read as ``numpy.asarray`` reads it.
    ``fit(X, y)`` with no keyword trains 10 epochs of batches of 32 (Keras' batch size),
    or the constructor's ``epochs=`` / ``batch_size=``.
    """

    def __init__(self, network, *, n_classes=None):
        if not isinstance(network, Layer):
            raise TypeError(f"Classifier network must be a minidl Layer (e.g. "
                            f"layers.Sequential(...)), got {type(network).__name__}")
        if n_classes is not None:
            n_classes = checks.integer("Classifier", "n_classes", n_classes, low=2)
        self.network = network
        self.n_classes = n_classes
        self.loss = SoftmaxCrossEntropy(reduction="mean")
        self.optimizer = None

    # --- training ------------------------------------------------------------------
    def objective(self, x, y, training=False):
        """Forward pass and loss on a batch; returns {"loss", "accuracy"} (floats)."""
        z = self.logits(x, training=training)
        # inside fit every label was checked once (check_targets): no per-batch sync
        loss = self.loss.forward(z, y, check_labels=not self._inputs_checked_by_fit)
        return {"loss": loss, "accuracy": _accuracy(z, y)}

    def check_targets(self, x, y, *, name="y", where="fit"):
        """Refuse labels outside [0, C) once, before training (``training.fit``'s hook).

        C is ``n_classes``, or the width of the network's logits on the first row
        (``x`` is fit's checked data, on the model's device).
        """
        y = backend.to_device(y, backend.name_of(self.xp))
        if y.dtype.kind in "iu":                # other dtypes: refused by every batch
            n_classes = self.n_classes or self.network.forward(x[:1]).shape[1]
            check_label_range(f"Classifier.{where}({name})", y, n_classes)

    def backward(self):
        """Gradients of the last :meth:`objective` into the parameters; returns dL/dx."""
        return self.network.backward(self.loss.backward())

    def train_step(self, batch):
        """Objective, backward and one optimizer step on ``(X, y)``."""
        x, y = self._split(batch)
        metrics = self.objective(x, y, training=True)
        self.backward()
        self.apply_gradients()
        return metrics

    def evaluate(self, batch, batch_size=1024):
        """Mean {"loss", "accuracy"} on ``(X, y)``, in chunks of ``batch_size``."""
        batch_size = checks.positive_int("Classifier.evaluate", "batch_size", batch_size)
        X, y = self._split(batch)
        n, totals = X.shape[0], {}
        for start in range(0, n, batch_size):
            part = slice(start, start + batch_size)
            m = self.objective(X[part], y[part])
            for k, v in m.items():
                totals[k] = totals.get(k, 0.0) + v * X[part].shape[0]
        return backend.to_floats({k: v / n for k, v in totals.items()})

    # --- using a trained model ---------------------------------------------------------
    def logits(self, X, training=False):
        """z = f(X), shape (N, C), with the class count checked."""
        z = self.network.forward(self.as_array(X, self._dtype()), training=training)
        if z.ndim != 2 or (self.n_classes is not None and z.shape[1] != self.n_classes):
            raise ValueError(f"Classifier: the network gave outputs of shape {tuple(z.shape)}, "
                             f"expected (batch, {self.n_classes or 'n_classes'}); end it with "
                             f"Dense(n_top, n_classes)")
        return z

    def predict_proba(self, X):
        """softmax(f(X)): class probabilities, (N, C), rows summing to one."""
        return Softmax().forward(self.logits(X))

    def predict(self, X):
        """argmax_c f(X)_c: predicted int labels, (N,)."""
        return self.logits(X).argmax(axis=1)

    def score(self, X, y):
        """Accuracy on (X, y), a Python float."""
        return self.evaluate((X, y))["accuracy"]

    def get_config(self):
        """{"network": its repr (the layers and sizes), "n_classes": ...}.

        Enough for :func:`minidl.io.load_weights` to refuse weights saved from another
        network; a Classifier is rebuilt by building its network by hand.
        """
        return {"network": repr(self.network), "n_classes": self.n_classes}

    # --- helpers -------------------------------------------------------------------
    def _split(self, batch):
        if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
            raise ValueError("Classifier needs labelled batches (X, y): call fit(X, y, ...) "
                             "or evaluate((X, y))")
        x = self.as_array(batch[0], self._dtype())
        y = backend.to_device(batch[1], backend.name_of(backend.get_array_module(x)))
        if y.ndim != 1 or y.shape[0] != x.shape[0]:
            raise ValueError(f"Classifier: labels of shape {tuple(y.shape)} for {x.shape[0]} "
                             f"samples; pass one int label per sample, shape ({x.shape[0]},)")
        if y.dtype.kind not in "iu":
            raise ValueError(f"Classifier: labels must be integers 0..C-1, got dtype {y.dtype}; "
                             f"convert them, e.g. y.astype(int)")
        return x, y

    def __repr__(self):
        return f"Classifier({self.network!r})"


def _accuracy(z, y):
    """Fraction of rows whose largest logit is at the label."""
    return backend.scalar((z.argmax(axis=1) == y).mean()) if y.shape[0] else 0.0
