"""A zoo of classic image filters, to test separability on.

Every kernel is a 2-D array ``(kH, kW)`` meant for cross-correlation (deep-learning
convolution: no flip), like every convolution in refconv. Integer filters are returned
unnormalised as int64 (divide by the sum yourself when you want an average); sampled
continuous filters (Gaussian, LoG, DoG) are float64.

Limits, checked up front so that nothing overflows, wraps around or fills the memory:

* every ``size`` is at most :data:`MAX_SIZE` = 4097 taps (a 4097 x 4097 float64 kernel is
  134 MB);
* integer filters are computed exactly with Python integers and returned as int64, never
  rounded and never wrapped: a size whose entries would not fit int64 (``|entry| <= 2**63 - 1``)
  is refused with a ``ValueError`` that gives the largest size that fits. ``binomial_taps``: size
  <= 67 (``C(66, 33)`` = 7.2e18); ``binomial``: <= 35; ``sobel``: <= 37 for ``order=1`` (more for
  higher orders, e.g. 41 for ``order=7``); ``derivative_taps``: <= 71 for ``order=1``. The dtype
  never depends on the size. For larger smoothing kernels use the float64 ``gaussian``;
* sampled filters never return NaN: ``gaussian`` tends to the impulse as ``sigma -> 0`` (one
  centre tap of 1, or two of 0.5 for an even size) and to the box as ``sigma`` grows, and both
  limits are what it returns where the exponentials underflow. ``log`` refuses ``sigma <
  1e-150``, where its centre value ``-2 / sigma**2`` would overflow float64. ``sigma`` must be
  positive and finite.

=====================  ========  ====  ==========================================================
filter                 dtype     rank  why
=====================  ========  ====  ==========================================================
``sobel`` 3/5/7/...    int       1     binomial smoothing (column) x binomial difference (row)
``scharr``             int       1     ``[3, 10, 3]`` x ``[-1, 0, 1]``
``prewitt``            int       1     ``[1, 1, 1]`` x ``[-1, 0, 1]``
``box``                int       1     ``ones(k) x ones(k)``
``binomial``           int       1     Pascal's row x itself: ``[1, 2, 1] x [1, 2, 1]``
``gaussian``           float     1     ``exp(-(x^2 + y^2) / 2s^2) = g(x) g(y)``
``impulse``            int       1     ``e_mid x e_mid`` (the identity filter)
``laplacian`` 4 / 8    int       2     ``d2x + d2y``: two separable terms; 8: ``ones - 9 * delta``
``log``                float     2     ``g''(x) g(y) + g(x) g''(y)``
``dog``                float     2     ``g_s1 x g_s1 - g_s2 x g_s2``
=====================  ========  ====  ==========================================================

The Sobel, Scharr and Gaussian kernels are built as OpenCV builds them (``getDerivKernels``,
``getGaussianKernel``): Sobel's smoothing half is the binomial row of length ``size`` (order 0),
its derivative half is the binomial row of length ``size - order`` differenced ``order`` times.
The x-derivative kernel is ``np.outer(smoothing, derivative)``: smooth along y (the column), take
differences along x (the row), as ``cv2.sepFilter2D(src, ddepth, kx, ky)`` does.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable

import numpy as np

__all__ = [
    "LOG_MIN_SIGMA",
    "MAX_SIZE",
    "ZOO",
    "binomial",
    "binomial_taps",
    "box",
    "derivative_taps",
    "dog",
    "gaussian",
    "gaussian_taps",
    "impulse",
    "laplacian",
    "log",
    "make",
    "prewitt",
    "scharr",
    "sobel",
]


#: The most taps along one side of any filter: 4097 (a 4097 x 4097 float64 kernel is 134 MB).
MAX_SIZE = 4097

#: Smallest ``sigma`` of :func:`log`: below it the centre value ``-2 / sigma**2`` overflows.
LOG_MIN_SIGMA = 1e-150

_INT64_MAX = 2**63 - 1


def _size(size: object, name: str = "size", minimum: int = 1, odd: bool = True) -> int:
    if isinstance(size, (bool, np.bool_)) or not isinstance(size, numbers.Integral):
        raise TypeError(f"{name} must be an int; got {size!r}")
    if size < minimum or (odd and size % 2 == 0) or size > MAX_SIZE:
        parity = "an odd int" if odd else "an int"
        raise ValueError(f"{name} must be {parity} >= {minimum} and <= {MAX_SIZE} (MAX_SIZE); "
                         f"got {size}")
    return int(size)


def _axis(axis: object) -> str:
    if axis not in ("x", "y"):
        raise ValueError(
            f"axis must be 'x' (derivative along the row, finds vertical edges) or 'y' "
            f"(along the column, horizontal edges); got {axis!r}"
        )
    return str(axis)


def _order(order: object, n: int) -> int:
    if isinstance(order, (bool, np.bool_)) or not isinstance(order, numbers.Integral):
        raise TypeError(f"order must be an int; got {order!r}")
    if not 0 <= order < n:
        raise ValueError(f"order must satisfy 0 <= order < size = {n}; got {order}")
    return int(order)


def _positive(value: object, name: str, what: str) -> float:
    """``value`` as a positive, finite float; ``what`` says what it is for the messages."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {what}; got {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an int beyond float64, e.g. 10**400
        number = math.inf
    if not (number > 0 and math.isfinite(number)):
        raise ValueError(f"{name} must be a positive, finite number; got {value!r}")
    return number


