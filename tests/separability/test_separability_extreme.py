"""Separability on hostile inputs: integers at the ends of int64 / uint64, whole numbers in float
dtypes, huge and tiny floats, masked and object arrays, 1x1 kernels; and the layer counts.

Every exact case is compared exactly (``==``), with products worked in Python integers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from refconv import filters
from refconv.separability import (
    NotSeparableError,
    analyze,
    factorize_conv_weight,
    factorized_layer_multiplications,
    filter_full,
    filter_separable,
    is_separable,
    low_rank,
    separate,
)


def _outer(column, row):
    """The outer product in Python integers (no wrap-around)."""
    return [[int(c) * int(r) for r in row] for c in column]


# --------------------------------------------------------------------------- int64 / uint64 ends
# Regression: integer kernels were cast to int64 first, so uint64 2**64 - 1 became -1 and
# separated as ([1], [-1]) with error 0.0, and [[-2**63, 0]] raised a raw OverflowError.


def test_uint64_max():
    kernel = np.array([[2**64 - 1]], np.uint64)
    column, row = separate(kernel)
    assert column.dtype == np.uint64 and row.dtype == np.uint64
    assert column.tolist() == [2**64 - 1] and row.tolist() == [1]
    result = analyze(kernel)
    assert result.error == 0.0 and result.rank == 1
    assert_array_equal(result.column, column)


def test_uint64_products_past_int64():
    # each factor fits int64, but 2 * (2**62 + 1) does not: the factors stay uint64
    kernel = np.array(_outer([2, 1], [2**62, 2**62 + 1]), np.uint64)
    column, row = separate(kernel)
    assert column.dtype == np.uint64
    assert column.tolist() == [2, 1] and row.tolist() == [2**62, 2**62 + 1]
    assert_array_equal(np.outer(column, row), kernel)


def test_uint64_kernel_that_fits_int64_gets_int64_factors():
    column, row = separate(np.array([[2, 4], [3, 6]], np.uint64))
    assert column.dtype == np.int64 and row.dtype == np.int64
    assert column.tolist() == [2, 3] and row.tolist() == [1, 2]


@pytest.mark.parametrize("kernel", [[[-(2**63), 0]], [[-(2**63)]], [[-(2**63)], [-(2**63)]]])
def test_int64_min_needs_2_to_the_63(kernel):
    array = np.array(kernel, np.int64)
    with pytest.raises(
        ValueError,
        match=r"exact integer factors column \[9223372036854775808"
        r".*do not fit int64.*as float64",
    ):
        separate(array)
    assert analyze(array).is_separable  # analyze answers, with the SVD's float factors
    column, row = separate(array.astype(np.float64))  # what the message suggests: exact floats
    assert column.tolist() == [2.0**63] * array.shape[0] and row.tolist()[0] == -1.0
    assert_array_equal(np.outer(column, row), array.astype(np.float64))


def test_int64_extremes_that_separate():
    kernel = np.array(_outer([1, -1], [2**62, -(2**62), 1]), np.int64)
    column, row = separate(kernel)
    assert column.tolist() == [1, -1] and row.tolist() == [2**62, -(2**62), 1]
    kernel = np.array([[-(2**63), 2**62], [2**63 - 1, 0]])
    assert not is_separable(kernel)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_big_integer_factors_are_exact(data):
    """Factors of 1 to 62 bits whose products fit int64: separate gives them back exactly."""
    bits = data.draw(st.integers(1, 61))
    column = data.draw(st.lists(st.integers(-(2**bits), 2**bits), min_size=1, max_size=5))
    row = data.draw(
        st.lists(st.integers(-(2 ** (62 - bits)), 2 ** (62 - bits)), min_size=1, max_size=5)
    )
    kernel = np.array(_outer(column, row), np.int64)
    c, r = separate(kernel)
    assert c.dtype == np.int64 and r.dtype == np.int64
    assert _outer(c, r) == kernel.tolist()
    assert np.array_equal(np.outer(c, r), kernel)
    if kernel.any():
        assert math.gcd(*r.tolist()) == 1
        assert analyze(kernel).error == 0.0


# --------------------------------------------------------------------------- Python integers


@pytest.mark.parametrize("kernel", [[[2**64]], [[-1, 2**63]], [[-(2**63) - 1]]])
def test_python_integers_beyond_int64_and_uint64(kernel):
    # [[-1, 2**63]] used to become float64 silently (NumPy's choice), [[2**64]] an object array
    with pytest.raises(
        ValueError,
        match=r"kernel holds integers from -?\d+ to -?\d+, which fit "
        r"neither int64 .* nor uint64",
    ):
        separate(kernel)


def test_object_array_of_integers():
    column, row = separate(np.array([[2**63, 2**63], [1, 1]], dtype=object))
    assert column.dtype == np.uint64 and column.tolist() == [2**63, 1] and row.tolist() == [1, 1]
    with pytest.raises(TypeError, match="got dtype object"):
        separate(np.array([[1.0, 2.0]], dtype=object))


# --------------------------------------------------------------------------- whole-number floats


@settings(max_examples=60, deadline=None)
@given(
    column=st.lists(st.integers(-2000, 2000), min_size=1, max_size=5),
    row=st.lists(st.integers(-2000, 2000), min_size=1, max_size=5),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_whole_number_floats_get_the_integer_factors(column, row, dtype):
    """The float path gives the integer path's factors, in the float dtype, exactly."""
    integer = np.array(_outer(column, row), np.int64)  # |entries| <= 4e6 < 2**24: exact in float32
    kernel = integer.astype(dtype)
    c, r = separate(kernel)
    c_int, r_int = separate(integer)
    assert c.dtype == dtype and r.dtype == dtype
    assert c.tolist() == c_int.tolist() and r.tolist() == r_int.tolist()
    assert_array_equal(np.outer(c, r), kernel)
    result = analyze(kernel)
    assert result.is_separable and result.rank == int(integer.any()) and result.error == 0.0
    assert_array_equal(result.column, c)
    assert_array_equal(result.row, r)
    assert is_separable(kernel)
    # low_rank still gives the balanced SVD term
    ((lc, lr),) = low_rank(kernel, 1)
    assert lc.dtype == dtype
    sigma = np.linalg.svd(kernel, compute_uv=False)[0]
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    assert_allclose(np.linalg.norm(lc) * np.linalg.norm(lr), sigma, rtol=rtol)
    assert_allclose(np.linalg.norm(lc), np.linalg.norm(lr), rtol=rtol)


