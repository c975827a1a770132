"""The sequence-to-sequence autoencoder: read a sequence into one vector, write it back.

An LSTM encoder reads x_1..x_T and keeps only its last *cell* state, the code
z = c_T -- a fixed-size summary of the whole sequence. The decoder starts from that
state and reads the code at every step (:class:`minidl.layers.LSTMDecoder`), runs any
further LSTMs over its states, and maps each state to the features of that step with
one shared Dense layer (TimeDistributed):

    z        = LSTM_enc(x_1..x_T).c_T                      (B, T, D) -> (B, K)
    s_1..s_T = LSTM_dec(x_t = tanh z for all t; h_0 = tanh z, c_0 = z)   (B, K) -> (B, T, K)
    x̂_t      = s_t V + c          for every t              (B, T, H) -> (B, T, D)

trained to make x̂ close to x (BCE on logits for data in [0, 1], MSE otherwise). The
gradients flow back through the decoder LSTM, into the code along its three paths
(the input at every step, h_0, c_0), and through the encoder LSTM.

This is the Keras tutorial's sequence autoencoder (Chollet 2016) with one change, the
decoder's start, which follows Srivastava, Mansimov & Salakhutdinov (2015) and
Sutskever, Vinyals & Le (2014): the encoder's state is copied into the decoder. The
tutorial's decoder starts at h_0 = c_0 = 0 and sees the same vector at every step, so it
must first learn to keep time before two rows can differ; on mnist-5k read row by row
([28, 64, 32], Adam 1e-3, 10 epochs of 64 on 4,000 digits) it ends at 1.11x the test MSE
of predicting the mean image, the same in PyTorch (1.112x), and 15 epochs at Adam 1e-2
only reach 1.01x. Started from the code it reaches 0.83x in the same run (0.59x with
``fit``'s default batches of 32). The code is
the cell c_T rather than h_T = o_T ⊙ tanh(c_T): with h_T alone as the decoder's start
(c_0 = 0 or c_0 = h_T) it stayed at 1.07x after 10 epochs at 3e-3 (PyTorch), with
(tanh c_T, c_T) it reached 0.54x after 20.

Sequence length. All sequences of one batch share one length T (no masking): pad
shorter sequences to a common length yourself before calling ``fit`` -- e.g. repeat
the last value or pad with zeros -- knowing the padded steps count in the loss. The
model takes T from each input it sees (and tells the decoder how many steps to write), so different
calls may use different lengths; ``decode(Z)`` writes sequences of the last length seen
(or ``seq_len=``).
"""
from minidl import backend, checks
from minidl.layers import LSTM, Dense, LSTMDecoder, Sequential, TimeDistributed

from autoencoders.base import LOSSES, Autoencoder

__all__ = ["Seq2SeqAutoencoder"]


class Seq2SeqAutoencoder(Autoencoder):
    """LSTM encoder -> code c_T -> LSTM decoder started from it -> per-step Dense.

    Parameters
    ----------
    sizes : [D, H_1, ..., K], features per step first, code size last. The encoder is
        LSTM(D, H_1) -> ... -> LSTM(H_{n-1}, K) (all but the last return sequences; the
        last returns its cell state c_T, the code); the decoder mirrors its hidden
        sizes, LSTMDecoder(K) (an LSTM(K, K) started from the code) -> LSTM(K, H_{n-1})
        -> ... -> LSTM(H_2, H_1), then Dense(H_1, D) at every step. ``[28, 64]``:
        encoder LSTM(28, 64), decoder LSTMDecoder(64), output Dense(64, 28).
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
        enc = [LSTM(a, b, return_sequences=i < last, return_cell=i == last,
                    seed=backend.derive_seed(seed, "encoder", i))
               for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))]
        back = sizes[:0:-1]  # hidden sizes mirrored: K, ..., H_1; each fed by the one before
        self.decoder_start = LSTMDecoder(back[0], seq_len or 1,
                                         seed=backend.derive_seed(seed, "decoder", 0))
        dec = [LSTM(a, b, return_sequences=True, seed=backend.derive_seed(seed, "decoder", i + 1))
               for i, (a, b) in enumerate(zip(back[:-1], back[1:]))]
        out = TimeDistributed(Dense(sizes[1], sizes[0], seed=backend.derive_seed(seed, "output")))
        super().__init__(Sequential(*enc), Sequential(self.decoder_start, *dec, out),
                         loss=loss, optimizer=optimizer, seed=seed)
        self.sizes, self.seq_len = sizes, seq_len
        self._length_known = seq_len is not None

    def _see_length(self, x):
        """Check x is (B, T, D) and tell the decoder to write T steps."""
        if x.ndim != 3:
            raise ValueError(f"Seq2SeqAutoencoder got input of shape {tuple(x.shape)}, expected "
                             f"(batch, time, features): e.g. MNIST read row by row is "
                             f"X.reshape(-1, 28, 28)")
        self.decoder_start.n, self._length_known = x.shape[1], True
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
            self.decoder_start.n = checks.positive_int("Seq2SeqAutoencoder.decode", "seq_len",
                                                       seq_len)
            self._length_known = True
        if not self._length_known:
            raise ValueError("Seq2SeqAutoencoder.decode does not know the sequence length yet: "
                             "pass decode(Z, seq_len=T), or build the model with seq_len=T, "
                             "or fit/encode some sequences first")
        return super().decode(Z)

    def __repr__(self):
        return f"Seq2SeqAutoencoder({list(self.sizes)})"
