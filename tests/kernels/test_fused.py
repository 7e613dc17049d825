"""The fused separable blocks (refconv.kernels.fused): band by band, equal to the two calls.

``separable_conv2d`` and ``spatial_separable_conv2d`` are defined as two convolutions one after
the other (``method="reference"``). Every other method runs one fused kernel that keeps the
intermediate one band of output rows at a time. These tests hold the fused kernels to the
two calls:

* hand-worked integer cases and the readable band-by-band definitions, exactly;
* property tests over shapes, strides, dilations, every padding form and mode, multipliers,
  groups and dtypes, against the reference and scipy, within the chain's bound: the sum of
  the two reductions (``refconv.testing``);
* many bands and several threads (small bands forced), so that every task boundary is met;
* hostile geometry with guarded workspaces (``refconv.kernels.workspace.guarded``), through
  the public functions and straight into the kernels, exactly; CI runs this file again with
  ``NUMBA_BOUNDSCHECK=1``;
* Inf and NaN where the padding is; the cached plans (an error is raised on every call);
  calls from several threads and from forked processes.
"""

from __future__ import annotations

import concurrent.futures
import math
import multiprocessing

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from refconv import separable_conv2d, spatial_separable_conv2d
from refconv.arguments import conv_geometry
from refconv.kernels import choose_separable, choose_spatial, fused, fused_plan
from refconv.kernels.reference import conv2d_reference
from refconv.kernels.workspace import guarded, new_output
from refconv.testing import assert_conv_close

FUSED = ("direct", "im2col", "auto")
MODES = ("zeros", "reflect", "replicate", "circular")
NO_PADS = ((0, 0), (0, 0))


def two_calls_separable(x, dw, pw, bias, stride, pads, dilation, out):
    """The definition, with the reference loops: depthwise, then pointwise."""
    mid = np.empty((x.shape[0], dw.shape[0], *out.shape[2:]), dtype=out.dtype)
    conv2d_reference(x, dw, None, stride, pads, dilation, x.shape[1], mid)
    return conv2d_reference(mid, pw, bias, (1, 1), NO_PADS, (1, 1), 1, out)


def two_calls_spatial(x, column, row, bias, stride, pads, dilation, groups, out):
    """The definition, with the reference loops: kH x 1, then 1 x kW."""
    mid = np.empty((x.shape[0], column.shape[0], out.shape[2], x.shape[3]), dtype=out.dtype)
    conv2d_reference(
        x, column, None, (stride[0], 1), (pads[0], (0, 0)), (dilation[0], 1), groups, mid
    )
    return conv2d_reference(
        mid, row, bias, (1, stride[1]), ((0, 0), pads[1]), (1, dilation[1]), groups, out
    )


@pytest.fixture
def small_bands(monkeypatch):
    """Bands of one or two rows, on two threads: every band and channel-chunk boundary."""
    monkeypatch.setattr(fused_plan, "FUSED_BAND_BYTES", 1)
    monkeypatch.setattr(fused_plan, "MIN_BAND_PIXELS", 1)
    monkeypatch.setattr(fused, "thread_plan", lambda work: 2)
    fused_plan.separable_plan.cache_clear()  # plans made with the usual settings
    fused_plan.spatial_plan.cache_clear()
    yield
    fused_plan.separable_plan.cache_clear()  # and those made with these
    fused_plan.spatial_plan.cache_clear()


# --- worked by hand ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["reference", *FUSED])
def test_separable_worked_by_hand(method):
    # two channels of 1..16 and 17..32, 2x2 windows summed (depthwise of ones), then the first
    # channel minus the second (pointwise [1, -1]): every window sums 4 values 16 apart, so
    # every output is -4 * 16 = -64, plus the bias 1
    x = np.arange(1.0, 33.0).reshape(1, 2, 4, 4)
    dw = np.ones((2, 1, 2, 2))
    pw = np.array([1.0, -1.0]).reshape(1, 2, 1, 1)
    y = separable_conv2d(x, dw, pw, np.array([1.0]), method=method)
    assert_array_equal(y, np.full((1, 1, 3, 3), -63.0))


