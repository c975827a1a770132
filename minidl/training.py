"""The fit loop: check the data, shuffle, mini-batches, validation, callbacks.

One epoch, for a model that implements ``train_step`` and ``evaluate``:

    snapshot = a copy of the weights (the last finite ones)
    order = a permutation of 0..N-1 (seeded)
    for each slice idx of ``batch_size`` indices in order:
        metrics = model.train_step(X[idx])            # or (X[idx], y[idx])
        a NaN or inf metric: restore snapshot, raise NonFiniteLossError
    logs = batch-size-weighted mean of the metrics
    logs += {"val_" + k: v} from model.evaluate over the validation batches
    every callback's on_epoch_end(epoch, logs); stop if one asks to

Everything fit can refuse is refused before the first weight moves: the arguments,
the data (no rows, NaN/inf, float64 beyond float32, sizes that disagree), the
validation set (its feature shape must match X's), the optimizer, and callbacks
naming metrics the model will not report (see :func:`metric_names`).

The data are moved to the model's device once, before the first epoch (floating X
is cast to the model's dtype there, so batches need no cast); the permutation is
drawn on the host from ``backend.rng(seed)``, so the same seed gives the same
batches -- and, on the CPU, bit-identical weights.
"""
import contextlib
import math

from minidl import backend, checks
from minidl.checks import Batch, array_like
from minidl.callbacks import (Callback, DivergenceWatch, EarlyStopping, History,  # noqa: F401
                              ModelCheckpoint, ProgressBar, get_weights, set_weights)

__all__ = ["fit", "metric_names", "NonFiniteLossError", "History", "Callback",
           "EarlyStopping", "ModelCheckpoint", "ProgressBar"]


class NonFiniteLossError(FloatingPointError):
    """Training produced a NaN or infinite metric; the weights were restored."""


