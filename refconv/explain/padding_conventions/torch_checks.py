"""PyTorch's padding, checked by running it: ``'same'``, padding modes, and SAME with stride 2.

Three things the formulas in :mod:`~refconv.explain.padding_conventions.formulas` claim about
PyTorch, tested on PyTorch itself when it is installed:

* ``F.conv2d(padding='same')`` at stride 1 equals refconv's ``'same'`` (``SAME_UPPER``), for an
  odd and an even kernel;
* ``nn.Conv2d`` refuses ``padding='same'`` with a stride above 1;
* ``padding_mode`` ``'zeros'``, ``'reflect'``, ``'replicate'`` and ``'circular'`` mean the same
  in PyTorch and refconv.

And how to get TensorFlow's SAME at stride 2 in PyTorch: pad explicitly with the
``SAME_UPPER`` pads, then convolve without padding. ``F.pad`` takes the last axis first,
``(left, right, top, bottom)``:

>>> from refconv.explain.padding_conventions.formulas import same_upper
>>> (top, bottom), (left, right) = same_upper(7, 4, 2, 1), same_upper(8, 4, 2, 1)
>>> (left, right, top, bottom)  # for a (7, 8) input and a 4x4 kernel at stride 2
(1, 1, 1, 2)

:func:`measure` runs PyTorch; :func:`table` prints section 4 of
``python scripts/padding_conventions.py``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from ...functional import conv2d
from .boundary_modes import PADDING_MODES
from .formulas import same_upper

__all__ = ["TorchChecks", "measure", "table"]


@dataclass(frozen=True)
class TorchChecks:
    """What :func:`measure` found on PyTorch ``version``.

    ``same[k]``: ``F.conv2d(padding='same')`` equals refconv for a ``k x k`` kernel;
    ``strided_same``: PyTorch's message when ``nn.Conv2d(stride=2, padding='same')`` is built
    (``None`` if it was accepted); ``modes[mode]``: ``nn.Conv2d(padding=2, padding_mode=mode)``
    equals refconv; ``padded_same``: ``F.pad`` with ``SAME_UPPER`` pads then a stride-2
    ``F.conv2d`` equals refconv's ``'same'``, whose output is ``padded_shape``.
    """

    version: str
    same: dict[int, bool]
    strided_same: str | None
    modes: dict[str, bool]
    padded_same: bool
    padded_shape: tuple[int, ...]


def measure(torch: ModuleType) -> TorchChecks:
    """Run the checks on PyTorch, with float64 tensors and random integer inputs.

    Parameters
    ----------
    torch : module
        PyTorch (see :func:`refconv.explain.peers.load_torch`).
    """
    F = torch.nn.functional
    rng = np.random.default_rng(5)
    x = rng.integers(-9, 10, size=(1, 2, 7, 8)).astype(np.float64)  # (N, C_in, H, W)
    same = {}
    for k in (3, 4):
        w = rng.integers(-9, 10, size=(3, 2, k, k)).astype(np.float64)  # (C_out, C_in, k, k)
        with warnings.catch_warnings():  # even k: "may require a zero-padded copy"
            warnings.filterwarnings("ignore", message="Using padding='same'")
            theirs = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding="same").numpy()
        same[k] = bool(np.array_equal(conv2d(x, w, padding="same"), theirs))

    strided_same = None
    try:
        torch.nn.Conv2d(2, 3, 3, stride=2, padding="same")
    except ValueError as exc:
        strided_same = str(exc)

    w = rng.integers(-9, 10, size=(3, 2, 5, 5)).astype(np.float64)
    modes = {}
    for mode in PADDING_MODES:
        layer = torch.nn.Conv2d(
            2, 3, 5, padding=2, padding_mode=mode, bias=False, dtype=torch.float64
        )
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(w))
            theirs = layer(torch.from_numpy(x)).numpy()
        modes[mode] = bool(np.array_equal(conv2d(x, w, padding=2, padding_mode=mode), theirs))

    # stride 2 with TensorFlow SAME: pad explicitly (F.pad takes (left, right, top, bottom))
    w = rng.integers(-9, 10, size=(3, 2, 4, 4)).astype(np.float64)
    (top, bottom), (left, right) = same_upper(7, 4, 2, 1), same_upper(8, 4, 2, 1)
    padded = F.pad(torch.from_numpy(x), (left, right, top, bottom))
    theirs = F.conv2d(padded, torch.from_numpy(w), stride=2).numpy()
    ours = conv2d(x, w, stride=2, padding="same")  # (1, 3, 4, 4)
    return TorchChecks(
        str(torch.__version__),
        same,
        strided_same,
        modes,
        bool(np.array_equal(ours, theirs)),
        tuple(ours.shape[2:]),
    )


def table(found: TorchChecks | None) -> str:
    """Section 4 of ``python scripts/padding_conventions.py``; ``None``: PyTorch is missing."""
    lines = ["== 4. PyTorch, checked by running it"]
    if found is None:
        return "\n".join([*lines, "   torch is not installed: skipped"])
    lines.append(f"   torch {found.version}")
    for k, same in found.same.items():
        lines.append(
            f"   F.conv2d(padding='same'), {k}x{k} kernel, stride 1 == refconv 'same': {same}"
        )
    if found.strided_same is None:
        lines.append("   nn.Conv2d(stride=2, padding='same'): accepted")
    else:
        lines.append(f"   nn.Conv2d(stride=2, padding='same'): ValueError: {found.strided_same}")
    for mode, same in found.modes.items():
        lines.append(f"   nn.Conv2d(padding=2, padding_mode={mode!r:11}) == refconv: {same}")
    lines.append(
        f"   F.pad(SAME_UPPER pads) + F.conv2d(stride=2), 4x4 kernel == refconv 'same': "
        f"{found.padded_same}, output {found.padded_shape}"
    )
    return "\n".join(lines)
