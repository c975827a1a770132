"""Autoencoder and the dense variants of the lecture, re-exported from their modules.

    base.py        Autoencoder (encoder, decoder, loss, corruption, penalties), make_loss
    corruption.py  the denoising AE's noises: gaussian, masking, salt-and-pepper, dropout
    penalties.py   KLSparsity, L1Activity, ContractivePenalty, GaussianKL
    variants.py    LinearAutoencoder, DeepAutoencoder, TiedAutoencoder, DenoisingAutoencoder,
                   SparseAutoencoder, ContractiveAutoencoder
    ksparse.py     KSparseAutoencoder (Makhzani & Frey 2013) and its k schedule
    vae.py         VAE, BetaVAE (Kingma & Welling 2014; Higgins et al. 2017)
"""
from autoencoders.base import *  # noqa: F401,F403
from autoencoders.base import __all__ as _base
from autoencoders.corruption import *  # noqa: F401,F403
from autoencoders.corruption import __all__ as _corruption
from autoencoders.penalties import *  # noqa: F401,F403
from autoencoders.penalties import __all__ as _penalties
from autoencoders.variants import *  # noqa: F401,F403
from autoencoders.variants import __all__ as _variants
from autoencoders.ksparse import *  # noqa: F401,F403
from autoencoders.ksparse import __all__ as _ksparse
from autoencoders.vae import *  # noqa: F401,F403
from autoencoders.vae import __all__ as _vae

__all__ = _base + _corruption + _penalties + _variants + _ksparse + _vae
