"""The benchmark's peers compute the same convolution as refconv (no timing here)."""

from __future__ import annotations

import numpy as np
import pytest

from refconv.bench.peers import PEER_CALLS, make_inputs
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
