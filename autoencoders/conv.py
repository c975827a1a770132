"""Convolutional autoencoders: the lecture's conv AE, the Keras-tutorial variant, denoising.

Two architectures (``architecture=``), both for 28x28 grey images, both ending in
logits so the objective is BCE-with-logits and ``reconstruct`` applies the sigmoid:

``"lecture"`` -- Chollet (2016), "Building autoencoders in Keras", as the lecture draws it::

    encoder  1x28x28 -conv16 3x3 same, ReLU- 16x28x28 -maxpool 2- 16x14x14
             -conv8 ReLU- 8x14x14 -maxpool 2- 8x7x7 -conv8 ReLU- 8x7x7 -maxpool 2 "same"- 8x4x4
    decoder  8x4x4 -conv8 ReLU- -up 2- 8x8x8 -conv8 ReLU- -up 2- 8x16x16
             -conv16 3x3 valid, ReLU- 16x14x14 -up 2- 16x28x28 -conv1 3x3 same- 1x28x28 logits

``"keras"`` -- the keras.io tutorial "Convolutional autoencoder for image denoising"::

    encoder  1x28x28 -conv32 ReLU- -maxpool 2- 32x14x14 -conv32 ReLU- -maxpool 2- 32x7x7
    decoder  -convT32 3x3 stride 2 same, ReLU- 32x14x14 -convT32 stride 2, ReLU- 32x28x28
             -conv1 3x3 same- 1x28x28 logits

Inputs may be flat (N, 784) or images (N, 1, 28, 28); reconstructions come back in the
layout of the last input seen (flat until an input has been seen).

The denoising conv AE (same tutorials) trains on x̃ = clip(x + 0.5·ε, 0, 1), ε ~ N(0, I),
and compares the reconstruction with the clean x: ``ConvAutoencoder(noise_factor=0.5)``.

Figures of the lecture ("what does this filter look for"): :meth:`ConvAutoencoder.feature_maps`
and :meth:`ConvAutoencoder.maximize_activation` (gradient ascent on the input, Erhan et al.
2009, "Visualizing higher-layer features of a deep network"), which runs ``backward`` of
the encoder's layers down to the input.
"""
from minidl import backend, layers
from minidl.layers.base import Layer, Sequential

from autoencoders.base import Autoencoder
from autoencoders.corruption import GaussianNoiseCorruption

__all__ = ["ConvAutoencoder", "GaussianCorruption", "ARCHITECTURES"]

ARCHITECTURES = ("lecture", "keras")


class GaussianCorruption(GaussianNoiseCorruption):
    """x̃ = clip(x + factor·ε, low, high), ε ~ N(0, I): the tutorials' noise (factor 0.5).

    The base class's Gaussian noise, clipped back to the pixel range. Called on
    training batches only; the loss still compares with the clean x.
    """

    def __init__(self, factor=0.5, clip=(0.0, 1.0), seed=None):
        super().__init__(factor, seed=seed)
        self.clip = clip

    @property
    def factor(self):
        return self.level

    def __call__(self, x):
        noisy = super().__call__(x)
        if self.clip is not None:
            backend.get_array_module(noisy).clip(noisy, *self.clip, out=noisy)
        return noisy

    def __repr__(self):
        return f"GaussianCorruption(factor={self.factor}, clip={self.clip})"


class _ToImages(Layer):
    """(N, C·H·W) or (N, C, H, W) -> (N, C, H, W); remembers which layout it was given."""

    def __init__(self, shape):
        self.shape = tuple(shape)
        self.flat = True  # layout of the last input; decode() uses it before any input
        self.in_shape = None

    def forward(self, x, training=False):
        size = self.shape[0] * self.shape[1] * self.shape[2]
        if x.ndim not in (2, 4) or x[0].size != size:
            raise ValueError(f"ConvAutoencoder got input of shape {tuple(x.shape)}: expected "
                             f"flat images (N, {size}) or (N, {', '.join(map(str, self.shape))})")
        self.in_shape, self.flat = x.shape, x.ndim == 2
        return x.reshape((x.shape[0],) + self.shape)

    def backward(self, dy):
        self._need_forward(self.in_shape)
        return None if dy is None else dy.reshape(self.in_shape)  # None: no dx was asked for


