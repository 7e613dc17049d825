"""Shared fixtures: the method list and a scipy-based oracle for any convolution refconv does.

The oracle is written from the definitions, independently of refconv's own argument handling:
it pads with ``np.pad``, correlates with ``scipy.signal.correlate2d`` one (image, output
channel, input channel) at a time, and keeps every ``stride``-th result. It always computes in
float64.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from scipy import signal

METHODS = ("reference", "direct", "im2col", "winograd", "auto")

# PyTorch's padding_mode -> numpy.pad's mode:  zeros: 0 0|a b c|0 0,  reflect: c b|a b c|b a,
# replicate: a a|a b c|c c,  circular: b c|a b c|a b.
NUMPY_PAD_MODE = {
    "zeros": "constant",
    "reflect": "reflect",
    "replicate": "edge",
    "circular": "wrap",
}


def pytest_configure(config):
    """In a worker of ``-n auto`` (one per CPU), the OpenMP threads of Numba's pool sleep as
    soon as a kernel ends instead of spinning for it: a spinning thread of one worker takes
    the CPU another worker is testing on (8 % of the suite's CPU time on two cores).
    Only where nobody chose a policy, and only before the pool starts (nothing here starts
    it); a lone process, as for ``-m bench``, keeps the default a user gets."""
    if os.environ.get("PYTEST_XDIST_WORKER") and "OMP_WAIT_POLICY" not in os.environ:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"


def pytest_xdist_auto_num_workers(config):
    """``-n auto`` (pyproject's addopts): one worker per CPU, but one process for the
    benchmarks (``-m bench``), which time calls and must not run two at a time."""
    selected = config.getoption("markexpr") or ""
    if "bench" in selected and "not bench" not in selected:
        return 0
    return None


@pytest.fixture
def as_forked_child(monkeypatch):
    """``as_forked_child(work, *args)`` runs ``work`` in this process the way a child forked
    after refconv ran does (the kernels' serial twins, ``refconv.kernels.runtime``): the twins
    compile here, once, and the children of a fork test inherit them instead of each compiling
    them with an empty cache. Returns what ``work`` returns."""
    from refconv.kernels import runtime

    def run(work, *args):
        with monkeypatch.context() as patch:
            patch.setattr(runtime, "_forked_child", True)
            return work(*args)

    return run


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def same_pads(size, kernel, stride, dilation):
    """TensorFlow / ONNX SAME_UPPER: ``ceil(size / stride)`` outputs, odd pixel at the end."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + dilation * (kernel - 1) + 1 - size, 0)
    return total // 2, total - total // 2


def explicit_pads(padding, kernel, stride, dilation, size):
    """Any accepted padding form as ((top, bottom), (left, right))."""
    if padding == "valid":
        return (0, 0), (0, 0)
    if padding == "same":
        return tuple(same_pads(*args) for args in zip(size, kernel, stride, dilation, strict=True))
    if isinstance(padding, int):
        return (padding, padding), (padding, padding)
    if all(isinstance(p, int) for p in padding):
        return (padding[0], padding[0]), (padding[1], padding[1])
    return tuple(padding[0]), tuple(padding[1])


def dilated_correlate2d(image, kernel, dilation):
    """Valid cross-correlation with a dilated kernel, without multiplying inserted zeros.

    ``D[r, c] = sum_pq kernel[p, q] * image[r + p*dh, c + q*dw]``. For each phase (a, b) the
    sub-image ``image[a::dh, b::dw]`` correlated with the plain kernel gives ``D[a::dh, b::dw]``,
    so NaN and Inf spread exactly as in an undilated correlation.
    """
    dh, dw = dilation
    k_h, k_w = kernel.shape
    rows = image.shape[0] - dh * (k_h - 1)
    cols = image.shape[1] - dw * (k_w - 1)
    out = np.empty((rows, cols))
    for a in range(min(dh, rows)):
        for b in range(min(dw, cols)):
            out[a::dh, b::dw] = signal.correlate2d(image[a::dh, b::dw], kernel, mode="valid")
    return out


def scipy_conv2d(
    x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros"
):
    """PyTorch-style conv2d (cross-correlation) built from np.pad and scipy.signal.correlate2d."""
    x = np.asarray(x, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    unbatched = x.ndim == 3
    if unbatched:
        x = x[np.newaxis]
    stride, dilation = _pair(stride), _pair(dilation)
    n_batch, _, height, width = x.shape
    c_out, c_group, k_h, k_w = weight.shape
    pads = explicit_pads(padding, (k_h, k_w), stride, dilation, (height, width))
    xp = np.pad(x, ((0, 0), (0, 0), *pads), mode=NUMPY_PAD_MODE[padding_mode])
    h_out = (xp.shape[2] - dilation[0] * (k_h - 1) - 1) // stride[0] + 1
    w_out = (xp.shape[3] - dilation[1] * (k_w - 1) - 1) // stride[1] + 1
    o_group = c_out // groups
    y = np.zeros((n_batch, c_out, h_out, w_out))
    with np.errstate(invalid="ignore"):  # Inf + -Inf across channels: NaN, quietly, as scipy
        for n in range(n_batch):
            for o in range(c_out):
                first = (o // o_group) * c_group  # first input channel of o's group
                for c in range(c_group):
                    full = dilated_correlate2d(xp[n, first + c], weight[o, c], dilation)
                    y[n, o] += full[:: stride[0], :: stride[1]]
                if bias is not None:
                    y[n, o] += np.float64(bias[o])
    return y[0] if unbatched else y


@pytest.fixture(scope="session")
def oracle():
    """``scipy_conv2d``: takes conv2d's arguments (less ``method``), returns float64."""
    return scipy_conv2d


@pytest.fixture(params=METHODS)
def method(request, monkeypatch):
    """Every value of ``method=``.

    ``"winograd"`` computes 3x3 kernels with stride 1 and dilation 1 only. Where a test's
    convolution is anything else, the call must be refused with refconv's message, and the
    test then goes on with im2col, so that its other assertions still run: every test
    that takes this fixture runs Winograd wherever it applies and checks the refusal
    everywhere else.
    """
    if request.param == "winograd":
        import refconv.functional.compute as compute
        from refconv.kernels import winograd_fits

        original = compute.run_conv2d

        def winograd_where_it_applies(
            x, weight, bias, stride, pads, dilation, groups, out, method="auto"
        ):
            if method == "winograd" and not winograd_fits(weight.shape, stride, dilation):
                with pytest.raises(
                    ValueError,
                    match=r"method='winograd' computes 3x3 kernels "
                    r"with stride 1 and dilation 1 only",
                ):
                    original(x, weight, bias, stride, pads, dilation, groups, out, method)
                method = "im2col"
            return original(x, weight, bias, stride, pads, dilation, groups, out, method)

        original_prepare = compute.prepare

        def refused_where_it_never_applies(
            x, weights, bias, method, padding_mode="zeros", refused=None
        ):
            # pointwise, separable and spatially separable convolutions refuse it up front
            if method == "winograd" and refused and "winograd" in refused:
                with pytest.raises(ValueError, match=r"method='winograd' does not apply here"):
                    original_prepare(x, weights, bias, method, padding_mode, refused)
                method = "im2col"
            return original_prepare(x, weights, bias, method, padding_mode, refused)

        monkeypatch.setattr(compute, "run_conv2d", winograd_where_it_applies)
        # no cached plans while prepare is patched: one built here would outlive the patch
        monkeypatch.setattr("refconv.functional.plans.PlanCache.get", lambda *args: None)
        for module in ("conv", "separable"):
            monkeypatch.setattr(
                f"refconv.functional.{module}.prepare", refused_where_it_never_applies
            )
    return request.param
