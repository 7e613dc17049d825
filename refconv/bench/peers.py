"""The peers a benchmark compares: refconv, PyTorch, ONNX Runtime and SciPy, on the same arrays.

Each ``*_call(case, arrays)`` returns a function without arguments that computes the case
once; :data:`PEER_CALLS` maps a peer's name to it. All four compute the same convolution
(``tests/bench/test_peers.py`` checks them against each other), each the way its users would:

* refconv through its public API (``method="auto"``);
* PyTorch with ``torch.nn.functional.conv2d`` under ``inference_mode``;
* ONNX Runtime running the case as an ONNX model of ``Conv`` nodes (:mod:`refconv.bench.ort`);
* SciPy with one ``scipy.ndimage.correlate`` per (image, output, input) channel, and a NumPy
  matmul for 1x1 -- what one writes without a deep-learning framework.

>>> from refconv.bench.cases import CASES_BY_NAME
>>> arrays = make_inputs(CASES_BY_NAME["seed_separable"], batch=1)
>>> {name: a.shape for name, a in arrays.items()}
{'x': (1, 3, 12, 12), 'depthwise_weight': (3, 1, 5, 5), 'pointwise_weight': (256, 3, 1, 1)}
>>> refconv_call(CASES_BY_NAME["seed_separable"], arrays)().shape
(1, 256, 8, 8)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .cases import Case
from .ort import ort_call


def make_inputs(case: Case, batch: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Random float32 arrays for one case, keyed by the argument names of refconv's API."""
    rng = np.random.default_rng(seed)
    return {
        name: rng.standard_normal(shape, dtype=np.float32)
        for name, shape in case.array_shapes(batch).items()
    }


# -- refconv, through the public API ---------------------------------------------------------


def refconv_call(case: Case, a: dict[str, np.ndarray]) -> Callable[[], Any]:
    """A zero-argument function that runs the case with refconv's public API."""
    import refconv

    s, p = case.stride, case.padding
    if case.family == "standard":
        return lambda: refconv.conv2d(a["x"], a["weight"], stride=s, padding=p, method="auto")
    if case.family == "depthwise":
        return lambda: refconv.depthwise_conv2d(a["x"], a["weight"], stride=s, padding=p)
    if case.family == "pointwise":
        return lambda: refconv.pointwise_conv2d(a["x"], a["weight"])
    if case.family == "separable":
        return lambda: refconv.separable_conv2d(
            a["x"], a["depthwise_weight"], a["pointwise_weight"], stride=s, padding=p
        )
    return lambda: refconv.spatial_separable_conv2d(
        a["x"], a["column_weight"], a["row_weight"], stride=s, padding=p
    )


# -- PyTorch (CPU), the framework everyone compares with ---------------------------------------


def torch_call(case: Case, a: dict[str, np.ndarray]) -> Callable[[], Any]:
    """The same computation with ``torch.nn.functional.conv2d`` under ``inference_mode``."""
    import torch
    import torch.nn.functional as F

    t = {name: torch.from_numpy(array) for name, array in a.items()}
    s, p, c = case.stride, case.padding, case.c_in

    def run() -> Any:
        with torch.inference_mode():
            if case.family == "standard":
                return F.conv2d(t["x"], t["weight"], stride=s, padding=p)
            if case.family == "depthwise":
                return F.conv2d(t["x"], t["weight"], stride=s, padding=p, groups=c)
            if case.family == "pointwise":
                return F.conv2d(t["x"], t["weight"])
            if case.family == "separable":
                mid = F.conv2d(t["x"], t["depthwise_weight"], stride=s, padding=p, groups=c)
                return F.conv2d(mid, t["pointwise_weight"])
            mid = F.conv2d(t["x"], t["column_weight"], stride=(s, 1), padding=(p, 0))
            return F.conv2d(mid, t["row_weight"], stride=(1, s), padding=(0, p))

    return run


# -- SciPy: what one writes without a deep-learning framework ----------------------------------