def _sigma(sigma: object, size: int) -> float:
    if sigma is None:
        return 0.3 * ((size - 1) * 0.5 - 1) + 0.8  # OpenCV getGaussianKernel's default
    return _positive(sigma, "sigma", "a positive number or None")


# --------------------------------------------------------------------------- exact integers


def _pascal(n: int) -> list[int]:
    """Row ``n - 1`` of Pascal's triangle, as Python ints (exact at any size)."""
    return [math.comb(n - 1, k) for k in range(n)]


def _derivative(n: int, order: int) -> list[int]:
    """``_pascal(n - order)`` differenced ``order`` times, ``t[j - 1] - t[j]``, in Python ints."""
    taps = _pascal(n - order)
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


def _exact_taps(build: Callable[[int], tuple[list[int], list[int]]], n: int, sizes: range,
                what: str) -> tuple[np.ndarray, np.ndarray]:
    """``build(n)``, a (column taps, row taps) pair of Python-int lists, as two int64 arrays.

    Checks that every entry of their outer product fits int64 (the largest is the product of the
    largest magnitudes), so ``np.outer`` of the two is exact; otherwise raises a ValueError that
    names the largest size in ``sizes`` (smallest first; the entries grow with the size) that fits.
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
    fix = (f"the largest size that fits is {largest}" if largest is not None else
           "no size fits with these options")
    raise ValueError(
        f"size={n} is too large for {what}: its entries would not fit int64 (|entry| <= 2**63 "
        f"- 1), and integer filters are exact int64 arrays, never rounded; {fix}. For a larger "
        f"smoothing kernel use gaussian(size, sigma) (float64)."
    )


def _odd_sizes(order: int) -> range:
    """The odd sizes ``> order``, smallest first."""
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
    >>> from refconv.filters import binomial_taps
    >>> binomial_taps(5)
    array([1, 4, 6, 4, 1])
    """
    n = _size(size, odd=False)
    taps, _ = _exact_taps(lambda m: (_pascal(m), [1]), n, range(1, MAX_SIZE + 1),
                          "binomial_taps")
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
    >>> from refconv.filters import derivative_taps
    >>> derivative_taps(3), derivative_taps(5), derivative_taps(5, order=2)
    (array([-1,  0,  1]), array([-1, -2,  0,  2,  1]), array([ 1,  0, -2,  0,  1]))
    """
    n = _size(size)
    k = _order(order, n)
    taps, _ = _exact_taps(lambda m: (_derivative(m, k), [1]), n, _odd_sizes(k),
                          f"derivative_taps with order={k}")
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
    >>> from refconv.filters import gaussian_taps
    >>> gaussian_taps(3, sigma=1.0).round(4)
    array([0.2741, 0.4519, 0.2741])
    >>> gaussian_taps(3, sigma=1e-300), gaussian_taps(4, sigma=1e-300)
    (array([0., 1., 0.]), array([0. , 0.5, 0.5, 0. ]))
    """
    n = _size(size, odd=False)
    s = _sigma(sigma, n)
    x = np.arange(n) - (n - 1) / 2
    d = x**2 - (n + 1) % 2 / 4  # x^2 - x_0^2: 0 at the centre tap(s), exact
    with np.errstate(over="ignore"):  # d / s overflows to inf for a tiny sigma: exp(-inf) = 0
        taps = np.exp(-(d / s / s) / 2)
    return taps / taps.sum()


