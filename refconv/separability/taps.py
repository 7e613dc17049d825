"""The 1-D taps the filter zoo is built from, and the checks every filter runs first.

A separable filter is ``np.outer(column, row)`` of two tap vectors;
:mod:`refconv.separability.filters` builds its 2-D kernels from the taps here: Pascal's rows
(binomial smoothing), their differences (Sobel's derivative taps) and the sampled Gaussian.

Limits, checked up front so that nothing overflows, wraps around or fills the memory:

* every ``size`` is at most :data:`MAX_SIZE` = 4097 taps (a 4097 x 4097 float64 kernel is
  134 MB);
* integer taps are computed exactly with Python integers and returned as int64, never rounded
  and never wrapped: a size whose entries (or, for a 2-D kernel, whose products) would not fit
  int64 (``|entry| <= 2**63 - 1``) is refused with a ``ValueError`` that gives the largest size
  that fits (:func:`exact_taps`). The dtype never depends on the size;
* ``sigma`` must be positive and finite; :func:`gaussian_taps` never returns NaN.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..arguments import is_int, is_real

__all__ = [
    "MAX_SIZE",
    "binomial_taps",
    "check_order",
    "check_positive",
    "check_sigma",
    "check_size",
    "derivative_row",
    "derivative_taps",
    "exact_taps",
    "gaussian_taps",
    "odd_sizes",
    "pascal_row",
]

#: The most taps along one side of any filter: 4097 (a 4097 x 4097 float64 kernel is 134 MB).
MAX_SIZE = 4097

_INT64_MAX = 2**63 - 1


# --------------------------------------------------------------------------- argument checks


def check_size(size: object, name: str = "size", minimum: int = 1, odd: bool = True) -> int:
    """``size`` as an int in ``[minimum, MAX_SIZE]``, odd unless ``odd=False``.

    Examples
    --------
    >>> from refconv.separability.taps import check_size
    >>> check_size(5), check_size(4, odd=False)
    (5, 4)
    >>> check_size(4)
    Traceback (most recent call last):
    ...
    ValueError: size must be an odd int >= 1 and <= 4097 (MAX_SIZE); got 4
    """
    if not is_int(size):
        raise TypeError(f"{name} must be an int; got {size!r}")
    if size < minimum or (odd and size % 2 == 0) or size > MAX_SIZE:
        parity = "an odd int" if odd else "an int"
        raise ValueError(
            f"{name} must be {parity} >= {minimum} and <= {MAX_SIZE} (MAX_SIZE); got {size}"
        )
    return int(size)


def check_order(order: object, n: int) -> int:
    """A derivative ``order`` as an int in ``[0, n)`` for ``n`` taps.

    Examples
    --------
    >>> from refconv.separability.taps import check_order
    >>> check_order(2, 5)
    2
    >>> check_order(3, 3)
    Traceback (most recent call last):
    ...
    ValueError: order must satisfy 0 <= order < size = 3; got 3
    """
    if not is_int(order):
        raise TypeError(f"order must be an int; got {order!r}")
    if not 0 <= order < n:
        raise ValueError(f"order must satisfy 0 <= order < size = {n}; got {order}")
    return int(order)


def check_positive(value: object, name: str, what: str) -> float:
    """``value`` as a positive, finite float; ``what`` says what it must be, for the TypeError.

    Examples
    --------
    >>> from refconv.separability.taps import check_positive
    >>> check_positive(2, "ratio", "a number > 0")
    2.0
    >>> check_positive(10**400, "ratio", "a number > 0")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: ratio must be a positive, finite number; got 1000...
    """
    if not is_real(value):
        raise TypeError(f"{name} must be {what}; got {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an int beyond float64, e.g. 10**400
        number = math.inf
    if not (number > 0 and math.isfinite(number)):
        raise ValueError(f"{name} must be a positive, finite number; got {value!r}")
    return number


def check_sigma(sigma: object, size: int) -> float:
    """A Gaussian's ``sigma``; ``None`` gives OpenCV's default for ``size`` taps.

    The default is ``0.3 * ((size - 1) * 0.5 - 1) + 0.8`` (``getGaussianKernel``).

    Examples
    --------
    >>> from refconv.separability.taps import check_sigma
    >>> check_sigma(None, 5), check_sigma(2, 5)
    (1.1, 2.0)
    """
    if sigma is None:
        return 0.3 * ((size - 1) * 0.5 - 1) + 0.8  # OpenCV getGaussianKernel's default
    return check_positive(sigma, "sigma", "a positive number or None")


# --------------------------------------------------------------------------- exact integers


def pascal_row(n: int) -> list[int]:
    """Row ``n - 1`` of Pascal's triangle, as Python ints (exact at any size).

    Examples
    --------
    >>> from refconv.separability.taps import pascal_row
    >>> pascal_row(5)
    [1, 4, 6, 4, 1]
    """
    return [math.comb(n - 1, k) for k in range(n)]


def derivative_row(n: int, order: int) -> list[int]:
    """``pascal_row(n - order)`` differenced ``order`` times, ``t[j - 1] - t[j]``, in Python ints.

    Examples
    --------
    >>> from refconv.separability.taps import derivative_row
    >>> derivative_row(3, 1), derivative_row(5, 2)
    ([-1, 0, 1], [1, 0, -2, 0, 1])
    """
    taps = pascal_row(n - order)
    for _ in range(order):
        taps = [a - b for a, b in zip([0, *taps], [*taps, 0], strict=True)]
    return taps


def _surely_beyond_int64(n: int) -> bool:
    """True for sizes where every integer filter has an entry beyond int64, without building it.

    The taps of :func:`derivative_taps` are the ``n`` coefficients of ``p(x) = (1 + x)**(n-1-k)
    (x - 1)**k``. At ``x = i`` (the imaginary unit) ``|1 + i| = |i - 1| = sqrt(2)``, so ``|p(i)| =
    2**((n-1)/2)``, and as ``|p(i)|`` is at most the sum of the ``n`` coefficients' magnitudes,
    one of them is at least ``2**((n-1)/2) / n``: past ``2**63`` from ``n = 145`` on, any order.
    """
    return (n - 1) // 2 > 63 + n.bit_length()


def exact_taps(
    build: Callable[[int], tuple[list[int], list[int]]], n: int, sizes: range, what: str
) -> tuple[np.ndarray, np.ndarray]:
    """``build(n)``, a (column taps, row taps) pair of Python-int lists, as two int64 arrays.

    Checks that every entry of their outer product fits int64 (the largest is the product of the
    largest magnitudes), so ``np.outer`` of the two is exact; otherwise raises a ValueError that
    names the largest size in ``sizes`` (smallest first; the entries grow with the size) that fits.

    Parameters
    ----------
    build : callable, int -> (list of int, list of int)
        The exact taps for a size; ``[1]`` as the row for 1-D taps.
    n : int
        The size asked for.
    sizes : range
        The sizes ``build`` takes, smallest first, to search for the largest that fits.
    what : str
        The filter's name and options, for the message.

    Returns
    -------
    column, row : ndarray of int64

    Examples
    --------
    >>> from refconv.separability.taps import exact_taps, pascal_row
    >>> exact_taps(lambda m: (pascal_row(m), pascal_row(m)), 3, range(1, 100), "binomial")
    (array([1, 2, 1]), array([1, 2, 1]))
    >>> exact_taps(lambda m: (pascal_row(m), [1]), 68, range(1, 100), "binomial_taps")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: size=68 is too large for binomial_taps: its entries would not fit int64 ...
    """

    def fitting(m: int) -> tuple[list[int], list[int]] | None:
        if _surely_beyond_int64(m):
            return None
        column, row = build(m)
        return (column, row) if max(map(abs, column)) * max(map(abs, row)) <= _INT64_MAX else None

    taps = fitting(n)
    if taps is not None:
        return np.array(taps[0], dtype=np.int64), np.array(taps[1], dtype=np.int64)
    largest = None
    for m in sizes:
        if fitting(m) is None:
            break
        largest = m
    fix = (
        f"the largest size that fits is {largest}"
        if largest is not None
        else "no size fits with these options"
    )
    raise ValueError(
        f"size={n} is too large for {what}: its entries would not fit int64 (|entry| <= 2**63 "
        f"- 1), and integer filters are exact int64 arrays, never rounded; {fix}. For a larger "
        f"smoothing kernel use gaussian(size, sigma) (float64)."
    )


def odd_sizes(order: int) -> range:
    """The odd sizes ``> order``, smallest first, up to :data:`MAX_SIZE`.

    Examples
    --------
    >>> from refconv.separability.taps import odd_sizes
    >>> odd_sizes(0)[:3], odd_sizes(2)[:3]
    (range(1, 7, 2), range(3, 9, 2))
    """
    return range(order + 1 + order % 2, MAX_SIZE + 1, 2)


# --------------------------------------------------------------------------- 1-D taps


def binomial_taps(size: int) -> np.ndarray:
    """Row ``size - 1`` of Pascal's triangle: ``[1]``, ``[1, 1]``, ``[1, 2, 1]``, ``[1, 3, 3, 1]``.

    The coefficients ``C(size - 1, k)``, what repeated correlation with ``[1, 1]`` builds: a
    discrete Gaussian.

    Returns
    -------
    ndarray of int64, shape (size,)
        Exact. ``size`` is at most 67: ``C(66, 33)`` = 7.2e18 fits int64, ``C(67, 33)`` = 1.4e19
        does not, and a larger size raises ``ValueError`` rather than wrapping around.

    Examples
    --------
    >>> from refconv import filters
    >>> filters.binomial_taps(5)
    array([1, 4, 6, 4, 1])
    """
    n = check_size(size, odd=False)
    taps, _ = exact_taps(lambda m: (pascal_row(m), [1]), n, range(1, MAX_SIZE + 1), "binomial_taps")
    return taps


def derivative_taps(size: int, order: int = 1) -> np.ndarray:
    """Sobel's 1-D derivative taps: ``binomial_taps(size - order)`` differenced ``order`` times.

    As OpenCV's ``getSobelKernels``; each difference maps ``t`` to ``t[j - 1] - t[j]`` (zero
    outside), so the taps rise left to right: ``[-1, 0, 1]``. ``order=0`` gives the smoothing taps.

    Parameters
    ----------
    size : int
        Number of taps, odd, ``> order``.
    order : int, default 1
        Derivative order.

    Returns
    -------
    ndarray of int64, shape (size,)
        Exact (computed with Python integers). A size whose taps would not fit int64 raises
        ``ValueError`` naming the largest that fits: 67 for ``order=0``, 71 for ``order=1``.

    Examples
    --------
    >>> from refconv import filters
    >>> filters.derivative_taps(3), filters.derivative_taps(5), filters.derivative_taps(5, order=2)
    (array([-1,  0,  1]), array([-1, -2,  0,  2,  1]), array([ 1,  0, -2,  0,  1]))
    """
    n = check_size(size)
    k = check_order(order, n)
    taps, _ = exact_taps(
        lambda m: (derivative_row(m, k), [1]), n, odd_sizes(k), f"derivative_taps with order={k}"
    )
    return taps


def gaussian_taps(size: int, sigma: float | None = None) -> np.ndarray:
    """Sampled 1-D Gaussian ``exp(-x^2 / (2 sigma^2))`` at ``x = -(size-1)/2 ... (size-1)/2``,
    normalised to sum 1.

    ``sigma=None`` uses OpenCV's default ``0.3 * ((size - 1) * 0.5 - 1) + 0.8``. (OpenCV
    returns fixed binomial-like tables for size <= 7 with that default; here it is always
    the sampled formula.)

    The exponent is measured from the taps nearest the centre, ``exp(-(x^2 - x_0^2) / (2
    sigma^2))`` with ``x_0`` = 0 (odd size) or 1/2 (even), so those taps are exactly 1 before
    normalising and the sum never underflows: as ``sigma -> 0`` the taps become the impulse (or
    ``[..., 0, 0.5, 0.5, 0, ...]`` for an even size), never NaN; for a huge ``sigma`` they are
    all ``1 / size``.

    Examples
    --------
    >>> from refconv import filters
    >>> filters.gaussian_taps(3, sigma=1.0).round(4)
    array([0.2741, 0.4519, 0.2741])
    >>> filters.gaussian_taps(3, sigma=1e-300), filters.gaussian_taps(4, sigma=1e-300)
    (array([0., 1., 0.]), array([0. , 0.5, 0.5, 0. ]))
    """
    n = check_size(size, odd=False)
    s = check_sigma(sigma, n)
    x = np.arange(n) - (n - 1) / 2
    d = x**2 - (n + 1) % 2 / 4  # x^2 - x_0^2: 0 at the centre tap(s), exact
    with np.errstate(over="ignore"):  # d / s overflows to inf for a tiny sigma: exp(-inf) = 0
        taps = np.exp(-(d / s / s) / 2)
    normalised: np.ndarray = taps / taps.sum()  # the taps sum to 1
    return normalised
