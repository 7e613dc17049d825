"""The two datasets ``refconv train`` knows, ready for a network: :func:`load_dataset`.

* ``"synthetic"`` (the default): :mod:`refconv.data.synthetic`, generated from the seed,
  10,000 training and 2,000 test images -- nothing to download, and a minute or two per epoch
  on two cores;
* ``"cifar10"``: the real CIFAR-10 from a folder (:mod:`refconv.data.cifar10`), downloaded
  there when it is missing and the network allows: 50,000 and 10,000 images.

Both come as a :class:`Dataset` of NCHW float32 arrays in [0, 1] and int64 labels.

>>> data = load_dataset("synthetic", seed=0, n_train=30, n_test=10)
>>> data.x_train.shape, data.x_train.dtype, data.y_test.tolist()
((30, 3, 32, 32), dtype('float32'), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
>>> data.classes[:3]
('horizontal', 'vertical', 'diagonal')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import arguments
from . import cifar10, synthetic
from .batches import to_nchw

DATASETS = ("synthetic", "cifar10")
#: The default sizes of the synthetic dataset.
SYNTHETIC_TRAIN = 10_000
SYNTHETIC_TEST = 2_000


@dataclass(frozen=True)
class Dataset:
    """Training and test arrays, ready for a network.

    Attributes
    ----------
    name : str
        ``"synthetic"`` or ``"cifar10"``.
    x_train, x_test : ndarray of float32, shape (N, 3, 32, 32)
        Pixels in [0, 1] (the stored bytes divided by 255).
    y_train, y_test : ndarray of int64, shape (N,)
        Class indices.
    classes : tuple of str
        The class names, by index.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: tuple[str, ...]


def _count(value: int | None, name: str) -> int | None:
    if value is None:
        return None
    if not arguments.is_int(value) or value < 1:
        raise ValueError(f"{name} must be an int >= 1 or None; got {value!r}")
    return int(value)


def load_dataset(
    name: str = "synthetic",
    *,
    seed: int = 0,
    data_dir: str | Path | None = None,
    n_train: int | None = None,
    n_test: int | None = None,
    download: bool = True,
) -> Dataset:
    """The dataset ``name`` as NCHW float32 arrays.

    Parameters
    ----------
    name : {"synthetic", "cifar10"}
    seed : int, default 0
        The synthetic dataset's seed (CIFAR-10 ignores it).
    data_dir : path, optional
        Where CIFAR-10 is, or is downloaded to (required for ``"cifar10"``).
    n_train, n_test : int, optional
        Keep the first ``n_train`` training and ``n_test`` test images (default: the
        synthetic dataset's 10,000 and 2,000; all of CIFAR-10's 50,000 and 10,000). The
        synthetic images are generated only as far as needed; the first ``n`` of either set
        are the same whatever is asked for.
    download : bool, default True
        Download CIFAR-10 into ``data_dir`` when it is not there.
    """
    name = arguments.choice(name, "dataset", DATASETS)
    n_train, n_test = _count(n_train, "n_train"), _count(n_test, "n_test")
    if name == "synthetic":
        train, test = synthetic.generate(
            seed,
            SYNTHETIC_TRAIN if n_train is None else n_train,
            SYNTHETIC_TEST if n_test is None else n_test,
        )
        classes = synthetic.CLASSES
    else:
        if data_dir is None:
            raise ValueError(
                "CIFAR-10 needs data_dir: the folder that holds (or will hold) "
                f"{cifar10.ARCHIVE} or {cifar10.FOLDER}/"
            )
        train, test = cifar10.load_cifar10(data_dir, download_missing=download)
        classes = cifar10.CLASSES
    return Dataset(
        name,
        to_nchw(train.images[:n_train]),
        train.labels[:n_train],
        to_nchw(test.images[:n_test]),
        test.labels[:n_test],
        classes,
    )
