"""Max pooling, forward and backward: the NumPy spec, then the Numba kernels.

Forward finds each window's maximum and *which tap held it* (``tap = i * kW + j`` for row
``i``, column ``j`` of the window), by PyTorch's own loop: a tap takes over only if it is
strictly larger than the best so far (so the first of equal values wins) or NaN (so a NaN
anywhere makes the output NaN, and the last NaN is the arg-max). The padding is ``-inf``,
which never takes over; a window whose real pixels are all ``-inf`` keeps tap 0, and when
tap 0 is padding its gradient is dropped, as the spec's ``scatter_taps`` drops the padding's
share. Backward sends each output's gradient to the pixel under its tap; a pixel that is the
maximum of several windows collects all their gradients, added tap by tap as the spec adds
them (so the sums round the same way).

==================================  ==========================================================
``max_pool2d_forward_reference``    windows views and ``np.max``; a NumPy pass per tap
``max_pool2d_forward``              Numba, parallel over ``(n, c)`` planes
``max_pool2d_backward_reference``   one strided slice per tap (``windows.scatter_taps``)
``max_pool2d_backward``             Numba, parallel over ``(n, c)`` planes
==================================  ==========================================================

Each pair has one signature: ``x`` (or the gradient) is ``(..., H, W)`` (``(N, C, H, W)``
or ``(C, H, W)``), ``geometry`` a checked :class:`~.windows.PoolGeometry`.

>>> import numpy as np
>>> from refconv.nn.ops.windows import pool_geometry
>>> x = np.array([[[1.0, 3.0, 3.0], [0.0, 2.0, 3.0]]])         # (C, H, W) = (1, 2, 3)
>>> geometry = pool_geometry(x, 2, 1, 0, 1, "MaxPool2d")
>>> y, taps = max_pool2d_forward(x, geometry)
>>> y                                      # (C, H_out, W_out)
array([[[3., 3.]]])
>>> taps                                   # window 2 holds 3 at taps 0, 1 and 3: the first
array([[[1, 0]]], dtype=int32)
>>> max_pool2d_backward(np.array([[[10.0, 20.0]]]), taps, geometry, x.shape)
array([[[ 0., 30.,  0.],
        [ 0.,  0.,  0.]]])
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange, uint64

from ...kernels.rows import fill, inside
from ...kernels.runtime import INLINE_JIT, kernel, launch, thread_plan
from ...kernels.workspace import new_output
from .windows import PoolGeometry, padded, scatter_taps, windows

# -- the spec ------------------------------------------------------------------------------------


def tap_dtype(geometry: PoolGeometry) -> np.dtype:
    """The integer type that holds every tap of a window: int32 (4 bytes an output, half the
    memory traffic of int64), unless a window has 2**31 taps or more."""
    kh, kw = geometry.kernel
    return np.dtype(np.int32 if kh * kw <= np.iinfo(np.int32).max else np.int64)


def max_pool2d_forward_reference(
    x: np.ndarray, geometry: PoolGeometry
) -> tuple[np.ndarray, np.ndarray]:
    """Each window's maximum and the tap that held it, by NumPy over windows views.

    Parameters
    ----------
    x : ndarray, shape (..., H, W), float32 or float64
    geometry : PoolGeometry

    Returns
    -------
    y : ndarray, shape (..., H_out, W_out), x's dtype
    taps : ndarray, shape (..., H_out, W_out), int32 (int64 for windows of 2**31 taps or more)
        ``i * kW + j`` for the window's arg-max at row ``i``, column ``j`` of the window.
    """
    views = windows(padded(x, geometry, -np.inf), geometry)  # (..., Ho, Wo, kH, kW)
    y = np.max(views, axis=(-2, -1)).astype(x.dtype, copy=False)
    kh, kw = geometry.kernel
    # PyTorch's loop over the window, row by row, run for every window at once: a tap takes
    # over only if strictly larger (so the first of equal values wins) or NaN.
    best = views[..., 0, 0]  # (..., Ho, Wo)
    taps = np.zeros(best.shape, dtype=tap_dtype(geometry))
    for tap in range(1, kh * kw):
        value = views[..., tap // kw, tap % kw]
        takes_over = (value > best) | np.isnan(value)
        best = np.where(takes_over, value, best)
        taps[takes_over] = tap
    return y, taps


def max_pool2d_backward_reference(
    grad_output: np.ndarray, taps: np.ndarray, geometry: PoolGeometry, shape: tuple[int, ...]
) -> np.ndarray:
    """The input gradient, ``shape`` (``(..., H, W)``): each output's gradient
    (``(..., H_out, W_out)``) to the pixel under its tap, one strided slice per tap."""
    kw = geometry.kernel[1]
    return scatter_taps(
        lambda i, j: np.where(taps == i * kw + j, grad_output, 0),
        shape,
        grad_output.dtype,
        geometry,
    )


# -- the kernels ---------------------------------------------------------------------------------


@INLINE_JIT
def max_row(
    y: np.ndarray,
    taps: np.ndarray,
    y0: int,
    x: np.ndarray,
    x0: int,
    step: int,
    count: int,
    tap: int,
) -> None:
    """``y[y0 + k]`` takes ``x[x0 + k*step]``, and ``taps[y0 + k]`` takes ``tap``, where that
    value is strictly larger or NaN, for ``k < count`` (flat arrays): one tap for a row of
    windows.

    Every value is loaded before the comparison and both stores always happen: a select, not
    a branch, which LLVM vectorises (a ``taps`` load only in the ``else`` arm stayed a branch:
    7x slower on random data, where the branch is a coin toss).
    """
    d = uint64(y0)
    s = uint64(x0)
    if step == 2:  # the usual pooling stride, a constant for LLVM
        s2 = uint64(2)
        for k in range(count):
            u = uint64(k)
            value, best, old = x[s + s2 * u], y[d + u], taps[d + u]
            takes_over = (value > best) | (value != value)
            y[d + u] = value if takes_over else best
            taps[d + u] = tap if takes_over else old
    else:
        st = uint64(step)
        for k in range(count):
            u = uint64(k)
            value, best, old = x[s + st * u], y[d + u], taps[d + u]
            takes_over = (value > best) | (value != value)
            y[d + u] = value if takes_over else best
            taps[d + u] = tap if takes_over else old


@kernel
def max_planes(
    x: np.ndarray,
    kh: int,
    kw: int,
    sh: int,
    sw: int,
    ph: int,
    pw: int,
    dh: int,
    dw: int,
    y: np.ndarray,
    taps: np.ndarray,
) -> None:
    """``y`` and ``taps`` (P, H_out, W_out) of the planes ``x`` (P, H, W).

    A row of windows at a time: the row starts as all padding (``-inf``, tap 0), then each
    tap in the spec's order runs over the columns whose pixel lies inside the image.
    """
    planes, height, width = x.shape
    h_out, w_out = y.shape[1], y.shape[2]
    # the output columns [lo, hi) whose pixel under tap column b is inside the image: the
    # same for every row, worked out once (integer divisions cost more than a short row)
    col_lo = np.empty(kw, dtype=np.int64)
    col_hi = np.empty(kw, dtype=np.int64)
    for b in range(kw):
        col_lo[b], col_hi[b] = inside(b * dw - pw, sw, width, w_out)
    xf = x.reshape(-1)  # flat views, made once
    yf = y.reshape(-1)
    tf = taps.reshape(-1)
    for p in prange(planes):  # y[p] and taps[p] are this task's alone
        for i in range(h_out):
            row = (p * h_out + i) * w_out  # flat index of y[p, i, 0]
            fill(yf, row, w_out, -np.inf)
            fill(tf, row, w_out, 0)
            for a in range(kh):
                r = i * sh + a * dh - ph
                if r < 0 or r >= height:  # a padded row: -inf never takes over
                    continue
                source = (p * height + r) * width  # flat index of x[p, r, 0]
                for b in range(kw):
                    lo, hi = col_lo[b], col_hi[b]
                    if hi > lo:
                        start = source + lo * sw + b * dw - pw  # x[p, r, lo*sw + b*dw - pw]
                        max_row(yf, tf, row + lo, xf, start, sw, hi - lo, a * kw + b)


@kernel
def scatter_planes(
    g: np.ndarray,
    taps: np.ndarray,
    kh: int,
    kw: int,
    sh: int,
    sw: int,
    ph: int,
    pw: int,
    dh: int,
    dw: int,
    tap_by_tap: bool,
    out: np.ndarray,
) -> None:
    """``out`` (P, H, W): each gradient of ``g`` (P, H_out, W_out) added at its tap's pixel.

    With ``tap_by_tap`` (windows that overlap), the outputs are visited once per tap and add
    only where their tap is that one: the spec's order of additions.
    """
    planes, height, width = out.shape
    h_out, w_out = g.shape[1], g.shape[2]
    # each tap's row and column offset in its window (no division per output)
    tap_row = np.empty(kh * kw, dtype=np.int64)
    tap_col = np.empty(kh * kw, dtype=np.int64)
    for t in range(kh * kw):
        tap_row[t] = (t // kw) * dh - ph
        tap_col[t] = (t % kw) * dw - pw
    gf = g.reshape(-1)
    tf = taps.reshape(-1)
    of = out.reshape(-1)
    for p in prange(planes):  # out[p] is this task's alone
        fill(of, p * height * width, height * width, 0.0)
        for t in range(kh * kw if tap_by_tap else 1):
            for i in range(h_out):
                row = (p * h_out + i) * w_out  # flat index of g[p, i, 0]
                for j in range(w_out):
                    tap = tf[row + j]
                    if tap_by_tap and tap != t:
                        continue
                    r = i * sh + tap_row[tap]
                    c = j * sw + tap_col[tap]
                    if 0 <= r < height and 0 <= c < width:  # a padded tap's share is dropped
                        of[(p * height + r) * width + c] += gf[row + j]


def _planes(shape: tuple[int, ...]) -> int:
    """How many (H, W) planes an array of ``shape`` (..., H, W) holds."""
    return math.prod(shape[:-2])


def max_pool2d_forward(x: np.ndarray, geometry: PoolGeometry) -> tuple[np.ndarray, np.ndarray]:
    """The maximum and its tap per window by a Numba kernel; same signature and results as
    :func:`max_pool2d_forward_reference`."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (h, w), (ho, wo) = geometry
    planes = np.ascontiguousarray(x).reshape(_planes(x.shape), h, w)  # (P, H, W)
    y = new_output((planes.shape[0], ho, wo), x.dtype)  # (P, H_out, W_out)
    taps = new_output(y.shape, tap_dtype(geometry))
    threads = thread_plan(y.size * kh * kw)  # comparisons
    launch(max_planes, threads, planes, kh, kw, sh, sw, ph, pw, dh, dw, y, taps)
    out_shape = (*x.shape[:-2], ho, wo)
    return y.reshape(out_shape), taps.reshape(out_shape)


def max_pool2d_backward(
    grad_output: np.ndarray, taps: np.ndarray, geometry: PoolGeometry, shape: tuple[int, ...]
) -> np.ndarray:
    """The input gradient by a Numba kernel; same signature and results as
    :func:`max_pool2d_backward_reference`."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (h, w), (ho, wo) = geometry
    count = _planes(shape)
    g = np.ascontiguousarray(grad_output).reshape(count, ho, wo)  # (P, H_out, W_out)
    t = np.ascontiguousarray(taps).reshape(count, ho, wo)
    out = new_output((count, h, w), grad_output.dtype)  # (P, H, W)
    # windows overlap when a stride is shorter than the window's span: then a pixel may
    # collect several gradients, added in the spec's order
    overlap = sh < dh * (kh - 1) + 1 or sw < dw * (kw - 1) + 1
    threads = thread_plan(out.size + (kh * kw if overlap else 1) * g.size)
    launch(scatter_planes, threads, g, t, kh, kw, sh, sw, ph, pw, dh, dw, overlap, out)
    return out.reshape(shape)
