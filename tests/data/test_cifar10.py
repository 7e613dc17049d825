"""The CIFAR-10 reader on a small fixture in the real format: download (a fake opener, no
network), digests, extraction that refuses path traversal and links, the restricted unpickler,
and the pixel order."""

from __future__ import annotations

import hashlib
import io
import pickle
import tarfile
import urllib.error

import numpy as np
import pytest

from refconv.data import cifar10, load_dataset

from .cifar_fixture import PER_BATCH, batch_bytes, files, write_archive, write_folder


def test_the_published_digests_are_the_ones_in_the_code():
    # the MD5 printed on the CIFAR page, the SHA-256 that Keras' cifar10.load_data checks
    assert cifar10.MD5 == "c58f30108f718f92721af3b95e74349a"
    assert cifar10.SHA256 == "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
    assert cifar10.URL == "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"


def test_load_reads_every_batch_in_order(tmp_path):
    folder = write_folder(tmp_path)
    train, test = cifar10.load(folder)
    assert train.images.shape == (5 * PER_BATCH, 32, 32, 3) and train.images.dtype == np.uint8
    assert test.images.shape == (PER_BATCH, 32, 32, 3)
    expected = [label for i in range(1, 6) for label in batch_bytes(i)[2]]
    assert train.labels.tolist() == expected
    assert test.labels.tolist() == batch_bytes(6)[2]
    assert cifar10.class_names(folder) == cifar10.CLASSES


def test_a_row_is_the_red_plane_then_green_then_blue_each_row_by_row(tmp_path):
    _, data, _ = batch_bytes(1)
    train, _ = cifar10.load(write_folder(tmp_path))
    image = train.images[0]  # (32, 32, 3)
    assert image[0, 0, 0] == data[0, 0]  # red, top-left
    assert image[0, 1, 0] == data[0, 1]  # red, next column
    assert image[1, 0, 0] == data[0, 32]  # red, next row
    assert image[0, 0, 1] == data[0, 1024]  # green plane
    assert image[31, 31, 2] == data[0, 3071]  # blue, bottom-right
    assert np.array_equal(image, data[0].reshape(3, 32, 32).transpose(1, 2, 0))


def test_load_dataset_gives_nchw_float32_divided_by_255(tmp_path):
    write_folder(tmp_path)
    d = load_dataset("cifar10", data_dir=tmp_path, n_train=6, n_test=3, download=False)
    _, data, _ = batch_bytes(1)
    assert d.x_train.shape == (6, 3, 32, 32) and d.x_train.dtype == np.float32
    assert d.x_test.shape == (3, 3, 32, 32)
    assert np.array_equal(d.x_train[0], data[0].reshape(3, 32, 32).astype(np.float32) / 255)
    assert d.classes == cifar10.CLASSES


def test_cifar10_without_a_folder_is_an_error_that_says_so():
    with pytest.raises(ValueError, match="data_dir"):
        load_dataset("cifar10")


def test_missing_data_without_download_says_what_is_expected(tmp_path):
    with pytest.raises(OSError, match=r"cifar-10-batches-py/ or cifar-10-python\.tar\.gz"):
        cifar10.load_cifar10(tmp_path, download_missing=False)


# --------------------------------------------------------------------------- extraction


def test_extract_writes_the_seven_files(tmp_path):
    archive = write_archive(tmp_path / "a.tar.gz")
    folder = cifar10.extract(archive, tmp_path / "out")
    assert sorted(p.name for p in folder.iterdir()) == sorted(cifar10.FILES)
    for name, (content, _, _) in files().items():
        assert (folder / name).read_bytes() == content


def test_extract_ignores_members_it_does_not_expect(tmp_path):
    archive = write_archive(tmp_path / "a.tar.gz", [("cifar-10-batches-py/readme.html", b"hi")])
    folder = cifar10.extract(archive, tmp_path / "out")
    assert not (folder / "readme.html").exists()


@pytest.mark.parametrize(
    "name",
    ["../evil", "cifar-10-batches-py/../../evil", "/tmp/evil", "a/../../evil", "..\\evil"],
)
def test_extract_refuses_a_member_that_points_outside(tmp_path, name):
    archive = write_archive(tmp_path / "a.tar.gz", [(name, b"gotcha")])
    out = tmp_path / "deep" / "out"
    with pytest.raises(ValueError, match="outside"):
        cifar10.extract(archive, out)
    assert not (tmp_path / "evil").exists() and not (tmp_path / "deep" / "evil").exists()
    assert not out.exists()  # refused before anything was written


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE])
def test_extract_refuses_a_link_in_place_of_a_batch(tmp_path, kind):
    link = tarfile.TarInfo("cifar-10-batches-py/data_batch_1")
    link.type, link.linkname = kind, "/etc/passwd"
    # the link comes after the real file, and getmembers() keeps the last one of a name
    archive = write_archive(tmp_path / "a.tar.gz", [link])
    with pytest.raises(ValueError, match="regular file"):
        cifar10.extract(archive, tmp_path / "out")


