"""The kernels: the reference loops and three fast ways to compute the same convolution.

All of them take ``(x, weight, bias, stride, pads, dilation, groups, out)`` with validated,
C-contiguous arrays of one float dtype, ``pads`` the zero padding still to apply, and write
``out`` (N, C_out, H_out, W_out):

* :func:`~refconv.kernels.reference.conv2d_reference` -- the definition, loop by loop (read
  this first; ``method="reference"``);
* :func:`~refconv.kernels.direct.conv2d_direct` -- Numba loops, parallel over output rows
  (depthwise convolutions: :mod:`~refconv.kernels.depthwise`);
* :func:`~refconv.kernels.im2col.conv2d_im2col` -- Numba im2col in bounded chunks, then GEMM;
* :func:`~refconv.kernels.winograd.conv2d_winograd` -- Winograd F(2x2, 3x3): 3x3 kernels with
  stride 1 and dilation 1 only, 16 multiplications per 2x2 outputs instead of 36.

:func:`run_conv2d` dispatches by ``method``; ``"auto"`` follows :func:`choose_method`. The
two-step blocks -- depthwise then pointwise, ``kH x 1`` then ``1 x kW`` -- have fused kernels
(:mod:`~refconv.kernels.fused`: the intermediate band by band, in cache), which
:func:`choose_separable` and :func:`choose_spatial` pick.
The runtime they share -- Numba's settings and thread pool (``runtime``), the BLAS called from
inside the kernels (``blas``, ``gemm``) and the kept workspaces (``workspace``) -- is
reported by :func:`runtime_report` (``refconv info``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..arguments import Pads, Pair
from ..padding import pad
from . import blas, runtime
from .direct import conv2d_direct
from .fused import conv2d_separable_fused, conv2d_spatial_fused
from .im2col import conv2d_im2col
from .reference import conv2d_reference
from .winograd import conv2d_winograd
from .workspace import new_output

# (x, weight, bias, stride, pads, dilation, groups, out) -> out
ConvKernel = Callable[
    [np.ndarray, np.ndarray, np.ndarray | None, Pair, Pads, Pair, int, np.ndarray], np.ndarray
]

KERNELS: dict[str, ConvKernel] = {
    "reference": conv2d_reference,
    "direct": conv2d_direct,
    "im2col": conv2d_im2col,
    "winograd": conv2d_winograd,
}


def winograd_fits(w_shape: tuple[int, ...], stride: Pair, dilation: Pair) -> bool:
    """Whether ``method="winograd"`` can compute this convolution: a 3x3 kernel, stride 1,
    dilation 1."""
    return tuple(w_shape[2:]) == (3, 3) and tuple(stride) == (1, 1) and tuple(dilation) == (1, 1)


def choose_method(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    groups: int,
) -> str:
    """The fastest method for a shape whose error bound is im2col's, by rules that
    ``scripts/choose_method.py`` checks.

    * one input channel per group (depthwise) -> ``direct``: im2col would run one skinny
      GEMM per channel;
    * a reduction (``Cg*kH*kW``) of 8 or more and 8 or more output channels per group ->
      ``im2col``: the GEMM is wide enough for BLAS to beat the loops;
    * anything thinner -> ``direct`` (e.g. 2 channels per group: direct was 1.8x faster).

    Never ``winograd``, although it is faster on wide 3x3 layers (1.3-1.5x on 64 channels
    at 56x56): its rounding error is bounded by the magnitudes of the *transformed* tiles
    (:func:`.winograd.error_magnitude`), not by ``sum |w| |x|``, and one large input next
    to small ones makes it arbitrarily worse -- an identity kernel beside a float32 spike
    of 1e8 gives 0 instead of 1. ``auto`` keeps the bound every other method meets
    (``docs/reliability.md``); ask for ``method="winograd"`` to trade it for speed.
    """
    c_group, k_h, k_w = w_shape[1], w_shape[2], w_shape[3]
    o_group = w_shape[0] // groups
    if c_group == 1:
        return "direct"
    if c_group * k_h * k_w >= 8 and o_group >= 8:
        return "im2col"
    return "direct"


def choose_separable(
    method: str,
    mid_shape: tuple[int, ...],
    dw_shape: tuple[int, ...],
    pw_shape: tuple[int, ...],
    dilation: Pair,
) -> bool | None:
    """How ``separable_conv2d`` runs: ``None`` for its two calls, else the fused kernel
    (:mod:`.fused`), whose pointwise step is a GEMM (``True``) or loops (``False``).

    ``"reference"`` is the two calls by definition; ``"im2col"`` asks for the fused kernel
    with the GEMM, ``"direct"`` with the loops (its depthwise step is always the direct
    loops: im2col would run one skinny GEMM per channel). ``"auto"`` (measured on the
    benchmark's blocks, ``python -m refconv.bench.fused``, and a grid of MobileNet-sized
    ones, docs/performance.md):

    * a pointwise step that :func:`choose_method` would run as loops (fewer than 8
      channels in or out, e.g. the TDS example's 3 -> 256): fused, with loops -- 1.5x
      faster, the two calls' second launch and intermediate gone;
    * a GEMM pointwise step after a 3x3 depthwise kernel with dilation 1: the two calls.
      The dedicated 3x3 kernels (``depthwise3x3``: a plane as one flat run, stride 2 on
      split columns) beat the fused kernel's per-band 3x3 by more than the fused block
      saves: 3-17 % slower fused, on one thread;
    * any other depthwise kernel: fused, with the GEMM -- its band, copied into a tile and
      run flat, is 15-30 % faster than the two calls.

    ``mid_shape`` is the intermediate's (N, C*M, H_out, W_out), ``dw_shape`` and
    ``pw_shape`` the weights', ``dilation`` the depthwise step's.
    """
    if method == "reference":
        return None
    if method != "auto":
        return method == "im2col"
    one, none = (1, 1), ((0, 0), (0, 0))
    gemm = choose_method(mid_shape, pw_shape, one, none, one, 1) == "im2col"
    if gemm and tuple(dw_shape[2:]) == (3, 3) and tuple(dilation) == (1, 1):
        return None
    return gemm


def choose_spatial(
    method: str,
    x_shape: tuple[int, ...],
    column_shape: tuple[int, ...],
    mid_shape: tuple[int, ...],
    row_shape: tuple[int, ...],
    groups: int,
) -> tuple[bool, bool] | None:
    """How ``spatial_separable_conv2d`` runs: ``None`` for its two calls
    (``method="reference"``), else the fused kernel (:mod:`.fused`) with, for the column and
    the row pass, a GEMM on band columns (``True``) or loops.

    ``"im2col"`` and ``"direct"`` ask for the same in both passes; ``"auto"`` takes for each
    pass what :func:`choose_method` picks for it alone, and is always fused: 0.6-0.95 of
    the two calls' time, on one thread and on two (``python -m refconv.bench.fused``).
    """
    if method == "reference":
        return None
    if method != "auto":
        return method == "im2col", method == "im2col"
    one, none = (1, 1), ((0, 0), (0, 0))
    first = choose_method(x_shape, column_shape, one, none, one, groups)
    second = choose_method(mid_shape, row_shape, one, none, one, groups)
    return first == "im2col", second == "im2col"


def runtime_report() -> dict[str, object]:
    """What the kernels run on in this process: Numba's threading layer and threads, the BLAS
    behind the GEMMs, and every fallback taken (``refconv info`` prints it)."""
    report: dict[str, object] = dict(runtime.runtime_facts())
    report.update(blas.blas_report())
    return report


def run_conv2d(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None,
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    groups: int,
    out: np.ndarray,
    method: str = "auto",
) -> np.ndarray:
    """Dispatch to the kernel named by ``method`` (``"auto"`` picks one).

    Inf and NaN propagate as in NumPy and SciPy: ``inf * 0`` is NaN, silently (the
    convolution reports no floating-point warnings, like ``scipy.signal.correlate2d``).
    """
    if method == "auto":
        method = choose_method(x.shape, weight.shape, stride, pads, dilation, groups)
    elif method == "winograd" and not winograd_fits(weight.shape, stride, dilation):
        raise ValueError(
            "method='winograd' computes 3x3 kernels with stride 1 and dilation 1 only; got a "
            f"{weight.shape[2]}x{weight.shape[3]} kernel, stride {tuple(stride)}, dilation "
            f"{tuple(dilation)} (use method='auto', 'im2col' or 'direct')"
        )
    if method == "direct" and pads != ((0, 0), (0, 0)) and not np.isfinite(weight).all():
        # The direct loops skip the products of a weight with padded zeros; with an Inf or
        # NaN weight those products are NaN, so pad explicitly and let them happen.
        x = pad(x, pads, "zeros")
        pads = ((0, 0), (0, 0))
    if method == "reference":  # NumPy arithmetic; the compiled kernels raise no warnings
        with np.errstate(invalid="ignore", over="ignore"):
            return KERNELS[method](x, weight, bias, stride, pads, dilation, groups, out)
    return KERNELS[method](x, weight, bias, stride, pads, dilation, groups, out)


__all__ = [
    "KERNELS",
    "choose_method",
    "choose_separable",
    "choose_spatial",
    "conv2d_direct",
    "conv2d_im2col",
    "conv2d_reference",
    "conv2d_separable_fused",
    "conv2d_spatial_fused",
    "conv2d_winograd",
    "new_output",
    "run_conv2d",
    "runtime_report",
    "winograd_fits",
]
