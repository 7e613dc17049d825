"""The gradients by im2col + GEMM, in bounded-memory bands.

The forward pass (:mod:`refconv.kernels.im2col`) computes, per image ``n``, group ``g`` and
band of output rows, ``y_band = W[g] @ cols`` with ``W[g]`` (Og, K), ``K = Cg*kH*kW``, and
``cols`` (K, m) the band's im2col columns (``m`` output pixels). Its two gradients are the
two other products of the same three matrices::

    dL/dW[g]  += G_band @ cols.T       (Og, m) @ (m, K): summed over images and bands
    dL/dcols   = W[g].T @ G_band       (K, Og) @ (Og, m), then col2im: each column value
                                        added back to the input pixel it was copied from

:func:`weight_gemm` computes the first as ``cols @ G_band.T`` (K, Og) -- the transpose of the
same product -- so that both operands are read in place: ``cols`` as built, and ``G_band``
as it lies in the output gradient, transposed by BLAS (:func:`~refconv.kernels.gemm.matmul_nt`;
a transposed copy of the output gradient cost 2.4 ms for 64 images of 32 channels of 32x32,
more than the GEMMs). It runs parallel over (group, block of input channels): each task
builds the columns of its own channels only and owns their rows of ``dW``, so no task
repeats another's work or writes its values.

:func:`input_gemm` computes the second per (image, group, block of input channels): each
task owns its input planes, and adds each band's columns back into them (:func:`col2im`).
``W.T`` is one small transposed copy of the weight.

Every buffer comes from :func:`refconv.kernels.workspace.workspace` (one row per thread):
columns (K_block, band*W_out), and for the weight gradient a product and a running sum
(K_block, Og); bands are cut so that they fit ``WORKSPACE_BYTES``.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import prange

from ..arguments import Pads, Pair
from ..kernels import workspace as workspace_settings
from ..kernels.blas import gemm_address, single_threaded_blas
from ..kernels.gemm import matmul, matmul_nt
from ..kernels.im2col import rows_per_band
from ..kernels.rows import copy_row, fill, inside
from ..kernels.runtime import SERIAL_JIT, kernel, launch, thread_plan
from ..kernels.workspace import workspace
from .rows import scatter_add


@SERIAL_JIT
def columns(
    cf: np.ndarray,
    xf: np.ndarray,
    plane0: int,
    channels: int,
    height: int,
    width: int,
    geometry: tuple[int, int, int, int, int, int, int, int],
    r0: int,
    rows: int,
    w_out: int,
) -> None:
    """im2col of ``channels`` input planes from ``plane0`` (flat ``x[n, c]`` numbering), for
    output rows ``r0 .. r0 + rows - 1``: ``cf`` holds (channels*kH*kW, rows*W_out), flat.
    ``geometry`` is ``(sh, sw, top, left, dh, dw, kH, kW)``."""
    sh, sw, pt, pl, dh, dw, k_h, k_w = geometry
    taps = k_h * k_w
    for k in range(channels * taps):  # k = (c, p, q) flattened
        c = k // taps
        p = (k // k_w) % k_h
        q = k % k_w
        offset = q * dw - pl  # input column of output column 0 for this tap
        lo, hi = inside(offset, sw, width, w_out)
        for r in range(rows):
            dst = (k * rows + r) * w_out  # cols[k, r * W_out]
            ih = (r0 + r) * sh + p * dh - pt
            if ih < 0 or ih >= height:  # a padded row: zeros
                fill(cf, dst, w_out, 0.0)
                continue
            src = ((plane0 + c) * height + ih) * width + lo * sw + offset
            copy_row(cf, dst, xf, src, lo, hi, sw)  # zeros left of the image, then the image
            fill(cf, dst + hi, w_out - hi, 0.0)  # zeros right of the image


@SERIAL_JIT
def col2im(
    of: np.ndarray,
    cf: np.ndarray,
    plane0: int,
    channels: int,
    height: int,
    width: int,
    geometry: tuple[int, int, int, int, int, int, int, int],
    r0: int,
    rows: int,
    w_out: int,
) -> None:
    """The adjoint of :func:`columns`: each value of ``cf`` (channels*kH*kW, rows*W_out) added
    to the input pixel it would have been copied from; values on padding are dropped."""
    sh, sw, pt, pl, dh, dw, k_h, k_w = geometry
    taps = k_h * k_w
    for k in range(channels * taps):
        c = k // taps
        p = (k // k_w) % k_h
        q = k % k_w
        offset = q * dw - pl
        lo, hi = inside(offset, sw, width, w_out)
        if hi <= lo:
            continue
        for r in range(rows):
            ih = (r0 + r) * sh + p * dh - pt
            if ih < 0 or ih >= height:
                continue
            dst = ((plane0 + c) * height + ih) * width + lo * sw + offset
            scatter_add(of, dst, sw, cf, (k * rows + r) * w_out + lo, hi - lo)


@kernel
def weight_gemm(
    x: np.ndarray,
    g3: np.ndarray,
    geometry: tuple[int, int, int, int, int, int, int, int],
    h_out: int,
    w_out: int,
    band: int,
    chunk: int,
    cols_ws: np.ndarray,
    prod_ws: np.ndarray,
    sum_ws: np.ndarray,
    gemm: int,
    out: np.ndarray,
) -> np.ndarray:
    k_h, k_w = geometry[6], geometry[7]  # (sh, sw, top, left, dh, dw, kH, kW)
    n_batch, c_in, height, width = x.shape
    c_out, c_group = out.shape[0], out.shape[1]
    groups = c_in // c_group
    o_group = c_out // groups
    taps = k_h * k_w
    chunks = (c_group + chunk - 1) // chunk
    bands = (h_out + band - 1) // band
    xf = x.reshape(-1)
    of = out.reshape(-1)
    for t in prange(groups * chunks):  # t = (group, block of input channels [c0, c1))
        c0 = (t % chunks) * chunk
        c1 = min(c_group, c0 + chunk)
        group = t // chunks
        k = (c1 - c0) * taps  # rows of this block's columns
        me = numba.get_thread_id()  # each thread has its own rows of the workspaces
        total = sum_ws[me, : k * o_group].reshape(k, o_group)  # the running dW block, transposed
        product = prod_ws[me, : k * o_group].reshape(k, o_group)
        fill(total.reshape(-1), 0, k * o_group, 0.0)
        for n in range(n_batch):
            for b in range(bands):
                r0 = b * band
                rows = min(h_out, r0 + band) - r0
                m = rows * w_out
                cols = cols_ws[me, : k * m].reshape(k, m)  # (K_block, band pixels)
                plane0 = n * c_in + group * c_group + c0
                columns(
                    cols.reshape(-1), xf, plane0, c1 - c0, height, width, geometry, r0, rows, w_out
                )
                grad = g3[n, group * o_group : (group + 1) * o_group, r0 * w_out : r0 * w_out + m]
                matmul_nt(gemm, cols, grad, product)  # (K_block, m) @ (Og, m).T
                for a in range(k):
                    for o in range(o_group):
                        total[a, o] += product[a, o]
        for a in range(k):  # dW[group*Og + o, c0 + a // taps, p, q] = total[a, o]
            for o in range(o_group):
                of[((group * o_group + o) * c_group + c0) * taps + a] = total[a, o]
    return out


@kernel
def input_gemm(
    g3: np.ndarray,
    w_t: np.ndarray,
    geometry: tuple[int, int, int, int, int, int, int, int],
    h_out: int,
    w_out: int,
    band: int,
    chunk: int,
    cols_ws: np.ndarray,
    gemm: int,
    out: np.ndarray,
) -> np.ndarray:
    k_h, k_w = geometry[6], geometry[7]  # (sh, sw, top, left, dh, dw, kH, kW)
    groups, _, o_group = w_t.shape
    n_batch, c_in, height, width = out.shape
    c_group = c_in // groups
    taps = k_h * k_w
    chunks = (c_group + chunk - 1) // chunk
    bands = (h_out + band - 1) // band
    of = out.reshape(-1)
    for t in prange(n_batch * groups * chunks):  # t = (n, group, block of channels [c0, c1))
        c0 = (t % chunks) * chunk
        c1 = min(c_group, c0 + chunk)
        group = (t // chunks) % groups
        n = t // (chunks * groups)
        plane0 = n * c_in + group * c_group + c0  # this task's input planes: its alone
        fill(of, plane0 * height * width, (c1 - c0) * height * width, 0.0)
        k = (c1 - c0) * taps
        me = numba.get_thread_id()
        for b in range(bands):
            r0 = b * band
            rows = min(h_out, r0 + band) - r0
            m = rows * w_out
            cols = cols_ws[me, : k * m].reshape(k, m)  # dL/dcols of the band
            grad = g3[n, group * o_group : (group + 1) * o_group, r0 * w_out : r0 * w_out + m]
            matmul(gemm, w_t[group, c0 * taps : c1 * taps], grad, cols)  # (K_block, Og) @ (Og, m)
            col2im(of, cols.reshape(-1), plane0, c1 - c0, height, width, geometry, r0, rows, w_out)
    return out


def channel_blocks(tasks: int, c_group: int, threads: int) -> int:
    """Input channels per task: all ``c_group`` of a group when the ``tasks`` (images x
    groups) keep every thread busy, else split so that there are about as many tasks as
    threads."""
    if tasks >= threads:
        return c_group
    return -(-c_group // min(c_group, -(-threads // tasks)))


def _plan(
    k: int, extra: int, h_out: int, w_out: int, itemsize: int, threads: int
) -> tuple[int, int]:
    """(band, columns buffer size): output rows per band such that ``k`` column values a
    pixel, plus ``extra`` values a thread, fit the per-thread share of ``WORKSPACE_BYTES``."""
    budget = max(0, workspace_settings.WORKSPACE_BYTES // threads - extra * itemsize)
    band = rows_per_band(k, w_out, h_out, itemsize, budget)
    return band, k * band * w_out


def conv2d_input_im2col(
    grad_output: np.ndarray,
    weight: np.ndarray,
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    groups: int,
    out: np.ndarray,
) -> np.ndarray:
    """The input gradient as GEMM + col2im; same signature as
    :func:`~.reference.conv2d_input_reference`."""
    n_batch, c_out, h_out, w_out = grad_output.shape
    _, c_group, k_h, k_w = weight.shape
    o_group = c_out // groups
    threads = thread_plan(grad_output.size * weight[0].size)
    chunk = channel_blocks(n_batch * groups, c_group, threads)
    # (groups, Cg*kH*kW, Og): W[g].T, one small copy
    w_t = np.ascontiguousarray(weight.reshape(groups, o_group, -1).transpose(0, 2, 1))
    band, cols_size = _plan(chunk * k_h * k_w, 0, h_out, w_out, out.itemsize, threads)
    cols_ws = workspace("grad columns", (threads, cols_size), out.dtype)
    (top, _), (left, _) = pads
    geometry = (*stride, top, left, *dilation, k_h, k_w)
    with single_threaded_blas():
        launch(
            input_gemm,
            threads,
            grad_output.reshape(n_batch, c_out, h_out * w_out),
            w_t,
            geometry,
            h_out,
            w_out,
            band,
            chunk,
            cols_ws,
            gemm_address(out.dtype),
            out,
        )
    return out


def conv2d_weight_im2col(
    x: np.ndarray,
    grad_output: np.ndarray,
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    groups: int,
    out: np.ndarray,
) -> np.ndarray:
    """The weight gradient as im2col + GEMM; same signature as
    :func:`~.reference.conv2d_weight_reference`."""
    n_batch, c_out, h_out, w_out = grad_output.shape
    _, c_group, k_h, k_w = out.shape
    o_group = c_out // groups
    threads = thread_plan(grad_output.size * out[0].size)
    chunk = channel_blocks(groups, c_group, threads)
    k = chunk * k_h * k_w
    g3 = grad_output.reshape(n_batch, c_out, h_out * w_out)  # (N, C_out, H_out*W_out)
    band, cols_size = _plan(k, 2 * k * o_group, h_out, w_out, out.itemsize, threads)
    cols_ws = workspace("grad columns", (threads, cols_size), out.dtype)
    prod_ws = workspace("grad product", (threads, k * o_group), out.dtype)
    sum_ws = workspace("grad sum", (threads, k * o_group), out.dtype)
    (top, _), (left, _) = pads
    geometry = (*stride, top, left, *dilation, k_h, k_w)
    with single_threaded_blas():
        launch(
            weight_gemm,
            threads,
            x,
            g3,
            geometry,
            h_out,
            w_out,
            band,
            chunk,
            cols_ws,
            prod_ws,
            sum_ws,
            gemm_address(out.dtype),
            out,
        )
    return out
