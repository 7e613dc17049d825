"""Property tests: every method, over many shapes and arguments, against the spec and scipy.

Each example draws a batch (0 included), channels, groups, a depth multiplier, a kernel (odd
and even, non-square), strides, dilations, a padding in every accepted form, a padding mode
and a float dtype; the values come from a seeded generator. Every method must agree with the
spec (``method="reference"``) and with the scipy oracle of ``conftest.py`` up to rounding.
"""

from __future__ import annotations

import math
import tracemalloc

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import refconv.kernels.im2col
import refconv.kernels.workspace
from refconv import (
    conv2d,
    depthwise_conv2d,
    pointwise_conv2d,
    separable_conv2d,
    spatial_separable_conv2d,
)
from refconv.testing import assert_conv_close

METHODS = ("reference", "direct", "im2col", "auto")
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def int_or_pair(low, high):
    return st.one_of(
        st.integers(low, high), st.tuples(st.integers(low, high), st.integers(low, high))
    )


def as_pair(value):
    return (value, value) if isinstance(value, int) else value


def smallest_size(kernel, stride, dilation, pads, mode):
    """The smallest input size along one axis for which the convolution is defined.

    ``pads`` is ``(before, after)`` or ``"same"``: with "same" there is always an output, and
    the pads (at most ``span - 1`` in all) fit reflect and circular once ``size >= span``.
    """
    span = dilation * (kernel - 1) + 1
    if pads == "same":
        return span if mode in ("reflect", "circular") else 1
    before, after = pads
    size = max(1, span - before - after)
    if mode == "reflect":
        size = max(size, before + 1, after + 1)
    if mode == "circular":
        size = max(size, before, after)
    return size


@st.composite
def padding_forms(draw):
    """Every accepted padding form, and its per-axis meaning: ("same" or (before, after)) x 2."""
    form = draw(st.sampled_from(["int", "pair", "explicit", "valid", "same"]))
    p = st.integers(0, 2)
    if form == "int":
        value = draw(p)
        return value, ((value, value), (value, value))
    if form == "pair":
        value = (draw(p), draw(p))
        return value, ((value[0],) * 2, (value[1],) * 2)
    if form == "explicit":
        value = ((draw(p), draw(p)), (draw(p), draw(p)))
        return value, value
    if form == "valid":
        return "valid", ((0, 0), (0, 0))
    return "same", ("same", "same")


