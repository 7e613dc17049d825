"""Bad input and unusual arrays: clear errors, untouched inputs, dtypes, NaN, threads.

Every bad argument must raise exactly ``ValueError`` or ``TypeError`` (never a Numba error, an
``IndexError`` or a subclass) with a message that names the argument, what was given and what
was expected.
"""

from __future__ import annotations

import concurrent.futures
import re

import numba
import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from refconv import (
    conv2d,
    depthwise_conv2d,
    pointwise_conv2d,
    separable_conv2d,
    spatial_separable_conv2d,
)
from refconv.testing import assert_conv_close

X = np.ones((1, 2, 5, 5))  # (N, C_in, H, W)
W = np.ones((3, 2, 3, 3))  # (C_out, C_in, kH, kW)
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def expect(error, pattern, function, *args, **kwargs):
    """``function(*args, **kwargs)`` raises exactly ``error`` with ``pattern`` in its message."""
    with pytest.raises((ValueError, TypeError)) as info:  # anything else fails the test too
        function(*args, **kwargs)
    assert type(info.value) is error, f"{type(info.value).__name__}: {info.value}"
    assert re.search(pattern, str(info.value)), f"{pattern!r} not in {str(info.value)!r}"


# (error, pattern, function, args, kwargs): each pattern shows the argument's name, the value
# given and the value expected.
BAD_CALLS = {
    # ranks and empty axes
    "x 2-D": (
        ValueError,
        r"x must have shape \(N, C_in, H, W\) or unbatched \(C_in, H, W\); "
        r"got 2-D array of shape \(5, 5\)",
        conv2d,
        (np.ones((5, 5)), W),
        {},
    ),
    "x 5-D": (
        ValueError,
        r"x must have shape .*; got 5-D array of shape \(1, 1, 2, 5, 5\)",
        conv2d,
        (np.ones((1, 1, 2, 5, 5)), W),
        {},
    ),
    "x scalar": (ValueError, r"x must have shape .*got 0-D", conv2d, (3.0, W), {}),
    "x no channels": (
        ValueError,
        r"x must have at least one channel, row and column; got shape "
        r"\(1, 0, 5, 5\)",
        conv2d,
        (np.ones((1, 0, 5, 5)), W),
        {},
    ),
    # regression: for unbatched input the message showed the internal batched shape (1, 2, 0, 5)
    "x no rows": (
        ValueError,
        r"x must have at least one .*got shape \(2, 0, 5\)",
        conv2d,
        (np.ones((2, 0, 5)), W),
        {},
    ),
    "weight 3-D": (
        ValueError,
        r"weight must be 4-D with shape \(C_out, C_in // groups, kH, "
        r"kW\); got 3-D array of shape \(2, 3, 3\)",
        conv2d,
        (X, np.ones((2, 3, 3))),
        {},
    ),
    "weight empty": (
        ValueError,
        r"weight must have no empty axis; got shape \(3, 2, 0, 3\)",
        conv2d,
        (X, np.ones((3, 2, 0, 3))),
        {},
    ),
    # channels and groups
    "channels": (
        ValueError,
        r"weight.shape\[1\] must be C_in // groups = 2 // 1 = 2; got "
        r"x.shape=\(1, 2, 5, 5\), weight.shape=\(3, 3, 3, 3\), groups=1",
        conv2d,
        (X, np.ones((3, 3, 3, 3))),
        {},
    ),
    "groups vs C_in": (
        ValueError,
        r"groups=3 must divide both the input channels and the "
        r"output channels; got x.shape=\(1, 2, 5, 5\) \(C_in=2\)",
        conv2d,
        (X, W),
        {"groups": 3},
    ),
    "groups vs C_out": (
        ValueError,
        r"groups=2 must divide .*weight.shape=\(3, 1, 3, 3\) "
        r"\(C_out=3\)",
        conv2d,
        (X, np.ones((3, 1, 3, 3))),
        {"groups": 2},
    ),
    "groups 0": (
        ValueError,
        r"groups must be a positive int; got 0",
        conv2d,
        (X, W),
        {"groups": 0},
    ),
    "groups float": (
        TypeError,
        r"groups must be a positive int; got 1.5",
        conv2d,
        (X, W),
        {"groups": 1.5},
    ),
    "groups bool": (
        TypeError,
        r"groups must be a positive int; got True",
        conv2d,
        (X, W),
        {"groups": True},
    ),
    # stride and dilation
    "stride 0": (
        ValueError,
        r"stride must be >= 1 in each dimension; got 0",
        conv2d,
        (X, W),
        {"stride": 0},
    ),
    "stride negative": (
        ValueError,
        r"stride must be >= 1 in each dimension; got \(1, -1\)",
        conv2d,
        (X, W),
        {"stride": (1, -1)},
    ),
    "stride triple": (
        TypeError,
        r"stride must be an int or a pair of ints \(h, w\); got "
        r"\(1, 2, 3\)",
        conv2d,
        (X, W),
        {"stride": (1, 2, 3)},
    ),
    "stride float": (
        TypeError,
        r"stride must be an int or a pair of ints \(h, w\); got 1.0",
        conv2d,
        (X, W),
        {"stride": 1.0},
    ),
    "stride string": (
        TypeError,
        r"stride must be an int .*; got '2'",
        conv2d,
        (X, W),
        {"stride": "2"},
    ),
    # regression: a stride, dilation or pad beyond int64 escaped from Numba as OverflowError
    "stride huge": (
        ValueError,
        r"stride must be .*; got 1180591620717411303424",
        conv2d,
        (X, W),
        {"stride": 2**70},
    ),
    "dilation 0": (
        ValueError,
        r"dilation must be >= 1 in each dimension; got 0",
        conv2d,
        (X, W),
        {"dilation": 0},
    ),
    "dilation pair": (
        ValueError,
        r"dilation must be >= 1 in each dimension; got \[2, 0\]",
        conv2d,
        (X, W),
        {"dilation": [2, 0]},
    ),
    "dilation huge": (
        ValueError,
        r"dilation must be .*; got 1180591620717411303424",
        conv2d,
        (X, np.ones((3, 2, 1, 1))),
        {"dilation": 2**70},
    ),
    # padding
    "padding negative": (
        ValueError,
        r"padding must be non-negative; got -1",
        conv2d,
        (X, W),
        {"padding": -1},
    ),
    "padding pair negative": (
        ValueError,
        r"padding must be non-negative; got \(1, -2\)",
        conv2d,
        (X, W),
        {"padding": (1, -2)},
    ),
    "padding nested negative": (
        ValueError,
        r"padding must be non-negative; got \(\(0, 1\), "
        r"\(-1, 0\)\)",
        conv2d,
        (X, W),
        {"padding": ((0, 1), (-1, 0))},
    ),
    "padding string": (
        ValueError,
        r"padding string must be 'valid' or 'same'; got 'full'",
        conv2d,
        (X, W),
        {"padding": "full"},
    ),
    "padding empty string": (
        ValueError,
        r"padding string must be 'valid' or 'same'; got ''",
        conv2d,
        (X, W),
        {"padding": ""},
    ),
    "padding triple": (
        TypeError,
        r"padding must be an int, a pair \(ph, pw\), a pair of pairs "
        r"\(\(top, bottom\), \(left, right\)\), 'valid' or 'same'; got "
        r"\(1, 2, 3\)",
        conv2d,
        (X, W),
        {"padding": (1, 2, 3)},
    ),
    "padding half nested": (
        TypeError,
        r"padding must be an int, .*; got \(\(1, 2\), 3\)",
        conv2d,
        (X, W),
        {"padding": ((1, 2), 3)},
    ),
    "padding too deep": (
        TypeError,
        r"padding must be an int, .*; got \(\(1, 2, 3\), \(1, 2\)\)",
        conv2d,
        (X, W),
        {"padding": ((1, 2, 3), (1, 2))},
    ),
    "padding float": (
        TypeError,
        r"padding must be an int, .*; got 1.5",
        conv2d,
        (X, W),
        {"padding": 1.5},
    ),
    "padding huge": (
        ValueError,
        r"padding must be .*; got 1180591620717411303424",
        conv2d,
        (X, W),
        {"padding": 2**70},
    ),
    "padding None": (
        TypeError,
        r"padding must be an int, .*; got None",
        conv2d,
        (X, W),
        {"padding": None},
    ),
    "padding bool": (
        TypeError,
        r"padding must be an int, .*; got \(True, 1\)",
        conv2d,
        (X, W),
        {"padding": (True, 1)},
    ),
    # padding_mode and method
    "padding_mode": (
        ValueError,
        r"padding_mode must be one of 'zeros', 'reflect', 'replicate', "
        r"'circular'; got 'constant'",
        conv2d,
        (X, W),
        {"padding_mode": "constant"},
    ),
    "padding_mode None": (
        ValueError,
        r"padding_mode must be one of .*; got None",
        conv2d,
        (X, W),
        {"padding_mode": None},
    ),
    "method": (
        ValueError,
        r"method must be one of 'auto', 'reference', 'direct', 'im2col', "
        r"'winograd'; got "
        r"'fast'",
        conv2d,
        (X, W),
        {"method": "fast"},
    ),
    "method case": (
        ValueError,
        r"method must be one of .*; got 'Direct'",
        conv2d,
        (X, W),
        {"method": "Direct"},
    ),
    # kernel against the padded input
    "kernel too large": (
        ValueError,
        r"kernel is larger than the padded input: dilated kernel "
        r"7x3 \(kernel 7x3, dilation \(1, 1\)\) does not fit the padded input "
        r"5x5",
        conv2d,
        (X, np.ones((3, 2, 7, 3))),
        {},
    ),
    "dilated kernel too large": (
        ValueError,
        r"dilated kernel 7x7 \(kernel 3x3, dilation "
        r"\(3, 3\)\) does not fit the padded input 5x5",
        conv2d,
        (X, W),
        {"dilation": 3},
    ),
    "kernel fits only padded": (
        ValueError,
        r"does not fit the padded input 6x5",
        conv2d,
        (X, np.ones((3, 2, 7, 3))),
        {"padding": ((1, 0), (0, 0))},
    ),
    # padding modes' limits
    "reflect pad = size": (
        ValueError,
        r"padding_mode='reflect' needs each pad smaller than the "
        r"input height \(5\); got pads \(5, 5\)",
        conv2d,
        (X, W),
        {"padding": 5, "padding_mode": "reflect"},
    ),
    "reflect pad width": (
        ValueError,
        r"padding_mode='reflect' needs each pad smaller than the "
        r"input width \(5\); got pads \(0, 7\)",
        conv2d,
        (X, W),
        {"padding": ((0, 0), (0, 7)), "padding_mode": "reflect"},
    ),
    "reflect same tiny": (
        ValueError,
        r"padding_mode='reflect' needs .*input height \(1\); got "
        r"pads \(1, 1\)",
        conv2d,
        (np.ones((1, 2, 1, 1)), W),
        {"padding": "same", "padding_mode": "reflect"},
    ),
    "circular pad > size": (
        ValueError,
        r"padding_mode='circular' needs each pad at most the "
        r"input height \(5\); got pads \(6, 6\)",
        conv2d,
        (X, W),
        {"padding": 6, "padding_mode": "circular"},
    ),
    # bias
    "bias length": (
        ValueError,
        r"bias must have shape \(C_out,\) = \(3,\); got shape \(2,\)",
        conv2d,
        (X, W, np.ones(2)),
        {},
    ),
    "bias 2-D": (
        ValueError,
        r"bias must have shape \(C_out,\) = \(3,\); got shape \(3, 1\)",
        conv2d,
        (X, W, np.ones((3, 1))),
        {},
    ),
    "bias scalar": (
        ValueError,
        r"bias must have shape \(C_out,\) = \(3,\); got shape \(\)",
        conv2d,
        (X, W, 1.0),
        {},
    ),
    # dtypes
    "x complex": (
        TypeError,
        r"x has dtype complex128; expected float32, float64, an integer or "
        r"a bool dtype",
        conv2d,
        (X.astype(complex), W),
        {},
    ),
    "weight object": (
        TypeError,
        r"weight has dtype object; expected float32, float64",
        conv2d,
        (X, W.astype(object)),
        {},
    ),
    "x strings": (
        TypeError,
        r"x has dtype <U1; expected float32",
        conv2d,
        (np.full((1, 2, 5, 5), "a"), W),
        {},
    ),
    "x float16": (
        TypeError,
        r"x has dtype float16; expected float32, .*x.astype\(np.float32\)",
        conv2d,
        (X.astype(np.float16), W),
        {},
    ),
    "x datetime": (
        TypeError,
        r"x has dtype datetime64\[s\]; expected",
        conv2d,
        (np.zeros((1, 2, 5, 5), dtype="datetime64[s]"), W),
        {},
    ),
    "bias complex": (
        TypeError,
        r"bias has dtype complex128; expected",
        conv2d,
        (X, W, np.ones(3, dtype=complex)),
        {},
    ),
    "x ragged": (
        TypeError,
        r"x must be an array of numbers; could not convert the given list",
        conv2d,
        ([[1.0, 2.0], [3.0]], W),
        {},
    ),
    # depthwise
    "depthwise weight C": (
        ValueError,
        r"weight for a depthwise convolution must have shape "
        r"\(C_in \* depth_multiplier, 1, kH, kW\) with C_in = 2; got "
        r"weight.shape=\(3, 1, 3, 3\), x.shape=\(1, 2, 5, 5\)",
        depthwise_conv2d,
        (X, np.ones((3, 1, 3, 3))),
        {},
    ),
    "depthwise weight 1": (
        ValueError,
        r"depthwise convolution must have shape .*got "
        r"weight.shape=\(4, 2, 3, 3\)",
        depthwise_conv2d,
        (X, np.ones((4, 2, 3, 3))),
        {},
    ),
    "depthwise weight 3-D": (
        ValueError,
        r"weight must be 4-D with shape \(C_in \* "
        r"depth_multiplier, 1, kH, kW\); got 3-D",
        depthwise_conv2d,
        (X, np.ones((2, 3, 3))),
        {},
    ),
    "depthwise bias": (
        ValueError,
        r"bias must have shape \(C_out,\) = \(4,\); got shape \(2,\)",
        depthwise_conv2d,
        (X, np.ones((4, 1, 3, 3)), np.ones(2)),
        {},
    ),
    # pointwise
    "pointwise 3x3": (
        ValueError,
        r"weight for a pointwise convolution must have shape \(C_out, "
        r"C_in // groups, 1, 1\); got \(3, 2, 3, 3\). A 2-D matrix",
        pointwise_conv2d,
        (X, W),
        {},
    ),
    "pointwise 2-D": (
        ValueError,
        r"weight must be 4-D with shape \(C_out, C_in // groups, 1, "
        r"1\); got 2-D array of shape \(3, 2\)",
        pointwise_conv2d,
        (X, np.ones((3, 2))),
        {},
    ),
    "pointwise channels": (
        ValueError,
        r"weight.shape\[1\] must be C_in // groups = 2 // 1 = 2",
        pointwise_conv2d,
        (X, np.ones((3, 4, 1, 1))),
        {},
    ),
    # separable
    "separable depthwise": (
        ValueError,
        r"depthwise_weight must have shape \(C_in \* "
        r"depth_multiplier, 1, kH, kW\) with C_in = 2; got "
        r"depthwise_weight.shape=\(3, 1, 3, 3\)",
        separable_conv2d,
        (X, np.ones((3, 1, 3, 3)), np.ones((4, 3, 1, 1))),
        {},
    ),
    "separable pointwise C": (
        ValueError,
        r"pointwise_weight must have shape \(C_out, C_in \* "
        r"depth_multiplier, 1, 1\) = \(C_out, 2, 1, 1\); got "
        r"pointwise_weight.shape=\(4, 3, 1, 1\)",
        separable_conv2d,
        (X, np.ones((2, 1, 3, 3)), np.ones((4, 3, 1, 1))),
        {},
    ),
    "separable pointwise 3x3": (
        ValueError,
        r"pointwise_weight must have shape .*got "
        r"pointwise_weight.shape=\(4, 2, 3, 3\)",
        separable_conv2d,
        (X, np.ones((2, 1, 3, 3)), np.ones((4, 2, 3, 3))),
        {},
    ),
    "separable pointwise 2-D": (
        ValueError,
        r"pointwise_weight must be 4-D",
        separable_conv2d,
        (X, np.ones((2, 1, 3, 3)), np.ones((4, 2))),
        {},
    ),
    "separable bias": (
        ValueError,
        r"bias must have shape \(C_out,\) = \(4,\); got shape \(2,\)",
        separable_conv2d,
        (X, np.ones((2, 1, 3, 3)), np.ones((4, 2, 1, 1)), np.ones(2)),
        {},
    ),
    "separable too small": (
        ValueError,
        r"does not fit the padded input 5x5",
        separable_conv2d,
        (X, np.ones((2, 1, 6, 1)), np.ones((4, 2, 1, 1))),
        {},
    ),
    # spatially separable
    "column not Kx1": (
        ValueError,
        r"column_weight must be a kH x 1 kernel, shape \(R, C_in // "
        r"groups, kH, 1\); got \(2, 2, 3, 3\)",
        spatial_separable_conv2d,
        (X, np.ones((2, 2, 3, 3)), np.ones((3, 2, 1, 3))),
        {},
    ),
    "row not 1xK": (
        ValueError,
        r"row_weight must be a 1 x kW kernel, shape \(C_out, R // "
        r"groups, 1, kW\); got \(3, 2, 3, 3\)",
        spatial_separable_conv2d,
        (X, np.ones((2, 2, 3, 1)), np.ones((3, 2, 3, 3))),
        {},
    ),
    "column channels": (
        ValueError,
        r"column_weight.shape\[1\] must be C_in // groups = 2 // 1 = "
        r"2; got x.shape=\(1, 2, 5, 5\), column_weight.shape=\(2, 3, 3, 1\)",
        spatial_separable_conv2d,
        (X, np.ones((2, 3, 3, 1)), np.ones((3, 2, 1, 3))),
        {},
    ),
    "row channels": (
        ValueError,
        r"row_weight does not fit the output of the first \(kH x 1\) "
        r"pass: .*row_weight.shape=\(3, 4, 1, 3\)",
        spatial_separable_conv2d,
        (X, np.ones((2, 2, 3, 1)), np.ones((3, 4, 1, 3))),
        {},
    ),
    # the PyTorch comparison's SpatiallySeparableConv2d(3, 8, 3): per channel (groups = 3),
    # 3 -> 8 channels
    "spatial 3 -> 8 per channel": (
        ValueError,
        r"row_weight .*groups=3.*row_weight.shape=\(8, 1, "
        r"1, 3\) \(C_out=8\).*C_out to be a multiple of C_in.*"
        r"pointwise_conv2d",
        spatial_separable_conv2d,
        (np.ones((1, 3, 8, 8)), np.ones((3, 1, 3, 1)), np.ones((8, 1, 1, 3))),
        {"groups": 3, "padding": 1},
    ),
    "spatial bias": (
        ValueError,
        r"bias must have shape \(C_out,\) = \(3,\); got shape \(4,\)",
        spatial_separable_conv2d,
        (X, np.ones((2, 2, 3, 1)), np.ones((3, 2, 1, 3)), np.ones(4)),
        {},
    ),
    "spatial reflect": (
        ValueError,
        r"padding_mode='reflect' needs each pad smaller than the "
        r"input width \(5\)",
        spatial_separable_conv2d,
        (X, np.ones((2, 2, 3, 1)), np.ones((3, 2, 1, 3))),
        {"padding": ((0, 0), (5, 0)), "padding_mode": "reflect"},
    ),
}


