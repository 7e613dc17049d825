"""From stored images to what a network eats: NCHW float32 in [0, 1], in shuffled batches.

The CIFAR-10 notebook prepares its data in one line, ``x.astype('float32') / 255.0``, on
Keras' ``(N, H, W, C)`` arrays; refconv's layers take ``(N, C, H, W)``, so :func:`to_nchw`
moves the colour axis first and divides by 255 the same way (labels stay integers:
:class:`refconv.nn.CrossEntropyLoss` takes class indices, where Keras' ``categorical``
loss wanted one-hot rows).

:class:`Batches` is the training loop's iterator, what ``model.fit(..., batch_size=B)`` does
inside Keras (or a ``DataLoader(shuffle=True)`` in PyTorch): each pass over it is one epoch,
in a new random order drawn from its own seeded generator, so a run repeats exactly.

>>> import numpy as np
>>> x = to_nchw(np.full((5, 32, 32, 3), 255, dtype=np.uint8))
>>> x.shape, x.dtype, float(x.max())
((5, 3, 32, 32), dtype('float32'), 1.0)
>>> batches = Batches(x, np.arange(5), batch_size=2, seed=0)
>>> len(batches), [yb.tolist() for _, yb in batches]
(3, [[2, 4], [3, 0], [1]])
>>> [yb.tolist() for _, yb in batches]           # the next epoch: another order
[[4, 1], [2, 0], [3]]
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .. import arguments


def to_nchw(images: np.ndarray) -> np.ndarray:
    """``uint8 (N, H, W, C)`` images as ``float32 (N, C, H, W)`` in [0, 1] (divided by 255,
    as the CIFAR-10 notebook does).

    >>> to_nchw(np.array([[[[0, 51, 255]]]], dtype=np.uint8)).ravel()
    array([0. , 0.2, 1. ], dtype=float32)
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"images must have shape (N, H, W, C); got {images.shape}")
    x = np.ascontiguousarray(images.transpose(0, 3, 1, 2), dtype=np.float32)  # (N, C, H, W)
    x /= np.float32(255.0)
    return x


class Batches:
    """Mini-batches of ``(x, y)``, reshuffled at every pass: one pass is one epoch.

    Parameters
    ----------
    x : ndarray, shape (N, ...)
    y : ndarray, shape (N,)
    batch_size : int
        The last batch of an epoch holds what is left (``N % batch_size``, when not 0), as
        Keras' ``fit`` and PyTorch's ``DataLoader`` (``drop_last=False``) do.
    shuffle : bool, default True
        ``False``: the stored order, the same every epoch (for evaluation).
    seed : int, numpy Generator or None
        The generator that draws each epoch's order: the same seed, the same orders.

    Each batch is a copy (``x[indices]``): a layer may keep it until its backward pass.
    """

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        batch_size: int,
        *,
        shuffle: bool = True,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        if len(x) != len(y):
            raise ValueError(f"x and y must hold as many samples; got {len(x)} and {len(y)}")
        self.x, self.y = x, y
        self.batch_size = arguments.positive_int(batch_size, "batch_size")
        self.shuffle = bool(shuffle)
        self.generator = (
            seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        )

    def __len__(self) -> int:
        """Batches per epoch: ``ceil(N / batch_size)``."""
        return -(-len(self.y) // self.batch_size)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        n = len(self.y)
        order = self.generator.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, n, self.batch_size):
            indices = order[start : start + self.batch_size]
            yield self.x[indices], self.y[indices]
