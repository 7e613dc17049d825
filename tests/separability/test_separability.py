"""Separability: rank test, factors, low rank, two-pass filtering, counts, layer factorization.

Tolerances used below, and why:
* integer kernels: factors and products are compared exactly (``np.array_equal``);
* float64 results of the same arithmetic done two ways (two passes vs one 2-D pass, SVD
  identities): ``rtol=1e-12, atol=1e-12`` -- a few hundred ulps for values of order 1, far above
  the ~1e-15 rounding differences and far below any indexing mistake (errors of order 1).
"""

from __future__ import annotations

import itertools
import math
import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import ndimage, signal

import refconv
from refconv import filters
from refconv.separability import (
    NotSeparableError,
    analyze,
    default_tol,
    factorize_conv_weight,
    factorized_layer_multiplications,
    filter_full,
    filter_low_rank,
    filter_separable,
    filtering_cost,
    is_separable,
    low_rank,
    separate,
)

TIGHT = {"rtol": 1e-12, "atol": 1e-12}


def _orthogonal(n: int, rng: np.random.Generator) -> np.ndarray:
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return q


def _with_spectrum(s: list[float], shape: tuple[int, int], seed: int = 0) -> np.ndarray:
    """A float64 kernel whose singular values are ``s`` (up to rounding)."""
    rng = np.random.default_rng(seed)
    u, v = _orthogonal(shape[0], rng), _orthogonal(shape[1], rng)
    sigma = np.zeros(shape)
    sigma[np.arange(len(s)), np.arange(len(s))] = s
    return u @ sigma @ v.T


# --------------------------------------------------------------------------- integer factors

INTEGER_FACTORS = [
    ("sobel_x", filters.sobel(3), [1, 2, 1], [-1, 0, 1]),
    ("sobel_y", filters.sobel(3, "y"), [-1, 0, 1], [1, 2, 1]),
    ("sobel5", filters.sobel(5), [1, 4, 6, 4, 1], [-1, -2, 0, 2, 1]),
    ("sobel7", filters.sobel(7), [1, 6, 15, 20, 15, 6, 1], [-1, -4, -5, 0, 5, 4, 1]),
    ("sobel_xx", filters.sobel(3, order=2), [1, 2, 1], [1, -2, 1]),
    ("scharr", filters.scharr(), [3, 10, 3], [-1, 0, 1]),
    ("prewitt_y", filters.prewitt("y"), [-1, 0, 1], [1, 1, 1]),
    ("box", filters.box(4), [1, 1, 1, 1], [1, 1, 1, 1]),
    ("binomial", filters.binomial(5), [1, 4, 6, 4, 1], [1, 4, 6, 4, 1]),
    ("impulse", filters.impulse(3), [0, 1, 0], [0, 1, 0]),
    ("the TDS introduction", [[3, 6, 9], [4, 8, 12], [5, 10, 15]], [3, 4, 5], [1, 2, 3]),
    ("negated binomial", -filters.binomial(3), [1, 2, 1], [-1, -2, -1]),
    ("dx dy", np.outer([-1, 0, 1], [-1, 0, 1]), [1, 0, -1], [1, 0, -1]),
    ("non-square 3x2", np.outer([1, 2, 3], [4, 5]), [1, 2, 3], [4, 5]),
    ("content 6", 6 * np.outer([1, 2], [1, 3]), [6, 12], [1, 3]),
    ("bool", np.array([[True, False, True], [True, False, True]]), [1, 1], [1, 0, 1]),
]


@pytest.mark.parametrize(
    ("name", "kernel", "column", "row"), INTEGER_FACTORS, ids=[case[0] for case in INTEGER_FACTORS]
)
def test_integer_factors_exact(name, kernel, column, row):
    c, r = separate(kernel)
    assert c.dtype == np.int64 and r.dtype == np.int64
    assert_array_equal(c, column)
    assert_array_equal(r, row)
    assert_array_equal(np.outer(c, r), np.asarray(kernel, dtype=np.int64))
    assert math.gcd(*(int(v) for v in r)) == 1  # the row's entries have no common divisor


def test_integer_result_fields():
    result = analyze(filters.sobel())
    assert result.rank == 1 and result.is_separable
    assert result.error == 0.0
    assert result.tol == 3 * np.finfo(np.float64).eps
    assert_allclose(result.singular_values, [np.sqrt(12), 0, 0], atol=1e-14)


