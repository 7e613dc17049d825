"""Hostile geometry and guard regions: every gradient kernel stays inside its buffers.

Each call runs inside :func:`refconv.kernels.workspace.guarded`: every workspace the kernels
ask for (im2col columns, GEMM products, running sums) and every output (the gradient of
``x'``, of ``x``, of the weight) comes with sentinel values around it -- after every
per-thread row of a workspace -- and unwritten values are NaN. The block fails if a kernel
wrote a sentinel; an output value it forgot to write stays NaN and fails the comparison.

Geometry is hostile: pads, strides and dilations far beyond 1..8-pixel inputs (the
functional layer gathers the few pixels the output reads, and the gradient scatters back
through the same map), and the same geometry handed to the kernels raw, unreduced. The
im2col kernels run once more with a workspace budget of a few kilobytes (many bands, one
row each), and everything once with every thread of the pool (each thread's own workspace
row). Small integers make every method exact, so all must *equal* the reference.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refconv import grad
from refconv.arguments import conv_geometry
from refconv.grad.compute import INPUT_KERNELS, WEIGHT_KERNELS
from refconv.kernels import runtime
from refconv.kernels import workspace as workspace_settings
from refconv.kernels.workspace import guarded, new_output

FAST = ("direct", "im2col", "auto")
OUTPUT_BUDGET = 1024  # output values per call: the reference loops run in Python


@st.composite
def hostile(draw):
    """x, weight, grad_output and the keyword arguments of one hostile convolution."""
    size = (draw(st.sampled_from([1, 1, 2, 3, 8])), draw(st.sampled_from([1, 2, 3, 8, 64])))
    kernel = (draw(st.sampled_from([1, 2, 3])), draw(st.sampled_from([1, 2, 3])))
    stride = (draw(st.sampled_from([1, 2, 7, 10**4, 2**62])), draw(st.sampled_from([1, 3, 64])))
    dilation = (draw(st.sampled_from([1, 3, 24, 10**4])), draw(st.sampled_from([1, 2, 512])))
    pads = []
    for axis in (0, 1):
        span = dilation[axis] * (kernel[axis] - 1) + 1
        before = draw(st.sampled_from([0, 1, 24, 1024, 10**4]))
        after = draw(st.sampled_from([0, 2, 24, 1024]))
        pads.append((before, max(after, span - size[axis] - before)))
    mode = draw(st.sampled_from(["zeros", "zeros", "replicate", "reflect", "circular"]))
    depthwise = draw(st.booleans())
    c_in = draw(st.integers(1, 3))
    groups = c_in if depthwise else draw(st.sampled_from([1, c_in]))
    c_out = groups * draw(st.integers(1, 2))
    x_shape, w_shape = (draw(st.integers(1, 2)), c_in, *size), (c_out, c_in // groups, *kernel)
    try:
        geometry = conv_geometry(x_shape, w_shape, stride, tuple(pads), dilation, groups, mode)
    except ValueError:  # reflect / circular need pads within the input
        mode = "zeros"
        geometry = conv_geometry(x_shape, w_shape, stride, tuple(pads), dilation, groups, mode)
    while x_shape[0] * c_out * np.prod(geometry.out_size) > OUTPUT_BUDGET:
        axis = 0 if geometry.out_size[0] >= geometry.out_size[1] else 1
        stride = tuple(4 * s if a == axis else s for a, s in enumerate(geometry.stride))
        geometry = conv_geometry(x_shape, w_shape, stride, tuple(pads), dilation, groups, mode)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    x = rng.integers(-4, 5, x_shape).astype(dtype)
    w = rng.integers(-4, 5, w_shape).astype(dtype)
    g = rng.integers(-4, 5, (x_shape[0], c_out, *geometry.out_size)).astype(dtype)
    kw = dict(stride=stride, padding=tuple(pads), dilation=dilation, padding_mode=mode)
    return x, w, g, groups, kw


def _gradients(x, w, g, groups, kw, method):
    with guarded():
        dx = grad.conv2d_input(x.shape, w, g, groups=groups, **kw, method=method)
    with guarded():
        dw = grad.conv2d_weight(x, w.shape, g, groups=groups, **kw, method=method)
    return dx, dw


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(case=hostile())
def test_every_method_agrees_with_the_reference_and_stays_in_its_buffers(case):
    x, w, g, groups, kw = case
    saved = [a.copy() for a in (x, w, g)]
    spec = _gradients(x, w, g, groups, kw, "reference")
    assert not any(np.isnan(a).any() for a in spec)  # every value written
    for method in FAST:
        for got, want in zip(_gradients(x, w, g, groups, kw, method), spec, strict=True):
            np.testing.assert_array_equal(got, want, err_msg=f"method={method!r}")
    for before, after in zip(saved, (x, w, g), strict=True):
        np.testing.assert_array_equal(before, after)


@st.composite
def raw(draw):
    """Geometry handed to the kernels as it is: pads and dilations up to 40 around inputs of
    1 to 6 pixels (what the functional layer would otherwise reduce)."""
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
    c_in = draw(st.integers(1, 3))
    groups = draw(st.sampled_from([1, c_in]))
    c_out = groups * draw(st.integers(1, 2))
    out_size = tuple(
        (s + b + a - d * (k - 1) - 1) // st_ + 1
        for s, (b, a), d, k, st_ in zip(size, pads, dilation, kernel, stride, strict=True)
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    x = rng.integers(-4, 5, (2, c_in, *size)).astype(dtype)
    w = rng.integers(-4, 5, (c_out, c_in // groups, *kernel)).astype(dtype)
    g = rng.integers(-4, 5, (2, c_out, *out_size)).astype(dtype)
    return x, w, g, stride, pads, dilation, groups


def _raw_gradients(case, method):
    x, w, g, stride, pads, dilation, groups = case
    with guarded():
        dx = INPUT_KERNELS[method](
            g, w, stride, pads, dilation, groups, new_output(x.shape, x.dtype)
        )
    with guarded():
        dw = WEIGHT_KERNELS[method](
            x, g, stride, pads, dilation, groups, new_output(w.shape, x.dtype)
        )
    return dx, dw


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(case=raw())
def test_kernels_on_raw_hostile_geometry(case):
    spec = _raw_gradients(case, "reference")
    for method in ("direct", "im2col"):
        for got, want in zip(_raw_gradients(case, method), spec, strict=True):
            np.testing.assert_array_equal(got, want, err_msg=f"method={method!r}")


@pytest.fixture
def tiny_workspaces(monkeypatch):
    """A workspace budget of 4 KiB: bands of one output row, many bands a call."""
    monkeypatch.setattr(workspace_settings, "WORKSPACE_BYTES", 4096)


@pytest.fixture
def every_thread(monkeypatch):
    """Every call parallel, however small (each thread then uses its own workspace row)."""
    monkeypatch.setattr(runtime, "PARALLEL_MIN_WORK", 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("setting", ["tiny_workspaces", "every_thread"])
def test_im2col_bands_and_threads_stay_in_their_workspace_rows(request, setting, dtype):
    request.getfixturevalue(setting)
    rng = np.random.default_rng(6)
    x = rng.integers(-4, 5, (3, 6, 13, 11)).astype(dtype)
    w = rng.integers(-4, 5, (8, 3, 3, 2)).astype(dtype)  # groups=2
    kw = dict(stride=(2, 1), padding=((2, 1), (1, 3)), dilation=(1, 2), padding_mode="circular")
    g = rng.integers(-4, 5, (3, 8, 7, 13)).astype(dtype)
    spec = _gradients(x, w, g, 2, kw, "reference")
    for method in FAST:
        got = _gradients(x, w, g, 2, kw, method)
        for a, b in zip(got, spec, strict=True):
            np.testing.assert_array_equal(a, b, err_msg=f"method={method!r}")