@pytest.mark.parametrize("method", ["reference", *FUSED])
def test_spatial_worked_by_hand(method):
    # Sobel-x on rows 0 1 4 9 16: [1, 2, 1] down the columns (x4), then [-1, 0, 1] along the
    # rows: 4 * (x[j + 2] - x[j]) = 4 * (4, 8, 12)
    x = np.tile(np.arange(5.0) ** 2, (5, 1))[None, None]
    col = np.array([1.0, 2.0, 1.0]).reshape(1, 1, 3, 1)
    row = np.array([-1.0, 0.0, 1.0]).reshape(1, 1, 1, 3)
    y = spatial_separable_conv2d(x, col, row, method=method)
    assert_array_equal(y[0, 0], np.tile([16.0, 32.0, 48.0], (3, 1)))


def test_an_impulse_lands_where_the_weights_say():
    # power-of-two weights: each output names the taps that reached it, so a wrong index,
    # band or channel shows at once
    x = np.zeros((1, 2, 7, 6))
    x[0, 1, 3, 2] = 1.0
    dw = 2.0 ** np.arange(18).reshape(2, 1, 3, 3)
    pw = np.array([[1.0, 2.0**20]]).reshape(1, 2, 1, 1)
    spec = separable_conv2d(x, dw, pw, padding=1, method="reference")
    assert np.count_nonzero(spec) == 9
    for method in FUSED:
        assert_array_equal(separable_conv2d(x, dw, pw, padding=1, method=method), spec)


# --- the readable definitions -------------------------------------------------------------------


@settings(deadline=None, max_examples=40)
@given(
    band=st.integers(1, 5),
    size=st.tuples(st.integers(3, 9), st.integers(3, 9)),
    stride=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    seed=st.integers(0, 2**32 - 1),
)
def test_the_band_by_band_definitions_equal_the_two_calls(band, size, stride, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, (2, 2, *size)).astype(np.float64)
    pads, dilation = ((1, 0), (0, 1)), (1, 1)
    geometry = conv_geometry(x.shape, (4, 1, 2, 3), stride, pads, dilation, 2, "zeros")
    dw = rng.integers(-3, 4, (4, 1, 2, 3)).astype(np.float64)
    pw = rng.integers(-3, 4, (5, 4, 1, 1)).astype(np.float64)
    bias = rng.integers(-3, 4, 5).astype(np.float64)
    shape = (2, 5, *geometry.out_size)
    want = two_calls_separable(x, dw, pw, bias, stride, pads, dilation, np.empty(shape))
    got = fused.separable_bands_reference(
        x, dw, pw, bias, stride, pads, dilation, np.empty(shape), band
    )
    assert_array_equal(got, want)
    column = rng.integers(-3, 4, (4, 1, 2, 1)).astype(np.float64)
    row = rng.integers(-3, 4, (6, 2, 1, 3)).astype(np.float64)
    want = two_calls_spatial(
        x, column, row, None, stride, pads, dilation, 2, np.empty((2, 6, *geometry.out_size))
    )
    got = fused.spatial_bands_reference(
        x, column, row, None, stride, pads, dilation, 2, np.empty(want.shape), band
    )
    assert_array_equal(got, want)


# --- property tests: the chain's bound, against the reference and scipy --------------------------


def chain_tolerance_args(oracle, first, second, x, w1, w2, bias, k1, k2):
    """``reduction`` and ``scale`` of a chain: the two reductions summed, and the chain run on
    magnitudes (each step's error is carried through the next with a factor ``sum |w|``)."""
    scale = second(first(np.abs(x), np.abs(w1)), np.abs(w2), None if bias is None else np.abs(bias))
    return k1 + k2, scale


