"""Hostile geometry: pads, strides and dilations far beyond the input, 1-pixel and 1x4096 inputs.

Every method must agree with the spec, write nothing outside its buffers and leave its inputs
unchanged, for every family, every padding form and every padding mode. Each call runs
inside :func:`refconv.kernels.workspace.guarded`: workspaces and outputs come with sentinel
values around them (and unwritten values are NaN), and the test fails if a kernel touched a
sentinel. CI runs this file a second time with ``NUMBA_BOUNDSCHECK=1``, where an index outside
an array raises inside the compiled kernel.

Regressions this file pins (each crashed or corrupted memory before):

* im2col's band columns, "flat" path: a tap reaching more than a whole row before the image
  (``padding=24, dilation=24`` on a 1x1 input; WaveNet's causal ``padding=((0, 0), (1024, 0)),
  dilation=(1, 512)``) filled ``max(0, -src)`` zeros without capping them at the row: a heap
  buffer overflow, ``corrupted size vs. prev_size`` at exit.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refconv import (
    conv2d,
    depthwise_conv2d,
    pointwise_conv2d,
    separable_conv2d,
    spatial_separable_conv2d,
)
from refconv.arguments import conv_geometry
from refconv.kernels import run_conv2d, winograd_fits
from refconv.kernels.workspace import guarded, new_output

FAST = ("direct", "im2col", "auto")
OUTPUT_BUDGET = 2048  # output values per call: the spec takes a few microseconds each

SIZES = (1, 1, 2, 3, 5, 8, 64)
STRIDES = (1, 1, 1, 2, 3, 7, 64, 10**4, 2**62)
DILATIONS = (1, 1, 1, 2, 3, 24, 512, 10**4)
PADS = (0, 0, 0, 1, 2, 24, 1024, 10**4)


def _methods(weight_shape, stride, dilation):
    """The fast methods that apply: Winograd only for 3x3, stride 1, dilation 1."""
    fits = winograd_fits(weight_shape, stride, dilation)
    return (*FAST, "winograd") if fits else FAST


@st.composite
def hostile_case(draw):
    """One convolution with hostile geometry, valid by construction, and small output."""
    n_batch = draw(st.sampled_from([1, 2]))
    wide = draw(st.booleans())  # a 1 x 4096 (or 4096 x 1) signal, the WaveNet shape
    if wide:
        size = (1, 4096) if draw(st.booleans()) else (4096, 1)
    else:
        size = (draw(st.sampled_from(SIZES)), draw(st.sampled_from(SIZES)))
    kernel = (draw(st.sampled_from([1, 2, 3, 3, 5])), draw(st.sampled_from([1, 2, 3, 3, 5])))
    stride = (draw(st.sampled_from(STRIDES)), draw(st.sampled_from(STRIDES)))
    dilation = (draw(st.sampled_from(DILATIONS)), draw(st.sampled_from(DILATIONS)))
    mode = draw(st.sampled_from(["zeros", "zeros", "reflect", "replicate", "circular"]))
    form = draw(st.sampled_from(["explicit", "explicit", "int", "same", "valid"]))
    pads = []
    for axis in (0, 1):
        span = dilation[axis] * (kernel[axis] - 1) + 1
        before, after = draw(st.sampled_from(PADS)), draw(st.sampled_from(PADS))
        if size[axis] + before + after < span:  # make the kernel fit the padded input
            after += span - size[axis] - before - after
        pads.append((before, after))
    padding = {"explicit": tuple(pads), "int": pads[0][0], "same": "same", "valid": "valid"}[form]
    if form == "valid":  # the dilated kernel must fit the input itself
        kernel = tuple(min(k, s) for k, s in zip(kernel, size, strict=True))
        dilation = tuple(
            min(d, (s - 1) // (k - 1)) if k > 1 else d
            for d, s, k in zip(dilation, size, kernel, strict=True)
        )
    family = draw(st.sampled_from(["conv", "grouped", "depthwise"]))
    groups = 1
    c_in = draw(st.integers(1, 3))
    c_out = draw(st.integers(1, 3))
    if family == "grouped":
        groups = draw(st.integers(2, 3))
        c_in, c_out = groups * c_in, groups * c_out
    elif family == "depthwise":
        groups = c_in
        c_out = c_in * draw(st.integers(1, 2))  # depth multiplier 1 or 2
    try:
        geometry = conv_geometry(
            (n_batch, c_in, *size),
            (c_out, c_in // groups, *kernel),
            stride,
            padding,
            dilation,
            groups,
            mode,
        )
    except ValueError:  # an int pad too small for the kernel, reflect / circular limits:
        mode, padding = "zeros", tuple(pads)  # explicit zero pads fit by construction
        geometry = conv_geometry(
            (n_batch, c_in, *size),
            (c_out, c_in // groups, *kernel),
            stride,
            padding,
            dilation,
            groups,
            mode,
        )
    while n_batch * c_out * math.prod(geometry.out_size) > OUTPUT_BUDGET:
        # keep the spec quick: a larger stride along the longer output axis
        axis = 0 if geometry.out_size[0] >= geometry.out_size[1] else 1
        stride = tuple(4 * s if a == axis else s for a, s in enumerate(geometry.stride))
        geometry = conv_geometry(
            (n_batch, c_in, *size),
            (c_out, c_in // groups, *kernel),
            stride,
            padding,
            dilation,
            groups,
            mode,
        )
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.integers(-4, 5, (n_batch, c_in, *size)).astype(dtype)  # small integers: exact
    weight = rng.integers(-4, 5, (c_out, c_in // groups, *kernel)).astype(dtype)
    bias = rng.integers(-4, 5, c_out).astype(dtype) if draw(st.booleans()) else None
    kwargs = dict(
        stride=stride, padding=padding, dilation=dilation, groups=groups, padding_mode=mode
    )
    return x, weight, bias, kwargs


def _exact(actual, desired, method):
    """Small integers (|x|, |w| <= 4, at most 3 * 25 products) make every method exact."""
    assert actual.shape == desired.shape
    np.testing.assert_array_equal(actual, desired, err_msg=f"method={method!r}")


@settings(
    deadline=None,
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=hostile_case())
def test_every_method_agrees_with_the_spec_and_stays_in_its_buffers(case):
    x, weight, bias, kwargs = case
    saved = [a.copy() for a in (x, weight, bias) if a is not None]
    with guarded():
        spec = conv2d(x, weight, bias, **kwargs, method="reference")
    assert not np.isnan(spec).any()  # every output value written
    geometry = conv_geometry(
        x.shape,
        weight.shape,
        kwargs["stride"],
        kwargs["padding"],
        kwargs["dilation"],
        kwargs["groups"],
        kwargs["padding_mode"],
    )
    for method in _methods(weight.shape, geometry.stride, geometry.dilation):
        with guarded():
            y = conv2d(x, weight, bias, **kwargs, method=method)
        _exact(y, spec, method)
    for before, after in zip(saved, [a for a in (x, weight, bias) if a is not None], strict=True):
        np.testing.assert_array_equal(before, after)  # inputs unchanged


@st.composite
def raw_case(draw):
    """Geometry handed to the kernels as it is (no reduction by the functional layer):
    pads and dilations up to 40 around inputs of 1 to 6 pixels."""
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
    depthwise = draw(st.booleans())
    c_in = draw(st.integers(1, 3))
    groups = c_in if depthwise else 1
    c_out = c_in * draw(st.integers(1, 2)) if depthwise else draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    x = rng.integers(-4, 5, (1, c_in, *size)).astype(dtype)
    weight = rng.integers(-4, 5, (c_out, c_in // groups, *kernel)).astype(dtype)
    return x, weight, stride, pads, dilation, groups


@settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(case=raw_case())
def test_kernels_on_raw_hostile_geometry(case):
    # The kernels themselves, past the functional layer: every index they compute must stay
    # inside the arrays they are given, whatever the pads and dilations.
    x, weight, stride, pads, dilation, groups = case
    out_size = tuple(
        (size + b + a - d * (k - 1) - 1) // s + 1
        for size, (b, a), d, k, s in zip(
            x.shape[2:], pads, dilation, weight.shape[2:], stride, strict=True
        )
    )
    shape = (1, weight.shape[0], *out_size)
    with guarded():
        spec = run_conv2d(
            x, weight, None, stride, pads, dilation, groups, new_output(shape, x.dtype), "reference"
        )
    for method in _methods(weight.shape, stride, dilation):
        with guarded():
            y = run_conv2d(
                x, weight, None, stride, pads, dilation, groups, new_output(shape, x.dtype), method
            )
        np.testing.assert_array_equal(y, spec, err_msg=f"method={method!r}")


@pytest.mark.parametrize("method", ["reference", "direct", "im2col", "auto"])
@pytest.mark.parametrize(
    ("x_shape", "w_shape", "pads", "dilation"),
    [
        ((1, 3, 1, 1), (16, 3, 3, 3), ((24, 24), (24, 24)), (24, 24)),
        ((1, 4, 1, 64), (16, 4, 1, 3), ((0, 0), (1024, 0)), (1, 512)),
    ],
)
def test_im2col_overflow_reproducers_in_the_kernels(method, x_shape, w_shape, pads, dilation):
    # The same geometry straight to the kernels, as the functional layer handed it to them
    # before it reduced such pads (the flat path of im2col's band columns: stride 1, output
    # as wide as the input).
    x, w = np.ones(x_shape), np.ones(w_shape)
    shape = (1, 16, 1, x_shape[3])
    with guarded():
        y = run_conv2d(x, w, None, (1, 1), pads, dilation, 1, new_output(shape, x.dtype), method)
    np.testing.assert_array_equal(y, x_shape[1])


@pytest.mark.parametrize("method", ["reference", "direct", "im2col", "auto"])
@pytest.mark.parametrize(
    ("x_shape", "w_shape", "kwargs", "y_shape"),
    [
        # a 1x1 input padded to 49x49, taps 24 apart: the one output sees the pixel through
        # its centre tap only -> 3 channels x 1
        ((1, 3, 1, 1), (16, 3, 3, 3), dict(padding=24, dilation=24), (1, 16, 1, 1)),
        # causal dilated 1-D (WaveNet): column j reads input columns j - 1024, j - 512 and j,
        # of which only j exists -> 4 channels x 1
        (
            (1, 4, 1, 64),
            (16, 4, 1, 3),
            dict(padding=((0, 0), (1024, 0)), dilation=(1, 512)),
            (1, 16, 1, 64),
        ),
    ],
)
def test_im2col_overflow_reproducers(method, x_shape, w_shape, kwargs, y_shape):
    with guarded():
        y = conv2d(np.ones(x_shape), np.ones(w_shape), **kwargs, method=method)
    assert y.shape == y_shape
    np.testing.assert_array_equal(y, x_shape[1])


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("method", ["reference", "direct", "im2col", "auto"])
def test_memory_scales_with_the_output_not_the_padding(mode, method):
    # padding=10**5 with stride 10**5: a 3x3 output of a 6x6 input. Building the padded plane
    # would take 2 * 200006**2 * 8 bytes = 596 GiB; the call reads 3*3 rows and columns.
    import tracemalloc

    x, w = np.arange(72.0).reshape(1, 2, 6, 6), np.ones((3, 2, 3, 3))
    p = 10**5 if mode in ("zeros", "replicate") else 5  # reflect / circular: pad < size
    s = 10**5 if mode in ("zeros", "replicate") else 7
    conv2d(x, w, padding=p, stride=s, padding_mode=mode, method=method)  # compile first
    tracemalloc.start()
    try:
        y = conv2d(x, w, padding=p, stride=s, padding_mode=mode, method=method)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2**20, f"{peak} bytes for a {y.shape} output"
    np.testing.assert_array_equal(
        y, conv2d(x, w, padding=p, stride=s, padding_mode=mode, method="reference")
    )


def test_replicate_with_huge_padding_reads_the_edges():
    # every window of a replicate-padded plane, far outside the image, sees its nearest edge
    # pixel nine times: corners for the corner outputs, the image for the centre one
    x = np.arange(36.0).reshape(1, 1, 6, 6)
    y = conv2d(x, np.ones((1, 1, 3, 3)), padding=10**4, stride=10**4, padding_mode="replicate")[
        0, 0
    ]
    # output rows read input rows (0, 0, 0), (0, 1, 2), (5, 5, 5); columns likewise
    np.testing.assert_array_equal(y, [[0.0, 9.0, 45.0], [54.0, 63.0, 99.0], [270.0, 279.0, 315.0]])


@pytest.mark.parametrize("method", ["reference", "direct", "im2col"])
def test_strides_and_pads_near_the_index_limit(method):
    # 2**62 is the largest stride, dilation and pad refconv accepts: products of such values
    # with an index leave int64, so the functional layer must reduce them first
    x = np.arange(1.0, 5.0).reshape(1, 1, 2, 2)
    y = conv2d(x, np.ones((1, 1, 1, 1)), stride=2**62, padding=2**62, method=method)
    # rows 0, 2**62, 2**63 of the padded plane: only the middle one is the image's row 0
    assert y.shape == (1, 1, 3, 3)
    np.testing.assert_array_equal(y[0, 0], [[0, 0, 0], [0, 1, 0], [0, 0, 0]])


@pytest.mark.parametrize("family", ["depthwise", "pointwise", "separable", "spatial"])
def test_other_families_on_hostile_geometry(family):
    rng = np.random.default_rng(7)
    x = rng.integers(-3, 4, (1, 2, 1, 5)).astype(np.float64)
    kw = dict(padding=((30, 0), (700, 3)), dilation=(20, 300), stride=(1, 2))
    with guarded():
        if family == "depthwise":
            w = rng.integers(-3, 4, (4, 1, 2, 3)).astype(np.float64)
            outs = [depthwise_conv2d(x, w, **kw, method=m) for m in ("reference", *FAST)]
        elif family == "pointwise":
            w = rng.integers(-3, 4, (3, 2, 1, 1)).astype(np.float64)
            outs = [pointwise_conv2d(x, w, method=m) for m in ("reference", *FAST)]
        elif family == "separable":
            dw = rng.integers(-3, 4, (2, 1, 2, 3)).astype(np.float64)
            pw = rng.integers(-3, 4, (3, 2, 1, 1)).astype(np.float64)
            outs = [separable_conv2d(x, dw, pw, **kw, method=m) for m in ("reference", *FAST)]
        else:
            col = rng.integers(-3, 4, (3, 2, 2, 1)).astype(np.float64)
            row = rng.integers(-3, 4, (4, 3, 1, 3)).astype(np.float64)
            outs = [
                spatial_separable_conv2d(x, col, row, **kw, method=m) for m in ("reference", *FAST)
            ]
    for y in outs[1:]:
        np.testing.assert_array_equal(y, outs[0])
