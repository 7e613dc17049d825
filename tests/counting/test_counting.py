"""Counted by execution == closed form, for every layer type and setting.

The instrumented loops of ``refconv.counting`` perform each product and sum and tally them;
their outputs must equal the layers' forward pass (so the loops really are the convolution)
and their tallies must equal ``layer.cost(...)`` exactly. Small inputs only: the loops are
plain Python.
"""

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from refconv import counting, nn


def _check(layer, shape, effective=False, seed=0):
    x = np.random.default_rng(seed).standard_normal(shape)
    y, tally = layer.counted(x, effective=effective)
    closed = layer.cost(shape, effective=effective)
    assert tally.multiplications == closed.multiplications
    assert tally.additions == closed.additions
    assert tally.comparisons == closed.comparisons
    assert y.shape == closed.output_shape
    np.testing.assert_allclose(y, layer(x), rtol=1e-10, atol=1e-12)  # float64 layers


CONV_GRID = list(itertools.product((1, 2), (1, 2), (0, 1, "same", ((1, 0), (2, 1))), (False, True)))


@pytest.mark.parametrize(("stride", "dilation", "padding", "effective"), CONV_GRID)
def test_conv2d_grid(stride, dilation, padding, effective):
    for groups, bias in ((1, True), (2, False)):
        layer = nn.Conv2d(
            4, 4, 3, stride, padding, dilation, groups, bias, seed=1, dtype=np.float64
        )
        _check(layer, (4, 7, 6), effective)


@pytest.mark.parametrize(("stride", "dilation", "padding", "effective"), CONV_GRID)
def test_depthwise_separable_and_spatial_grid(stride, dilation, padding, effective):
    for multiplier in (1, 2):
        _check(
            nn.DepthwiseConv2d(
                2, 3, multiplier, stride, padding, dilation, seed=2, dtype=np.float64
            ),
            (2, 7, 6),
            effective,
        )
        _check(
            nn.SeparableConv2d(
                2, 3, 3, multiplier, stride, padding, dilation, seed=3, dtype=np.float64
            ),
            (2, 7, 6),
            effective,
        )
    _check(
        nn.SpatialSeparableConv2d(
            2, 3, (3, 2), None, stride, padding, dilation, seed=4, dtype=np.float64
        ),
        (2, 7, 6),
        effective,
    )
    _check(
        nn.SpatialSeparableConv2d(
            2, 4, 3, 2, stride, padding, dilation, groups=2, seed=5, dtype=np.float64
        ),
        (2, 7, 6),
        effective,
    )


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_non_zero_padding_modes_have_no_padded_zeros_to_skip(mode):
    layer = nn.Conv2d(2, 2, 3, padding=1, padding_mode=mode, seed=6, dtype=np.float64)
    _check(layer, (2, 5, 5), effective=True)
    _check(layer, (2, 5, 5), effective=False)


def test_pointwise_bn_relu_pools_linear():
    _check(nn.PointwiseConv2d(3, 5, seed=7, dtype=np.float64), (3, 4, 4))
    bn = nn.BatchNorm2d(3, dtype=np.float64)
    bn.running_mean[:] = [0.5, -1.0, 2.0]
    bn.running_var[:] = [4.0, 0.25, 1.0]
    bn.weight[:] = [1.0, 2.0, -1.0]
    _check(bn, (3, 4, 4))
    _check(nn.ReLU(), (3, 4, 4))
    _check(nn.MaxPool2d(2), (3, 5, 5))
    _check(nn.MaxPool2d(3, stride=2, padding=1, dilation=1), (3, 6, 5))
    _check(nn.MaxPool2d(2, stride=1, dilation=2), (2, 5, 5))
    _check(nn.AvgPool2d(2), (3, 4, 5))
    _check(nn.AvgPool2d(3, stride=2, padding=1), (3, 6, 5))
    _check(nn.GlobalAvgPool2d(), (3, 4, 5))
    _check(nn.Linear(6, 4, seed=8, dtype=np.float64), (6,))
    _check(nn.Linear(6, 4, bias=False, seed=8, dtype=np.float64), (6,))


def test_sequential_counts_add_up():
    net = nn.Sequential(
        nn.Conv2d(2, 3, 3, padding=1, bias=False, seed=9, dtype=np.float64),
        nn.BatchNorm2d(3, dtype=np.float64),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.5),
        nn.Linear(12, 2, seed=10, dtype=np.float64),
    )
    _check(net, (2, 4, 4))


def test_counted_conv_on_a_hand_example():
    # the TDS example's geometry with 16 instead of 256 filters (plain Python loops: keep it small)
    y, tally = counting.conv2d_counted(np.ones((3, 12, 12)), np.ones((16, 3, 5, 5)))
    assert tally.multiplications == 16 * 64 * 75 == 1_228_800 // 16
    assert tally.additions == 16 * 64 * 74
    assert np.all(y == 75.0)


