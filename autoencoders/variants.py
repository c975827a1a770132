"""The dense autoencoders of the lecture, each a configured :class:`Autoencoder`.

Every constructor takes the layer sizes first, input to code (``[784, 128, 64, 32]``),
then the paper's hyperparameters by keyword. The decoder mirrors the encoder and ends in
a linear layer: logits for the BCE loss (``reconstruct`` applies the sigmoid), the
reconstruction itself for MSE. Each keyword is plain data (names and numbers), so
``get_params()`` describes the model completely and a saved model rebuilds from its file.
"""
from minidl import backend, checks
from minidl.layers import Sequential, TiedDense

from autoencoders.base import (ACTIVATIONS, LOSSES, Autoencoder, activation_layer, dense_stack,
                               make_loss)
from autoencoders.corruption import NOISES, make_corruption
from autoencoders.penalties import ContractivePenalty, KLSparsity, L1Activity

__all__ = ["DeepAutoencoder", "LinearAutoencoder", "TiedAutoencoder", "DenoisingAutoencoder",
           "SparseAutoencoder", "ContractiveAutoencoder", "build_dense"]


def build_dense(sizes, activation, *, code_activation=None, tied=False, seed=None):
    """Encoder and mirrored decoder for ``sizes``; returns (encoder, decoder, encoder Denses).

    encoder: Dense(n_0, n_1) act ... Dense(n_{L-1}, n_L) code_activation
    decoder: Dense(n_L, n_{L-1}) act ... Dense(n_1, n_0)  (linear output), or with
    ``tied=True`` TiedDense of each encoder layer, so W' = Wᵀ (one Parameter, two uses).
    """
    enc_layers, denses = dense_stack(sizes, activation, last=code_activation,
                                     seed=backend.derive_seed(seed, "encoder"))
    if tied:
        dec_layers = []
        for i, dense in enumerate(reversed(denses)):
            dec_layers.append(TiedDense(dense))
            if i < len(denses) - 1 and activation not in (None, "linear"):
                dec_layers.append(activation_layer(activation))
    else:
        dec_layers, _ = dense_stack(sizes[::-1], activation, last=None,
                                    seed=backend.derive_seed(seed, "decoder"))
    return Sequential(*enc_layers), Sequential(*dec_layers), denses


class DeepAutoencoder(Autoencoder):
    """A (deep) autoencoder from a size list: ``DeepAutoencoder([784, 128, 64, 32])``.

    Parameters
    ----------
    sizes : [input, hidden..., code]; the decoder mirrors it.
    activation : "relu" (default, the Keras tutorial's), "sigmoid", "tanh", "leaky_relu",
        "softplus" or "linear", used after every layer but the decoder's last.
    code_activation : activation of the code layer ("same": ``activation``; None: linear).
    tied : decoder weights are the encoder's transposed (TiedDense).
    loss : "bce" (default, mean over pixels: the Keras tutorial's number) or "mse".
    optimizer : None (Adam, lr 1e-3), an Optimizer or a name. seed : weights and noise.
    """

    def __init__(self, sizes, *, activation="relu", code_activation="same", tied=False,
                 loss="bce", optimizer=None, seed=None):
        owner = type(self).__name__
        sizes = checks.sizes(owner, sizes)
        seed = checks.seed(owner, seed)
        checks.one_of(owner, "activation", activation, ACTIVATIONS)
        code_activation = activation if code_activation == "same" else code_activation
        if code_activation is not None:
            checks.one_of(owner, "code_activation", code_activation, ACTIVATIONS)
        checks.one_of(owner, "loss", loss, LOSSES)
        encoder, decoder, self.denses = build_dense(sizes, activation, tied=bool(tied),
                                                    code_activation=code_activation, seed=seed)
        super().__init__(encoder, decoder, loss=loss, optimizer=optimizer, seed=seed)
        self.sizes, self.activation, self.tied = sizes, activation, bool(tied)
        self.code_activation = code_activation

    def __repr__(self):
        return f"{type(self).__name__}({self.sizes})"


class LinearAutoencoder(DeepAutoencoder):
    """No non-linearity and squared error: ``x̂ = x W₁ W₂`` (plus biases).

    Baldi & Hornik (1989): at the minimum of the squared error the code spans the same
    subspace as the top-K principal components (not the components themselves: any
    invertible mix of them reconstructs equally well).
    """

    def __init__(self, sizes, *, loss="mse", optimizer=None, seed=None):
        super().__init__(sizes, activation="linear", loss=loss, optimizer=optimizer, seed=seed)


