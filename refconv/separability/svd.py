"""Is a 2-D kernel separable? The singular value decomposition answers, and gives the factors.

A kernel ``K`` of shape ``(kH, kW)`` is *separable* when it is an outer product,
``K = np.outer(column, row)``: filtering with it is then a ``kH x 1`` pass followed by a
``1 x kW`` pass (see :mod:`refconv.separability.filtering`). In matrix terms ``K`` has rank 1.

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

* **integer-valued kernels** get exact integer factors (:mod:`refconv.separability.exact`):
  Sobel-x gives column ``[1, 2, 1]`` and row ``[-1, 0, 1]``, int64 for an integer kernel,
  ``[1., 2., 1.]`` for the same kernel in floats, and ``np.outer(column, row) == kernel``
  exactly. Such a kernel is rank 1 exactly, whatever rounding noise the SVD leaves in
  ``sigma_2``.
* **other float kernels** get balanced factors, ``column = sqrt(sigma_1) u_1`` and ``row =
  sqrt(sigma_1) v_1``, so both have Euclidean norm ``sqrt(sigma_1)``; so does an
  integer-valued float kernel that is rank 1 within ``tol`` but has no exact integer factors.
* **sign**, for both: the column's sum is made positive; if it is zero, the row's sum; if both are
  zero, the column's first nonzero entry. So a derivative filter's smoothing half is the positive
  one: Sobel-x ``[1, 2, 1] x [-1, 0, 1]``, Sobel-y ``[-1, 0, 1] x [1, 2, 1]``.

A kernel that is not rank 1 can still be written as a sum of ``r`` separable terms; the truncated
SVD gives the best such sum in the Frobenius norm (Eckart-Young): :func:`low_rank`.

Inputs: integer, bool, float32 and float64 kernels, finite and non-empty, read exactly
(:func:`refconv.separability.as_kernel`); kernels so large that ``sigma_1`` overflows their
float dtype are refused (scale them down first: the rank does not depend on the scale).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .exact import exact_factors, factors_in_dtype
from .inputs import as_kernel, check_rank, check_tol
from .linalg import balanced_factors, frobenius, numerical_rank, singular_values, svd

__all__ = [
    "NotSeparableError",
    "SeparabilityResult",
    "analyze",
    "is_separable",
    "low_rank",
    "separate",
]


class NotSeparableError(ValueError):
    """Raised by :func:`separate` for a kernel that is not rank 1 (a ``ValueError``)."""


# Its public home is the package: tracebacks and pickles say refconv.separability.NotSeparableError
NotSeparableError.__module__ = "refconv.separability"


@dataclass(frozen=True)
class SeparabilityResult:
    """What :func:`analyze` found out about a kernel.

    Attributes
    ----------
    rank : int
        Numerical rank: the number of singular values ``> tol * sigma_1`` (0 for a zero kernel);
        1 for an integer-valued kernel with exact integer factors, which is rank 1 exactly.
    singular_values : ndarray, shape (min(kH, kW),)
        ``sigma_1 >= sigma_2 >= ...``, in the kernel's float dtype.
    is_separable : bool
        ``rank <= 1``, i.e. ``sigma_2 <= tol * sigma_1``, or exact integer factors exist.
    column : ndarray, shape (kH,)
    row : ndarray, shape (kW,)
        The factors of :func:`separate` when the kernel is separable (exact integers for an
        integer-valued kernel, in its dtype); otherwise the best rank-1 approximation
        ``sqrt(sigma_1) u_1``, ``sqrt(sigma_1) v_1`` (floats).
    error : float
        ``||kernel - np.outer(column, row)||_F``: 0.0 for exact integer factors,
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
        If ``kernel`` is not 2-D, is empty, holds NaN or Inf, is a masked array with masked
        entries, holds integers beyond int64 and uint64, or is so large that ``sigma_1``
        overflows its float dtype.
    TypeError
        If ``kernel`` is not real numbers (strings, objects, complex, float16).

    Examples
    --------
    >>> from refconv.separability import analyze
    >>> r = analyze([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])          # Sobel-x
    >>> r.rank, r.is_separable, r.column, r.row, r.error
    (1, True, array([1, 2, 1]), array([-1,  0,  1]), 0.0)
    >>> r = analyze([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])   # as floats
    >>> r.column, r.row, r.error
    (array([1., 2., 1.]), array([-1.,  0.,  1.]), 0.0)
    >>> r = analyze([[0, 1, 0], [1, -4, 1], [0, 1, 0]])            # 4-neighbour Laplacian
    >>> r.rank, r.is_separable
    (2, False)
    """
    return _analyze(as_kernel(kernel), tol)[0]


def _float(array: np.ndarray) -> np.ndarray:
    """The kernel in its float dtype (integers in float64), for the SVD."""
    return array if array.dtype.kind == "f" else array.astype(np.float64)


def _analyze(
    array: np.ndarray, tol: object
) -> tuple[SeparabilityResult, tuple[np.ndarray, np.ndarray] | None]:
    """:func:`analyze` of a checked kernel, and its exact integer factors (Python ints) if any."""
    rtol = check_tol(tol, array.shape, array.dtype)
    u, s, vt = svd(_float(array))  # u (kH, kH), s (min(kH, kW),), vt (kW, kW)
    exact = exact_factors(array)
    if exact is not None:  # rank 1 exactly (0 for the zero kernel), whatever the SVD's noise
        rank = int(any(exact[0]))
    else:
        rank = numerical_rank(s, rtol)
    factors = factors_in_dtype(exact, array.dtype) if exact is not None else None
    if factors is not None:
        column, row = factors
        error = 0.0
    else:
        column, row = balanced_factors(u[:, 0], s[0], vt[0])
        error = frobenius(
            _float(array).astype(np.float64)
            - np.outer(column.astype(np.float64), row.astype(np.float64))
        )
    return SeparabilityResult(rank, s, rank <= 1, column, row, error, rtol), exact


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
        As ``analyze(kernel, tol).is_separable``, without computing the factors.

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
    array = as_kernel(kernel)
    rtol = check_tol(tol, array.shape, array.dtype)
    s = singular_values(_float(array))
    if numerical_rank(s, rtol) <= 1:
        return True
    return exact_factors(array) is not None


def separate(kernel: ArrayLike, tol: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Split a rank-1 kernel into a column and a row with ``np.outer(column, row) == kernel``.

    Parameters
    ----------
    kernel : array_like, shape (kH, kW)
        Real numbers, as for :func:`analyze`.
    tol : float, optional
        Rank 1 means ``sigma_2 <= tol * sigma_1``; the default is ``max(kH, kW) * eps``.

    Returns
    -------
    column : ndarray, shape (kH,)
    row : ndarray, shape (kW,)
        Integer-valued kernels, of any dtype, that have integer factors: those integers, exact,
        the row's entries without a common divisor, ``np.outer(column, row) == kernel`` exactly;
        int64 for integer and bool kernels (uint64 for a uint64 kernel with entries past
        ``2**63 - 1``), the kernel's dtype for a float kernel (``array([1., 2., 1.])``).
        Other float kernels: ``sqrt(sigma_1) u_1`` and ``sqrt(sigma_1) v_1`` (equal norms), in
        the kernel's dtype; the outer product equals the kernel up to rounding. Signs: see the
        module docstring (column sum positive, else row sum, else the column's first entry).
        A zero kernel gives zero factors.

    Raises
    ------
    NotSeparableError
        A ``ValueError`` subclass, when the kernel is not rank 1; the message gives the rank and
        ``sigma_2 / sigma_1``. Also for an integer kernel that is rank 1 within ``tol`` but has
        no exact integer factors (convert it to float to get approximate ones).
    ValueError
        For an int64 kernel whose exact factors do not fit int64: a kernel holding ``-2**63``
        can need the factor ``2**63`` (``[[-2**63, 0]]`` is ``[2**63] x [-1, 0]``); as float64,
        ``[[-2.0**63, 0.0]]`` separates exactly. And as for :func:`analyze`.

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.separability import separate
    >>> separate([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])             # Sobel-x
    (array([1, 2, 1]), array([-1,  0,  1]))
    >>> separate([[3, 6, 9], [4, 8, 12], [5, 10, 15]])             # the TDS introduction's 3x3
    (array([3, 4, 5]), array([1, 2, 3]))
    >>> separate(np.outer([1.0, 2.0], [3.0, 4.0, 5.0]))        # whole numbers in floats
    (array([1., 2.]), array([3., 4., 5.]))
    >>> column, row = separate(np.outer([0.5, 1.0], [3.0, 4.0, 5.0]))   # other floats: the SVD
    >>> bool(np.allclose(np.outer(column, row), [[1.5, 2, 2.5], [3, 4, 5]]))
    True
    >>> bool(np.isclose(np.linalg.norm(column), np.linalg.norm(row)))   # balanced
    True
    >>> separate(np.eye(2))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    refconv.separability.NotSeparableError: kernel is not separable: rank 2 (sigma_2 / sigma_1 ...
    """
    array = as_kernel(kernel)
    result, exact = _analyze(array, tol)
    if not result.is_separable:
        raise NotSeparableError(
            f"kernel is not separable: rank {result.rank} (sigma_2 / sigma_1 = "
            f"{result.ratio:.3g}, tolerance {result.tol:.3g}), shape "
            f"({result.column.size}, {result.row.size}). "
            f"Use low_rank(kernel, {result.rank}) for a sum of {result.rank} separable terms."
        )
    if result.column.dtype.kind == "f" and array.dtype.kind in "iu":
        if exact is not None:
            raise ValueError(
                f"kernel of dtype {array.dtype} is rank 1 with the exact integer factors column "
                f"{exact[0].tolist()} and row {exact[1].tolist()}, which do not fit "
                f"{array.dtype} (from {np.iinfo(array.dtype).min} to {np.iinfo(array.dtype).max})"
                f". Pass the kernel as float64, which holds 2**63 exactly, e.g. "
                f"np.asarray(kernel, dtype=float)."
            )
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
    array = as_kernel(kernel)
    rank = check_rank(rank, min(array.shape), "min(kH, kW)", array.shape, "kernel")
    u, s, vt = svd(_float(array))
    return [balanced_factors(u[:, i], s[i], vt[i]) for i in range(int(rank))]
