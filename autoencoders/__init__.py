"""Every autoencoder variant of the lecture, built only from minidl layers.

Each module lists its public classes in ``__all__``; all are re-exported here.
"""
from autoencoders.core import *  # noqa: F401,F403  Autoencoder and the dense variants
from autoencoders.conv import *  # noqa: F401,F403  ConvAutoencoder
from autoencoders.seq2seq import *  # noqa: F401,F403  Seq2SeqAutoencoder
from autoencoders.stacked import *  # noqa: F401,F403  StackedAutoencoder
