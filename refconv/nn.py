"""Layers: objects with parameters, a forward pass, a closed-form cost and a counted run.

The constructors mirror PyTorch's (``in_channels, out_channels, kernel_size, stride=1,
padding=0, dilation=1, groups=1, bias=True, padding_mode="zeros"``), with Keras' names where
Keras is the reference (``depth_multiplier``, ``SeparableConv2d``). Weights are NCHW / OIHW and
initialised as PyTorch does, ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``, from ``seed`` (an int
``>= 0``, a :class:`numpy.random.Generator`, or ``None`` for fresh entropy), in ``dtype``
(float32 or float64).

Constructors check their arguments at once (types and ranges; ``padding="same"`` needs the input
size, so only its spelling is checked up front) and keep them as PyTorch does: a convolution
stores ``stride``, ``dilation`` and a numeric ``padding`` as ``(h, w)`` tuples, ``"same"`` /
``"valid"`` as given; a pooling layer stores what was passed.

Every layer has

* ``forward(x)`` (also ``layer(x)``): ``x`` of shape ``(N, C, H, W)`` or unbatched ``(C, H, W)``
  (``(N, F)`` / ``(F,)`` for :class:`Linear`), through the functional API;
* ``cost(input_shape)``: the exact :class:`~refconv.cost.OpCount` for one input of shape
  ``input_shape`` (no batch axis);
* ``counted(x)``: the same computation by the instrumented loops of :mod:`refconv.counting`
  on one small unbatched input, returning ``(output, Tally)``;
* ``parameters()`` and ``buffers()``: dicts of the arrays it holds.

Examples
--------
>>> import numpy as np
>>> from refconv import nn
>>> layer = nn.SeparableConv2d(3, 256, 5, bias=False, seed=0)
>>> layer(np.ones((1, 3, 12, 12), dtype=np.float32)).shape
(1, 256, 8, 8)
>>> layer.cost((3, 12, 12)).multiplications
53952
"""

from __future__ import annotations

import math
import numbers
from collections import OrderedDict
from collections.abc import Iterator, Mapping

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import arguments, cost, counting
from .functional import (
    conv2d,
    depthwise_conv2d,
    pointwise_conv2d,
    separable_conv2d,
    spatial_separable_conv2d,
)

Seed = int | np.random.Generator | None


def _is_int(value: object) -> bool:
    """Python and NumPy integers, not bools (``True`` is not a channel count)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def as_generator(seed: Seed) -> np.random.Generator:
    """The random generator for a layer's initial weights.

    ``seed`` is an int ``>= 0`` (reproducible), a :class:`numpy.random.Generator` (used as is,
    so layers built from one generator draw different weights) or ``None`` (fresh entropy).

    >>> import numpy as np
    >>> float(as_generator(0).random()) == float(as_generator(0).random())
    True
    >>> generator = np.random.default_rng(0)
    >>> as_generator(generator) is generator
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and not _is_int(seed):
        raise TypeError(
            f"seed must be an int >= 0, a numpy.random.Generator or None; got {seed!r} "
            f"({type(seed).__name__})"
        )
    if seed is not None and seed < 0:
        raise ValueError(f"seed must be an int >= 0, a numpy.random.Generator or None; got {seed}")
    return np.random.default_rng(seed)


def _float_dtype(dtype: object) -> np.dtype:
    """``float32`` or ``float64`` (as a type, a dtype or a name); anything else is a TypeError."""
    try:
        found = None if dtype is None else np.dtype(dtype)  # type: ignore[call-overload]
    except (TypeError, ValueError):  # not a dtype at all
        found = None
    if found is None or found not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(
            f"dtype must be np.float32 or np.float64 (the dtypes the kernels compute in); got "
            f"{dtype!r}"
        )
    return found


