"""im2col + GEMM: turn a convolution into matrix products, in bounded-memory bands.

For one image ``n``, one group ``g`` (``Cg = C_in // groups``, ``Og = C_out // groups``) and a
band of output rows ``r0 <= i < r1``::

    cols[(c, p, q), (i, j)] = xp[n, g*Cg + c, i*sh + p*dh, j*sw + q*dw]   # (Cg*kH*kW, rows*W_out)
    y[n, g*Og:(g+1)*Og, r0:r1] = w[g].reshape(Og, Cg*kH*kW) @ cols       # (Og, rows*W_out)

``cols`` repeats every input pixel up to kH*kW times, so building it whole can take far more
memory than the input: a (1, 8, 2048, 2048) float32 input with a 7x7 kernel would need
8*49 * 2042*2042 * 4 bytes = 6.5 GB. Here it is built one band of output rows at a time, and
the bands that run at once (one per thread), columns and GEMM products, together fit
``WORKSPACE_BYTES`` (256 MiB by default; a band is never narrower than one output row).
The buffers are kept between calls, per calling thread and dtype (:mod:`.workspace`):
reusing them saves the page faults of fresh allocations.

One ``prange`` runs over (image, group, band, chunk of output channels): each task builds its
band's columns (:func:`_band_columns`), multiplies them by its channels' weights
(:func:`.gemm.matmul`: NumPy's OpenBLAS, pinned to one thread by :mod:`.blas` so that only
Numba's pool runs) and stores the result with the bias. The channels are split only when the
(image, group, band) blocks are fewer than the threads (:func:`channel_chunk`): one small
image, such as the TDS example's 12x12, would otherwise leave all but one thread idle.

A 1x1 convolution with stride 1 and no padding needs no columns at all:
its ``cols`` *is* the input, viewed as ``(C_in, H*W)``, so :func:`pointwise_gemm` multiplies
it directly, the tasks splitting the output channels instead.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import prange

from ..arguments import Pads, Pair
from . import workspace as workspace_settings
from .blas import gemm_address, single_threaded_blas
from .gemm import matmul
from .rows import copy_row, fill, inside
from .runtime import SERIAL_JIT, kernel, launch, thread_plan
from .workspace import workspace

# Tasks per thread when there are fewer images than threads: bands of output rows for im2col
# (two each, so that a late thread does not hold up the call), output-channel chunks for 1x1.
IM2COL_TASKS_PER_THREAD = 2
POINTWISE_TASKS_PER_THREAD = 1
MIN_BAND_PIXELS = 256  # a band's GEMM has at least this many columns (if the image has them)
MIN_CHUNK_CHANNELS = 16  # output channels per task, at least, when tasks split the channels


@SERIAL_JIT
def _band_columns(
    cols: np.ndarray,
    xf: np.ndarray,
    plane0: int,
    height: int,
    width: int,
    k_h: int,
    k_w: int,
    sh: int,
    sw: int,
    pt: int,
    pl: int,
    dh: int,
    dw: int,
    r0: int,
    w_out: int,
) -> None:
    """im2col of one band: ``cols`` (Cg*kH*kW, rows*W_out) for output rows ``r0 ..``.

    ``plane0 = n*C_in + g*Cg`` numbers the group's first input plane ``x[n, g*Cg]``.
    """
    rows = cols.shape[1] // w_out
    taps = k_h * k_w
    cf = cols.reshape(-1)
    # Unit strides and an output as wide as the input ("same" width): a row of cols is the
    # input plane itself, shifted, so a tap's rows are one contiguous copy. Only the values
    # that wrapped around from the neighbouring row are wrong, and they are exactly the
    # padded positions, which are then set to zero.
    flat = sh == 1 and sw == 1 and w_out == width
    for k in range(cols.shape[0]):  # k = (c, p, q) flattened
        c = k // taps
        p = (k // k_w) % k_h
        q = k % k_w
        offset = q * dw - pl  # input column of output column 0 for this tap
        lo, hi = inside(offset, sw, width, w_out)
        if flat:
            # band rows r whose input row r0 + r + p*dh - pt lies inside the image
            first = min(rows, max(0, pt - p * dh - r0))
            last = max(first, min(rows, height + pt - p * dh - r0))
            fill(cf, k * rows * w_out, first * w_out, 0.0)
            fill(cf, (k * rows + last) * w_out, (rows - last) * w_out, 0.0)
            if last > first:
                src = ((plane0 + c) * height + r0 + first + p * dh - pt) * width + offset
                dst = (k * rows + first) * w_out
                count = (last - first) * w_out
                # values before the array's start or past its end are padding (the tap
                # reaches far beyond the image): zeros, at most the whole run of `count`
                skip = min(count, max(0, -src))
                keep = max(skip, min(count, xf.shape[0] - src))
                fill(cf, dst, skip, 0.0)
                copy_row(cf, dst + skip, xf, src + skip, 0, keep - skip, 1)
                fill(cf, dst + keep, count - keep, 0.0)
                if lo > 0 or hi < w_out:
                    for r in range(first, last):  # the wrapped values: padding columns
                        row = (k * rows + r) * w_out
                        fill(cf, row, lo, 0.0)
                        fill(cf, row + hi, w_out - hi, 0.0)
            continue
        for r in range(rows):
            dst = (k * rows + r) * w_out  # flat index of cols[k, r * W_out]
            ih = (r0 + r) * sh + p * dh - pt
            if ih < 0 or ih >= height:  # a padded row: all zeros
                fill(cf, dst, w_out, 0.0)
                continue
            src = ((plane0 + c) * height + ih) * width + lo * sw + offset
            copy_row(cf, dst, xf, src, lo, hi, sw)  # zeros left of the image, then the image
            fill(cf, dst + hi, w_out - hi, 0.0)  # zeros right of the image


@SERIAL_JIT
def _store(
    of: np.ndarray,
    base: int,
    product: np.ndarray,
    bias0: int,
    b: np.ndarray,
    row_length: int,
) -> None:
    """``out`` rows from a GEMM result: ``of[base + o*row_length + j] = product[o, j] + b``."""
    for o in range(product.shape[0]):
        start = base + o * row_length
        bias = b[bias0 + o]
        for j in range(product.shape[1]):
            of[start + j] = product[o, j] + bias


@SERIAL_JIT
def _add_bias(block: np.ndarray, b: np.ndarray, bias0: int) -> None:
    """``block[o, j] += b[bias0 + o]`` for a (channels, pixels) block of the output."""
    for o in range(block.shape[0]):
        bias = b[bias0 + o]
        for j in range(block.shape[1]):
            block[o, j] += bias


@kernel
def im2col_gemm(
    x: np.ndarray,
    w2: np.ndarray,
    b: np.ndarray,
    has_bias: bool,
    k_h: int,
    k_w: int,
    sh: int,
    sw: int,
    pt: int,
    pl: int,
    dh: int,
    dw: int,
    band: int,
    chunk: int,
    cols_ws: np.ndarray,
    prod_ws: np.ndarray,
    gemm: int,
    out: np.ndarray,
) -> np.ndarray:
    n_batch, c_in, height, width = x.shape
    groups, o_group, k = w2.shape
    c_group = c_in // groups
    c_out, h_out, w_out = out.shape[1], out.shape[2], out.shape[3]
    bands = (h_out + band - 1) // band
    chunks = (o_group + chunk - 1) // chunk
    xf = x.reshape(-1)
    of = out.reshape(-1)
    for t in prange(n_batch * groups * bands * chunks):  # t = (n, g, band, chunk of channels)
        o0 = (t % chunks) * chunk  # output channels [o0, o1) of group g: disjoint blocks
        o1 = min(o_group, o0 + chunk)
        r0 = ((t // chunks) % bands) * band
        g = (t // (chunks * bands)) % groups
        n = t // (chunks * bands * groups)
        m = (min(h_out, r0 + band) - r0) * w_out  # output pixels in this band
        me = numba.get_thread_id()  # each thread has its own rows of the workspaces
        cols = cols_ws[me, : k * m].reshape(k, m)  # (Cg*kH*kW, rows*W_out)
        _band_columns(
            cols,
            xf,
            n * c_in + g * c_group,
            height,
            width,
            k_h,
            k_w,
            sh,
            sw,
            pt,
            pl,
            dh,
            dw,
            r0,
            w_out,
        )
        first = g * o_group + o0  # output channel of the chunk's first row
        if bands == 1:  # the band is the whole plane: out[n, first:first + rows] is contiguous
            block = out[n, first : g * o_group + o1].reshape(o1 - o0, m)
            matmul(gemm, w2[g, o0:o1], cols, block)  # (rows, H_out*W_out), straight into out
            if has_bias:  # a pass over the block: skipped without a bias
                _add_bias(block, b, first)
            continue
        product = prod_ws[me, : (o1 - o0) * m].reshape(o1 - o0, m)
        matmul(gemm, w2[g, o0:o1], cols, product)  # (rows, band rows*W_out)
        # out[n, first + o, r0:r0+rows, :] is contiguous: rows*W_out values per channel
        _store(of, ((n * c_out + first) * h_out + r0) * w_out, product, first, b, h_out * w_out)
    return out


@kernel
def pointwise_gemm(
    x3: np.ndarray,
    w2: np.ndarray,
    b: np.ndarray,
    has_bias: bool,
    chunk: int,
    gemm: int,
    out3: np.ndarray,
) -> np.ndarray:
    n_batch = x3.shape[0]
    groups, o_group, c_group = w2.shape
    chunks = (o_group + chunk - 1) // chunk
    for t in prange(n_batch * groups * chunks):  # t = (n, g, chunk of output channels)
        o0 = (t % chunks) * chunk
        g = (t // chunks) % groups
        n = t // (chunks * groups)
        o1 = min(o_group, o0 + chunk)
        product = out3[n, g * o_group + o0 : g * o_group + o1]  # (o1 - o0, H*W), contiguous
        matmul(gemm, w2[g, o0:o1], x3[n, g * c_group : (g + 1) * c_group], product)
        if has_bias:
            _add_bias(product, b, g * o_group + o0)
    return out3


def rows_per_band(
    k: int, w_out: int, h_out: int, itemsize: int, budget: int, tasks_wanted: int = 1
) -> int:
    """Output rows per band: ``k * w_out * itemsize`` bytes a row, within ``budget``; >= 1 row.

    ``tasks_wanted`` splits each image into that many bands at least (when it has the rows),
    so that a single image still gives every thread work.
    """
    fit = budget // max(1, k * w_out * itemsize)
    split = -(-h_out // max(1, tasks_wanted))
    return max(1, min(h_out, fit, split))


def band_plan(
    n_batch: int,
    groups: int,
    k: int,
    o_group: int,
    h_out: int,
    w_out: int,
    itemsize: int,
    threads: int,
) -> tuple[int, int, int]:
    """How :func:`conv2d_im2col` cuts the work: ``(band, cols_size, product_size)``.

    ``band`` output rows per task; each of the ``threads`` threads gets a columns buffer of
    ``cols_size`` values and a GEMM product buffer of ``product_size`` (none when a band is a
    whole plane: the GEMM then writes into the output). All of them fit
    ``WORKSPACE_BYTES`` unless a single output row does not.
    """
    per_image = -(-IM2COL_TASKS_PER_THREAD * threads // (n_batch * groups))
    # per thread; a row of a band takes k column values and o_group product values
    budget = workspace_settings.WORKSPACE_BYTES // threads
    band = rows_per_band(k + o_group, w_out, h_out, itemsize, budget, per_image)
    thin = min(h_out, -(-MIN_BAND_PIXELS // w_out))  # GEMMs not too thin...
    band = max(band, min(thin, rows_per_band(k + o_group, w_out, h_out, itemsize, budget)))
    product_size = 0 if band == h_out else o_group * band * w_out  # ...if the budget allows
    return band, k * band * w_out, product_size


def channel_chunk(tasks: int, o_group: int, threads: int) -> int:
    """Output channels per task: all of a group's ``o_group``, unless the ``tasks`` blocks of
    (image, group, band) are fewer than the threads -- a small image, e.g. the TDS example's 8x8
    output with 256 filters -- when the channels are split as well, so that every thread gets
    a share of the GEMM (at least ``MIN_CHUNK_CHANNELS`` channels each)."""
    if tasks >= threads:
        return o_group
    chunks = min(-(-threads // tasks), max(1, o_group // MIN_CHUNK_CHANNELS))
    return -(-o_group // chunks)


def conv2d_im2col(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None,
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    groups: int,
    out: np.ndarray,
) -> np.ndarray:
    """Grouped 2-D cross-correlation as im2col + GEMM; same signature as ``conv2d_reference``."""
    n_batch, c_in, height, width = x.shape
    c_out, c_group, k_h, k_w = weight.shape
    h_out, w_out = out.shape[2], out.shape[3]
    o_group = c_out // groups
    k = c_group * k_h * k_w
    w2 = weight.reshape(groups, o_group, k)  # (groups, Og, Cg*kH*kW)
    b = np.zeros(c_out, dtype=out.dtype) if bias is None else bias
    work = out.size * k  # multiply-adds
    threads = thread_plan(work)
    (top, _), (left, _) = pads
    gemm = gemm_address(out.dtype)  # NumPy's OpenBLAS, or 0: np.dot (see blas.py)
    with single_threaded_blas():
        if (k_h, k_w) == (1, 1) and stride == (1, 1) and pads == ((0, 0), (0, 0)):
            # 1x1: the columns are the input itself; tasks split the output channels
            per_image = max(1, -(-POINTWISE_TASKS_PER_THREAD * threads // (n_batch * groups)))
            chunk = -(-o_group // per_image)
            launch(
                pointwise_gemm,
                threads,
                x.reshape(n_batch, c_in, height * width),
                w2,
                b,
                bias is not None,
                chunk,
                gemm,
                out.reshape(n_batch, c_out, h_out * w_out),
            )
            return out
        band, cols_size, product_size = band_plan(
            n_batch, groups, k, o_group, h_out, w_out, out.itemsize, threads
        )
        cols_ws = workspace("cols", (threads, cols_size), out.dtype)
        prod_ws = workspace("product", (threads, product_size), out.dtype)
        tasks = n_batch * groups * -(-h_out // band)
        chunk = channel_chunk(tasks, o_group, threads)
        one_task = tasks == 1 and chunk == o_group  # nothing to share out
        launch(
            im2col_gemm,
            1 if one_task else threads,
            x,
            w2,
            b,
            bias is not None,
            k_h,
            k_w,
            stride[0],
            stride[1],
            top,
            left,
            dilation[0],
            dilation[1],
            band,
            chunk,
            cols_ws,
            prod_ws,
            gemm,
            out,
        )
    return out