def test_whole_number_floats_without_integer_factors_keep_the_svd():
    kernel = np.array([[1e8, 1e8 + 1], [1e8 - 1, 1e8]])  # determinant 1: rank 1 only within tol
    column, row = separate(kernel)
    assert_allclose(np.linalg.norm(column), np.linalg.norm(row), rtol=1e-12)
    assert_allclose(np.outer(column, row), kernel, rtol=1e-8)


def test_huge_whole_number_floats():
    kernel = np.outer([1e300, 2e300], [1.0, 3.0])
    column, row = separate(kernel)
    assert column.tolist() == [1e300, 2e300] and row.tolist() == [1.0, 3.0]
    column, row = separate(np.array([[-(2.0**63), 0.0]]))
    assert column.tolist() == [2.0**63] and row.tolist() == [-1.0, 0.0]


# --------------------------------------------------------------------------- float range


def test_sigma_1_overflow_is_refused():
    # was rank 0 with factors of -inf and error inf
    for kernel in (np.full((2, 2), 1e308), np.full((3, 3), 3e38, np.float32)):
        for function in (analyze, is_separable, separate):
            with pytest.raises(
                ValueError,
                match=r"kernel is too large for the SVD in float"
                r"(32|64): its largest singular value",
            ):
                function(kernel)


def test_huge_dynamic_range_no_overflow():
    # the residual's squares overflowed (a RuntimeWarning, an error under pytest's settings)
    result = analyze(np.array([[1e300, 1e-300], [1.0, 2.0]]))
    assert result.is_separable and np.isfinite(result.error)
    assert result.error < 1e-15 * result.singular_values[0]
    result = analyze(np.outer([1e150, 1e-150], [1e150, 1.5e-150]))
    assert result.rank == 1 and np.isfinite(result.error)


def test_subnormal_kernel():
    kernel = np.full((2, 2), 1e-320)  # stored as 9.99988671826831e-321
    column, row = separate(kernel)
    assert_allclose(np.outer(column, row), kernel, rtol=1e-12)


# --------------------------------------------------------------------------- small and odd inputs


def test_one_by_one():
    assert [a.tolist() for a in separate([[-5]])] == [[5], [-1]]
    assert [a.tolist() for a in separate([[0]])] == [[0], [0]]
    assert [a.tolist() for a in separate([[-7.0]])] == [[7.0], [-1.0]]
    column, row = separate([[2.5]])
    assert_allclose(column, [np.sqrt(2.5)], rtol=1e-15)
    assert_allclose(row, [np.sqrt(2.5)], rtol=1e-15)
    assert analyze([[3]]).rank == 1 and analyze([[0.0]]).rank == 0


