"""The layer library: one concept per module, each with forward and backward by hand.

Each module lists its public layers in ``__all__``; they are all re-exported here,
so ``from minidl.layers import Dense, ReLU, Conv2D`` works. ``layers.fastconv`` holds the
speed paths of the convolution and pooling layers (``fastconv.disabled()`` turns them off).
"""
from minidl.layers.base import *  # noqa: F401,F403  Layer, Sequential
from minidl.layers.dense import *  # noqa: F401,F403  Dense, TiedDense
from minidl.layers.activations import *  # noqa: F401,F403  Sigmoid, ReLU, ...
from minidl.layers.noise import *  # noqa: F401,F403  Dropout, GaussianNoise
from minidl.layers.shape import *  # noqa: F401,F403  Flatten, Reshape
from minidl.layers.conv import *  # noqa: F401,F403  Conv2D, Conv2DTranspose
from minidl.layers.pooling import *  # noqa: F401,F403  MaxPool2D, AvgPool2D, UpSampling2D
from minidl.layers.recurrent import *  # noqa: F401,F403  LSTM, RepeatVector, TimeDistributed
from minidl.layers import fastconv  # noqa: F401  the speed paths of Conv2D and MaxPool2D
