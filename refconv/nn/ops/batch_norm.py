"""Batch normalisation, forward in training mode and backward: the NumPy spec, then Numba.

Per channel ``c``, over the ``m = N*H*W`` values of ``x[:, c]``::

    mean = sum(x) / m,   var = sum((x - mean)**2) / m,   inv_std = 1 / sqrt(var + eps)
    x_hat = (x - mean) * inv_std,   y = x_hat * weight + bias

and backward, with ``g = dL/dy``, the parameter gradients ``sum(g * x_hat)`` (weight) and
``sum(g)`` (bias) and the input gradient (``batch_statistics``: the mean and variance were
the batch's, so they moved with ``x`` too)::

    dL/dx = weight * inv_std * (g - sum(g) / m - x_hat * sum(g * x_hat) / m)

or ``weight * inv_std * g`` when they were the running statistics (inference mode).

==================================  ==========================================================
``batch_norm_forward_reference``    NumPy's ``mean`` and ``var`` (in the input's dtype)
``batch_norm_forward``              Numba: the two sums per channel in float64, then one pass
``batch_norm_backward_reference``   NumPy, a temporary per term
``batch_norm_backward``             Numba: both sums in one pass, then one pass for ``dL/dx``
==================================  ==========================================================

The kernels sum in float64 (the spec sums float32 input in float32, by NumPy's pairwise
summation), so the two agree to float32's rounding, and the kernels are the more accurate.
A sum over a channel is a reduction, which LLVM does not vectorise without reordering it
(refconv allows no reordering); so, as in the convolutions' weight gradients
(:mod:`refconv.grad.direct`), each thread keeps a row of float64 partial sums, one per pixel
of a chunk of the plane, adds the images into it element by element (which vectorises), and
sums the row once at the end.

``x`` and ``g`` are ``(N, C, H, W)`` of one float dtype; ``weight`` and ``bias`` ``(C,)`` or
``None`` (``affine=False``).

>>> import numpy as np
>>> x = np.array([1.0, 3.0, 5.0, 7.0]).reshape(2, 1, 1, 2)      # one channel, m = 4
>>> y, mean, var, inv_std = batch_norm_forward(x, None, None, eps=0.0)
>>> mean, var, y.ravel() * np.sqrt(5)
(array([4.]), array([5.]), array([-3., -1.,  1.,  3.]))
"""

from __future__ import annotations

import numba
import numpy as np
from numba import float64, prange, uint64

from ...kernels.rows import fill
from ...kernels.runtime import INLINE_JIT, kernel, launch, thread_plan
from ...kernels.workspace import new_output, workspace

CHUNK = 1024  # pixels of a plane whose partial sums a thread keeps: 8 KiB a row, in L1

Moments = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # y, mean, var, inv_std
Gradients = tuple[np.ndarray, np.ndarray | None, np.ndarray | None]  # x, weight, bias

# -- the spec ------------------------------------------------------------------------------------


def batch_norm_forward_reference(
    x: np.ndarray, weight: np.ndarray | None, bias: np.ndarray | None, eps: float
) -> Moments:
    """Normalise by the batch's statistics.

    Returns
    -------
    y : ndarray, (N, C, H, W), x's dtype
    mean, var, inv_std : ndarray, (C,), x's dtype
        The batch's mean and biased variance (divided by ``m``), and ``1 / sqrt(var + eps)``.
    """
    axes = (0, 2, 3)  # a channel's values: N, H, W
    mean = x.mean(axis=axes)  # (C,)
    var = x.var(axis=axes)  # (C,), biased: divided by m
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean[:, None, None]) * inv_std[:, None, None]
    y: np.ndarray = x_hat
    if weight is not None and bias is not None:
        y = x_hat * weight[:, None, None] + bias[:, None, None]
    return y.astype(x.dtype, copy=False), mean, var, inv_std


def batch_norm_backward_reference(
    g: np.ndarray,
    x: np.ndarray,
    mean: np.ndarray,
    inv_std: np.ndarray,
    weight: np.ndarray | None,
    batch_statistics: bool,
) -> Gradients:
    """``(dL/dx, dL/dweight, dL/dbias)`` (the last two ``None`` without ``weight``), all in
    ``g``'s dtype, from ``g = dL/dy`` and what forward normalised with."""
    axes = (0, 2, 3)
    dtype = g.dtype
    x_hat = (x - mean[:, None, None].astype(dtype)) * inv_std[:, None, None].astype(dtype)
    grad_x_hat = g
    grad_weight = grad_bias = None
    if weight is not None:
        grad_weight, grad_bias = np.sum(g * x_hat, axis=axes), np.sum(g, axis=axes)
        grad_x_hat = g * weight[:, None, None].astype(dtype)
    if batch_statistics:  # the mean and variance moved with x: subtract their share
        grad_x_hat = (
            grad_x_hat
            - grad_x_hat.mean(axis=axes, keepdims=True)
            - x_hat * (grad_x_hat * x_hat).mean(axis=axes, keepdims=True)
        )
    grad_x: np.ndarray = grad_x_hat * inv_std[:, None, None].astype(dtype)
    return grad_x, grad_weight, grad_bias