def fit(model, X, y=None, *, epochs=None, batch_size=None, optimizer=None,
        validation_data=None, callbacks=(), seed=None, shuffle=True, verbose=1):
    """Train ``model`` on ``X`` (and targets ``y``) and return a :class:`History`.

    Parameters
    ----------
    model : object with ``train_step(batch) -> dict``, ``evaluate(batch) -> dict`` and
        ``parameters()`` (a :class:`minidl.model.Model`).
    X : (N, ...) array, host or device, or an array-like (a list of rows, a DataFrame:
        read as ``numpy.asarray`` reads it); y : (N, ...) array(-like) or None.
        The batch passed to the model is ``X[idx]`` without y, and with y the pair
        ``Batch(X[idx], y[idx])`` (:class:`minidl.model.Batch`, a tuple only fit makes).
    epochs, batch_size : int >= 1 (NumPy integers too). The last batch may be smaller.
        None: the model's (``model.training_length()``: its constructor's ``epochs=`` /
        ``batch_size=``, else its class's ``default_epochs`` / ``default_batch_size``).
    optimizer : an Optimizer or a name ("adam", "sgd", ...), set as ``model.optimizer``;
        when None and the model has none, ``model.default_optimizer()`` is used.
    validation_data : X_val or (X_val, y_val), evaluated after each epoch in batches of
        ``batch_size``; its metrics are logged as "val_<name>".
    callbacks : iterable of :class:`Callback` (EarlyStopping, ModelCheckpoint, ...).
    seed : int or None, seeds the shuffling. shuffle : False keeps the data order.
    verbose : 0 silent, 1 a progress bar (tqdm, or one line per epoch without it),
        2 one line per epoch.

    Raises
    ------
    ValueError, TypeError
        before any weight changes, for bad arguments, data or callbacks.
    NonFiniteLossError
        at the first batch whose loss (or any metric) is NaN or inf. The weights of the
        start of that epoch -- the last ones known to be finite -- are put back and the
        optimizer's state is cleared; the message names the epoch and the batch.
    """
    epochs, batch_size = _training_length(model, epochs, batch_size)
    checks.one_of("fit", "verbose", verbose, (0, 1, 2))
    if optimizer is not None:
        from minidl.optimizers import get
        optimizer = get(optimizer, owner="fit")
    callbacks = list(callbacks)
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(f"fit: callbacks must be minidl Callback objects (EarlyStopping, "
                            f"ModelCheckpoint, ...), got {type(cb).__name__}")
    device, dtype = _device_and_dtype(model)
    X, y = _prepare(X, y, "X", "y", device, dtype)
    val = _prepare_validation(validation_data, X, y, device, dtype)
    _check_model_data(model, X, y, val)
    _check_callbacks(model, callbacks, X, y, val)
    if optimizer is not None:
        model.optimizer = optimizer
    elif getattr(model, "optimizer", None) is None:
        model.optimizer = model.default_optimizer()
    begin = getattr(model, "begin_fit", None)
    if begin is not None:       # a start the model takes from the data (an RBM's biases)
        begin(X)

    n = X.shape[0]
    n_batches = -(-n // batch_size)
    history = History()
    everyone = [history] + callbacks
    if not any(isinstance(cb, DivergenceWatch) for cb in callbacks):
        everyone.append(DivergenceWatch())     # warns when a finite loss diverges
    if verbose:
        everyone.append(ProgressBar(epochs, n_batches, use_tqdm=False if verbose == 2 else None))
    for cb in everyone:
        cb.set_model(model)
        cb.on_train_begin()

    gen = backend.rng(seed)
    for epoch in range(epochs):
        order = gen.permutation(n) if shuffle else None
        logs = _train_epoch(model, X, y, order, batch_size, everyone, epoch)
        if val is not None:
            logs.update({f"val_{k}": v for k, v in _evaluate(model, *val, batch_size).items()})
        for cb in everyone:
            cb.on_epoch_end(epoch, logs)
        if any(cb.stop_training for cb in everyone):
            break
    for cb in everyone:
        cb.on_train_end()
    return history


@contextlib.contextmanager
def _data_already_checked(model):
    """Inside, the model's ``as_array`` skips the NaN scan of the batch it is given:
    fit scanned the whole of X and X_val once, in ``_prepare``. Only fit's own
    train_step / evaluate calls run inside; callbacks see a model that checks."""
    if not hasattr(model, "_inputs_checked_by_fit"):
        yield
        return
    model._inputs_checked_by_fit = True
    try:
        yield
    finally:
        del model._inputs_checked_by_fit        # back to the class default, False


def _train_epoch(model, X, y, order, batch_size, callbacks, epoch):
    """One pass over the data; returns the batch-size-weighted mean of each metric.

    A model may return its metrics as 0-d device arrays (the Model contract): they are
    copied to the host here, all of one batch's together, so a batch costs one host
    sync whatever the model reports. The weights are copied first: if a batch's metrics come back NaN or inf they are
    restored (a copy per epoch costs one pass over the weights, small beside an epoch).
    """
    n = X.shape[0]
    if order is not None:
        order = backend.to_device(order, backend.name_of(backend.get_array_module(X)))
    snapshot = get_weights(model)
    totals = {}
    for b, start in enumerate(range(0, n, batch_size)):
        idx = slice(start, start + batch_size) if order is None else order[start:start + batch_size]
        batch = X[idx] if y is None else Batch(X[idx], y[idx])
        with _data_already_checked(model):
            metrics = backend.to_floats(model.train_step(batch))    # the batch's one sync
        if not _accumulate(totals, metrics, min(batch_size, n - start)):
            _diverged(model, snapshot, epoch, b, -(-n // batch_size), metrics)
        for cb in callbacks:
            cb.on_batch_end(b, metrics)
    return {k: v / n for k, v in totals.items()}


def _diverged(model, snapshot, epoch, batch, n_batches, metrics):
    """Put the last finite weights back and stop with advice."""
    set_weights(model, snapshot)
    state = getattr(getattr(model, "optimizer", None), "state", None)
    if isinstance(state, dict):
        state.clear()     # moment estimates were fed the bad gradients
    shown = ", ".join(f"{k}={float(v):.4g}" for k, v in metrics.items())
    raise NonFiniteLossError(
        f"fit: training diverged at epoch {epoch + 1}, batch {batch + 1}/{n_batches} "
        f"({shown}); the weights from the start of epoch {epoch + 1} were restored. Lower the "
        f"learning rate (e.g. Adam(lr=1e-4)) or clip the gradients (e.g. Adam(clip_norm=1.0)), "
        f"and check the data's scale")


def _evaluate(model, X, y, batch_size):
    """``model.evaluate`` over the data in batches; weighted mean of each metric."""
    n, totals = X.shape[0], {}
    for start in range(0, n, batch_size):
        idx = slice(start, start + batch_size)
        with _data_already_checked(model):
            metrics = backend.to_floats(model.evaluate(X[idx] if y is None else Batch(X[idx], y[idx])))
        _accumulate(totals, metrics, min(batch_size, n - start))
    return {k: v / n for k, v in totals.items()}


def _accumulate(totals, metrics, weight):
    """Add ``weight`` x each metric into ``totals``; False when one is NaN or inf."""
    finite = True
    for k, v in metrics.items():
        v = float(v)
        finite = finite and math.isfinite(v)
        totals[k] = totals.get(k, 0.0) + v * weight
    return finite


def metric_names(model, X, y=None, validation=False):
    """The names in the epoch logs fit will pass to callbacks, known before training.

    One ``model.evaluate`` on the first row of ``X`` gives the metric names; a model's
    ``train_step`` reports these names or a subset of them (the Model contract), and
    with validation data each also appears as "val_<name>". The row is evaluated
    without training, so no weight moves. The row is moved to the model's device first
    (a model on CuPy handed host data, or the reverse, computes on its own device).
    """
    device = _device_and_dtype(model)[0]
    x = backend.to_device(X[:1], device)
    first = x if y is None else Batch(x, backend.to_device(y[:1], device))
    names = set(model.evaluate(first))
    return names | {f"val_{k}" for k in names} if validation else names


# --- checks, all before training starts ------------------------------------------
def _training_length(model, epochs, batch_size):
    """``epochs`` and ``batch_size`` checked; None takes the model's (its constructor's
    keywords, else its class defaults: :meth:`minidl.model.Estimator.training_length`)."""
    if hasattr(model, "training_length"):
        epochs, batch_size = model.training_length(epochs, batch_size)
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if value is None:
            raise TypeError(f"fit: {name}= is required for a {type(model).__name__}, which "
                            f"has no training_length() to take a default from")
    return (checks.positive_int("fit", "epochs", epochs),
            checks.positive_int("fit", "batch_size", batch_size))


def _device_and_dtype(model):
    """The backend name and floating dtype of the model's parameters (its own device)."""
    params = list(model.parameters()) if hasattr(model, "parameters") else []
    if not params:
        return backend.current(), None
    data = params[0].data
    return backend.name_of(backend.get_array_module(data)), data.dtype


def _check_model_data(model, X, y, val):
    """The model's own data rules (a BCE autoencoder's [0, 1], say), before training.

    A model may define ``check_data(x, *, name, where)``, and for targets
    ``check_targets(x, y, *, name, where)`` (a Classifier's label range); they raise on
    data its objective cannot take. Checked once here, the batches are not re-checked.
    """
    check = getattr(model, "check_data", None)
    if check is not None:
        check(X, name="X", where="fit")
        if val is not None:
            check(val[0], name="X_val", where="fit")
    check_targets = getattr(model, "check_targets", None)
    if check_targets is not None and y is not None:
        check_targets(X, y, name="y", where="fit")
        if val is not None and val[1] is not None:
            check_targets(val[0], val[1], name="y_val", where="fit")


def _prepare(X, y, xname, yname, device, dtype):
    """Check X (and y) and move them onto the model's device once.

    Array-likes (lists of rows, DataFrames) are read as ``numpy.asarray`` reads them.
    """
    X = array_like("fit", X, name=xname)
    if len(X.shape) < 2:
        shape = getattr(X, "shape", None)
        raise ValueError(f"fit: {xname} must be an array of shape (N, features...), got "
                         f"{type(X).__name__}{'' if shape is None else f' of shape {shape}'}; "
                         f"for a single feature use {xname}.reshape(-1, 1)")
    checks.samples("fit", X, name=xname)
    X = backend.to_device(X, device)
    cast = dtype if X.dtype.kind == "f" and dtype is not None and dtype.kind == "f" else None
    checks.finite_array("fit", X, name=xname, dtype=cast)
    if cast is not None and X.dtype != cast:
        X = X.astype(cast)
    if y is not None:
        y = backend.to_device(array_like("fit", y, name=yname), device)
        if y.ndim == 0 or y.shape[0] != X.shape[0]:
            raise ValueError(f"fit: {xname} has {X.shape[0]} samples but {yname} has "
                             f"{y.shape[0] if y.ndim else 'none (a scalar)'}; they must have "
                             f"one row per sample")
        checks.finite_array("fit", y, name=yname)
    return X, y


def _prepare_validation(data, X, y, device, dtype):
    """The validation pair (X_val, y_val or None), checked against the training data."""
    if data is None:
        return None
    if isinstance(data, (tuple, list)):
        if len(data) != 2:
            raise ValueError(f"fit: validation_data must be X_val or (X_val, y_val), "
                             f"got a sequence of {len(data)} items")
        Xv, yv = _prepare(data[0], data[1], "X_val", "y_val", device, dtype)
    elif y is not None:
        raise ValueError("fit: the model trains on (X, y) pairs, so validation_data "
                         "must be the pair (X_val, y_val)")
    else:
        Xv, yv = _prepare(data, None, "X_val", "y_val", device, dtype)
    for name, train, valid in (("X", X, Xv), ("y", y, yv)):
        if valid is None or train is None:
            continue
        if tuple(valid.shape[1:]) != tuple(train.shape[1:]):
            raise ValueError(f"fit: validation {name}_val has rows of shape "
                             f"{tuple(valid.shape[1:])} but the training {name} has rows of "
                             f"shape {tuple(train.shape[1:])}; validate on data prepared like "
                             f"the training data")
    return Xv, yv


def _check_callbacks(model, callbacks, X, y, val):
    """Let callbacks that name metrics check them now, before any weight moves."""
    needy = [cb for cb in callbacks if hasattr(cb, "check_metrics")]
    if not needy:
        return
    names = metric_names(model, X, y, validation=val is not None)
    for cb in needy:
        cb.check_metrics(names)
