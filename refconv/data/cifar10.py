"""The real CIFAR-10: download, verify, extract, and read the python-pickle batches.

CIFAR-10 (Krizhevsky 2009) is 60,000 colour images of 32x32 pixels in 10 classes, 50,000 for
training and 10,000 for testing -- the data of the CIFAR-10 notebook. Its "python version" is
one archive, ``cifar-10-python.tar.gz`` (163 MiB), holding a folder ``cifar-10-batches-py``
with ``data_batch_1`` ... ``data_batch_5``, ``test_batch`` and ``batches.meta``. Each batch is
a Python pickle of a dict: ``b"data"``, a uint8 array of shape (10000, 3072) -- each row one
image, its 1024 red values, then 1024 green, then 1024 blue, each plane row by row, i.e. the
image in (C, H, W) order -- and ``b"labels"``, a list of 10000 ints in 0..9;
``batches.meta`` holds ``b"label_names"``.

Three steps, each its own function:

1. :func:`download` fetches the archive from :data:`URL` into a folder and checks it against
   the published MD5 (:data:`MD5`) and SHA-256 (:data:`SHA256`) before it is kept; without a
   network it raises an ``OSError`` that says where to put a copy made by hand.
2. :func:`extract` takes out only the seven files it expects, by name, and writes them itself
   under ``DIR/cifar-10-batches-py/``: a member whose name would land outside that folder
   (``../x``, ``/etc/x``), a link, or anything but a regular file is refused (a tar archive
   can hold such names, and a careless ``extractall`` writes wherever they point).
3. :func:`load` reads the batches with an unpickler that may build only what CIFAR's batches
   contain (dicts, lists, bytes, NumPy arrays): a pickle is a program, and a tampered one
   could otherwise run any code while it loads.

:func:`load_cifar10` does all three as needed: it reads the batches if they are there,
extracts the archive if that is there, and downloads it otherwise (``download=True``).

The tests build a small archive in the same format (``tests/data``); none needs the network.
"""

from __future__ import annotations

import hashlib
import pickle
import shutil
import tarfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np

from .synthetic import ImageSet

URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
ARCHIVE = "cifar-10-python.tar.gz"
FOLDER = "cifar-10-batches-py"
#: Published with the archive on the CIFAR page (and checked by torchvision).
MD5 = "c58f30108f718f92721af3b95e74349a"
#: The SHA-256 that Keras' ``cifar10.load_data`` checks.
SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCH = "test_batch"
META = "batches.meta"
FILES = (*TRAIN_BATCHES, TEST_BATCH, META)
CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)

#: ``open_url(url) -> binary stream``: how :func:`download` reaches the network (tests pass
#: their own).
Opener = Callable[[str], IO[bytes]]


def _open_url(url: str) -> IO[bytes]:
    response: IO[bytes] = urllib.request.urlopen(url, timeout=60)
    return response


def file_digests(path: Path) -> tuple[str, str]:
    """``(md5, sha256)`` of a file, as hexadecimal strings, read in 1 MiB blocks."""
    md5, sha256 = hashlib.md5(usedforsecurity=False), hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(2**20), b""):
            md5.update(block)
            sha256.update(block)
    return md5.hexdigest(), sha256.hexdigest()


def verify(path: Path, md5: str | None = MD5, sha256: str | None = SHA256) -> None:
    """Raise ``ValueError`` unless the file's digests are the expected ones (``None``: not
    checked)."""
    found_md5, found_sha256 = file_digests(path)
    for name, expected, found in (("MD5", md5, found_md5), ("SHA-256", sha256, found_sha256)):
        if expected is not None and found != expected:
            raise ValueError(
                f"{path} is not the CIFAR-10 archive: its {name} is {found}, expected "
                f"{expected} (a partial or corrupted download? delete it and try again)"
            )


