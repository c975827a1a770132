"""Losses: ``forward(pred, target) -> float`` and ``backward() -> dpred``.

The value is a Python float on NumPy and a 0-d device array on CuPy
(:func:`minidl.backend.scalar`): computing a loss never waits for the GPU; ``float()``
it when a number is needed (``training.fit`` does, once per batch).

Every loss takes a ``reduction``:

- ``"mean"``  -- mean over every element (SoftmaxCrossEntropy: mean over the batch);
- ``"sum"``   -- sum over everything;
- ``"batch"`` -- sum over the features of each sample, mean over the batch. This is
  the "nats per sample" a VAE reports: a 784-pixel image's reconstruction term is
  the sum over its pixels, not their mean.

The gradient returned by ``backward`` is of the *reduced* loss and has pred's dtype.
"""
from minidl import backend

__all__ = ["Loss", "MSE", "BCEWithLogits", "SoftmaxCrossEntropy", "check_label_range"]

REDUCTIONS = ("mean", "sum", "batch")


class Loss:
    """Base class: checks arguments, keeps the state ``backward`` needs."""

    def __init__(self, reduction="mean"):
        if reduction not in REDUCTIONS:
            raise ValueError(f"{type(self).__name__}: reduction={reduction!r}, expected one of "
                             f"{REDUCTIONS}")
        self.reduction = reduction
        self.cache = None

    def __call__(self, pred, target):
        return self.forward(pred, target)

    def _check_same_shape(self, pred, target):
        if pred.shape != target.shape:
            raise ValueError(f"{type(self).__name__} got predictions of shape {tuple(pred.shape)} "
                             f"and targets of shape {tuple(target.shape)}: they must match "
                             f"(reshape the target or the model's output)")

    def _divisor(self, pred):
        """The number the summed loss is divided by under this reduction."""
        if self.reduction == "sum":
            return 1.0
        if self.reduction == "batch":
            return float(pred.shape[0])
        return float(pred.size)

    def _need_forward(self):
        if self.cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward() called before forward(): "
                               f"compute the loss value first")

    def __repr__(self):
        return f"{type(self).__name__}(reduction={self.reduction!r})"


class MSE(Loss):
    """Squared error  L = Σ (p − t)² / n  (n set by the reduction);  dL/dp = 2 (p − t) / n."""

    def forward(self, pred, target):
        self._check_same_shape(pred, target)
        diff = pred - target
        n = self._divisor(pred)
        self.cache = (diff, n)
        return backend.scalar((diff * diff).sum()) / n

    def backward(self):
        self._need_forward()
        diff, n = self.cache
        return diff * (2.0 / n)


class BCEWithLogits(Loss):
    """Binary cross-entropy on logits z with targets t in [0, 1].

    ℓ(z, t) = −t log σ(z) − (1 − t) log(1 − σ(z)) = max(z, 0) − z t − log σ(|z|),
    the second form never takes the log of 0 nor exponentiates a large number, so it
    is finite for any logit. Gradient: dℓ/dz = σ(z) − t (divided by n of the reduction).

    Both the loss and its gradient need σ, and one tanh gives it for both:
    σ(z) = ½ + ½ tanh(z/2), and σ(|z|) = ½ + ½ |tanh(z/2)|. So ``forward`` computes
    tanh(z/2) once and keeps σ(z) for ``backward``: a tanh and a log per element,
    where log(1 + e^(−|z|)) for the loss and a second σ for the gradient took an
    exp, a log1p and a tanh.
    """

    def forward(self, pred, target):
        self._check_same_shape(pred, target)
        xp = backend.get_array_module(pred)
        half_tanh = xp.multiply(pred, 0.5)
        xp.tanh(half_tanh, out=half_tanh)                 # tanh(z/2)
        log_sig_abs = xp.abs(half_tanh)
        log_sig_abs *= 0.5
        log_sig_abs += 0.5
        xp.log(log_sig_abs, out=log_sig_abs)              # log σ(|z|)
        loss = xp.maximum(pred, 0)
        loss -= pred * target
        loss -= log_sig_abs                               # max(z, 0) − z t − log σ(|z|)
        half_tanh *= 0.5
        half_tanh += 0.5                                  # σ(z), kept for backward
        n = self._divisor(pred)
        self.cache = (half_tanh, target, n)
        return backend.scalar(loss.sum()) / n

    def backward(self):
        self._need_forward()
        sig, target, n = self.cache
        dpred = sig - target                              # σ(z) − t (a new array: backward
        dpred *= 1.0 / n                                  # may run twice on one forward)
        return dpred


class SoftmaxCrossEntropy(Loss):
    """Cross-entropy of softmax(z) against labels, for logits z of shape (B, C).

    L = −Σ_c t_c log softmax(z)_c, with log softmax(z) = z − m − log Σ e^(z − m) (m = max z).
    Targets are int labels (B,) or one-hot / probability rows (B, C).
    Gradient: dL/dz = softmax(z) − t (divided by B for "mean"/"batch", 1 for "sum").
    """

    def forward(self, pred, target, *, check_labels=True):
        """The loss; ``check_labels=False`` skips the label-range check (one host sync),
        for callers that checked every label once already (a Classifier inside fit)."""
        xp = backend.get_array_module(pred)
        if pred.ndim != 2:
            raise ValueError(f"SoftmaxCrossEntropy expects logits of shape (batch, classes), "
                             f"got {tuple(pred.shape)}")
        target = self._as_probabilities(pred, target, xp, check_labels)
        shifted = pred - pred.max(axis=1, keepdims=True)
        log_z = xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
        log_p = shifted - log_z
        n = 1.0 if self.reduction == "sum" else float(pred.shape[0])
        self.cache = (log_p, target, n)
        return backend.scalar(-(target * log_p).sum()) / n

    def _as_probabilities(self, pred, target, xp, check_labels=True):
        if target.ndim == 1 and target.shape[0] == pred.shape[0]:
            labels = target.astype("int64", copy=False)
            if check_labels:
                check_label_range("SoftmaxCrossEntropy", labels, pred.shape[1])
            onehot = xp.zeros(pred.shape, dtype=pred.dtype)
            onehot[xp.arange(pred.shape[0]), labels] = 1
            return onehot
        self._check_same_shape(pred, target)
        return target.astype(pred.dtype, copy=False)

    def backward(self):
        self._need_forward()
        log_p, target, n = self.cache
        xp = backend.get_array_module(log_p)
        return (xp.exp(log_p) - target) * (1.0 / n)


def check_label_range(owner, labels, n_classes):
    """Refuse int labels outside [0, n_classes); one host sync (two more to word a failure)."""
    xp = backend.get_array_module(labels)
    if labels.size and bool(xp.any((labels < 0) | (labels >= n_classes))):
        raise ValueError(f"{owner}: labels must be in [0, {n_classes}), got values from "
                         f"{int(labels.min())} to {int(labels.max())}")