def test_masked_arrays():
    kernel = np.ma.array([[1, 2], [2, 4]], mask=[[0, 1], [0, 0]])
    for function in (analyze, is_separable, separate):
        with pytest.raises(ValueError, match="kernel is a masked array with 1 masked entry"):
            function(kernel)
    column, row = separate(np.ma.array([[1, 2], [2, 4]]))  # nothing masked: its values
    assert column.tolist() == [1, 2] and row.tolist() == [1, 2]


def test_tol_too_big_for_a_float():
    with pytest.raises(ValueError, match="tol must satisfy 0 <= tol < 1"):
        analyze(filters.sobel(), tol=10**400)  # was a raw OverflowError


def test_extreme_inputs_not_modified():
    kernels = [
        np.array([[2**64 - 1]], np.uint64),
        np.array([[-(2**63), 0]]),
        np.ma.array([[1.0, 2.0]]),
        filters.sobel().astype(np.float32),
    ]
    for kernel in kernels:
        before = kernel.copy()
        try:
            separate(kernel)
        except ValueError:
            pass
        assert_array_equal(kernel, before)
        assert kernel.dtype == before.dtype


# --------------------------------------------------------------------------- separable filtering


def test_filtering_with_masked_inputs():
    image = np.ma.array(np.ones((4, 4)), mask=np.eye(4))
    with pytest.raises(ValueError, match="image is a masked array with 4 masked entries"):
        filter_separable(image, [1, 2, 1], [1, 0, -1])
    with pytest.raises(ValueError, match="column is a masked array"):
        filter_separable(np.ones((4, 4)), np.ma.array([1, 2, 1], mask=[0, 1, 0]), [1, 0, -1])
    with pytest.raises(ValueError, match="kernel is a masked array"):
        filter_full(np.ones((4, 4)), np.ma.array([[1.0]], mask=[[1]]))


def test_factorize_conv_weight_dtypes():
    weight = np.arange(-36, 36).reshape(2, 4, 3, 3)
    for dtype in (np.int8, np.int64, np.uint8, bool):
        f = factorize_conv_weight(weight.astype(dtype), 6)
        assert f.column_weight.dtype == np.float64  # integers compute in float64 (was float32)
        assert_allclose(f.composed(), weight.astype(dtype), atol=1e-10)
    assert factorize_conv_weight(weight.astype(np.float32), 2).row_weight.dtype == np.float32
    with pytest.raises(TypeError, match=r"weight must hold real numbers.*got dtype float16"):
        factorize_conv_weight(weight.astype(np.float16), 2)
    with pytest.raises(ValueError, match="weight is a masked array"):
        factorize_conv_weight(np.ma.array(weight, mask=weight > 30), 2)


def test_factorize_conv_weight_huge_values():
    weight = np.random.default_rng(0).standard_normal((2, 2, 3, 3))
    f = factorize_conv_weight(weight * 1e200, 2)  # the squares of sigma overflowed
    reference = factorize_conv_weight(weight, 2)
    assert_allclose(f.error, reference.error * 1e200, rtol=1e-12)
    assert_allclose(f.relative_error, reference.relative_error, rtol=1e-12)
    with pytest.raises(ValueError, match="weight is too large for the SVD in float64"):
        factorize_conv_weight(np.full((2, 2, 3, 3), 1e308), 2)


@pytest.mark.parametrize(
    ("arguments", "error", "match"),
    [
        (
            ((3.7, 10, 12), (8, 3, 3, 3), 4),
            ValueError,
            r"input_shape must be 3 positive ints \(C_in, H, W\); got \(3\.7, 10, 12\)",
        ),
        (
            ((3, 10, 12), (-8, 3, 3, 3), 1),
            ValueError,
            r"weight_shape must be 4 positive ints \(C_out, C_in, kH, kW\)",
        ),
        (((3, 10), (8, 3, 3, 3), 1), TypeError, r"input_shape must be 3 ints \(C_in, H, W\)"),
        (((3, 10, 12), (8, 3, 3, 3), 2.5), ValueError, r"rank must be a positive int; got 2\.5"),
        (((3, 10, 12), (8, 3, 3, 3), 0), ValueError, "rank must be a positive int; got 0"),
    ],
)
def test_layer_multiplications_reject_what_int_truncated(arguments, error, match):
    # int(3.7) == 3 and int(2.5) == 2 were counted silently; rank 0 and C_out = -8 too
    with pytest.raises(error, match=match):
        factorized_layer_multiplications(*arguments)


def test_raises_not_separable_for_rank_2_integers():
    with pytest.raises(NotSeparableError):
        separate(np.array([[2**62, 1], [1, 2**62]], np.int64))
