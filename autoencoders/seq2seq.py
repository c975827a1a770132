"""The sequence-to-sequence autoencoder: read a sequence into one vector, write it back.

An LSTM encoder reads x_1..x_T and keeps only its last hidden state, the code
z = h_T -- a fixed-size summary of the whole sequence. The decoder repeats z at every
step (RepeatVector), runs a second LSTM over the copies, and maps each of its hidden
states to the features of that step with one shared Dense layer (TimeDistributed):

    z        = LSTM_enc(x_1..x_T)[T]                       (B, T, D) -> (B, K)
    s_1..s_T = LSTM_dec(z, z, ..., z)                      (B, K) -> (B, T, H)
    x̂_t      = s_t V + c          for every t              (B, T, H) -> (B, T, D)

trained to make x̂ close to x (BCE on logits for data in [0, 1], MSE otherwise).
This is the "sequence-to-sequence autoencoder" of the Keras autoencoder tutorial
(Chollet 2016), after Srivastava, Mansimov & Salakhutdinov (2015), "Unsupervised
learning of video representations using LSTMs"; the gradients flow back through
the decoder LSTM, the RepeatVector (a sum over time) and the encoder LSTM.

Sequence length. All sequences of one batch share one length T (no masking): pad
shorter sequences to a common length yourself before calling ``fit`` -- e.g. repeat
the last value or pad with zeros -- knowing the padded steps count in the loss. The
model takes T from each input it sees, so different calls may use different lengths;
``decode(Z)`` writes sequences of the last length seen (or ``seq_len=``).
"""
from minidl.layers import LSTM, Dense, Layer, RepeatVector, Sequential, TimeDistributed

from autoencoders.core import Autoencoder

__all__ = ["Seq2SeqAutoencoder"]


class _LengthToDecoder(Layer):
    """Identity on x (B, T, D) that tells the decoder's RepeatVector to write T steps."""

    def __init__(self, repeat):
        self.repeat = repeat
        self.seen = False

    def forward(self, x, training=False):
        if x.ndim != 3:
            raise ValueError(f"Seq2SeqAutoencoder got input of shape {tuple(x.shape)}, expected "
                             f"(batch, time, features): e.g. MNIST read row by row is "
                             f"X.reshape(-1, 28, 28)")
        self.repeat.n, self.seen = x.shape[1], True
        return x

    def backward(self, dy):
        return dy

    def __repr__(self):
        return "LengthToDecoder()"


class Seq2SeqAutoencoder(Autoencoder):
    """LSTM encoder -> code -> RepeatVector(T) -> LSTM decoder -> per-step Dense.

    Parameters
    ----------
    sizes : [D, H_1, ..., K], features per step first, code size last. The encoder is
        LSTM(D, H_1) -> ... -> LSTM(H_{n-1}, K) (all but the last return sequences);
        the decoder mirrors its hidden sizes, LSTM(K, K) -> LSTM(K, H_{n-1}) -> ... ->
        LSTM(H_2, H_1), then Dense(H_1, D) at every step. ``[28, 64]``: encoder
        LSTM(28, 64), decoder LSTM(64, 64), output Dense(64, 28).
    loss : "bce" (default; the decoder outputs logits, ``reconstruct`` applies the
        sigmoid), "mse" (real-valued sequences, linear output) or a Loss.
    seq_len : int or None, the length ``decode`` writes before any input has been seen.
    seed : seeds the weights (and anything random in the base class).

    Inputs are batch-first arrays (N, T, D); see the module docstring on lengths.
    ``encode(X)`` gives the codes (N, K); ``decode(Z)`` and ``reconstruct(X)`` give
    sequences (N, T, D).
    """

    def __init__(self, sizes, *, loss="bce", seq_len=None, seed=None, **kwargs):
        sizes = _check_sizes(sizes, seq_len)

        def sub(k):  # a distinct seed for each layer, or fresh entropy
            return None if seed is None else seed + k

        self.repeat = RepeatVector(seq_len or 1)
        self.length = _LengthToDecoder(self.repeat)
        self.length.seen = seq_len is not None
        last = len(sizes) - 2
        enc = [LSTM(a, b, return_sequences=i < last, seed=sub(i))
               for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))]
        back = sizes[:0:-1]  # hidden sizes mirrored: K, ..., H_1; each fed by the one before
        dec = [LSTM(a, b, return_sequences=True, seed=sub(100 + i))
               for i, (a, b) in enumerate(zip(back[:1] + back[:-1], back))]
        out = TimeDistributed(Dense(sizes[1], sizes[0], seed=sub(200)))
        super().__init__(Sequential(self.length, *enc), Sequential(self.repeat, *dec, out),
                         loss=loss, seed=seed, **kwargs)
        self.sizes, self.seq_len = sizes, seq_len
        self.loss_name = loss if isinstance(loss, str) else None

    def decode(self, Z, seq_len=None):
        """Sequences (N, T, D) written from codes Z (N, K).

        T is ``seq_len`` when given, else the length of the last input seen.
        """
        if seq_len is not None:
            self.repeat.n, self.length.seen = int(seq_len), True
        if not self.length.seen:
            raise ValueError("Seq2SeqAutoencoder.decode does not know the sequence length yet: "
                             "pass decode(Z, seq_len=T), or build the model with seq_len=T, "
                             "or fit/encode some sequences first")
        return super().decode(Z)

    def get_config(self):
        config = {"sizes": list(self.sizes), "seq_len": self.seq_len}
        if self.loss_name is not None:
            config["loss"] = self.loss_name
        return config

    def __repr__(self):
        return f"Seq2SeqAutoencoder({list(self.sizes)})"


def _positive_int(n):
    return not isinstance(n, bool) and isinstance(n, int) and n >= 1


def _check_sizes(sizes, seq_len):
    """The sizes as a list; ValueError naming the valid range otherwise."""
    if (not isinstance(sizes, (list, tuple)) or len(sizes) < 2
            or not all(_positive_int(n) for n in sizes)):
        raise ValueError(f"Seq2SeqAutoencoder(sizes={sizes!r}): sizes must list at least two "
                         f"positive integers, features per step first and code size last, "
                         f"e.g. [28, 64]")
    if seq_len is not None and not _positive_int(seq_len):
        raise ValueError(f"Seq2SeqAutoencoder: seq_len={seq_len!r} must be a positive "
                         f"integer number of time steps, or None")
    return list(sizes)
