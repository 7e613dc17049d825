"""The SVD pieces separability is built from: the decomposition, the rank rule, the factors.

The SVD writes any matrix as a sum of rank-1 terms, largest first::

    M = sigma_1 u_1 v_1^T + sigma_2 u_2 v_2^T + ...      sigma_1 >= sigma_2 >= ... >= 0

* :func:`svd` and :func:`singular_values` are ``np.linalg.svd`` with one check added: a matrix
  so large that ``sigma_1`` overflows its float dtype is refused with a message that says how
  to scale it (the rank does not depend on the scale).
* :func:`numerical_rank` counts the singular values ``> rtol * sigma_1``, the rule of NumPy's
  ``matrix_rank``.
* :func:`balanced_factors` turns one term into a column and a row of equal norm,
  ``sqrt(sigma) u`` and ``sqrt(sigma) v``, and :func:`orient` fixes their signs, since
  ``np.outer(c, r) == np.outer(-c, -r)``: the column's sum is made positive; if it is zero, the
  row's sum; if both are zero, the column's first nonzero entry.
"""

from __future__ import annotations

import numpy as np

__all__ = ["balanced_factors", "frobenius", "numerical_rank", "orient", "singular_values", "svd"]


def svd(
    matrix: np.ndarray, name: str = "kernel", full_matrices: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.linalg.svd(matrix)``, refused when ``sigma_1`` overflows the matrix's dtype.

    Parameters
    ----------
    matrix : ndarray, shape (m, n)
        float32 or float64, finite.
    name : str, default "kernel"
        What the matrix is, for the error message.
    full_matrices : bool, default True
        As in ``np.linalg.svd``.

    Returns
    -------
    u : ndarray, shape (m, m), or (m, k) without full_matrices, ``k = min(m, n)``
    s : ndarray, shape (k,)
        ``sigma_1 >= sigma_2 >= ...``, finite.
    vt : ndarray, shape (n, n), or (k, n) without full_matrices

    Raises
    ------
    ValueError
        If ``sigma_1`` overflows (the message gives the largest entry and a scale to divide by).

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.separability.linalg import svd
    >>> u, s, vt = svd(np.array([[3.0, 0.0], [0.0, 4.0]]))
    >>> s
    array([4., 3.])
    >>> svd(np.full((2, 2), 2e38, np.float32))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: kernel is too large for the SVD in float32: its largest singular value ...
    """
    with np.errstate(over="ignore"):  # NumPy computes float32 in float64, then casts: inf
        u, s, vt = np.linalg.svd(matrix, full_matrices=full_matrices)
    return u, _finite_sigma_1(s, matrix, name), vt


def singular_values(matrix: np.ndarray, name: str = "kernel") -> np.ndarray:
    """The singular values alone (no ``u``, ``v``), refused as in :func:`svd` on overflow.

    Parameters
    ----------
    matrix, name
        As in :func:`svd`: ``(m, n)`` floats, and what they are for the error message.

    Returns
    -------
    ndarray, shape (min(m, n),)

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.separability.linalg import singular_values
    >>> singular_values(np.outer([1.0, 2.0], [3.0, 4.0])).round(12)
    array([11.18033989,  0.        ])
    """
    with np.errstate(over="ignore"):
        s = np.linalg.svd(matrix, compute_uv=False)
    return _finite_sigma_1(s, matrix, name)


def _finite_sigma_1(s: np.ndarray, matrix: np.ndarray, name: str) -> np.ndarray:
    """``s`` as it is when ``sigma_1 = s[0]`` is finite; else a ValueError saying how to scale."""
    if not np.isfinite(s[0]):
        top = float(np.abs(matrix).max())
        raise ValueError(
            f"{name} is too large for the SVD in {s.dtype}: its largest singular value sigma_1 "
            f"overflows (the largest entry is {top:.4g}; the dtype's maximum is "
            f"{float(np.finfo(s.dtype).max):.4g}). Scale it down first, e.g. {name} / "
            f"{top:.1g}: the rank and the factors' shape do not depend on the scale."
        )
    return s


def numerical_rank(s: np.ndarray, rtol: float) -> int:
    """The number of singular values ``> rtol * sigma_1``: the rule of NumPy's ``matrix_rank``.

    Parameters
    ----------
    s : ndarray, shape (k,)
        Singular values, largest first.
    rtol : float
        Relative tolerance.

    Returns
    -------
    int
        0 for a zero matrix.

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.separability.linalg import numerical_rank
    >>> numerical_rank(np.array([2.0, 1e-17, 0.0]), 1e-15), numerical_rank(np.zeros(2), 0.1)
    (1, 0)
    """
    return int(np.count_nonzero(s > rtol * s[0]))


def frobenius(matrix: np.ndarray) -> float:
    """``||matrix||_F`` without overflow in the squares (entries up to float64's maximum).

    Parameters
    ----------
    matrix : ndarray
        Any shape, floats.

    Returns
    -------
    float
        ``sqrt(sum(matrix**2))``, scaled by the largest magnitude first.

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.separability.linalg import frobenius
    >>> frobenius(np.array([[3e300, 4e300]]))   # the squares alone would overflow
    5e+300
    """
    peak = float(np.abs(matrix).max())
    return 0.0 if peak == 0 else peak * float(np.linalg.norm(matrix / peak))


def orient(column: np.ndarray, row: np.ndarray, zero: float) -> tuple[np.ndarray, np.ndarray]:
    """The sign convention: column sum > 0, else row sum > 0, else first column entry > 0.

    Parameters
    ----------
    column : ndarray, shape (kH,)
    row : ndarray, shape (kW,)
        Factors with ``np.outer(column, row) == kernel``; floats, or object arrays of Python
        ints (so that negating ``-2**63`` cannot overflow).
    zero : float
        The magnitude below which a (float) sum counts as zero; 0 for exact integers.

    Returns
    -------
    column, row : ndarray
        ``(column, row)`` or ``(-column, -row)``: the same outer product.

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.separability.linalg import orient
    >>> orient(np.array([-1, -2, -1]), np.array([1, 0, -1]), 0)     # Sobel-x, signs flipped
    (array([1, 2, 1]), array([-1,  0,  1]))
    """
    for s in (column.sum(), row.sum()):
        if abs(s) > zero:
            return (column, row) if s > 0 else (-column, -row)
    lead = column[np.flatnonzero(np.abs(column) > zero)[:1]]
    if lead.size and lead[0] < 0:
        return -column, -row
    return column, row


def balanced_factors(u: np.ndarray, s: float, vt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Balanced factors ``sqrt(s) u`` and ``sqrt(s) v`` of one SVD term, signs as :func:`orient`.

    Parameters
    ----------
    u : ndarray, shape (kH,)
        A left singular vector, ``U[:, i]``.
    s : float
        Its singular value, ``sigma_i``.
    vt : ndarray, shape (kW,)
        The right singular vector, ``Vt[i]``.

    Returns
    -------
    column : ndarray, shape (kH,)
    row : ndarray, shape (kW,)
        Both of Euclidean norm ``sqrt(s)``, in ``u``'s dtype, with no ``-0.0`` entries.

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.separability.linalg import balanced_factors
    >>> balanced_factors(np.array([-0.6, -0.8]), 25.0, np.array([-1.0, 0.0]))
    (array([3., 4.]), array([5., 0.]))
    """
    scale = np.sqrt(s)
    eps = np.finfo(u.dtype).eps
    column, row = orient(scale * u, scale * vt, max(u.size, vt.size) * eps * scale)
    return column + 0.0, row + 0.0  # + 0.0 turns -0.0 into 0.0
