"""The forward pass's argument checks, as the gradient functions run them.

A gradient function is handed what the forward call was handed -- or, where it does not need
the array itself, only its shape (``input_shape`` of ``conv2d_input``, ``weight_shape`` of
``conv2d_weight``) -- plus ``grad_output``. It checks them exactly as the forward function
does, with the same helpers (:mod:`refconv.arguments`, :mod:`refconv.functional.compute`) and
so the same messages; a shape stands in for its array through :func:`shaped`, a zero-strided
array that has the shape and takes no memory. Then ``grad_output`` must have the shape of the
forward output (:func:`check_grad_output`).

Each ``*_forward`` function here follows the checks of one forward function, in its order,
and returns the geometry the kernels need. Where the forward function words an error inline
(the pointwise, separable and spatially separable shape checks), the words are repeated here;
``tests/grad/test_grad_errors.py`` holds both to the same message.
"""

from __future__ import annotations

import numpy as np

from .. import arguments
from ..arguments import ConvGeometry, PassGeometry
from ..functional.compute import check_depthwise_weight

Shape4 = tuple[int, int, int, int]
Geometries = tuple[ConvGeometry, ConvGeometry]

# The gradients have direct and im2col kernels only.
NO_WINOGRAD = {
    "winograd": "the gradients have no Winograd kernel (they run the reference loops, the "
    "direct loops or im2col + GEMM)"
}


def method(value: object) -> str:
    """``method`` checked as the forward pass checks it, Winograd refused with the reason."""
    return arguments.choice(value, "method", arguments.METHODS, refused=NO_WINOGRAD)


def padding_mode(value: object) -> str:
    return arguments.choice(value, "padding_mode", arguments.PADDING_MODES)


def shaped(shape: tuple[int, ...]) -> np.ndarray:
    """A read-only array of ``shape`` that takes no memory: a shape, for checks that read
    only ``.ndim`` and ``.shape``."""
    return np.broadcast_to(np.float64(0.0), shape)


def shape_argument(value: object, name: str, layout: str) -> tuple[int, ...]:
    """A shape given as a tuple or list of ints (NumPy ints accepted), none negative."""
    if not (isinstance(value, (tuple, list)) and all(arguments.is_int(v) for v in value)):
        raise TypeError(
            f"{name} must be a tuple of ints, {layout}; got {value!r}. Pass the array's "
            f".shape, e.g. {name}=x.shape"
        )
    shape = tuple(int(v) for v in value)
    if min(shape, default=0) < 0:
        raise ValueError(f"{name} must have no negative size; got {shape}")
    return shape


def input_shape(value: object) -> tuple[Shape4, bool]:
    """``input_shape`` of a ``*_input`` function: ``(N, C_in, H, W)`` or unbatched
    ``(C_in, H, W)``, as the forward pass accepts ``x``. Returns the 4-D shape and whether
    it was unbatched."""
    layout = "(N, C_in, H, W) or unbatched (C_in, H, W)"
    shape = shape_argument(value, "input_shape", layout)
    x, unbatched = arguments.check_input(shaped(shape), "x")  # the forward's message
    n, c, h, w = x.shape
    return (n, c, h, w), unbatched


def weight_shape(value: object, layout: str) -> Shape4:
    """``weight_shape`` of a ``*_weight`` function: four ints; the family's checks follow."""
    shape = shape_argument(value, "weight_shape", layout)
    arguments.check_weight(shaped(shape), "weight", layout)
    o, c, kh, kw = shape
    return o, c, kh, kw


def check_grad_output(
    grad_output: np.ndarray, out_shape: tuple[int, ...], unbatched: bool, what: str
) -> np.ndarray:
    """``grad_output`` must have the shape of the forward output; returned 4-D.

    ``out_shape`` is the 4-D forward output, ``what`` the forward call in words
    (:func:`describe`).
    """
    expected = out_shape[1:] if unbatched else tuple(out_shape)
    if grad_output.shape != expected:
        raise ValueError(
            f"grad_output must have the shape of the forward output: {expected}, {what}; "
            f"got grad_output.shape={grad_output.shape}"
        )
    return grad_output[np.newaxis] if unbatched else grad_output


def grad_output_and_dtype(
    grad_output: np.ndarray,
    out_shape: tuple[int, ...],
    unbatched: bool,
    what: str,
    *operands: np.ndarray,
) -> tuple[np.ndarray, np.dtype]:
    """:func:`check_grad_output`, and the gradient's dtype: float32 when ``operands`` (the
    forward call's arrays that the gradient is computed from) and ``grad_output`` all are,
    else float64; native byte order."""
    grad_output = check_grad_output(grad_output, out_shape, unbatched, what)
    return grad_output, arguments.result_dtype(*operands, grad_output).newbyteorder("=")


def output_shape(x_shape: Shape4, c_out: int, geometry: ConvGeometry) -> Shape4:
    """The forward output ``(N, C_out, H_out, W_out)``."""
    return x_shape[0], c_out, geometry.out_size[0], geometry.out_size[1]


def conv_forward(
    x_shape: Shape4,
    w_shape: Shape4,
    stride: object,
    padding: object,
    dilation: object,
    groups: object,
    mode: str,
) -> ConvGeometry:
    """The checks of :func:`refconv.conv2d` after ``prepare``."""
    arguments.check_weight(shaped(w_shape))
    return arguments.conv_geometry(x_shape, w_shape, stride, padding, dilation, groups, mode)