class _LikeInput(Layer):
    """(N, C, H, W) -> the layout ``source`` (a _ToImages) last saw: flat or images."""

    def __init__(self, source):
        self.source = None  # not a sub-layer
        self._src = [source]
        self.in_shape = None

    def forward(self, x, training=False):
        self.in_shape = x.shape
        return x.reshape(x.shape[0], -1) if self._src[0].flat else x

    def backward(self, dy):
        self._need_forward(self.in_shape)
        return dy.reshape(self.in_shape)


def _conv(c_in, c_out, seed, padding="same", input_grad=True):
    return layers.Conv2D(c_in, c_out, 3, padding=padding, seed=seed, input_grad=input_grad)


def build(architecture="lecture", *, seed=None):
    """(encoder, decoder) layer stacks of ``architecture`` ("lecture" or "keras")."""
    s = [None] * 8 if seed is None else [seed + i for i in range(8)]
    relu, pool, up = layers.ReLU, layers.MaxPool2D, layers.UpSampling2D
    if architecture == "lecture":
        # the first conv skips d/dimage: training never uses it (maximize_activation
        # switches it back on)
        enc = [_conv(1, 16, s[0], input_grad=False), relu(), pool(2, padding="same"),
               _conv(16, 8, s[1]), relu(), pool(2, padding="same"),
               _conv(8, 8, s[2]), relu(), pool(2, padding="same")]         # -> 8x4x4
        dec = [_conv(8, 8, s[3]), relu(), up(2),
               _conv(8, 8, s[4]), relu(), up(2),
               _conv(8, 16, s[5], padding="valid"), relu(), up(2),
               _conv(16, 1, s[6])]                                           # -> 1x28x28 logits
    elif architecture == "keras":
        convT = layers.Conv2DTranspose
        enc = [_conv(1, 32, s[0], input_grad=False), relu(), pool(2, padding="same"),
               _conv(32, 32, s[1]), relu(), pool(2, padding="same")]        # -> 32x7x7
        dec = [convT(32, 32, 3, 2, "same", seed=s[2]), relu(),
               convT(32, 32, 3, 2, "same", seed=s[3]), relu(),
               _conv(32, 1, s[4])]                                           # -> 1x28x28 logits
    else:
        raise ValueError(f"unknown architecture {architecture!r}: expected one of {ARCHITECTURES}")
    return enc, dec


