"""Callbacks: code that ``fit`` runs at fixed moments of training.

    on_train_begin(logs)          before the first epoch
    on_batch_end(batch, logs)     after every train_step (logs: that batch's metrics)
    on_epoch_end(epoch, logs)     after each epoch (logs: mean training metrics and
                                  the validation metrics, prefixed "val_")
    on_train_end(logs)            after the last epoch, or after an early stop

``fit`` sets ``callback.model`` before training; a callback that sets
``self.stop_training = True`` ends training after the current epoch.
"""
import math
import string
import sys
import time
import warnings

from minidl import backend, checks

__all__ = ["Callback", "History", "EarlyStopping", "ModelCheckpoint", "LinearDecay",
           "ProgressBar"]


class Callback:
    """Base class: every hook does nothing."""

    def __init__(self):
        self.model = None
        self.stop_training = False

    def set_model(self, model):
        self.model = model
        self.stop_training = False

    def on_train_begin(self, logs=None):
        """Called once before the first epoch; does nothing unless overridden."""

    def on_batch_end(self, batch, logs=None):
        """Called after every train_step with its metrics; does nothing unless overridden."""

    def on_epoch_end(self, epoch, logs=None):
        """Called after each epoch with its (and the validation) metrics."""

    def on_train_end(self, logs=None):
        """Called once after the last epoch."""


class History(Callback):
    """Per-epoch metrics: ``history["loss"]`` (or ``history.history["loss"]``) is a list
    with one float per epoch.

    ``history.epoch`` lists the epoch numbers (from 0); ``training.fit`` returns this
    object and a model's ``fit`` keeps it in ``model.history_``.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def record(self, epoch, metrics):
        self.epoch.append(epoch)
        for k, v in metrics.items():
            self.history.setdefault(k, []).append(float(v))

    def on_epoch_end(self, epoch, logs=None):
        self.record(epoch, logs or {})

    def __getitem__(self, name):
        if name not in self.history:
            raise KeyError(f"History has no metric {name!r}; recorded: {sorted(self.history)}")
        return self.history[name]

    def __contains__(self, name):
        return name in self.history

    def __repr__(self):
        return f"History(epochs={len(self.epoch)}, metrics={sorted(self.history)})"


# --- weights, without assuming the model subclasses minidl.model.Model ---------
def get_weights(model):
    """Copies of every parameter's data, in ``parameters()`` order."""
    if hasattr(model, "get_weights"):
        return model.get_weights()
    return [p.data.copy() for p in model.parameters()]


def set_weights(model, weights):
    """Copy ``weights`` back into the parameters, in place (identity kept)."""
    if hasattr(model, "set_weights"):
        return model.set_weights(weights)
    for p, w in zip(model.parameters(), weights):
        backend.get_array_module(p.data).copyto(p.data, w)


class _Monitor(Callback):
    """Shared by EarlyStopping and ModelCheckpoint: track the best value of a metric.

    If the monitored ``"val_<m>"`` is absent because ``fit`` got no validation
    data, the training metric ``"<m>"`` is monitored instead, with a warning.
    ``fit`` calls :meth:`check_metrics` before training, so a metric that will not
    exist is refused before any weight moves.
    """

    def __init__(self, monitor, mode, min_delta=0.0):
        super().__init__()
        owner = type(self).__name__
        if not isinstance(monitor, str):
            raise TypeError(f"{owner}: monitor={monitor!r} must be a metric name such as "
                            f"'val_loss'")
        checks.one_of(owner, "mode", mode, ("min", "max"))
        self.monitor, self.mode = monitor, mode
        self.min_delta = checks.number(owner, "min_delta", min_delta, low=0)
        self.best = None
        self._planned_key = None

    def check_metrics(self, names):
        """Pick the monitored key among the metric ``names`` fit will log, or refuse."""
        self._planned_key = self._pick_key(names)

    def on_train_begin(self, logs=None):
        self.best = None
        self._key, self._planned_key = self._planned_key, None

    def _current(self, logs):
        if self._key is None:
            self._key = self._pick_key(logs)
        return float(logs[self._key])

    def _pick_key(self, logs):
        if self.monitor in logs:
            return self.monitor
        fallback = self.monitor[4:] if self.monitor.startswith("val_") else None
        if fallback in logs:
            warnings.warn(f"{type(self).__name__}: {self.monitor!r} is not available (no "
                          f"validation_data given to fit); monitoring {fallback!r} instead",
                          stacklevel=5)
            return fallback
        raise ValueError(f"{type(self).__name__}: metric {self.monitor!r} is not among the "
                         f"metrics fit logs, {sorted(logs)}; pass monitor= one of those")

    def _improved(self, value):
        if self.best is None:
            return not math.isnan(value)
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta


class EarlyStopping(_Monitor):
    """Stop when ``monitor`` has not improved for ``patience`` epochs.

    Improvement means beating the best value so far by more than ``min_delta``
    (lower for ``mode="min"``, the default; higher for "max"). With
    ``restore_best_weights`` the model ends with the weights of its best epoch
    (also when training runs to the end without stopping early).
    Without validation data, "val_loss" falls back to the training "loss".
    After training, ``stopped_epoch`` is the epoch it stopped at (None if it did not)
    and ``best_epoch`` the epoch of the best value.
    """

    def __init__(self, monitor="val_loss", patience=5, min_delta=0.0,
                 restore_best_weights=True, *, mode="min"):
        super().__init__(monitor, mode, min_delta)
        patience = checks.integer("EarlyStopping", "patience", patience, low=0)
        self.patience, self.restore_best_weights = patience, restore_best_weights

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self.wait, self.best_epoch, self.stopped_epoch, self.best_weights = 0, None, None, None

    def on_epoch_end(self, epoch, logs=None):
        value = self._current(logs)
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = get_weights(self.model)
            return
        self.wait += 1
        if self.wait > self.patience:
            self.stopped_epoch, self.stop_training = epoch, True

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self.best_weights is not None:
            set_weights(self.model, self.best_weights)


class LinearDecay(Callback):
    """The optimizer's learning rate falls linearly to zero over ``epochs`` epochs.

        lr_e = lr · (1 − e / epochs)        for epoch e = 0, 1, ..., epochs − 1

    so the last epoch takes steps of lr / epochs. With a constant rate, stochastic steps
    keep bouncing around a minimum at a distance set by the rate; falling to zero, they
    settle into it (for a convex loss, such as a linear probe's, into the optimum).
    ``lr`` is the optimizer's rate when training begins; it is put back when training
    ends, so the optimizer can be reused. Pass the same ``epochs`` as to ``fit``.
    """

    def __init__(self, epochs):
        super().__init__()
        self.epochs = checks.integer("LinearDecay", "epochs", epochs, low=1)

    def _optimizer(self):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not hasattr(optimizer, "lr"):
            raise ValueError("LinearDecay: the model has no optimizer with an lr when "
                             "training begins; use it as a callback of fit, which sets one")
        return optimizer

    def on_train_begin(self, logs=None):
        self.lr = self._optimizer().lr

    def on_epoch_end(self, epoch, logs=None):
        self._optimizer().lr = self.lr * max(0.0, 1.0 - (epoch + 1) / self.epochs)

    def on_train_end(self, logs=None):
        self._optimizer().lr = self.lr