def _flag(value: object, name: str) -> bool:
    """A switch such as ``bias`` or ``affine``: ``True`` or ``False`` (NumPy bools too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r} ({type(value).__name__})")
    return bool(value)


def _conv_arguments(kernel: tuple[int, int], stride: object, padding: object, dilation: object
                    ) -> tuple[tuple[int, int], object, tuple[int, int]]:
    """Check a convolution's ``stride``, ``padding`` and ``dilation``; return them as PyTorch's
    ``Conv2d`` stores them: ``(h, w)`` tuples, numeric padding as ``(ph, pw)`` (asymmetric
    ``((top, bottom), (left, right))`` as such), ``"same"`` / ``"valid"`` as given."""
    s = arguments.pair(stride, "stride", 1)
    d = arguments.pair(dilation, "dilation", 1)
    # "same" needs the input size: here only its spelling is checked (any size will do).
    pads = arguments.explicit_padding(padding, kernel, s, d, (1, 1))
    if isinstance(padding, str):
        return s, padding, d
    if pads[0][0] == pads[0][1] and pads[1][0] == pads[1][1] and (
            _is_int(padding) or all(_is_int(v) for v in padding)):  # type: ignore[union-attr]
        return s, (pads[0][0], pads[1][0]), d
    return s, pads, d


def _fast(value: object) -> object:
    """``(a, a)`` -> ``a`` for the functional call: it caches its checks for plain ints."""
    if type(value) is tuple and len(value) == 2 and type(value[0]) is int and value[0] == value[1]:
        return value[0]
    return value


def _expect_channels(layer: Module, in_channels: int, input_shape: tuple[int, ...]) -> None:
    """A convolution's ``cost(input_shape)`` takes ``(C, H, W)`` with ``C = in_channels``."""
    if len(input_shape) != 3 or input_shape[0] != in_channels:
        raise ValueError(
            f"{type(layer).__name__} expects input_shape (C, H, W) with C = in_channels = "
            f"{in_channels}; got {tuple(input_shape)}"
        )


def _uniform(rng: np.random.Generator, shape: tuple[int, ...], fan_in: int,
             dtype: np.dtype) -> np.ndarray:
    """PyTorch's default init: ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``."""
    bound = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, size=shape).astype(dtype)


class Module:
    """Base class: a layer with arrays, a forward pass and a cost."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> cost.OpCount:
        raise NotImplementedError

    def counted(self, x: np.ndarray, effective: bool = False
                ) -> tuple[np.ndarray, counting.Tally]:
        raise NotImplementedError

    def parameters(self) -> dict[str, np.ndarray]:
        """Learnable arrays by name (what PyTorch's ``named_parameters()`` would list)."""
        return {}

    def buffers(self) -> dict[str, np.ndarray]:
        """Non-learnable state by name (BatchNorm's running statistics)."""
        return {}

    def named_leaves(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """``(name, layer)`` for every leaf layer; a leaf yields itself."""
        yield prefix, self

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


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
    >>> c = conv.cost((3, 32, 32))
    >>> c.params, c.multiplications, c.additions          # 864 + 32; 32*32*32*27; ... *27
    (896, 884736, 884736)
    >>> conv.stride, conv.padding                         # stored as PyTorch stores them
    ((1, 1), (1, 1))
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] = 1, padding: object = 0,
                 dilation: int | tuple[int, int] = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", *, seed: Seed = None,
                 dtype: np.dtype = np.float32) -> None:
        self.in_channels = arguments.positive_int(in_channels, "in_channels")
        self.out_channels = arguments.positive_int(out_channels, "out_channels")
        self.kernel_size = arguments.pair(kernel_size, "kernel_size", 1)
        self.groups = arguments.positive_int(groups, "groups")
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(
                f"groups={self.groups} must divide in_channels={self.in_channels} and "
                f"out_channels={self.out_channels}"
            )
        self.stride, self.padding, self.dilation = _conv_arguments(self.kernel_size, stride,
                                                                   padding, dilation)
        self.padding_mode = arguments.choice(padding_mode, "padding_mode", arguments.PADDING_MODES)
        has_bias = _flag(bias, "bias")
        dtype = _float_dtype(dtype)
        rng = as_generator(seed)
        c_group = self.in_channels // self.groups
        fan_in = c_group * self.kernel_size[0] * self.kernel_size[1]
        self.weight = _uniform(rng, (self.out_channels, c_group, *self.kernel_size), fan_in,
                               dtype)
        self.bias = _uniform(rng, (self.out_channels,), fan_in, dtype) if has_bias else None

    def forward(self, x: np.ndarray) -> np.ndarray:
        return conv2d(x, self.weight, self.bias, _fast(self.stride), _fast(self.padding),
                      _fast(self.dilation), self.groups, self.padding_mode)

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> cost.OpCount:
        _expect_channels(self, self.in_channels, input_shape)
        return cost.conv2d_cost(input_shape, self.out_channels, self.kernel_size, self.stride,
                                self.padding, self.dilation, self.groups, self.bias is not None,
                                self.padding_mode, effective)

    def counted(self, x: np.ndarray, effective: bool = False
                ) -> tuple[np.ndarray, counting.Tally]:
        return counting.conv2d_counted(x, self.weight, self.bias, self.stride, self.padding,
                                       self.dilation, self.groups, self.padding_mode, effective)

    def parameters(self) -> dict[str, np.ndarray]:
        found = {"weight": self.weight}
        if self.bias is not None:
            found["bias"] = self.bias
        return found

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding!r}, dilation={self.dilation}, "
                f"groups={self.groups}, bias={self.bias is not None}")


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

    def __init__(self, in_channels: int, kernel_size: int | tuple[int, int],
                 depth_multiplier: int = 1, stride: int | tuple[int, int] = 1,
                 padding: object = 0, dilation: int | tuple[int, int] = 1, bias: bool = True,
                 padding_mode: str = "zeros", *, seed: Seed = None,
                 dtype: np.dtype = np.float32) -> None:
        self.depth_multiplier = arguments.positive_int(depth_multiplier, "depth_multiplier")
        channels = arguments.positive_int(in_channels, "in_channels")
        super().__init__(channels, channels * self.depth_multiplier, kernel_size, stride, padding,
                         dilation, channels, bias, padding_mode, seed=seed, dtype=dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return depthwise_conv2d(x, self.weight, self.bias, _fast(self.stride),
                                _fast(self.padding), _fast(self.dilation), self.padding_mode)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, kernel_size={self.kernel_size}, "
                f"depth_multiplier={self.depth_multiplier}, stride={self.stride}, "
                f"padding={self.padding!r}, bias={self.bias is not None}")


