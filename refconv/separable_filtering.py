"""Filtering with separable kernels, and what it costs: exact multiplication counts.

A rank-1 kernel ``K = np.outer(column, row)`` of shape ``(kH, kW)`` filters an image in two
1-D passes: the ``kH x 1`` column pass, then the ``1 x kW`` row pass
(:func:`refconv.spatial_separable_conv2d`). A rank-``r`` kernel takes ``r`` such pairs, summed;
a conv layer's weight ``(C_out, C_in, kH, kW)`` can be factored the same way into a
``kH x 1`` conv ``C_in -> R`` and a ``1 x kW`` conv ``R -> C_out``.

Counting. Every count here is the number of multiplications the dense loops perform, one per
kernel tap per output value, including taps that are zero and taps that fall on zero padding
(as a convolution layer does; a filter written for one kernel could skip the zeros of Sobel's
middle column, but that is another optimisation). For an ``H x W`` image and stride 1:

=========  =================================  ===========================================
padding    full 2-D kernel                    column pass + row pass
=========  =================================  ===========================================
"same"     ``kH*kW * H*W``                    ``kH * H*W  +  kW * H*W``
"valid"    ``kH*kW * (H-kH+1)*(W-kW+1)``      ``kH * (H-kH+1)*W  +  kW * (H-kH+1)*(W-kW+1)``
=========  =================================  ===========================================

With "same" padding the ratio is exactly ``(kH + kW) / (kH * kW)`` (6 vs 9 for 3x3: "2K
instead of K^2 per pixel"). With "valid" padding the column pass must produce every column of
the intermediate image, ``(H-kH+1) x W``, which is wider than the output, so the separable
count per output pixel is ``kW + kH * W / (W-kW+1)``, a little more than ``kH + kW``.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .functional import conv2d, spatial_separable_conv2d
from .separability import _as_kernel, _check_rank, _svd, _unmasked, low_rank

__all__ = [
    "FilteringCost",
    "LayerFactorization",
    "factorize_conv_weight",
    "factorized_layer_multiplications",
    "filter_full",
    "filter_low_rank",
    "filter_separable",
    "filtering_cost",
]

PADDINGS = ("valid", "same")


# --------------------------------------------------------------------------- filtering


def _image(image: ArrayLike) -> np.ndarray:
    array = np.asarray(_unmasked(image, "image"))
    if array.ndim != 2:
        raise ValueError(
            f"image must be a 2-D array (H, W); got a {array.ndim}-D array of shape "
            f"{array.shape}. For a colour image filter each channel, or convert to grey first."
        )
    return array


def _vector(values: ArrayLike, name: str) -> np.ndarray:
    array = np.asarray(_unmasked(values, name))
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array; got shape {array.shape}")
    return array


def filter_full(
    image: ArrayLike, kernel: ArrayLike, padding: str | int = "valid", method: str = "auto"
) -> np.ndarray:
    """Filter a 2-D image with a 2-D kernel (cross-correlation) through :func:`refconv.conv2d`.

    Parameters
    ----------
    image : array_like, shape (H, W)
    kernel : array_like, shape (kH, kW)
    padding : "valid", "same" or any padding :func:`refconv.conv2d` accepts
        Zero padding.
    method : str
        As in :func:`refconv.conv2d`.

    Returns
    -------
    ndarray, shape (H_out, W_out)
        ``(H - kH + 1, W - kW + 1)`` for "valid", ``(H, W)`` for "same".

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.separable_filtering import filter_full
    >>> filter_full(np.arange(16.0).reshape(4, 4), [[1, 0], [0, -1]])
    array([[-5., -5., -5.],
           [-5., -5., -5.],
           [-5., -5., -5.]])
    """
    k = _as_kernel(kernel)
    x = _image(image)[None, None]  # (1, 1, H, W)
    return conv2d(x, k[None, None], padding=padding, method=method)[0, 0]


def filter_separable(
    image: ArrayLike,
    column: ArrayLike,
    row: ArrayLike,
    padding: str | int = "valid",
    method: str = "auto",
) -> np.ndarray:
    """Filter with ``np.outer(column, row)`` as two 1-D passes: ``kH x 1``, then ``1 x kW``.

    Equal to ``filter_full(image, np.outer(column, row), padding)`` up to rounding, with
    ``kH + kW`` instead of ``kH * kW`` multiplications per pixel ("same" padding; see
    :func:`filtering_cost` for the exact counts).

    Parameters
    ----------
    image : array_like, shape (H, W)
    column : array_like, shape (kH,)
    row : array_like, shape (kW,)
    padding, method
        As in :func:`filter_full`.

    Returns
    -------
    ndarray, shape (H_out, W_out)

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.separable_filtering import filter_separable, filter_full
    >>> from refconv.filters import sobel
    >>> image = np.random.default_rng(0).random((6, 7))
    >>> fast = filter_separable(image, [1, 2, 1], [-1, 0, 1], padding="same")
    >>> bool(np.allclose(fast, filter_full(image, sobel(), padding="same")))
    True
    """
    c = _vector(column, "column")
    r = _vector(row, "row")
    x = _image(image)[None, None]  # (1, 1, H, W)
    column_weight = c.reshape(1, 1, -1, 1)  # (R=1, C_in=1, kH, 1)
    row_weight = r.reshape(1, 1, 1, -1)  # (C_out=1, R=1, 1, kW)
    return spatial_separable_conv2d(x, column_weight, row_weight, padding=padding,
                                    method=method)[0, 0]


def filter_low_rank(
    image: ArrayLike,
    kernel: ArrayLike,
    rank: int,
    padding: str | int = "valid",
    method: str = "auto",
) -> np.ndarray:
    """Filter with the best rank-``rank`` approximation of ``kernel``: ``rank`` separable pairs.

    One :func:`refconv.spatial_separable_conv2d` call does it: the column pass maps the image to
    ``rank`` channels (one per term), the row pass filters each and sums them.

    Parameters
    ----------
    image : array_like, shape (H, W)
    kernel : array_like, shape (kH, kW)
    rank : int
        ``1 <= rank <= min(kH, kW)``; ``min(kH, kW)`` reproduces :func:`filter_full`.
    padding, method
        As in :func:`filter_full`.

    Returns
    -------
    ndarray, shape (H_out, W_out)

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.separable_filtering import filter_low_rank, filter_full
    >>> from refconv.filters import laplacian
    >>> image = np.random.default_rng(0).random((5, 5))
    >>> bool(np.allclose(filter_low_rank(image, laplacian(), 2), filter_full(image, laplacian())))
    True
    """
    terms = low_rank(kernel, rank)
    x = _image(image)[None, None]  # (1, 1, H, W)
    column_weight = np.stack([c for c, _ in terms])[:, None, :, None]  # (rank, 1, kH, 1)
    row_weight = np.stack([r for _, r in terms])[None, :, None, :]  # (1, rank, 1, kW)
    return spatial_separable_conv2d(x, column_weight, row_weight, padding=padding,
                                    method=method)[0, 0]


# --------------------------------------------------------------------------- counting


def _shape2(value: object, name: str) -> tuple[int, int]:
    a, b = _positive_ints(value, name, "(rows, columns)")
    return a, b


def _positive_ints(value: object, name: str, labels: str) -> tuple[int, ...]:
    """``value`` as positive ints, one per name in ``labels``, e.g. ``"(C_in, H, W)"``."""
    count = labels.count(",") + 1
    what = "a pair of" if count == 2 else f"{count}"
    try:
        items = tuple(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be {what} ints {labels}; got {value!r}") from None
    if len(items) != count:
        raise TypeError(f"{name} must be {what} ints {labels}; got {value!r}")
    for v in items:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral) or v < 1:
            raise ValueError(f"{name} must be {what} positive ints {labels}; got {value!r}")
    return tuple(int(v) for v in items)


def _positive_rank(rank: object) -> int:
    if isinstance(rank, (bool, np.bool_)) or not isinstance(rank, numbers.Integral) or rank < 1:
        raise ValueError(f"rank must be a positive int; got {rank!r}")
    return int(rank)


def _padding(padding: object) -> str:
    if not isinstance(padding, str) or padding.lower() not in PADDINGS:
        raise ValueError(f"padding must be 'valid' or 'same' for counting; got {padding!r}")
    return padding.lower()


def _pass_sizes(
    image_shape: tuple[int, int], kernel_shape: tuple[int, int], padding: str
) -> tuple[tuple[int, int], tuple[int, int]]:
    """(intermediate size after the column pass, output size), stride 1, dilation 1."""
    (h, w), (kh, kw) = image_shape, kernel_shape
    if padding == "same":
        return (h, w), (h, w)
    if kh > h or kw > w:
        raise ValueError(
            f"a {kh}x{kw} kernel does not fit a {h}x{w} image without padding; use "
            f"padding='same' or a smaller kernel"
        )
    return (h - kh + 1, w), (h - kh + 1, w - kw + 1)


@dataclass(frozen=True)
class FilteringCost:
    """Exact multiplication counts for filtering one ``H x W`` image with a ``kH x kW`` kernel.

    Attributes
    ----------
    image_shape, kernel_shape : (int, int)
    padding : {"valid", "same"}
    rank : int
        Number of separable terms (1 for a separable kernel).
    intermediate_shape : (int, int)
        Size of the column pass's output, ``(H_out, W)``.
    output_shape : (int, int)
        ``(H_out, W_out)``.
    full : int
        ``kH * kW * H_out * W_out``: the 2-D kernel.
    column_pass, row_pass : int
        ``rank * kH * H_out * W`` and ``rank * kW * H_out * W_out``.
    """

    image_shape: tuple[int, int]
    kernel_shape: tuple[int, int]
    padding: str
    rank: int
    intermediate_shape: tuple[int, int]
    output_shape: tuple[int, int]
    full: int
    column_pass: int
    row_pass: int

    @property
    def separable(self) -> int:
        """Both passes: ``column_pass + row_pass``."""
        return self.column_pass + self.row_pass

    @property
    def output_pixels(self) -> int:
        return self.output_shape[0] * self.output_shape[1]

    @property
    def full_per_pixel(self) -> float:
        """``kH * kW``."""
        return self.full / self.output_pixels

    @property
    def separable_per_pixel(self) -> float:
        """``rank * (kH + kW)`` for "same"; a little more for "valid"."""
        return self.separable / self.output_pixels

    @property
    def break_even_rank(self) -> float:
        """``full / (cost of one separable term)``: ``rank`` separable terms are cheaper than
        the full kernel exactly when ``rank < break_even_rank``."""
        return self.full * self.rank / self.separable


def filtering_cost(
    image_shape: tuple[int, int],
    kernel_shape: tuple[int, int],
    padding: str = "valid",
    rank: int = 1,
) -> FilteringCost:
    """Multiplications of the full 2-D kernel and of ``rank`` separable (column, row) pairs.

    Parameters
    ----------
    image_shape : (int, int)
        ``(H, W)``.
    kernel_shape : (int, int)
        ``(kH, kW)``.
    padding : {"valid", "same"}, default "valid"
        Stride 1, dilation 1, zero padding.
    rank : int, default 1
        Number of separable terms (:func:`filter_low_rank`).

    Returns
    -------
    FilteringCost

    Examples
    --------
    Seed 001's "9 multiplications become 6" is the per-pixel count with "same" padding; with
    "valid" padding the column pass also fills the 2 columns the row pass then trims:

    >>> from refconv.separable_filtering import filtering_cost
    >>> same = filtering_cost((12, 12), (3, 3), "same")
    >>> same.full, same.separable, same.full_per_pixel, same.separable_per_pixel
    (1296, 864, 9.0, 6.0)
    >>> valid = filtering_cost((12, 12), (3, 3), "valid")
    >>> valid.full, valid.column_pass, valid.row_pass, valid.separable_per_pixel
    (900, 360, 300, 6.6)
    >>> filtering_cost((256, 256), (9, 9), "same", rank=2).break_even_rank
    4.5
    """
    hw = _shape2(image_shape, "image_shape")
    khw = _shape2(kernel_shape, "kernel_shape")
    pad = _padding(padding)
    rank = _positive_rank(rank)
    (mh, mw), (oh, ow) = _pass_sizes(hw, khw, pad)
    kh, kw = khw
    return FilteringCost(
        image_shape=hw,
        kernel_shape=khw,
        padding=pad,
        rank=int(rank),
        intermediate_shape=(mh, mw),
        output_shape=(oh, ow),
        full=kh * kw * oh * ow,
        column_pass=int(rank) * kh * mh * mw,
        row_pass=int(rank) * kw * oh * ow,
    )


# --------------------------------------------------------------------------- layer factorization


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
        return int(self.column_weight.shape[0])

    def composed(self) -> np.ndarray:
        """The ``(C_out, C_in, kH, kW)`` weight the two convs together apply."""
        # W[o, c, p, q] = sum_r row[o, r, 0, q] * column[r, c, p, 0]
        return np.einsum("orq,rcp->ocpq", self.row_weight[:, :, 0, :],
                         self.column_weight[:, :, :, 0])


def _weight_matrix(weight: np.ndarray) -> np.ndarray:
    c_out, c_in, kh, kw = weight.shape
    # M[(c, p), (o, q)] = weight[o, c, p, q]
    return weight.transpose(1, 2, 0, 3).reshape(c_in * kh, c_out * kw)  # (C_in*kH, C_out*kW)


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
    >>> from refconv.separable_filtering import factorize_conv_weight
    >>> rng = np.random.default_rng(0)
    >>> w, x = rng.standard_normal((4, 2, 3, 3)), rng.standard_normal((2, 8, 8))
    >>> f = factorize_conv_weight(w, rank=6)                   # full rank: min(2*3, 4*3) = 6
    >>> f.column_weight.shape, f.row_weight.shape, f.relative_error < 1e-12
    ((6, 2, 3, 1), (4, 6, 1, 3), True)
    >>> y = refconv.spatial_separable_conv2d(x, f.column_weight, f.row_weight)
    >>> bool(np.allclose(y, refconv.conv2d(x, w)))
    True
    """
    w = np.asarray(_unmasked(weight, "weight"))
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
    rank = _check_rank(rank, min(c_in * kh, c_out * kw), "min(C_in * kH, C_out * kW)",
                       w.shape, "weight")
    u, s, vt = _svd(_weight_matrix(w), "weight", full_matrices=False)
    r = int(rank)
    root = np.sqrt(s[:r])
    a = (u[:, :r] * root).T  # (R, C_in*kH): a_r[(c, p)]
    b = vt[:r] * root[:, None]  # (R, C_out*kW): b_r[(o, q)]
    column_weight = a.reshape(r, c_in, kh)[..., None]  # (R, C_in, kH, 1)
    row_weight = b.reshape(r, c_out, kw).transpose(1, 0, 2)[:, :, None, :]  # (C_out, R, 1, kW)
    error = math.hypot(*s[r:].tolist())  # sqrt of a sum of squares, which cannot overflow
    total = math.hypot(*s.tolist())
    return LayerFactorization(column_weight, row_weight, s, error,
                              error / total if total else 0.0)


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
    >>> from refconv.separable_filtering import factorized_layer_multiplications
    >>> factorized_layer_multiplications((64, 32, 32), (64, 64, 3, 3), rank=64, padding="same")
    (37748736, 25165824)
    """
    c_in, h, w = _positive_ints(input_shape, "input_shape", "(C_in, H, W)")
    c_out, c_in_w, kh, kw = _positive_ints(weight_shape, "weight_shape", "(C_out, C_in, kH, kW)")
    rank = _positive_rank(rank)
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
