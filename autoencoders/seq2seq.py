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
model takes T from each input it sees (and tells the decoder's RepeatVector), so different
calls may use different lengths; ``decode(Z)`` writes sequences of the last length seen
(or ``seq_len=``).
"""
from minidl import backend, checks
from minidl.layers import LSTM, Dense, RepeatVector, Sequential, TimeDistributed

from autoencoders.base import LOSSES, Autoencoder

__all__ = ["Seq2SeqAutoencoder"]


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
        sigmoid) or "mse" (real-valued sequences, linear output).
    seq_len : int or None, the length ``decode`` writes before any input has been seen.
    optimizer : None (Adam), an Optimizer or a name.
    seed : seeds the weights (encoder layer i: ``derive_seed(seed, "encoder", i)``, ...).

    Inputs are batch-first arrays (N, T, D); see the module docstring on lengths.
    ``encode(X)`` gives the codes (N, K); ``decode(Z)`` and ``reconstruct(X)`` give
    sequences (N, T, D).
    """

    def __init__(self, sizes, *, loss="bce", seq_len=None, optimizer=None, seed=None):
        owner = "Seq2SeqAutoencoder"
        sizes = checks.sizes(owner, sizes)
        seed = checks.seed(owner, seed)
        if seq_len is not None:
            seq_len = checks.positive_int(owner, "seq_len", seq_len)
        checks.one_of(owner, "loss", loss, LOSSES)
        last = len(sizes) - 2
        enc = [LSTM(a, b, return_sequences=i < last, seed=backend.derive_seed(seed, "encoder", i))
               for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))]
        back = sizes[:0:-1]  # hidden sizes mirrored: K, ..., H_1; each fed by the one before
        dec = [LSTM(a, b, return_sequences=True, seed=backend.derive_seed(seed, "decoder", i))
               for i, (a, b) in enumerate(zip(back[:1] + back[:-1], back))]
        out = TimeDistributed(Dense(sizes[1], sizes[0], seed=backend.derive_seed(seed, "output")))
        self.repeat = RepeatVector(seq_len or 1)
        super().__init__(Sequential(*enc), Sequential(self.repeat, *dec, out), loss=loss,
                         optimizer=optimizer, seed=seed)
        self.sizes, self.seq_len = sizes, seq_len
        self._length_known = seq_len is not None

    def _see_length(self, x):
        """Check x is (B, T, D) and tell the decoder's RepeatVector to write T steps."""
        if x.ndim != 3:
            raise ValueError(f"Seq2SeqAutoencoder got input of shape {tuple(x.shape)}, expected "
                             f"(batch, time, features): e.g. MNIST read row by row is "
                             f"X.reshape(-1, 28, 28)")
        self.repeat.n, self._length_known = x.shape[1], True
        return x

    def _batch_input(self, batch):
        return self._see_length(super()._batch_input(batch))

    def objective(self, x, training=False, target=None):
        """The autoencoder's objective; the decoder writes as many steps as x has."""
        self._see_length(x)
        return super().objective(x, training, target)

    def decode(self, Z, seq_len=None):
        """Sequences (N, T, D) written from codes Z (N, K).

        T is ``seq_len`` when given, else the length of the last input seen.
        """
        if seq_len is not None:
            self.repeat.n = checks.positive_int("Seq2SeqAutoencoder.decode", "seq_len", seq_len)
            self._length_known = True
        if not self._length_known:
            raise ValueError("Seq2SeqAutoencoder.decode does not know the sequence length yet: "
                             "pass decode(Z, seq_len=T), or build the model with seq_len=T, "
                             "or fit/encode some sequences first")
        return super().decode(Z)

    def __repr__(self):
        return f"Seq2SeqAutoencoder({list(self.sizes)})"
