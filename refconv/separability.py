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

* **integer-valued kernels** get integer factors, computed exactly with Python integers (no
  product can overflow): the row factor is the first nonzero row of ``K`` divided by the
  greatest common divisor of its entries, so the row's entries have no common divisor; the
  column then holds the integers with ``K[i] = column[i] * row``. Sobel-x gives column ``[1, 2,
  1]`` and row ``[-1, 0, 1]``. This holds for every dtype: an integer (or bool) kernel gets int64
  factors (uint64 for a uint64 kernel with entries past ``2**63 - 1``), a float kernel that
  holds whole numbers gets the same integers in its own float dtype (``[1., 2., 1.]``). Each
  factor divides an entry of ``K``, so it is exactly representable wherever the entries are, and
  ``np.outer(column, row) == kernel`` holds exactly, with no wrap-around. Such a kernel is
  rank 1 exactly, whatever rounding noise the SVD leaves in ``sigma_2``.
* **other float kernels** get balanced factors, ``column = sqrt(sigma_1) u_1`` and ``row =
  sqrt(sigma_1) v_1``, so both have Euclidean norm ``sqrt(sigma_1)``; so does an
  integer-valued float kernel that is rank 1 within ``tol`` but has no exact integer factors.
* **sign**, for both: the column's sum is made positive; if it is zero, the row's sum; if both are
  zero, the column's first nonzero entry. So a derivative filter's smoothing half is the positive
  one: Sobel-x ``[1, 2, 1] x [-1, 0, 1]``, Sobel-y ``[-1, 0, 1] x [1, 2, 1]``.

A kernel that is not rank 1 can still be written as a sum of ``r`` separable terms; the truncated
SVD gives the best such sum in the Frobenius norm (Eckart-Young): :func:`low_rank`.

Inputs: integer, bool, float32 and float64 kernels, finite and non-empty. Integers are read
exactly, never wrapped: uint64 entries past ``2**63 - 1`` stay uint64, nested lists of Python
integers become int64 or uint64, and integers beyond both are refused. So are masked arrays with
masked entries (NumPy would drop the mask) and kernels so large that ``sigma_1`` overflows their
float dtype (scale them down first: the rank does not depend on the scale).
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


# --------------------------------------------------------------------------- validation


_INT64 = np.iinfo(np.int64)
_UINT64 = np.iinfo(np.uint64)


def _as_kernel(kernel: object, name: str = "kernel") -> np.ndarray:
    """Check ``kernel`` is a finite, non-empty 2-D array of real numbers; return it as an array.

    Integer and bool kernels come back as int64, or as uint64 when they hold values past int64
    (``2**63`` to ``2**64 - 1``): never wrapped around. Nested lists of Python integers are read
    exactly (NumPy would turn ``[[-1, 2**63]]`` into rounded floats). Float kernels keep float32
    / float64. The caller's array is never modified.
    """
    kernel = _unmasked(kernel, name)
    try:
        array = np.asarray(kernel)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise ValueError(
            f"{name} must be a 2-D array (kH, kW) of numbers with rows of equal length; could "
            f"not convert the given {type(kernel).__name__}: {exc}"
        ) from None
    if array.dtype.kind == "O" or (array.dtype.kind == "f" and not isinstance(kernel, np.ndarray)):
        array = _python_integers(kernel, array, name)
    kind = array.dtype.kind
    if kind in "biu" and not (kind == "u" and array.dtype.itemsize == 8):
        array = array.astype(np.int64)  # every bool, int8 ... int64, uint8 ... uint32 fits
    elif kind == "u":  # uint64: int64 unless an entry is past it
        if not (array.size and array.max() > _INT64.max):
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


def _unmasked(value: object, name: str) -> object:
    """The data of a masked array with nothing masked; a ValueError when some entry is masked.

    ``np.asarray`` would silently drop the mask and use whatever the masked entries hold.
    """
    if not isinstance(value, np.ma.MaskedArray):
        return value
    masked = int(np.count_nonzero(np.ma.getmaskarray(value)))
    if masked:
        raise ValueError(
            f"{name} is a masked array with {masked} masked entr{'y' if masked == 1 else 'ies'}; "
            f"every value is needed. Fill them first, e.g. {name}.filled(0)."
        )
    return np.ma.getdata(value)