class ConvAutoencoder(Autoencoder):
    """Convolutional autoencoder for 28x28 grey images (see the module docstring).

    Parameters
    ----------
    architecture : "lecture" (8x4x4 code, default) or "keras" (32x7x7 code, transposed convs).
    noise_factor : None, or the std of the Gaussian noise of the denoising conv AE (0.5 in
        the tutorials); the noisy input is clipped to [0, 1].
    loss : as :class:`autoencoders.Autoencoder` (default "bce": BCE with logits).
    seed : seeds the filters and the noise.

    ``encode(X)`` returns the code maps (N, C, h, w); ``decode(Z)`` and ``reconstruct(X)``
    return images (sigmoid applied) in the layout of the input. They, and ``evaluate``,
    run ``chunk_size`` (256) samples at a time: im2col keeps kh·kw copies of a layer's
    input, about 450 MB for 1,000 digits in the last 16-channel 28x28 layer.
    """

    def __init__(self, architecture="lecture", *, noise_factor=None, loss="bce", seed=None,
                 image_shape=(1, 28, 28)):
        enc, dec = build(architecture, seed=seed)
        to_images = _ToImages(image_shape)
        corruption = None if noise_factor is None else GaussianCorruption(noise_factor, seed=seed)
        encoder, decoder = Sequential(to_images, *enc), Sequential(*dec, _LikeInput(to_images))
        super().__init__(encoder, decoder, loss=loss, corruption=corruption, seed=seed)
        self.encoder, self.decoder = encoder, decoder
        self.architecture, self.noise_factor = architecture, noise_factor
        self._to_images, self._enc_layers = to_images, enc
        self.chunk_size = 256  # samples per forward pass in encode/decode/reconstruct/evaluate

    # --- inference in chunks: im2col holds kh·kw copies of each layer's input ------
    def _chunked(self, method, X):
        xp = backend.get_array_module(X)
        parts = [method(X[i:i + self.chunk_size]) for i in range(0, len(X), self.chunk_size)]
        return parts[0] if len(parts) == 1 else xp.concatenate(parts)

    def encode(self, X):
        return self._chunked(super().encode, X)

    def decode(self, Z):
        return self._chunked(super().decode, Z)

    def reconstruct(self, X):
        return self._chunked(super().reconstruct, X)

    def evaluate(self, X, batch_size=None):
        return super().evaluate(X, batch_size=batch_size or self.chunk_size)

    def get_config(self):
        return {"architecture": self.architecture, "noise_factor": self.noise_factor}

    # --- looking inside: the lecture's figures -------------------------------
    def conv_layers(self):
        """Indices (into the encoder stack, after its input reshape) of the Conv2D layers."""
        return [i for i, layer in enumerate(self._enc_layers) if isinstance(layer, layers.Conv2D)]

    def _upto(self, which):
        """The encoder layers up to and including conv layer ``which`` and its ReLU."""
        convs = self.conv_layers()
        pick = {"first": convs[0], "last": convs[-1]}.get(which, which)
        if pick not in convs:
            raise ValueError(f"layer={which!r}: expected 'first', 'last' or one of {convs}")
        stop = pick + 2 if isinstance(self._enc_layers[pick + 1], layers.ReLU) else pick + 1
        return Sequential(self._to_images, *self._enc_layers[:stop])

    def feature_maps(self, x, layer="first"):
        """Activations (after ReLU) of conv layer ``layer`` for one image: (C, H, W)."""
        x = self.as_array(x).reshape(1, -1)
        return self._upto(layer).forward(x)[0]

    def maximize_activation(self, layer="first", *, steps=100, lr=0.05, seed=0):
        """Input images that excite each filter of conv layer ``layer``: (C, 1, 28, 28) in [0, 1].

        Gradient ascent on the input x_c of the mean activation of channel c,
            a_c(x) = mean_{i,j} h[c, i, j](x),   x ← clip(x + lr · ∇a_c / ‖∇a_c‖, 0, 1),
        for all C filters at once (image c only feeds dy to channel c). The gradient
        is the encoder's own backward pass, down to the input.
        """
        net = self._upto(layer)
        shape = net.layers[0].shape
        gen = backend.rng(seed)
        probe = net.forward(backend.xp.zeros((1,) + shape, dtype=backend.float32))
        c, h, w = probe.shape[1:]
        x = 0.5 + 0.1 * gen.normal((c,) + shape, backend.float32)   # grey + a little noise
        dy = backend.xp.zeros((c, c, h, w), dtype=backend.float32)
        dy[backend.xp.arange(c), backend.xp.arange(c)] = 1.0 / (h * w)
        xp = backend.get_array_module(x)
        saved = [p.grad.copy() for p in net.parameters()]  # the probe leaves no gradients
        first = self._enc_layers[self.conv_layers()[0]]
        first_grad, first.input_grad = first.input_grad, True  # here we need d/dimage
        try:
            for _ in range(steps):
                net.forward(x)
                grad = net.backward(dy)
                norm = xp.sqrt((grad ** 2).sum(axis=(1, 2, 3), keepdims=True)) + 1e-8
                x = xp.clip(x + lr * grad / norm, 0.0, 1.0)
        finally:
            first.input_grad = first_grad
            for p, g in zip(net.parameters(), saved):
                p.grad[...] = g
        return x

    def __repr__(self):
        return f"ConvAutoencoder({self.architecture!r}, noise_factor={self.noise_factor})"
