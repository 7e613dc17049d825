"""to_nchw (the notebook's / 255, channels first) and the seeded shuffling batch iterator."""

from __future__ import annotations

import numpy as np
import pytest

from refconv.data import Batches, to_nchw


def test_to_nchw_moves_the_channels_first_and_divides_by_255():
    images = np.arange(2 * 4 * 5 * 3, dtype=np.uint8).reshape(2, 4, 5, 3)  # (N, H, W, C)
    x = to_nchw(images)
    assert x.shape == (2, 3, 4, 5) and x.dtype == np.float32 and x.flags.c_contiguous
    # the notebook: x.astype('float32') / 255.0, in float32
    assert np.array_equal(x, images.astype(np.float32).transpose(0, 3, 1, 2) / np.float32(255))
    assert x[1, 2, 3, 4] == images[1, 3, 4, 2] / np.float32(255)


def test_to_nchw_refuses_other_ranks():
    with pytest.raises(ValueError, match=r"\(N, H, W, C\)"):
        to_nchw(np.zeros((32, 32, 3), np.uint8))


def test_an_epoch_visits_every_sample_once_and_the_next_one_reshuffles():
    x = np.arange(10, dtype=np.float32)[:, None] * np.ones((1, 3), np.float32)  # (10, 3)
    y = np.arange(10)
    batches = Batches(x, y, batch_size=4, seed=0)
    assert len(batches) == 3
    first = [yb.tolist() for _, yb in batches]
    second = [yb.tolist() for _, yb in batches]
    assert [len(b) for b in first] == [4, 4, 2]  # the last batch holds what is left
    assert sorted(i for b in first for i in b) == list(range(10))
    assert sorted(i for b in second for i in b) == list(range(10))
    assert first != second
    for xb, yb in Batches(x, y, 4, seed=0):
        assert np.array_equal(xb[:, 0], yb.astype(np.float32))  # x and y stay paired


def test_the_same_seed_gives_the_same_orders():
    y = np.arange(50)
    a, b = Batches(y, y, 8, seed=3), Batches(y, y, 8, seed=3)
    for _ in range(3):  # epoch after epoch
        assert [t.tolist() for _, t in a] == [t.tolist() for _, t in b]
    c = Batches(y, y, 8, seed=4)
    assert [t.tolist() for _, t in Batches(y, y, 8, seed=3)] != [t.tolist() for _, t in c]


def test_without_shuffle_the_order_is_the_stored_one():
    y = np.arange(7)
    assert [t.tolist() for _, t in Batches(y, y, 3, shuffle=False)] == [[0, 1, 2], [3, 4, 5], [6]]


def test_batches_are_copies():
    x = np.zeros((4, 2))
    xb, _ = next(iter(Batches(x, np.arange(4), 2, seed=0)))
    xb[:] = 1
    assert not x.any()


@pytest.mark.parametrize("size", [0, -1, 2.5])
def test_a_bad_batch_size_names_itself(size):
    with pytest.raises((TypeError, ValueError), match="batch_size"):
        Batches(np.zeros(3), np.zeros(3), size)


def test_x_and_y_must_match():
    with pytest.raises(ValueError, match="as many samples"):
        Batches(np.zeros(3), np.zeros(4), 2)
