"""Convolution layers: :class:`Conv2d` and its two special cases, depthwise and pointwise.

Each layer holds its weights and runs the functional API (:func:`refconv.conv2d` and
friends); its ``backward`` runs :mod:`refconv.grad` with the same arguments; its ``cost`` and
``counted`` are :mod:`refconv.counting`'s closed form and counted loop for the same
convolution. The helpers here are shared with :mod:`refconv.nn.separable`.

Backward (``docs/gradients-notes.md`` derives each identity): for ``y = conv(x, w) + b``,
``dL/dx`` sends every output's gradient back through the window it read, weighted by the kernel
(with stride 1, a full convolution of ``dL/dy`` with the flipped kernel); ``dL/dw`` is the
correlation of the (padded) input with ``dL/dy``; ``dL/db`` is ``dL/dy`` summed over N, H, W.
Forward keeps a reference to its input (no copy), which ``dL/dw`` needs.

>>> import numpy as np
>>> conv = Conv2d(3, 8, 3, padding=1, seed=0, dtype=np.float64)
>>> y, tally = conv.counted(np.ones((3, 4, 4)))
>>> bool(np.allclose(y, conv(np.ones((3, 4, 4)))))
True
>>> tally.multiplications == conv.cost((3, 4, 4)).multiplications == 8 * 16 * 27
True
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt

from .. import arguments, counting, grad
from ..counting.opcount import IntOrPair
from ..functional import conv2d, depthwise_conv2d, pointwise_conv2d
from ..functional.compute import IntPair, PaddingArg
from .init import Seed, initial_state, uniform
from .module import Module, forward_first

# padding as PyTorch's Conv2d stores it: (ph, pw), ((top, bottom), (left, right)) or a string
StoredPadding = arguments.Pair | arguments.Pads | str


def conv_arguments(
    kernel: arguments.Pair, stride: object, padding: object, dilation: object, padding_mode: object
) -> tuple[arguments.Pair, StoredPadding, arguments.Pair, str]:
    """Check a convolution layer's ``stride``, ``padding``, ``dilation`` and ``padding_mode``;
    return them as PyTorch's ``Conv2d`` stores them.

    ``stride`` and ``dilation`` become ``(h, w)`` tuples, a numeric ``padding`` ``(ph, pw)``
    (asymmetric ``((top, bottom), (left, right))`` as such), ``"same"`` / ``"valid"`` stay as
    given: ``"same"`` needs the input size, so here only its spelling is checked.

    >>> conv_arguments((3, 3), 2, 1, 1, "zeros")
    ((2, 2), (1, 1), (1, 1), 'zeros')
    >>> conv_arguments((3, 3), 1, ((1, 0), (2, 1)), 1, "reflect")[1]
    ((1, 0), (2, 1))
    """
    s = arguments.pair(stride, "stride", 1)
    d = arguments.pair(dilation, "dilation", 1)
    pads = arguments.explicit_padding(padding, kernel, s, d, (1, 1))  # any size will do
    mode = arguments.choice(padding_mode, "padding_mode", arguments.PADDING_MODES)
    if isinstance(padding, str):
        return s, padding, d, mode
    (top, bottom), (left, right) = pads
    nested = isinstance(padding, (tuple, list)) and isinstance(padding[0], (tuple, list))
    if top == bottom and left == right and not nested:  # an int or (ph, pw), as given
        return s, (top, left), d, mode
    return s, pads, d, mode


T = TypeVar("T")


def compact(value: T) -> T | int:
    """``(a, a)`` -> ``a`` for the functional call, which caches its checks for plain ints.

    >>> compact((2, 2)), compact((1, 2)), compact("same")
    (2, (1, 2), 'same')
    """
    seen: object = value  # T promises nothing: look at it as any object
    if type(seen) is tuple and len(seen) == 2:
        first = seen[0]
        if type(first) is int and first == seen[1]:
            return first
    return value


def conv_channels(
    in_channels: object, out_channels: object, kernel_size: object
) -> tuple[int, int, arguments.Pair]:
    """Check a convolution layer's ``in_channels``, ``out_channels`` and ``kernel_size``;
    return them as ints and a ``(kH, kW)`` pair.

    >>> conv_channels(3, 8, 5)
    (3, 8, (5, 5))
    """
    return (
        arguments.positive_int(in_channels, "in_channels"),
        arguments.positive_int(out_channels, "out_channels"),
        arguments.pair(kernel_size, "kernel_size", 1),
    )


def expect_channels(layer: Module, in_channels: int, input_shape: tuple[int, ...]) -> None:
    """A convolution's ``cost(input_shape)`` takes ``(C, H, W)`` with ``C = in_channels``."""
    if len(input_shape) != 3 or input_shape[0] != in_channels:
        raise ValueError(
            f"{type(layer).__name__} expects input_shape (C, H, W) with C = in_channels = "
            f"{in_channels}; got {tuple(input_shape)}"
        )