@pytest.mark.parametrize("case", list(BAD_CALLS))
def test_bad_call_is_a_clear_error(case):
    error, pattern, function, args, kwargs = BAD_CALLS[case]
    expect(error, pattern, function, *args, **kwargs)


@pytest.mark.parametrize(
    ("padding", "mode"), [(4, "reflect"), (5, "circular"), (9, "zeros"), (9, "replicate")]
)
def test_padding_limits_are_inclusive_where_they_should_be(padding, mode):
    # reflect may pad size - 1, circular size, zeros and replicate anything
    y = conv2d(X, W, padding=padding, padding_mode=mode)
    assert y.shape == (1, 3, 5 + 2 * padding - 2, 5 + 2 * padding - 2)


# --- fuzz: whatever the arguments, success or exactly ValueError / TypeError ---------------

# One argument at most is spoilt per call: most calls compute, the rest must fail cleanly.
SMALL = st.integers(1, 3)
GOOD = {
    "stride": st.one_of(SMALL, st.tuples(SMALL, SMALL)),
    "dilation": st.one_of(SMALL, st.tuples(SMALL, SMALL)),
    "padding": st.one_of(
        st.integers(0, 2),
        st.tuples(SMALL, SMALL),
        st.sampled_from(["same", "valid", ((0, 1), (2, 0))]),
    ),
    "padding_mode": st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
    "method": st.sampled_from(["reference", "direct", "im2col", "winograd", "auto"]),
}
BAD = {
    "stride": st.sampled_from([0, -1, (1, 0), (1, 2, 3), 1.0, "2", None, 2**70]),
    "dilation": st.sampled_from([0, -2, (0, 1), [1], 2.0, True]),
    "padding": st.sampled_from(
        [-1, (1, -1), ((0, 1), (-1, 0)), "full", None, 1.5, (1,), ((1, 1),), ((1, 2, 3), (1, 2))]
    ),
    "padding_mode": st.sampled_from(["wrap", "constant", None, 0]),
    "method": st.sampled_from(["fast", "", None]),
    "groups": st.sampled_from([0, -1, 3, 1.0, "2", None]),
    "x": st.lists(st.integers(0, 4), max_size=5),
    "weight": st.lists(st.integers(0, 4), max_size=5),
    "bias": st.lists(st.integers(0, 4), max_size=2),
}
ARGUMENT_NAMES = r"\b(x|weight|bias|stride|padding|padding_mode|dilation|groups|method)\b"