@st.composite
def block_cases(draw):
    """Arrays and arguments for a separable block, valid by construction."""
    n_batch = draw(st.sampled_from([1, 2, 3]))
    c_in = draw(st.integers(1, 3))
    multiplier = draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    mode = draw(st.sampled_from(MODES))
    form = draw(st.sampled_from(["int", "pair", "explicit", "valid", "same"]))
    pads = [(draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(2)]
    padding = {
        "int": pads[0][0],
        "pair": (pads[0][0], pads[1][0]),
        "explicit": tuple(pads),
        "valid": "valid",
        "same": "same",
    }[form]
    size = tuple(
        d * (k - 1) + 1 + 2 + draw(st.integers(0, 9)) for k, d in zip(kernel, dilation, strict=True)
    )
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((n_batch, c_in, *size)).astype(dtype)
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, padding_mode=mode)
    return x, c_in, multiplier, kernel, kwargs, rng, draw(st.booleans())


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(case=block_cases(), c_out=st.integers(1, 20))
def test_separable_within_the_chain_bound(oracle, case, c_out):
    x, c_in, m, kernel, kwargs, rng, with_bias = case
    dw = rng.standard_normal((c_in * m, 1, *kernel)).astype(x.dtype)
    pw = rng.standard_normal((c_out, c_in * m, 1, 1)).astype(x.dtype)
    bias = rng.standard_normal(c_out).astype(x.dtype) if with_bias else None
    try:
        spec = separable_conv2d(x, dw, pw, bias, **kwargs, method="reference")
    except ValueError:  # reflect / circular padding wider than the input: refused
        return
    desired = oracle(oracle(x, dw, groups=c_in, **kwargs), pw, bias)
    reduction, scale = chain_tolerance_args(
        oracle,
        lambda a, w: oracle(a, w, groups=c_in, **kwargs),
        oracle,
        x,
        dw,
        pw,
        bias,
        math.prod(kernel),
        c_in * m,
    )
    for method in FUSED:
        y = separable_conv2d(x, dw, pw, bias, **kwargs, method=method)
        assert y.dtype == x.dtype
        assert_conv_close(y, spec, reduction=reduction, scale=scale, err_msg=method)
        assert_conv_close(y, desired, reduction=reduction, scale=scale, err_msg=method)


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    case=block_cases(), groups=st.integers(1, 3), r_group=st.integers(1, 3), og=st.integers(1, 9)
)
def test_spatial_within_the_chain_bound(oracle, case, groups, r_group, og):
    x, c_in, _, kernel, kwargs, rng, with_bias = case
    x = np.tile(x, (1, groups, 1, 1))  # C_in a multiple of groups
    c_group = c_in
    column = rng.standard_normal((groups * r_group, c_group, kernel[0], 1)).astype(x.dtype)
    row = rng.standard_normal((groups * og, r_group, 1, kernel[1])).astype(x.dtype)
    bias = rng.standard_normal(groups * og).astype(x.dtype) if with_bias else None
    try:
        spec = spatial_separable_conv2d(
            x, column, row, bias, groups=groups, **kwargs, method="reference"
        )
    except ValueError:
        return
    # the chain as two scipy convolutions: the column pass takes the rows' geometry
    stride, dilation = kwargs["stride"], kwargs["dilation"]
    from refconv.arguments import spatial_passes

    (s1, p1, d1), (s2, p2, d2) = spatial_passes(
        x.shape, kernel, stride, kwargs["padding"], dilation, kwargs["padding_mode"]
    )
    mode = kwargs["padding_mode"]

    def first(a, w):
        return oracle(a, w, stride=s1, padding=p1, dilation=d1, groups=groups, padding_mode=mode)

    def second(a, w, b=None):
        return oracle(a, w, b, stride=s2, padding=p2, dilation=d2, groups=groups, padding_mode=mode)

    desired = second(first(x, column), row, bias)
    reduction, scale = chain_tolerance_args(
        oracle, first, second, x, column, row, bias, c_group * kernel[0], r_group * kernel[1]
    )
    for method in FUSED:
        y = spatial_separable_conv2d(x, column, row, bias, groups=groups, **kwargs, method=method)
        assert_conv_close(y, spec, reduction=reduction, scale=scale, err_msg=method)
        assert_conv_close(y, desired, reduction=reduction, scale=scale, err_msg=method)