class TiedAutoencoder(DeepAutoencoder):
    """Decoder weights tied to the encoder's: W' = Wᵀ through :class:`minidl.layers.TiedDense`.

    Each tied weight is one Parameter used twice, so its gradient is the sum of the
    encoder's and the decoder's contributions and it gets one optimizer step.
    Default activation "sigmoid" (the classic tied AE of Vincent et al. 2008).
    """

    def __init__(self, sizes, *, activation="sigmoid", loss="bce", optimizer=None, seed=None):
        super().__init__(sizes, activation=activation, tied=True, loss=loss, optimizer=optimizer,
                         seed=seed)


class DenoisingAutoencoder(DeepAutoencoder):
    """Reconstruct the clean x from a corrupted x̃ (Vincent et al. 2008).

    Notes
    -----
    J = E_{x̃ ~ q(x̃|x)} L(x, g(f(x̃))): the corruption is applied to training batches
    only, and the loss compares with the clean input. ``noise`` is one of
    "gaussian" (level = σ >= 0), "masking", "salt-and-pepper", "dropout"
    (level = ν in [0, 1)); see :mod:`autoencoders.corruption`.
    Default activation "sigmoid", as in the paper.

    Default optimizer: Adam with lr 1e-2 (:meth:`default_optimizer`). With Keras' 1e-3 the
    sigmoid units barely leave the blurred mean digit in the default 10 epochs x 32, and
    denoising showed nothing: ``DenoisingAutoencoder([784, 256]).fit(X[:2000])`` on
    mnist-5k, test digits with 30% of pixels masked, PSNR against the clean digits at
    seeds 0-3: 15.2 dB with 1e-3, the same as the uncorrupted model's 15.2; with 1e-2,
    18.4 dB against 16.1-16.4 for the same model trained without corruption and
    17.1-17.3 for ``DeepAutoencoder([784, 256])`` with its defaults (ReLU, Adam 1e-3).
    """

    def __init__(self, sizes, *, noise="masking", level=0.3, activation="sigmoid", tied=False,
                 loss="bce", optimizer=None, seed=None):
        checks.one_of("DenoisingAutoencoder", "noise", noise, sorted(NOISES))
        corruption = make_corruption(noise, level, seed=backend.derive_seed(seed, "corruption"))
        super().__init__(sizes, activation=activation, tied=tied, loss=loss, optimizer=optimizer,
                         seed=seed)
        self.corruption = corruption
        self.noise, self.level = noise, corruption.level

    def default_optimizer(self):
        """Adam with lr 1e-2 (see the class docstring for the measured reason)."""
        from minidl.optimizers import Adam
        return Adam(lr=1e-2)


