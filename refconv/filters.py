"""A zoo of classic image filters, to test separability on.

Every kernel is a 2-D array ``(kH, kW)`` meant for cross-correlation (deep-learning
convolution: no flip), like every convolution in refconv. Integer filters are returned
unnormalised as int64 (divide by the sum yourself when you want an average); sampled
continuous filters (Gaussian, LoG, DoG) are float64.

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
import numbers
from collections.abc import Callable

import numpy as np

__all__ = [
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


def _size(size: object, name: str = "size", minimum: int = 1, odd: bool = True) -> int:
    if isinstance(size, (bool, np.bool_)) or not isinstance(size, numbers.Integral):
        raise TypeError(f"{name} must be an int; got {size!r}")
    if size < minimum or (odd and size % 2 == 0):
        parity = "an odd int" if odd else "an int"
        raise ValueError(f"{name} must be {parity} >= {minimum}; got {size}")
    return int(size)


def _axis(axis: object) -> str:
    if axis not in ("x", "y"):
        raise ValueError(
            f"axis must be 'x' (derivative along the row, finds vertical edges) or 'y' "
            f"(along the column, horizontal edges); got {axis!r}"
        )
    return str(axis)


def _sigma(sigma: object, size: int) -> float:
    if sigma is None:
        return 0.3 * ((size - 1) * 0.5 - 1) + 0.8  # OpenCV getGaussianKernel's default
    if isinstance(sigma, (bool, np.bool_)) or not isinstance(sigma, numbers.Real):
        raise TypeError(f"sigma must be a positive number or None; got {sigma!r}")
    if not sigma > 0 or not np.isfinite(sigma):
        raise ValueError(f"sigma must be a positive, finite number; got {sigma!r}")
    return float(sigma)


# --------------------------------------------------------------------------- 1-D taps


def binomial_taps(size: int) -> np.ndarray:
    """Row ``size - 1`` of Pascal's triangle: ``[1]``, ``[1, 1]``, ``[1, 2, 1]``, ``[1, 3, 3, 1]``.

    Built by repeated correlation with ``[1, 1]``: a discrete Gaussian.

    Examples
    --------
    >>> from refconv.filters import binomial_taps
    >>> binomial_taps(5)
    array([1, 4, 6, 4, 1])
    """
    n = _size(size, odd=False)
    taps = np.array([1], dtype=np.int64)
    for _ in range(n - 1):
        taps = np.convolve(taps, [1, 1])
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

    Examples
    --------
    >>> from refconv.filters import derivative_taps
    >>> derivative_taps(3), derivative_taps(5), derivative_taps(5, order=2)
    (array([-1,  0,  1]), array([-1, -2,  0,  2,  1]), array([ 1,  0, -2,  0,  1]))
    """
    n = _size(size)
    if isinstance(order, (bool, np.bool_)) or not isinstance(order, numbers.Integral):
        raise TypeError(f"order must be an int; got {order!r}")
    if not 0 <= order < n:
        raise ValueError(f"order must satisfy 0 <= order < size = {n}; got {order}")
    taps = binomial_taps(n - order)
    for _ in range(order):
        taps = np.convolve(taps, [-1, 1])  # new[j] = old[j - 1] - old[j], as OpenCV
    return taps


def gaussian_taps(size: int, sigma: float | None = None) -> np.ndarray:
    """Sampled 1-D Gaussian ``exp(-x^2 / (2 sigma^2))`` at ``x = -(size-1)/2 ... (size-1)/2``,
    normalised to sum 1.

    ``sigma=None`` uses OpenCV's default ``0.3 * ((size - 1) * 0.5 - 1) + 0.8``. (OpenCV
    returns fixed binomial-like tables for size <= 7 with that default; here it is always
    the sampled formula.)

    Examples
    --------
    >>> from refconv.filters import gaussian_taps
    >>> gaussian_taps(3, sigma=1.0).round(4)
    array([0.2741, 0.4519, 0.2741])
    """
    n = _size(size, odd=False)
    s = _sigma(sigma, n)
    x = np.arange(n) - (n - 1) / 2
    taps = np.exp(-(x**2) / (2 * s**2))
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
        ``np.outer(derivative_taps(size, 0), derivative_taps(size, order))`` for ``"x"``.

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
    smooth = derivative_taps(size, 0)
    deriv = derivative_taps(size, order)
    return np.outer(smooth, deriv) if _axis(axis) == "x" else np.outer(deriv, smooth)


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

    Examples
    --------
    >>> from refconv.filters import binomial
    >>> binomial(3)
    array([[1, 2, 1],
           [2, 4, 2],
           [1, 2, 1]])
    """
    taps = binomial_taps(size)
    return np.outer(taps, taps)


def gaussian(size: int = 5, sigma: float | None = None) -> np.ndarray:
    """Sampled Gaussian, ``outer(g, g)`` with ``g = gaussian_taps(size, sigma)``; sums to 1.
    Rank 1.

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
    g = gaussian_taps(n, s)
    x = np.arange(n) - (n - 1) / 2
    a = (x**2 - s**2) / s**4 * g  # the second derivative of the Gaussian, up to its constant
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
    if isinstance(ratio, (bool, np.bool_)) or not isinstance(ratio, numbers.Real):
        raise TypeError(f"ratio must be a number > 0 and != 1; got {ratio!r}")
    if not (ratio > 0 and ratio != 1):
        raise ValueError(f"ratio must be > 0 and != 1 (sigma_2 = ratio * sigma); got {ratio!r}")
    return gaussian(n, s) - gaussian(n, ratio * s)


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