@settings(deadline=None, max_examples=200)
@given(data=st.data())
def test_no_other_exception_escapes(data):
    spoilt = data.draw(st.sampled_from([None, None, None, *BAD]), label="spoilt argument")

    def draw(name, good):
        return data.draw(BAD[name] if name == spoilt else good, label=name)

    groups = draw("groups", st.integers(1, 2))
    g = groups if isinstance(groups, int) and groups > 0 else 1
    c_in = g * data.draw(st.integers(1, 2))
    size = st.integers(1, 6)
    x_shape = draw(
        "x",
        st.one_of(
            st.tuples(st.integers(0, 2), st.just(c_in), size, size),
            st.tuples(st.just(c_in), size, size),
        ),
    )
    w_shape = draw(
        "weight", st.tuples(st.just(g * data.draw(SMALL)), st.just(c_in // g), SMALL, SMALL)
    )
    bias_shape = draw("bias", st.one_of(st.none(), st.just(w_shape[:1])))
    kwargs = {name: draw(name, good) for name, good in GOOD.items()}
    x = np.ones(x_shape, dtype=data.draw(st.sampled_from([np.float32, np.float64, np.int8])))
    weight = np.ones(w_shape)
    bias = None if bias_shape is None else np.ones(bias_shape)
    try:
        y = conv2d(x, weight, bias, groups=groups, **kwargs)
    except (ValueError, TypeError) as exc:
        event(f"{type(exc).__name__} ({spoilt or 'geometry'})")
        assert type(exc) in (ValueError, TypeError)
        assert re.search(ARGUMENT_NAMES, str(exc)), str(exc)
    else:
        event("computed")
        assert y.shape[:-2] == (*x.shape[:-3], w_shape[0])


# --- inputs are never modified ---------------------------------------------------------------


def all_functions(x, dtype, mode, method):
    """One call of each public function on ``x`` (C_in = 2), with weights of ``dtype``."""
    rng = np.random.default_rng(0)

    def r(*shape):
        return rng.standard_normal(shape).astype(dtype)

    kw = dict(padding=1, padding_mode=mode, method=method)
    return [
        (conv2d, (x, r(4, 1, 3, 2), r(4)), dict(kw, groups=2)),
        (depthwise_conv2d, (x, r(4, 1, 3, 3), r(4)), kw),
        (pointwise_conv2d, (x, r(3, 2, 1, 1), r(3)), dict(method=method)),
        (separable_conv2d, (x, r(4, 1, 3, 3), r(3, 4, 1, 1), r(3)), kw),
        (spatial_separable_conv2d, (x, r(2, 2, 3, 1), r(3, 2, 1, 3), r(3)), kw),
    ]


@pytest.mark.parametrize("mode", PADDING_MODES)
@pytest.mark.parametrize("writeable", [True, False])
def test_inputs_are_not_modified(method, mode, writeable):
    x = np.random.default_rng(1).standard_normal((2, 2, 5, 6))
    for dtype in (np.float32, np.float64):
        xd = x.astype(dtype)
        for function, args, kwargs in all_functions(xd, dtype, mode, method):
            for a in args:
                a.flags.writeable = writeable
            before = [a.copy() for a in args]
            function(*args, **kwargs)
            for a, b in zip(args, before, strict=True):
                assert_array_equal(a, b, err_msg=f"{function.__name__} changed its input")


# --- memory layouts and byte orders ----------------------------------------------------------


LAYOUTS = {
    "strided": lambda a: np.repeat(np.repeat(a, 2, axis=-1), 2, axis=-2)[..., ::2, ::2],
    "reversed": lambda a: a[..., ::-1, ::-1].copy()[..., ::-1, ::-1],
    "fortran": np.asfortranarray,
    "big-endian": lambda a: a.astype(a.dtype.newbyteorder(">")),
    "channels last": lambda a: np.ascontiguousarray(np.moveaxis(a, -3, -1)).transpose(
        *range(a.ndim - 3), -1, -3, -2
    ),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_any_layout_or_byte_order_gives_the_same_result(method, layout, dtype):
    x = np.random.default_rng(2).standard_normal((2, 2, 5, 6)).astype(dtype)
    to_layout = LAYOUTS[layout]
    for function, args, kwargs in all_functions(x, dtype, "reflect", method):
        expected = function(*args, **kwargs)
        unusual = [to_layout(a) if a.ndim >= 3 else a for a in args]
        assert all(np.array_equal(u, a) for u, a in zip(unusual, args, strict=True))
        y = function(*unusual, **kwargs)
        assert y.dtype == np.dtype(dtype)  # native byte order out
        assert y.dtype.isnative
        assert_array_equal(y, expected, err_msg=f"{function.__name__}, {layout}")


def test_big_endian_bias_and_mixed_orders(method):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 2, 4, 4)).astype(">f4")
    w = rng.standard_normal((3, 2, 2, 2)).astype("<f4")
    b = rng.standard_normal(3).astype(">f4")
    y = conv2d(x, w, b, method=method)
    assert y.dtype == np.float32 and y.dtype.isnative
    assert_array_equal(y, conv2d(x.astype(np.float32), w, b.astype(np.float32), method=method))


# --- empty batch --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_empty_batch(method, dtype):
    x = np.ones((0, 2, 5, 6), dtype=dtype)
    shapes = {
        conv2d: (0, 4, 5, 7),
        depthwise_conv2d: (0, 4, 5, 6),
        pointwise_conv2d: (0, 3, 5, 6),
        separable_conv2d: (0, 3, 5, 6),
        spatial_separable_conv2d: (0, 3, 5, 6),
    }
    for function, args, kwargs in all_functions(x, dtype, "zeros", method):
        y = function(*args, **kwargs)
        assert y.shape == shapes[function], function.__name__
        assert y.dtype == dtype


# --- dtypes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("int_dtype", [np.int8, np.uint8, np.int32, np.int64, np.bool_])
def test_integer_and_bool_input_compute_in_float64(method, int_dtype):
    rng = np.random.default_rng(4)
    x = rng.integers(0, 2, size=(1, 2, 5, 5)).astype(int_dtype)
    w = rng.integers(-3, 4, size=(3, 2, 3, 3)).astype(
        int_dtype if int_dtype != np.uint8 else np.int8
    )
    y = conv2d(x, w, padding=1, method=method)
    assert y.dtype == np.float64
    assert_array_equal(
        y, conv2d(x.astype(np.float64), w.astype(np.float64), padding=1, method=method)
    )


def test_uint8_is_not_wrapped_around(method):
    # 200 + 200 overflows uint8; in float64 it is 400
    x = np.full((1, 1, 2, 2), 200, dtype=np.uint8)
    y = conv2d(x, np.ones((1, 1, 1, 2), dtype=np.uint8), method=method)
    assert_array_equal(y, [[[[400.0], [400.0]]]])


def test_python_lists_are_float64(method):
    y = conv2d([[[1, 2], [3, 4]]], [[[[1, 1]]]], bias=[0.5], method=method)
    assert y.dtype == np.float64
    assert_array_equal(y, [[[3.5], [7.5]]])


@pytest.mark.parametrize(
    ("x_dtype", "w_dtype", "b_dtype", "expected"),
    [
        (np.float32, np.float32, None, np.float32),
        (np.float32, np.float32, np.float32, np.float32),
        (np.float64, np.float64, None, np.float64),
        (np.float32, np.float64, None, np.float64),  # NumPy promotion
        (np.float64, np.float32, None, np.float64),
        (np.float32, np.float32, np.float64, np.float64),
        (np.int32, np.float32, None, np.float64),  # integers compute in float64
        (np.float32, np.int16, None, np.float64),
        (np.bool_, np.bool_, None, np.float64),
    ],
)
def test_result_dtype(method, x_dtype, w_dtype, b_dtype, expected):
    x = np.ones((1, 2, 4, 4), dtype=x_dtype)
    w = np.ones((3, 2, 2, 2), dtype=w_dtype)
    b = None if b_dtype is None else np.ones(3, dtype=b_dtype)
    y = conv2d(x, w, b, method=method)
    assert y.dtype == expected
    assert_array_equal(y, np.full((1, 3, 3, 3), 8.0 + (b is not None)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_function_keeps_the_float_dtype(method, dtype):
    x = np.ones((1, 2, 5, 6), dtype=dtype)
    for function, args, kwargs in all_functions(x, dtype, "replicate", method):
        assert function(*args, **kwargs).dtype == dtype, function.__name__


# --- NaN and Inf -------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", PADDING_MODES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nan_and_inf_spread_as_in_scipy(oracle, method, mode, dtype):
    # NaN, +Inf and -Inf in the input, a zero among the weights (0 * NaN is NaN, 0 * Inf is
    # NaN): the non-finite outputs sit exactly where scipy puts them, and match in sign.
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, 2, 8, 9)).astype(dtype)
    x[0, 0, 1, 1] = np.nan
    x[0, 1, 6, 2] = np.inf
    x[0, 0, 4, 7] = -np.inf
    x[0, 1, 4, 7] = np.inf
    w = rng.uniform(0.5, 1.5, size=(3, 2, 3, 2)).astype(dtype)
    w[1, 0, 0, 0] = 0.0
    w[2, 1] *= -1
    kwargs = dict(stride=(1, 2), padding=((1, 2), (2, 1)), dilation=(2, 1), padding_mode=mode)
    desired = oracle(x, w, **kwargs)
    y = conv2d(x, w, method=method, **kwargs)  # quietly: warnings are errors in this suite
    assert np.isnan(desired).any() and np.isposinf(desired).any() and np.isneginf(desired).any()
    assert_array_equal(np.isnan(y), np.isnan(desired))
    assert_array_equal(np.isposinf(y), np.isposinf(desired))
    assert_array_equal(np.isneginf(y), np.isneginf(desired))
    finite = np.isfinite(desired)
    assert_conv_close(
        np.where(finite, y, 0).astype(dtype),
        np.where(finite, desired, 0),
        reduction=12,
        scale=12 * 1.5 * np.abs(np.nan_to_num(x, posinf=0, neginf=0)).max(),
    )


def test_nan_in_weight_spreads_everywhere(method):
    x = np.ones((1, 1, 4, 4))
    w = np.ones((1, 1, 2, 2))
    w[0, 0, 1, 0] = np.nan
    assert np.isnan(conv2d(x, w, method=method)).all()


@pytest.mark.parametrize("mode", PADDING_MODES)
def test_inf_weight_times_padded_zeros_is_nan(oracle, method, mode):
    # With zero padding, an Inf tap that lands on a padded zero gives inf * 0 = NaN, as in
    # scipy; the other padding modes copy finite pixels there, so the output is Inf instead.
    x = np.arange(1.0, 13.0).reshape(1, 1, 3, 4)
    w = np.ones((1, 1, 3, 3))
    w[0, 0, 0, 2] = np.inf  # top right tap: padded for the first row and the last column
    desired = oracle(x, w, padding=1, padding_mode=mode)
    y = conv2d(x, w, padding=1, padding_mode=mode, method=method)
    assert np.isnan(desired).any() == (mode == "zeros")
    assert_array_equal(np.isnan(y), np.isnan(desired))
    assert_array_equal(y[~np.isnan(y)], desired[~np.isnan(desired)])


# --- threads -------------------------------------------------------------------------------


def test_calls_from_several_threads(method):
    rng = np.random.default_rng(6)
    calls = []
    for i in range(12):
        x = rng.standard_normal((2, 4, 9 + i % 3, 8)).astype(np.float32 if i % 2 else np.float64)
        w = rng.standard_normal((6, 2, 3, 3)).astype(x.dtype)
        kwargs = dict(
            groups=2,
            padding=i % 3,
            stride=1 + i % 2,
            padding_mode=PADDING_MODES[i % 4],
            method=method,
        )
        calls.append((x, w, kwargs))
    serial = [conv2d(x, w, **kwargs) for x, w, kwargs in calls]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(2):
            futures = [pool.submit(conv2d, x, w, **kwargs) for x, w, kwargs in calls]
            for future, expected in zip(futures, serial, strict=True):
                assert_array_equal(future.result(), expected)


def test_thread_count_is_restored_and_read_per_thread():
    """refconv reads and sets Numba's per-thread count through its C functions; the caller's
    count must come back after a one-thread launch, and a count the caller set must be seen."""
    from refconv.kernels import runtime

    before = numba.get_num_threads()
    x = np.ones((1, 2, 4, 4), np.float32)  # small: runs on one thread
    w = np.ones((2, 1, 3, 3), np.float32)
    try:
        depthwise_conv2d(x, w, padding=1)
        assert numba.get_num_threads() == before
        numba.set_num_threads(1)
        assert runtime.num_threads() == 1
        assert runtime.thread_plan(runtime.PARALLEL_MIN_WORK) == 1
        depthwise_conv2d(x, w, padding=1)
        assert numba.get_num_threads() == 1
    finally:
        numba.set_num_threads(before)
    assert runtime.num_threads() == before
    assert runtime.thread_plan(runtime.PARALLEL_MIN_WORK - 1) == 1


# --- the geometry cache ----------------------------------------------------------------------


def test_cached_geometry_still_rejects_what_hashes_like_a_valid_argument():
    """``True`` and ``1.0`` hash like ``1``: a cached geometry for ``stride=1`` must not
    accept them, and an error must be raised again on every call."""
    x = np.ones((1, 1, 5, 5))
    w = np.ones((1, 1, 3, 3))
    expected = conv2d(x, w, stride=1, padding=1, dilation=1, groups=1)
    for _ in range(2):
        for bad in (True, 1.0, np.bool_(True)):
            with pytest.raises(TypeError, match="stride"):
                conv2d(x, w, stride=bad, padding=1)
            with pytest.raises(TypeError, match="groups"):
                conv2d(x, w, padding=1, groups=bad)
        with pytest.raises(TypeError, match="padding"):
            conv2d(x, w, padding=True)
        with pytest.raises(ValueError, match="larger than the padded input"):
            conv2d(x, np.ones((1, 1, 9, 9)), stride=1, padding=1)
    assert_array_equal(conv2d(x, w, stride=np.int64(1), padding=(1, 1)), expected)
    assert_array_equal(conv2d(x, w, stride=1, padding=1), expected)
    assert_array_equal(conv2d(x, w, stride=2, padding="SAME"), conv2d(x, w, stride=2, padding=1))


# --- inputs that are not plain arrays --------------------------------------------------------


def test_a_masked_array_with_masked_values_is_refused():
    # The mask used to be dropped silently: the values under it entered the sums.
    x = np.ma.masked_array(np.ones((1, 2, 4, 4)), mask=False)
    x[0, 1, 2, 2] = np.ma.masked
    with pytest.raises(ValueError, match=r"x is a masked array with 1 masked value.*filled"):
        conv2d(x, np.ones((1, 2, 3, 3)))
    with pytest.raises(ValueError, match="weight is a masked array"):
        conv2d(np.ones((1, 2, 4, 4)), np.ma.masked_array(np.ones((1, 2, 3, 3)), mask=True))
    x.mask[:] = False  # nothing masked: the data, as a plain array
    y = conv2d(x, np.ones((1, 2, 3, 3)))
    assert type(y) is np.ndarray
    assert_array_equal(y, 18.0)


class _GradTensor:
    """Stands in for a torch.Tensor with requires_grad: ``np.asarray`` raises RuntimeError."""

    __module__ = "torch"

    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("Can't call numpy() on Tensor that requires grad.")


def test_an_array_that_refuses_conversion_gives_a_type_error():
    with pytest.raises(
        TypeError,
        match=r"x must be an array of numbers.*requires grad.*"
        r"detach\(\)\.cpu\(\)\.numpy\(\)",
    ):
        conv2d(_GradTensor(), np.ones((1, 2, 3, 3)))


def test_a_torch_tensor_that_requires_grad():
    torch = pytest.importorskip("torch")
    x = torch.ones((1, 2, 4, 4), requires_grad=True)
    with pytest.raises(TypeError, match=r"detach\(\)"):
        conv2d(x, np.ones((1, 2, 3, 3)))
    assert_array_equal(conv2d(x.detach(), np.ones((1, 2, 3, 3))), 18.0)


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        (
            lambda: pointwise_conv2d(
                np.ones((1, 2, 3, 3)), np.ones((4, 2, 1, 1)), method="winograd"
            ),
            "a pointwise kernel is 1x1",
        ),
        (
            lambda: separable_conv2d(
                np.ones((1, 2, 5, 5)),
                np.ones((2, 1, 3, 3)),
                np.ones((4, 2, 1, 1)),
                method="winograd",
            ),
            "the pointwise step is 1x1",
        ),
        (
            lambda: spatial_separable_conv2d(
                np.ones((1, 2, 5, 5)),
                np.ones((2, 2, 3, 1)),
                np.ones((4, 2, 1, 3)),
                method="winograd",
            ),
            "kH x 1 and 1 x kW",
        ),
    ],
)
def test_winograd_is_not_offered_where_it_cannot_apply(call, reason):
    # The message says why and lists the methods that apply -- not a complaint about a
    # 1x1 kernel the caller never passed.
    with pytest.raises(
        ValueError,
        match=rf"method='winograd' does not apply here: .*{reason}.*"
        r"'auto', 'reference', 'direct', 'im2col'$",
    ):
        call()