class Conv2d(Module):
    """2-D convolution (technically, cross-correlation), as ``torch.nn.Conv2d``.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (kH, kW)
    stride, padding, dilation, groups, padding_mode
        As in :func:`refconv.conv2d` (``padding="same"`` is TensorFlow's SAME).
    bias : bool, default True
    seed : int, numpy Generator or None
    dtype : np.float32 (default) or np.float64

    Attributes
    ----------
    weight : ndarray, shape (out_channels, in_channels // groups, kH, kW)
    bias : ndarray, shape (out_channels,), or None
    kernel_size, stride, dilation : (int, int)
    padding : (int, int), ((top, bottom), (left, right)), or the string given

    Examples
    --------
    >>> import numpy as np
    >>> conv = Conv2d(3, 32, 3, padding=1, seed=0)
    >>> conv.weight.shape, conv(np.zeros((3, 8, 8), dtype=np.float32)).shape
    ((32, 3, 3, 3), (32, 8, 8))
    >>> conv.backward(np.ones((32, 8, 8), dtype=np.float32)).shape       # dL/dx
    (3, 8, 8)
    >>> conv.get_parameter("bias").grad[:3]                             # 8*8 ones each
    array([64., 64., 64.], dtype=float32)
    >>> c = conv.cost((3, 32, 32))
    >>> c.params, c.multiplications, c.additions          # 864 + 32; 32*32*32*27; ... *27
    (896, 884736, 884736)
    >>> conv.stride, conv.padding                         # stored as PyTorch stores them
    ((1, 1), (1, 1))
    """

    parameter_names = ("weight", "bias")
    _saved: np.ndarray | None = None  # the last forward's input, for backward

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: IntOrPair,
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
        self.groups = arguments.positive_int(groups, "groups")
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(
                f"groups={self.groups} must divide in_channels={self.in_channels} and "
                f"out_channels={self.out_channels}"
            )
        self.stride, self.padding, self.dilation, self.padding_mode = conv_arguments(
            self.kernel_size, stride, padding, dilation, padding_mode
        )
        has_bias, rng, dtype = initial_state(bias, seed, dtype)
        c_group = self.in_channels // self.groups
        fan_in = c_group * self.kernel_size[0] * self.kernel_size[1]
        self.weight = uniform(rng, (self.out_channels, c_group, *self.kernel_size), fan_in, dtype)
        self.bias = uniform(rng, (self.out_channels,), fan_in, dtype) if has_bias else None

    def forward(self, x: np.ndarray) -> np.ndarray:
        y = conv2d(
            x,
            self.weight,
            self.bias,
            compact(self.stride),
            compact(self.padding),
            compact(self.dilation),
            self.groups,
            self.padding_mode,
        )
        self._saved = arguments.as_float_array(x, "x")  # checked by conv2d by now
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """``dL/dx``; adds ``dL/dweight`` and ``dL/dbias`` to their ``.grad``."""
        x = forward_first(self, self._saved)
        grad_x = self.input_gradient(x.shape, grad_output)  # checks grad_output's shape
        self._saved = None
        self.accumulate_grad("weight", self.weight_gradient(x, grad_output))
        if self.bias is not None:
            self.accumulate_grad("bias", grad.conv2d_bias(grad_output))
        return grad_x

    def input_gradient(self, input_shape: tuple[int, ...], grad_output: np.ndarray) -> np.ndarray:
        """``dL/dx`` for an input of ``input_shape``: :func:`refconv.grad.conv2d_input`."""
        return grad.conv2d_input(input_shape, self.weight, grad_output, *self._geometry())

    def weight_gradient(self, x: np.ndarray, grad_output: np.ndarray) -> np.ndarray:
        """``dL/dweight``: :func:`refconv.grad.conv2d_weight`."""
        return grad.conv2d_weight(x, self.weight.shape, grad_output, *self._geometry())

    def _geometry(self) -> tuple[IntPair, PaddingArg, IntPair, int, str]:
        """stride, padding, dilation, groups, padding_mode, as the forward call gets them."""
        return (
            compact(self.stride),
            compact(self.padding),
            compact(self.dilation),
            self.groups,
            self.padding_mode,
        )

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> counting.OpCount:
        expect_channels(self, self.in_channels, input_shape)
        return counting.conv2d_cost(
            input_shape,
            self.out_channels,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.groups,
            self.bias is not None,
            self.padding_mode,
            effective,
        )

    def counted(self, x: np.ndarray, effective: bool = False) -> tuple[np.ndarray, counting.Tally]:
        return counting.conv2d_counted(
            x,
            self.weight,
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
            f"stride={self.stride}, padding={self.padding!r}, dilation={self.dilation}, "
            f"groups={self.groups}, bias={self.bias is not None}"
        )


