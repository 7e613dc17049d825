"""Exact integer factors of an integer-valued kernel, worked in Python integers.

Sobel-x is ``[1, 2, 1] x [-1, 0, 1]``: an integer kernel deserves integer factors, not the
SVD's ``[0.98..., 1.97..., ...]``. The convention that makes them unique (``np.outer(c, r) ==
np.outer(2 * c, r / 2)``): the row factor is the first nonzero row of ``K`` divided by the
greatest common divisor of its entries, so the row's entries have no common divisor; the column
then holds the integers with ``K[i] = column[i] * row``. Signs follow
:func:`refconv.separability.linalg.orient` (column sum positive first).

* Every dtype gets them: an integer (or bool) kernel gets int64 factors (uint64 for a uint64
  kernel with entries past ``2**63 - 1``), a float kernel that holds whole numbers gets the
  same integers in its own float dtype (``[1., 2., 1.]``).
* Nothing overflows: the factors are computed with Python integers, and each factor divides an
  entry of ``K``, so it is exactly representable wherever the entries are and ``np.outer(column,
  row) == kernel`` holds exactly, with no wrap-around. The one misfit: an int64 kernel holding
  ``-2**63`` can need the factor ``2**63`` (:func:`factors_in_dtype` says so with ``None``).
* A kernel with exact integer factors is rank 1 exactly, whatever rounding noise the SVD
  leaves in ``sigma_2``; an integer-valued kernel without them is judged by the SVD.
"""

from __future__ import annotations

import math
from functools import reduce

import numpy as np

from .linalg import orient

__all__ = ["exact_factors", "factors_in_dtype"]


def _is_integer_valued(array: np.ndarray) -> bool:
    """Integer dtype, or floats that are all whole numbers (``[[1., 2.], [2., 4.]]``)."""
    return array.dtype.kind in "iu" or bool(np.all(np.trunc(array) == array))


def exact_factors(array: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Exact integer factors of an integer-valued kernel, or ``None`` when there are none.

    The row is the first nonzero row divided by the gcd of its entries, the column the integers
    with ``kernel[i] = column[i] * row``, checked entry by entry in Python integers, so no
    product can overflow; signs as :func:`refconv.separability.linalg.orient`.

    Parameters
    ----------
    array : ndarray, shape (kH, kW)
        A checked kernel (:func:`refconv.separability.as_kernel`): int64, uint64, float32 or
        float64.

    Returns
    -------
    (column, row) or None
        Object arrays of Python ints, shapes (kH,) and (kW,); zeros for the zero kernel.
        ``None`` when the kernel holds a non-whole number or is not an outer product of
        integers.

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.separability.exact import exact_factors
    >>> exact_factors(np.array([[-2, 0, 2], [-4, 0, 4], [-2, 0, 2]]))
    (array([2, 4, 2], dtype=object), array([-1, 0, 1], dtype=object))
    >>> column, row = exact_factors(np.array([[2**63, 2**64 - 1]], dtype=np.uint64))
    >>> column.tolist(), row.tolist()      # Python ints: nothing wraps around
    ([1], [9223372036854775808, 18446744073709551615])
    >>> exact_factors(np.eye(2)), exact_factors(np.array([[0.5, 1.0]]))
    (None, None)
    """
    if not _is_integer_valued(array):
        return None
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
    return orient(np.array(column, object), np.array(row, object), 0)


def factors_in_dtype(
    factors: tuple[np.ndarray, np.ndarray], dtype: np.dtype
) -> tuple[np.ndarray, np.ndarray] | None:
    """Exact factors as arrays of the kernel's dtype, or ``None`` when a factor does not fit.

    Every factor divides an entry of the kernel, so it is representable exactly wherever the
    entries are, and so are the products: a float kernel's factors keep its dtype, a uint64
    kernel's (entries and factors >= 0) stay uint64, so ``np.outer`` cannot wrap around. The one
    misfit: an int64 kernel holding ``-2**63`` can need the factor ``2**63``.

    Parameters
    ----------
    factors : (ndarray, ndarray)
        ``(column, row)`` from :func:`exact_factors`.
    dtype : dtype
        The kernel's dtype.

    Returns
    -------
    (column, row) or None
        Arrays of ``dtype``, shapes (kH,) and (kW,).

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.separability.exact import exact_factors, factors_in_dtype
    >>> factors_in_dtype(exact_factors(np.array([[3.0, 6.0]])), np.dtype(np.float32))
    (array([3.], dtype=float32), array([1., 2.], dtype=float32))
    >>> factors_in_dtype(exact_factors(np.array([[-2**63, 0]])), np.dtype(np.int64)) is None
    True
    """
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if not all(info.min <= v <= info.max for v in (*factors[0], *factors[1])):
            return None
    return factors[0].astype(dtype), factors[1].astype(dtype)