def test_extract_refuses_an_archive_without_the_batches(tmp_path):
    archive = tmp_path / "other.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("something/else")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(ValueError, match="not the CIFAR-10 python archive"):
        cifar10.extract(archive, tmp_path / "out")


# --------------------------------------------------------------------------- the unpickler


class _Shell:
    def __reduce__(self):
        import os

        return (os.system, ("echo pwned",))


def test_a_batch_that_would_run_code_is_refused(tmp_path):
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({b"data": _Shell()}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="refusing to load"):
        cifar10.read_batch(path)


def test_a_batch_of_the_wrong_shape_is_refused(tmp_path):
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({b"data": np.zeros((2, 10), np.uint8), b"labels": [0, 1]}))
    with pytest.raises(ValueError, match=r"\(N, 3072\)"):
        cifar10.batch_images(cifar10.read_batch(path), path)


def test_labels_outside_0_to_9_are_refused(tmp_path):
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({b"data": np.zeros((1, 3072), np.uint8), b"labels": [10]}))
    with pytest.raises(ValueError, match=r"0\.\.9"):
        cifar10.batch_images(cifar10.read_batch(path), path)


# --------------------------------------------------------------------------- download


def _digests(path):
    content = path.read_bytes()
    return hashlib.md5(content).hexdigest(), hashlib.sha256(content).hexdigest()


def _opener(content: bytes, calls: list[str]):
    def open_url(url):
        calls.append(url)
        return io.BytesIO(content)

    return open_url


def test_download_fetches_verifies_and_keeps_the_archive(tmp_path):
    archive = write_archive(tmp_path / "source.tar.gz")
    md5, sha256 = _digests(archive)
    calls: list[str] = []
    target = tmp_path / "data"
    path = cifar10.download(
        target, md5=md5, sha256=sha256, open_url=_opener(archive.read_bytes(), calls)
    )
    assert calls == [cifar10.URL]
    assert path == target / cifar10.ARCHIVE and path.read_bytes() == archive.read_bytes()
    assert not (target / (cifar10.ARCHIVE + ".part")).exists()


@pytest.mark.parametrize("which", ["md5", "sha256"])
def test_a_download_with_a_wrong_digest_is_deleted(tmp_path, which):
    archive = write_archive(tmp_path / "source.tar.gz")
    md5, sha256 = _digests(archive)
    digests = {"md5": md5, "sha256": sha256, which: "0" * 64}
    target = tmp_path / "data"
    with pytest.raises(ValueError, match="MD5" if which == "md5" else "SHA-256"):
        cifar10.download(target, open_url=_opener(archive.read_bytes(), []), **digests)
    assert list(target.iterdir()) == []


def test_the_real_digests_refuse_anything_but_the_real_archive(tmp_path):
    archive = write_archive(tmp_path / "source.tar.gz")
    with pytest.raises(ValueError, match="c58f30108f718f92721af3b95e74349a"):
        cifar10.download(tmp_path / "data", open_url=_opener(archive.read_bytes(), []))


def test_offline_is_one_clear_line(tmp_path):
    def offline(url):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    with pytest.raises(OSError) as info:
        cifar10.download(tmp_path, open_url=offline)
    message = str(info.value)
    assert "\n" not in message
    assert cifar10.URL in message and "name resolution" in message
    assert "copy cifar-10-python.tar.gz" in message
    assert not any(tmp_path.iterdir())  # no partial file left


def test_load_cifar10_downloads_extracts_and_reads_once(tmp_path):
    archive = write_archive(tmp_path / "source.tar.gz")
    md5, sha256 = _digests(archive)
    calls: list[str] = []
    opener = _opener(archive.read_bytes(), calls)
    data_dir = tmp_path / "data"
    train, _ = cifar10.load_cifar10(data_dir, md5=md5, sha256=sha256, open_url=opener)
    assert train.images.shape[0] == 5 * PER_BATCH and calls == [cifar10.URL]
    again, _ = cifar10.load_cifar10(data_dir, md5=md5, sha256=sha256, open_url=opener)
    assert calls == [cifar10.URL]  # read from the extracted folder, no second download
    assert np.array_equal(again.images, train.images)


def test_an_archive_copied_by_hand_is_verified_before_it_is_extracted(tmp_path):
    write_archive(tmp_path / cifar10.ARCHIVE)
    with pytest.raises(ValueError, match="MD5"):
        cifar10.load_cifar10(tmp_path, download_missing=False)
    assert not (tmp_path / cifar10.FOLDER).exists()
