"""The adjoint identity: ``<conv(x, w), G> == <x, dL/dx> == <w, dL/dw>``.

A convolution is linear in ``x``: ``y = A x`` for a matrix ``A`` that depends on ``w``. The
input gradient of ``L = <y, G>`` is ``A^T G``, the adjoint, so ``<A x, G> = <x, A^T G>``:
one forward call and one gradient call, two numbers that must agree. Likewise in ``w``, and
in each argument of a two-step block (``y`` is linear in each one of them). Cheap and
strong: an index off by one anywhere in a gradient changes the right-hand side.

With small integers every product and sum is exact in float64 and float32 alike, so the
numbers must be *equal*, for every family, option and method; with random floats, equal to
rounding.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refconv import grad
from refconv.testing import assert_conv_close

GRAD_METHODS = ("reference", "direct", "im2col", "auto")


def _inner(a, b):
    return float(np.sum(a.astype(np.float64) * b.astype(np.float64)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@settings(deadline=None, max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_adjoint_identity_exact_on_integers(case_of, dtype, data):
    case = case_of(data, dtype=dtype, integers=True)
    arrays = {k: v for k, v in case.arrays.items() if k != "bias"}  # bias: not linear
    y = case.forward(arrays)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    g = rng.integers(-3, 4, y.shape).astype(dtype)
    forward = _inner(y, g)
    for method in GRAD_METHODS:
        grads = case.gradients(arrays, g, method)
        for name, a in arrays.items():
            assert grads[name].dtype == dtype, (name, method)
            # y is linear in each argument: <y, G> = <a, dL/da> for each one
            assert _inner(a, grads[name]) == forward, f"{case} {method}: <{name}, dL/d{name}>"


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_adjoint_identity_to_rounding_and_methods_agree(case_of, data):
    case = case_of(data, dtype=np.float32)
    arrays = case.arrays
    y = case.forward(arrays)
    g = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))).standard_normal(y.shape)
    g = g.astype(np.float32)
    spec = case.gradients(arrays, g, "reference")
    # the same gradients of |arrays| by |G|: each entry's sum of |products| (the scale of
    # assert_conv_close); an entry sums at most reduction * y.size of them
    scales = case.gradients({k: np.abs(v) for k, v in arrays.items()}, np.abs(g), "reference")
    for method in ("direct", "im2col", "auto"):
        fast = case.gradients(arrays, g, method)
        for name in arrays:
            assert_conv_close(
                fast[name],
                spec[name],
                reduction=case.reduction * y.size,
                scale=scales[name],
                err_msg=f"{case} {name} {method}",
            )
    linear = case.forward({k: v for k, v in arrays.items() if k != "bias"})
    for name, a in arrays.items():
        if name == "bias":
            continue
        lhs, rhs = _inner(linear, g), _inner(a, spec[name])
        # float32: every term rounded to 24 bits, sums of up to reduction * outputs terms
        scale = _inner(np.abs(linear), np.abs(g)) + 1.0
        assert abs(lhs - rhs) <= 1e-5 * case.reduction * scale, f"{case}: <{name}, dL/d{name}>"


def test_adjoint_of_the_bias():
    # y = conv + b[o] everywhere in channel o: <1_o, G> is the sum of channel o's gradient
    g = np.arange(24.0).reshape(2, 3, 2, 2)
    db = grad.conv2d_bias(g)
    for o in range(3):
        e = np.zeros(3)
        e[o] = 1.0
        assert _inner(e, db) == np.sum(g[:, o])
