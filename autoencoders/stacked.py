"""StackedAutoencoder: greedy layer-wise pretraining, then fine-tuning the whole stack.

Bengio et al. (2007), Vincent et al. (2010): train a shallow autoencoder on the data,
freeze it, train a second one on its codes, and so on; then stack the encoders, stack
the decoders in reverse, and fine-tune everything with backprop on the reconstruction.
"""
from minidl.layers import Sequential
from minidl.pretrain import greedy_pretrain

from autoencoders.base import Autoencoder, activation_layer, check_sizes
from autoencoders.variants import DeepAutoencoder, DenoisingAutoencoder, SparseAutoencoder

__all__ = ["StackedAutoencoder"]

UNITS = {"plain": DeepAutoencoder, "denoising": DenoisingAutoencoder,
         "sparse": SparseAutoencoder}


class _Unit:
    """A shallow AE seen through the pretrainer's protocol: fit(X, ...), transform = encode."""

    def __init__(self, ae):
        self.ae = ae

    def fit(self, X, **kwargs):
        return self.ae.fit(X, **kwargs)

    def transform(self, X):
        return self.ae.encode(X)


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
    seed : seeds every unit's weights and noise (unit i gets seed + i).

    Notes
    -----
    Unit i is the shallow AE  h_i = a(h_{i-1} W_i + b_i),  ĥ_{i-1} = h_i W'_i + b'_i,
    trained by :func:`minidl.pretrain.greedy_pretrain` on H_{i-1} = encode_{i-1}(... X),
    the codes of the frozen units below (H_0 = X). Unit 0 reconstructs the data with
    the fine-tuning loss; higher units reconstruct sigmoid codes in (0, 1), so they use
    BCE for sigmoid activations and MSE otherwise.

    The stack shares the units' layers (the same Parameter objects):

        encoder = Dense(W_1) a Dense(W_2) a ... Dense(W_L) a
        decoder = Dense(W'_L) a ... Dense(W'_2) a Dense(W'_1)       (logits for BCE)

    ``fit`` then fine-tunes J = L(x, decoder(encoder(x))) over all parameters.
    """

    def __init__(self, sizes, *, unit="plain", unit_kwargs=None, activation="sigmoid",
                 loss="bce", seed=None):
        sizes = check_sizes(sizes, "StackedAutoencoder")
        if unit not in UNITS:
            raise ValueError(f"StackedAutoencoder: unit={unit!r} unknown; expected one of "
                             f"{sorted(UNITS)}")
        self.sizes, self.unit, self.activation = sizes, unit, activation
        self.unit_kwargs = dict(unit_kwargs or {})
        self.units = [self._make_unit(i, loss, seed) for i in range(len(sizes) - 1)]
        encoder, decoder = self._stack()
        super().__init__(encoder, decoder, loss=loss, seed=seed)

    def _make_unit(self, i, loss, seed):
        """The shallow AE for sizes[i] -> sizes[i+1]."""
        if i > 0:
            loss = "bce" if self.activation == "sigmoid" else "mse"
        kwargs = dict(self.unit_kwargs)
        kwargs.setdefault("activation", self.activation)
        kwargs.setdefault("loss", loss)
        unit_seed = None if seed is None else seed + i
        return UNITS[self.unit](self.sizes[i:i + 2], seed=unit_seed, **kwargs)

    def _stack(self):
        """Encoder: every unit's encoder layers; decoder: their decoders in reverse."""
        enc = [layer for u in self.units for layer in u.encoder]
        dec = []
        for i, u in reversed(list(enumerate(self.units))):
            dec.extend(u.decoder)
            if i > 0:  # a hidden layer of the deep decoder: re-apply the code activation
                dec.append(activation_layer(self.activation))
        return Sequential(*enc), Sequential(*dec)

    def pretrain(self, X, *, epochs=10, batch_size=100, verbose=0, seed=None, **fit_kwargs):
        """Greedy phase: fit unit i on the codes of units 0..i-1; returns the units' histories.

        ``epochs`` and ``batch_size`` may be lists (one value per unit); other keywords
        go to every unit's ``fit`` (optimizer, callbacks, ...). The units below the one
        being trained are frozen in effect: they are only used to compute its inputs.
        """
        if seed is None:
            seed = self.seed
        X = self.as_array(X, self._dtype())
        units = greedy_pretrain([_Unit(u) for u in self.units], X, epochs=epochs,
                                batch_size=batch_size, verbose=verbose, seed=seed, **fit_kwargs)
        return [u.pretrain_history_ for u in units]

    def get_config(self):
        return {"sizes": self.sizes, "unit": self.unit, "unit_kwargs": self.unit_kwargs,
                "activation": self.activation}

    def __repr__(self):
        return f"StackedAutoencoder({self.sizes}, unit={self.unit!r})"
