"""The steps every convolution function shares: prepare the arrays, then compute.

:func:`prepare` turns the user's arguments into float arrays of one dtype (integers and bools
compute in float64), with a batch axis; :func:`convolve` takes a validated convolution to a
kernel: it makes the arrays contiguous, allocates the output, applies a non-zero padding mode
and reduces far-away pads to the pixels the output reads
(:func:`refconv.padding.read_only_what_is_used`), then runs the kernel ``method`` names
(:func:`refconv.kernels.run_conv2d`; ``"reference"`` is the definition,
:func:`refconv.kernels.reference.conv2d_reference`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .. import arguments
from ..kernels import new_output, run_conv2d
from ..padding import read_only_what_is_used

PaddingArg = int | tuple[int, int] | tuple[tuple[int, int], tuple[int, int]] | str
IntPair = int | tuple[int, int]


class Call(NamedTuple):
    """A public function's arguments after :func:`prepare`: checked and converted."""

    x: np.ndarray  # (N, C_in, H, W): a batch axis added when the input was (C_in, H, W)
    weights: list[np.ndarray]  # float arrays, in the order given
    bias: np.ndarray | None
    dtype: np.dtype  # NumPy's promotion of them all, native byte order
    method: str
    padding_mode: str
    unbatched: bool

    def result(self, y: np.ndarray) -> np.ndarray:
        """``y`` (N, ...) without the batch axis if the input had none."""
        return y[0] if self.unbatched else y


def prepare(
    x: ArrayLike,
    weights: Sequence[tuple[ArrayLike, str]],
    bias: ArrayLike | None,
    method: object,
    padding_mode: object = "zeros",
    refused: dict[str, str] | None = None,
) -> Call:
    """Check ``method`` and ``padding_mode``, convert to float arrays, check ranks and pick the
    compute dtype. ``refused``: methods that do not apply to the caller, with the reason."""
    method = arguments.choice(method, "method", arguments.METHODS, refused=refused)
    padding_mode = arguments.choice(padding_mode, "padding_mode", arguments.PADDING_MODES)
    xa = arguments.as_float_array(x, "x")
    was = [arguments.as_float_array(w, name) for w, name in weights]
    ba = None if bias is None else arguments.as_float_array(bias, "bias")
    xa, unbatched = arguments.check_input(xa)
    dtype = arguments.result_dtype(xa, *was, ba).newbyteorder("=")
    return Call(xa, was, ba, dtype, method, padding_mode, unbatched)


