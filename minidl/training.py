"""The fit loop: shuffle, mini-batches, train_step, history."""
import numpy

from minidl import backend


class History:
    """Per-epoch metrics: ``history.history["loss"]`` is a list with one float per epoch."""

    def __init__(self):
        self.history = {}
        self.epoch = []

    def record(self, epoch, metrics):
        self.epoch.append(epoch)
        for k, v in metrics.items():
            self.history.setdefault(k, []).append(float(v))


def _mean_metrics(rows, weights):
    total = float(sum(weights))
    return {k: sum(r[k] * w for r, w in zip(rows, weights)) / total for k in rows[0]}


def fit(model, X, y=None, *, epochs, batch_size, optimizer=None, validation_data=None,
        callbacks=(), seed=None, shuffle=True, verbose=0):
    """Train ``model`` on ``X`` (and targets ``y``) and return a :class:`History`."""
    if optimizer is not None:
        model.optimizer = optimizer
    elif model.optimizer is None:
        model.optimizer = model.default_optimizer()
    gen = numpy.random.default_rng(seed)
    X = backend.to_device(X)
    y = None if y is None else backend.to_device(y)
    n = X.shape[0]
    history = History()
    for epoch in range(epochs):
        order = gen.permutation(n) if shuffle else numpy.arange(n)
        rows, weights = [], []
        for start in range(0, n, batch_size):
            idx = backend.to_device(order[start:start + batch_size])
            batch = X[idx] if y is None else (X[idx], y[idx])
            rows.append(model.train_step(batch))
            weights.append(len(idx))
        history.record(epoch, _mean_metrics(rows, weights))
    return history
