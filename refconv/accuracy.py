"""How accurate each method is: its error against the exact result, on inputs built to hurt.

Every method but Winograd promises the bound of a sum of ``K`` products (Higham, *Accuracy and
Stability of Numerical Algorithms*, 3.1)::

    |computed - exact| <= (K + 1) * (eps * S + eta),   S = sum |w| |x| + |bias|

with ``K = C_in // groups * kH * kW`` products per output, ``eps`` the machine epsilon of the
dtype and ``eta`` its smallest subnormal (:func:`refconv.testing.tolerance`). Winograd
F(2x2, 3x3) promises only ``(C_in // groups + 16) * (eps * W + eta)``, with ``W`` the magnitude
of the transformed tiles (:func:`refconv.kernels.winograd.error_magnitude`), which one large
value beside small ones makes as large as it likes -- so ``method="auto"`` never uses it.

:func:`exact_conv2d` computes the exact result: the inputs are float32 numbers (also for the
float64 runs), so each product is exact in float64, and the sums are taken in
``np.longdouble``. :func:`adversarial_cases` builds the inputs; :func:`worst_ratios` measures
the worst ``error / bound`` of a method (at most 1 when the promise holds);
``python scripts/accuracy.py`` prints the table in ``docs/reliability.md``.

>>> x, w = adversarial_cases()["identity beside a spike"]
>>> x.shape, w.shape
((1, 32, 14, 14), (32, 32, 3, 3))
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import functional
from .kernels import winograd
from .testing import tolerance

METHODS = ("reference", "direct", "im2col", "auto", "winograd")
DTYPES = (np.float32, np.float64)


def exact_conv2d(
    x: np.ndarray, w: np.ndarray, bias: np.ndarray | None = None, padding: int = 1, groups: int = 1
) -> np.ndarray:
    """Stride-1 zero-padded cross-correlation of float32-representable values, exact to
    within the rounding of a longdouble sum: ``x`` (N, C_in, H, W), ``w`` (C_out,
    C_in // groups, kH, kW) -> (N, C_out, H_out, W_out) in ``np.longdouble``."""
    xp = np.pad(np.asarray(x, np.float64), ((0, 0), (0, 0), (padding,) * 2, (padding,) * 2))
    w = np.asarray(w, np.float64)
    c_out, c_group, k_h, k_w = w.shape
    o_group = c_out // groups
    windows = sliding_window_view(xp, (k_h, k_w), axis=(2, 3))  # (N, C, Ho, Wo, kH, kW)
    parts = []
    for g in range(groups):
        win = windows[:, g * c_group : (g + 1) * c_group].astype(np.longdouble)
        parts.append(
            np.einsum(
                "nchwpq,ocpq->nohw", win, w[g * o_group : (g + 1) * o_group].astype(np.longdouble)
            )
        )
    y = np.concatenate(parts, axis=1)
    if bias is not None:
        y = y + np.asarray(bias, np.longdouble)[:, None, None]
    return y


def _f32(a: np.ndarray) -> np.ndarray:
    """Values representable in float32: products of two of them are exact in float64."""
    return np.asarray(a, np.float32).astype(np.float64)


def adversarial_cases(seed: int = 2024) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{name: (x, w)}``: 32 channels, 3x3 kernels, 14x14 images (all of them Winograd-shaped),
    float32-representable values.

    * *identity beside a spike*: the identity kernel (``y = x``) and one pixel of 1e20 among
      values in [0.5, 1] -- the case that made ``auto`` wrong when it picked Winograd;
    * *zero taps and a spike*: a kernel column of zeros, a row of 1e5;
    * *magnitudes over 60 binades*: values and weights scaled by 2**-30 .. 2**30;
    * *exact cancellation*: a vertical difference of columns that are constant: exactly 0;
    * *near the float32 limit*: sums near 1e38;
    * *subnormals*: inputs of 2**-140 (float32 subnormals).
    """
    rng = np.random.default_rng(seed)
    shape, c = (1, 32, 14, 14), 32
    cases: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    x: np.ndarray = rng.uniform(0.5, 1.0, shape)
    x[0, 0, 6, 6] = 1e20
    w = np.zeros((c, c, 3, 3))
    w[np.arange(c), np.arange(c), 1, 1] = 1.0
    cases["identity beside a spike"] = (x, w)
    w = rng.standard_normal((c, c, 3, 3))
    w[:, :, :, 0] = 0.0
    x = rng.standard_normal(shape)
    x[0, :, 5, 5] = 1e5
    cases["zero taps and a spike"] = (x, w)
    x = rng.standard_normal(shape) * 2.0 ** rng.integers(-30, 30, shape)
    w = rng.standard_normal((c, c, 3, 3)) * 2.0 ** rng.integers(-30, 30, (c, c, 3, 3))
    cases["magnitudes over 60 binades"] = (x, w)
    x = np.repeat(rng.standard_normal((1, c, 1, 14)), 14, axis=2)
    w = np.zeros((c, c, 3, 3))
    w[:, :, 0, :], w[:, :, 2, :] = 1.0, -1.0
    cases["exact cancellation"] = (x, w)
    x = rng.uniform(-1, 1, shape) * 1e36
    w = rng.uniform(-1, 1, (c, c, 3, 3)) * 1e-3
    cases["near the float32 limit"] = (x, w)
    x = rng.integers(-8, 9, shape) * 2.0**-140
    w = rng.uniform(-1, 1, (c, c, 3, 3))
    cases["subnormals"] = (x, w)
    return {name: (_f32(x), _f32(w)) for name, (x, w) in cases.items()}


def worst_ratios(
    method: str, x: np.ndarray, w: np.ndarray, dtype: type = np.float32
) -> tuple[float, float]:
    """``(worst error / sum bound, worst error / Winograd bound)`` of ``method`` on one case
    (padding 1, no bias). The first must be at most 1 for every method but Winograd, the
    second for Winograd."""
    exact = exact_conv2d(x, w)
    y = functional.conv2d(x.astype(dtype), w.astype(dtype), padding=1, method=method)
    error = np.abs(y.astype(np.longdouble) - exact).astype(np.float64)
    scale = exact_conv2d(np.abs(x), np.abs(w)).astype(np.float64)
    k = w.shape[1] * w.shape[2] * w.shape[3]
    sum_bound = tolerance(dtype, k, scale)
    eps, eta = np.finfo(dtype).eps, np.finfo(dtype).smallest_subnormal
    magnitude = winograd.error_magnitude(x, w, ((1, 1), (1, 1)), 1)
    winograd_bound = (w.shape[1] + 16) * (eps * magnitude + eta)
    return float(np.max(error / sum_bound)), float(np.max(error / winograd_bound))


def accuracy_table(cases: dict[str, tuple[np.ndarray, np.ndarray]] | None = None) -> str:
    """The worst ``error / sum bound`` of every method on every case, float32 and float64."""
    cases = adversarial_cases() if cases is None else cases
    header = f"{'case':28} {'dtype':8}" + "".join(f"{m:>11}" for m in METHODS)
    lines = [
        "worst |error| / (K + 1)(eps S + eta), S = sum |w||x|: <= 1 keeps the promise",
        header,
        "-" * len(header),
    ]
    for name, (x, w) in cases.items():
        for dtype in DTYPES:
            cells = []
            for method in METHODS:
                ratio, _ = worst_ratios(method, x, w, dtype)
                cells.append(f"{ratio:11.3g}")
            lines.append(f"{name:28} {np.dtype(dtype).name:8}" + "".join(cells))
    return "\n".join(lines)
