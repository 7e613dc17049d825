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

from collections.abc import Sequence
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