def _python_integers(kernel: object, array: np.ndarray, name: str) -> np.ndarray:
    """``kernel`` as int64 / uint64 when it holds only integers that NumPy made objects or floats.

    ``array`` is ``np.asarray(kernel)``, of object dtype, or float64 made from a nested list (as
    ``[[-1, 2**63]]`` is). Anything but integers comes back as ``array``, unchanged.
    """
    values = np.asarray(kernel, dtype=object).ravel().tolist()
    if not values or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in values
    ):
        return array
    low, high = min(values), max(values)
    for info in (_INT64, _UINT64):
        if info.min <= low and high <= info.max:
            return np.array(np.asarray(kernel, dtype=object).tolist(), dtype=info.dtype)
    raise ValueError(
        f"{name} holds integers from {low} to {high}, which fit neither int64 ({_INT64.min} to "
        f"{_INT64.max}) nor uint64 (0 to {_UINT64.max}); refconv's integer kernels are int64 or "
        f"uint64. Pass floats for approximate factors, e.g. np.asarray({name}, dtype=float)."
    )


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
    try:
        finite = math.isfinite(tol)
    except OverflowError:  # an int beyond float64, e.g. 10**400
        finite = False
    if not (finite and 0 <= tol < 1):
        raise ValueError(
            f"tol must satisfy 0 <= tol < 1 (it is relative: rank 1 means sigma_2 <= tol * "
            f"sigma_1); got {tol!r}. None gives the default max(kH, kW) * eps."
        )
    return float(tol)


# --------------------------------------------------------------------------- factors