class SparseAutoencoder(DeepAutoencoder):
    """Sparse codes by a KL penalty to a target activation ρ (UFLDL) and/or L1 on the code.

    Notes
    -----
    J = L(x, x̂) + β Σ_j KL(ρ || ρ̂_j) + λ₁ (1/B) Σ_b ||h_b||₁,  ρ̂_j = (1/B) Σ_b h_bj

    - KL (``beta > 0``): sigmoid codes, a sigmoid output x̂ = σ(g(h)) and its squared
      error summed over pixels and averaged over the batch (UFLDL's per-sample objective,
      ||x − x̂||² where UFLDL halves it), gradient through the batch mean ρ̂.
    - L1 only (``beta=0, l1=1e-4``): the Keras tutorial's ReLU code with
      ``activity_regularizer=l1(10e-5)`` (= 1e-4) and BCE averaged over pixels.
    See :class:`autoencoders.KLSparsity` and :class:`autoencoders.L1Activity`.

    Parameters
    ----------
    rho : target mean activation in (0, 1). beta : KL weight >= 0. l1 : None or λ₁ >= 0.
    loss : None (default): with KL, UFLDL's objective -- the decoder ends in a sigmoid
        and the loss is the squared error of that image, so ``reconstruct`` still returns
        images in [0, 1]; without KL, "bce" (the Keras tutorial's). Or "bce" / "mse"
        (logits / a linear output). Why: β = 3 is weighed against UFLDL's squared error;
        summed BCE is about ten times larger on MNIST and drowns the penalty.
        ``SparseAutoencoder([784, 196], rho=0.1)`` on mnist-5k, Adam 1e-3, batch 64:
        ρ̂ = 0.184 after 5 epochs with BCE (0.162 after 10); 0.134 (0.123) with the
        sigmoid's squared error and Adam 1e-3, 0.115 (0.114) with the default optimizer.
    optimizer : None: with KL, Adam with lr 1e-2 (:meth:`default_optimizer`; the squared
        error of a sigmoid has small gradients, and at 1e-3 ρ̂ is still 0.123 after 10
        epochs, and the test MSE 0.58 of the mean image's against 0.18); without, Adam 1e-3.
    reduction : of the reconstruction loss; default "batch" with KL, "mean" without.
    activation : default "sigmoid" with KL (required: ρ̂ must lie in (0, 1)), "relu" without.
    """

    def __init__(self, sizes, *, rho=0.1, beta=3.0, l1=None, loss=None, reduction=None,
                 activation=None, optimizer=None, seed=None):
        kl = KLSparsity(rho, beta)   # validates rho and beta
        sigmoid_output = loss is None and kl.beta > 0     # UFLDL: squared error of σ(out)
        if loss is None:
            loss = "mse" if sigmoid_output else "bce"
        penalties = [kl] if kl.beta > 0 else []
        if l1 is not None:
            penalties.append(L1Activity(l1))
        if activation is None:
            activation = "sigmoid" if kl.beta > 0 else "relu"
        if kl.beta > 0 and activation != "sigmoid":
            raise ValueError(f"SparseAutoencoder: the KL penalty needs codes in (0, 1), so "
                             f"activation must be 'sigmoid' (got {activation!r}); use beta=0 "
                             f"with l1=... for ReLU codes")
        reduction = reduction or ("batch" if kl.beta > 0 else "mean")
        checks.one_of("SparseAutoencoder", "reduction", reduction, ("batch", "mean"))
        super().__init__(sizes, activation=activation, loss=loss, optimizer=optimizer, seed=seed)
        self._sigmoid_output = sigmoid_output
        if sigmoid_output:
            self.decoder = Sequential(*self.decoder.layers, activation_layer("sigmoid"))
        self.loss = make_loss(loss, reduction)
        self.penalties = penalties
        self.rho, self.beta, self.l1 = kl.rho, kl.beta, l1

    def default_optimizer(self):
        """Adam, lr 1e-2 with the KL penalty (see ``optimizer`` above), else lr 1e-3."""
        from minidl.optimizers import Adam
        return Adam(lr=1e-2) if self.beta > 0 else super().default_optimizer()

    def check_data(self, x, *, name="X", where="fit"):
        """Refuse targets a sigmoid output cannot reach (outside [0, 1]), as BCE's are."""
        super().check_data(x, name=name, where=where)
        bad = checks.outside_unit_interval(x) if self._sigmoid_output else None
        if bad is not None:
            raise ValueError(f"SparseAutoencoder.{where}: {name} has values in "
                             f"[{bad[0]:g}, {bad[1]:g}] but the default decoder ends in a "
                             f"sigmoid, whose outputs lie in [0, 1]: scale the data (e.g. "
                             f"X / 255 for 8-bit pixels) or build the model with loss='mse' "
                             f"(a linear output)")

    def mean_activation(self, X):
        """ρ̂ over X: the mean code activation per unit, (K,)."""
        return self.encode(X).mean(axis=0)


class ContractiveAutoencoder(DeepAutoencoder):
    """Penalise the encoder's sensitivity to its input (Rifai et al. 2011).

    Notes
    -----
    J = Σ_x [ L(x, g(f(x))) + λ ||J_f(x)||²_F ],  f(x) = σ(xW + b), and for a sigmoid
    encoder ||J_f(x)||²_F = Σ_j (h_j(1 − h_j))² Σ_i W_ij² in closed form; see
    :class:`autoencoders.ContractivePenalty` for its gradients to W and b. The closed
    form needs no dL/dx, so the encoder still skips that product.
    ``sizes`` must be [input, code] (one sigmoid layer: that is where the closed form holds).
    The reconstruction is summed over pixels and averaged over the batch (``reduction=
    "batch"``, the paper's per-sample objective; "mean" averages over pixels too).
    """

    def __init__(self, sizes, *, lam=0.1, loss="bce", reduction="batch", optimizer=None,
                 seed=None):
        sizes = checks.sizes("ContractiveAutoencoder", sizes)
        if len(sizes) != 2:
            raise ValueError(f"ContractiveAutoencoder: sizes={sizes} must be [input, code]: the "
                             f"closed-form Jacobian norm holds for one sigmoid layer")
        checks.one_of("ContractiveAutoencoder", "reduction", reduction, ("batch", "mean"))
        super().__init__(sizes, activation="sigmoid", loss=loss, optimizer=optimizer, seed=seed)
        self.loss = make_loss(loss, reduction)
        self.contractive = ContractivePenalty(self.denses[0], lam)   # validates lam
        self.lam = self.contractive.lam
        self.penalties = [self.contractive]

    def jacobian_norm(self, X):
        """||J_f(x)||²_F for each row of X, (N,)."""
        return self.contractive.jacobian_norm(self.encode(X))
