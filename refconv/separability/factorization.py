"""A conv layer factored like a separable kernel: a ``kH x 1`` conv, then a ``1 x kW`` conv.

A conv weight ``W`` of shape ``(C_out, C_in, kH, kW)`` is replaced by a ``kH x 1`` conv from
``C_in`` to ``R`` channels followed by a ``1 x kW`` conv from ``R`` to ``C_out`` channels (the
separable-block note's Keras block, a 3x1 then a 1x3 ``Conv2D``). The composed weight is

    ``W[o, c, p, q] = sum_r B[o, r, q] A[r, c, p]``

a sum of ``R`` outer products of ``W`` reshaped to the matrix ``M[(c, p), (o, q)]`` of shape
``(C_in * kH, C_out * kW)``: the truncated SVD of ``M`` is the best such pair (Eckart-Young),
exactly as :func:`refconv.separability.low_rank` is for one kernel, and ``R = min(C_in * kH,
C_out * kW)`` reproduces the layer. :func:`factorized_layer_multiplications` counts what the
pair costs against the layer, with the rules of :mod:`refconv.separability.filtering`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .filtering import filtering_cost
from .inputs import check_rank, positive_ints, positive_rank, unmasked
from .linalg import svd

__all__ = ["LayerFactorization", "factorize_conv_weight", "factorized_layer_multiplications"]


@dataclass(frozen=True)
class LayerFactorization:
    """A conv weight approximated by a ``kH x 1`` conv then a ``1 x kW`` conv.

    Attributes
    ----------
    column_weight : ndarray, shape (R, C_in, kH, 1)
        First conv: ``C_in -> R`` channels.
    row_weight : ndarray, shape (C_out, R, 1, kW)
        Second conv: ``R -> C_out`` channels.
    singular_values : ndarray, shape (min(C_in * kH, C_out * kW),)
        Of the weight reshaped to ``(C_in * kH, C_out * kW)``.
    error : float
        ``||weight - composed weight||_F = sqrt(sum of the dropped sigma^2)`` (Eckart-Young).
    relative_error : float
        ``error / ||weight||_F``.
    """

    column_weight: np.ndarray
    row_weight: np.ndarray
    singular_values: np.ndarray
    error: float
    relative_error: float

    @property
    def rank(self) -> int:
        """``R``: the channels between the two convs."""
        return int(self.column_weight.shape[0])

    def composed(self) -> np.ndarray:
        """The ``(C_out, C_in, kH, kW)`` weight the two convs together apply."""
        # W[o, c, p, q] = sum_r row[o, r, 0, q] * column[r, c, p, 0]
        weight: np.ndarray = np.einsum(
            "orq,rcp->ocpq", self.row_weight[:, :, 0, :], self.column_weight[:, :, :, 0]
        )
        return weight


def _weight_matrix(weight: np.ndarray) -> np.ndarray:
    """The weight ``(C_out, C_in, kH, kW)`` as the matrix ``M[(c, p), (o, q)]`` the SVD factors."""
    c_out, c_in, kh, kw = weight.shape
    # M[(c, p), (o, q)] = weight[o, c, p, q]
    matrix: np.ndarray = weight.transpose(1, 2, 0, 3).reshape(c_in * kh, c_out * kw)
    return matrix  # (C_in*kH, C_out*kW)


def factorize_conv_weight(weight: ArrayLike, rank: int) -> LayerFactorization:
    """Best ``kH x 1`` (``C_in -> R``) then ``1 x kW`` (``R -> C_out``) approximation of a conv.

    The composed weight is ``W[o, c, p, q] = sum_r B[o, r, q] A[r, c, p]``: a sum of ``R``
    outer products of the weight reshaped to the matrix ``M[(c, p), (o, q)]`` of shape
    ``(C_in * kH, C_out * kW)``. The truncated SVD of ``M`` is therefore the best choice
    (Eckart-Young), and ``R = min(C_in * kH, C_out * kW)`` reproduces the layer exactly.

    Parameters
    ----------
    weight : array_like, shape (C_out, C_in, kH, kW)
        float32 is factored in float32, float64 in float64, integers and bool in float64 (as
        :func:`refconv.conv2d` computes them); other dtypes are a ``TypeError``.
    rank : int
        ``R``, between 1 and ``min(C_in * kH, C_out * kW)``.

    Returns
    -------
    LayerFactorization
        Use ``refconv.spatial_separable_conv2d(x, f.column_weight, f.row_weight, ...)``.

    Examples
    --------
    >>> import numpy as np
    >>> import refconv
    >>> from refconv.separability import factorize_conv_weight
    >>> rng = np.random.default_rng(0)
    >>> w, x = rng.standard_normal((4, 2, 3, 3)), rng.standard_normal((2, 8, 8))
    >>> f = factorize_conv_weight(w, rank=6)                   # full rank: min(2*3, 4*3) = 6
    >>> f.column_weight.shape, f.row_weight.shape, f.relative_error < 1e-12
    ((6, 2, 3, 1), (4, 6, 1, 3), True)
    >>> y = refconv.spatial_separable_conv2d(x, f.column_weight, f.row_weight)
    >>> bool(np.allclose(y, refconv.conv2d(x, w)))
    True
    """
    w = np.asarray(unmasked(weight, "weight"))
    if w.dtype.kind in "biu":
        w = w.astype(np.float64)
    elif not (w.dtype.kind == "f" and w.dtype.itemsize in (4, 8)):
        raise TypeError(
            f"weight must hold real numbers (an integer, bool, float32 or float64 dtype); got "
            f"dtype {w.dtype}. Convert it first, e.g. np.asarray(weight, dtype=float)."
        )
    if w.ndim != 4 or w.size == 0:
        raise ValueError(
            f"weight must be a non-empty 4-D array (C_out, C_in, kH, kW); got shape {w.shape}"
        )
    if not np.isfinite(w).all():
        raise ValueError("weight must be finite; it holds NaN or Inf")
    c_out, c_in, kh, kw = w.shape
    rank = check_rank(
        rank, min(c_in * kh, c_out * kw), "min(C_in * kH, C_out * kW)", w.shape, "weight"
    )
    u, s, vt = svd(_weight_matrix(w), "weight", full_matrices=False)
    r = int(rank)
    root = np.sqrt(s[:r])
    a = (u[:, :r] * root).T  # (R, C_in*kH): a_r[(c, p)]
    b = vt[:r] * root[:, None]  # (R, C_out*kW): b_r[(o, q)]
    column_weight = a.reshape(r, c_in, kh)[..., None]  # (R, C_in, kH, 1)
    row_weight = b.reshape(r, c_out, kw).transpose(1, 0, 2)[:, :, None, :]  # (C_out, R, 1, kW)
    error = math.hypot(*s[r:].tolist())  # sqrt of a sum of squares, which cannot overflow
    total = math.hypot(*s.tolist())
    return LayerFactorization(column_weight, row_weight, s, error, error / total if total else 0.0)


def factorized_layer_multiplications(
    input_shape: tuple[int, int, int],
    weight_shape: tuple[int, int, int, int],
    rank: int,
    padding: str = "valid",
) -> tuple[int, int]:
    """Multiplications of a conv layer and of its rank-``R`` factorization, stride 1.

    Full: ``C_out * C_in * kH * kW * H_out * W_out``. Factorized: the column conv
    ``R * C_in * kH * H_out * W`` plus the row conv ``C_out * R * kW * H_out * W_out``.

    Parameters
    ----------
    input_shape : (C_in, H, W)
    weight_shape : (C_out, C_in, kH, kW)
    rank : int
    padding : {"valid", "same"}

    Returns
    -------
    (full, factorized) : (int, int)

    Examples
    --------
    >>> from refconv.separability import factorized_layer_multiplications
    >>> factorized_layer_multiplications((64, 32, 32), (64, 64, 3, 3), rank=64, padding="same")
    (37748736, 25165824)
    """
    c_in, h, w = positive_ints(input_shape, "input_shape", "(C_in, H, W)")
    c_out, c_in_w, kh, kw = positive_ints(weight_shape, "weight_shape", "(C_out, C_in, kH, kW)")
    rank = positive_rank(rank)
    if c_in_w != c_in:
        raise ValueError(
            f"weight_shape[1] must equal input_shape[0] (C_in); got weight_shape={weight_shape}, "
            f"input_shape={input_shape}"
        )
    cost = filtering_cost((h, w), (kh, kw), padding, rank=1)
    (mh, mw), (oh, ow) = cost.intermediate_shape, cost.output_shape
    full = c_out * c_in * kh * kw * oh * ow
    factorized = int(rank) * c_in * kh * mh * mw + c_out * int(rank) * kw * oh * ow
    return full, factorized