# -- the kernels ---------------------------------------------------------------------------------


@INLINE_JIT
def add_chunk(acc: np.ndarray, x: np.ndarray, x0: int, count: int) -> None:
    """``acc[k] += x[x0 + k]`` for ``k < count`` (``acc`` float64)."""
    s = uint64(x0)
    for k in range(count):
        u = uint64(k)
        acc[u] += float64(x[s + u])


@INLINE_JIT
def add_squares(acc: np.ndarray, x: np.ndarray, x0: int, count: int, center: float) -> None:
    """``acc[k] += (x[x0 + k] - center)**2`` for ``k < count`` (``acc`` float64)."""
    s = uint64(x0)
    for k in range(count):
        u = uint64(k)
        d = float64(x[s + u]) - center
        acc[u] += d * d


@INLINE_JIT
def row_sum(acc: np.ndarray, a0: int, count: int) -> float:
    """``sum(acc[a0 : a0 + count])``, in order."""
    total = 0.0
    for k in range(count):
        total += acc[a0 + k]
    return total


@kernel
def channel_moments(x: np.ndarray, sums_ws: np.ndarray, mean: np.ndarray, var: np.ndarray) -> None:
    """``mean`` and biased ``var`` (C,), float64, of ``x`` (N, C, H, W): two passes over
    each channel (the mean, then the squared deviations from it)."""
    n_batch, channels, height, width = x.shape
    plane = height * width
    m = n_batch * plane
    xf = x.reshape(-1)
    for c in prange(channels):  # mean[c] and var[c] are this task's alone
        acc = sums_ws[numba.get_thread_id()]  # (CHUNK,): this thread's partial sums
        fill(acc, 0, CHUNK, 0.0)
        for start in range(0, plane, CHUNK):
            count = min(CHUNK, plane - start)
            for n in range(n_batch):
                add_chunk(acc, xf, (n * channels + c) * plane + start, count)
        mu = row_sum(acc, 0, CHUNK) / m
        fill(acc, 0, CHUNK, 0.0)
        for start in range(0, plane, CHUNK):
            count = min(CHUNK, plane - start)
            for n in range(n_batch):
                add_squares(acc, xf, (n * channels + c) * plane + start, count, mu)
        mean[c] = mu
        var[c] = row_sum(acc, 0, CHUNK) / m


@kernel
def normalize_planes(
    x: np.ndarray,
    mean: np.ndarray,
    inv_std: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    y: np.ndarray,
) -> None:
    """``y = (x - mean) * inv_std * w + b`` per channel, in ``x``'s dtype, a plane a task."""
    n_batch, channels, height, width = x.shape
    plane = height * width
    xf = x.reshape(-1)
    yf = y.reshape(-1)
    for t in prange(n_batch * channels):  # the plane (n, c): y[n, c] is this task's alone
        c = t % channels
        mu, inv, scale, shift = mean[c], inv_std[c], w[c], b[c]
        s = uint64(t * plane)
        for k in range(plane):
            u = s + uint64(k)
            yf[u] = (xf[u] - mu) * inv * scale + shift


@kernel
def gradient_sums(
    g: np.ndarray,
    x: np.ndarray,
    mean: np.ndarray,
    inv_std: np.ndarray,
    sums_ws: np.ndarray,
    sum_g: np.ndarray,
    sum_gx: np.ndarray,
) -> None:
    """``sum(g)`` and ``sum(g * x_hat)`` (C,), float64, in one pass over ``g`` and ``x``."""
    n_batch, channels, height, width = x.shape
    plane = height * width
    xf = x.reshape(-1)
    gf = g.reshape(-1)
    for c in prange(channels):  # sum_g[c] and sum_gx[c] are this task's alone
        acc = sums_ws[numba.get_thread_id()]  # (2 * CHUNK,): two rows of partial sums
        fill(acc, 0, 2 * CHUNK, 0.0)
        mu, inv = mean[c], inv_std[c]
        for start in range(0, plane, CHUNK):
            count = min(CHUNK, plane - start)
            for n in range(n_batch):
                s = uint64((n * channels + c) * plane + start)
                for k in range(count):
                    u = uint64(k)
                    gv = float64(gf[s + u])
                    x_hat = (xf[s + u] - mu) * inv  # in x's dtype, as the spec
                    acc[u] += gv
                    acc[uint64(CHUNK) + u] += gv * float64(x_hat)
        sum_g[c] = row_sum(acc, 0, CHUNK)
        sum_gx[c] = row_sum(acc, CHUNK, CHUNK)


