"""Every autoencoder variant of the lecture, built only from minidl layers.

    base.py        Autoencoder (encoder, decoder, loss, corruption, penalties), make_loss
    corruption.py  the denoising AE's noises: gaussian, masking, salt-and-pepper, dropout
    penalties.py   KLSparsity, L1Activity, ContractivePenalty
    variants.py    DeepAutoencoder, LinearAutoencoder, TiedAutoencoder, DenoisingAutoencoder,
                   SparseAutoencoder, ContractiveAutoencoder
    ksparse.py     KSparseAutoencoder (Makhzani & Frey 2013) and its k schedule
    vae.py         VAE, BetaVAE (Kingma & Welling 2014; Higgins et al. 2017): the whole ELBO
    conv.py        ConvAutoencoder (the lecture's and the Keras tutorial's)
    seq2seq.py     Seq2SeqAutoencoder (LSTM encoder and decoder)
    stacked.py     StackedAutoencoder (greedy layer-wise pretraining, then fine-tuning)

Each module lists its public classes in ``__all__``; all are re-exported here.
"""
from autoencoders.base import *  # noqa: F401,F403
from autoencoders.corruption import *  # noqa: F401,F403
from autoencoders.penalties import *  # noqa: F401,F403
from autoencoders.variants import *  # noqa: F401,F403
from autoencoders.ksparse import *  # noqa: F401,F403
from autoencoders.vae import *  # noqa: F401,F403
from autoencoders.conv import *  # noqa: F401,F403
from autoencoders.seq2seq import *  # noqa: F401,F403
from autoencoders.stacked import *  # noqa: F401,F403