def _correlate_mix(
    x: np.ndarray, w: np.ndarray, stride: tuple[int, int], pad: tuple[int, int]
) -> np.ndarray:
    """Channel-mixing correlation: ``y[n, o] = sum_c correlate(x[n, c], w[o, c])``.

    ``x`` (N, C_in, H, W), ``w`` (C_out, C_in, kH, kW) with odd kH, kW. One
    ``scipy.ndimage.correlate`` per (image, output channel, input channel), on the
    zero-padded image; the centred ("same") result is cropped to the valid part and strided.
    """
    from scipy import ndimage

    (sh, sw), (ph, pw) = stride, pad
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))  # (N, C_in, H + 2ph, W + 2pw)
    k_h, k_w = w.shape[2], w.shape[3]
    rows = slice(k_h // 2, xp.shape[2] - k_h // 2, sh)
    cols = slice(k_w // 2, xp.shape[3] - k_w // 2, sw)
    h_out = len(range(*rows.indices(xp.shape[2])))  # the rows the slice keeps
    w_out = len(range(*cols.indices(xp.shape[3])))
    out = np.empty((x.shape[0], w.shape[0], h_out, w_out), dtype=x.dtype)
    for n in range(x.shape[0]):
        for o in range(w.shape[0]):
            acc = np.zeros(xp.shape[2:], dtype=x.dtype)  # (H + 2ph, W + 2pw)
            for c in range(x.shape[1]):
                acc += ndimage.correlate(xp[n, c], w[o, c], mode="constant")
            out[n, o] = acc[rows, cols]  # (H_out, W_out)
    return out


def _correlate_depthwise(x: np.ndarray, w: np.ndarray, stride: int, pad: int) -> np.ndarray:
    """One ``scipy.ndimage.correlate`` per channel over the whole batch (kernel (1, kH, kW))."""
    from scipy import ndimage

    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))  # (N, C, H + 2p, W + 2p)
    k_h, k_w = w.shape[2], w.shape[3]
    rows = slice(k_h // 2, xp.shape[2] - k_h // 2, stride)
    cols = slice(k_w // 2, xp.shape[3] - k_w // 2, stride)
    ys = [
        ndimage.correlate(xp[:, c], w[c, :1], mode="constant")[:, rows, cols]
        for c in range(x.shape[1])
    ]  # each (N, H_out, W_out)
    return np.stack(ys, axis=1)  # (N, C, H_out, W_out)


def _matmul_pointwise(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """A 1x1 convolution is a matrix product: (C_out, C_in) @ (N, C_in, H*W)."""
    n, c, h, width = x.shape
    y = np.matmul(w[:, :, 0, 0], x.reshape(n, c, h * width))  # (N, C_out, H*W)
    return y.reshape(n, w.shape[0], h, width)


def scipy_call(case: Case, a: dict[str, np.ndarray]) -> Callable[[], Any]:
    """The computation with ``scipy.ndimage.correlate`` (and a NumPy matmul for 1x1)."""
    s, p = case.stride, case.padding
    if case.family == "standard":
        return lambda: _correlate_mix(a["x"], a["weight"], (s, s), (p, p))
    if case.family == "depthwise":
        return lambda: _correlate_depthwise(a["x"], a["weight"], s, p)
    if case.family == "pointwise":
        return lambda: _matmul_pointwise(a["x"], a["weight"])
    if case.family == "separable":
        return lambda: _matmul_pointwise(
            _correlate_depthwise(a["x"], a["depthwise_weight"], s, p), a["pointwise_weight"]
        )
    return lambda: _correlate_mix(
        _correlate_mix(a["x"], a["column_weight"], (s, 1), (p, 0)), a["row_weight"], (1, s), (0, p)
    )


PEER_CALLS = {
    "refconv": refconv_call,
    "torch": torch_call,
    "ort": ort_call,  # ONNX Runtime: refconv.bench.ort
    "scipy": scipy_call,
}