@st.composite
def conv_cases(draw, depthwise=False):
    """Arrays and keyword arguments for one convolution, valid by construction."""
    groups = draw(st.integers(1, 3))
    c_in = groups * (1 if depthwise else draw(st.integers(1, 2)))
    c_out = groups * draw(st.integers(1, 2))  # depthwise: c_out = C_in * multiplier
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride, dilation = draw(int_or_pair(1, 3)), draw(int_or_pair(1, 2))
    padding, per_axis = draw(padding_forms())
    mode = draw(st.sampled_from(PADDING_MODES))
    size = tuple(
        smallest_size(k, s, d, pads, mode) + draw(st.integers(0, 3))
        for k, s, d, pads in zip(kernel, as_pair(stride), as_pair(dilation), per_axis, strict=True)
    )
    n_batch = draw(st.sampled_from([1, 2, 1, 2, 0]))  # an empty batch one time in five
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((n_batch, c_in, *size)).astype(dtype)
    weight = rng.standard_normal((c_out, c_in // groups, *kernel)).astype(dtype)
    bias = rng.standard_normal(c_out).astype(dtype) if draw(st.booleans()) else None
    if n_batch == 1 and draw(st.booleans()):
        x = x[0]  # unbatched
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, padding_mode=mode)
    return x, weight, bias, groups, kwargs


def magnitude(oracle, x, weight, bias, **kwargs):
    """sum |x * w| + |bias| for every output element: the scale of its rounding error."""
    return oracle(np.abs(x), np.abs(weight), None if bias is None else np.abs(bias), **kwargs)


def check_all_methods(function, args, kwargs, desired, reduction, scale):
    """``function(*args, **kwargs, method=m)`` matches ``desired`` and the spec for every m."""
    dtype = np.result_type(*[a for a in args if a is not None])
    spec = function(*args, **kwargs, method="reference")
    for method in METHODS:
        y = spec if method == "reference" else function(*args, **kwargs, method=method)
        assert y.dtype == dtype
        assert_conv_close(
            y,
            desired,
            reduction=reduction,
            scale=scale,
            err_msg=f"method={method!r} against the scipy oracle",
        )
        assert_conv_close(
            y,
            spec,
            reduction=reduction,
            scale=scale,
            err_msg=f"method={method!r} against method='reference'",
        )


@settings(deadline=None, max_examples=100)
@given(case=conv_cases())
def test_conv2d(oracle, case):
    x, weight, bias, groups, kwargs = case
    desired = oracle(x, weight, bias, groups=groups, **kwargs)
    scale = magnitude(oracle, x, weight, bias, groups=groups, **kwargs)
    reduction = math.prod(weight.shape[1:])
    check_all_methods(
        conv2d, (x, weight, bias), dict(groups=groups, **kwargs), desired, reduction, scale
    )


@settings(deadline=None, max_examples=60)
@given(case=conv_cases(depthwise=True))
def test_depthwise_conv2d(oracle, case):
    x, weight, bias, groups, kwargs = case  # groups == C_in, weight (C_in * M, 1, kH, kW)
    desired = oracle(x, weight, bias, groups=groups, **kwargs)
    scale = magnitude(oracle, x, weight, bias, groups=groups, **kwargs)
    check_all_methods(
        depthwise_conv2d, (x, weight, bias), kwargs, desired, math.prod(weight.shape[2:]), scale
    )


@settings(deadline=None, max_examples=40)
@given(case=conv_cases(depthwise=True), c_out=st.integers(1, 4))
def test_separable_conv2d(oracle, case, c_out):
    x, depthwise, bias, _, kwargs = case
    rng = np.random.default_rng(c_out)
    pointwise = rng.standard_normal((c_out, depthwise.shape[0], 1, 1)).astype(depthwise.dtype)
    bias = None if bias is None else rng.standard_normal(c_out).astype(bias.dtype)
    groups = x.shape[-3]
    desired = oracle(oracle(x, depthwise, groups=groups, **kwargs), pointwise, bias)
    scale = oracle(
        magnitude(oracle, x, depthwise, None, groups=groups, **kwargs),
        np.abs(pointwise),
        None if bias is None else np.abs(bias),
    )
    reduction = math.prod(depthwise.shape[2:]) + depthwise.shape[0]
    check_all_methods(
        separable_conv2d, (x, depthwise, pointwise, bias), kwargs, desired, reduction, scale
    )


@settings(deadline=None, max_examples=40)
@given(case=conv_cases(), per_channel=st.booleans(), mid=st.integers(1, 2))
def test_spatial_separable_conv2d(oracle, case, per_channel, mid):
    # column (R, C_in // groups, kH, 1), row (C_out, R // groups, 1, kW); the oracle is one
    # conv2d whose kernel sums the outer products along the chain (rank R // groups per group)
    x, weight, bias, groups, kwargs = case
    c_in, c_out = x.shape[-3], weight.shape[0]
    r = groups * mid
    if per_channel:  # column (C_in, 1, kH, 1), row (C_in * M, 1, 1, kW): 3 -> 3 * M
        groups, r, c_out = c_in, c_in, c_in * mid
    k_h, k_w = weight.shape[2:]
    rng = np.random.default_rng(k_h * 10 + k_w)
    column = rng.standard_normal((r, c_in // groups, k_h, 1)).astype(weight.dtype)
    row = rng.standard_normal((c_out, r // groups, 1, k_w)).astype(weight.dtype)
    if bias is not None:
        bias = rng.standard_normal(c_out).astype(bias.dtype)
    desired = oracle(x, chain_kernel(column, row, groups), bias, groups=groups, **kwargs)
    scale = magnitude(
        oracle, x, chain_kernel(np.abs(column), np.abs(row), groups), bias, groups=groups, **kwargs
    )
    reduction = (c_in // groups) * k_h + (r // groups) * k_w
    check_all_methods(
        spatial_separable_conv2d,
        (x, column, row, bias),
        dict(groups=groups, **kwargs),
        desired,
        reduction,
        scale,
    )


def chain_kernel(column, row, groups):
    """The kH x kW kernel of a K x 1 then 1 x K chain: for output o and input channel c,
    the sum over the intermediate channels j of o's group of column[j, c] (x) row[o, j]."""
    c_out, r_group = row.shape[0], row.shape[1]
    out = np.zeros((c_out, column.shape[1], column.shape[2], row.shape[3]))
    for o in range(c_out):
        g = o // (c_out // groups)
        for j in range(r_group):
            out[o] += np.einsum("ch,w->chw", column[g * r_group + j, :, :, 0], row[o, j, 0])
    return out


@settings(deadline=None, max_examples=25)
@given(
    n=st.integers(0, 2),
    groups=st.integers(1, 3),
    cg=st.integers(1, 3),
    og=st.integers(1, 3),
    size=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**32 - 1),
)
def test_pointwise_conv2d_is_a_matrix_product(n, groups, cg, og, size, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, groups * cg, *size)).astype(dtype)
    weight = rng.standard_normal((groups * og, cg, 1, 1)).astype(dtype)
    bias = rng.standard_normal(groups * og).astype(dtype)
    x64, w64 = x.astype(np.float64), weight[:, :, 0, 0].astype(np.float64)
    desired = (
        np.concatenate(
            [
                np.einsum(
                    "oc,nchw->nohw", w64[g * og : (g + 1) * og], x64[:, g * cg : (g + 1) * cg]
                )
                for g in range(groups)
            ],
            axis=1,
        )
        + bias[:, None, None]
    )
    scale = cg * np.abs(x).max(initial=0) * np.abs(weight).max() + np.abs(bias).max()
    check_all_methods(pointwise_conv2d, (x, weight, bias), dict(groups=groups), desired, cg, scale)


# --- im2col in bands: the column matrix is never built whole --------------------------------


@settings(deadline=None, max_examples=50)
@given(case=conv_cases(), budget=st.integers(1, 512))
def test_im2col_in_small_bands(oracle, case, budget):
    # A workspace of 1 to 512 bytes: one output row per band, or a few, the last one shorter;
    # the result must not change.
    x, weight, bias, groups, kwargs = case
    desired = oracle(x, weight, bias, groups=groups, **kwargs)
    scale = magnitude(oracle, x, weight, bias, groups=groups, **kwargs)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(refconv.kernels.workspace, "WORKSPACE_BYTES", budget)
        y = conv2d(x, weight, bias, groups=groups, **kwargs, method="im2col")
    assert_conv_close(y, desired, reduction=math.prod(weight.shape[1:]), scale=scale)


@settings(deadline=None, max_examples=50)
@given(case=conv_cases(), threads=st.sampled_from([2, 3, 8]), budget=st.sampled_from([64, 2**28]))
def test_im2col_splits_the_channels_of_few_images(oracle, case, threads, budget):
    # Fewer (image, group, band) blocks than threads: the output channels are split between
    # tasks too (at least one channel each here), into the output or, in bands, a product
    # buffer stored at the chunk's offset. Planning for more threads than the pool has is
    # safe: the tasks are then shared by the threads there are.
    x, weight, bias, groups, kwargs = case
    desired = oracle(x, weight, bias, groups=groups, **kwargs)
    scale = magnitude(oracle, x, weight, bias, groups=groups, **kwargs)
    im2col = refconv.kernels.im2col
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(im2col, "MIN_CHUNK_CHANNELS", 1)
        patch.setattr(im2col, "thread_plan", lambda work: threads)
        patch.setattr(refconv.kernels.workspace, "WORKSPACE_BYTES", budget)
        y = conv2d(x, weight, bias, groups=groups, **kwargs, method="im2col")
    assert_conv_close(y, desired, reduction=math.prod(weight.shape[1:]), scale=scale)


@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize(("budget", "bands"), [(2**28, 1), (64, 3)])
def test_im2col_channel_chunks_land_in_their_place(groups, budget, bands):
    # (1, 4, 5, 5) * (12, 4 // groups, 3, 3) -> 3x3 outputs on a plan for 8 threads: with one
    # band per plane, 1 (image, group, band) block per group and 12 // groups channels cut
    # into chunks written straight into the output; with one-row bands, 3 blocks per group
    # and chunks stored from a product buffer.
    rng = np.random.default_rng(groups)
    x = rng.standard_normal((1, 4, 5, 5))
    weight = rng.standard_normal((12, 4 // groups, 3, 3))
    bias = rng.standard_normal(12)
    im2col = refconv.kernels.im2col
    original = im2col.channel_chunk
    planned = []

    def spy(*args: int) -> int:
        planned.append(args)
        return original(*args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(im2col, "MIN_CHUNK_CHANNELS", 1)
        patch.setattr(im2col, "thread_plan", lambda work: 8)
        patch.setattr(refconv.kernels.workspace, "WORKSPACE_BYTES", budget)
        patch.setattr(im2col, "channel_chunk", spy)
        y = conv2d(x, weight, bias, groups=groups, method="im2col")
    assert planned == [(groups * bands, 12 // groups, 8)]  # tasks < threads: chunks
    np.testing.assert_allclose(
        y, conv2d(x, weight, bias, groups=groups, method="reference"), rtol=1e-12, atol=1e-12
    )


def test_channel_chunk():
    chunk = refconv.kernels.im2col.channel_chunk
    assert chunk(tasks=1, o_group=256, threads=2) == 128  # the seed on two threads
    assert chunk(tasks=1, o_group=256, threads=16) == 16
    assert chunk(tasks=3, o_group=256, threads=8) == 86  # 3 chunks: 9 tasks for 8 threads
    assert chunk(tasks=2, o_group=256, threads=2) == 256  # enough tasks: no split
    assert chunk(tasks=1, o_group=20, threads=4) == 20  # too few channels to split
    assert chunk(tasks=1, o_group=40, threads=4) == 20


def test_im2col_memory_stays_within_the_workspace(monkeypatch):
    # The column matrix of this call is Cg*kH*kW x H_out*W_out = 392 x 154*154 float32, 37 MB;
    # with a 1 MiB workspace the call may allocate the workspace and the output, not more.
    # (At full scale, (1, 8, 2048, 2048) with a 7x7 kernel, the whole matrix would be 6.5 GB.)
    # Two threads at most: a band is never thinner than MIN_BAND_PIXELS (2 rows of 154), and
    # on many threads those minimum bands alone would outgrow a 1 MiB budget.
    budget = 2**20
    monkeypatch.setattr(refconv.kernels.workspace, "WORKSPACE_BYTES", budget)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 8, 160, 160)).astype(np.float32)
    weight = rng.standard_normal((4, 8, 7, 7)).astype(np.float32)
    columns_bytes = 8 * 7 * 7 * 154 * 154 * 4
    one_row = 8 * 7 * 7 * 154 * 4  # columns of one output row: the least a workspace holds
    conv2d(x[:, :, :16, :16], weight, method="im2col")  # compile outside the measurement
    threads = numba.get_num_threads()
    numba.set_num_threads(min(2, threads))
    # workspaces are kept between calls: free them, or a larger one left by an earlier call
    # would be reused and the measurement would not see this call's workspace at all
    refconv.kernels.workspace.release_workspace()
    tracemalloc.start()
    try:
        y = conv2d(x, weight, method="im2col")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        numba.set_num_threads(threads)
        refconv.kernels.workspace.release_workspace()
    assert y.shape == (1, 4, 154, 154)
    allowed = budget + y.nbytes + 64 * 2**10  # + 64 KiB of small temporaries
    assert columns_bytes > 20 * allowed  # building the whole matrix would show
    assert peak >= y.nbytes + one_row  # the workspace was allocated inside the measurement
    assert peak <= allowed, f"peak {peak} bytes > workspace {budget} + output {y.nbytes}"
    assert_conv_close(
        y[:, :, ::50, ::50],
        conv2d(x, weight, method="direct")[:, :, ::50, ::50],
        reduction=8 * 49,
        scale=8 * 49 * np.abs(x).max() * np.abs(weight).max(),
    )