@settings(max_examples=40, deadline=None)
@given(
    c_per_group=st.integers(1, 2),
    groups=st.integers(1, 2),
    multiplier=st.integers(1, 2),
    size=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 2)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    padding=st.one_of(
        st.integers(0, 2),
        st.just("same"),
        st.just("valid"),
        st.tuples(
            st.tuples(st.integers(0, 2), st.integers(0, 2)),
            st.tuples(st.integers(0, 2), st.integers(0, 2)),
        ),
    ),
    kind=st.sampled_from(["conv", "depthwise", "separable", "spatial"]),
    bias=st.booleans(),
    effective=st.booleans(),
)
def test_counted_equals_closed_form_property(
    c_per_group, groups, multiplier, size, kernel, stride, dilation, padding, kind, bias, effective
):
    c_in = c_per_group * groups
    c_out = groups * multiplier
    if kind == "conv":
        layer = nn.Conv2d(
            c_in, c_out, kernel, stride, padding, dilation, groups, bias, seed=0, dtype=np.float64
        )
    elif kind == "depthwise":
        layer = nn.DepthwiseConv2d(
            c_in, kernel, multiplier, stride, padding, dilation, bias, seed=0, dtype=np.float64
        )
    elif kind == "separable":
        layer = nn.SeparableConv2d(
            c_in,
            c_out,
            kernel,
            multiplier,
            stride,
            padding,
            dilation,
            bias,
            seed=0,
            dtype=np.float64,
        )
    else:
        layer = nn.SpatialSeparableConv2d(
            c_in,
            c_out,
            kernel,
            c_in * multiplier,
            stride,
            padding,
            dilation,
            groups,
            bias,
            seed=0,
            dtype=np.float64,
        )
    shape = (c_in, *size)
    try:
        layer.cost(shape)
    except ValueError:
        assume(False)  # the kernel does not fit this input: not a case to count
    _check(layer, shape, effective)


# Regression (issue 13): the counted loops used to build their windows from any padding and
# failed (or padded past half the kernel) where the layer and the closed form disagreed.
@pytest.mark.parametrize(
    ("layer", "counted", "shape"),
    [
        (
            lambda: nn.MaxPool2d(2, padding=3),
            lambda x: counting.max_pool2d_counted(x, 2, padding=3),
            (1, 4, 4),
        ),
        (
            lambda: nn.AvgPool2d((5, 3), padding=(2, 2)),
            lambda x: counting.avg_pool2d_counted(x, (5, 3), padding=(2, 2)),
            (1, 4, 4),
        ),
        (
            lambda: nn.MaxPool2d(5)(np.ones((1, 4, 4))),
            lambda x: counting.max_pool2d_counted(x, 5),
            (1, 4, 4),
        ),
    ],
)
def test_counted_pooling_refuses_what_the_layer_refuses(layer, counted, shape):
    with pytest.raises(ValueError) as expected:
        layer()
    with pytest.raises(ValueError) as got:
        counted(np.ones(shape))
    assert str(got.value) == str(expected.value)
    assert "kernel_size" in str(got.value)


def test_the_separable_loops_by_hand():
    # all-ones weights: every output is the number of products that reach it
    y, tally = counting.separable_conv2d_counted(
        np.ones((3, 12, 12)), np.ones((3, 1, 5, 5)), np.ones((4, 3, 1, 1))
    )
    assert np.all(y == 75.0) and y.shape == (4, 8, 8)
    assert tally.multiplications == 3 * 64 * 25 + 4 * 64 * 3
    assert tally.additions == 3 * 64 * 24 + 4 * 64 * 2
    y, tally = counting.spatial_separable_conv2d_counted(
        np.ones((1, 12, 12)), np.ones((1, 1, 5, 1)), np.ones((1, 1, 1, 5)), np.zeros(1)
    )
    assert np.all(y == 25.0) and y.shape == (1, 8, 8)
    # the 5x1 pass keeps the full width: 8x12 outputs, then 8x8
    assert tally.multiplications == 8 * 12 * 5 + 8 * 8 * 5 == 800
    assert tally.additions == 8 * 12 * 4 + 8 * 8 * 4 + 64  # + one bias per output


def test_the_package_keeps_every_name_of_the_old_counting_module():
    # refconv.counting was a module; the package that replaced it exposes the same names.
    for name in (
        "Tally",
        "conv2d_counted",
        "batch_norm2d_counted",
        "relu_counted",
        "max_pool2d_counted",
        "avg_pool2d_counted",
        "global_avg_pool2d_counted",
        "linear_counted",
        "pool2d_arguments",
        "pool2d_output_size",
    ):
        assert name in counting.__all__ and hasattr(counting, name), name


def test_a_separable_layer_counts_only_the_channels_it_was_built_for():
    # The depthwise loop runs one group per input channel of the layer, not of x: a 4-channel
    # layer refuses a 2-channel input instead of reading it as depth multiplier 2.
    layer = nn.SeparableConv2d(4, 3, 3, seed=0, dtype=np.float64)
    with pytest.raises(ValueError, match="groups=4 must divide both the input channels"):
        layer.counted(np.ones((2, 5, 5)))
    with pytest.raises(ValueError, match=r"C_in // groups = 4 // 2"):
        nn.SeparableConv2d(2, 3, 3, seed=0).counted(np.ones((4, 5, 5)))