@settings(
    deadline=None,
    max_examples=30,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(case=block_cases(), c_out=st.integers(1, 40))
def test_many_bands_on_two_threads(small_bands, case, c_out):
    # one- and two-row bands on two threads, channels split into chunks where the bands are
    # fewer than the threads: integers, so every task boundary must give exactly the spec
    x, c_in, m, kernel, kwargs, rng, with_bias = case
    x = np.round(x * 2)
    dw = rng.integers(-3, 4, (c_in * m, 1, *kernel)).astype(x.dtype)
    pw = rng.integers(-3, 4, (c_out, c_in * m, 1, 1)).astype(x.dtype)
    bias = rng.integers(-3, 4, c_out).astype(x.dtype) if with_bias else None
    column = rng.integers(-3, 4, (2, c_in, kernel[0], 1)).astype(x.dtype)
    row = rng.integers(-3, 4, (c_out, 2, 1, kernel[1])).astype(x.dtype)
    try:
        spec = separable_conv2d(x, dw, pw, bias, **kwargs, method="reference")
        spatial = spatial_separable_conv2d(x, column, row, bias, **kwargs, method="reference")
    except ValueError:
        return
    for method in FUSED:
        with guarded():
            assert_array_equal(separable_conv2d(x, dw, pw, bias, **kwargs, method=method), spec)
            y = spatial_separable_conv2d(x, column, row, bias, **kwargs, method=method)
        assert_array_equal(y, spatial)


# --- hostile geometry, guarded ------------------------------------------------------------------

SIZES = (1, 1, 2, 3, 5, 8)
STRIDES = (1, 1, 2, 3, 64, 10**4, 2**62)
DILATIONS = (1, 1, 2, 3, 24, 10**4)
PADS = (0, 0, 1, 2, 24, 1024, 10**4)
OUTPUT_BUDGET = 256  # output values per call: the reference loops take microseconds each


@st.composite
def hostile_block(draw):
    """A block with pads, strides and dilations far beyond the input, 1-pixel and 1 x 4096
    inputs, every padding form and mode: valid by construction, small output, integers."""
    if draw(st.booleans()):
        size = (1, 4096) if draw(st.booleans()) else (4096, 1)
    else:
        size = (draw(st.sampled_from(SIZES)), draw(st.sampled_from(SIZES)))
    kernel = (draw(st.sampled_from([1, 2, 3, 3, 5])), draw(st.sampled_from([1, 2, 3, 3, 5])))
    stride = [draw(st.sampled_from(STRIDES)), draw(st.sampled_from(STRIDES))]
    dilation = (draw(st.sampled_from(DILATIONS)), draw(st.sampled_from(DILATIONS)))
    mode = draw(st.sampled_from(["zeros", "zeros", *MODES]))
    pads = []
    for axis in (0, 1):
        span = dilation[axis] * (kernel[axis] - 1) + 1
        before, after = draw(st.sampled_from(PADS)), draw(st.sampled_from(PADS))
        after += max(0, span - size[axis] - before - after)  # the kernel fits the padded input
        pads.append((before, after))
    form = draw(st.sampled_from(["explicit", "explicit", "int", "same"]))
    padding = {"explicit": tuple(pads), "int": max(pads[0]), "same": "same"}[form]
    c_in = draw(st.integers(1, 3))
    n_batch = draw(st.sampled_from([1, 2]))
    shape = (n_batch, c_in, *size)
    w_shape = (c_in, 1, *kernel)
    try:
        geometry = conv_geometry(shape, w_shape, tuple(stride), padding, dilation, c_in, mode)
    except ValueError:  # an int pad too small, or reflect / circular limits: explicit zeros
        mode, padding = "zeros", tuple(pads)
        geometry = conv_geometry(shape, w_shape, tuple(stride), padding, dilation, c_in, mode)
    while n_batch * 4 * math.prod(geometry.out_size) > OUTPUT_BUDGET:
        axis = 0 if geometry.out_size[0] >= geometry.out_size[1] else 1
        stride[axis] *= 4
        geometry = conv_geometry(shape, w_shape, tuple(stride), padding, dilation, c_in, mode)
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.integers(-4, 5, shape).astype(dtype)  # small integers: every method is exact
    kwargs = dict(stride=tuple(stride), padding=padding, dilation=dilation, padding_mode=mode)
    return x, kernel, kwargs, rng, draw(st.booleans())


@settings(
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=hostile_block(), c_out=st.integers(1, 4), m=st.integers(1, 2))
def test_hostile_geometry_exact_and_in_bounds(case, c_out, m):
    x, kernel, kwargs, rng, with_bias = case
    c_in = x.shape[1]
    dw = rng.integers(-4, 5, (c_in * m, 1, *kernel)).astype(x.dtype)
    pw = rng.integers(-4, 5, (c_out, c_in * m, 1, 1)).astype(x.dtype)
    column = rng.integers(-4, 5, (2, c_in, kernel[0], 1)).astype(x.dtype)
    row = rng.integers(-4, 5, (c_out, 2, 1, kernel[1])).astype(x.dtype)
    bias = rng.integers(-4, 5, c_out).astype(x.dtype) if with_bias else None
    saved = [a.copy() for a in (x, dw, pw, column, row)]
    with guarded():
        spec = separable_conv2d(x, dw, pw, bias, **kwargs, method="reference")
        spatial = spatial_separable_conv2d(x, column, row, bias, **kwargs, method="reference")
    assert not np.isnan(spec).any() and not np.isnan(spatial).any()
    for method in FUSED:
        with guarded():
            y = separable_conv2d(x, dw, pw, bias, **kwargs, method=method)
            z = spatial_separable_conv2d(x, column, row, bias, **kwargs, method=method)
        assert_array_equal(y, spec, err_msg=method)
        assert_array_equal(z, spatial, err_msg=method)
    for before, after in zip(saved, (x, dw, pw, column, row), strict=True):
        assert_array_equal(before, after)  # inputs unchanged


@st.composite
def raw_block(draw):
    """Geometry handed to the fused kernels as it is, past the functional layer: pads and
    dilations up to 40 around inputs of 1 to 6 pixels."""
    size = (draw(st.integers(1, 6)), draw(st.integers(1, 6)))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.sampled_from([1, 2, 3, 9])), draw(st.sampled_from([1, 2, 3, 9])))
    dilation = (draw(st.sampled_from([1, 2, 5, 13])), draw(st.sampled_from([1, 2, 5, 13])))
    pads = tuple(
        (draw(st.sampled_from([0, 1, 3, 17, 40])), draw(st.sampled_from([0, 1, 3, 17, 40])))
        for _ in range(2)
    )
    pads = tuple(
        (b, max(a, d * (k - 1) + 1 - s - b))
        for (b, a), d, k, s in zip(pads, dilation, kernel, size, strict=True)
    )
    out_size = tuple(
        (s + b + a - d * (k - 1) - 1) // st_ + 1
        for s, (b, a), d, k, st_ in zip(size, pads, dilation, kernel, stride, strict=True)
    )
    c_in = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    x = rng.integers(-4, 5, (1, c_in, *size)).astype(dtype)
    return x, kernel, stride, pads, dilation, out_size, rng, draw(st.booleans())


@settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(case=raw_block(), c_out=st.integers(1, 3), flags=st.tuples(st.booleans(), st.booleans()))
def test_kernels_on_raw_hostile_geometry(case, c_out, flags):
    # every index the fused kernels compute must stay inside the arrays they are given
    x, kernel, stride, pads, dilation, out_size, rng, m2 = case
    c_in, dtype = x.shape[1], x.dtype
    dw = rng.integers(-4, 5, (c_in * (1 + m2), 1, *kernel)).astype(dtype)
    pw = rng.integers(-4, 5, (c_out, dw.shape[0], 1, 1)).astype(dtype)
    shape = (1, c_out, *out_size)
    want = two_calls_separable(x, dw, pw, None, stride, pads, dilation, np.empty(shape, dtype))
    with guarded():
        got = fused.conv2d_separable_fused(
            x, dw, pw, None, stride, pads, dilation, new_output(shape, dtype), flags[0]
        )
    assert_array_equal(got, want)
    column = rng.integers(-4, 5, (2, c_in, kernel[0], 1)).astype(dtype)
    row = rng.integers(-4, 5, (c_out, 2, 1, kernel[1])).astype(dtype)
    want = two_calls_spatial(
        x, column, row, None, stride, pads, dilation, 1, np.empty(shape, dtype)
    )
    with guarded():
        got = fused.conv2d_spatial_fused(
            x, column, row, None, stride, pads, dilation, 1, new_output(shape, dtype), *flags
        )
    assert_array_equal(got, want)


