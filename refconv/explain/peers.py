"""PyTorch as a peer: the worked examples check refconv against it when it is installed.

PyTorch is optional. A worked example takes the ``torch`` module as an argument and leaves its
``[torch]`` lines out when that is ``None``; :func:`load_torch` gives the module, or ``None``
when it cannot be imported. Nothing here imports PyTorch at import time.

>>> torch = load_torch()
>>> torch is None or tensor(torch, [[1, 2]]).dtype == torch.float64
True
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

__all__ = ["load_torch", "tensor"]


def load_torch() -> ModuleType | None:
    """The ``torch`` module, or ``None`` when PyTorch cannot be imported."""
    try:
        import torch
    except ImportError:  # PyTorch is optional: the worked examples skip its lines
        return None
    return torch


def tensor(torch: ModuleType, values: object) -> Any:
    """``values`` as a float64 ``torch.Tensor`` of the same shape (C-contiguous, so that
    ``torch.from_numpy`` accepts it)."""
    return torch.from_numpy(np.ascontiguousarray(values, dtype=np.float64))