class PointwiseConv2d(Conv2d):
    """1x1 convolution: mixes channels at every pixel, ``weight (C_out, C_in, 1, 1)``.

    Examples
    --------
    >>> PointwiseConv2d(3, 256, bias=False, seed=0).cost((3, 8, 8)).multiplications
    49152
    """

    def __init__(self, in_channels: int, out_channels: int, bias: bool = True, *,
                 seed: Seed = None, dtype: np.dtype = np.float32) -> None:
        super().__init__(in_channels, out_channels, 1, bias=bias, seed=seed, dtype=dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return pointwise_conv2d(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, bias={self.bias is not None}"


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

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                 depth_multiplier: int = 1, stride: int | tuple[int, int] = 1,
                 padding: object = 0, dilation: int | tuple[int, int] = 1, bias: bool = True,
                 padding_mode: str = "zeros", *, seed: Seed = None,
                 dtype: np.dtype = np.float32) -> None:
        self.in_channels = arguments.positive_int(in_channels, "in_channels")
        self.out_channels = arguments.positive_int(out_channels, "out_channels")
        self.kernel_size = arguments.pair(kernel_size, "kernel_size", 1)
        self.depth_multiplier = arguments.positive_int(depth_multiplier, "depth_multiplier")
        self.stride, self.padding, self.dilation = _conv_arguments(self.kernel_size, stride,
                                                                   padding, dilation)
        self.padding_mode = arguments.choice(padding_mode, "padding_mode", arguments.PADDING_MODES)
        has_bias = _flag(bias, "bias")
        dtype = _float_dtype(dtype)
        rng = as_generator(seed)
        mid = self.in_channels * self.depth_multiplier
        kh, kw = self.kernel_size
        self.depthwise_weight = _uniform(rng, (mid, 1, kh, kw), kh * kw, dtype)
        self.pointwise_weight = _uniform(rng, (self.out_channels, mid, 1, 1), mid, dtype)
        self.bias = _uniform(rng, (self.out_channels,), mid, dtype) if has_bias else None

    def forward(self, x: np.ndarray) -> np.ndarray:
        return separable_conv2d(x, self.depthwise_weight, self.pointwise_weight, self.bias,
                                _fast(self.stride), _fast(self.padding), _fast(self.dilation),
                                self.padding_mode)

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> cost.OpCount:
        _expect_channels(self, self.in_channels, input_shape)
        return cost.separable_conv2d_cost(input_shape, self.out_channels, self.kernel_size,
                                          self.depth_multiplier, self.stride, self.padding,
                                          self.dilation, self.bias is not None,
                                          self.padding_mode, effective)

    def counted(self, x: np.ndarray, effective: bool = False
                ) -> tuple[np.ndarray, counting.Tally]:
        mid, first = counting.conv2d_counted(x, self.depthwise_weight, None, self.stride,
                                             self.padding, self.dilation, self.in_channels,
                                             self.padding_mode, effective)
        y, second = counting.conv2d_counted(mid, self.pointwise_weight, self.bias)
        return y, first + second

    def parameters(self) -> dict[str, np.ndarray]:
        found = {"depthwise_weight": self.depthwise_weight,
                 "pointwise_weight": self.pointwise_weight}
        if self.bias is not None:
            found["bias"] = self.bias
        return found

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"depth_multiplier={self.depth_multiplier}, stride={self.stride}, "
                f"padding={self.padding!r}, bias={self.bias is not None}")


