"""Is a 2-D kernel separable? The singular value decomposition answers, and gives the factors.

A kernel ``K`` of shape ``(kH, kW)`` is *separable* when it is an outer product,
``K = np.outer(column, row)``: filtering with it is then a ``kH x 1`` pass followed by a
``1 x kW`` pass (see :mod:`refconv.separable_filtering`). In matrix terms ``K`` has rank 1.

The SVD writes any kernel as a sum of rank-1 terms, largest first::

    K = sigma_1 u_1 v_1^T + sigma_2 u_2 v_2^T + ...      sigma_1 >= sigma_2 >= ... >= 0

so ``K`` is rank 1 exactly when ``sigma_2 = sigma_3 = ... = 0``. In floating point the computed
``sigma_2`` of an exactly rank-1 kernel is rounding noise, a few ``eps * sigma_1``, so the test is

    **rank 1  <=>  sigma_2 <= tol * sigma_1**,   default ``tol = max(kH, kW) * eps``

with ``eps`` the machine epsilon of the kernel's dtype (float64 for integer kernels). This is the
rule of ``numpy.linalg.matrix_rank`` (which counts the singular values ``S > S.max() * max(M, N)
* eps``; our ``tol`` is its relative ``rtol``, not its absolute ``tol``) and of MATLAB's ``rank``.

Factors, and the conventions that make them unique (``np.outer(c, r) == np.outer(-c, -r) ==
np.outer(2 * c, r / 2)``, so a choice must be made):

* **integer kernels** (and bool) get integer factors, computed exactly: the row factor is the
  first nonzero row of ``K`` divided by the greatest common divisor of its entries, so the row's
  entries have no common divisor; the column then holds the integers with ``K[i] = column[i] *
  row``. Sobel-x gives column ``[1, 2, 1]`` and row ``[-1, 0, 1]``.
* **float kernels** get balanced factors, ``column = sqrt(sigma_1) u_1`` and ``row = sqrt(sigma_1)
  v_1``, so both have Euclidean norm ``sqrt(sigma_1)``.
* **sign**, for both: the column's sum is made positive; if it is zero, the row's sum; if both are
  zero, the column's first nonzero entry. So a derivative filter's smoothing half is the positive
  one: Sobel-x ``[1, 2, 1] x [-1, 0, 1]``, Sobel-y ``[-1, 0, 1] x [1, 2, 1]``.

A kernel that is not rank 1 can still be written as a sum of ``r`` separable terms; the truncated
SVD gives the best such sum in the Frobenius norm (Eckart-Young): :func:`low_rank`.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from functools import reduce

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "NotSeparableError",
    "SeparabilityResult",
    "analyze",
    "default_tol",
    "is_separable",
    "low_rank",
    "separate",
]


class NotSeparableError(ValueError):
    """Raised by :func:`separate` for a kernel that is not rank 1 (a ``ValueError``)."""


@dataclass(frozen=True)
class SeparabilityResult:
    """What :func:`analyze` found out about a kernel.

    Attributes
    ----------
    rank : int
        Numerical rank: the number of singular values ``> tol * sigma_1`` (0 for a zero kernel).
    singular_values : ndarray, shape (min(kH, kW),)
        ``sigma_1 >= sigma_2 >= ...``, in the kernel's float dtype.
    is_separable : bool
        ``rank <= 1``, i.e. ``sigma_2 <= tol * sigma_1``.
    column : ndarray, shape (kH,)
    row : ndarray, shape (kW,)
        The factors of :func:`separate` when the kernel is separable (integers for an integer
        kernel); otherwise the best rank-1 approximation ``sqrt(sigma_1) u_1``,
        ``sqrt(sigma_1) v_1`` (floats).
    error : float
        ``||kernel - np.outer(column, row)||_F``: 0.0 for an exactly factored integer kernel,
        ``sqrt(sigma_2**2 + sigma_3**2 + ...)`` up to rounding otherwise.
    tol : float
        The relative tolerance used.
    """

    rank: int
    singular_values: np.ndarray
    is_separable: bool
    column: np.ndarray
    row: np.ndarray
    error: float
    tol: float

    @property
    def ratio(self) -> float:
        """``sigma_2 / sigma_1``: 0 for a rank-1 kernel (up to rounding), 1 at most."""
        s = self.singular_values
        if s.size < 2 or s[0] == 0:
            return 0.0
        return float(s[1] / s[0])


# --------------------------------------------------------------------------- validation


def _as_kernel(kernel: object, name: str = "kernel") -> np.ndarray:
    """Check ``kernel`` is a finite, non-empty 2-D array of real numbers; return it as an array.

    Integer and bool kernels come back as int64, float kernels keep float32 / float64.
    """
    try:
        array = np.asarray(kernel)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise ValueError(
            f"{name} must be a 2-D array (kH, kW) of numbers with rows of equal length; could "
            f"not convert the given {type(kernel).__name__}: {exc}"
        ) from None
    kind = array.dtype.kind
    if kind in "biu":
        array = array.astype(np.int64)
    elif kind == "f" and array.dtype.itemsize in (4, 8):
        pass
    else:
        raise TypeError(
            f"{name} must hold real numbers (an integer, bool, float32 or float64 dtype); got "
            f"dtype {array.dtype}. Convert it first, e.g. np.asarray({name}, dtype=float)."
        )
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (kH, kW); got a {array.ndim}-D array of shape "
            f"{array.shape}. For one kernel of a conv weight (C_out, C_in, kH, kW) pass "
            f"weight[o, c]; to factor a whole layer use "
            f"refconv.separable_filtering.factorize_conv_weight."
        )
    if array.size == 0:
        raise ValueError(
            f"{name} must have at least one row and one column; got shape {array.shape}"
        )
    if kind == "f" and not np.isfinite(array).all():
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(
            f"{name} must be finite; got {bad} NaN or Inf entr{'y' if bad == 1 else 'ies'} in a "
            f"kernel of shape {array.shape}. The SVD of such a matrix is undefined."
        )
    return array


def default_tol(shape: tuple[int, int], dtype: np.dtype | type = np.float64) -> float:
    """The default relative tolerance ``max(kH, kW) * eps``, as NumPy's ``matrix_rank``.

    Parameters
    ----------
    shape : (int, int)
        ``(kH, kW)``.
    dtype : dtype, default float64
        Integer and bool dtypes use float64's epsilon (their SVD is computed in float64).

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.separability import default_tol
    >>> default_tol((3, 3)) == 3 * float(np.finfo(np.float64).eps)
    True
    >>> default_tol((5, 3), np.float32) == 5 * float(np.finfo(np.float32).eps)
    True
    """
    dt = np.dtype(dtype)
    float_dtype = dt if dt.kind == "f" else np.dtype(np.float64)
    return float(max(shape) * np.finfo(float_dtype).eps)


def _check_tol(tol: object, shape: tuple[int, int], dtype: np.dtype) -> float:
    if tol is None:
        return default_tol(shape, dtype)
    if isinstance(tol, (bool, np.bool_)) or not isinstance(tol, numbers.Real):
        raise TypeError(f"tol must be a real number or None; got {tol!r}")
    if not (math.isfinite(tol) and 0 <= tol < 1):
        raise ValueError(
            f"tol must satisfy 0 <= tol < 1 (it is relative: rank 1 means sigma_2 <= tol * "
            f"sigma_1); got {tol!r}. None gives the default max(kH, kW) * eps."
        )
    return float(tol)


# --------------------------------------------------------------------------- factors


def _orient(column: np.ndarray, row: np.ndarray, zero: float) -> tuple[np.ndarray, np.ndarray]:
    """Apply the sign convention: column sum > 0, else row sum > 0, else first column entry > 0.

    ``zero`` is the magnitude below which a (float) sum counts as zero.
    """
    for s in (column.sum(), row.sum()):
        if abs(s) > zero:
            return (column, row) if s > 0 else (-column, -row)
    lead = column[np.flatnonzero(np.abs(column) > zero)[:1]]
    if lead.size and lead[0] < 0:
        return -column, -row
    return column, row


def _float_factors(u: np.ndarray, s: float, vt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Balanced factors ``sqrt(s) u`` and ``sqrt(s) v`` of one SVD term, sign-normalised."""
    scale = np.sqrt(s)
    column, row = scale * u + 0.0, scale * vt + 0.0  # + 0.0 turns -0.0 into 0.0
    eps = np.finfo(column.dtype).eps
    zero = max(column.size, row.size) * eps * scale
    return _orient(column, row, zero)


