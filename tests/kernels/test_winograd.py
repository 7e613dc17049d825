"""Winograd F(2x2, 3x3): exact on small integers, close on floats, im2col's Inf and NaN.

With integers in [-4, 4] every value the transforms make is a multiple of 1/4 far below
2**20, so every sum is exact in float32 and float64 whatever order it is added in: equality
with the spec, not closeness, is the check.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

import refconv.kernels
from refconv import conv2d, depthwise_conv2d, separable_conv2d
from refconv.kernels import choose_method, winograd


def small_ints(rng, shape):
    return rng.integers(-4, 5, size=shape).astype(np.float64)


def _refuse(*args):
    raise AssertionError("Winograd fell back to im2col")


@pytest.fixture
def no_fallback(monkeypatch):
    """Fail the test if the Winograd kernel hands the call to im2col."""
    monkeypatch.setattr(winograd, "conv2d_im2col", _refuse)


def test_weight_transform_is_g_g_gt():
    rng = np.random.default_rng(0)
    w = small_ints(rng, (6, 4, 3, 3))
    g = winograd.G
    u = winograd.transform_weight(w, groups=2)  # (groups, 16, C_out // groups, C_in)
    assert u.shape == (2, 16, 3, 4)
    desired = np.einsum("ip,ocpq,jq->ijoc", g, w, g).reshape(16, 2, 3, 4).transpose(1, 0, 2, 3)
    assert_array_equal(u, desired)
    # one worked value: the centre position (1, 1) is the sum of all nine taps over 4
    k = np.arange(9.0).reshape(1, 1, 3, 3)
    assert winograd.transform_weight(k, 1)[0, 5, 0, 0] == 36.0 / 4


def test_two_by_two_block_by_hand(no_fallback):
    # One 4x4 input, one 3x3 kernel: the four outputs are the four 3x3 window sums.
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    w = np.arange(9.0).reshape(1, 1, 3, 3)
    expected = [[[[258.0, 294.0], [402.0, 438.0]]]]  # sum of w * window, by hand
    assert_array_equal(conv2d(x, w, method="winograd"), expected)


@settings(deadline=None, max_examples=150)
@given(
    n=st.sampled_from([1, 2]),
    c_group=st.sampled_from([1, 2, 3, 5]),
    o_group=st.sampled_from([1, 2, 4]),
    groups=st.integers(1, 3),
    height=st.integers(1, 12),
    width=st.integers(1, 13),
    pads=st.tuples(
        st.tuples(st.integers(0, 2), st.integers(0, 2)),
        st.tuples(st.integers(0, 3), st.integers(0, 2)),
    ),
    bias=st.booleans(),
    threads=st.sampled_from([1, 2, 3, 8]),
    budget=st.sampled_from([64, 2**28]),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**32 - 1),
)
def test_matches_the_spec_exactly(
    n, c_group, o_group, groups, height, width, pads, bias, threads, budget, dtype, seed
):
    # Odd and even output sizes (the last tile row and column overhang), every padding,
    # groups, bands of one tile row (a 64-byte budget) and plans for more threads than the
    # pool has.
    assume(height + sum(pads[0]) >= 3 and width + sum(pads[1]) >= 3)
    rng = np.random.default_rng(seed)
    x = small_ints(rng, (n, c_group * groups, height, width)).astype(dtype)
    w = small_ints(rng, (o_group * groups, c_group, 3, 3)).astype(dtype)
    b = small_ints(rng, (o_group * groups,)).astype(dtype) if bias else None
    before = x.copy(), w.copy()
    desired = conv2d(x, w, b, padding=pads, groups=groups, method="reference")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(winograd, "conv2d_im2col", _refuse)
        patch.setattr(winograd, "thread_plan", lambda work: threads)
        patch.setattr(refconv.kernels.workspace, "WORKSPACE_BYTES", budget)
        y = conv2d(x, w, b, padding=pads, groups=groups, method="winograd")
    assert y.dtype == dtype
    assert_array_equal(y, desired)
    assert_array_equal(x, before[0])
    assert_array_equal(w, before[1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rounding_is_close_to_the_exact_sum(no_fallback, dtype):
    # Random floats: the error against the float64 spec stays within a few units of the
    # last place of sum |w| |x|, as im2col's does.
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 32, 17, 19)).astype(dtype)
    w = rng.standard_normal((24, 32, 3, 3)).astype(dtype)
    x64, w64 = x.astype(np.float64), w.astype(np.float64)
    exact = conv2d(x64, w64, padding=1, method="reference")
    scale = conv2d(np.abs(x64), np.abs(w64), padding=1, method="reference")
    eps = np.finfo(dtype).eps
    for method in ("winograd", "im2col"):
        error = np.abs(conv2d(x, w, padding=1, method=method) - exact) / scale
        assert error.max() < 8 * eps, (method, error.max() / eps)


def _non_finite_cases():
    x = np.random.default_rng(5).standard_normal((1, 3, 6, 7)).astype(np.float32)
    w = np.random.default_rng(6).uniform(0.05, 0.1, size=(2, 3, 3, 3)).astype(np.float32)
    inf_x = x.copy()
    inf_x[0, 1, 2, 3] = np.inf
    nan_x = x.copy()
    nan_x[0, 0, 0, 0] = np.nan
    inf_w = w.copy()
    inf_w[1, 2, 1, 1] = -np.inf
    big_x = x.copy()  # finite, but 3e38 + 3e38 overflows in the transform
    big_x[0, 0, 2:4, 2:4] = 3e38
    return {
        "inf input": (inf_x, w),
        "nan input": (nan_x, w),
        "inf weight": (x, inf_w),
        "overflow in the transform": (big_x, w),
    }


@pytest.mark.parametrize("case", list(_non_finite_cases()))
def test_non_finite_values_come_out_as_im2col_gives_them(case):
    x, w = _non_finite_cases()[case]
    calls = []
    original = winograd.conv2d_im2col

    def spy(*args):
        calls.append(1)
        return original(*args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(winograd, "conv2d_im2col", spy)
        y = conv2d(x, w, padding=1, method="winograd")
    assert calls == [1]
    assert_array_equal(y, conv2d(x, w, padding=1, method="im2col"))  # NaN where it has NaN
    if case == "overflow in the transform":
        assert np.isfinite(y).all()


@pytest.mark.parametrize(
    ("kwargs", "shown"),
    [
        (dict(weight_size=5), "a 5x5 kernel"),
        (dict(stride=2), "stride (2, 2)"),
        (dict(dilation=(1, 2)), "dilation (1, 2)"),
    ],
)
def test_other_geometries_are_refused(kwargs, shown):
    k = kwargs.pop("weight_size", 3)
    x = np.ones((1, 2, 9, 9))
    with pytest.raises(
        ValueError,
        match=r"method='winograd'.*3x3.*" + shown.replace("(", r"\(").replace(")", r"\)"),
    ):
        conv2d(x, np.ones((2, 2, k, k)), method="winograd", **kwargs)
    with pytest.raises(ValueError, match="method='winograd'"):  # its 1x1 step
        separable_conv2d(x, np.ones((2, 1, 3, 3)), np.ones((4, 2, 1, 1)), method="winograd")


@pytest.mark.parametrize(
    ("c_in", "c_out", "groups", "k", "stride", "size", "method"),
    [
        (32, 32, 1, 3, 1, 28, "im2col"),  # Winograd-shaped, but auto keeps im2col's error bound
        (64, 128, 1, 3, 1, 56, "im2col"),
        (64, 64, 2, 3, 1, 28, "im2col"),
        (16, 16, 1, 3, 1, 56, "im2col"),
        (64, 64, 4, 3, 1, 56, "im2col"),
        (64, 64, 1, 3, 2, 56, "im2col"),  # stride 2
        (64, 64, 1, 5, 1, 56, "im2col"),
        (64, 64, 64, 3, 1, 56, "direct"),  # depthwise
        (8, 8, 4, 3, 1, 56, "direct"),  # 2 channels per group: a reduction of 18, 2 outputs
    ],
)
def test_auto_never_picks_winograd(c_in, c_out, groups, k, stride, size, method):
    w_shape = (c_out, c_in // groups, k, k)
    pad = k // 2  # "same": size x size outputs at stride 1
    assert (
        choose_method(
            (1, c_in, size, size),
            w_shape,
            (stride, stride),
            ((pad, pad), (pad, pad)),
            (1, 1),
            groups,
        )
        == method
    )


def test_auto_does_not_run_the_winograd_kernel(monkeypatch):
    calls = []
    original = winograd.winograd_bands

    def spy(*args):
        calls.append(args[-1].shape)
        return original(*args)

    monkeypatch.setattr(winograd, "winograd_bands", spy)
    rng = np.random.default_rng(1)
    x = small_ints(rng, (1, 32, 28, 29)).astype(np.float32)
    w = small_ints(rng, (32, 32, 3, 3)).astype(np.float32)
    assert_array_equal(conv2d(x, w, padding=1), conv2d(x, w, padding=1, method="reference"))
    depthwise_conv2d(x, small_ints(rng, (32, 1, 3, 3)).astype(np.float32), padding=1)
    assert calls == []
    conv2d(x, w, padding=1, method="winograd")  # asked for: it runs
    assert calls == [(1, 32, 28, 29)]
