"""Layers check their arguments when they are built, and pooling agrees in all three views.

Regression tests for issue 13: pooling padding beyond half the kernel gave a border of -inf
(``MaxPool2d(2, padding=3)``) while ``summary`` refused the same layer; a window larger than
the input leaked NumPy's ``sliding_window_view`` message; convolution layers stored ``stride``,
``padding`` and ``dilation`` unchecked until the first forward; ``bias``, ``eps``, ``p``,
``seed`` and ``dtype`` were taken without a check. PyTorch 2.13's behaviour is the reference:
the optional tests at the end compare with it when it is installed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refconv import counting, nn

CONV_LAYERS = {
    "Conv2d": lambda **kw: nn.Conv2d(2, 4, 3, **kw),
    "DepthwiseConv2d": lambda **kw: nn.DepthwiseConv2d(2, 3, **kw),
    "SeparableConv2d": lambda **kw: nn.SeparableConv2d(2, 4, 3, **kw),
    "SpatialSeparableConv2d": lambda **kw: nn.SpatialSeparableConv2d(2, 4, 3, **kw),
}


# ------------------------------------------------------------------------------------------
# Pooling: PyTorch's padding rule, checked at construction, and a clear "does not fit"
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("layer", "kwargs"),
    [
        (nn.MaxPool2d, {"kernel_size": 2, "padding": 3}),  # the example
        (nn.MaxPool2d, {"kernel_size": 2, "padding": 2}),
        (nn.MaxPool2d, {"kernel_size": 3, "padding": 2, "dilation": 2}),
        (nn.MaxPool2d, {"kernel_size": (3, 1), "padding": (1, 1)}),  # the 1-wide axis allows 0
        (nn.AvgPool2d, {"kernel_size": 2, "padding": 2}),
        (nn.AvgPool2d, {"kernel_size": (5, 2), "padding": (2, 2)}),
    ],
)
def test_pool_padding_beyond_half_the_kernel_is_refused_when_built(layer, kwargs):
    with pytest.raises(ValueError, match=r"padding must be at most kernel_size // 2") as info:
        layer(**kwargs)
    assert layer.__name__ in str(info.value)
    assert f"padding={kwargs['padding']!r}" in str(info.value)


def test_max_pool_padding_three_no_longer_returns_a_border_of_minus_inf():
    # Before: MaxPool2d(2, padding=3)(ones(1, 2, 2)) was a 4x4 map with a -inf border.
    with pytest.raises(ValueError, match="at most kernel_size // 2 = \\(1, 1\\)"):
        nn.MaxPool2d(2, padding=3)(np.ones((1, 2, 2)))


@pytest.mark.parametrize(
    ("kwargs", "error", "argument"),
    [
        ({"kernel_size": 0}, ValueError, "kernel_size"),
        ({"kernel_size": 2.0}, TypeError, "kernel_size"),
        ({"kernel_size": 2, "stride": 0}, ValueError, "stride"),
        ({"kernel_size": 2, "stride": True}, TypeError, "stride"),
        ({"kernel_size": 2, "padding": -1}, ValueError, "padding"),
        ({"kernel_size": 2, "padding": "same"}, TypeError, "padding"),
        ({"kernel_size": 2, "dilation": 0}, ValueError, "dilation"),
    ],
)
def test_pool_arguments_are_checked_when_built(kwargs, error, argument):
    with pytest.raises(error, match=argument):
        nn.MaxPool2d(**kwargs)


@pytest.mark.parametrize(
    ("layer", "x_shape", "window"),
    [
        (nn.MaxPool2d(7), (1, 5, 5), "7x7"),
        (nn.MaxPool2d(3, dilation=3), (2, 1, 5, 5), "7x7"),
        (nn.AvgPool2d((2, 6)), (1, 4, 5), "2x6"),
    ],
)
def test_window_larger_than_the_padded_input_names_layer_shape_and_window(layer, x_shape, window):
    # Before: "window shape cannot be larger than input array shape" from NumPy.
    with pytest.raises(ValueError) as info:
        layer(np.ones(x_shape))
    message = str(info.value)
    assert message.startswith(type(layer).__name__ + "(kernel_size=")
    assert f"input shape {x_shape}" in message
    assert f"the {window} pooling window does not fit" in message
    assert "sliding_window_view" not in message and "array shape" not in message


def test_pool_stores_arguments_as_given_like_pytorch():
    pool = nn.MaxPool2d(3, stride=2, padding=1)
    assert (pool.kernel_size, pool.stride, pool.padding, pool.dilation) == (3, 2, 1, 1)
    assert nn.MaxPool2d((2, 3)).stride == (2, 3)  # stride defaults to kernel_size
    assert nn.AvgPool2d([2, 2], padding=[1, 0]).padding == (1, 0)  # a list is kept as a tuple
    assert repr(nn.AvgPool2d(2)) == "AvgPool2d(kernel_size=2, stride=2, padding=0)"


# Pooling geometries around the edges: padding past half the kernel, windows past the input.
POOL_GEOMETRIES = {
    "kind": st.sampled_from(["max", "avg"]),
    "size": st.tuples(st.integers(1, 5), st.integers(1, 5)),
    "kernel": st.tuples(st.integers(1, 4), st.integers(1, 4)),
    "stride": st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))),
    "padding": st.tuples(st.integers(0, 3), st.integers(0, 3)),
    "dilation": st.tuples(st.integers(1, 3), st.integers(1, 3)),
}


def _outcome(call):
    """``("ok", value)`` or ``("error", message)`` for a call that may raise ValueError."""
    try:
        return "ok", call()
    except ValueError as exc:
        return "error", str(exc)


@settings(max_examples=60, deadline=None)
@given(**POOL_GEOMETRIES)
def test_forward_cost_and_counted_accept_and_refuse_the_same_geometries(
    kind, size, kernel, stride, padding, dilation
):
    shape = (2, *size)
    x = np.arange(float(np.prod(shape))).reshape(shape) - 7.0
    if kind == "max":

        def build():
            return nn.MaxPool2d(kernel, stride, padding, dilation)

        def closed():
            return counting.max_pool2d_cost(shape, kernel, stride, padding, dilation)

        def loops():
            return counting.max_pool2d_counted(x, kernel, stride, padding, dilation)
    else:

        def build():
            return nn.AvgPool2d(kernel, stride, padding)

        def closed():
            return counting.avg_pool2d_cost(shape, kernel, stride, padding)

        def loops():
            return counting.avg_pool2d_counted(x, kernel, stride, padding)

    built = _outcome(build)
    if built[0] == "error":  # refused when built: the cost and the loops refuse it too
        assert _outcome(closed) == _outcome(loops) == built
        return
    layer = built[1]
    forward, closed_form, counted = _outcome(lambda: layer(x)), _outcome(closed), _outcome(loops)
    kinds = {forward[0], closed_form[0], counted[0]}
    assert len(kinds) == 1, (forward, closed_form, counted)
    if forward[0] == "error":
        assert forward == closed_form == counted
        assert f"input shape {shape}" in forward[1]
        return
    y, tally = counted[1]
    np.testing.assert_allclose(forward[1], y, rtol=1e-12)
    assert y.shape == closed_form[1].output_shape
    assert (tally.multiplications, tally.additions, tally.comparisons) == (
        closed_form[1].multiplications,
        closed_form[1].additions,
        closed_form[1].comparisons,
    )
    assert layer.cost(shape) == closed_form[1]


def test_a_dilated_window_can_still_skip_the_whole_input_as_in_pytorch():
    # padding <= kernel_size // 2 keeps every undilated window on the input; a dilated one
    # can step over it: taps at -1 and 1 of a 1-pixel-high input (torch gives -inf as well).
    y = nn.MaxPool2d(2, stride=1, padding=1, dilation=2)(np.ones((1, 1, 3)))
    np.testing.assert_array_equal(y, np.full((1, 1, 3), -np.inf))


# ------------------------------------------------------------------------------------------
# Convolution layers: stride, padding, dilation checked when built, stored as PyTorch does
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CONV_LAYERS))
@pytest.mark.parametrize(
    ("kwargs", "error", "argument"),
    [
        ({"stride": 0}, ValueError, "stride"),
        ({"stride": -2}, ValueError, "stride"),
        ({"stride": 1.5}, TypeError, "stride"),
        ({"stride": True}, TypeError, "stride"),
        ({"stride": (1, 2, 3)}, TypeError, "stride"),
        ({"dilation": 0}, ValueError, "dilation"),
        ({"dilation": "2"}, TypeError, "dilation"),
        ({"padding": -1}, ValueError, "padding"),
        ({"padding": ((1, -1), (0, 0))}, ValueError, "padding"),
        ({"padding": "full"}, ValueError, "padding"),
        ({"padding": 1.0}, TypeError, "padding"),
        ({"padding": ((1, 2),)}, TypeError, "padding"),
        ({"bias": "no"}, TypeError, "bias"),
        ({"bias": None}, TypeError, "bias"),
        ({"padding_mode": "mirror"}, ValueError, "padding_mode"),
    ],
)
def test_conv_layer_arguments_are_checked_when_built(name, kwargs, error, argument):
    # Before: stride, padding and dilation were stored as given and failed on the first
    # forward (or, for cost-only use, never); a non-bool bias was taken for its truth value.
    with pytest.raises(error, match=argument):
        CONV_LAYERS[name](**kwargs)


@pytest.mark.parametrize("name", sorted(CONV_LAYERS))
def test_conv_layers_store_stride_padding_dilation_as_pytorch_does(name):
    layer = CONV_LAYERS[name](stride=2, padding=1, dilation=(1, 2))
    assert (layer.stride, layer.padding, layer.dilation) == ((2, 2), (1, 1), (1, 2))
    assert CONV_LAYERS[name](padding="same").padding == "same"
    assert CONV_LAYERS[name](padding="VALID").padding == "VALID"  # any case, kept as given
    assert CONV_LAYERS[name](padding=[2, 0]).padding == (2, 0)
    assert CONV_LAYERS[name](padding=((1, 0), (2, 1))).padding == ((1, 0), (2, 1))


def test_stored_tuples_give_the_same_numbers_as_the_ints_passed():
    x = np.random.default_rng(0).standard_normal((2, 2, 9, 8))
    for name, build in CONV_LAYERS.items():
        layer = build(stride=2, padding=1, dilation=2, seed=3, dtype=np.float64)
        plain = build(
            stride=(2, 2), padding=((1, 1), (1, 1)), dilation=(2, 2), seed=3, dtype=np.float64
        )
        np.testing.assert_array_equal(layer(x), plain(x), err_msg=name)
        assert layer.cost((2, 9, 8)) == plain.cost((2, 9, 8))


def test_same_padding_is_checked_against_the_input_at_forward():
    layer = nn.Conv2d(1, 1, 5, padding="same", padding_mode="reflect", seed=0)
    with pytest.raises(ValueError, match="padding_mode='reflect' needs each pad smaller"):
        layer(np.ones((1, 2, 2)))


# ------------------------------------------------------------------------------------------
# Everything else a layer stores
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: nn.BatchNorm2d(3, eps=-1e-5), ValueError, r"eps must be a finite number >= 0"),
        (lambda: nn.BatchNorm2d(3, eps=math.nan), ValueError, r"eps must be .*got nan"),
        (lambda: nn.BatchNorm2d(3, eps=math.inf), ValueError, r"eps must be .*got inf"),
        (lambda: nn.BatchNorm2d(3, eps="1e-5"), TypeError, r"eps must be a number"),
        (lambda: nn.BatchNorm2d(3, affine=1), TypeError, r"affine must be True or False"),
        (lambda: nn.BatchNorm2d(3, dtype=np.int32), TypeError, r"dtype must be np.float32"),
        (lambda: nn.Dropout(math.nan), ValueError, r"p must be a probability in \[0, 1\]; got nan"),
        (lambda: nn.Dropout("0.5"), TypeError, r"p must be a probability.*'0.5' \(str\)"),
        (lambda: nn.Dropout(True), TypeError, r"p must be a probability"),
        (lambda: nn.Dropout(None), TypeError, r"p must be a probability"),
        (lambda: nn.Linear(3, 2, bias=1), TypeError, r"bias must be True or False; got 1 \(int\)"),
        (lambda: nn.Linear(3, 2, bias=None), TypeError, r"bias must be True or False"),
        (lambda: nn.PointwiseConv2d(3, 2, bias="yes"), TypeError, r"bias must be True or False"),
        (lambda: nn.Linear(3, 2, seed=1.5), TypeError, r"seed must be an int >= 0.*1\.5"),
        (lambda: nn.Linear(3, 2, seed=-1), ValueError, r"seed must be an int >= 0.*got -1"),
        (lambda: nn.Linear(3, 2, seed=True), TypeError, r"seed must be an int >= 0"),
        (lambda: nn.Conv2d(3, 2, 3, seed="0"), TypeError, r"seed must be an int >= 0"),
        (lambda: nn.Linear(3, 2, dtype=np.float16), TypeError, r"dtype must be np.float32 or"),
        (lambda: nn.Conv2d(3, 2, 3, dtype=np.int64), TypeError, r"dtype must be np.float32 or"),
        (lambda: nn.Conv2d(3, 2, 3, dtype=None), TypeError, r"dtype must be np.float32 or"),
        (lambda: nn.SeparableConv2d(3, 2, 3, dtype="complex128"), TypeError, r"dtype must be"),
        (lambda: nn.Conv2d(3, 2, 3, dtype="no-such-type"), TypeError, r"dtype must be"),
        (lambda: nn.Sequential({"a.b": nn.ReLU()}), ValueError, r"no '\.'.*'a\.b'"),
        (lambda: nn.Sequential({"": nn.ReLU()}), ValueError, r"non-empty"),
        (lambda: nn.Sequential({1: nn.ReLU()}), TypeError, r"names must be strings; got 1"),
        (lambda: nn.Sequential(nn.ReLU), TypeError, r"a class: write ReLU\(\.\.\.\)"),
        (lambda: nn.Sequential(nn.ReLU(), name=3), TypeError, r"name must be a string"),
    ],
)
def test_other_stored_arguments_are_checked(build, error, match):
    with pytest.raises(error, match=match):
        build()


def test_valid_spellings_still_work():
    assert nn.BatchNorm2d(2, eps=0).eps == 0.0
    assert nn.BatchNorm2d(2, eps=np.float32(1e-3), affine=np.bool_(False)).affine is False
    assert nn.Dropout(np.float64(0.25)).p == 0.25 and nn.Dropout(1).p == 1.0
    assert nn.Linear(3, 2, dtype="float64", seed=np.int64(4)).weight.dtype == np.float64
    assert nn.Linear(3, 2, bias=np.True_).bias.shape == (2,)
    np.testing.assert_array_equal(
        nn.Linear(3, 2, seed=np.int64(4)).weight, nn.Linear(3, 2, seed=4).weight
    )
    assert nn.Conv2d(3, 2, 3, dtype=np.dtype(np.float64)).weight.dtype == np.float64


def test_separable_cost_names_its_own_class_when_channels_differ():
    for layer in (nn.SeparableConv2d(3, 8, 3), nn.SpatialSeparableConv2d(3, 6, 3)):
        name = type(layer).__name__
        with pytest.raises(
            ValueError,
            match=rf"^{name} expects input_shape \(C, H, W\) with "
            r"C = in_channels = 3; got \(4, 8, 8\)$",
        ):
            layer.cost((4, 8, 8))


# ------------------------------------------------------------------------------------------
# Sequential: a ValueError from a layer names the layer
# ------------------------------------------------------------------------------------------


def _two_convs():
    return nn.Sequential(
        {
            "stem": nn.Sequential(nn.Conv2d(3, 8, 3, seed=0), nn.ReLU()),
            "head": nn.Conv2d(4, 2, 1, seed=1),
        }
    )


def test_sequential_forward_names_the_failing_layer_and_keeps_its_message():
    with pytest.raises(ValueError) as info:
        _two_convs()(np.zeros((1, 3, 6, 6), dtype=np.float32))
    message = str(info.value)
    assert message.startswith("layer 'head' (Conv2d(4, 2, kernel_size=(1, 1)")
    assert "failed on input of shape (1, 8, 4, 4): " in message
    assert "weight.shape[1] must be C_in // groups" in message  # the layer's own message
    assert isinstance(info.value.__cause__, ValueError)


def test_sequential_cost_names_the_failing_layer():
    with pytest.raises(
        ValueError,
        match=r"^layer 'head' \(Conv2d\(4, 2, .*\)\) failed on "
        r"input_shape \(8, 4, 4\): Conv2d expects",
    ):
        _two_convs().cost((3, 6, 6))


def test_sequential_does_not_wrap_other_exceptions():
    with pytest.raises(TypeError, match=r"^x has dtype complex128"):
        _two_convs()(np.zeros((3, 6, 6), dtype=complex))


# ------------------------------------------------------------------------------------------
# Optional: PyTorch 2.13 as the reference
# ------------------------------------------------------------------------------------------


def _torch_outcome(torch, kind, x, kernel, stride, padding, dilation):
    functional = torch.nn.functional
    t = torch.from_numpy(x[np.newaxis])
    try:
        if kind == "max":
            y = functional.max_pool2d(t, kernel, stride or kernel, padding, dilation)
        else:
            y = functional.avg_pool2d(t, kernel, stride or kernel, padding)
    except RuntimeError:
        return "error", None
    return "ok", y.numpy()[0]


@settings(max_examples=60, deadline=None)
@given(**POOL_GEOMETRIES)
def test_pooling_accepts_what_pytorch_accepts_and_agrees(
    kind, size, kernel, stride, padding, dilation
):
    torch = pytest.importorskip("torch")
    if kind == "avg":
        dilation = (1, 1)
    x = np.random.default_rng(0).standard_normal((2, *size))
    theirs = _torch_outcome(torch, kind, x, kernel, stride, padding, dilation)
    try:
        layer = (
            nn.MaxPool2d(kernel, stride, padding, dilation)
            if kind == "max"
            else nn.AvgPool2d(kernel, stride, padding)
        )
        ours = "ok", layer(x)
    except ValueError:
        ours = "error", None
    assert ours[0] == theirs[0]
    if ours[0] == "ok":
        np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12, atol=1e-15)


def test_conv_layers_store_what_torch_stores():
    torch = pytest.importorskip("torch")
    for kwargs in (
        {},
        {"stride": 2, "padding": 1, "dilation": (1, 2)},
        {"padding": "same"},
        {"padding": "valid"},
        {"padding": (2, 0)},
    ):
        ours, theirs = nn.Conv2d(2, 4, 3, **kwargs), torch.nn.Conv2d(2, 4, 3, **kwargs)
        for attribute in ("kernel_size", "stride", "padding", "dilation"):
            assert getattr(ours, attribute) == getattr(theirs, attribute), (kwargs, attribute)
    for kwargs in (
        {"kernel_size": 2},
        {"kernel_size": 3, "stride": 2, "padding": 1},
        {"kernel_size": (2, 3), "dilation": 2},
    ):
        ours, theirs = nn.MaxPool2d(**kwargs), torch.nn.MaxPool2d(**kwargs)
        for attribute in ("kernel_size", "stride", "padding", "dilation"):
            assert getattr(ours, attribute) == getattr(theirs, attribute), (kwargs, attribute)