@kernel
def gradient_planes(
    g: np.ndarray,
    x: np.ndarray,
    mean: np.ndarray,
    inv_std: np.ndarray,
    scale: np.ndarray,
    g_mean: np.ndarray,
    gx_mean: np.ndarray,
    batch_statistics: bool,
    out: np.ndarray,
) -> None:
    """``out = scale * (g - g_mean - x_hat * gx_mean)`` per channel (``scale * g`` without
    ``batch_statistics``), in ``g``'s dtype, a plane a task."""
    n_batch, channels, height, width = x.shape
    plane = height * width
    xf = x.reshape(-1)
    gf = g.reshape(-1)
    of = out.reshape(-1)
    for t in prange(n_batch * channels):  # the plane (n, c): out[n, c] is this task's alone
        c = t % channels
        mu, inv, a, gm, gxm = mean[c], inv_std[c], scale[c], g_mean[c], gx_mean[c]
        s = uint64(t * plane)
        if batch_statistics:
            for k in range(plane):
                u = s + uint64(k)
                of[u] = a * (gf[u] - gm - (xf[u] - mu) * inv * gxm)
        else:
            for k in range(plane):
                u = s + uint64(k)
                of[u] = a * gf[u]


def batch_norm_forward(
    x: np.ndarray, weight: np.ndarray | None, bias: np.ndarray | None, eps: float
) -> Moments:
    """Normalise by the batch's statistics with Numba kernels; same signature as
    :func:`batch_norm_forward_reference` (the statistics summed in float64)."""
    x = np.ascontiguousarray(x)
    channels = x.shape[1]
    mean64 = np.empty(channels)
    var64 = np.empty(channels)
    threads = thread_plan(2 * x.size)  # additions
    sums = workspace("batch norm sums", (threads, CHUNK), np.float64)
    launch(channel_moments, threads, x, sums, mean64, var64)
    dtype = x.dtype
    mean, var = mean64.astype(dtype), var64.astype(dtype)
    inv_std = (1.0 / np.sqrt(var + eps)).astype(dtype, copy=False)  # as the spec: x's dtype
    w = np.ones(channels, dtype) if weight is None else weight.astype(dtype, copy=False)
    b = np.zeros(channels, dtype) if bias is None else bias.astype(dtype, copy=False)
    y = new_output(x.shape, dtype)
    launch(normalize_planes, thread_plan(x.size), x, mean, inv_std, w, b, y)
    return y, mean, var, inv_std


def batch_norm_backward(
    g: np.ndarray,
    x: np.ndarray,
    mean: np.ndarray,
    inv_std: np.ndarray,
    weight: np.ndarray | None,
    batch_statistics: bool,
) -> Gradients:
    """The gradients with Numba kernels; same signature as
    :func:`batch_norm_backward_reference` (the two sums in one pass, in float64)."""
    dtype = g.dtype
    g = np.ascontiguousarray(g)
    x = np.ascontiguousarray(x, dtype=dtype)
    channels = x.shape[1]
    m = max(1, x.size // channels)  # an empty batch (inference) has sums of 0: no 0 / 0
    mean_d, inv_d = mean.astype(dtype), inv_std.astype(dtype)
    sum_g, sum_gx = np.zeros(channels), np.zeros(channels)  # float64
    if weight is not None or batch_statistics:
        threads = thread_plan(2 * x.size)
        sums = workspace("batch norm sums", (threads, 2 * CHUNK), np.float64)
        launch(gradient_sums, threads, g, x, mean_d, inv_d, sums, sum_g, sum_gx)
    w = np.ones(channels) if weight is None else weight.astype(np.float64)
    scale = (w * inv_d).astype(dtype)  # weight / sqrt(var + eps)
    g_mean, gx_mean = (sum_g / m).astype(dtype), (sum_gx / m).astype(dtype)
    out = new_output(x.shape, dtype)
    launch(
        gradient_planes,
        thread_plan(x.size),
        g,
        x,
        mean_d,
        inv_d,
        scale,
        g_mean,
        gx_mean,
        batch_statistics,
        out,
    )
    if weight is None:
        return out, None, None
    return out, sum_gx.astype(dtype), sum_g.astype(dtype)
