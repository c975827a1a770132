"""The k-sparse autoencoder (Makhzani & Frey 2013, "k-Sparse Autoencoders", Algorithm 1).

    h   = x W + b                     linear code, (B, K)
    Γ   = the k largest entries of each row of h
    z   = h ⊙ 1[Γ]                    everything else set to 0
    x̂   = z Wᵀ + b'                   tied weights, squared error

Backward: only the units in Γ pass gradient, dh = dz ⊙ 1[Γ] (the mask is the support).
Training starts with a larger k and lowers it linearly to the target k over the first half
of the epochs (k_start = 100 in the paper), so that no unit dies early. For features,
``encode`` keeps the ``alpha * k`` largest units (alpha = 3 on MNIST).

How ``fit`` tells the model the epoch: :meth:`KSparseAutoencoder.fit` adds a
:class:`KSchedule` callback, which sets ``model.k_current`` before the first epoch and
after each one; ``k_current`` is what the objective uses. Calling
``minidl.training.fit(model, X, ...)`` directly, pass ``callbacks=[KSchedule(epochs)]``
yourself (without it the model trains at its target k throughout).
"""
import math

from minidl import backend, checks
from minidl.callbacks import Callback, DivergenceWatch

from autoencoders.variants import DeepAutoencoder

__all__ = ["KSparseAutoencoder", "KSchedule", "top_k_mask"]


def top_k_mask(h, k):
    """Boolean mask of the k largest entries of each row of h (B, K).

    Built from each row's k-th largest value, so tied values at that threshold are all
    kept (ties have probability zero for real-valued codes).
    """
    xp = backend.get_array_module(h)
    if k >= h.shape[1]:
        return xp.ones(h.shape, dtype=bool)
    kth = -xp.partition(-h, k - 1, axis=1)[:, k - 1:k]   # (B, 1) the k-th largest
    return h >= kth


class KSchedule(Callback):
    """k from ``k_start`` down to the model's k, linearly over the first half of ``epochs``.

    Epoch e (from 0) trains with k_e = round(k_start − (k_start − k) · min(1, e / (epochs / 2))).
    """

    def __init__(self, epochs):
        super().__init__()
        self.epochs = epochs

    def k_at(self, epoch):
        m = self.model
        progress = min(1.0, epoch / max(self.epochs / 2.0, 1e-12))
        return int(round(m.k_start - (m.k_start - m.k) * progress))

    def on_train_begin(self, logs=None):
        self.model.k_current = self.k_at(0)

    def on_epoch_end(self, epoch, logs=None):
        self.model.k_current = self.k_at(epoch + 1)

    def on_train_end(self, logs=None):
        self.model.k_current = self.model.k


class KSparseAutoencoder(DeepAutoencoder):
    """k-sparse autoencoder: ``KSparseAutoencoder([784, 1000], k=25, alpha=3)``.

    Parameters
    ----------
    sizes : [input, code] (deeper lists stack linear layers).
    k : units kept per sample in training, 1 <= k <= code size.
    alpha : ``encode`` keeps alpha·k units (capped at the code size), alpha >= 1.
    k_start : k at the first epoch (capped at the code size), lowered linearly to k over
        the first half of training; None or k disables the schedule.
    tied : decoder W' = Wᵀ (default True, as in the paper). loss : "mse" (default) or "bce".
    optimizer : None (Adam), an Optimizer or a name. seed : seeds the weights.

    The bottleneck keeps ``k_current`` units while training (the schedule's k) and the
    target k otherwise (``reconstruct``, ``evaluate`` and so fit's validation).
    """

    def __init__(self, sizes, *, k=25, alpha=3, k_start=100, tied=True, loss="mse",
                 optimizer=None, seed=None):
        super().__init__(sizes, activation="linear", tied=tied, loss=loss, optimizer=optimizer,
                         seed=seed)
        owner, n_code = "KSparseAutoencoder", self.sizes[-1]
        k = checks.integer(owner, "k", k)
        if not 1 <= k <= n_code:
            raise ValueError(f"{owner}: k={k!r} must be an integer in [1, {n_code}] "
                             f"(the code size)")
        self.alpha = checks.number(owner, "alpha", alpha, low=1)
        k_start = k if k_start is None else checks.integer(owner, "k_start", k_start)
        if k_start < k:
            raise ValueError(f"{owner}: k_start={k_start!r} must be >= k={k}")
        self.k = self.k_current = k
        self.k_start = min(k_start, n_code)
        self._mask = None

    def bottleneck(self, h, training=False):
        """z = h ⊙ 1[Γ], Γ the top ``k_current`` (training) or k (otherwise) units of each row."""
        self._mask = top_k_mask(h, self.k_current if training else self.k)
        return h * self._mask

    def bottleneck_backward(self, dz):
        """dh = dz ⊙ 1[Γ]: only the kept units receive gradient."""
        return dz * self._mask

    def encode(self, X):
        """Features: the alpha·k largest units of each code (others set to 0), (N, K)."""
        h = super().encode(X)
        return h * top_k_mask(h, min(int(round(self.alpha * self.k)), h.shape[1]))

    def fit(self, X, y=None, *, epochs=None, callbacks=(), **kwargs):
        """:meth:`Autoencoder.fit` with a :class:`KSchedule` added to the callbacks.

        The training loss rises by design while k falls, so the divergence warning
        (:class:`minidl.callbacks.DivergenceWatch`) watches from the epoch the schedule
        reaches k on, unless ``callbacks`` holds a watch of your own.
        """
        epochs = self.training_length(epochs)[0]
        callbacks = [KSchedule(epochs), *callbacks]
        if self.k_start > self.k and not any(isinstance(cb, DivergenceWatch)
                                             for cb in callbacks):
            callbacks.append(DivergenceWatch(start_epoch=math.ceil(epochs / 2)))
        return super().fit(X, y, epochs=epochs, callbacks=callbacks, **kwargs)
