"""Filtering with separable kernels, and what it costs: exact multiplication counts.

A rank-1 kernel ``K = np.outer(column, row)`` of shape ``(kH, kW)`` filters an image in two
1-D passes: the ``kH x 1`` column pass, then the ``1 x kW`` row pass
(:func:`refconv.spatial_separable_conv2d`). A rank-``r`` kernel takes ``r`` such pairs, summed.
(A conv layer's weight ``(C_out, C_in, kH, kW)`` can be factored the same way:
:mod:`refconv.separability.factorization`.)

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

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..functional import conv2d, spatial_separable_conv2d
from .inputs import as_kernel, positive_ints, positive_rank, unmasked
from .svd import low_rank

__all__ = [
    "PADDINGS",
    "FilteringCost",
    "filter_full",
    "filter_low_rank",
    "filter_separable",
    "filtering_cost",
]

#: The paddings :func:`filtering_cost` counts (stride 1, dilation 1, zero padding).
PADDINGS = ("valid", "same")


# --------------------------------------------------------------------------- filtering


def _image(image: ArrayLike) -> np.ndarray:
    """``image`` as a 2-D array ``(H, W)``, or a ValueError that says how to get one."""
    array = np.asarray(unmasked(image, "image"))
    if array.ndim != 2:
        raise ValueError(
            f"image must be a 2-D array (H, W); got a {array.ndim}-D array of shape "
            f"{array.shape}. For a colour image filter each channel, or convert to grey first."
        )
    return array


def _vector(values: ArrayLike, name: str) -> np.ndarray:
    """``values`` as a non-empty 1-D array (one factor of a separable kernel)."""
    array = np.asarray(unmasked(values, name))
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
    >>> from refconv.separability import filter_full
    >>> filter_full(np.arange(16.0).reshape(4, 4), [[1, 0], [0, -1]])
    array([[-5., -5., -5.],
           [-5., -5., -5.],
           [-5., -5., -5.]])
    """
    k = as_kernel(kernel)
    x = _image(image)[None, None]  # (1, 1, H, W)
    y: np.ndarray = conv2d(x, k[None, None], padding=padding, method=method)[0, 0]
    return y  # (H_out, W_out)


def _two_passes(
    image: ArrayLike,
    column_weight: np.ndarray,
    row_weight: np.ndarray,
    padding: str | int,
    method: str,
) -> np.ndarray:
    """The column pass ``(R, 1, kH, 1)`` then the row pass ``(1, R, 1, kW)`` over one image."""
    x = _image(image)[None, None]  # (1, 1, H, W)
    y = spatial_separable_conv2d(x, column_weight, row_weight, padding=padding, method=method)
    plane: np.ndarray = y[0, 0]  # (H_out, W_out)
    return plane


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
        What :func:`filter_full` gives for ``np.outer(column, row)``.

    Examples
    --------
    >>> import numpy as np
    >>> from refconv import filters
    >>> from refconv.separability import filter_full, filter_separable
    >>> image = np.random.default_rng(0).random((6, 7))
    >>> fast = filter_separable(image, [1, 2, 1], [-1, 0, 1], padding="same")
    >>> bool(np.allclose(fast, filter_full(image, filters.sobel(), padding="same")))
    True
    """
    c = _vector(column, "column")
    r = _vector(row, "row")
    column_weight = c.reshape(1, 1, -1, 1)  # (R=1, C_in=1, kH, 1)
    row_weight = r.reshape(1, 1, 1, -1)  # (C_out=1, R=1, 1, kW)
    return _two_passes(image, column_weight, row_weight, padding, method)


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
    padding : "valid", "same" or any padding :func:`refconv.conv2d` accepts
    method : str

    Returns
    -------
    ndarray, shape (H_out, W_out)
        The image filtered with ``sum(np.outer(c, r) for c, r in low_rank(kernel, rank))``.

    Examples
    --------
    >>> import numpy as np
    >>> from refconv import filters
    >>> from refconv.separability import filter_full, filter_low_rank
    >>> image, laplacian = np.random.default_rng(0).random((5, 5)), filters.laplacian()
    >>> bool(np.allclose(filter_low_rank(image, laplacian, 2), filter_full(image, laplacian)))
    True
    """
    terms = low_rank(kernel, rank)
    column_weight = np.stack([c for c, _ in terms])[:, None, :, None]  # (rank, 1, kH, 1)
    row_weight = np.stack([r for _, r in terms])[None, :, None, :]  # (1, rank, 1, kW)
    return _two_passes(image, column_weight, row_weight, padding, method)


# --------------------------------------------------------------------------- counting


def _shape2(value: object, name: str) -> tuple[int, int]:
    """An image's or a kernel's ``(rows, columns)``, positive ints."""
    a, b = positive_ints(value, name, "(rows, columns)")
    return a, b


def _padding(padding: object) -> str:
    """``"valid"`` or ``"same"`` (any case): the paddings the counts are worked out for."""
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
    The TDS introduction's "9 multiplications become 6" is the per-pixel count with "same"
    padding; with "valid" padding the column pass also fills the 2 columns the row pass then
    trims:

    >>> from refconv.separability import filtering_cost
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
    rank = positive_rank(rank)
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