# --- Inf and NaN --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kernel", [(3, 3), (3, 2)])
def test_inf_weight_times_padded_zeros_is_nan(oracle, mode, kernel):
    # an Inf tap that lands on a padded zero gives inf * 0 = NaN, as in scipy: the fused
    # kernels must make those products (the 3x3 kernel read straight from the input skips
    # them, so it gives way to the tiles; the loops of the spatial pair to its GEMM)
    x = np.arange(1.0, 25.0).reshape(1, 2, 3, 4)
    dw = np.ones((2, 1, *kernel))
    dw[0, 0, 0, -1] = np.inf
    pw = np.ones((3, 2, 1, 1))
    desired = oracle(oracle(x, dw, padding=1, groups=2, padding_mode=mode), pw)
    column, row = np.ones((2, 2, 3, 1)), np.ones((3, 2, 1, 3))
    column[1, 0, 0, 0] = np.inf
    row[0, 1, 0, 2] = -np.inf
    pads = dict(padding=1, padding_mode=mode)
    spatial = spatial_separable_conv2d(x, column, row, **pads, method="reference")
    assert np.isnan(desired).any() == (mode == "zeros")
    for method in FUSED:
        y = separable_conv2d(x, dw, pw, padding=1, padding_mode=mode, method=method)
        assert_array_equal(np.isnan(y), np.isnan(desired))
        assert_array_equal(y[~np.isnan(y)], desired[~np.isnan(desired)])
        z = spatial_separable_conv2d(x, column, row, **pads, method=method)
        assert_array_equal(np.isnan(z), np.isnan(spatial))
        assert_array_equal(z[~np.isnan(z)], spatial[~np.isnan(spatial)])


def test_nan_and_inf_in_the_input_spread_as_in_the_two_calls():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 9, 10))
    x[0, 1, 4, 4], x[1, 2, 0, 0], x[1, 0, 8, 9] = np.nan, np.inf, -np.inf
    dw, pw = rng.standard_normal((6, 1, 3, 3)), rng.standard_normal((16, 6, 1, 1))
    spec = separable_conv2d(x, dw, pw, padding="same", method="reference")
    for method in FUSED:
        y = separable_conv2d(x, dw, pw, padding="same", method=method)
        assert_array_equal(np.isnan(y), np.isnan(spec))
        assert_conv_close(y, spec, reduction=9 + 6, scale=15 * 9 * 8)


# --- which kernel auto runs ---------------------------------------------------------------------


def test_which_kernel_each_method_runs():
    mid, pw, tds_mid, tds_pw = (1, 64, 56, 56), (128, 64, 1, 1), (1, 3, 8, 8), (256, 3, 1, 1)
    three, five = (64, 1, 3, 3), (64, 1, 5, 5)
    assert choose_separable("reference", mid, three, pw, (1, 1)) is None  # the definition
    assert choose_separable("direct", mid, three, pw, (1, 1)) is False  # fused, loops
    assert choose_separable("im2col", tds_mid, (3, 1, 5, 5), tds_pw, (1, 1)) is True  # GEMM
    # auto: the TDS block fused with loops; a GEMM after a 3x3: the two calls; else fused
    assert choose_separable("auto", tds_mid, (3, 1, 5, 5), tds_pw, (1, 1)) is False
    assert choose_separable("auto", mid, three, pw, (1, 1)) is None
    assert choose_separable("auto", mid, three, pw, (2, 2)) is True
    assert choose_separable("auto", mid, five, pw, (1, 1)) is True
    x, col, row = (1, 64, 56, 56), (64, 64, 3, 1), (64, 64, 1, 3)
    assert choose_spatial("auto", x, col, x, row, 1) == (True, True)
    assert choose_spatial("reference", x, col, x, row, 1) is None
    small, col3, row3 = (1, 3, 12, 12), (3, 1, 3, 1), (3, 1, 1, 3)  # per channel: loops
    assert choose_spatial("auto", small, col3, small, row3, 3) == (False, False)


@pytest.mark.parametrize("kernel", [(3, 3), (5, 5)])
def test_auto_runs_what_it_chose(monkeypatch, kernel):
    runs = []
    original = fused.conv2d_separable_fused
    monkeypatch.setattr(
        "refconv.functional.separable.conv2d_separable_fused",
        lambda *args, **kwargs: runs.append(kwargs["gemm"]) or original(*args, **kwargs),
    )
    from refconv.functional import separable

    separable._SEPARABLE_PLANS.clear()  # plans hold the fused kernel they run
    x = np.ones((1, 16, 10, 10))
    y = separable_conv2d(x, np.ones((16, 1, *kernel)), np.ones((8, 16, 1, 1)), padding="same")
    separable._SEPARABLE_PLANS.clear()
    assert runs == ([] if kernel == (3, 3) else [True])  # 3x3 + GEMM: the two calls
    assert_array_equal(y[0, :, 5, 5], 16.0 * kernel[0] * kernel[1])