def test_zero_kernel_is_rank_0_with_zero_factors():
    result = analyze(np.zeros((2, 3), dtype=int))
    assert result.rank == 0 and result.is_separable
    c, r = separate(np.zeros((2, 3)))
    assert_array_equal(c, [0, 0])
    assert_array_equal(r, [0, 0, 0])


def test_integer_kernel_rank_1_within_tol_but_not_exactly():
    # det = 1, so not rank 1 over the integers; sigma_2 / sigma_1 ~ 2.5e-17 is below the tolerance
    kernel = np.array([[10**8, 10**8 + 1], [10**8 - 1, 10**8]])
    assert is_separable(kernel)
    with pytest.raises(NotSeparableError, match="no exact integer factors"):
        separate(kernel)
    c, r = separate(kernel.astype(float))  # approximate float factors are fine
    assert_allclose(np.outer(c, r), kernel, rtol=1e-8)


# --------------------------------------------------------------------------- float factors


@pytest.mark.parametrize("shape", [(3, 3), (2, 5), (7, 1), (1, 4)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_factors_balanced(shape, dtype):
    rng = np.random.default_rng(1)
    kernel = np.outer(rng.random(shape[0]) + 0.5, rng.standard_normal(shape[1])).astype(dtype)
    c, r = separate(kernel)
    assert c.dtype == dtype and r.dtype == dtype
    assert c.shape == (shape[0],) and r.shape == (shape[1],)
    rtol = 1e-5 if dtype == np.float32 else 1e-12  # ~100 ulps of each dtype
    assert_allclose(np.outer(c, r), kernel, rtol=rtol, atol=rtol * np.abs(kernel).max())
    assert_allclose(np.linalg.norm(c), np.linalg.norm(r), rtol=rtol)
    assert c.sum() > 0  # sign convention: the column's sum is positive


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_sobel_gets_the_integer_factors(dtype):
    # Regression: a float kernel of whole numbers got the SVD's [0.76, 1.52, 0.76] x
    # [-1.32, -0., 1.32]; it now gets the integer path's factors, in its own dtype.
    kernel = filters.sobel().astype(dtype)
    c, r = separate(kernel)
    assert c.dtype == dtype and r.dtype == dtype
    assert_array_equal(c, [1, 2, 1])
    assert_array_equal(r, [-1, 0, 1])
    assert_array_equal(np.outer(c, r), kernel)


def test_float_factors_are_scaled_integer_factors():
    kernel = 0.5 * filters.sobel()  # not whole numbers: balanced SVD factors
    c, r = separate(kernel)
    scale = c[0]
    assert_allclose(c / scale, [1, 2, 1], **TIGHT)
    assert_allclose(r * scale, [-0.5, 0, 0.5], **TIGHT)
    assert_allclose(np.linalg.norm(c) ** 2, np.linalg.svd(kernel)[1][0], **TIGHT)
    assert not np.signbit(r[1])  # +0.0: the sign flip used to leave -0.0 in the row


def test_input_not_modified():
    kernel = filters.sobel().astype(float)
    before = kernel.copy()
    analyze(kernel)
    separate(kernel)
    low_rank(kernel, 2)
    assert_array_equal(kernel, before)


# --------------------------------------------------------------------------- tolerance


@pytest.mark.parametrize(("sigma2", "separable"), [(0.99e-6, True), (1.01e-6, False)])
def test_explicit_tol_is_relative_and_inclusive(sigma2, separable):
    kernel = 3.0 * _with_spectrum([1.0, sigma2], (4, 4))  # sigma_1 = 3, sigma_2 = 3 * sigma2
    assert is_separable(kernel, tol=1e-6) is separable
    assert analyze(kernel, tol=1e-6).is_separable is separable
    assert analyze(kernel, tol=1e-6).rank == (1 if separable else 2)


@pytest.mark.parametrize(("factor", "separable"), [(0.25, True), (4.0, False)])
def test_default_tol_below_and_above(factor, separable):
    shape = (20, 20)
    tol = default_tol(shape)  # 20 * eps; rounding moves the computed sigma_2 by ~eps
    kernel = _with_spectrum([1.0, factor * tol], shape, seed=3)
    assert is_separable(kernel) is separable


def test_noise_on_a_rank_1_integer_kernel():
    noisy = filters.sobel(5) + 1e-12 * np.random.default_rng(2).standard_normal((5, 5))
    assert not is_separable(noisy)  # 1e-12 noise is far above 5 * eps
    assert is_separable(noisy, tol=1e-9)
    with pytest.raises(NotSeparableError, match=r"rank 5 \(sigma_2 / sigma_1 = 1\.\d+e-13"):
        separate(noisy)
    c, r = separate(noisy, tol=1e-9)
    assert_allclose(np.outer(c, r), filters.sobel(5), atol=1e-10)


def test_default_tol_follows_the_dtype():
    rng = np.random.default_rng(4)
    kernel = np.outer(rng.random(7) + 0.5, rng.random(7) + 0.5)
    kernel32 = kernel.astype(np.float32)
    noisy = kernel32.astype(np.float64)  # float32 rounding: rank 1 to ~1e-7 only
    assert default_tol((7, 7), np.float32) == 7 * np.finfo(np.float32).eps
    assert is_separable(kernel32)  # judged with float32's eps
    assert not is_separable(noisy + 1e-9)  # the same values in float64 are not rank 1


def test_rank_matches_numpy_matrix_rank():
    rng = np.random.default_rng(5)
    kernels = [filters.make(name) for name in filters.ZOO]
    kernels += [rng.standard_normal((6, 3)) @ rng.standard_normal((3, 5)) for _ in range(3)]
    for kernel in kernels:
        assert analyze(kernel).rank == np.linalg.matrix_rank(np.asarray(kernel, float))


# --------------------------------------------------------------------------- low rank


def test_eckart_young_error():
    rng = np.random.default_rng(6)
    kernel = rng.standard_normal((7, 5))
    s = np.linalg.svd(kernel, compute_uv=False)
    for rank in range(1, 6):
        approx = sum(np.outer(c, r) for c, r in low_rank(kernel, rank))
        error = np.linalg.norm(kernel - approx)
        assert_allclose(error, np.sqrt(np.sum(s[rank:] ** 2)), **TIGHT)
        # no other rank-r matrix does better: try perturbed factors
        c, r = low_rank(kernel, 1)[0]
        worse = np.outer(c + 0.01 * rng.standard_normal(7), r) + (approx - np.outer(c, r))
        assert np.linalg.norm(kernel - worse) > error


def test_analyze_error_of_non_separable_kernel():
    result = analyze(filters.laplacian(8))
    s = result.singular_values
    assert not result.is_separable
    assert_allclose(result.error, np.sqrt(np.sum(s[1:] ** 2)), **TIGHT)
    assert_allclose(result.ratio, s[1] / s[0], **TIGHT)


def test_low_rank_terms_are_the_svd_terms():
    kernel = filters.log(9)
    terms = low_rank(kernel, 2)
    assert len(terms) == 2
    assert_allclose(sum(np.outer(c, r) for c, r in terms), kernel, **TIGHT)
    s = np.linalg.svd(kernel, compute_uv=False)
    for (c, r), sigma in zip(terms, s, strict=False):
        assert_allclose(np.linalg.norm(c) * np.linalg.norm(r), sigma, **TIGHT)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("kernel", "error", "match"),
    [
        ([1, 2, 3], ValueError, r"kernel must be a 2-D array of shape \(kH, kW\); got a 1-D"),
        (np.ones((2, 3, 3)), ValueError, r"got a 3-D array of shape \(2, 3, 3\)"),
        (np.zeros((0, 3)), ValueError, r"at least one row and one column; got shape \(0, 3\)"),
        ([[1.0, np.nan]], ValueError, "must be finite; got 1 NaN or Inf entry"),
        ([[np.inf, 1.0], [1.0, -np.inf]], ValueError, "got 2 NaN or Inf entries"),
        ([["a", "b"]], TypeError, "must hold real numbers.*got dtype <U1"),
        (np.ones((2, 2), complex), TypeError, "got dtype complex128"),
        ([[1, 2], [3]], ValueError, "rows of equal length"),
    ],
)
def test_bad_kernels(kernel, error, match):
    for function in (analyze, is_separable, separate):
        with pytest.raises(error, match=match):
            function(kernel)


def test_not_separable_message():
    with pytest.raises(NotSeparableError, match=r"rank 2 \(sigma_2 / sigma_1 = 0.101") as info:
        separate(filters.laplacian(4))
    assert isinstance(info.value, ValueError)
    assert "low_rank(kernel, 2)" in str(info.value)


def test_not_separable_error_lives_at_its_public_name():
    """It is defined in refconv.separability.svd; tracebacks and pickles use the package name."""
    assert f"{NotSeparableError.__module__}.{NotSeparableError.__qualname__}" == (
        "refconv.separability.NotSeparableError"
    )
    error = pickle.loads(pickle.dumps(NotSeparableError("rank 2")))
    assert type(error) is NotSeparableError and str(error) == "rank 2"


def test_bad_tol_and_rank():
    with pytest.raises(ValueError, match="tol must satisfy 0 <= tol < 1"):
        analyze(filters.sobel(), tol=-1e-3)
    with pytest.raises(TypeError, match="tol must be a real number or None; got True"):
        analyze(filters.sobel(), tol=True)
    with pytest.raises(ValueError, match=r"rank must be between 1 and min\(kH, kW\) = 3"):
        low_rank(filters.sobel(), 4)
    with pytest.raises(TypeError, match=r"rank must be an int; got 1\.5"):
        low_rank(filters.sobel(), 1.5)


# --------------------------------------------------------------------------- two-pass filtering

IMAGE = np.random.default_rng(7).standard_normal((13, 11))
RANK_1 = [
    filters.sobel(),
    filters.sobel(5, "y"),
    np.outer([0.5, -1.0, 2.0], [1.0, 0.25, -3.0, 0.5, 2.0]),  # non-square 3x5
    np.outer([1.0, 2.0], [3.0, -1.0, 0.5, 4.0]),  # even sizes: "valid" only below
]


@pytest.mark.parametrize("kernel", RANK_1, ids=["sobel3", "sobel5y", "3x5", "2x4"])
def test_two_passes_match_scipy_valid(kernel):
    column, row = separate(kernel)
    expected = signal.correlate2d(IMAGE, kernel, mode="valid")
    assert_allclose(filter_separable(IMAGE, column, row), expected, **TIGHT)
    assert_allclose(filter_full(IMAGE, kernel), expected, **TIGHT)
    # convolution flips the kernel: correlate with K == convolve with K flipped
    assert_allclose(signal.convolve2d(IMAGE, kernel[::-1, ::-1], mode="valid"), expected, **TIGHT)


@pytest.mark.parametrize("kernel", RANK_1[:3], ids=["sobel3", "sobel5y", "3x5"])
def test_two_passes_match_scipy_same(kernel):
    column, row = separate(kernel)
    two_pass = filter_separable(IMAGE, column, row, padding="same")
    expected = signal.correlate2d(IMAGE, kernel, mode="same", boundary="fill")
    assert_allclose(two_pass, expected, **TIGHT)
    assert_allclose(filter_full(IMAGE, kernel, padding="same"), expected, **TIGHT)
    # and scipy's own two 1-D passes
    vertical = ndimage.correlate1d(IMAGE, column.astype(float), axis=0, mode="constant")
    both = ndimage.correlate1d(vertical, row.astype(float), axis=1, mode="constant")
    assert_allclose(two_pass, both, **TIGHT)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_low_rank_filtering(rank):
    kernel = filters.laplacian(8).astype(float)
    approx = sum(np.outer(c, r) for c, r in low_rank(kernel, rank))
    expected = signal.correlate2d(IMAGE, approx, mode="same")
    assert_allclose(filter_low_rank(IMAGE, kernel, rank, padding="same"), expected, **TIGHT)
    if rank >= 2:  # the Laplacian is rank 2: exact from there on
        assert_allclose(
            filter_low_rank(IMAGE, kernel, rank),
            signal.correlate2d(IMAGE, kernel, mode="valid"),
            **TIGHT,
        )


def test_filter_errors():
    with pytest.raises(ValueError, match=r"image must be a 2-D array \(H, W\); got a 3-D"):
        filter_separable(np.ones((3, 8, 8)), [1, 2, 1], [1, 0, -1])
    with pytest.raises(ValueError, match="column must be a non-empty 1-D array"):
        filter_separable(np.ones((8, 8)), [[1, 2, 1]], [1, 0, -1])


# --------------------------------------------------------------------------- counts


def test_counts_hand_worked():
    same = filtering_cost((12, 12), (3, 3), "same")
    assert (same.full, same.column_pass, same.row_pass) == (9 * 144, 3 * 144, 3 * 144)
    valid = filtering_cost((12, 12), (3, 3), "valid")
    assert valid.intermediate_shape == (10, 12) and valid.output_shape == (10, 10)
    assert (valid.full, valid.column_pass, valid.row_pass) == (900, 360, 300)
    assert valid.separable_per_pixel == 6.6  # not 6: the first pass fills 12 columns, not 10
    odd = filtering_cost((7, 9), (3, 5), "valid")  # H_out = 5, W_out = 5
    assert (odd.full, odd.column_pass, odd.row_pass) == (15 * 25, 3 * 5 * 9, 5 * 25)


@pytest.mark.parametrize("k", [3, 5, 7])
def test_block_note_2k_per_pixel_holds_for_same_padding(k):
    cost = filtering_cost((32, 32), (k, k), "same")
    assert cost.full_per_pixel == k * k
    assert cost.separable_per_pixel == 2 * k
    assert cost.break_even_rank == k / 2
    valid = filtering_cost((32, 32), (k, k), "valid")
    out = 32 - k + 1
    assert valid.separable == k * out * 32 + k * out * out
    assert valid.separable_per_pixel == pytest.approx(k + k * 32 / out, rel=1e-15)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_count_shapes_match_execution(padding):
    kernel = np.random.default_rng(10).standard_normal((4, 3))  # even height: uneven "same" pads
    cost = filtering_cost(IMAGE.shape, kernel.shape, padding, rank=2)
    output = filter_low_rank(IMAGE, kernel, 2, padding=padding)
    assert output.shape == cost.output_shape
    first = refconv.conv2d(
        IMAGE[None, None],
        np.ones((1, 1, 4, 1)),
        padding=padding if padding == "valid" else ((1, 2), (0, 0)),
    )
    assert first.shape[2:] == cost.intermediate_shape
    kh, kw = kernel.shape
    assert cost.full == kh * kw * math.prod(cost.output_shape)
    assert cost.separable == 2 * (
        kh * math.prod(cost.intermediate_shape) + kw * math.prod(cost.output_shape)
    )


def test_count_errors():
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same' for counting"):
        filtering_cost((8, 8), (3, 3), "full")
    with pytest.raises(ValueError, match="does not fit a 4x8 image without padding"):
        filtering_cost((4, 8), (5, 5), "valid")
    with pytest.raises(ValueError, match="image_shape must be a pair of positive ints"):
        filtering_cost((0, 8), (3, 3))


# --------------------------------------------------------------------------- layer factorization


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_layer_factorization_exact_at_full_rank(padding):
    rng = np.random.default_rng(8)
    weight = rng.standard_normal((5, 3, 3, 2))  # non-square kH x kW
    x = rng.standard_normal((2, 3, 9, 8))
    full_rank = min(3 * 3, 5 * 2)
    f = factorize_conv_weight(weight, full_rank)
    assert f.column_weight.shape == (full_rank, 3, 3, 1)
    assert f.row_weight.shape == (5, full_rank, 1, 2)
    assert f.error < 1e-12
    assert_allclose(f.composed(), weight, **TIGHT)
    y = refconv.spatial_separable_conv2d(x, f.column_weight, f.row_weight, padding=padding)
    assert_allclose(y, refconv.conv2d(x, weight, padding=padding), **TIGHT)


def test_layer_factorization_error_vs_rank():
    rng = np.random.default_rng(9)
    weight = rng.standard_normal((4, 6, 3, 3))
    s = np.linalg.svd(weight.transpose(1, 2, 0, 3).reshape(18, 12), compute_uv=False)
    errors = []
    for rank in range(1, 13):
        f = factorize_conv_weight(weight, rank)
        assert_allclose(f.error, np.linalg.norm(weight - f.composed()), **TIGHT)
        assert_allclose(f.error, np.sqrt(np.sum(s[rank:] ** 2)), **TIGHT)
        errors.append(f.error)
    assert all(a > b for a, b in itertools.pairwise(errors))
    with pytest.raises(ValueError, match=r"rank must be between 1 and min\(C_in \* kH"):
        factorize_conv_weight(weight, 13)
    with pytest.raises(ValueError, match=r"4-D array \(C_out, C_in, kH, kW\)"):
        factorize_conv_weight(weight[0], 2)


def test_layer_multiplications():
    full, factorized = factorized_layer_multiplications((3, 10, 12), (8, 3, 3, 3), rank=4)
    h_out, w_out = 8, 10
    assert full == 8 * 3 * 9 * h_out * w_out
    assert factorized == 4 * 3 * 3 * h_out * 12 + 8 * 4 * 3 * h_out * w_out
    full, factorized = factorized_layer_multiplications((64, 32, 32), (64, 64, 3, 3), 96, "same")
    assert factorized == full  # R = C * K / 2 is the break-even rank with "same" padding


# --------------------------------------------------------------------------- figures


def test_figures_are_written(tmp_path):
    from refconv.plotting import separability as plotting

    for name, function in plotting.FIGURES.items():
        paths = function(tmp_path)
        assert [p.name for p in paths] == [f"{name}.png"]
        assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
