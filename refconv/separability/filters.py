"""A zoo of classic image filters, to test separability on.

Every kernel is a 2-D array ``(kH, kW)`` meant for cross-correlation (deep-learning
convolution: no flip), like every convolution in refconv. Integer filters are returned
unnormalised as int64 (divide by the sum yourself when you want an average); sampled
continuous filters (Gaussian, LoG, DoG) are float64.

Limits, checked up front (:mod:`refconv.separability.taps`) so that nothing overflows, wraps
around or fills the memory:

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
from collections.abc import Callable

import numpy as np

from ..arguments import is_int
from .taps import (
    MAX_SIZE,
    binomial_taps,
    check_order,
    check_positive,
    check_sigma,
    check_size,
    derivative_row,
    derivative_taps,
    exact_taps,
    gaussian_taps,
    odd_sizes,
    pascal_row,
)

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

#: Smallest ``sigma`` of :func:`log`: below it the centre value ``-2 / sigma**2`` overflows.
LOG_MIN_SIGMA = 1e-150


def _axis(axis: object) -> str:
    """``"x"`` or ``"y"``: the direction a derivative kernel differentiates along."""
    if axis not in ("x", "y"):
        raise ValueError(
            f"axis must be 'x' (derivative along the row, finds vertical edges) or 'y' "
            f"(along the column, horizontal edges); got {axis!r}"
        )
    return str(axis)


def _oriented(smooth: np.ndarray, deriv: np.ndarray, axis: object) -> np.ndarray:
    """``outer(smooth, deriv)`` for ``axis="x"`` (differences along the row), else the transpose."""
    return np.outer(smooth, deriv) if _axis(axis) == "x" else np.outer(deriv, smooth)


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
    >>> from refconv import filters
    >>> filters.sobel()
    array([[-1,  0,  1],
           [-2,  0,  2],
           [-1,  0,  1]])
    >>> filters.sobel(5)[2]
    array([ -6, -12,   0,  12,   6])
    """
    n = check_size(size)
    k = check_order(order, n)
    axis = _axis(axis)  # checked before the taps are built
    smooth, deriv = exact_taps(
        lambda m: (pascal_row(m), derivative_row(m, k)), n, odd_sizes(k), f"sobel with order={k}"
    )
    return _oriented(smooth, deriv, axis)


def scharr(axis: str = "x") -> np.ndarray:
    """Scharr's 3x3 derivative kernel: ``[3, 10, 3]`` x ``[-1, 0, 1]`` (OpenCV). Rank 1.

    Examples
    --------
    >>> from refconv import filters
    >>> from refconv.separability import separate
    >>> separate(filters.scharr())                 # (column, row)
    (array([ 3, 10,  3]), array([-1,  0,  1]))
    """
    return _oriented(np.array([3, 10, 3]), np.array([-1, 0, 1]), axis)


def prewitt(axis: str = "x") -> np.ndarray:
    """Prewitt's 3x3 derivative kernel: ``[1, 1, 1]`` x ``[-1, 0, 1]``. Rank 1.

    Examples
    --------
    >>> from refconv import filters
    >>> from refconv.separability import separate
    >>> separate(filters.prewitt("y"))             # column sum 0: the row's sum is made positive
    (array([-1,  0,  1]), array([1, 1, 1]))
    """
    return _oriented(np.ones(3, dtype=np.int64), np.array([-1, 0, 1]), axis)


def box(size: int = 3) -> np.ndarray:
    """Box (mean) filter, unnormalised: ``ones((size, size))``; divide by ``size**2``. Rank 1.

    Examples
    --------
    >>> from refconv import filters
    >>> filters.box(2)
    array([[1, 1],
           [1, 1]])
    """
    n = check_size(size, odd=False)
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
    >>> from refconv import filters
    >>> filters.binomial(3)
    array([[1, 2, 1],
           [2, 4, 2],
           [1, 2, 1]])
    """
    n = check_size(size, odd=False)
    taps, _ = exact_taps(
        lambda m: (pascal_row(m), pascal_row(m)), n, range(1, MAX_SIZE + 1), "binomial"
    )
    return np.outer(taps, taps)


def gaussian(size: int = 5, sigma: float | None = None) -> np.ndarray:
    """Sampled Gaussian, ``outer(g, g)`` with ``g = gaussian_taps(size, sigma)``; sums to 1.
    Rank 1. ``sigma -> 0`` gives the impulse, a huge ``sigma`` the normalised box (never NaN).

    Examples
    --------
    >>> from refconv import filters
    >>> k = filters.gaussian(5, sigma=1.0)
    >>> k.shape, round(float(k.sum()), 12)
    ((5, 5), 1.0)
    """
    taps = gaussian_taps(size, sigma)
    return np.outer(taps, taps)


def impulse(size: int = 3) -> np.ndarray:
    """The identity filter: 1 in the centre, 0 elsewhere. Rank 1.

    Examples
    --------
    >>> from refconv import filters
    >>> filters.impulse(3)
    array([[0, 0, 0],
           [0, 1, 0],
           [0, 0, 0]])
    """
    n = check_size(size)
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
    >>> from refconv import filters
    >>> filters.laplacian(8)
    array([[ 1,  1,  1],
           [ 1, -8,  1],
           [ 1,  1,  1]])
    """
    if not is_int(neighbours):
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
    >>> from refconv import filters
    >>> k = filters.log(9, sigma=1.4)
    >>> k.shape, bool(k[4, 4] < 0), int(np.linalg.matrix_rank(k))
    ((9, 9), True, 2)
    """
    n = check_size(size)
    s = check_sigma(sigma, n)
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
    >>> from refconv import filters
    >>> k = filters.dog(9)
    >>> bool(abs(k.sum()) < 1e-12), int(np.linalg.matrix_rank(k))
    (True, 2)
    """
    n = check_size(size)
    s = check_sigma(sigma, n)
    r = check_positive(ratio, "ratio", "a number > 0 and != 1")
    if r == 1:
        raise ValueError(f"ratio must be > 0 and != 1 (sigma_2 = ratio * sigma); got {ratio!r}")
    s2 = s * r
    if not (s2 > 0 and math.isfinite(s2)):
        raise ValueError(
            f"ratio * sigma (the second Gaussian's sigma) must be a positive, finite float; got "
            f"ratio={ratio!r} and sigma={sigma!r}, whose product is {s2!r}"
        )
    difference: np.ndarray = gaussian(n, s) - gaussian(n, s2)
    return difference


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
    >>> from refconv import filters
    >>> filters.make("sobel", size=5).shape, filters.make("laplacian4")[1]
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