def _orient(column: np.ndarray, row: np.ndarray, zero: float) -> tuple[np.ndarray, np.ndarray]:
    """Apply the sign convention: column sum > 0, else row sum > 0, else first column entry > 0.

    ``zero`` is the magnitude below which a (float) sum counts as zero; 0 for exact integers
    (object arrays of Python ints, so that negating ``-2**63`` cannot overflow).
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
    eps = np.finfo(u.dtype).eps
    column, row = _orient(scale * u, scale * vt, max(u.size, vt.size) * eps * scale)
    return column + 0.0, row + 0.0  # + 0.0 turns -0.0 into 0.0


def _is_integer_valued(array: np.ndarray) -> bool:
    """Integer dtype, or floats that are all whole numbers (``[[1., 2.], [2., 4.]]``)."""
    return array.dtype.kind in "iu" or bool(np.all(np.trunc(array) == array))


def _exact_factors(array: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Exact integer factors of an integer-valued kernel, or ``None`` when none exist.

    Object arrays of Python ints, sign-normalised, computed with Python integers, so no product
    can overflow: the row is the first nonzero row divided by the gcd of its entries, the column
    the integers with ``kernel[i] = column[i] * row``, checked entry by entry.
    """
    rows = ([int(v) for v in r.tolist()] for r in array)  # one row at a time; floats are whole
    column: list[int] = []
    for r in rows:  # zero rows up to the first nonzero one, which gives the row factor
        if any(r):
            break
        column.append(0)
    else:  # the zero kernel
        return np.zeros(array.shape[0], object), np.zeros(array.shape[1], object)
    divisor = reduce(math.gcd, r)
    row = [v // divisor for v in r]  # entries with no common divisor
    column.append(divisor)
    j0 = next(j for j, v in enumerate(row) if v)
    for r in rows:  # the rows after it: each must be a multiple of the row factor
        c, remainder = divmod(r[j0], row[j0])
        if remainder or any(c * rv != v for rv, v in zip(row, r, strict=True)):
            return None
        column.append(c)
    return _orient(np.array(column, object), np.array(row, object), 0)


def _in_dtype(factors: tuple[np.ndarray, np.ndarray], dtype: np.dtype
              ) -> tuple[np.ndarray, np.ndarray] | None:
    """Exact factors as arrays of the kernel's dtype, or ``None`` when a factor does not fit.

    Every factor divides an entry of the kernel, so it is representable exactly wherever the
    entries are, and so are the products: a float kernel's factors keep its dtype, a uint64
    kernel's (entries and factors >= 0) stay uint64, so ``np.outer`` cannot wrap around. The one
    misfit: an int64 kernel holding ``-2**63`` can need the factor ``2**63``.
    """
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if not all(info.min <= v <= info.max for v in (*factors[0], *factors[1])):
            return None
    return factors[0].astype(dtype), factors[1].astype(dtype)


def _float(array: np.ndarray) -> np.ndarray:
    """The kernel in its float dtype (integers in float64), for the SVD."""
    return array if array.dtype.kind == "f" else array.astype(np.float64)


def _svd(matrix: np.ndarray, name: str = "kernel", full_matrices: bool = True
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.linalg.svd`` of ``matrix`` (float32 or float64), refused when ``sigma_1`` overflows."""
    with np.errstate(over="ignore"):  # NumPy computes float32 in float64, then casts: inf
        u, s, vt = np.linalg.svd(matrix, full_matrices=full_matrices)
    return u, _finite_sigma_1(s, matrix, name), vt


def _singular_values(matrix: np.ndarray, name: str = "kernel") -> np.ndarray:
    """The singular values alone (no ``u``, ``v``), refused when ``sigma_1`` overflows."""
    with np.errstate(over="ignore"):
        s = np.linalg.svd(matrix, compute_uv=False)
    return _finite_sigma_1(s, matrix, name)


def _finite_sigma_1(s: np.ndarray, matrix: np.ndarray, name: str) -> np.ndarray:
    if not np.isfinite(s[0]):
        top = float(np.abs(matrix).max())
        raise ValueError(
            f"{name} is too large for the SVD in {s.dtype}: its largest singular value sigma_1 "
            f"overflows (the largest entry is {top:.4g}; the dtype's maximum is "
            f"{float(np.finfo(s.dtype).max):.4g}). Scale it down first, e.g. {name} / "
            f"{top:.1g}: the rank and the factors' shape do not depend on the scale."
        )
    return s


def _rank(s: np.ndarray, rtol: float) -> int:
    """Singular values above ``rtol * sigma_1``: the rule of NumPy's ``matrix_rank``."""
    return int(np.count_nonzero(s > rtol * s[0]))


def _frobenius(matrix: np.ndarray) -> float:
    """``||matrix||_F`` without overflow in the squares (entries up to float64's maximum)."""
    peak = float(np.abs(matrix).max())
    return 0.0 if peak == 0 else peak * float(np.linalg.norm(matrix / peak))


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
    return _analyze(_as_kernel(kernel), tol)[0]


def _analyze(array: np.ndarray, tol: object
             ) -> tuple[SeparabilityResult, tuple[np.ndarray, np.ndarray] | None]:
    """:func:`analyze` of a checked kernel, and its exact integer factors (Python ints) if any."""
    rtol = _check_tol(tol, array.shape, array.dtype)
    u, s, vt = _svd(_float(array))  # u (kH, kH), s (min(kH, kW),), vt (kW, kW)
    exact = _exact_factors(array) if _is_integer_valued(array) else None
    if exact is not None:  # rank 1 exactly (0 for the zero kernel), whatever the SVD's noise
        rank = int(any(exact[0]))
    else:
        rank = _rank(s, rtol)
    factors = _in_dtype(exact, array.dtype) if exact is not None else None
    if factors is not None:
        column, row = factors
        error = 0.0
    else:
        column, row = _float_factors(u[:, 0], s[0], vt[0])
        error = _frobenius(_float(array).astype(np.float64)
                           - np.outer(column.astype(np.float64), row.astype(np.float64)))
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
    rtol = _check_tol(tol, array.shape, array.dtype)
    s = _singular_values(_float(array))
    if _rank(s, rtol) <= 1:
        return True
    return _is_integer_valued(array) and _exact_factors(array) is not None


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
    >>> separate([[3, 6, 9], [4, 8, 12], [5, 10, 15]])             # seed 001's 3x3 example
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
    array = _as_kernel(kernel)
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
    array = _as_kernel(kernel)
    rank = _check_rank(rank, min(array.shape), "min(kH, kW)", array.shape, "kernel")
    u, s, vt = _svd(_float(array))
    return [_float_factors(u[:, i], s[i], vt[i]) for i in range(int(rank))]
