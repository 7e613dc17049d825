"""Data to train on: a generated dataset whose classes only shape tells apart, and CIFAR-10.

=============  ==============================================================================
``synthetic``  the default dataset: 10 classes of 32x32x3 patterns (stripes at 4 angles, a
               plaid, disc, ring, square, plus, X), generated from a seed, byte for byte
``cifar10``    the real CIFAR-10: download (MD5 and SHA-256 checked), safe extraction, and a
               reader of its python-pickle batches that builds nothing but arrays
``batches``    ``to_nchw`` (uint8 NHWC -> float32 NCHW / 255, as the notebook) and
               :class:`Batches`, the seeded shuffling mini-batch iterator
``datasets``   :func:`load_dataset`: either dataset as a :class:`Dataset` of NCHW arrays
=============  ==============================================================================

Images are stored as datasets store them -- ``uint8 (N, 32, 32, 3)`` -- and converted once,
by :func:`to_nchw`, to what refconv's layers take.

>>> from refconv import data
>>> d = data.load_dataset("synthetic", seed=0, n_train=20, n_test=10)
>>> xb, yb = next(iter(data.Batches(d.x_train, d.y_train, batch_size=8, seed=0)))
>>> xb.shape, yb.shape
((8, 3, 32, 32), (8,))
"""

from .batches import Batches, to_nchw
from .datasets import DATASETS, Dataset, load_dataset
from .synthetic import ImageSet

__all__ = ["DATASETS", "Batches", "Dataset", "ImageSet", "load_dataset", "to_nchw"]
