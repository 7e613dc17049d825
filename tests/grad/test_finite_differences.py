"""Every gradient against central finite differences of the forward pass, in float64.

For the loss ``L = sum(G * y)`` -- whose gradient with respect to ``y`` is ``G`` -- the
gradient of any argument ``a`` is ``dL/da``, and each of its entries can be measured from
the forward pass alone::

    dL/da[k] ~ (L(a + h e_k) - L(a - h e_k)) / (2h)

A convolution is linear in each of its arguments (the two-step blocks too, taken one array
at a time), so the central difference has no truncation error at all: it is exact up to the
rounding of the two forward calls, and ``h = 1`` is as good as any. That makes the check
strict: a gradient that is wrong in one entry by one product shows.

Hypothesis draws every family with every option (``conftest.draw_case``): strides,
dilations, every padding form and mode, groups, depth multipliers, unbatched inputs. Each
case checks a sample of entries of every argument, and one random direction through all of
them at once (``<grad, v>`` against the difference along ``v``), for every method.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

GRAD_METHODS = ("reference", "direct", "im2col", "auto")
ENTRIES = 6  # sampled entries per argument


def _loss(case, arrays, g):
    return float(np.sum(case.forward(arrays) * g))


def _shifted(arrays, name, delta):
    out = dict(arrays)
    out[name] = arrays[name] + delta
    return out


def _tolerance(case, arrays, g, h):
    """Rounding of two forward calls' dot products with G, divided by 2h: each output is a
    sum of at most ``reduction`` products, each loss a sum of ``y.size`` of them; their
    magnitudes at most those of the forward pass of ``|a| + h`` (a shift by ``h`` or by
    ``h * v``, ``|v| <= 1`` -- larger directions scale the bound by ``|v|``)."""
    y = case.forward({k: np.abs(v) + h for k, v in arrays.items()})
    bound = np.sum(np.abs(y) * np.abs(g))  # >= sum |products| through the whole loss
    terms = case.reduction + y.size + 2
    return 4 * terms * np.finfo(np.float64).eps * bound / (2 * h) + 1e-300


def _check(case, method, data):
    arrays = case.arrays
    y = case.forward(arrays)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    g = rng.standard_normal(y.shape)
    grads = case.gradients(arrays, g, method)
    h = 1.0
    tol = _tolerance(case, arrays, g, h)
    for name, a in arrays.items():
        assert grads[name].shape == a.shape, name
        assert grads[name].dtype == np.float64, name
        picks = rng.choice(a.size, size=min(ENTRIES, a.size), replace=False)
        for k in picks:
            e = np.zeros(a.size)
            e[k] = h
            e = e.reshape(a.shape)
            diff = (_loss(case, _shifted(arrays, name, e), g)) - _loss(
                case, _shifted(arrays, name, -e), g
            )
            measured = diff / (2 * h)
            got = grads[name].reshape(-1)[k]
            assert abs(got - measured) <= tol, (
                f"{case} method={method}: d L / d {name}[{np.unravel_index(k, a.shape)}] = "
                f"{got!r}, finite differences {measured!r}"
            )
        v = rng.uniform(-1.0, 1.0, a.shape)  # a direction through every entry
        measured = (
            _loss(case, _shifted(arrays, name, h * v), g)
            - _loss(case, _shifted(arrays, name, -h * v), g)
        ) / (2 * h)
        got = float(np.sum(grads[name] * v))
        assert abs(got - measured) <= tol * (1 + a.size), (
            f"{case} method={method}: <d L / d {name}, v>"
        )


@pytest.mark.parametrize("method", GRAD_METHODS)
@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_gradients_match_finite_differences(case_of, method, data):
    _check(case_of(data), method, data)


@pytest.mark.parametrize("family", ["conv", "depthwise", "separable", "spatial"])
@settings(deadline=None, max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_geometry_matches_finite_differences(case_of, family, data):
    # pads, strides and dilations far beyond a 1..3-pixel input along H (and pads of 20,
    # dilation 7 along W): the forward pass gathers the few pixels it reads
    # (refconv.padding.read_only_what_is_used), the gradient scatters back
    case = case_of(data, family=family, max_size=3)
    a = case.arrays
    kernel = {
        "conv": lambda: a["weight"].shape[2:],
        "depthwise": lambda: a["weight"].shape[2:],
        "separable": lambda: a["depthwise_weight"].shape[2:],
        "spatial": lambda: (a["column_weight"].shape[2], a["row_weight"].shape[3]),
    }[family]()
    size = a["x"].shape[-2:]
    big = data.draw(st.sampled_from([20, 300, 10**4]))
    dilation = (data.draw(st.sampled_from([1, big])), data.draw(st.sampled_from([1, 7])))
    pads = []
    for axis, (before, after) in enumerate(
        [(big, data.draw(st.integers(0, big))), (data.draw(st.integers(0, 5)), 20)]
    ):
        span = dilation[axis] * (kernel[axis] - 1) + 1
        pads.append((before, max(after, span - size[axis] - before)))
    kw = case.kwargs
    kw["padding"], kw["dilation"] = tuple(pads), dilation
    kw["stride"] = (big, data.draw(st.integers(1, 3)))
    kw["padding_mode"] = data.draw(st.sampled_from(["zeros", "replicate"]))  # others: pad < H
    for method in GRAD_METHODS:
        _check(case, method, data)
