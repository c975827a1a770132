"""StackedAutoencoder: greedy layer-wise pretraining, then fine-tuning the whole stack.

Bengio et al. (2007), Vincent et al. (2010): train a shallow autoencoder on the data,
freeze it, train a second one on its codes, and so on; then stack the encoders, stack
the decoders in reverse, and fine-tune everything with backprop on the reconstruction.
"""
from minidl import backend, checks
from minidl.layers import Sequential
from minidl.pretrain import greedy_pretrain

from autoencoders.base import LOSSES, Autoencoder, activation_layer
from autoencoders.variants import DeepAutoencoder, DenoisingAutoencoder, SparseAutoencoder

__all__ = ["StackedAutoencoder"]

UNITS = {"plain": DeepAutoencoder, "denoising": DenoisingAutoencoder,
         "sparse": SparseAutoencoder}


class StackedAutoencoder(Autoencoder):
    """A deep autoencoder built from shallow ones: ``StackedAutoencoder([784, 256, 64])``.

    Parameters
    ----------
    sizes : [input, hidden..., code], at least two entries.
    unit : "plain", "denoising" or "sparse": the shallow autoencoder of each layer
        (:class:`DeepAutoencoder`, :class:`DenoisingAutoencoder`, :class:`SparseAutoencoder`).
    unit_kwargs : dict passed to every unit (e.g. ``{"noise": "masking", "level": 0.3}``).
    activation : of every encoder layer and every hidden decoder layer (default "sigmoid").
    loss : of the fine-tuning phase; "bce" (images: the decoder ends in logits) or "mse".
    optimizer : of the fine-tuning phase: None (Adam), an Optimizer or a name.
    seed : seeds every unit's weights and noise (unit i: ``derive_seed(seed, "unit", i)``).

    Notes
    -----
    Unit i is the shallow AE  h_i = a(h_{i-1} W_i + b_i),  ĥ_{i-1} = h_i W'_i + b'_i,
    trained by :func:`minidl.pretrain.greedy_pretrain` on H_{i-1} = encode_{i-1}(... X)
    (each unit is a shallow autoencoder, which implements the pretrainer's unit protocol),
    the codes of the frozen units below (H_0 = X). Unit 0 reconstructs the data with
    the fine-tuning loss; higher units reconstruct sigmoid codes in (0, 1), so they use
    BCE for sigmoid activations and MSE otherwise.

    The stack shares the units' layers (the same Parameter objects):

        encoder = Dense(W_1) a Dense(W_2) a ... Dense(W_L) a
        decoder = Dense(W'_L) a ... Dense(W'_2) a Dense(W'_1)       (logits for BCE)

    ``fit`` then fine-tunes J = L(x, decoder(encoder(x))) over all parameters.
    """

    def __init__(self, sizes, *, unit="plain", unit_kwargs=None, activation="sigmoid",
                 loss="bce", optimizer=None, seed=None):
        owner = "StackedAutoencoder"
        sizes = checks.sizes(owner, sizes)
        checks.one_of(owner, "unit", unit, sorted(UNITS))
        checks.one_of(owner, "loss", loss, LOSSES)
        self.sizes, self.unit, self.activation = sizes, unit, activation
        self.unit_kwargs = dict(unit_kwargs or {})
        self.units = [self._make_unit(i, loss, seed) for i in range(len(sizes) - 1)]
        encoder, decoder = self._stack()
        super().__init__(encoder, decoder, loss=loss, optimizer=optimizer, seed=seed)

    def _make_unit(self, i, loss, seed):
        """The shallow AE for sizes[i] -> sizes[i+1]."""
        if i > 0:
            loss = "bce" if self.activation == "sigmoid" else "mse"
        kwargs = dict(self.unit_kwargs)
        kwargs.setdefault("activation", self.activation)
        kwargs.setdefault("loss", loss)
        return UNITS[self.unit](self.sizes[i:i + 2], seed=backend.derive_seed(seed, "unit", i),
                                **kwargs)

    def _stack(self):
        """Encoder: every unit's encoder layers; decoder: their decoders in reverse."""
        enc = []
        for i, u in enumerate(self.units):
            # a unit's encoder skips dL/dx on its own; in the stack, unit i's input gradient
            # is the gradient of unit i-1's code, so only the very first layer skips it
            u.encoder.input_grad = i > 0
            enc.extend(u.encoder)
        dec = []
        for i, u in reversed(list(enumerate(self.units))):
            dec.extend(u.decoder)
            if i > 0:  # a hidden layer of the deep decoder: re-apply the code activation
                dec.append(activation_layer(self.activation))
        return Sequential(*enc), Sequential(*dec)

    def pretrain(self, X, *, epochs=10, batch_size=100, verbose=0, seed=None, **fit_kwargs):
        """Greedy phase: fit unit i on the codes of units 0..i-1; returns the model.

        Each unit keeps its History in ``unit.history_``. ``epochs`` and ``batch_size``
        may be lists (one value per unit); other keywords go to every unit's ``fit``
        (optimizer, callbacks, ...). The units below the one being trained are frozen in
        effect: they are only used to compute its inputs. Unit i is fitted with the seed
        ``derive_seed(seed, "unit", i)`` (``seed`` defaults to the model's).
        """
        X = self._inputs(X, "pretrain", targets=True)
        greedy_pretrain(self.units, X, epochs=epochs, batch_size=batch_size, verbose=verbose,
                        seed=self.seed if seed is None else seed, **fit_kwargs)
        return self

    def __repr__(self):
        return f"StackedAutoencoder({self.sizes}, unit={self.unit!r})"
