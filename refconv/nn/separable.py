"""Separable convolution layers: depthwise-separable and spatially separable.

Each is two convolutions in one layer with one bias, after the second: depthwise then 1x1
(:class:`SeparableConv2d`, Keras ``SeparableConv2D``), or ``kH x 1`` then ``1 x kW``
(:class:`SpatialSeparableConv2d`). Their ``cost`` keeps the two passes in ``parts``.

Backward is the chain rule through the two steps (:mod:`refconv.grad`'s ``*_weights``
functions): ``dL/dmid`` from the second step's input gradient, then ``dL/dx`` from the first's;
each weight's gradient from its own step's weight gradient (the intermediate array is computed
again from the input for that). Forward keeps a reference to its input (no copy).

>>> layer = SeparableConv2d(3, 256, 5, bias=False, seed=0)
>>> [(name, part.multiplications) for name, part in layer.cost((3, 12, 12)).parts]
[('depthwise', 4800), ('pointwise', 49152)]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .. import arguments, counting, grad
from ..counting.opcount import IntOrPair
from ..functional import separable_conv2d, spatial_separable_conv2d
from .conv import compact, conv_arguments, conv_channels, expect_channels
from .init import Seed, initial_state, uniform
from .module import Module, forward_first


class SeparableConv2d(Module):
    """Depthwise-separable convolution, as Keras ``SeparableConv2D``: depthwise, then 1x1.

    Stride, padding and dilation belong to the depthwise step; one bias, after the pointwise
    step. Keras' parameter count: ``kH*kW*C_in*M + C_in*M*C_out + C_out``.

    Attributes
    ----------
    depthwise_weight : ndarray, shape (in_channels * depth_multiplier, 1, kH, kW)
    pointwise_weight : ndarray, shape (out_channels, in_channels * depth_multiplier, 1, 1)
    bias : ndarray, shape (out_channels,), or None

    Examples
    --------
    >>> layer = SeparableConv2d(32, 64, 3, padding="same", seed=0)
    >>> layer.cost((32, 16, 16)).params                  # Keras: 288 + 2048 + 64
    2400
    """

    parameter_names = ("depthwise_weight", "pointwise_weight", "bias")
    _saved: np.ndarray | None = None  # the last forward's input, for backward

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: IntOrPair,
        depth_multiplier: int = 1,
        stride: IntOrPair = 1,
        padding: object = 0,
        dilation: IntOrPair = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        *,
        seed: Seed = None,
        dtype: npt.DTypeLike = np.float32,
    ) -> None:
        super().__init__()
        self.in_channels, self.out_channels, self.kernel_size = conv_channels(
            in_channels, out_channels, kernel_size
        )
        self.depth_multiplier = arguments.positive_int(depth_multiplier, "depth_multiplier")
        self.stride, self.padding, self.dilation, self.padding_mode = conv_arguments(
            self.kernel_size, stride, padding, dilation, padding_mode
        )
        has_bias, rng, dtype = initial_state(bias, seed, dtype)
        mid = self.in_channels * self.depth_multiplier
        kh, kw = self.kernel_size
        self.depthwise_weight = uniform(rng, (mid, 1, kh, kw), kh * kw, dtype)
        self.pointwise_weight = uniform(rng, (self.out_channels, mid, 1, 1), mid, dtype)
        self.bias = uniform(rng, (self.out_channels,), mid, dtype) if has_bias else None

    def forward(self, x: np.ndarray) -> np.ndarray:
        y = separable_conv2d(
            x,
            self.depthwise_weight,
            self.pointwise_weight,
            self.bias,
            compact(self.stride),
            compact(self.padding),
            compact(self.dilation),
            self.padding_mode,
        )
        self._saved = arguments.as_float_array(x, "x")  # checked by now
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """``dL/dx`` by :func:`refconv.grad.separable_conv2d_weights`, which also gives the
        gradients of both weights and the bias (added to their ``.grad``)."""
        x = forward_first(self, self._saved)
        g = grad.separable_conv2d_weights(
            x,
            self.depthwise_weight,
            self.pointwise_weight,
            grad_output,
            compact(self.stride),
            compact(self.padding),
            compact(self.dilation),
            self.padding_mode,
        )
        self._saved = None
        self.accumulate_grad("depthwise_weight", g.depthwise_weight)
        self.accumulate_grad("pointwise_weight", g.pointwise_weight)
        if self.bias is not None:
            self.accumulate_grad("bias", g.bias)
        return g.x

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> counting.OpCount:
        expect_channels(self, self.in_channels, input_shape)
        return counting.separable_conv2d_cost(
            input_shape,
            self.out_channels,
            self.kernel_size,
            self.depth_multiplier,
            self.stride,
            self.padding,
            self.dilation,
            self.bias is not None,
            self.padding_mode,
            effective,
        )

    def counted(self, x: np.ndarray, effective: bool = False) -> tuple[np.ndarray, counting.Tally]:
        return counting.separable_conv2d_counted(
            x,
            self.depthwise_weight,
            self.pointwise_weight,
            self.bias,
            self.stride,
            self.padding,
            self.dilation,
            self.padding_mode,
            effective,
            in_channels=self.in_channels,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"depth_multiplier={self.depth_multiplier}, stride={self.stride}, "
            f"padding={self.padding!r}, bias={self.bias is not None}"
        )


class SpatialSeparableConv2d(Module):
    """Spatially separable convolution: ``kH x 1`` (C_in -> R), then ``1 x kW`` (R -> C_out).

    ``R = intermediate_channels`` (default ``out_channels``, as in the articles' Keras and
    PyTorch blocks); ``groups`` applies to both passes; one bias, after the second pass.
    ``stride``, ``padding`` and ``dilation`` are those of the equivalent ``kH x kW`` conv.

    Attributes
    ----------
    column_weight : ndarray, shape (R, in_channels // groups, kH, 1)
    row_weight : ndarray, shape (out_channels, R // groups, 1, kW)
    bias : ndarray, shape (out_channels,), or None

    Examples
    --------
    >>> layer = SpatialSeparableConv2d(1, 1, 5, bias=False, seed=0)
    >>> layer.cost((1, 12, 12)).multiplications         # 8*12*5 + 8*8*5
    800
    """

    parameter_names = ("column_weight", "row_weight", "bias")
    _saved: np.ndarray | None = None  # the last forward's input, for backward

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: IntOrPair,
        intermediate_channels: int | None = None,
        stride: IntOrPair = 1,
        padding: object = 0,
        dilation: IntOrPair = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        *,
        seed: Seed = None,
        dtype: npt.DTypeLike = np.float32,
    ) -> None:
        super().__init__()
        self.in_channels, self.out_channels, self.kernel_size = conv_channels(
            in_channels, out_channels, kernel_size
        )
        self.intermediate_channels = (
            self.out_channels
            if intermediate_channels is None
            else arguments.positive_int(intermediate_channels, "intermediate_channels")
        )
        self.groups = arguments.positive_int(groups, "groups")
        self._check_groups(intermediate_channels is None)
        self.stride, self.padding, self.dilation, self.padding_mode = conv_arguments(
            self.kernel_size, stride, padding, dilation, padding_mode
        )
        has_bias, rng, dtype = initial_state(bias, seed, dtype)
        kh, kw = self.kernel_size
        r, g = self.intermediate_channels, self.groups
        self.column_weight = uniform(
            rng, (r, self.in_channels // g, kh, 1), self.in_channels // g * kh, dtype
        )
        self.row_weight = uniform(rng, (self.out_channels, r // g, 1, kw), r // g * kw, dtype)
        self.bias = uniform(rng, (self.out_channels,), r // g * kw, dtype) if has_bias else None

    def _check_groups(self, default_intermediate: bool) -> None:
        """``groups`` must divide the channels of both passes; say what per-channel means."""
        given = " (its default, out_channels)" if default_intermediate else ""
        for name, value in (
            ("in_channels", self.in_channels),
            ("intermediate_channels", self.intermediate_channels),
            ("out_channels", self.out_channels),
        ):
            if value % self.groups:
                raise ValueError(
                    f"groups={self.groups} must divide in_channels, intermediate_channels and "
                    f"out_channels; got {name}={value}"
                    f"{given if name == 'intermediate_channels' else ''}. Per channel "
                    f"(groups=in_channels) each pass can only multiply the channel count, so "
                    f"{self.in_channels} -> {self.out_channels} needs out_channels a multiple "
                    f"of in_channels; to mix channels, follow it with PointwiseConv2d or use "
                    f"groups=1."
                )

    def forward(self, x: np.ndarray) -> np.ndarray:
        y = spatial_separable_conv2d(
            x,
            self.column_weight,
            self.row_weight,
            self.bias,
            compact(self.stride),
            compact(self.padding),
            compact(self.dilation),
            self.groups,
            self.padding_mode,
        )
        self._saved = arguments.as_float_array(x, "x")  # checked by now
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """``dL/dx`` by :func:`refconv.grad.spatial_separable_conv2d_weights`, which also
        gives the gradients of both weights and the bias (added to their ``.grad``)."""
        x = forward_first(self, self._saved)
        g = grad.spatial_separable_conv2d_weights(
            x,
            self.column_weight,
            self.row_weight,
            grad_output,
            compact(self.stride),
            compact(self.padding),
            compact(self.dilation),
            self.groups,
            self.padding_mode,
        )
        self._saved = None
        self.accumulate_grad("column_weight", g.column_weight)
        self.accumulate_grad("row_weight", g.row_weight)
        if self.bias is not None:
            self.accumulate_grad("bias", g.bias)
        return g.x

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> counting.OpCount:
        expect_channels(self, self.in_channels, input_shape)
        return counting.spatial_separable_conv2d_cost(
            input_shape,
            self.out_channels,
            self.kernel_size,
            self.intermediate_channels,
            self.stride,
            self.padding,
            self.dilation,
            self.groups,
            self.bias is not None,
            self.padding_mode,
            effective,
        )

    def counted(self, x: np.ndarray, effective: bool = False) -> tuple[np.ndarray, counting.Tally]:
        return counting.spatial_separable_conv2d_counted(
            x,
            self.column_weight,
            self.row_weight,
            self.bias,
            self.stride,
            self.padding,
            self.dilation,
            self.groups,
            self.padding_mode,
            effective,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"intermediate_channels={self.intermediate_channels}, stride={self.stride}, "
            f"padding={self.padding!r}, groups={self.groups}, bias={self.bias is not None}"
        )
