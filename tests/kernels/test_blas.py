"""The GEMM inside the kernels: NumPy's OpenBLAS through its address, np.dot otherwise."""

from __future__ import annotations

import numba
import numpy as np
import pytest

import refconv
from refconv.kernels import blas, im2col
from refconv.kernels.gemm import matmul, matmul_nt


@numba.njit(cache=True)
def _matmul_views(gemm, a, b, c, rows, cols, depth):
    """matmul on views: a[1:1+rows, 2:2+depth] @ b[3:3+depth, 1:1+cols] into c[2:.., 4:..]."""
    matmul(
        gemm,
        a[1 : 1 + rows, 2 : 2 + depth],
        b[3 : 3 + depth, 1 : 1 + cols],
        c[2 : 2 + rows, 4 : 4 + cols],
    )


@numba.njit(cache=True)
def _matmul_nt_views(gemm, a, b, c, rows, cols, depth):
    """matmul_nt on views: a[1:1+rows, 2:2+depth] @ b[3:3+cols, 1:1+depth].T into c[2:.., 4:..]."""
    matmul_nt(
        gemm,
        a[1 : 1 + rows, 2 : 2 + depth],
        b[3 : 3 + cols, 1 : 1 + depth],
        c[2 : 2 + rows, 4 : 4 + cols],
    )


def _has_numpy_openblas() -> bool:
    return blas.gemm_address(np.float32) != 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("use_address", [True, False])
@pytest.mark.parametrize("shape", [(1, 1, 1), (3, 5, 4), (7, 2, 9)])
def test_matmul_on_strided_views(dtype, use_address, shape):
    if use_address and not _has_numpy_openblas():
        pytest.skip("NumPy has no scipy_openblas64_ here")
    rows, cols, depth = shape
    gemm = blas.gemm_address(dtype) if use_address else 0
    rng = np.random.default_rng(1)
    a = rng.integers(-4, 5, (rows + 3, depth + 5)).astype(dtype)
    b = rng.integers(-4, 5, (depth + 4, cols + 3)).astype(dtype)
    c = np.full((rows + 4, cols + 6), 99.0, dtype=dtype)
    _matmul_views(gemm, a, b, c, rows, cols, depth)
    expected = np.full_like(c, 99.0)
    expected[2 : 2 + rows, 4 : 4 + cols] = (
        a[1 : 1 + rows, 2 : 2 + depth] @ b[3 : 3 + depth, 1 : 1 + cols]
    )
    np.testing.assert_array_equal(c, expected)  # small integers: exact; nothing else touched


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("use_address", [True, False])
@pytest.mark.parametrize("shape", [(1, 1, 1), (3, 5, 4), (7, 2, 9)])
def test_matmul_nt_on_strided_views(dtype, use_address, shape):
    """``b`` is read transposed, in place: its rows are the product's columns."""
    if use_address and not _has_numpy_openblas():
        pytest.skip("NumPy has no scipy_openblas64_ here")
    rows, cols, depth = shape
    gemm = blas.gemm_address(dtype) if use_address else 0
    rng = np.random.default_rng(2)
    a = rng.integers(-4, 5, (rows + 3, depth + 5)).astype(dtype)
    b = rng.integers(-4, 5, (cols + 4, depth + 3)).astype(dtype)
    c = np.full((rows + 4, cols + 6), 99.0, dtype=dtype)
    _matmul_nt_views(gemm, a, b, c, rows, cols, depth)
    expected = np.full_like(c, 99.0)
    expected[2 : 2 + rows, 4 : 4 + cols] = (
        a[1 : 1 + rows, 2 : 2 + depth] @ b[3 : 3 + cols, 1 : 1 + depth].T
    )
    np.testing.assert_array_equal(c, expected)


def test_numpy_openblas_is_found_when_numpy_ships_it():
    config = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    if config.get("name") != "scipy-openblas" or "USE64BITINT" not in str(config):
        pytest.skip("this NumPy does not ship the 64-bit scipy_openblas")
    assert blas.gemm_address(np.float32) != 0
    assert blas.gemm_address(np.float64) != 0
    assert blas.gemm_address(np.float32) != blas.gemm_address(np.float64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_im2col_and_pointwise_with_np_dot(monkeypatch, dtype):
    """Without NumPy's OpenBLAS the kernels fall back to np.dot, with the same results."""
    rng = np.random.default_rng(2)
    x = rng.integers(-3, 4, (2, 6, 7, 9)).astype(dtype)
    w = rng.integers(-3, 4, (8, 3, 3, 3)).astype(dtype)
    w1 = rng.integers(-3, 4, (10, 6, 1, 1)).astype(dtype)
    bias = np.arange(8, dtype=dtype)
    expected = refconv.conv2d(x, w, bias, padding=1, groups=2, method="reference")
    expected_1x1 = refconv.conv2d(x, w1, method="reference")
    monkeypatch.setattr(im2col, "gemm_address", lambda dtype: 0)
    got = refconv.conv2d(x, w, bias, padding=1, groups=2, method="im2col")
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(refconv.conv2d(x, w1, method="im2col"), expected_1x1)


def test_single_threaded_blas_pins_and_restores():
    with blas.single_threaded_blas():
        pools = list(blas._pools)
    if not pools:
        pytest.skip("no OpenBLAS found in this process")
    getter, setter = pools[0]
    before = getter()
    setter(2)
    try:
        with blas.single_threaded_blas():
            assert [get() for get, _ in pools] == [1] * len(pools)
            with blas.single_threaded_blas():  # nested
                assert getter() == 1
            assert getter() == 1
        assert getter() == 2
    finally:
        setter(before)