class SpatialSeparableConv2d(Module):
    """Spatially separable convolution: ``kH x 1`` (C_in -> R), then ``1 x kW`` (R -> C_out).

    ``R = intermediate_channels`` (default ``out_channels``, as in the seeds' Keras and
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

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                 intermediate_channels: int | None = None, stride: int | tuple[int, int] = 1,
                 padding: object = 0, dilation: int | tuple[int, int] = 1, groups: int = 1,
                 bias: bool = True, padding_mode: str = "zeros", *, seed: Seed = None,
                 dtype: np.dtype = np.float32) -> None:
        self.in_channels = arguments.positive_int(in_channels, "in_channels")
        self.out_channels = arguments.positive_int(out_channels, "out_channels")
        self.intermediate_channels = (self.out_channels if intermediate_channels is None else
                                      arguments.positive_int(intermediate_channels,
                                                         "intermediate_channels"))
        self.kernel_size = arguments.pair(kernel_size, "kernel_size", 1)
        self.groups = arguments.positive_int(groups, "groups")
        given = "" if intermediate_channels is not None else " (its default, out_channels)"
        for name, value in (("in_channels", self.in_channels),
                            ("intermediate_channels", self.intermediate_channels),
                            ("out_channels", self.out_channels)):
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
        self.stride, self.padding, self.dilation = _conv_arguments(self.kernel_size, stride,
                                                                   padding, dilation)
        self.padding_mode = arguments.choice(padding_mode, "padding_mode", arguments.PADDING_MODES)
        has_bias = _flag(bias, "bias")
        dtype = _float_dtype(dtype)
        rng = as_generator(seed)
        kh, kw = self.kernel_size
        r, g = self.intermediate_channels, self.groups
        self.column_weight = _uniform(rng, (r, self.in_channels // g, kh, 1),
                                      self.in_channels // g * kh, dtype)
        self.row_weight = _uniform(rng, (self.out_channels, r // g, 1, kw), r // g * kw, dtype)
        self.bias = _uniform(rng, (self.out_channels,), r // g * kw, dtype) if has_bias else None

    def forward(self, x: np.ndarray) -> np.ndarray:
        return spatial_separable_conv2d(x, self.column_weight, self.row_weight, self.bias,
                                        _fast(self.stride), _fast(self.padding),
                                        _fast(self.dilation), self.groups, self.padding_mode)

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> cost.OpCount:
        _expect_channels(self, self.in_channels, input_shape)
        return cost.spatial_separable_conv2d_cost(
            input_shape, self.out_channels, self.kernel_size, self.intermediate_channels,
            self.stride, self.padding, self.dilation, self.groups, self.bias is not None,
            self.padding_mode, effective)

    def counted(self, x: np.ndarray, effective: bool = False
                ) -> tuple[np.ndarray, counting.Tally]:
        # The padding of the equivalent kH x kW conv, split between the two passes.
        s = arguments.pair(self.stride, "stride", 1)
        d = arguments.pair(self.dilation, "dilation", 1)
        full = arguments.conv_geometry((1, *x.shape), (self.out_channels, x.shape[0],
                                                   *self.kernel_size),
                                   s, self.padding, d, 1, self.padding_mode)
        rows, cols = full.pads
        mid, first = counting.conv2d_counted(x, self.column_weight, None, (s[0], 1),
                                             (rows, (0, 0)), (d[0], 1), self.groups,
                                             self.padding_mode, effective)
        y, second = counting.conv2d_counted(mid, self.row_weight, self.bias, (1, s[1]),
                                            ((0, 0), cols), (1, d[1]), self.groups,
                                            self.padding_mode, effective)
        return y, first + second

    def parameters(self) -> dict[str, np.ndarray]:
        found = {"column_weight": self.column_weight, "row_weight": self.row_weight}
        if self.bias is not None:
            found["bias"] = self.bias
        return found

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"intermediate_channels={self.intermediate_channels}, stride={self.stride}, "
                f"padding={self.padding!r}, groups={self.groups}, bias={self.bias is not None}")


class BatchNorm2d(Module):
    """Batch normalisation at inference: ``(x - running_mean) / sqrt(running_var + eps) *
    weight + bias``, per channel.

    Parameters ``weight`` (gamma) and ``bias`` (beta), 2 per channel when ``affine``; buffers
    ``running_mean`` and ``running_var``, 2 per channel. Initialised as PyTorch does (ones,
    zeros, zeros, ones); set them to trained values to use the layer. (PyTorch also keeps a
    scalar ``num_batches_tracked`` buffer; it holds no per-channel data and is not modelled.)

    Examples
    --------
    >>> import numpy as np
    >>> bn = BatchNorm2d(2, eps=0.0)
    >>> bn.running_mean[:] = [1.0, 2.0]
    >>> bn.running_var[:] = [4.0, 1.0]
    >>> bn(np.full((2, 1, 1), 3.0, dtype=np.float32)).ravel()     # (3 - 1) / 2, (3 - 2) / 1
    array([1., 1.], dtype=float32)
    >>> c = bn.cost((2, 4, 4))
    >>> c.params, c.buffers, c.multiplications
    (4, 4, 32)
    """

    def __init__(self, num_features: int, eps: float = 1e-5, affine: bool = True, *,
                 dtype: np.dtype = np.float32) -> None:
        self.num_features = arguments.positive_int(num_features, "num_features")
        if not isinstance(eps, numbers.Real) or isinstance(eps, (bool, np.bool_)):
            raise TypeError(f"eps must be a number >= 0 (default 1e-5); got {eps!r} "
                            f"({type(eps).__name__})")
        if not (math.isfinite(eps) and eps >= 0):
            raise ValueError(f"eps must be a finite number >= 0 (default 1e-5); got {eps!r}")
        self.eps = float(eps)
        self.affine = _flag(affine, "affine")
        dtype = _float_dtype(dtype)
        self.weight = np.ones(self.num_features, dtype=dtype)
        self.bias = np.zeros(self.num_features, dtype=dtype)
        self.running_mean = np.zeros(self.num_features, dtype=dtype)
        self.running_var = np.ones(self.num_features, dtype=dtype)

    def folded(self) -> tuple[np.ndarray, np.ndarray]:
        """``(scale, shift)`` with ``y = x * scale + shift`` per channel (computed once)."""
        scale = 1.0 / np.sqrt(self.running_var + self.eps)
        if self.affine:
            scale = scale * self.weight
        shift = -self.running_mean * scale + (self.bias if self.affine else 0.0)
        return scale, shift

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = arguments.as_float_array(x, "x")
        if x.ndim not in (3, 4) or x.shape[-3] != self.num_features:
            raise ValueError(
                f"BatchNorm2d({self.num_features}) expects x of shape (N, {self.num_features}, "
                f"H, W) or ({self.num_features}, H, W); got {x.shape}"
            )
        scale, shift = self.folded()
        scale = scale.astype(x.dtype)[:, None, None]  # (C, 1, 1)
        shift = shift.astype(x.dtype)[:, None, None]
        return x * scale + shift

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> cost.OpCount:
        if len(input_shape) != 3 or input_shape[0] != self.num_features:
            raise ValueError(
                f"BatchNorm2d({self.num_features}) expects input_shape ({self.num_features}, "
                f"H, W); got {tuple(input_shape)}"
            )
        return cost.batch_norm2d_cost(input_shape, self.affine)

    def counted(self, x: np.ndarray, effective: bool = False
                ) -> tuple[np.ndarray, counting.Tally]:
        scale, shift = self.folded()
        return counting.batch_norm2d_counted(np.asarray(x, dtype=np.float64), scale, shift)

    def parameters(self) -> dict[str, np.ndarray]:
        return {"weight": self.weight, "bias": self.bias} if self.affine else {}

    def buffers(self) -> dict[str, np.ndarray]:
        return {"running_mean": self.running_mean, "running_var": self.running_var}

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, affine={self.affine}"


class ReLU(Module):
    """``max(x, 0)`` elementwise.

    >>> import numpy as np
    >>> ReLU()(np.array([-1.0, 2.0]))
    array([0., 2.])
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = arguments.as_float_array(x, "x")
        return np.maximum(x, 0).astype(x.dtype, copy=False)

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> cost.OpCount:
        return cost.relu_cost(tuple(input_shape))

    def counted(self, x: np.ndarray, effective: bool = False
                ) -> tuple[np.ndarray, counting.Tally]:
        return counting.relu_counted(np.asarray(x, dtype=np.float64))


