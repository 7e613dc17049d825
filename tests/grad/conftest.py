"""Shared by the gradient tests: one convolution of any family, drawn by hypothesis.

:func:`draw_case` (the ``draw_case`` fixture) draws a family, a geometry that the forward
pass accepts -- every padding form and mode, strides, dilations, groups, depth multipliers,
unbatched inputs -- and arrays, and returns a :class:`Case`: the forward call as a function
of its arrays, and the gradients of all of them by one ``refconv.grad`` method. The tests
then hold those gradients to finite differences, to the adjoint identity, and to each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import strategies as st

import refconv
from refconv import grad
from refconv.arguments import conv_geometry

FAMILIES = ("conv", "grouped", "depthwise", "pointwise", "separable", "spatial")
MODES = ("zeros", "reflect", "replicate", "circular")
GRAD_METHODS = ("reference", "direct", "im2col", "auto")


@dataclass
class Case:
    """One forward call and its gradients.

    ``arrays`` maps each argument's name (``x``, the weights, ``bias``) to its array;
    ``forward(arrays)`` is the forward call; ``gradients(arrays, g, method)`` maps each name
    to its gradient for the output gradient ``g``.
    """

    family: str
    arrays: dict[str, np.ndarray]
    kwargs: dict[str, object]
    forward: Callable[[dict[str, np.ndarray]], np.ndarray]
    gradients: Callable[[dict[str, np.ndarray], np.ndarray, str], dict[str, np.ndarray]]
    reduction: int = field(default=1)  # products summed into one output (for tolerances)

    def __repr__(self) -> str:
        shapes = {k: v.shape for k, v in self.arrays.items()}
        return f"Case({self.family}, {shapes}, {self.kwargs})"


def _padding(draw, size, kernel, dilation):
    """A padding form and explicit pads that fit the dilated kernel."""
    form = draw(st.sampled_from(["int", "pair", "explicit", "explicit", "same", "valid"]))
    pads = []
    for axis in (0, 1):
        span = dilation[axis] * (kernel[axis] - 1) + 1
        before, after = draw(st.integers(0, 3)), draw(st.integers(0, 3))
        after = max(after, span - size[axis] - before)
        pads.append((before, after))
    if form == "int":
        p = max(max(pads[0]), max(pads[1]))
        return p, tuple(pads)
    if form == "pair":
        return (max(pads[0]), max(pads[1])), tuple(pads)
    if form in ("same", "valid"):
        return form, tuple(pads)
    return tuple(pads), tuple(pads)


def _geometry(draw, x_shape, w_shape, groups):
    """stride, padding, dilation, padding_mode that the forward pass accepts for these shapes
    (falling back to explicit zero pads that fit)."""
    size, kernel = x_shape[2:], w_shape[2:]
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding, pads = _padding(draw, size, kernel, dilation)
    mode = draw(st.sampled_from(MODES))
    try:
        conv_geometry(x_shape, w_shape, stride, padding, dilation, groups, mode)
    except ValueError:  # a pad too small for the kernel, reflect / circular limits
        try:
            mode = "zeros"
            conv_geometry(x_shape, w_shape, stride, padding, dilation, groups, mode)
        except ValueError:
            padding = pads
    return dict(stride=stride, padding=padding, dilation=dilation, padding_mode=mode)


def draw_case(data, family=None, dtype=np.float64, integers=False, max_size=5):
    """Draw one :class:`Case` with ``data.draw`` (``st.data()``)."""
    draw = data.draw
    family = family or draw(st.sampled_from(FAMILIES))
    n = draw(st.integers(1, 2))
    unbatched = draw(st.integers(0, 4)) == 0
    if unbatched:
        n = 1
    size = (draw(st.integers(1, max_size)), draw(st.integers(1, max_size)))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    c_in = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))

    def new(shape):
        if integers:
            return rng.integers(-3, 4, shape).astype(dtype)
        return rng.standard_normal(shape).astype(dtype)

    x = new((n, c_in, *size))
    bias_size = None
    if family in ("conv", "grouped", "depthwise"):
        groups, c_out = 1, draw(st.integers(1, 3))
        if family == "grouped":
            groups = draw(st.integers(2, 3))
            x = new((n, groups * c_in, *size))
            c_out *= groups
        elif family == "depthwise":
            groups, c_out = c_in, c_in * draw(st.integers(1, 2))  # depth multiplier 1 or 2
        w = new((c_out, x.shape[1] // groups, *kernel))
        kwargs = _geometry(draw, x.shape, w.shape, groups)
        if family != "depthwise":
            kwargs["groups"] = groups
        arrays = {"x": x, "weight": w}
        bias_size = c_out
        names = {"depthwise": "depthwise_conv2d"}.get(family, "conv2d")
        forward_f = getattr(refconv, names)
        grad_input = getattr(grad, names + "_input")
        grad_weight = getattr(grad, names + "_weight")

        def forward(a, kw=kwargs, f=forward_f):
            return f(a["x"], a["weight"], a.get("bias"), **kw, method="direct")

        def gradients(a, g, method, kw=kwargs, gi=grad_input, gw=grad_weight):
            return {
                "x": gi(a["x"].shape, a["weight"], g, **kw, method=method),
                "weight": gw(a["x"], a["weight"].shape, g, **kw, method=method),
                "bias": grad.conv2d_bias(g),
            }

        reduction = x.shape[1] // groups * kernel[0] * kernel[1]
    elif family == "pointwise":
        groups = draw(st.sampled_from([1, c_in]))
        c_out = groups * draw(st.integers(1, 3))
        w = new((c_out, c_in // groups, 1, 1))
        kwargs = {"groups": groups}
        arrays = {"x": x, "weight": w}
        bias_size = c_out

        def forward(a, kw=kwargs):
            return refconv.pointwise_conv2d(a["x"], a["weight"], a.get("bias"), **kw)

        def gradients(a, g, method, kw=kwargs):
            return {
                "x": grad.pointwise_conv2d_input(a["x"].shape, a["weight"], g, **kw, method=method),
                "weight": grad.pointwise_conv2d_weight(
                    a["x"], a["weight"].shape, g, **kw, method=method
                ),
                "bias": grad.conv2d_bias(g),
            }

        reduction = c_in // groups
    elif family == "separable":
        m = draw(st.integers(1, 2))
        c_out = draw(st.integers(1, 3))
        dw, pw = new((c_in * m, 1, *kernel)), new((c_out, c_in * m, 1, 1))
        kwargs = _geometry(draw, x.shape, dw.shape, c_in)
        arrays = {"x": x, "depthwise_weight": dw, "pointwise_weight": pw}
        bias_size = c_out

        def forward(a, kw=kwargs):
            return refconv.separable_conv2d(
                a["x"], a["depthwise_weight"], a["pointwise_weight"], a.get("bias"), **kw
            )

        def gradients(a, g, method, kw=kwargs):
            dwa, pwa = a["depthwise_weight"], a["pointwise_weight"]
            all_ = grad.separable_conv2d_weights(a["x"], dwa, pwa, g, **kw, method=method)
            dx = grad.separable_conv2d_input(a["x"].shape, dwa, pwa, g, **kw, method=method)
            np.testing.assert_array_equal(dx, all_.x)  # the same steps, the same numbers
            return all_._asdict()

        reduction = kernel[0] * kernel[1] + c_in * m
    else:  # spatial
        groups = draw(st.sampled_from([1, c_in]))
        r = groups * draw(st.integers(1, 2))
        c_out = groups * draw(st.integers(1, 2))
        cw, rw = new((r, c_in // groups, kernel[0], 1)), new((c_out, r // groups, 1, kernel[1]))
        kwargs = _geometry(draw, x.shape, (1, c_in, *kernel), 1)
        kwargs["groups"] = groups
        arrays = {"x": x, "column_weight": cw, "row_weight": rw}
        bias_size = c_out

        def forward(a, kw=kwargs):
            return refconv.spatial_separable_conv2d(
                a["x"], a["column_weight"], a["row_weight"], a.get("bias"), **kw
            )

        def gradients(a, g, method, kw=kwargs):
            cwa, rwa = a["column_weight"], a["row_weight"]
            all_ = grad.spatial_separable_conv2d_weights(a["x"], cwa, rwa, g, **kw, method=method)
            dx = grad.spatial_separable_conv2d_input(a["x"].shape, cwa, rwa, g, **kw, method=method)
            np.testing.assert_array_equal(dx, all_.x)
            return all_._asdict()

        reduction = c_in // groups * kernel[0] + r // groups * kernel[1]
    if draw(st.booleans()):
        arrays["bias"] = new((bias_size,))
    if unbatched:
        arrays["x"] = arrays["x"][0]
    return Case(family, arrays, kwargs, forward, gradients, reduction)


@pytest.fixture(scope="session")
def case_of():
    """:func:`draw_case`, for tests that draw with ``st.data()``."""
    return draw_case
