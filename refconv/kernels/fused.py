"""Fused separable blocks: two convolutions computed band by band, the intermediate in cache.

``separable_conv2d`` is a depthwise convolution followed by a pointwise one, and
``spatial_separable_conv2d`` a ``kH x 1`` convolution followed by a ``1 x kW`` one. Called one
after the other (the two-call composition, which ``method="reference"`` runs with the reference
loops and which *is* the definition), the first writes its whole ``(N, C_mid, H_out, W)``
output to memory and the second reads it back. A fused kernel instead takes one band of output
rows of one image at a time: it computes the band of the intermediate into a small per-thread
workspace and at once the second step from it, into the output::

    for every image n and band of output rows [i0, i1):            <- prange: disjoint bands
        mid  = first step, output rows i0 .. i1       (C_mid, i1 - i0, W_mid)   in cache
        out[n, :, i0:i1] = second step of mid + bias   (C_out, i1 - i0, W_out)

The second step of each output row reads only the same row of the intermediate (a pointwise
or a ``1 x kW`` kernel spans one row), so the bands need no overlap and nothing is computed
twice. The sums are the same as the two calls' (each intermediate value is rounded to the
dtype before the second step, as when it is stored): **the error bound of a fused block is
the chain's**, ``(K1 + K2 + 1) * (eps * S + eta)`` with ``K1``, ``K2`` the two reductions
(``kH*kW`` and ``C*M`` for depthwise + pointwise, ``Cg*kH`` and ``Rg*kW`` for the spatial
pair) and ``S`` the same chain run on ``|x|`` and ``|w|`` (:func:`refconv.testing.tolerance`;
``tests/kernels/test_fused.py`` holds the kernels to it).

:func:`separable_bands_reference` and :func:`spatial_bands_reference` below are the fusion
written readably in NumPy, with the reference loops; the Numba kernels are
:mod:`.fused_separable` and :mod:`.fused_spatial`, cut into bands by :mod:`.fused_plan`, and
:func:`conv2d_separable_fused`, :func:`conv2d_spatial_fused` run them, for every geometry the
functions accept (padding modes and far-away pads are applied first, as for one
convolution). ``method="direct"`` runs them with loops for the channel-mixing steps,
``"im2col"`` with GEMMs; ``"auto"`` runs them where they are faster than the two calls, by
the rules of :func:`refconv.kernels.choose_separable` and :func:`refconv.kernels.choose_spatial`
(measured: ``python -m refconv.bench.fused``), and the two calls elsewhere.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..arguments import Pads, Pair
from ..padding import pad
from . import fused_plan
from . import workspace as workspace_settings
from .blas import gemm_address, single_threaded_blas
from .fused_plan import separable_plan, spatial_plan
from .fused_separable import separable_bands
from .fused_spatial import spatial_bands
from .reference import conv2d_reference
from .runtime import Kernel, launch, thread_plan
from .workspace import workspace

NO_PADS: Pads = ((0, 0), (0, 0))


# -- the definition, readably: band by band, with the reference loops ---------------------------


def separable_bands_reference(
    x: np.ndarray,
    depthwise_weight: np.ndarray,
    pointwise_weight: np.ndarray,
    bias: np.ndarray | None,
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    out: np.ndarray,
    band: int = 4,
) -> np.ndarray:
    """Depthwise then pointwise, ``band`` output rows of one image at a time, in NumPy.

    ``x`` (N, C, H, W), ``depthwise_weight`` (C*M, 1, kH, kW), ``pointwise_weight``
    (C_out, C*M, 1, 1), ``bias`` (C_out,) or None, ``out`` (N, C_out, H_out, W_out); stride,
    pads (zeros) and dilation belong to the depthwise step. Returns ``out``.

    >>> x = np.arange(32.0).reshape(1, 2, 4, 4)
    >>> dw, pw = np.ones((2, 1, 2, 2)), np.array([[1.0, -1.0]])[:, :, None, None]
    >>> y = np.empty((1, 1, 3, 3))
    >>> separable_bands_reference(x, dw, pw, None, (1, 1), NO_PADS, (1, 1), y, band=2)[0, 0]
    array([[-64., -64., -64.],
           [-64., -64., -64.],
           [-64., -64., -64.]])
    """
    (sh, _), (dh, _) = stride, dilation
    c_in, c_mid, k_h = x.shape[1], depthwise_weight.shape[0], depthwise_weight.shape[2]
    h_out, w_out = out.shape[2], out.shape[3]
    xp = pad(x, pads, "zeros")  # (N, C, H + top + bottom, W + left + right)
    pw = pointwise_weight.reshape(out.shape[1], c_mid)  # (C_out, C*M)
    for n in range(x.shape[0]):
        for i0 in range(0, h_out, band):
            i1 = min(h_out, i0 + band)
            rows_read = xp[n : n + 1, :, i0 * sh : (i1 - 1) * sh + (k_h - 1) * dh + 1]
            mid = np.empty((1, c_mid, i1 - i0, w_out), dtype=out.dtype)
            conv2d_reference(
                rows_read, depthwise_weight, None, stride, NO_PADS, dilation, c_in, mid
            )  # (1, C*M, i1 - i0, W_out): this band of the intermediate
            y = np.tensordot(pw, mid[0], axes=1)  # (C_out, i1 - i0, W_out)
            out[n, :, i0:i1] = y if bias is None else y + bias[:, None, None]
    return out


def spatial_bands_reference(
    x: np.ndarray,
    column_weight: np.ndarray,
    row_weight: np.ndarray,
    bias: np.ndarray | None,
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    groups: int,
    out: np.ndarray,
    band: int = 4,
) -> np.ndarray:
    """``kH x 1`` then ``1 x kW``, ``band`` output rows of one image at a time, in NumPy.

    ``column_weight`` (R, C_in // groups, kH, 1), ``row_weight`` (C_out, R // groups, 1, kW);
    stride, pads (zeros) and dilation are the equivalent ``kH x kW`` convolution's: the column
    pass takes their vertical parts, the row pass their horizontal ones. Returns ``out``.

    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> col, row = np.ones((1, 1, 2, 1)), np.array([1.0, -1.0]).reshape(1, 1, 1, 2)
    >>> y = np.empty((1, 1, 3, 3))
    >>> spatial_bands_reference(x, col, row, None, (1, 1), NO_PADS, (1, 1), 1, y)[0, 0]
    array([[-2., -2., -2.],
           [-2., -2., -2.],
           [-2., -2., -2.]])
    """
    (sh, sw), ((top, bottom), (left, right)), (dh, dw) = stride, pads, dilation
    k_h = column_weight.shape[2]
    h_out, w_out = out.shape[2], out.shape[3]
    xp = pad(x, ((top, bottom), (0, 0)), "zeros")  # (N, C_in, H + top + bottom, W)
    r_channels, width = column_weight.shape[0], x.shape[3]
    for n in range(x.shape[0]):
        for i0 in range(0, h_out, band):
            i1 = min(h_out, i0 + band)
            rows_read = xp[n : n + 1, :, i0 * sh : (i1 - 1) * sh + (k_h - 1) * dh + 1]
            mid = np.empty((1, r_channels, i1 - i0, width), dtype=out.dtype)
            # the band of the intermediate: (1, R, i1 - i0, W)
            conv2d_reference(rows_read, column_weight, None, (sh, 1), NO_PADS, (dh, 1), groups, mid)
            block = np.empty((1, out.shape[1], i1 - i0, w_out), dtype=out.dtype)
            conv2d_reference(  # this band of the output: (1, C_out, i1 - i0, W_out)
                mid, row_weight, bias, (1, sw), ((0, 0), (left, right)), (1, dw), groups, block
            )
            out[n, :, i0:i1] = block[0]
    return out


class FusedCall(NamedTuple):
    """A fused kernel ready to run: ``kernel(*args)`` on ``threads`` threads, calling BLAS
    (``gemm``) or not. :func:`conv2d_separable_fused` and :func:`conv2d_spatial_fused` plan
    one and run it; ``python -m refconv.bench.fused --overhead`` times it alone."""

    kernel: Kernel
    threads: int
    gemm: bool
    args: tuple[object, ...]


def run_fused(call: FusedCall) -> None:
    """Run a planned fused kernel, every OpenBLAS pinned to one thread when it calls BLAS."""
    if call.gemm:
        with single_threaded_blas():
            _run(call.kernel, call.threads, call.args)
    else:
        _run(call.kernel, call.threads, call.args)


_layer_loaded = False  # runtime.launch has loaded Numba's threading layer in this process


def _run(kernel: Kernel, threads: int, args: tuple[object, ...]) -> None:
    """One thread runs the kernel's serial twin on the calling thread: entering the parallel
    region costs about as much as a small call's work (``python -m refconv.bench.fused
    --overhead`` times both). The twin asks for no thread id when its workspaces have one row,
    and never enters the pool; but its compiled code, loaded from Numba's cache, needs the
    threading layer loaded (a segmentation fault otherwise), so the first call of a process
    goes through :func:`.runtime.launch`, which loads it and keeps ``fork()`` safe."""
    global _layer_loaded
    if threads == 1 and _layer_loaded:
        kernel.serial(*args)
    else:
        launch(kernel, threads, *args)
        _layer_loaded = True


# -- the fused kernels, planned ---------------------------------------------------------------


def conv2d_separable_fused(
    x: np.ndarray,
    depthwise_weight: np.ndarray,
    pointwise_weight: np.ndarray,
    bias: np.ndarray | None,
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    out: np.ndarray,
    gemm: bool,
) -> np.ndarray:
    """Depthwise then pointwise in one fused kernel (:mod:`.fused_separable`); the same
    arguments as :func:`separable_bands_reference` (C-contiguous, one float dtype, pads the
    zero padding still to apply). ``gemm``: the pointwise step is a GEMM, else loops."""
    run_fused(
        separable_call(
            x, depthwise_weight, pointwise_weight, bias, stride, pads, dilation, out, gemm
        )
    )
    return out


def separable_call(
    x: np.ndarray,
    depthwise_weight: np.ndarray,
    pointwise_weight: np.ndarray,
    bias: np.ndarray | None,
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    out: np.ndarray,
    gemm: bool,
) -> FusedCall:
    """The :class:`FusedCall` of :func:`conv2d_separable_fused` (same arguments)."""
    n_batch = x.shape[0]
    c_mid, _, k_h, k_w = depthwise_weight.shape
    c_out, h_out, w_out = out.shape[1], out.shape[2], out.shape[3]
    (sh, sw), ((top, _), (left, _)), (dh, dw) = stride, pads, dilation
    # a 3x3 kernel is read straight from the input, its border columns skipping the padding:
    # with an Inf or NaN weight those skipped products are NaN, so the tiles make them
    straight = k_h == k_w == 3 and dh == dw == 1 and sw <= 2
    if straight and pads != NO_PADS:
        straight = bool(np.isfinite(depthwise_weight).all())
    work = n_batch * c_mid * h_out * w_out * (k_h * k_w + c_out)  # multiply-adds
    plan = separable_plan(
        x.shape,
        depthwise_weight.shape,
        out.shape,
        stride,
        dilation,
        out.dtype,
        gemm,
        straight,
        thread_plan(work),
        workspace_settings.WORKSPACE_BYTES,
        fused_plan.FUSED_BAND_BYTES,
    )
    threads = plan.threads
    args = (
        x,
        depthwise_weight,
        pointwise_weight.reshape(c_out, c_mid),  # (C_out, C*M)
        plan.bias_zeros if bias is None else bias,
        bias is not None,
        sh,
        sw,
        top,
        left,
        dh,
        dw,
        plan.band,
        plan.chunk,
        workspace("fused tile", (threads, plan.tile_values), out.dtype),
        workspace("fused intermediate", (threads, plan.mid_values), out.dtype),
        plan.zeros,
        straight,
        gemm_address(out.dtype) if gemm else 0,
        gemm,
        out,
    )
    return FusedCall(separable_bands, threads, gemm, args)


def conv2d_spatial_fused(
    x: np.ndarray,
    column_weight: np.ndarray,
    row_weight: np.ndarray,
    bias: np.ndarray | None,
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    groups: int,
    out: np.ndarray,
    gemm1: bool,
    gemm2: bool,
) -> np.ndarray:
    """``kH x 1`` then ``1 x kW`` in one fused kernel (:mod:`.fused_spatial`); the same
    arguments as :func:`spatial_bands_reference`. ``gemm1``, ``gemm2``: the column pass,
    the row pass is a GEMM on band columns, else loops.

    The loops skip products with padded zeros; with an Inf or NaN weight those products are
    NaN, so such a pass, when it has padding, runs as a GEMM, which makes them.
    """
    run_fused(
        spatial_call(
            x, column_weight, row_weight, bias, stride, pads, dilation, groups, out, gemm1, gemm2
        )
    )
    return out


def spatial_call(
    x: np.ndarray,
    column_weight: np.ndarray,
    row_weight: np.ndarray,
    bias: np.ndarray | None,
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    groups: int,
    out: np.ndarray,
    gemm1: bool,
    gemm2: bool,
) -> FusedCall:
    """The :class:`FusedCall` of :func:`conv2d_spatial_fused` (same arguments)."""
    n_batch, _, _, width = x.shape
    r_channels, c_group, k_h, _ = column_weight.shape
    c_out, r_group, _, k_w = row_weight.shape
    h_out, w_out = out.shape[2], out.shape[3]
    (sh, sw), ((top, bottom), (left, right)), (dh, dw) = stride, pads, dilation
    if not gemm1 and top + bottom and not np.isfinite(column_weight).all():
        gemm1 = True
    if not gemm2 and left + right and not np.isfinite(row_weight).all():
        gemm2 = True
    k1, k2 = c_group * k_h, r_group * k_w  # the two reductions
    work = n_batch * h_out * (r_channels * width * k1 + c_out * w_out * k2)  # multiply-adds
    plan = spatial_plan(
        x.shape,
        column_weight.shape,
        row_weight.shape,
        out.shape,
        groups,
        out.dtype,
        gemm1,
        gemm2,
        thread_plan(work),
        workspace_settings.WORKSPACE_BYTES,
        fused_plan.FUSED_BAND_BYTES,
    )
    threads = plan.threads
    args = (
        x,
        column_weight.reshape(groups, r_channels // groups, k1),  # (groups, Rg, Cg*kH)
        row_weight.reshape(groups, c_out // groups, k2),  # (groups, Og, Rg*kW)
        plan.bias_zeros if bias is None else bias,
        bias is not None,
        sh,
        top,
        dh,
        sw,
        left,
        dw,
        plan.band,
        plan.chunk,
        workspace("fused columns", (threads, plan.cols1_values), out.dtype),
        workspace("fused intermediate", (threads, plan.mid_values), out.dtype),
        workspace("fused row columns", (threads, plan.cols2_values), out.dtype),
        gemm_address(out.dtype) if gemm1 or gemm2 else 0,
        gemm1,
        gemm2,
        out,
    )
    return FusedCall(spatial_bands, threads, gemm1 or gemm2, args)