class ModelCheckpoint(_Monitor):
    """Save the model with :func:`minidl.io.save` at the end of epochs.

    ``path`` may contain ``{epoch}`` (1-based) and metric fields, e.g.
    ``"ckpt-{epoch:02d}-{val_loss:.3f}.npz"``. With ``save_best_only`` (default)
    a file is written only when ``monitor`` improves, so ``path`` always holds
    the best model so far; otherwise every epoch is saved.

    ``fit`` checks the template and the monitored metric against the metrics the
    model will log (:func:`minidl.training.metric_names`) before training starts.
    Weights holding NaN or inf are never written: the epoch is skipped with a
    RuntimeWarning and the previous file stays as it was.
    """

    def __init__(self, path, monitor="val_loss", save_best_only=True, *, mode="min"):
        super().__init__(monitor, mode)
        if not isinstance(path, str):
            raise TypeError(f"ModelCheckpoint: path={path!r} must be a string (a file name, "
                            f"optionally with fields such as '{{epoch:02d}}')")
        self.path, self.save_best_only = path, bool(save_best_only)
        self.saved = []

    def check_metrics(self, names):
        """Refuse a path template with fields that no epoch's logs will fill."""
        if self.save_best_only:
            super().check_metrics(names)
        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(self.path) if f is not None}
            roots = sorted({f.split(".")[0].split("[")[0] for f in fields})
            missing = [f for f in roots if f and not f.isdigit() and f != "epoch"
                       and f not in names]
            if not missing:
                self.path.format(epoch=1, **{name: 1.0 for name in names})
        except (ValueError, IndexError, KeyError, AttributeError) as err:
            raise ValueError(f"ModelCheckpoint: path {self.path!r} is not a valid template "
                             f"({type(err).__name__}: {err}); use named fields such as "
                             f"'ckpt-{{epoch:02d}}-{{val_loss:.3f}}.npz'") from None
        if missing:
            raise ValueError(f"ModelCheckpoint: path {self.path!r} names {missing}, which the "
                             f"model does not report; the fields available are 'epoch' and "
                             f"{sorted(names)}")
        self.check_folder(names)

    def check_folder(self, names=()):
        """Refuse, before any weight moves, a path whose folder is missing or read-only.

        The first epoch's file name stands for all of them (the fields change only the
        name, not the folder); the message names the user's path.
        """
        from minidl import io
        io.check_target(self.path.format(epoch=1, **{name: 1.0 for name in names}),
                        owner=f"ModelCheckpoint(path={self.path!r})")

    def on_epoch_end(self, epoch, logs=None):
        from minidl import io
        if self.save_best_only:
            value = self._current(logs)
            if not self._improved(value):
                return
        if not _all_finite(self.model):
            warnings.warn(f"ModelCheckpoint: the weights after epoch {epoch + 1} hold NaN or "
                          f"inf; not saved, the previous checkpoint is kept", RuntimeWarning,
                          stacklevel=2)
            return
        if self.save_best_only:
            self.best = value
        path = self.path.format(epoch=epoch + 1, **logs)
        io.save(self.model, path)
        self.saved.append(path)


class DivergenceWarning(RuntimeWarning):
    """Training that diverges while its loss stays finite."""