def download(
    folder: str | Path,
    url: str = URL,
    md5: str | None = MD5,
    sha256: str | None = SHA256,
    open_url: Opener = _open_url,
) -> Path:
    """Download the archive into ``folder`` and verify it; return its path.

    The download goes to ``<archive>.part`` and is renamed only once its digests are right,
    so an interrupted or corrupted download never looks like a good archive.

    Raises
    ------
    OSError
        When the URL cannot be reached (no network): one line that says what to do.
    ValueError
        When the downloaded file's MD5 or SHA-256 is wrong (the file is deleted).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / ARCHIVE
    partial = folder / (ARCHIVE + ".part")
    try:
        with open_url(url) as response, open(partial, "wb") as out:
            shutil.copyfileobj(response, out, length=2**20)
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        partial.unlink(missing_ok=True)
        reason = getattr(exc, "reason", exc)
        raise OSError(
            f"cannot download CIFAR-10 from {url} ({reason}); without a network, copy "
            f"{ARCHIVE} (or its extracted {FOLDER}/ folder) into {folder} and run again"
        ) from exc
    try:
        verify(partial, md5, sha256)
    except ValueError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
    return target


def _member_name(member: tarfile.TarInfo) -> str | None:
    """The file name of ``member`` when it is one of :data:`FILES` in :data:`FOLDER`, else
    None. Only exact names ``cifar-10-batches-py/<file>`` count (so ``../x`` never does)."""
    parts = member.name.split("/")
    if len(parts) == 2 and parts[0] == FOLDER and parts[1] in FILES:
        return parts[1]
    return None


def extract(archive: str | Path, folder: str | Path) -> Path:
    """Extract the seven CIFAR-10 files of ``archive`` into ``folder/cifar-10-batches-py``.

    Members are read by name and written by this function to paths it builds itself (the
    folder and one of :data:`FILES`), so no name in the archive can place a file anywhere
    else. A member whose name is absolute or contains ``..`` is refused with a
    ``ValueError`` (an archive that tries it is not the one we want), as is a link or a
    device in place of an expected file; other members are ignored.

    Returns the folder of the extracted files.
    """
    out = Path(folder) / FOLDER
    found: dict[str, tarfile.TarInfo] = {}
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            name = member.name
            if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
                raise ValueError(
                    f"{archive}: refusing a member named {name!r}, which points outside the "
                    f"folder it would be extracted to"
                )
            wanted = _member_name(member)
            if wanted is None:
                continue
            if not member.isfile():
                raise ValueError(
                    f"{archive}: {name!r} should be a regular file, but is a link or a device"
                )
            found[wanted] = member
        missing = [name for name in FILES if name not in found]
        if missing:
            raise ValueError(f"{archive} lacks {missing}: it is not the CIFAR-10 python archive")
        out.mkdir(parents=True, exist_ok=True)
        for name, member in found.items():
            source = tar.extractfile(member)
            if source is None:  # isfile() said it is a regular file
                raise ValueError(f"{archive}: cannot read {member.name!r}")
            with source, open(out / name, "wb") as target:
                shutil.copyfileobj(source, target, length=2**20)
    return out


# --------------------------------------------------------------------------- reading batches

#: What the CIFAR-10 batches' pickles may build: NumPy's array reconstruction (under its
#: NumPy 1 and NumPy 2 module names) and ``_codecs.encode`` (how Python 3 writes bytes in
#: pickle protocol 2), nothing else. Dicts, lists, ints and bytes need no global.
_ALLOWED = {
    ("_codecs", "encode"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
}


class _BatchUnpickler(pickle.Unpickler):
    """An unpickler that builds only dicts, lists, numbers, bytes and NumPy arrays."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name}: a CIFAR-10 batch holds only dicts, lists, "
                f"bytes and NumPy arrays (is this file really a CIFAR-10 batch?)"
            )
        return super().find_class(module, name)


def read_batch(path: str | Path) -> dict[bytes, Any]:
    """One pickled batch as the dict it holds (keys are bytes: ``b"data"``, ``b"labels"``).

    The batches were written by Python 2, so their strings are bytes (``encoding="bytes"``).
    """
    with open(path, "rb") as f:
        data = _BatchUnpickler(f, encoding="bytes").load()
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a pickled dict, found a {type(data).__name__}")
    return data


def batch_images(batch: dict[bytes, Any], path: str | Path) -> ImageSet:
    """The images of one batch as ``uint8 (N, 32, 32, 3)`` (height, width, colour, as Keras'
    ``load_data``), and its labels as int64."""
    try:
        data = np.asarray(batch[b"data"])
        labels = np.asarray(batch[b"labels"], dtype=np.int64)
    except KeyError as exc:
        raise ValueError(f"{path}: a CIFAR-10 batch needs b'data' and b'labels'") from exc
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise ValueError(
            f"{path}: b'data' must be uint8 of shape (N, 3072); got {data.dtype} {data.shape}"
        )
    in_range = labels.size == 0 or 0 <= labels.min() <= labels.max() <= 9
    if labels.shape != (data.shape[0],) or not in_range:
        raise ValueError(f"{path}: b'labels' must be {data.shape[0]} ints in 0..9")
    images = data.reshape(-1, 3, 32, 32)  # (N, C, H, W): each row is R plane, G plane, B plane
    return ImageSet(images.transpose(0, 2, 3, 1).copy(), labels)  # (N, H, W, C)


def load(folder: str | Path) -> tuple[ImageSet, ImageSet]:
    """Read ``folder`` (a ``cifar-10-batches-py`` folder): ``(train, test)``, 50000 and 10000
    images (as many as the batches hold)."""
    folder = Path(folder)
    parts = [batch_images(read_batch(folder / name), folder / name) for name in TRAIN_BATCHES]
    train = ImageSet(
        np.concatenate([p.images for p in parts]), np.concatenate([p.labels for p in parts])
    )
    test = batch_images(read_batch(folder / TEST_BATCH), folder / TEST_BATCH)
    return train, test


def class_names(folder: str | Path) -> tuple[str, ...]:
    """The class names in ``batches.meta`` (``airplane`` ... ``truck``)."""
    meta = read_batch(Path(folder) / META)
    return tuple(name.decode() for name in meta[b"label_names"])


def load_cifar10(
    data_dir: str | Path,
    download_missing: bool = True,
    md5: str | None = MD5,
    sha256: str | None = SHA256,
    open_url: Opener = _open_url,
) -> tuple[ImageSet, ImageSet]:
    """CIFAR-10 from ``data_dir``: the extracted batches if they are there, else the archive
    (verified, then extracted), else downloaded (``download_missing=True``), verified and
    extracted. ``md5`` and ``sha256`` are the archive's expected digests (the tests pass their
    fixture's).

    Raises ``OSError`` (one line: what is missing and what to do) when the data is not there
    and cannot be downloaded, ``ValueError`` when an archive is not the right one.
    """
    data_dir = Path(data_dir)
    folder = data_dir / FOLDER
    if not all((folder / name).is_file() for name in FILES):
        archive = data_dir / ARCHIVE
        if not archive.is_file():
            if not download_missing:
                raise OSError(
                    f"CIFAR-10 is not in {data_dir}: expected {FOLDER}/ or {ARCHIVE} there"
                )
            archive = download(data_dir, URL, md5, sha256, open_url)
        else:
            verify(archive, md5, sha256)
        extract(archive, data_dir)
    return load(folder)
