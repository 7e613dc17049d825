"""A small CIFAR-10 in the real one's format, written by the tests (no network, no download).

The real batches are Python 2 pickles (protocol 2) of dicts with bytes keys: ``b"batch_label"``,
``b"labels"`` (a list of ints), ``b"data"`` (uint8, (10000, 3072): each row the red plane,
then the green, then the blue, each row by row) and ``b"filenames"``; ``batches.meta`` holds
``b"label_names"``, ``b"num_cases_per_batch"`` and ``b"num_vis"``. The arrays are pickled
under NumPy 1's module name, ``numpy.core.multiarray``, as in the real files.
"""

from __future__ import annotations

import io
import pickle
import tarfile
from pathlib import Path

import numpy as np

from refconv.data import cifar10

PER_BATCH = 4  # images per batch file (the real ones hold 10000)


def _pickle(data: object) -> bytes:
    # protocol 2, as the real files; NumPy 2 writes numpy._core, the real files numpy.core
    return pickle.dumps(data, protocol=2).replace(
        b"numpy._core.multiarray", b"numpy.core.multiarray"
    )


def batch_bytes(index: int, count: int = PER_BATCH) -> tuple[bytes, np.ndarray, list[int]]:
    """One batch's file content, with its (N, 3072) data and its labels."""
    rng = np.random.default_rng(index)
    data = rng.integers(0, 256, size=(count, 3072), dtype=np.uint8)
    labels = [int(v) for v in (np.arange(count) + index) % 10]
    content = {
        b"batch_label": f"batch {index} of 6".encode(),
        b"labels": labels,
        b"data": data,
        b"filenames": [f"image_{index}_{i}.png".encode() for i in range(count)],
    }
    return _pickle(content), data, labels


def meta_bytes() -> bytes:
    return _pickle(
        {
            b"num_cases_per_batch": PER_BATCH,
            b"label_names": [name.encode() for name in cifar10.CLASSES],
            b"num_vis": 3072,
        }
    )


def files() -> dict[str, tuple[bytes, np.ndarray | None, list[int] | None]]:
    """Every file of ``cifar-10-batches-py`` by name: (content, data, labels)."""
    found: dict[str, tuple[bytes, np.ndarray | None, list[int] | None]] = {}
    for i, name in enumerate((*cifar10.TRAIN_BATCHES, cifar10.TEST_BATCH), start=1):
        found[name] = batch_bytes(i)
    found[cifar10.META] = (meta_bytes(), None, None)
    return found


def write_folder(root: Path) -> Path:
    """The extracted folder ``root/cifar-10-batches-py``."""
    folder = root / cifar10.FOLDER
    folder.mkdir(parents=True)
    for name, (content, _, _) in files().items():
        (folder / name).write_bytes(content)
    return folder


def write_archive(path: Path, extra: list[tarfile.TarInfo | tuple[str, bytes]] = ()) -> Path:
    """A ``.tar.gz`` with the folder's files, plus ``extra`` members: ``(name, content)``
    regular files or ready-made ``TarInfo`` entries (links, ...)."""
    with tarfile.open(path, "w:gz") as tar:
        for name, (content, _, _) in files().items():
            info = tarfile.TarInfo(f"{cifar10.FOLDER}/{name}")
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
        for member in extra:
            if isinstance(member, tarfile.TarInfo):
                tar.addfile(member)
            else:
                name, content = member
                info = tarfile.TarInfo(name)
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return path
