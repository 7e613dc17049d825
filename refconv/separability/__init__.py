"""Separable kernels: when a 2-D kernel is a column times a row, and what that saves.

A kernel ``K`` of shape ``(kH, kW)`` is separable when ``K = np.outer(column, row)`` (rank 1):
filtering with it is then a ``kH x 1`` pass and a ``1 x kW`` pass, ``kH + kW`` multiplications
per pixel instead of ``kH * kW``. The SVD decides, with the rule of NumPy's ``matrix_rank``:
rank 1 when ``sigma_2 <= tol * sigma_1``, default ``tol = max(kH, kW) * eps``.

>>> from refconv import filters, separability
>>> separability.separate(filters.sobel())
(array([1, 2, 1]), array([-1,  0,  1]))
>>> separability.analyze(filters.laplacian()).rank
2

The package, one idea a module, lower modules first:

===================  ===========================================================================
module               what it holds
===================  ===========================================================================
``inputs``           the checks: :func:`as_kernel`, :func:`unmasked`, :func:`default_tol`,
                     :func:`check_tol`, :func:`check_rank`, :func:`positive_ints`,
                     :func:`positive_rank`
``linalg``           the SVD with its overflow check, the rank rule, balanced factors, signs
``exact``            exact integer factors (int64, uint64 past int64, whole-number floats)
``svd``              :func:`analyze`, :func:`is_separable`, :func:`separate`, :func:`low_rank`,
                     :class:`SeparabilityResult`, :class:`NotSeparableError`
``taps``             the 1-D taps the filters are built from (Pascal, differences, Gaussian)
``filters``          the filter zoo (``refconv.filters``): Sobel, Laplacian, LoG, ..., ``ZOO``
``filtering``        filtering an image in two passes, and the exact multiplication counts:
                     :func:`filter_full`, :func:`filter_separable`, :func:`filter_low_rank`,
                     :func:`filtering_cost`, :class:`FilteringCost`
``factorization``    a conv layer as a ``kH x 1`` then a ``1 x kW`` conv:
                     :func:`factorize_conv_weight`, :class:`LayerFactorization`,
                     :func:`factorized_layer_multiplications`
===================  ===========================================================================

Every name in the table is importable from here, e.g. ``refconv.separability.filter_separable``
(formerly ``refconv.separable_filtering.filter_separable``).
"""

from . import filters
from .factorization import (
    LayerFactorization,
    factorize_conv_weight,
    factorized_layer_multiplications,
)
from .filtering import (
    FilteringCost,
    filter_full,
    filter_low_rank,
    filter_separable,
    filtering_cost,
)
from .inputs import (
    as_kernel,
    check_rank,
    check_tol,
    default_tol,
    positive_ints,
    positive_rank,
    unmasked,
)
from .svd import (
    NotSeparableError,
    SeparabilityResult,
    analyze,
    is_separable,
    low_rank,
    separate,
)

__all__ = [
    "FilteringCost",
    "LayerFactorization",
    "NotSeparableError",
    "SeparabilityResult",
    "analyze",
    "as_kernel",
    "check_rank",
    "check_tol",
    "default_tol",
    "factorize_conv_weight",
    "factorized_layer_multiplications",
    "filter_full",
    "filter_low_rank",
    "filter_separable",
    "filtering_cost",
    "filters",
    "is_separable",
    "low_rank",
    "positive_ints",
    "positive_rank",
    "separate",
    "unmasked",
]
