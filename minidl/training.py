"""The fit loop: check the data, shuffle, mini-batches, validation, callbacks.

One epoch, for a model that implements ``train_step`` and ``evaluate``:

    order = a permutation of 0..N-1 (seeded)
    for each slice idx of ``batch_size`` indices in order:
        metrics = model.train_step(X[idx])            # or (X[idx], y[idx])
    logs = batch-size-weighted mean of the metrics
    logs += {"val_" + k: v} from model.evaluate over the validation batches
    every callback's on_epoch_end(epoch, logs); stop if one asks to

The data are moved to the backend once, before the first epoch; the permutation is
drawn on the host from ``backend.rng(seed)``, so the same seed gives the same
batches -- and, on the CPU, bit-identical weights.
"""
from minidl import backend
from minidl.callbacks import (Callback, EarlyStopping, History, ModelCheckpoint,  # noqa: F401
                              ProgressBar)

__all__ = ["fit", "History", "Callback", "EarlyStopping", "ModelCheckpoint", "ProgressBar"]


def fit(model, X, y=None, *, epochs, batch_size, optimizer=None, validation_data=None,
        callbacks=(), seed=None, shuffle=True, verbose=1):
    """Train ``model`` on ``X`` (and targets ``y``) and return a :class:`History`.

    Parameters
    ----------
    model : object with ``train_step(batch) -> dict``, ``evaluate(batch) -> dict`` and
        ``parameters()`` (a :class:`minidl.model.Model`).
    X : (N, ...) array, host or device; y : (N, ...) array or None.
        The batch passed to the model is ``X[idx]`` without y, ``(X[idx], y[idx])`` with.
    epochs, batch_size : int >= 1. The last batch of an epoch may be smaller.
    optimizer : an Optimizer or a name ("adam", "sgd", ...), set as ``model.optimizer``;
        when None and the model has none,
        ``model.default_optimizer()`` is used.
    validation_data : X_val or (X_val, y_val), evaluated after each epoch in batches of
        ``batch_size``; its metrics are logged as "val_<name>".
    callbacks : iterable of :class:`Callback` (EarlyStopping, ModelCheckpoint, ...).
    seed : int or None, seeds the shuffling. shuffle : False keeps the data order.
    verbose : 0 silent, 1 a progress bar (tqdm, or one line per epoch without it),
        2 one line per epoch.

    Raises ValueError before any weight changes if the data contain NaN/inf, the sizes
    disagree, X is not an array of at least 2 dimensions, or epochs/batch_size < 1.
    """
    _check_positive_int("epochs", epochs)
    _check_positive_int("batch_size", batch_size)
    X, y = _prepare(X, y, "X", "y")
    val = _prepare_validation(validation_data, y is not None)
    if optimizer is not None:
        from minidl.optimizers import get
        model.optimizer = get(optimizer, owner="fit")
    elif getattr(model, "optimizer", None) is None:
        model.optimizer = model.default_optimizer()

    n = X.shape[0]
    n_batches = -(-n // batch_size)
    history = History()
    everyone = [history] + list(callbacks)
    if verbose:
        everyone.append(ProgressBar(epochs, n_batches, use_tqdm=False if verbose == 2 else None))
    for cb in everyone:
        cb.set_model(model)
        cb.on_train_begin()

    gen = backend.rng(seed)
    for epoch in range(epochs):
        order = gen.permutation(n) if shuffle else None
        logs = _train_epoch(model, X, y, order, batch_size, everyone)
        if val is not None:
            logs.update({f"val_{k}": v for k, v in _evaluate(model, *val, batch_size).items()})
        for cb in everyone:
            cb.on_epoch_end(epoch, logs)
        if any(cb.stop_training for cb in everyone):
            break
    for cb in everyone:
        cb.on_train_end()
    return history


def _train_epoch(model, X, y, order, batch_size, callbacks):
    """One pass over the data; returns the batch-size-weighted mean of each metric."""
    n = X.shape[0]
    if order is not None:
        order = backend.to_device(order, backend.name_of(backend.get_array_module(X)))
    totals = {}
    for b, start in enumerate(range(0, n, batch_size)):
        idx = slice(start, start + batch_size) if order is None else order[start:start + batch_size]
        batch = X[idx] if y is None else (X[idx], y[idx])
        metrics = model.train_step(batch)
        _accumulate(totals, metrics, min(batch_size, n - start))
        for cb in callbacks:
            cb.on_batch_end(b, metrics)
    return {k: v / n for k, v in totals.items()}


def _evaluate(model, X, y, batch_size):
    """``model.evaluate`` over the data in batches; weighted mean of each metric."""
    n, totals = X.shape[0], {}
    for start in range(0, n, batch_size):
        idx = slice(start, start + batch_size)
        _accumulate(totals, model.evaluate(X[idx] if y is None else (X[idx], y[idx])),
                    min(batch_size, n - start))
    return {k: v / n for k, v in totals.items()}


def _accumulate(totals, metrics, weight):
    for k, v in metrics.items():
        totals[k] = totals.get(k, 0.0) + float(v) * weight


# --- checks, all before training starts ------------------------------------------
def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"fit: {name}={value!r} must be an integer >= 1")


def _prepare(X, y, xname, yname):
    """Check X (and y) and move them onto the backend once."""
    if not hasattr(X, "shape") or len(X.shape) < 2:
        shape = getattr(X, "shape", None)
        raise ValueError(f"fit: {xname} must be an array of shape (N, features...), got "
                         f"{type(X).__name__}{'' if shape is None else f' of shape {shape}'}; "
                         f"for a single feature use {xname}.reshape(-1, 1)")
    X = backend.to_device(X)
    _check_finite(X, xname)
    if y is not None:
        if not hasattr(y, "shape"):
            raise ValueError(f"fit: {yname} must be an array, got {type(y).__name__}")
        y = backend.to_device(y)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"fit: {xname} has {X.shape[0]} samples but {yname} has "
                             f"{y.shape[0]}; they must have one row per sample")
        _check_finite(y, yname)
    if X.shape[0] == 0:
        raise ValueError(f"fit: {xname} has no samples")
    return X, y


def _check_finite(a, name):
    if a.dtype.kind not in "fc":
        return
    xp = backend.get_array_module(a)
    bad = int(a.size - xp.count_nonzero(xp.isfinite(a)))
    if bad:
        raise ValueError(f"fit: {name} contains {bad} NaN or infinite value(s) out of {a.size}; "
                         f"clean or impute the data before training")


def _prepare_validation(data, with_targets):
    if data is None:
        return None
    if isinstance(data, (tuple, list)):
        if len(data) != 2:
            raise ValueError(f"fit: validation_data must be X_val or (X_val, y_val), "
                             f"got a sequence of {len(data)} items")
        return _prepare(data[0], data[1], "X_val", "y_val")
    if with_targets:
        raise ValueError("fit: the model trains on (X, y) pairs, so validation_data "
                         "must be the pair (X_val, y_val)")
    return _prepare(data, None, "X_val", "y_val")