def _pool(x: np.ndarray, kernel_size: object, stride: object, padding: object, dilation: object,
          fill: float, reduce, op: str) -> np.ndarray:
    """Pooling over the last two axes of ``(N, C, H, W)`` or ``(C, H, W)`` by windows views.

    The arguments are checked by the functions the closed-form cost and the counted loops use,
    so the three accept the same geometries and refuse the others with the same message.
    """
    kernel, stride, padding, dilation = cost.pool2d_arguments(kernel_size, stride, padding,
                                                              dilation, op)
    x = arguments.as_float_array(x, "x")
    if x.ndim not in (3, 4):
        raise ValueError(f"{op} expects x of shape (N, C, H, W) or unbatched (C, H, W); got "
                         f"{x.ndim}-D array of shape {x.shape}")
    cost.pool2d_output_size(x.shape, kernel, stride, padding, dilation, op)
    widths = [(0, 0)] * (x.ndim - 2) + [(padding[0], padding[0]), (padding[1], padding[1])]
    xp = np.pad(x, widths, constant_values=fill)  # (..., H + 2ph, W + 2pw)
    span = (dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1)
    windows = sliding_window_view(xp, span, axis=(-2, -1))  # (..., Ho', Wo', span_h, span_w)
    windows = windows[..., ::stride[0], ::stride[1], ::dilation[0], ::dilation[1]]
    return reduce(windows, axis=(-2, -1)).astype(x.dtype, copy=False)


