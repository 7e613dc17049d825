"""The synthetic dataset: the same seed gives the same bytes, and only shape tells the classes
apart (a colour histogram and the raw pixels fail where a histogram of edge orientations
does not)."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from refconv.data import load_dataset
from refconv.data.synthetic import CLASSES, generate, render


def _digest(*arrays: np.ndarray) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(a.tobytes())
    return h.hexdigest()


def test_the_same_seed_gives_the_same_arrays_bit_for_bit():
    a_train, a_test = generate(seed=7, n_train=60, n_test=30)
    b_train, b_test = generate(seed=7, n_train=60, n_test=30)
    for a, b in ((a_train, b_train), (a_test, b_test)):
        assert a.images.tobytes() == b.images.tobytes()
        assert a.labels.tobytes() == b.labels.tobytes()


def test_the_float_arrays_are_the_same_bit_for_bit_too():
    a = load_dataset("synthetic", seed=3, n_train=40, n_test=20)
    b = load_dataset("synthetic", seed=3, n_train=40, n_test=20)
    assert _digest(a.x_train, a.y_train, a.x_test, a.y_test) == _digest(
        b.x_train, b.y_train, b.x_test, b.y_test
    )


def test_another_seed_gives_other_images():
    a, _ = generate(seed=0, n_train=20, n_test=0)
    b, _ = generate(seed=1, n_train=20, n_test=0)
    assert np.array_equal(a.labels, b.labels)  # labels go round the classes either way
    assert not np.array_equal(a.images, b.images)
    # and not merely a few pixels: every image differs
    assert all(not np.array_equal(x, y) for x, y in zip(a.images, b.images, strict=True))


def test_a_smaller_set_is_a_prefix_and_the_test_set_does_not_depend_on_the_training_set():
    small_train, small_test = generate(seed=5, n_train=15, n_test=12)
    big_train, big_test = generate(seed=5, n_train=40, n_test=25)
    assert np.array_equal(small_train.images, big_train.images[:15])
    assert np.array_equal(small_test.images, big_test.images[:12])
    _, other_test = generate(seed=5, n_train=0, n_test=12)
    assert np.array_equal(other_test.images, small_test.images)


def test_training_and_test_images_differ():
    train, test = generate(seed=0, n_train=10, n_test=10)
    assert all(not np.array_equal(a, b) for a, b in zip(train.images, test.images, strict=True))


def test_shapes_dtypes_and_balanced_labels():
    train, test = generate(seed=0, n_train=35, n_test=20)
    assert train.images.shape == (35, 32, 32, 3) and train.images.dtype == np.uint8
    assert train.labels.dtype == np.int64 and test.labels.shape == (20,)
    assert train.labels.tolist() == [i % 10 for i in range(35)]
    assert np.bincount(test.labels, minlength=10).tolist() == [2] * 10
    assert len(CLASSES) == 10


@pytest.mark.parametrize("label", range(10))
def test_every_class_draws_a_visible_pattern(label):
    """Each image has its pattern (not only the background and noise): the pixels span a
    clear range of values."""
    image = render(label, np.random.default_rng(label)).astype(np.float64)
    spread = np.percentile(image, 99, axis=(0, 1)) - np.percentile(image, 1, axis=(0, 1))
    assert spread.max() > 40  # out of 255: more than noise (sigma <= 0.08 * 255 = 20)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"n_train": -1}, "n_train"),
        ({"n_test": "3"}, "n_test"),
    ],
)
def test_bad_arguments_name_themselves(kwargs, message):
    with pytest.raises(ValueError, match=message):
        generate(**kwargs)


# --------------------------------------------------------------------------- what decides the class


def _ridge_accuracy(f_train, y_train, f_test, y_test, lam=1e-2):
    """A linear classifier (ridge regression onto one-hot rows) trained on ``f_train``."""
    mean, std = f_train.mean(0), f_train.std(0) + 1e-8
    a = np.c_[(f_train - mean) / std, np.ones(len(f_train))]
    b = np.c_[(f_test - mean) / std, np.ones(len(f_test))]
    weights = np.linalg.solve(
        a.T @ a + lam * len(a) * np.eye(a.shape[1]), a.T @ np.eye(10)[y_train]
    )
    return float(np.mean((b @ weights).argmax(1) == y_test))


def _colour_histogram(images):
    x = images.astype(np.float64) / 255
    bins = [
        np.concatenate([np.histogram(image[..., c], bins=8, range=(0, 1))[0] for c in range(3)])
        for image in x
    ]
    return np.c_[np.array(bins), x.mean((1, 2)), x.std((1, 2))]  # (N, 24 + 3 + 3)


def _raw_pixels(images):
    return images.reshape(len(images), -1).astype(np.float64) / 255  # (N, 3072)


def _orientation_histogram(images):
    """How much edge there is at each of 8 orientations (sign-free, all colour channels):
    spatial structure, summed over the image so that position does not matter."""
    x = images.astype(np.float64) / 255
    gy = np.diff(x, axis=1)[:, :, :-1]  # (N, 31, 31, 3)
    gx = np.diff(x, axis=2)[:, :-1]
    magnitude, angle = np.hypot(gx, gy), np.arctan2(gy, gx) % np.pi
    bins = np.minimum((angle / np.pi * 8).astype(int), 7)
    energy = np.stack([(magnitude * (bins == k)).sum((1, 2, 3)) for k in range(8)], axis=1)
    total = energy.sum(1, keepdims=True)
    return np.c_[energy / total, np.log(total)]  # (N, 9)


@pytest.fixture(scope="module")
def sets():
    return generate(seed=0, n_train=2000, n_test=1000)


@pytest.mark.parametrize(
    ("features", "low", "high"),
    [
        (_colour_histogram, 0.0, 0.2),  # measured 0.129: colours say nothing (chance: 0.1)
        (_raw_pixels, 0.0, 0.2),  # measured 0.146: the patterns move, phases are random
        (_orientation_histogram, 0.4, 1.0),  # measured 0.473: edges and their angles do
    ],
    ids=["colour histogram", "raw pixels", "edge orientations"],
)
def test_only_spatial_structure_tells_the_classes_apart(sets, features, low, high):
    train, test = sets
    score = _ridge_accuracy(
        features(train.images), train.labels, features(test.images), test.labels
    )
    assert low <= score <= high, score
