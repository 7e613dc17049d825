"""refconv.explain.peers: PyTorch when it can be imported, None when it cannot."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from refconv.explain.peers import load_torch, tensor


class NoTorch:
    """An import hook that refuses ``torch`` (setting ``sys.modules["torch"] = None`` instead
    would trip scipy, which looks torch up in ``sys.modules`` to recognise tensors)."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "torch" or name.startswith("torch."):
            raise ImportError("torch is hidden for this test")


def test_load_torch_without_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "meta_path", [NoTorch(), *sys.meta_path])
    for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
        monkeypatch.delitem(sys.modules, name)
    assert load_torch() is None


def test_tensor_is_float64_and_contiguous() -> None:
    torch = load_torch()
    if torch is None:
        pytest.skip("PyTorch is not installed")
    t = tensor(torch, np.arange(6).reshape(2, 3)[:, ::2])
    assert t.dtype == torch.float64 and t.tolist() == [[0.0, 2.0], [3.0, 5.0]]