# --------------------------------------------------------------------------- 2-D kernels


def sobel(size: int = 3, axis: str = "x", order: int = 1) -> np.ndarray:
    """Sobel derivative kernel, built as OpenCV's ``getDerivKernels`` does. Rank 1.

    Parameters
    ----------
    size : int, default 3
        Odd, ``> order``: 3, 5, 7, ...
    axis : {"x", "y"}, default "x"
        ``"x"``: derivative along the row (responds to vertical edges), smoothing down the
        column; ``"y"``: the transpose.
    order : int, default 1
        Derivative order (2 gives the second-derivative Sobel kernel).

    Returns
    -------
    ndarray of int64, shape (size, size)
        ``np.outer(derivative_taps(size, 0), derivative_taps(size, order))`` for ``"x"``, exact.
        A size whose entries would not fit int64 raises ``ValueError`` naming the largest that
        fits: 37 for ``order=1`` and ``order=2``, 39 for ``order=3``.

    Examples
    --------
    >>> from refconv.filters import sobel
    >>> sobel()
    array([[-1,  0,  1],
           [-2,  0,  2],
           [-1,  0,  1]])
    >>> sobel(5)[2]
    array([ -6, -12,   0,  12,   6])
    """
    n = _size(size)
    k = _order(order, n)
    along_x = _axis(axis) == "x"
    smooth, deriv = _exact_taps(lambda m: (_pascal(m), _derivative(m, k)), n, _odd_sizes(k),
                                f"sobel with order={k}")
    return np.outer(smooth, deriv) if along_x else np.outer(deriv, smooth)


def scharr(axis: str = "x") -> np.ndarray:
    """Scharr's 3x3 derivative kernel: ``[3, 10, 3]`` x ``[-1, 0, 1]`` (OpenCV). Rank 1.

    Examples
    --------
    >>> from refconv.filters import scharr
    >>> scharr()
    array([[ -3,   0,   3],
           [-10,   0,  10],
           [ -3,   0,   3]])
    """
    smooth, deriv = np.array([3, 10, 3]), np.array([-1, 0, 1])
    return np.outer(smooth, deriv) if _axis(axis) == "x" else np.outer(deriv, smooth)


def prewitt(axis: str = "x") -> np.ndarray:
    """Prewitt's 3x3 derivative kernel: ``[1, 1, 1]`` x ``[-1, 0, 1]``. Rank 1.

    Examples
    --------
    >>> from refconv.filters import prewitt
    >>> prewitt("y")
    array([[-1, -1, -1],
           [ 0,  0,  0],
           [ 1,  1,  1]])
    """
    smooth, deriv = np.ones(3, dtype=np.int64), np.array([-1, 0, 1])
    return np.outer(smooth, deriv) if _axis(axis) == "x" else np.outer(deriv, smooth)


def box(size: int = 3) -> np.ndarray:
    """Box (mean) filter, unnormalised: ``ones((size, size))``; divide by ``size**2``. Rank 1.

    Examples
    --------
    >>> from refconv.filters import box
    >>> box(2)
    array([[1, 1],
           [1, 1]])
    """
    n = _size(size, odd=False)
    return np.ones((n, n), dtype=np.int64)


def binomial(size: int = 3) -> np.ndarray:
    """Binomial smoothing kernel ``outer(b, b)``, ``b = binomial_taps(size)``; divide by
    ``4 ** (size - 1)``. Rank 1.

    Returns
    -------
    ndarray of int64, shape (size, size)
        Exact. ``size`` is at most 35 (``C(34, 17)**2`` = 5.4e18 fits int64; ``C(35, 17)**2`` =
        2.1e19 does not): a larger size raises ``ValueError``. ``gaussian`` has no such limit.

    Examples
    --------
    >>> from refconv.filters import binomial
    >>> binomial(3)
    array([[1, 2, 1],
           [2, 4, 2],
           [1, 2, 1]])
    """
    n = _size(size, odd=False)
    taps, _ = _exact_taps(lambda m: (_pascal(m), _pascal(m)), n, range(1, MAX_SIZE + 1),
                          "binomial")
    return np.outer(taps, taps)