class DivergenceWatch(Callback):
    """Warn, naming the learning rate, when the training loss diverges but stays finite.

    ``fit`` adds one to every run (pass your own to change its settings). The loss is
    "loss" of the logs, else the first metric named like a loss or an error (an RBM's
    "recon_error"); a model reporting neither is not watched. Two signs,
    each warned about once per run:

    * far above its start: an epoch's mean loss above ``factor`` (10) times the loss of
      the very first batch -- the loss the initial weights had;
    * rising for ``patience`` (4) epochs in a row, ending more than ``min_rise`` (5%)
      above the first epoch's mean.

    A loss that only wobbles, creeps up by a hair (an RBM's reconstruction error, a
    monitor rather than the objective, drifts up by a fraction of a percent once CD's
    weights grow), or falls after a rise, is left alone; NaN and inf are stopped by fit
    itself (:class:`minidl.training.NonFiniteLossError`).

    ``start_epoch`` (from 0) is the first epoch watched, for an objective that changes by
    design before it: a :class:`~autoencoders.KSparseAutoencoder` lowers its k over the
    first half of training, and its loss rises as k falls (k = 10 on full MNIST: for 9
    epochs in a row, with nothing wrong), so its ``fit`` watches from the half on. The
    first batch and the first epoch it compares with are then those of ``start_epoch``.
    """

    def __init__(self, factor=10.0, patience=4, min_rise=0.05, start_epoch=0):
        super().__init__()
        self.factor = checks.number("DivergenceWatch", "factor", factor, low=1, low_open=True)
        self.patience = checks.positive_int("DivergenceWatch", "patience", patience)
        self.min_rise = checks.number("DivergenceWatch", "min_rise", min_rise, low=0)
        self.start_epoch = checks.integer("DivergenceWatch", "start_epoch", start_epoch, low=0)

    def on_train_begin(self, logs=None):
        self.key = self.start = self.first_epoch = self.first_index = self.last = None
        self.rises, self.warned, self.epoch = 0, set(), 0

    def on_batch_end(self, batch, logs=None):
        if self.start is None and logs and self.epoch >= self.start_epoch:
            losses = [k for k in logs if "loss" in k or "error" in k]
            self.key = "loss" if "loss" in logs else (losses[0] if losses else None)
            self.start = float(logs[self.key]) if self.key else math.nan

    def on_epoch_end(self, epoch, logs=None):
        self.epoch = epoch + 1
        if epoch < self.start_epoch:
            return
        value = None if self.key is None else (logs or {}).get(self.key)
        if value is None or not math.isfinite(value):
            return
        if self.first_epoch is None:
            self.first_epoch, self.first_index = value, epoch
        self.rises = self.rises + 1 if self.last is not None and value > self.last else 0
        self.last = value
        if self.start > 0 and value > self.factor * self.start:
            self._warn("far", f"rose from {self.start:.4g} (the first batch) to "
                              f"{value:.4g} (epoch {epoch + 1})")
        if self.rises >= self.patience and value > (1 + self.min_rise) * self.first_epoch:
            self._warn("rising", f"rose for {self.rises} epochs in a row, to {value:.4g} at "
                                 f"epoch {epoch + 1} (epoch {self.first_index + 1}: "
                                 f"{self.first_epoch:.4g})")

    def _warn(self, kind, what):
        if kind in self.warned:
            return
        self.warned.add(kind)
        lr = getattr(getattr(self.model, "optimizer", None), "lr", None)
        rate = "its learning rate" if lr is None else f"the learning rate lr={lr:g}"
        lower = "" if lr is None else f", e.g. lr={lr / 10:g}"
        warnings.warn(f"fit: the training {self.key} {what}: training is diverging; "
                      f"{rate} is probably too large for this model -- try a smaller one"
                      f"{lower}", DivergenceWarning, stacklevel=3)


def _all_finite(model):
    """True when every parameter holds only finite numbers."""
    for p in model.parameters():
        xp = backend.get_array_module(p.data)
        if not bool(xp.isfinite(p.data).all()):
            return False
    return True


class ProgressBar(Callback):
    """Show training progress: a tqdm bar per epoch when tqdm is installed,
    otherwise one printed line per epoch (``use_tqdm=False`` forces the lines).
    """

    def __init__(self, epochs, n_batches, *, use_tqdm=None, file=None):
        super().__init__()
        self.epochs, self.n_batches, self.file = epochs, n_batches, file
        self._tqdm = _find_tqdm() if use_tqdm in (None, True) else None
        if use_tqdm and self._tqdm is None:
            raise ImportError("ProgressBar(use_tqdm=True) needs tqdm: pip install tqdm")
        self._bar, self._epoch, self._start = None, 0, None

    def on_batch_end(self, batch, logs=None):
        if self._start is None:
            self._start = time.perf_counter()
        if self._tqdm is not None:
            if self._bar is None:
                self._bar = self._tqdm(total=self.n_batches, file=self.file, leave=True,
                                       desc=f"epoch {self._epoch + 1}/{self.epochs}")
            self._bar.update(1)

    def on_epoch_end(self, epoch, logs=None):
        text = "  ".join(f"{k} {v:.4g}" for k, v in (logs or {}).items())
        if self._bar is not None:
            self._bar.set_postfix_str(text, refresh=False)
            self._bar.close()
        else:
            seconds = time.perf_counter() - (self._start or time.perf_counter())
            print(f"epoch {epoch + 1}/{self.epochs}  {text}  ({seconds:.1f} s)",
                  file=self.file or sys.stdout, flush=True)
        self._bar, self._epoch, self._start = None, epoch + 1, None

    def on_train_end(self, logs=None):
        if self._bar is not None:
            self._bar.close()


def _find_tqdm():
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm
