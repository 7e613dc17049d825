"""The one assertion refconv's tests use to say "this result matches that one".

A convolution output element is a sum of ``K = C_in // groups * kH * kW`` products (and a
bias). Two correct implementations may add those products in different
orders (loops, BLAS, a float64 oracle), so their results differ by rounding error, and the
textbook bound for that error (Higham, *Accuracy and Stability of Numerical Algorithms*,
section 3.1) is

    |fl(s) - s| <= gamma_K * sum_i |x_i * w_i|  +  K * eta / 2,    gamma_K = K*u / (1 - K*u) ~ K*u,

with ``u = eps / 2`` the unit roundoff of the dtype and ``eta`` its smallest subnormal
number (a product that underflows is off by up to ``eta / 2``). Two results that each obey
it differ by at most ``~ K * (eps * sum|x*w| + eta)``: that is the tolerance here. It
scales with the reduction length and the magnitude of the terms, not with the result,
which may be near zero through cancellation. Every method but Winograd promises this
bound against the exact sum (``docs/reliability.md``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["EPS", "assert_conv_close", "tolerance"]

#: Machine epsilon of each result dtype refconv produces: the only per-dtype number in the
#: tolerance. The bound above is a worst case; typical errors are about sqrt(K) times
#: smaller, so a test using it does not flake, yet a wrong index, tap or channel (an error
#: the size of a whole term) is far above it for any reduction a test uses.
EPS: dict[np.dtype, float] = {
    # float32 results: every product and partial sum is rounded to 24 bits (eps = 2**-23).
    np.dtype(np.float32): float(np.finfo(np.float32).eps),
    # float64 results (also what integer and bool input computes in): 53 bits (eps = 2**-52).
    np.dtype(np.float64): float(np.finfo(np.float64).eps),
}


def tolerance(dtype: np.dtype | type, reduction: int, scale: ArrayLike) -> np.ndarray:
    """The absolute tolerance ``(reduction + 1) * (eps(dtype) * scale + eta(dtype))``.

    The ``+ 1`` is the last rounding: adding the bias, or storing a float64 oracle's value
    in the result dtype; ``eta`` is the smallest subnormal number (underflow).
    """
    native: np.dtype = np.dtype(dtype).newbyteorder("=")  # '>f4' is float32 too
    if native not in EPS:
        raise TypeError(f"tolerance is defined for float32 and float64 results; got dtype {native}")
    if reduction < 1:
        raise ValueError(f"reduction must be a positive number of terms; got {reduction}")
    eta = float(np.finfo(native).smallest_subnormal)
    return (reduction + 1) * (EPS[native] * np.abs(np.asarray(scale, dtype=np.float64)) + eta)


def assert_conv_close(
    actual: np.ndarray,
    desired: ArrayLike,
    *,
    reduction: int,
    scale: ArrayLike,
    err_msg: str = "",
) -> None:
    """Assert that a convolution result equals a reference result up to rounding error.

    Parameters
    ----------
    actual : ndarray
        The result under test; its dtype (float32 or float64) picks the tolerance.
    desired : array_like
        The reference result (``method="reference"``, or a float64 oracle), of exactly the
        same shape. NaN must appear in the same places in both.
    reduction : int
        How many products are summed into one output element: ``C_in // groups * kH * kW``
        for one convolution. For a chain of convolutions (depthwise then pointwise, K x 1
        then 1 x K) add the lengths of the steps: each step's rounding error is carried
        through the next with a factor at most the next step's ``sum |w|``.
    scale : float or array_like
        An upper bound on ``sum |x_i * w_i|`` (plus ``|bias|``) for each output element,
        either one number or an array broadcastable to ``actual.shape``. Exactly: the same
        convolution of ``|x|`` by ``|weight|`` plus ``|bias|``. Simply:
        ``reduction * max|x| * max|weight| + max|bias|``.
    err_msg : str, optional
        Added to the failure message.

    Raises
    ------
    AssertionError
        When the shapes differ, NaN positions differ, or some element differs by more than
        ``(reduction + 1) * (eps * scale + eta)`` (see :func:`tolerance`).

    Examples
    --------
    >>> import numpy as np
    >>> import refconv
    >>> from refconv.testing import assert_conv_close
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((2, 3, 8, 8)).astype(np.float32)
    >>> w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    >>> fast = refconv.conv2d(x, w, padding=1, method="im2col")
    >>> ref = refconv.conv2d(x, w, padding=1, method="reference")
    >>> k = 3 * 3 * 3                                      # C_in * kH * kW
    >>> assert_conv_close(fast, ref, reduction=k, scale=k * abs(x).max() * abs(w).max())

    A wrong result fails, for instance one tap off:

    >>> shifted = refconv.conv2d(x, w, padding=((0, 2), (1, 1)), method="im2col")
    >>> assert_conv_close(shifted, ref, reduction=k, scale=k * abs(x).max() * abs(w).max())
    Traceback (most recent call last):
        ...
    AssertionError: ...
    """
    actual = np.asarray(actual)
    desired = np.asarray(desired)
    if actual.shape != desired.shape:
        raise AssertionError(
            f"shapes differ: actual.shape={actual.shape}, desired.shape={desired.shape}. {err_msg}"
        )
    atol = tolerance(actual.dtype, reduction, scale)
    _assert_within(actual, desired, atol, err_msg)


def _assert_within(actual: np.ndarray, desired: np.ndarray, atol: np.ndarray, err_msg: str) -> None:
    """Elementwise ``|actual - desired| <= atol``, NaN where NaN, with a readable report."""
    a = actual.astype(np.float64)
    d = desired.astype(np.float64)
    nan_a, nan_d = np.isnan(a), np.isnan(d)
    if not np.array_equal(nan_a, nan_d):
        where = np.argwhere(nan_a != nan_d)[:5].tolist()
        raise AssertionError(f"NaN in different places, first at {where}. {err_msg}")
    same_inf = np.isinf(a) & (a == d)  # equal infinities agree
    with np.errstate(invalid="ignore"):  # inf - inf: NaN, set to 0 just below
        diff = np.where(nan_a | same_inf, 0.0, np.abs(a - d))
    bound = np.broadcast_to(atol, diff.shape)
    bad = ~(diff <= bound)
    if bad.any():
        first = tuple(np.argwhere(bad)[0].tolist())
        raise AssertionError(
            f"{int(bad.sum())} of {bad.size} elements differ by more than "
            f"(reduction + 1) * (eps * scale + eta); first at {first}: actual={a[first]!r}, "
            f"desired={d[first]!r}, |difference|={diff[first]:.3g}, "
            f"tolerance={bound[first]:.3g}. {err_msg}"
        )