def _as_given(value: object) -> object:
    """A pooling argument as PyTorch stores it: as passed (a list becomes a tuple)."""
    return tuple(value) if isinstance(value, list) else value


class MaxPool2d(Module):
    """Max pooling, as ``torch.nn.MaxPool2d`` (floor mode; ``stride`` defaults to the kernel).

    ``padding`` (filled with ``-inf``) is at most ``kernel_size // 2`` on each axis, as in
    PyTorch; see :func:`refconv.cost.pool2d_arguments`. The arguments are stored as given.

    >>> import numpy as np
    >>> MaxPool2d(2)(np.arange(16.0).reshape(1, 4, 4))[0]
    array([[ 5.,  7.],
           [13., 15.]])
    >>> MaxPool2d(3, stride=2, padding=1)
    MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1)
    """

    def __init__(self, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] | None = None, padding: int | tuple[int, int] = 0,
                 dilation: int | tuple[int, int] = 1) -> None:
        cost.pool2d_arguments(kernel_size, stride, padding, dilation, "MaxPool2d")
        self.kernel_size = _as_given(kernel_size)
        self.stride = self.kernel_size if stride is None else _as_given(stride)
        self.padding = _as_given(padding)
        self.dilation = _as_given(dilation)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return _pool(x, self.kernel_size, self.stride, self.padding, self.dilation, -np.inf,
                     np.max, "MaxPool2d")

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> cost.OpCount:
        return cost.max_pool2d_cost(input_shape, self.kernel_size, self.stride, self.padding,
                                    self.dilation)

    def counted(self, x: np.ndarray, effective: bool = False
                ) -> tuple[np.ndarray, counting.Tally]:
        return counting.max_pool2d_counted(np.asarray(x, dtype=np.float64), self.kernel_size,
                                           self.stride, self.padding, self.dilation)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}")


class AvgPool2d(Module):
    """Average pooling, as ``torch.nn.AvgPool2d`` (padded zeros included in the mean).

    ``padding`` is at most ``kernel_size // 2`` on each axis, as in PyTorch; see
    :func:`refconv.cost.pool2d_arguments`. The arguments are stored as given.

    >>> import numpy as np
    >>> AvgPool2d(2)(np.arange(16.0).reshape(1, 4, 4))[0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """

    def __init__(self, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] | None = None,
                 padding: int | tuple[int, int] = 0) -> None:
        cost.pool2d_arguments(kernel_size, stride, padding, 1, "AvgPool2d")
        self.kernel_size = _as_given(kernel_size)
        self.stride = self.kernel_size if stride is None else _as_given(stride)
        self.padding = _as_given(padding)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return _pool(x, self.kernel_size, self.stride, self.padding, 1, 0.0, np.mean,
                     "AvgPool2d")

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> cost.OpCount:
        return cost.avg_pool2d_cost(input_shape, self.kernel_size, self.stride, self.padding)

    def counted(self, x: np.ndarray, effective: bool = False
                ) -> tuple[np.ndarray, counting.Tally]:
        return counting.avg_pool2d_counted(np.asarray(x, dtype=np.float64), self.kernel_size,
                                           self.stride, self.padding)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class GlobalAvgPool2d(Module):
    """Mean over the spatial axes, keeping them as 1x1 (Keras ``GlobalAveragePooling2D`` with
    ``keepdims=True``, PyTorch ``AdaptiveAvgPool2d(1)``); works at any input resolution.

    >>> import numpy as np
    >>> GlobalAvgPool2d()(np.ones((2, 3, 7, 7))).shape
    (2, 3, 1, 1)
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = arguments.as_float_array(x, "x")
        return x.mean(axis=(-2, -1), keepdims=True)

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> cost.OpCount:
        return cost.global_avg_pool2d_cost(input_shape)

    def counted(self, x: np.ndarray, effective: bool = False
                ) -> tuple[np.ndarray, counting.Tally]:
        return counting.global_avg_pool2d_counted(np.asarray(x, dtype=np.float64))


class Flatten(Module):
    """``(N, C, H, W) -> (N, C*H*W)``; unbatched ``(C, H, W) -> (C*H*W,)`` (C-major order, as
    PyTorch; Keras flattens NHWC, which orders the same numbers differently).

    >>> import numpy as np
    >>> Flatten()(np.zeros((2, 3, 4, 4))).shape
    (2, 48)
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        return x.reshape(x.shape[0], -1) if x.ndim == 4 else x.reshape(-1)

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> cost.OpCount:
        size = int(np.prod(input_shape))
        return cost.reshape_cost(tuple(input_shape), (size,))

    def counted(self, x: np.ndarray, effective: bool = False
                ) -> tuple[np.ndarray, counting.Tally]:
        return np.asarray(x, dtype=np.float64).reshape(-1), counting.Tally()


