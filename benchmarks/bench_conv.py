"""Convolution speed: convolutional autoencoders, minidl against PyTorch.

Two models (``autoencoders.ConvAutoencoder(architecture)``), both ending in logits:

``keras`` -- the keras.io tutorial "Convolutional autoencoder for image denoising"::

    conv32 3x3 same, ReLU -> maxpool 2 -> conv32, ReLU -> maxpool 2          (32x7x7)
    convT32 3x3 stride 2, ReLU -> convT32 stride 2, ReLU -> conv1 3x3 same    (logits)

``lecture`` -- Chollet's 2016 "Building autoencoders in Keras" model the lecture draws
(conv16-pool-conv8-pool-conv8-pool to 8x4x4; conv8-up-conv8-up-conv16 valid-up-conv1).

BCE-with-logits (mean) against the input, Adam(lr=1e-3), batch 128, on MNIST digits
(the bundled mnist-5k, train + test, repeated to 8,000; fixed random pixels when the
dataset cannot be loaded). PyTorch's transposed convolutions use padding 1 and
output_padding 1, and its last max-pool ceil_mode, the same sizes as Keras "same".

Figure of merit: the median epoch time after a warm-up epoch (quick: 2,048 samples,
two timed epochs). The issue's target is minidl <= 1.5x PyTorch CPU eager on 2 cores.
Where a GPU is lent, ``conv_ae_keras_gpu`` times the keras model there.

Two more entries time minidl against itself on the lecture model, to show what a speed
path buys: ``conv_fast_paths`` (``minidl.layers.fastconv`` on, the default, against the
readable layer code) and ``conv_skip_first_dx`` (the first conv skipping its unused
input gradient, the default, against computing it).
"""
from benchmarks._shared import mnist_pixels, summary, timed_fit, torch_reconstruction_epochs

BATCH, LR = 128, 1e-3


def _sizes(quick):
    """(samples, warm-up epochs, timed epochs)."""
    return (2048, 1, 2) if quick else (8000, 1, 3)


def _record(times, loss, warmup, n, **extra):
    out = summary(times, loss, warmup, samples=n, **extra)
    out["seconds_per_8000"] = out["seconds"] * 8000 / n
    return out


# --- minidl ---------------------------------------------------------------------------
def _minidl(quick, backend_name, architecture, *, fast=True, first_dx=False):
    """``fast``: fastconv's speed paths (else the readable layer code); ``first_dx``: the
    first conv computes the input gradient that training never uses."""
    from minidl import backend
    from minidl.layers import fastconv
    from minidl.optimizers import Adam
    from autoencoders import ConvAutoencoder

    backend.use(backend_name)
    fastconv.enabled = fast
    sync = backend.xp.cuda.Stream.null.synchronize if backend_name == "cupy" else None
    n, warmup, timed = _sizes(quick)
    model = ConvAutoencoder(architecture, seed=0)
    if first_dx:  # the model sets it False on the encoder; True makes its first conv pay
        model.encoder.input_grad = True
    if backend_name != "numpy":
        model.to(backend_name)
    times, history = timed_fit(model, backend.to_device(mnist_pixels(n)), epochs=warmup + timed,
                               batch_size=BATCH, optimizer=Adam(LR), synchronize=sync)
    history = getattr(history, "history_", history)  # fit returns the model since issue 14
    return _record(times, history.history["loss"][-1], warmup, n)


def conv_ae_lecture_readable(quick):
    return _minidl(quick, "numpy", "lecture", fast=False)


def conv_ae_lecture_first_dx(quick):
    return _minidl(quick, "numpy", "lecture", first_dx=True)


def conv_ae_minidl(quick):
    return _minidl(quick, "numpy", "keras")


def conv_ae_lecture_minidl(quick):
    return _minidl(quick, "numpy", "lecture")


def conv_ae_minidl_cupy(quick):
    from minidl import backend
    if not backend.available:
        raise ImportError("CuPy with a CUDA GPU is not available")
    return _minidl(quick, "cupy", "keras")


# --- PyTorch --------------------------------------------------------------------------
def _torch_net(architecture):
    from torch import nn

    if architecture == "keras":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.ConvTranspose2d(32, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(32, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.Conv2d(32, 1, 3, padding=1))
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),
        nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.Upsample(scale_factor=2),
        nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.Upsample(scale_factor=2),
        nn.Conv2d(8, 16, 3), nn.ReLU(), nn.Upsample(scale_factor=2),
        nn.Conv2d(16, 1, 3, padding=1))


def _torch(quick, device, architecture):
    import torch

    if device == "cuda" and not torch.cuda.is_available():
        raise ImportError("PyTorch has no CUDA device here")
    torch.manual_seed(0)
    n, warmup, timed = _sizes(quick)
    X = torch.from_numpy(mnist_pixels(n)).reshape(-1, 1, 28, 28).to(device)
    times, loss = torch_reconstruction_epochs(_torch_net(architecture).to(device), X,
                                              epochs=warmup + timed, batch_size=BATCH, lr=LR)
    return _record(times, loss, warmup, n, threads=torch.get_num_threads())


def conv_ae_torch(quick):
    return _torch(quick, "cpu", "keras")


def conv_ae_lecture_torch(quick):
    return _torch(quick, "cpu", "lecture")


def conv_ae_torch_cuda(quick):
    return _torch(quick, "cuda", "keras")


BENCHMARKS = [
    dict(name="conv_ae_keras",
         description=f"Keras-tutorial conv autoencoder (conv32-pool-conv32-pool / convT32 x2 "
                     f"- conv1), BCE-with-logits, Adam, batch {BATCH}: median epoch time",
         sides={"minidl": "benchmarks.bench_conv:conv_ae_minidl",
                "torch": "benchmarks.bench_conv:conv_ae_torch"},
         baseline="torch", target=1.5),
    dict(name="conv_ae_lecture",
         description=f"the lecture's conv autoencoder (Chollet 2016: conv16-8-8 to 8x4x4, "
                     f"upsampling decoder), BCE-with-logits, Adam, batch {BATCH}",
         sides={"minidl": "benchmarks.bench_conv:conv_ae_lecture_minidl",
                "torch": "benchmarks.bench_conv:conv_ae_lecture_torch"},
         baseline="torch", target=1.5),
    dict(name="conv_fast_paths",
         description="the lecture's conv autoencoder: minidl.layers.fastconv on (default) "
                     "against the readable layer code (fastconv.enabled = False)",
         sides={"minidl": "benchmarks.bench_conv:conv_ae_lecture_minidl",
                "readable": "benchmarks.bench_conv:conv_ae_lecture_readable"},
         baseline="readable", target=None),
    dict(name="conv_skip_first_dx",
         description="the lecture's conv autoencoder: first conv skips dL/dx (default) "
                     "against computing it",
         sides={"minidl": "benchmarks.bench_conv:conv_ae_lecture_minidl",
                "first_dx": "benchmarks.bench_conv:conv_ae_lecture_first_dx"},
         baseline="first_dx", target=None),
    dict(name="conv_ae_keras_gpu",
         description="the same model on a GPU: minidl on CuPy against PyTorch CUDA",
         sides={"minidl": "benchmarks.bench_conv:conv_ae_minidl_cupy",
                "torch": "benchmarks.bench_conv:conv_ae_torch_cuda"},
         baseline="torch", target=None),
]