def depthwise_forward(
    x_shape: Shape4,
    w_shape: Shape4,
    stride: object,
    padding: object,
    dilation: object,
    mode: str,
) -> ConvGeometry:
    """The checks of :func:`refconv.depthwise_conv2d` after ``prepare``: ``groups = C_in``."""
    check_depthwise_weight(shaped(w_shape), x_shape, "weight", "weight for a depthwise convolution")
    return arguments.conv_geometry(x_shape, w_shape, stride, padding, dilation, x_shape[1], mode)


def pointwise_forward(x_shape: Shape4, w_shape: Shape4, groups: object) -> ConvGeometry:
    """The checks of :func:`refconv.pointwise_conv2d` after ``prepare``."""
    arguments.check_weight(shaped(w_shape), layout="(C_out, C_in // groups, 1, 1)")
    if w_shape[2:] != (1, 1):
        raise ValueError(
            f"weight for a pointwise convolution must have shape (C_out, C_in // groups, 1, 1); "
            f"got {w_shape}. A 2-D matrix w of shape (C_out, C_in) becomes "
            f"w[:, :, None, None]."
        )
    return arguments.conv_geometry(x_shape, w_shape, 1, 0, 1, groups, "zeros")


def separable_forward(
    x_shape: Shape4,
    dw_shape: Shape4,
    pw_shape: Shape4,
    stride: object,
    padding: object,
    dilation: object,
    mode: str,
) -> Geometries:
    """The checks of :func:`refconv.separable_conv2d` after ``prepare``: the geometry of its
    depthwise step and of its pointwise step."""
    check_depthwise_weight(shaped(dw_shape), x_shape, "depthwise_weight", "depthwise_weight")
    arguments.check_weight(
        shaped(pw_shape), "pointwise_weight", "(C_out, C_in * depth_multiplier, 1, 1)"
    )
    if pw_shape[1:] != (dw_shape[0], 1, 1):
        raise ValueError(
            f"pointwise_weight must have shape (C_out, C_in * depth_multiplier, 1, 1) = "
            f"(C_out, {dw_shape[0]}, 1, 1); got pointwise_weight.shape={pw_shape}, "
            f"depthwise_weight.shape={dw_shape}"
        )
    depthwise = arguments.conv_geometry(
        x_shape, dw_shape, stride, padding, dilation, x_shape[1], mode, w_name="depthwise_weight"
    )
    pointwise = ConvGeometry((1, 1), (1, 1), ((0, 0), (0, 0)), 1, depthwise.out_size)
    return depthwise, pointwise


def spatial_forward(
    x_shape: Shape4,
    cw_shape: Shape4,
    rw_shape: Shape4,
    stride: object,
    padding: object,
    dilation: object,
    groups: object,
    mode: str,
) -> Geometries:
    """The checks of :func:`refconv.spatial_separable_conv2d` after ``prepare``: the geometry
    of its kH x 1 pass and of its 1 x kW pass (:func:`refconv.arguments.spatial_passes`)."""
    arguments.check_weight(shaped(cw_shape), "column_weight", "(R, C_in // groups, kH, 1)")
    arguments.check_weight(shaped(rw_shape), "row_weight", "(C_out, R // groups, 1, kW)")
    if cw_shape[3] != 1:
        raise ValueError(
            f"column_weight must be a kH x 1 kernel, shape (R, C_in // groups, kH, 1); got "
            f"{cw_shape}"
        )
    if rw_shape[2] != 1:
        raise ValueError(
            f"row_weight must be a 1 x kW kernel, shape (C_out, R // groups, 1, kW); got {rw_shape}"
        )
    g = arguments.positive_int(groups, "groups")
    column, row = arguments.spatial_passes(
        x_shape, (cw_shape[2], rw_shape[3]), stride, padding, dilation, mode
    )
    first = arguments.conv_geometry(x_shape, cw_shape, *column, g, mode, w_name="column_weight")
    return first, _second_pass(x_shape, cw_shape, rw_shape, row, g, first, mode)


def _second_pass(
    x_shape: Shape4,
    cw_shape: Shape4,
    rw_shape: Shape4,
    row: PassGeometry,
    g: int,
    first: ConvGeometry,
    mode: str,
) -> ConvGeometry:
    """The 1 x kW pass on the kH x 1 pass's output, with the forward pass's message."""
    mid_shape = (x_shape[0], cw_shape[0], first.out_size[0], x_shape[3])
    try:
        return arguments.conv_geometry(
            mid_shape,
            rw_shape,
            *row,
            g,
            mode,
            x_name="the K x 1 output",
            w_name="row_weight",
        )
    except ValueError as exc:
        raise ValueError(
            f"row_weight does not fit the output of the first (kH x 1) pass: {exc}. With "
            f"groups={g}, C_out = row_weight.shape[0] must be a multiple of groups and "
            f"row_weight.shape[1] must be R // groups with R = column_weight.shape[0] = "
            f"{cw_shape[0]}; per channel, C_in -> C_out needs C_out to be a multiple of C_in "
            f"(use pointwise_conv2d afterwards to mix channels)."
        ) from None


def describe(x_shape: tuple[int, ...], weights: dict[str, tuple[int, ...]]) -> str:
    """The forward call in words, for the grad_output message."""
    kernels = " and ".join(f"{name} {tuple(shape)}" for name, shape in weights.items())
    return f"the output of the forward call on x {tuple(x_shape)} with {kernels}"