class Dropout(Module):
    """Dropout at inference: the identity (``p`` is kept for the record only).

    >>> Dropout(0.5).cost((128,)).multiplications
    0
    """

    def __init__(self, p: float = 0.5) -> None:
        if not isinstance(p, numbers.Real) or isinstance(p, (bool, np.bool_)):
            raise TypeError(f"p must be a probability, a number in [0, 1]; got {p!r} "
                            f"({type(p).__name__})")
        if not 0.0 <= p <= 1.0:  # NaN fails both comparisons
            raise ValueError(f"p must be a probability in [0, 1]; got {p!r}")
        self.p = float(p)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x)

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> cost.OpCount:
        return cost.reshape_cost(tuple(input_shape), tuple(input_shape))

    def counted(self, x: np.ndarray, effective: bool = False
                ) -> tuple[np.ndarray, counting.Tally]:
        return np.asarray(x, dtype=np.float64), counting.Tally()

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Linear(Module):
    """Fully connected layer ``y = x @ weight.T + bias``, as ``torch.nn.Linear``.

    Attributes
    ----------
    weight : ndarray, shape (out_features, in_features)
    bias : ndarray, shape (out_features,), or None

    Examples
    --------
    >>> import numpy as np
    >>> fc = Linear(2048, 128, seed=0)
    >>> fc(np.zeros((4, 2048), dtype=np.float32)).shape, fc.cost((2048,)).params
    ((4, 128), 262272)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *,
                 seed: Seed = None, dtype: np.dtype = np.float32) -> None:
        self.in_features = arguments.positive_int(in_features, "in_features")
        self.out_features = arguments.positive_int(out_features, "out_features")
        has_bias = _flag(bias, "bias")
        dtype = _float_dtype(dtype)
        rng = as_generator(seed)
        self.weight = _uniform(rng, (self.out_features, self.in_features), self.in_features,
                               dtype)
        self.bias = (_uniform(rng, (self.out_features,), self.in_features, dtype) if has_bias
                     else None)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = arguments.as_float_array(x, "x")
        if x.shape[-1] != self.in_features:
            raise ValueError(
                f"Linear({self.in_features}, {self.out_features}) expects x with last axis "
                f"{self.in_features}; got shape {x.shape}"
            )
        # A fully connected layer is a 1x1 convolution of a 1x1 image: the same GEMM kernel,
        # and the same thread pool, as the convolutions around it.
        flat = x.reshape(-1, self.in_features, 1, 1)  # (batch, in_features, 1, 1)
        y = pointwise_conv2d(flat, self.weight[:, :, None, None].astype(x.dtype),
                             None if self.bias is None else self.bias.astype(x.dtype))
        return y.reshape(*x.shape[:-1], self.out_features)  # (..., out_features)

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> cost.OpCount:
        if tuple(input_shape) != (self.in_features,):
            raise ValueError(
                f"Linear({self.in_features}, {self.out_features}) expects input_shape "
                f"({self.in_features},); got {tuple(input_shape)}. Put a Flatten before it."
            )
        return cost.linear_cost(self.in_features, self.out_features, self.bias is not None)

    def counted(self, x: np.ndarray, effective: bool = False
                ) -> tuple[np.ndarray, counting.Tally]:
        return counting.linear_counted(np.asarray(x, dtype=np.float64), self.weight, self.bias)

    def parameters(self) -> dict[str, np.ndarray]:
        found = {"weight": self.weight}
        if self.bias is not None:
            found["bias"] = self.bias
        return found

    def extra_repr(self) -> str:
        return f"{self.in_features}, {self.out_features}, bias={self.bias is not None}"


class Sequential(Module):
    """Layers run one after the other, as ``torch.nn.Sequential``.

    ``Sequential(layer, layer, ...)`` names them ``"0"``, ``"1"``, ...;
    ``Sequential({"conv": layer, ...})`` (any mapping, e.g. an ``OrderedDict``) uses its keys.
    Sequentials nest; leaf names are dotted paths (``"block1.conv"``), so a name is a non-empty
    string without ``"."`` (as in PyTorch). ``name`` (keyword) is the model's name in summaries.
    A ``ValueError`` raised by a layer during ``forward`` or ``cost`` is raised again naming
    that layer and the shape it received, with the layer's own message.

    Examples
    --------
    >>> import numpy as np
    >>> net = Sequential(Conv2d(3, 8, 3, padding=1, seed=0), ReLU(), MaxPool2d(2), Flatten(),
    ...                  Linear(8 * 4 * 4, 10, seed=1))
    >>> net(np.zeros((2, 3, 8, 8), dtype=np.float32)).shape
    (2, 10)
    >>> [name for name, _ in net.named_leaves()]
    ['0', '1', '2', '3', '4']
    >>> net.cost((3, 8, 8)).params                       # 224 + 1290
    1514
    >>> net(np.zeros((2, 4, 8, 8), dtype=np.float32))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: layer '0' (Conv2d(3, 8, ...)) failed on input of shape (2, 4, 8, 8): ...
    """

    def __init__(self, *layers: Module | Mapping[str, Module], name: str | None = None) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string or None; got {name!r}")
        self.name = name
        if len(layers) == 1 and isinstance(layers[0], Mapping):
            items = list(layers[0].items())
        else:
            items = [(str(i), layer) for i, layer in enumerate(layers)]
        for key, layer in items:
            if not isinstance(key, str):
                raise TypeError(f"Sequential layer names must be strings; got {key!r}")
            if not key or "." in key:
                raise ValueError(
                    f"Sequential layer names must be non-empty and contain no '.' (it joins "
                    f"the names of nested layers); got {key!r}"
                )
            if not isinstance(layer, Module):
                hint = (f" (a class: write {layer.__name__}(...))"
                        if isinstance(layer, type) and issubclass(layer, Module) else "")
                raise TypeError(
                    f"Sequential takes refconv.nn layers; got {type(layer).__name__} for "
                    f"{key!r}{hint}"
                )
        self.layers: OrderedDict[str, Module] = OrderedDict(items)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers.values())

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, key: int | str) -> Module:
        if isinstance(key, int):
            return list(self.layers.values())[key]
        return self.layers[key]

    def forward(self, x: np.ndarray) -> np.ndarray:
        for name, layer in self.named_leaves():
            try:
                x = layer(x)
            except ValueError as exc:
                given = (f"input of shape {x.shape}" if isinstance(x, np.ndarray) else
                         f"input of type {type(x).__name__}")
                raise ValueError(f"layer {name!r} ({layer!r}) failed on {given}: {exc}") from exc
        return x

    def named_leaves(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        for name, layer in self.layers.items():
            yield from layer.named_leaves(f"{prefix}.{name}" if prefix else name)

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> cost.OpCount:
        total = None
        shape = tuple(input_shape)
        for name, layer in self.named_leaves():
            try:
                step = layer.cost(shape, effective)
            except ValueError as exc:
                raise ValueError(f"layer {name!r} ({layer!r}) failed on input_shape {shape}: "
                                 f"{exc}") from exc
            total = step if total is None else total + step
            shape = step.output_shape
        if total is None:
            return cost.reshape_cost(shape, shape)
        return total

    def counted(self, x: np.ndarray, effective: bool = False
                ) -> tuple[np.ndarray, counting.Tally]:
        tally = counting.Tally()
        for _, layer in self.named_leaves():
            x, step = layer.counted(x, effective)
            tally = tally + step
        return x, tally

    def parameters(self) -> dict[str, np.ndarray]:
        return {f"{name}.{key}": value for name, layer in self.named_leaves()
                for key, value in layer.parameters().items()}

    def buffers(self) -> dict[str, np.ndarray]:
        return {f"{name}.{key}": value for name, layer in self.named_leaves()
                for key, value in layer.buffers().items()}

    def __repr__(self) -> str:
        lines = [f"  ({name}): {layer!r}".replace("\n", "\n  ")
                 for name, layer in self.layers.items()]
        return "Sequential(\n" + "\n".join(lines) + "\n)"


__all__ = [
    "AvgPool2d",
    "BatchNorm2d",
    "Conv2d",
    "DepthwiseConv2d",
    "Dropout",
    "Flatten",
    "GlobalAvgPool2d",
    "Linear",
    "MaxPool2d",
    "Module",
    "PointwiseConv2d",
    "ReLU",
    "SeparableConv2d",
    "Sequential",
    "SpatialSeparableConv2d",
    "as_generator",
]
