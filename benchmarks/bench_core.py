"""Core training speed: dense autoencoders trained with Adam, minidl against PyTorch.

Two networks on 10,000 MNIST digits (the bundled mnist-5k, train and test, repeated;
a fixed random [0, 1] array when the dataset cannot be loaded), batch 256,
BCE-with-logits (mean) against the input, Adam(lr=1e-3), Glorot-uniform weights
and zero biases on every side:

* ``ae_784_32``:       784 -> 32 (ReLU) -> 784 logits
* ``ae_deep_sigmoid``: 784 -> 256 -> 64 -> 256 (Sigmoid) -> 784 logits

Sides: ``minidl`` (a small Model trained by ``minidl.training.fit``), ``torch``
(eager PyTorch on the CPU, default threads) and ``gemm``: only the matrix products
of one forward and backward pass in NumPy float32 -- the floor any CPU
implementation pays. The figure of merit is the median epoch time after a warm-up
epoch; the minidl / torch ratio should be at most 1.0.
"""
import time

from benchmarks._shared import mnist_pixels, summary, timed_fit, torch_reconstruction_epochs

N_SAMPLES, BATCH, LR = 10_000, 256, 1e-3
ARCHS = {"ae_784_32": ([784, 32, 784], "relu"),
         "ae_deep_sigmoid": ([784, 256, 64, 256, 784], "sigmoid")}


def _epochs(quick):
    """(warm-up epochs, timed epochs)."""
    return (1, 3) if quick else (1, 7)


# --- minidl ---------------------------------------------------------------------------
def _minidl(arch, quick, backend_name="numpy"):
    from minidl import backend, layers, losses
    from minidl.model import Model
    from minidl.optimizers import Adam

    if backend_name == "cupy" and not backend.available:
        raise ImportError("CuPy with a CUDA GPU is needed for the GPU side")
    backend.use(backend_name)         # this side runs in a process of its own
    sync = backend.xp.cuda.Stream.null.synchronize if backend_name == "cupy" else None

    sizes, act = ARCHS[arch]
    Act = {"relu": layers.ReLU, "sigmoid": layers.Sigmoid}[act]

    class AE(Model):
        def __init__(self):
            stack = []
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
                stack.append(layers.Dense(a, b, seed=i))
                if i < len(sizes) - 2:
                    stack.append(Act())
            self.net = layers.Sequential(*stack)
            self.loss = losses.BCEWithLogits()

        def train_step(self, x):
            value = self.loss.forward(self.net.forward(x, training=True), x)
            self.net.backward(self.loss.backward())
            self.apply_gradients()
            return {"loss": value}

        def evaluate(self, x):
            return {"loss": self.loss.forward(self.net.forward(x), x)}

    warmup, timed = _epochs(quick)
    times, history = timed_fit(AE(), backend.to_device(mnist_pixels(N_SAMPLES)),
                               epochs=warmup + timed, batch_size=BATCH, optimizer=Adam(LR),
                               synchronize=sync)
    return summary(times, history.history["loss"][-1], warmup)


def ae_784_32_minidl(quick):
    return _minidl("ae_784_32", quick)


def ae_deep_sigmoid_minidl(quick):
    return _minidl("ae_deep_sigmoid", quick)


def ae_784_32_minidl_cupy(quick):
    return _minidl("ae_784_32", quick, "cupy")


# --- PyTorch --------------------------------------------------------------------------
def _torch(arch, quick, device="cpu"):
    import torch

    if device == "cuda" and not torch.cuda.is_available():
        raise ImportError("PyTorch has no CUDA device here")
    torch.manual_seed(0)
    sizes, act = ARCHS[arch]
    stack = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = torch.nn.Linear(a, b)
        torch.nn.init.xavier_uniform_(linear.weight)
        torch.nn.init.zeros_(linear.bias)
        stack.append(linear)
        if i < len(sizes) - 2:
            stack.append(torch.nn.ReLU() if act == "relu" else torch.nn.Sigmoid())
    warmup, timed = _epochs(quick)
    times, loss = torch_reconstruction_epochs(
        torch.nn.Sequential(*stack).to(device), torch.from_numpy(mnist_pixels(N_SAMPLES)).to(device),
        epochs=warmup + timed, batch_size=BATCH, lr=LR)
    return summary(times, loss, warmup, threads=torch.get_num_threads())


def ae_784_32_torch(quick):
    return _torch("ae_784_32", quick)


def ae_deep_sigmoid_torch(quick):
    return _torch("ae_deep_sigmoid", quick)


def ae_784_32_torch_cuda(quick):
    return _torch("ae_784_32", quick, "cuda")


# --- the GEMM floor -------------------------------------------------------------------
def _gemm(arch, quick):
    """Only the products: a_{i+1} = a_i W_i forward; dW_i = a_iᵀ d, d ← d W_iᵀ backward."""
    import numpy

    sizes, _ = ARCHS[arch]
    gen = numpy.random.default_rng(0)
    Ws = [gen.random((a, b), dtype=numpy.float32) * 0.01 for a, b in zip(sizes[:-1], sizes[1:])]
    X = mnist_pixels(N_SAMPLES)
    warmup, timed = _epochs(quick)
    times = []
    for _ in range(warmup + timed):
        start = time.perf_counter()
        for i in range(0, len(X), BATCH):
            acts = [X[i:i + BATCH]]
            for W in Ws:
                acts.append(acts[-1] @ W)
            d = acts[-1]
            for k in reversed(range(len(Ws))):
                _ = acts[k].T @ d  # dW_k
                if k:
                    d = d @ Ws[k].T  # no dx for the input layer
        times.append(time.perf_counter() - start)
    return summary(times, None, warmup)


def ae_784_32_gemm(quick):
    return _gemm("ae_784_32", quick)


def ae_deep_sigmoid_gemm(quick):
    return _gemm("ae_deep_sigmoid", quick)


BENCHMARKS = [
    dict(name=name,
         description=f"{'-'.join(map(str, ARCHS[name][0]))} {ARCHS[name][1]} autoencoder, "
                     f"BCE-with-logits, Adam, batch {BATCH}: median epoch on {N_SAMPLES} samples",
         sides={side: f"benchmarks.bench_core:{name}_{side}"
                for side in ("minidl", "torch", "gemm")},
         baseline="torch", target=1.0)
    for name in ARCHS
] + [
    dict(name="ae_784_32_gpu",
         description="the 784-32-784 autoencoder on a GPU: minidl on CuPy against PyTorch CUDA "
                     "(both sides skip without a GPU)",
         sides={"minidl": "benchmarks.bench_core:ae_784_32_minidl_cupy",
                "torch": "benchmarks.bench_core:ae_784_32_torch_cuda"},
         baseline="torch", target=1.5),
]
