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

Inputs may be flat (N, 784) or images (N, 1, 28, 28): the model reshapes them to images
before the encoder (whose first layer is then a Conv2D, told that no d/dimage is needed),
and ``reconstruct``/``decode`` answer in the layout of the last input seen (flat until
an input has been seen). ``image_shape`` (C, H, W) must be one the architecture maps back
to itself (checked when the model is built); data of another shape is refused naming both.

The denoising conv AE (same tutorials) trains on x̃ = clip(x + 0.5·ε, 0, 1), ε ~ N(0, I),
and compares the reconstruction with the clean x: ``ConvAutoencoder(noise_factor=0.5)``.

Figures of the lecture ("what does this filter look for"): :meth:`ConvAutoencoder.feature_maps`
and :meth:`ConvAutoencoder.maximize_activation` (gradient ascent on the input, Erhan et al.
2009, "Visualizing higher-layer features of a deep network"), which runs ``backward`` of
the encoder's layers down to the input.
"""
from minidl import backend, checks, layers
from minidl.layers.base import Sequential

from autoencoders.base import LOSSES, Autoencoder
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


def build(architecture="lecture", *, channels=1, seed=None):
    """(encoder, decoder) layer lists of ``architecture`` ("lecture" or "keras").

    Conv layer i is seeded with ``derive_seed(seed, "conv", i)``.
    """
    checks.one_of("ConvAutoencoder", "architecture", architecture, ARCHITECTURES)
    s = [backend.derive_seed(seed, "conv", i) for i in range(8)]
    relu, pool, up, conv = layers.ReLU, layers.MaxPool2D, layers.UpSampling2D, layers.Conv2D
    if architecture == "lecture":
        enc = [conv(channels, 16, 3, padding="same", seed=s[0]), relu(), pool(2, padding="same"),
               conv(16, 8, 3, padding="same", seed=s[1]), relu(), pool(2, padding="same"),
               conv(8, 8, 3, padding="same", seed=s[2]), relu(), pool(2, padding="same")]
        dec = [conv(8, 8, 3, padding="same", seed=s[3]), relu(), up(2),
               conv(8, 8, 3, padding="same", seed=s[4]), relu(), up(2),
               conv(8, 16, 3, padding="valid", seed=s[5]), relu(), up(2),
               conv(16, channels, 3, padding="same", seed=s[6])]             # logits
    else:
        convT = layers.Conv2DTranspose
        enc = [conv(channels, 32, 3, padding="same", seed=s[0]), relu(), pool(2, padding="same"),
               conv(32, 32, 3, padding="same", seed=s[1]), relu(), pool(2, padding="same")]
        dec = [convT(32, 32, 3, 2, "same", seed=s[2]), relu(),
               convT(32, 32, 3, 2, "same", seed=s[3]), relu(),
               conv(32, channels, 3, padding="same", seed=s[4])]             # logits
    return enc, dec


class ConvAutoencoder(Autoencoder):
    """Convolutional autoencoder for 28x28 grey images (see the module docstring).

    Parameters
    ----------
    architecture : "lecture" (8x4x4 code, default) or "keras" (32x7x7 code, transposed convs).
    noise_factor : None, or the std of the Gaussian noise of the denoising conv AE (0.5 in
        the tutorials); the noisy input is clipped to [0, 1].
    image_shape : (C, H, W) of the images, default (1, 28, 28).
    loss : "bce" (BCE with logits, default) or "mse".
    optimizer : None (Adam), an Optimizer or a name. seed : seeds the filters and the noise.

    ``encode(X)`` returns the code maps (N, C, h, w); ``decode(Z)`` and ``reconstruct(X)``
    return images (sigmoid applied) in the layout of the input. They, and ``evaluate``,
    run ``chunk_size`` (256) samples at a time: im2col keeps kh·kw copies of a layer's
    input, about 450 MB for 1,000 digits in the last 16-channel 28x28 layer.
    """

    def __init__(self, architecture="lecture", *, noise_factor=None, image_shape=(1, 28, 28),
                 loss="bce", optimizer=None, seed=None):
        owner = "ConvAutoencoder"
        image_shape = tuple(checks.sizes(owner, image_shape, minimum=3, name="image_shape"))
        if len(image_shape) != 3:
            raise ValueError(f"{owner}: image_shape={image_shape!r} must be (channels, height, "
                             f"width), e.g. (1, 28, 28)")
        checks.one_of(owner, "loss", loss, LOSSES)
        enc, dec = build(architecture, channels=image_shape[0], seed=seed)
        corruption = None
        if noise_factor is not None:
            corruption = GaussianCorruption(noise_factor,
                                            seed=backend.derive_seed(seed, "corruption"))
        super().__init__(Sequential(*enc), Sequential(*dec), loss=loss, corruption=corruption,
                         optimizer=optimizer, seed=seed)
        self.architecture, self.noise_factor = architecture, noise_factor
        self.image_shape = image_shape
        self._enc_layers = enc
        self._flat = True       # layout of the last input: decode() answers in it
        self.chunk_size = 256   # samples per forward pass in encode/decode/reconstruct/evaluate
        self._check_architecture_fits()

    def _check_architecture_fits(self):
        """Refuse an image_shape the decoder does not map back to itself."""
        probe = self.xp.zeros((1,) + self.image_shape, dtype=self._dtype())
        out = self.decoder.forward(self.encoder.forward(probe))
        if tuple(out.shape[1:]) != self.image_shape:
            raise ValueError(f"ConvAutoencoder({self.architecture!r}): image_shape="
                             f"{self.image_shape} comes back from the decoder as "
                             f"{tuple(out.shape[1:])}; the architectures are built for 28x28 "
                             f"images ('keras' takes any height and width divisible by 4)")

    # --- inputs: flat or images, reshaped to (N, C, H, W) ------------------------
    def _batch_input(self, batch):
        """The batch as images (N, C, H, W) on the model's device; remembers the layout."""
        x = super()._batch_input(batch)
        size = self.image_shape[0] * self.image_shape[1] * self.image_shape[2]
        if not ((x.ndim == 2 and x.shape[1] == size)
                or (x.ndim == 4 and tuple(x.shape[1:]) == self.image_shape)):
            raise ValueError(f"ConvAutoencoder got input of shape {tuple(x.shape)}: expected "
                             f"flat images (N, {size}) or (N, "
                             f"{', '.join(map(str, self.image_shape))}) for image_shape="
                             f"{self.image_shape}")
        self._flat = x.ndim == 2
        return x.reshape((x.shape[0],) + self.image_shape)

    def _like_input(self, images):
        return images.reshape(images.shape[0], -1) if self._flat else images

    # --- inference in chunks: im2col holds kh·kw copies of each layer's input ------
    def _chunked(self, function, x):
        parts = [function(x[i:i + self.chunk_size]) for i in range(0, len(x), self.chunk_size)]
        return parts[0] if len(parts) == 1 else self.xp.concatenate(parts)

    def encode(self, X):
        return self._chunked(self.encoder.forward, self._inputs(X, "encode"))

    def decode(self, Z):
        z = self.as_array(Z, self._dtype(), name="Z")
        images = self._chunked(lambda c: self._to_output(self.decoder.forward(c)), z)
        return self._like_input(images)

    def reconstruct(self, X):
        x = self._inputs(X, "reconstruct")
        images = self._chunked(
            lambda c: self._to_output(self.decoder.forward(self.encoder.forward(c))), x)
        return self._like_input(images)

    def evaluate(self, X, batch_size=None):
        return super().evaluate(X, batch_size=self.chunk_size if batch_size is None
                                else batch_size)

    # --- looking inside: the lecture's figures -------------------------------
    def conv_layers(self):
        """Indices (into the encoder's layers) of the Conv2D layers."""
        return [i for i, layer in enumerate(self._enc_layers) if isinstance(layer, layers.Conv2D)]

    def _upto(self, which):
        """The encoder layers up to and including conv layer ``which`` and its ReLU."""
        convs = self.conv_layers()
        pick = {"first": convs[0], "last": convs[-1]}.get(which, which)
        if pick not in convs:
            raise ValueError(f"layer={which!r}: expected 'first', 'last' or one of {convs}")
        stop = pick + 2 if isinstance(self._enc_layers[pick + 1], layers.ReLU) else pick + 1
        return self._enc_layers[:stop]

    def feature_maps(self, x, layer="first"):
        """Activations (after ReLU) of conv layer ``layer`` for one image: (C, H, W)."""
        h = self._inputs(self.as_array(x).reshape(1, -1), "feature_maps")
        for step in self._upto(layer):
            h = step.forward(h)
        return h[0]

    def maximize_activation(self, layer="first", *, steps=100, lr=0.05, seed=0):
        """Input images that excite each filter of conv layer ``layer``: (C, 1, 28, 28) in [0, 1].

        Gradient ascent on the input x_c of the mean activation of channel c,
            a_c(x) = mean_{i,j} h[c, i, j](x),   x ← clip(x + lr · ∇a_c / ‖∇a_c‖, 0, 1),
        for all C filters at once (image c only feeds dy to channel c). The gradient
        is the encoder's own backward pass, down to the input.
        """
        xp, dtype, net = self.xp, self._dtype(), self._upto(layer)
        probe = self.xp.zeros((1,) + self.image_shape, dtype=dtype)
        for step in net:
            probe = step.forward(probe)
        c, h, w = probe.shape[1:]
        x = 0.5 + 0.1 * backend.rng(seed).normal((c,) + self.image_shape, dtype, xp=xp)
        dy = xp.zeros((c, c, h, w), dtype=dtype)
        dy[xp.arange(c), xp.arange(c)] = 1.0 / (h * w)
        params = [p for step in net for p in step.parameters()]
        saved = [p.grad.copy() for p in params]   # the probe leaves no gradients behind
        first = self._enc_layers[0]
        previous, first.input_grad = getattr(first, "input_grad", True), True  # we need d/dimage
        try:
            for _ in range(steps):
                out = x
                for step in net:
                    out = step.forward(out)
                grad = dy
                for step in reversed(net):
                    grad = step.backward(grad)
                norm = xp.sqrt((grad ** 2).sum(axis=(1, 2, 3), keepdims=True)) + 1e-8
                x = xp.clip(x + lr * grad / norm, 0.0, 1.0)
        finally:
            first.input_grad = previous
            for p, g in zip(params, saved):
                p.grad[...] = g
        return x

    def __repr__(self):
        return f"ConvAutoencoder({self.architecture!r}, noise_factor={self.noise_factor})"