def _integer_factors(kernel: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Exact integer factors of an integer kernel, or ``None`` when none exist.

    Works in Python integers, so no intermediate product can overflow.
    """
    rows = kernel.tolist()  # list of lists of Python ints
    first = next((r for r in rows if any(r)), None)
    if first is None:  # the zero kernel
        return np.zeros(kernel.shape[0], np.int64), np.zeros(kernel.shape[1], np.int64)
    divisor = reduce(math.gcd, first)
    row = [v // divisor for v in first]  # entries with no common divisor
    j0 = next(j for j, v in enumerate(row) if v)
    column = []
    for r in rows:
        c, remainder = divmod(r[j0], row[j0])
        if remainder or any(c * rv != v for rv, v in zip(row, r, strict=True)):
            return None
        column.append(c)
    return _orient(np.array(column, np.int64), np.array(row, np.int64), 0)


def _float(array: np.ndarray) -> np.ndarray:
    """The kernel in its float dtype (integers in float64), for the SVD."""
    return array if array.dtype.kind == "f" else array.astype(np.float64)


def _svd(array: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SVD in the kernel's float dtype (integers in float64)."""
    return np.linalg.svd(_float(array))  # u (kH, kH), s (min,), vt (kW, kW)


def _rank(s: np.ndarray, rtol: float) -> int:
    """Singular values above ``rtol * sigma_1``: the rule of NumPy's ``matrix_rank``."""
    return int(np.count_nonzero(s > rtol * s[0]))


def _check_rank(rank: object, most: int, bound: str, shape: tuple[int, ...],
                what: str) -> int:
    """``rank`` must be an int in ``[1, most]``; ``bound`` says where ``most`` comes from."""
    if isinstance(rank, (bool, np.bool_)) or not isinstance(rank, numbers.Integral):
        raise TypeError(f"rank must be an int; got {rank!r}")
    if not 1 <= rank <= most:
        raise ValueError(
            f"rank must be between 1 and {bound} = {most} for a {what} of shape {shape}; "
            f"got {rank}"
        )
    return int(rank)


# --------------------------------------------------------------------------- public API


def analyze(kernel: ArrayLike, tol: float | None = None) -> SeparabilityResult:
    """Rank, singular values and rank-1 factors of a 2-D kernel.

    Parameters
    ----------
    kernel : array_like, shape (kH, kW)
        Real numbers: integer, bool, float32 or float64. Non-square kernels are fine.
    tol : float, optional
        Relative tolerance: the kernel is rank 1 when ``sigma_2 <= tol * sigma_1``. Default
        ``max(kH, kW) * eps`` of the kernel's dtype (float64's for integer kernels).

    Returns
    -------
    SeparabilityResult
        ``rank``, ``singular_values``, ``is_separable``, ``column`` (kH,), ``row`` (kW,),
        ``error``, ``tol``; see :class:`SeparabilityResult`.

    Raises
    ------
    ValueError
        If ``kernel`` is not 2-D, is empty, or holds NaN or Inf.
    TypeError
        If ``kernel`` is not real numbers (strings, objects, complex).

    Examples
    --------
    >>> from refconv.separability import analyze
    >>> r = analyze([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])          # Sobel-x
    >>> r.rank, r.is_separable, r.column, r.row, r.error
    (1, True, array([1, 2, 1]), array([-1,  0,  1]), 0.0)
    >>> r = analyze([[0, 1, 0], [1, -4, 1], [0, 1, 0]])            # 4-neighbour Laplacian
    >>> r.rank, r.is_separable
    (2, False)
    """
    array = _as_kernel(kernel)
    u, s, vt = _svd(array)
    rtol = _check_tol(tol, array.shape, array.dtype)
    rank = _rank(s, rtol)
    separable = rank <= 1
    factors = _integer_factors(array) if separable and array.dtype.kind == "i" else None
    if factors is None:
        factors = _float_factors(u[:, 0], s[0], vt[0])
    column, row = factors
    residual = array.astype(np.float64) - np.outer(column, row).astype(np.float64)
    error = float(np.linalg.norm(residual))
    return SeparabilityResult(rank, s, separable, column, row, error, rtol)


def is_separable(kernel: ArrayLike, tol: float | None = None) -> bool:
    """True when ``kernel`` is rank 1 (or zero): ``sigma_2 <= tol * sigma_1``.

    Parameters
    ----------
    kernel : array_like, shape (kH, kW)
    tol : float, optional
        Relative tolerance, default ``max(kH, kW) * eps``; see :func:`analyze`.

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.separability import is_separable
    >>> is_separable(np.outer([1, 2, 1], [1, 2, 1])), is_separable(np.eye(3))
    (True, False)
    >>> nearly = [[1.0, 2.0], [2.0, 4.0 + 1e-9]]      # sigma_2 / sigma_1 = 4e-11
    >>> is_separable(nearly), is_separable(nearly, tol=1e-6)
    (False, True)
    """
    array = _as_kernel(kernel)
    s = np.linalg.svd(_float(array), compute_uv=False)
    return _rank(s, _check_tol(tol, array.shape, array.dtype)) <= 1


def separate(kernel: ArrayLike, tol: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Split a rank-1 kernel into a column and a row with ``np.outer(column, row) == kernel``.

    Parameters
    ----------
    kernel : array_like, shape (kH, kW)
    tol : float, optional
        Relative tolerance, default ``max(kH, kW) * eps``; see :func:`analyze`.

    Returns
    -------
    column : ndarray, shape (kH,)
    row : ndarray, shape (kW,)
        Integer kernels: int64 factors, exact, the row's entries without a common divisor.
        Float kernels: ``sqrt(sigma_1) u_1`` and ``sqrt(sigma_1) v_1`` (equal norms), in the
        kernel's dtype; the outer product equals the kernel up to rounding. Signs: see the
        module docstring (column sum positive, else row sum, else the column's first entry).
        A zero kernel gives zero factors.

    Raises
    ------
    NotSeparableError
        A ``ValueError`` subclass, when the kernel is not rank 1; the message gives the rank and
        ``sigma_2 / sigma_1``. Also for an integer kernel that is rank 1 within ``tol`` but has
        no exact integer factors (convert it to float to get approximate ones).

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.separability import separate
    >>> separate([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])             # Sobel-x
    (array([1, 2, 1]), array([-1,  0,  1]))
    >>> separate([[3, 6, 9], [4, 8, 12], [5, 10, 15]])             # seed 001's 3x3 example
    (array([3, 4, 5]), array([1, 2, 3]))
    >>> column, row = separate(np.outer([1.0, 2.0], [3.0, 4.0, 5.0]))   # a float 2x3 kernel
    >>> bool(np.allclose(np.outer(column, row), [[3, 4, 5], [6, 8, 10]]))
    True
    >>> bool(np.isclose(np.linalg.norm(column), np.linalg.norm(row)))   # balanced
    True
    >>> separate(np.eye(2))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    refconv.separability.NotSeparableError: kernel is not separable: rank 2 (sigma_2 / sigma_1 ...
    """
    result = analyze(kernel, tol)
    if not result.is_separable:
        raise NotSeparableError(
            f"kernel is not separable: rank {result.rank} (sigma_2 / sigma_1 = "
            f"{result.ratio:.3g}, tolerance {result.tol:.3g}), shape "
            f"({result.column.size}, {result.row.size}). "
            f"Use low_rank(kernel, {result.rank}) for a sum of {result.rank} separable terms."
        )
    if result.column.dtype.kind == "f" and np.asarray(kernel).dtype.kind in "biu":
        raise NotSeparableError(
            f"kernel is rank 1 within tol={result.tol:.3g} (sigma_2 / sigma_1 = "
            f"{result.ratio:.3g}) but has no exact integer factors; pass it as floats, e.g. "
            f"np.asarray(kernel, dtype=float), to get approximate factors."
        )
    return result.column, result.row


def low_rank(kernel: ArrayLike, rank: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The best approximation of ``kernel`` by ``rank`` separable terms (Eckart-Young).

    ``sum(np.outer(c, r) for c, r in low_rank(K, rank))`` is the truncated SVD of ``K``: of all
    matrices of rank ``<= rank`` it is the closest to ``K`` in the Frobenius (and spectral) norm,
    with Frobenius error ``sqrt(sigma_{rank+1}**2 + ... )``.

    Parameters
    ----------
    kernel : array_like, shape (kH, kW)
    rank : int
        Number of terms, ``1 <= rank <= min(kH, kW)``; ``min(kH, kW)`` reproduces the kernel.

    Returns
    -------
    list of (column, row)
        ``rank`` pairs of float arrays, shapes (kH,) and (kW,), term ``i`` being
        ``sqrt(sigma_i) u_i`` and ``sqrt(sigma_i) v_i`` (signs as in :func:`separate`), largest
        first.

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.separability import low_rank
    >>> laplacian = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]])
    >>> terms = low_rank(laplacian, 2)
    >>> len(terms), bool(np.allclose(sum(np.outer(c, r) for c, r in terms), laplacian))
    (2, True)
    """
    array = _as_kernel(kernel)
    rank = _check_rank(rank, min(array.shape), "min(kH, kW)", array.shape, "kernel")
    u, s, vt = _svd(array)
    return [_float_factors(u[:, i], s[i], vt[i]) for i in range(int(rank))]