def gaussian(size: int = 5, sigma: float | None = None) -> np.ndarray:
    """Sampled Gaussian, ``outer(g, g)`` with ``g = gaussian_taps(size, sigma)``; sums to 1.
    Rank 1. ``sigma -> 0`` gives the impulse, a huge ``sigma`` the normalised box (never NaN).

    Examples
    --------
    >>> from refconv.filters import gaussian
    >>> k = gaussian(5, sigma=1.0)
    >>> k.shape, round(float(k.sum()), 12)
    ((5, 5), 1.0)
    """
    taps = gaussian_taps(size, sigma)
    return np.outer(taps, taps)


def impulse(size: int = 3) -> np.ndarray:
    """The identity filter: 1 in the centre, 0 elsewhere. Rank 1.

    Examples
    --------
    >>> from refconv.filters import impulse
    >>> impulse(3)
    array([[0, 0, 0],
           [0, 1, 0],
           [0, 0, 0]])
    """
    n = _size(size)
    kernel = np.zeros((n, n), dtype=np.int64)
    kernel[n // 2, n // 2] = 1
    return kernel


def laplacian(neighbours: int = 4) -> np.ndarray:
    """The 3x3 discrete Laplacian. Rank 2: not separable, a sum of two separable terms.

    Parameters
    ----------
    neighbours : {4, 8}, default 4
        4: ``[[0, 1, 0], [1, -4, 1], [0, 1, 0]]`` = ``e_mid x [1, -2, 1] + [1, -2, 1] x e_mid``;
        8: ``[[1, 1, 1], [1, -8, 1], [1, 1, 1]]`` = ``ones x ones - 9 * e_mid x e_mid``.

    Examples
    --------
    >>> from refconv.filters import laplacian
    >>> laplacian(8)
    array([[ 1,  1,  1],
           [ 1, -8,  1],
           [ 1,  1,  1]])
    """
    if isinstance(neighbours, (bool, np.bool_)) or not isinstance(neighbours, numbers.Integral):
        raise TypeError(f"neighbours must be the int 4 or 8; got {neighbours!r}")
    if neighbours == 4:
        return np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=np.int64)
    if neighbours == 8:
        return np.array([[1, 1, 1], [1, -8, 1], [1, 1, 1]], dtype=np.int64)
    raise ValueError(f"neighbours must be 4 or 8; got {neighbours!r}")


def log(size: int = 9, sigma: float = 1.4) -> np.ndarray:
    """Laplacian of Gaussian, sampled: ``(x^2 + y^2 - 2 s^2) / s^4 * G(x, y)``. Rank 2.

    ``G`` is the normalised Gaussian ``outer(g, g)`` of :func:`gaussian_taps`, so the kernel is
    ``outer(a, g) + outer(g, a)`` with ``a(x) = (x^2 - s^2) / s^4 * g(x)``: two separable terms.
    (Subtracting the mean to make it sum to zero, as some libraries do, adds a third.)

    ``sigma`` must be at least :data:`LOG_MIN_SIGMA` = 1e-150: the centre value is ``-2 / s^2``
    for a small ``sigma``, which overflows float64 below about 1.05e-154. Taps where ``g``
    underflows to 0 are 0 (their true size is below ``1e-300`` times the centre's).

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.filters import log
    >>> k = log(9, sigma=1.4)
    >>> k.shape, bool(k[4, 4] < 0), int(np.linalg.matrix_rank(k))
    ((9, 9), True, 2)
    """
    n = _size(size)
    s = _sigma(sigma, n)
    if s < LOG_MIN_SIGMA:
        raise ValueError(
            f"sigma must be >= {LOG_MIN_SIGMA} (LOG_MIN_SIGMA) for log: its centre value -2 / "
            f"sigma**2 overflows float64 below about 1.05e-154; got {sigma!r}"
        )
    g = gaussian_taps(n, s)
    x = np.arange(n) - (n - 1) / 2
    live = g > 0  # where g underflowed, (x / s)**2 may be inf: inf * 0 would be NaN
    a = np.zeros(n)
    a[live] = ((x[live] / s) ** 2 - 1) * g[live]
    a = a / s / s  # (x^2 - s^2) / s^4 * g: the Gaussian's second derivative, up to a constant
    return np.outer(a, g) + np.outer(g, a)