# --- cached plans -------------------------------------------------------------------------------


def test_a_cached_plan_still_raises_on_every_call():
    x, dw, pw = np.ones((1, 2, 6, 6)), np.ones((2, 1, 3, 3)), np.ones((4, 2, 1, 1))
    expected = separable_conv2d(x, dw, pw, stride=1, padding=1)
    for _ in range(2):
        for bad in (True, 1.0, np.bool_(True)):
            with pytest.raises(TypeError, match="stride"):
                separable_conv2d(x, dw, pw, stride=bad, padding=1)
        with pytest.raises(ValueError, match="pointwise_weight must have shape"):
            separable_conv2d(x, dw, np.ones((4, 3, 1, 1)), padding=1)
        with pytest.raises(ValueError, match="method must be one of"):
            separable_conv2d(x, dw, pw, padding=1, method="fast")
        with pytest.raises(ValueError, match="does not apply here"):
            separable_conv2d(x, dw, pw, padding=1, method="winograd")
        with pytest.raises(ValueError, match="reflect"):
            spatial_separable_conv2d(
                x, np.ones((2, 2, 3, 1)), np.ones((2, 2, 1, 3)), padding=6, padding_mode="reflect"
            )
        with pytest.raises(ValueError, match="masked"):
            separable_conv2d(np.ma.masked_array(x, mask=x > 0), dw, pw, padding=1)
    assert_array_equal(separable_conv2d(x, dw, pw, stride=np.int64(1), padding=(1, 1)), expected)
    assert_array_equal(separable_conv2d(x.tolist(), dw, pw, padding=1), expected)
    assert_array_equal(separable_conv2d(x.astype(np.int8), dw, pw, padding=1), expected)
    assert_array_equal(separable_conv2d(x[0], dw, pw, padding=1), expected[0])  # unbatched


def test_values_change_and_plans_do_not():
    # a plan holds shapes, never values: the same shapes with other values, views and orders
    rng = np.random.default_rng(5)
    dw, pw = rng.standard_normal((4, 1, 3, 3)), rng.standard_normal((8, 4, 1, 1))
    for _ in range(3):
        x = rng.standard_normal((2, 4, 10, 10))
        for view in (x, np.asfortranarray(x), x.astype(">f8"), x[:, :, ::-1]):
            spec = separable_conv2d(view, dw, pw, padding=1, method="reference")
            assert_conv_close(
                separable_conv2d(view, dw, pw, padding=1), spec, reduction=13, scale=13 * 64
            )


# --- threads and processes ----------------------------------------------------------------------


def _blocks(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((4, 16, 40, 40)).astype(np.float32)  # several threads' worth
    dw = rng.standard_normal((32, 1, 3, 3)).astype(np.float32)
    pw = rng.standard_normal((24, 32, 1, 1)).astype(np.float32)
    col = rng.standard_normal((8, 16, 3, 1)).astype(np.float32)
    row = rng.standard_normal((24, 8, 1, 3)).astype(np.float32)
    return (
        separable_conv2d(x, dw, pw, padding=1),
        separable_conv2d(x[:1, :3, :12, :12], dw[:3, :, :3, :3], pw[:, :3]),  # one thread
        spatial_separable_conv2d(x, col, row, padding=1, stride=(1, 2)),
    )


def test_calls_from_several_threads():
    expected = [_blocks(seed) for seed in range(6)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        for seed, result in enumerate(pool.map(_blocks, list(range(6)) * 2)):
            for got, want in zip(result, expected[seed % 6], strict=True):
                assert_array_equal(got, want)


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="the platform has no fork()"
)
def test_a_forked_pool_works_after_the_fused_kernels_ran(as_forked_child):
    expected = _blocks(0)  # the parent starts its thread pool here
    for got, want in zip(as_forked_child(_blocks, 0), expected, strict=True):
        assert_array_equal(got, want)  # the serial twins, compiled once for the children
    with multiprocessing.get_context("fork").Pool(2) as pool:
        results = pool.map_async(_blocks, [0, 0]).get(timeout=240)
    for result in results:
        for got, want in zip(result, expected, strict=True):
            assert_array_equal(got, want)
