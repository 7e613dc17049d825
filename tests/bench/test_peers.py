"""The benchmark's peers compute the same convolution as refconv (no timing here)."""

from __future__ import annotations

import numpy as np
import pytest

from refconv.bench.peers import PEER_CALLS, _correlate_mix, make_inputs
from refconv.bench.runner import torch_available

from .test_cases import TINY

HAS_TORCH = torch_available()


@pytest.mark.parametrize("case", TINY, ids=[case.name for case in TINY])
@pytest.mark.parametrize("peer", ["scipy", "torch"])
def test_peers_agree_with_refconv(case, peer):
    if peer == "torch" and not HAS_TORCH:
        pytest.skip("PyTorch is not installed")
    arrays = make_inputs(case, batch=2)
    expected = np.asarray(PEER_CALLS["refconv"](case, arrays)())
    got = np.asarray(PEER_CALLS[peer](case, arrays)())
    assert got.shape == expected.shape == (2, case.c_out, case.out_size(), case.out_size())
    # float32 sums of at most 3*5*5 + 3*5 products of N(0, 1) numbers, summed in different
    # orders: a few float32 ulps of the sum's magnitude.
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("batch", [0, 2])
def test_correlate_mix_shape_without_images(batch):
    # an empty batch gave None (the output was allocated at the first image): now an empty
    # array of the output's shape, as for any other batch
    x = np.ones((batch, 2, 6, 7), dtype=np.float32)
    w = np.ones((3, 2, 3, 3), dtype=np.float32)
    got = _correlate_mix(x, w, (2, 1), (1, 0))
    assert isinstance(got, np.ndarray) and got.dtype == np.float32
    assert got.shape == (batch, 3, 3, 5)  # (6 + 2 - 3) // 2 + 1, (7 - 3) // 1 + 1
    if batch:
        np.testing.assert_array_equal(got[:, :, 1:, :], 18.0)  # interior: 2 channels x 9 taps