def dog(size: int = 9, sigma: float = 1.0, ratio: float = 1.6) -> np.ndarray:
    """Difference of Gaussians ``gaussian(size, sigma) - gaussian(size, ratio * sigma)``. Rank 2.

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.filters import dog
    >>> k = dog(9)
    >>> bool(abs(k.sum()) < 1e-12), int(np.linalg.matrix_rank(k))
    (True, 2)
    """
    n = _size(size)
    s = _sigma(sigma, n)
    r = _positive(ratio, "ratio", "a number > 0 and != 1")
    if r == 1:
        raise ValueError(f"ratio must be > 0 and != 1 (sigma_2 = ratio * sigma); got {ratio!r}")
    s2 = s * r
    if not (s2 > 0 and math.isfinite(s2)):
        raise ValueError(
            f"ratio * sigma (the second Gaussian's sigma) must be a positive, finite float; got "
            f"ratio={ratio!r} and sigma={sigma!r}, whose product is {s2!r}"
        )
    return gaussian(n, s) - gaussian(n, s2)


# --------------------------------------------------------------------------- the zoo

#: name -> (function, default keyword arguments, rank). The rank is documented, and tested.
ZOO: dict[str, tuple[Callable[..., np.ndarray], dict[str, object], int]] = {
    "sobel_x": (sobel, {"size": 3, "axis": "x"}, 1),
    "sobel_y": (sobel, {"size": 3, "axis": "y"}, 1),
    "sobel5_x": (sobel, {"size": 5, "axis": "x"}, 1),
    "sobel7_x": (sobel, {"size": 7, "axis": "x"}, 1),
    "sobel_xx": (sobel, {"size": 3, "axis": "x", "order": 2}, 1),
    "scharr_x": (scharr, {"axis": "x"}, 1),
    "prewitt_x": (prewitt, {"axis": "x"}, 1),
    "box": (box, {"size": 3}, 1),
    "binomial": (binomial, {"size": 5}, 1),
    "gaussian": (gaussian, {"size": 5}, 1),
    "impulse": (impulse, {"size": 3}, 1),
    "laplacian4": (laplacian, {"neighbours": 4}, 2),
    "laplacian8": (laplacian, {"neighbours": 8}, 2),
    "log": (log, {"size": 9, "sigma": 1.4}, 2),
    "dog": (dog, {"size": 9, "sigma": 1.0}, 2),
}

#: Names that ``make`` also accepts: the base filter functions with their own defaults.
_FUNCTIONS: dict[str, Callable[..., np.ndarray]] = {
    "sobel": sobel,
    "scharr": scharr,
    "prewitt": prewitt,
    "box": box,
    "binomial": binomial,
    "gaussian": gaussian,
    "impulse": impulse,
    "laplacian": laplacian,
    "log": log,
    "dog": dog,
}


def make(name: str, **options: object) -> np.ndarray:
    """A zoo kernel by name, with keyword arguments overriding its defaults.

    Parameters
    ----------
    name : str
        A key of :data:`ZOO` (``"sobel_x"``, ``"laplacian4"``, ...) or a filter function's name
        (``"sobel"``, ``"gaussian"``, ...). Case-insensitive.
    **options
        Passed to the filter function, e.g. ``size=5``, ``axis="y"``, ``sigma=2.0``.

    Examples
    --------
    >>> from refconv.filters import make
    >>> make("sobel", size=5).shape, make("laplacian4")[1]
    ((5, 5), array([ 1, -4,  1]))
    """
    key = str(name).lower()
    if key in ZOO:
        function, defaults, _ = ZOO[key]
    elif key in _FUNCTIONS:
        function, defaults = _FUNCTIONS[key], {}
    else:
        known = ", ".join(sorted({*ZOO, *_FUNCTIONS}))
        raise ValueError(f"unknown filter {name!r}; expected one of: {known}")
    accepted = list(inspect.signature(function).parameters)
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ValueError(
            f"filter {name!r} does not take {', '.join(unknown)}; it accepts: "
            f"{', '.join(accepted) or 'no options'}"
        )
    return function(**{**defaults, **options})