class DepthwiseConv2d(Conv2d):
    """Depthwise convolution: one ``kH x kW`` kernel per input channel and multiplier.

    ``out_channels = in_channels * depth_multiplier``; output channel ``c * M + m`` filters
    input channel ``c`` (Keras ``DepthwiseConv2D``; PyTorch ``Conv2d(C, C*M, k, groups=C)``).

    Attributes
    ----------
    weight : ndarray, shape (in_channels * depth_multiplier, 1, kH, kW)
    bias : ndarray, shape (in_channels * depth_multiplier,), or None

    Examples
    --------
    >>> layer = DepthwiseConv2d(32, 3, padding=1, bias=False, seed=0)
    >>> layer.weight.shape, layer.cost((32, 112, 112)).multiplications   # 112*112*32*9
    ((32, 1, 3, 3), 3612672)
    """

    def __init__(
        self,
        in_channels: int,
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
        self.depth_multiplier = arguments.positive_int(depth_multiplier, "depth_multiplier")
        channels = arguments.positive_int(in_channels, "in_channels")
        super().__init__(
            channels,
            channels * self.depth_multiplier,
            kernel_size,
            stride,
            padding,
            dilation,
            channels,
            bias,
            padding_mode,
            seed=seed,
            dtype=dtype,
        )

    def forward(self, x: np.ndarray) -> np.ndarray:
        y = depthwise_conv2d(
            x,
            self.weight,
            self.bias,
            compact(self.stride),
            compact(self.padding),
            compact(self.dilation),
            self.padding_mode,
        )
        self._saved = arguments.as_float_array(x, "x")
        return y

    def input_gradient(self, input_shape: tuple[int, ...], grad_output: np.ndarray) -> np.ndarray:
        """:func:`refconv.grad.depthwise_conv2d_input`: input channel ``c`` collects the
        gradients of its ``depth_multiplier`` output channels."""
        stride, padding, dilation, _, mode = self._geometry()
        return grad.depthwise_conv2d_input(
            input_shape, self.weight, grad_output, stride, padding, dilation, mode
        )

    def weight_gradient(self, x: np.ndarray, grad_output: np.ndarray) -> np.ndarray:
        """:func:`refconv.grad.depthwise_conv2d_weight`: one channel at a time."""
        stride, padding, dilation, _, mode = self._geometry()
        return grad.depthwise_conv2d_weight(
            x, self.weight.shape, grad_output, stride, padding, dilation, mode
        )

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, kernel_size={self.kernel_size}, "
            f"depth_multiplier={self.depth_multiplier}, stride={self.stride}, "
            f"padding={self.padding!r}, bias={self.bias is not None}"
        )


class PointwiseConv2d(Conv2d):
    """1x1 convolution: mixes channels at every pixel, ``weight (C_out, C_in, 1, 1)``.

    Examples
    --------
    >>> PointwiseConv2d(3, 256, bias=False, seed=0).cost((3, 8, 8)).multiplications
    49152
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        bias: bool = True,
        *,
        seed: Seed = None,
        dtype: npt.DTypeLike = np.float32,
    ) -> None:
        super().__init__(in_channels, out_channels, 1, bias=bias, seed=seed, dtype=dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        y = pointwise_conv2d(x, self.weight, self.bias)
        self._saved = arguments.as_float_array(x, "x")
        return y

    def input_gradient(self, input_shape: tuple[int, ...], grad_output: np.ndarray) -> np.ndarray:
        """:func:`refconv.grad.pointwise_conv2d_input`: ``weight.T @ dL/dy`` at every pixel."""
        return grad.pointwise_conv2d_input(input_shape, self.weight, grad_output)

    def weight_gradient(self, x: np.ndarray, grad_output: np.ndarray) -> np.ndarray:
        """:func:`refconv.grad.pointwise_conv2d_weight`: ``dL/dy @ x.T`` summed over pixels."""
        return grad.pointwise_conv2d_weight(x, self.weight.shape, grad_output)

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, bias={self.bias is not None}"