def contiguous(a: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Native byte order, C order, writeable (so every call has the same Numba signature).

    Returns ``a`` itself when it already qualifies: the kernels only ever read it.
    """
    out = np.ascontiguousarray(a, dtype=dtype)
    if not out.flags.writeable:
        out = out.copy()
    return out


def check_depthwise_weight(
    weight: np.ndarray, x_shape: tuple[int, ...], name: str, what: str
) -> None:
    """A depthwise weight is ``(C_in * depth_multiplier, 1, kH, kW)``."""
    layout = "(C_in * depth_multiplier, 1, kH, kW)"
    arguments.check_weight(weight, name, layout)
    c_in = x_shape[1]
    if weight.shape[1] != 1 or weight.shape[0] % c_in:
        raise ValueError(
            f"{what} must have shape {layout} with C_in = {c_in}; got "
            f"{name}.shape={weight.shape}, x.shape={x_shape}"
        )


def convolve(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None,
    geometry: arguments.ConvGeometry,
    call: Call,
) -> np.ndarray:
    """One validated convolution of a 4-D ``x`` (N, C_in, H, W): (N, C_out, H_out, W_out),
    with the padding mode, method and dtype of ``call``."""
    padding_mode, method, dtype = call.padding_mode, call.method, call.dtype
    x = contiguous(x, dtype)
    weight = contiguous(weight, dtype)
    bias = None if bias is None else contiguous(bias, dtype)
    out = new_output((x.shape[0], weight.shape[0], *geometry.out_size), dtype)
    if x.shape[0] == 0:
        return out
    # other padding modes applied; pads, strides and dilations far beyond the input reduced
    # to the pixels the output reads (memory bounded by the input and the output)
    x, stride, pads, dilation = read_only_what_is_used(
        x,
        weight.shape[2:],
        geometry.stride,
        geometry.pads,
        geometry.dilation,
        geometry.out_size,
        padding_mode,
    )
    return run_conv2d(x, weight, bias, stride, pads, dilation, geometry.groups, out, method)


class ConvPlan(NamedTuple):
    """A checked call of a one-step function (``conv2d`` and friends): everything but its
    arrays' values, as :mod:`.plans` caches it."""

    call: Call  # dtype, method, padding mode, batch axis (arrays: stand-ins in a cached plan)
    geometry: arguments.ConvGeometry


def run_conv(
    plan: ConvPlan, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None
) -> np.ndarray:
    """Compute a planned one-step call on its arrays (``x`` 4-D) with :func:`convolve`; the
    batch axis goes if the input had none."""
    return plan.call.result(convolve(x, weight, bias, plan.geometry, plan.call))


# (x, first weight, second weight, bias, stride, pads, dilation, out=out) -> out
BlockKernel = Callable[..., np.ndarray]


class BlockPlan(NamedTuple):
    """A checked call of a two-step function (depthwise-separable, spatially separable):
    everything but its arrays' values, as :mod:`.plans` caches it."""

    call: Call  # dtype, method, padding mode, batch axis (arrays: stand-ins in a cached plan)
    first: arguments.ConvGeometry  # the first step's geometry
    second: arguments.ConvGeometry  # the second step's
    block: arguments.ConvGeometry  # the equivalent kH x kW convolution's
    kernel_size: arguments.Pair  # (kH, kW)
    out_channels: int
    run: BlockKernel | None  # the fused kernel, or None: the two calls


def run_block(
    plan: BlockPlan,
    x: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    bias: np.ndarray | None,
) -> np.ndarray:
    """Compute a planned two-step call on its arrays (``x`` 4-D): the two convolutions one
    after the other (``plan.run`` is None: ``method="reference"``, the definition), or the
    fused kernel :func:`convolve_block` runs. The batch axis goes if the input had none."""
    if plan.run is None:
        mid = convolve(x, first, None, plan.first, plan.call)  # (N, C_mid, H_out, W_mid)
        y = convolve(mid, second, bias, plan.second, plan.call)  # (N, C_out, H_out, W_out)
    else:
        y = convolve_block(
            x,
            first,
            second,
            bias,
            plan.block,
            plan.kernel_size,
            plan.out_channels,
            plan.call,
            plan.run,
        )
    return plan.call.result(y)


def convolve_block(
    x: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    bias: np.ndarray | None,
    geometry: arguments.ConvGeometry,
    kernel_size: arguments.Pair,
    out_channels: int,
    call: Call,
    run: BlockKernel,
) -> np.ndarray:
    """A validated two-step block of a 4-D ``x`` computed by one fused kernel ``run``:
    (N, out_channels, H_out, W_out).

    ``geometry`` and ``kernel_size`` are those of the equivalent ``kH x kW`` convolution;
    the arrays are made contiguous, the padding mode applied and far-away pads reduced as
    :func:`convolve` does, then ``run(x, first, second, bias, stride, pads, dilation, out=out)``.
    """
    dtype = call.dtype
    x = contiguous(x, dtype)
    first = contiguous(first, dtype)
    second = contiguous(second, dtype)
    bias = None if bias is None else contiguous(bias, dtype)
    out = new_output((x.shape[0], out_channels, *geometry.out_size), dtype)
    if x.shape[0] == 0:
        return out
    x, stride, pads, dilation = read_only_what_is_used(
        x,
        kernel_size,
        geometry.stride,
        geometry.pads,
        geometry.dilation,
        geometry.out_size,
        call.padding_mode,
    )
    return run(x, first, second, bias, stride, pads, dilation, out=out)
