"""Closed-form operation counts: multiplications, additions and parameters of every op.

Every count here is *exact* for the computation as written in the spec (``refconv.kernels.spec``)
and in :mod:`refconv.counting`, which performs the operations one by one and tallies them; the
tests check that the two agree for every op and every stride, dilation, padding, group and
depth-multiplier setting.

The counts for one output pixel of a convolution (technically, cross-correlation) with
``Cg = C_in // groups`` input channels per group and a ``kH x kW`` kernel::

    multiplications = Cg * kH * kW
    additions       = Cg * kH * kW - 1        (summing the products)
                      + 1                     (adding the bias, if there is one)

so a whole convolution costs ``C_out * H_out * W_out`` times that. A "multiply-accumulate" (MAC,
the MobileNet paper's "Mult-Add") is one product added into a running sum, so ``MACs =
multiplications`` and ``FLOPs = 2 * MACs`` in the common convention; the exact additions are a
little fewer than the MACs (one fewer per output, without bias).

Two counting modes
------------------
``effective=False`` (default)
    Every product the definition writes down, including products with padded zeros. This is
    what a dense kernel (im2col + GEMM, cuDNN) performs and what every FLOP counter reports.
``effective=True``
    Products whose input pixel is a *zero padding* pixel are skipped (they are known to be
    0): what a careful direct loop performs. An output pixel whose window holds ``P`` real
    products then costs ``P`` multiplications and ``P - 1`` additions (``+1`` for the bias;
    a window with no real pixel costs only its bias addition). Padding with
    ``padding_mode`` other than ``"zeros"`` (reflect, replicate, circular) produces real
    values, so for those modes the effective count equals the exact one.

Other ops
---------
=================  ==========================  ==========================  ===================
op                 multiplications             additions                   comparisons
=================  ==========================  ==========================  ===================
BatchNorm2d        1 per element               1 per element               0
(inference)        ``x * scale[c]``            ``+ shift[c]``
ReLU               0                           0                           1 per element
MaxPool2d          0                           0                           ``kH*kW - 1`` per out
AvgPool2d          1 per output (``* 1/k``)    ``kH*kW - 1`` per output    0
GlobalAvgPool2d    1 per output                ``H*W - 1`` per output      0
Linear             ``in * out``                ``(in - 1) * out`` (+out)   0
Flatten, Dropout   0                           0                           0
=================  ==========================  ==========================  ===================

BatchNorm at inference is ``y = (x - mean) / sqrt(var + eps) * gamma + beta``; refconv folds it
once per channel into ``scale = gamma / sqrt(var + eps)`` and ``shift = beta - mean * scale``
(a per-channel cost that does not grow with the image and is not counted), leaving one
multiplication and one addition per element. AvgPool2d counts padded zeros in its sum and
divides by ``kH * kW`` (PyTorch's default ``count_include_pad=True``).

Examples
--------
The seed-001 example: 12x12x3 input, 5x5 kernels, 256 output channels, no padding.

>>> standard = conv2d_cost((3, 12, 12), 256, 5, bias=False)
>>> standard.multiplications, standard.output_shape
(1228800, (256, 8, 8))
>>> dw = depthwise_conv2d_cost((3, 12, 12), 5, bias=False)
>>> pw = pointwise_conv2d_cost(dw.output_shape, 256, bias=False)
>>> dw.multiplications, pw.multiplications, dw.multiplications + pw.multiplications
(4800, 49152, 53952)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from . import arguments

Shape = tuple[int, ...]


@dataclass(frozen=True)
class OpCount:
    """The cost of one op (or a sum of ops) on one input (batch size 1).

    Attributes
    ----------
    multiplications, additions, comparisons : int
        Exact scalar operations (see the module docstring for what each op performs).
    params : int
        Learnable parameters (weights and biases; BatchNorm's ``gamma`` and ``beta``).
    buffers : int
        Non-learnable state stored with the layer (BatchNorm's running mean and variance).
        Keras' ``count_params()`` counts these too; PyTorch's ``parameters()`` does not.
    output_shape : tuple of int
        ``(C, H, W)`` for feature maps, ``(F,)`` after Flatten / Linear.
    kind : str
        What the op is, for the counters' conventions in :mod:`refconv.summary`: ``"conv"``,
        ``"linear"``, ``"batchnorm"``, ``"relu"``, ``"maxpool"``, ``"avgpool"``,
        ``"globalavgpool"``, ``"reshape"`` (Flatten, Dropout) or ``"mixed"`` (a sum).
    input_numel, output_numel : int
        Elements in the input and output (what the counters multiply by).
    bias_adds : int
        How many of the additions are bias additions (one per output element with a bias).
    parts : tuple of (str, OpCount)
        For composite ops (separable convolutions), the costs of their steps.
    """

    multiplications: int
    additions: int
    params: int
    output_shape: Shape
    comparisons: int = 0
    buffers: int = 0
    kind: str = "mixed"
    input_numel: int = 0
    output_numel: int = 0
    bias_adds: int = 0
    parts: tuple[tuple[str, OpCount], ...] = field(default=(), compare=False)

    @property
    def macs(self) -> int:
        """Multiply-accumulates: one per product (= ``multiplications``)."""
        return self.multiplications

    @property
    def flops(self) -> int:
        """``2 * macs``, the usual FLOP convention (a MAC is a multiply and an add)."""
        return 2 * self.multiplications

    def __add__(self, other: OpCount) -> OpCount:
        """Two ops run one after the other: counts add, the shape is the second op's."""
        if not isinstance(other, OpCount):
            return NotImplemented
        return OpCount(
            multiplications=self.multiplications + other.multiplications,
            additions=self.additions + other.additions,
            params=self.params + other.params,
            output_shape=other.output_shape,
            comparisons=self.comparisons + other.comparisons,
            buffers=self.buffers + other.buffers,
            kind=self.kind if self.kind == other.kind else "mixed",
            input_numel=self.input_numel,
            output_numel=other.output_numel,
            bias_adds=self.bias_adds + other.bias_adds,
        )


def _numel(shape: Shape) -> int:
    total = 1
    for s in shape:
        total *= int(s)
    return total


def _check_input_shape(input_shape: Shape) -> tuple[int, int, int]:
    if len(input_shape) != 3 or not all(arguments.is_int(s) and s >= 1 for s in input_shape):
        raise ValueError(
            f"input_shape must be (C, H, W) with positive ints (no batch axis); got "
            f"{input_shape!r}"
        )
    c, h, w = (int(s) for s in input_shape)
    return c, h, w


def _valid_taps(size: int, kernel: int, stride: int, dilation: int, before: int,
                out: int, effective: bool) -> list[int]:
    """For each output index along one axis, how many kernel taps read a real input pixel.

    With ``effective=False`` every tap counts (padded zeros included): ``[kernel] * out``.
    """
    if not effective:
        return [kernel] * out
    taps = []
    for i in range(out):
        start = i * stride - before  # input index of tap 0
        taps.append(sum(1 for p in range(kernel) if 0 <= start + p * dilation < size))
    return taps


def conv2d_cost(
    input_shape: Shape,
    out_channels: int,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: object = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
    bias: bool = True,
    padding_mode: str = "zeros",
    effective: bool = False,
) -> OpCount:
    """Exact cost of a (grouped) 2-D convolution, as :func:`refconv.conv2d` computes it.

    Parameters
    ----------
    input_shape : (C_in, H, W)
    out_channels : int
    kernel_size : int or (kH, kW)
    stride, padding, dilation, groups, padding_mode
        As in :func:`refconv.conv2d` (``padding`` may be ``"same"`` or ``"valid"``).
    bias : bool, default True
    effective : bool, default False
        Skip products with zero-padding pixels (see the module docstring).

    Returns
    -------
    OpCount
        ``multiplications = C_out * H_out * W_out * Cg * kH * kW`` (``Cg = C_in // groups``),
        ``additions = C_out * H_out * W_out * (Cg * kH * kW - 1 + bias)``,
        ``params = C_out * Cg * kH * kW + C_out * bias``.

    Examples
    --------
    >>> c = conv2d_cost((3, 224, 224), 32, 3, stride=2, padding=1, bias=False)
    >>> c.output_shape, c.multiplications, c.params
    ((32, 112, 112), 10838016, 864)
    >>> conv2d_cost((1, 3, 3), 1, 3, padding=1, effective=True).multiplications  # 4+6+4+6+9+...
    49
    """
    c_in, h, w = _check_input_shape(input_shape)
    c_out = arguments.positive_int(out_channels, "out_channels")
    g = arguments.positive_int(groups, "groups")
    kh, kw = arguments.pair(kernel_size, "kernel_size", 1)
    mode = arguments.choice(padding_mode, "padding_mode", arguments.PADDING_MODES)
    geometry = arguments.conv_geometry((1, c_in, h, w), (c_out, c_in // g, kh, kw), stride, padding,
                                   dilation, g, mode)
    cg = c_in // geometry.groups
    h_out, w_out = geometry.out_size
    skip = effective and mode == "zeros"
    rows = _valid_taps(h, kh, geometry.stride[0], geometry.dilation[0], geometry.pads[0][0],
                       h_out, skip)
    cols = _valid_taps(w, kw, geometry.stride[1], geometry.dilation[1], geometry.pads[1][0],
                       w_out, skip)
    # Products of one output channel: Cg * (sum over pixels of row taps * col taps).
    products_per_channel = cg * sum(rows) * sum(cols)
    # Pixels with at least one real product (each then needs products - 1 additions).
    busy_pixels = sum(1 for r in rows if r) * sum(1 for c in cols if c)
    pixels = h_out * w_out
    multiplications = c_out * products_per_channel
    bias_adds = c_out * pixels if bias else 0
    additions = c_out * (products_per_channel - busy_pixels) + bias_adds
    params = c_out * cg * kh * kw + (c_out if bias else 0)
    return OpCount(
        multiplications=multiplications,
        additions=additions,
        params=params,
        output_shape=(c_out, h_out, w_out),
        kind="conv",
        input_numel=c_in * h * w,
        output_numel=c_out * pixels,
        bias_adds=bias_adds,
    )


def depthwise_conv2d_cost(
    input_shape: Shape,
    kernel_size: int | tuple[int, int],
    depth_multiplier: int = 1,
    stride: int | tuple[int, int] = 1,
    padding: object = 0,
    dilation: int | tuple[int, int] = 1,
    bias: bool = True,
    padding_mode: str = "zeros",
    effective: bool = False,
) -> OpCount:
    """Depthwise convolution: ``groups = C_in``, ``C_out = C_in * depth_multiplier``.

    Each output pixel costs ``kH * kW`` multiplications and ``kH * kW - 1`` additions (+1 bias).

    Examples
    --------
    >>> c = depthwise_conv2d_cost((3, 12, 12), 5, bias=False)   # 3 x 5x5x1 kernels, 8x8 moves
    >>> c.multiplications, c.params
    (4800, 75)
    >>> depthwise_conv2d_cost((3, 12, 12), 5, depth_multiplier=2, bias=False).output_shape
    (6, 8, 8)
    """
    c_in, _, _ = _check_input_shape(input_shape)
    m = arguments.positive_int(depth_multiplier, "depth_multiplier")
    return conv2d_cost(input_shape, c_in * m, kernel_size, stride, padding, dilation, c_in,
                       bias, padding_mode, effective)


def pointwise_conv2d_cost(
    input_shape: Shape, out_channels: int, bias: bool = True, groups: int = 1
) -> OpCount:
    """1x1 convolution: ``C_out * H * W * C_in // groups`` multiplications.

    Examples
    --------
    >>> pointwise_conv2d_cost((3, 8, 8), 256, bias=False).multiplications
    49152
    """
    return conv2d_cost(input_shape, out_channels, 1, 1, 0, 1, groups, bias)


def separable_conv2d_cost(
    input_shape: Shape,
    out_channels: int,
    kernel_size: int | tuple[int, int],
    depth_multiplier: int = 1,
    stride: int | tuple[int, int] = 1,
    padding: object = 0,
    dilation: int | tuple[int, int] = 1,
    bias: bool = True,
    padding_mode: str = "zeros",
    effective: bool = False,
) -> OpCount:
    """Depthwise-separable convolution (Keras ``SeparableConv2D``): depthwise, then pointwise.

    One bias, after the pointwise step. ``parts`` holds the two steps' costs.

    Examples
    --------
    >>> c = separable_conv2d_cost((3, 12, 12), 256, 5, bias=False)
    >>> c.multiplications, [p.multiplications for _, p in c.parts]
    (53952, [4800, 49152])
    >>> separable_conv2d_cost((3, 32, 32), 32, 3, padding="same").params  # Keras: 27+96+32
    155
    """
    dw = depthwise_conv2d_cost(input_shape, kernel_size, depth_multiplier, stride, padding,
                               dilation, False, padding_mode, effective)
    pw = pointwise_conv2d_cost(dw.output_shape, out_channels, bias)
    return replace(dw + pw, kind="conv", parts=(("depthwise", dw), ("pointwise", pw)))


def spatial_separable_conv2d_cost(
    input_shape: Shape,
    out_channels: int,
    kernel_size: int | tuple[int, int],
    intermediate_channels: int | None = None,
    stride: int | tuple[int, int] = 1,
    padding: object = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
    bias: bool = True,
    padding_mode: str = "zeros",
    effective: bool = False,
) -> OpCount:
    """Spatially separable convolution: ``kH x 1`` (C_in -> R), then ``1 x kW`` (R -> C_out).

    The geometry is that of :func:`refconv.spatial_separable_conv2d`: the first pass takes the
    vertical part of stride, padding and dilation and keeps the full input width, so its
    output ``(R, H_out, W)`` is *wider* than the final ``(C_out, H_out, W_out)`` unless the
    horizontal padding is "same"-like with stride 1. That is why "2K multiplications per output
    pixel" is an underestimate for valid padding.

    Parameters
    ----------
    input_shape : (C_in, H, W)
    out_channels : int
    kernel_size : int or (kH, kW)
    intermediate_channels : int, optional
        ``R``, the channels between the passes; default ``out_channels`` (the seeds' blocks).
    stride, padding, dilation, groups, bias, padding_mode, effective
        As in :func:`conv2d_cost`; ``padding`` is that of the equivalent ``kH x kW`` conv.

    Examples
    --------
    One channel, 12x12, 5x5 valid: 8*12*5 + 8*8*5 = 800 products, not 2*5*64 = 640.

    >>> spatial_separable_conv2d_cost((1, 12, 12), 1, 5, bias=False).multiplications
    800
    >>> same = spatial_separable_conv2d_cost((1, 12, 12), 1, 5, padding="same", bias=False)
    >>> same.multiplications                                   # 2K per output pixel exactly
    1440
    """
    c_in, h, w = _check_input_shape(input_shape)
    c_out = arguments.positive_int(out_channels, "out_channels")
    r = c_out if intermediate_channels is None else arguments.positive_int(
        intermediate_channels, "intermediate_channels")
    kh, kw = arguments.pair(kernel_size, "kernel_size", 1)
    s = arguments.pair(stride, "stride", 1)
    d = arguments.pair(dilation, "dilation", 1)
    mode = arguments.choice(padding_mode, "padding_mode", arguments.PADDING_MODES)
    full = arguments.conv_geometry((1, c_in, h, w), (c_out, c_in, kh, kw), s, padding, d, 1, mode)
    (top, bottom), (left, right) = full.pads
    first = conv2d_cost(input_shape, r, (kh, 1), (s[0], 1), ((top, bottom), (0, 0)), (d[0], 1),
                        groups, False, mode, effective)
    second = conv2d_cost(first.output_shape, c_out, (1, kw), (1, s[1]), ((0, 0), (left, right)),
                         (1, d[1]), groups, bias, mode, effective)
    return replace(first + second, kind="conv", parts=(("column", first), ("row", second)))


def batch_norm2d_cost(input_shape: Shape, affine: bool = True) -> OpCount:
    """Inference BatchNorm folded to ``x * scale[c] + shift[c]``: 1 mul + 1 add per element.

    Parameters: ``gamma``, ``beta`` (``2 * C`` if ``affine``); buffers: running mean and
    variance (``2 * C``). PyTorch's ``parameters()`` counts the first, Keras' ``count_params()``
    both (``4 * C``).

    Examples
    --------
    >>> c = batch_norm2d_cost((32, 16, 16))
    >>> c.multiplications, c.additions, c.params, c.buffers
    (8192, 8192, 64, 64)
    """
    c, h, w = _check_input_shape(input_shape)
    n = c * h * w
    return OpCount(n, n, 2 * c if affine else 0, (c, h, w), buffers=2 * c, kind="batchnorm",
                   input_numel=n, output_numel=n)


def relu_cost(input_shape: Shape) -> OpCount:
    """ReLU: one comparison with 0 per element, no arithmetic.

    >>> relu_cost((2, 3, 3)).comparisons
    18
    """
    n = _numel(tuple(input_shape))
    return OpCount(0, 0, 0, tuple(input_shape), comparisons=n, kind="relu", input_numel=n,
                   output_numel=n)


def pool2d_arguments(kernel_size: object, stride: object = None, padding: object = 0,
                     dilation: object = 1, op: str = "MaxPool2d"
                     ) -> tuple[arguments.Pair, arguments.Pair, arguments.Pair, arguments.Pair]:
    """Check pooling arguments as PyTorch does and return them as ``(h, w)`` pairs.

    ``kernel_size``, ``stride`` and ``dilation`` are ints ``>= 1`` or pairs of them (``stride``
    defaults to ``kernel_size``); ``padding`` is an int ``>= 0`` or a pair, at most
    ``kernel_size // 2`` on each axis: a larger pad would let a window lie wholly in the
    padding (``-inf`` for max pooling). PyTorch 2.13 refuses it with "pad should be smaller
    than or equal to half of kernel size" (``pool2d_shape_check`` in ``ATen/native/Pool.h``).
    The layers (:class:`refconv.nn.MaxPool2d`, ``AvgPool2d``), the closed-form costs and the
    counted loops all check through this one function, so they accept and refuse the same
    arguments with the same message.

    Examples
    --------
    >>> pool2d_arguments(3, padding=1)
    ((3, 3), (3, 3), (1, 1), (1, 1))
    >>> pool2d_arguments(2, padding=3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: MaxPool2d: padding must be at most kernel_size // 2 = (1, 1) on each axis, ...
    """
    k = arguments.pair(kernel_size, "kernel_size", 1)
    s = k if stride is None else arguments.pair(stride, "stride", 1)
    p = arguments.pair(padding, "padding", 0)
    d = arguments.pair(dilation, "dilation", 1)
    half = (k[0] // 2, k[1] // 2)
    if p[0] > half[0] or p[1] > half[1]:
        raise ValueError(
            f"{op}: padding must be at most kernel_size // 2 = {half} on each axis, as in "
            f"PyTorch (a larger pad lets a window lie wholly in the padding); got "
            f"padding={padding!r} with kernel_size={kernel_size!r}. Use a smaller padding or "
            f"a larger kernel_size."
        )
    return k, s, p, d


def pool2d_output_size(input_shape: Shape, kernel: arguments.Pair, stride: arguments.Pair,
                       padding: arguments.Pair, dilation: arguments.Pair = (1, 1),
                       op: str = "MaxPool2d") -> arguments.Pair:
    """``(H_out, W_out)`` of a pooling over the last two axes of ``input_shape`` (floor mode).

    The pairs are those :func:`pool2d_arguments` returns. A window that does not fit the
    padded input is a ``ValueError`` that names the op, its geometry, the input shape and the
    window.

    Examples
    --------
    >>> pool2d_output_size((8, 7, 7), (2, 2), (2, 2), (0, 0))
    (3, 3)
    >>> pool2d_output_size((1, 5, 5), (7, 7), (7, 7), (0, 0))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: MaxPool2d(...) on input shape (1, 5, 5): the 7x7 pooling window does not fit ...
    """
    h, w = (int(v) for v in input_shape[-2:])
    h_out = arguments.output_size(h, kernel[0], stride[0], dilation[0], padding[0], padding[0])
    w_out = arguments.output_size(w, kernel[1], stride[1], dilation[1], padding[1], padding[1])
    if h_out < 1 or w_out < 1:
        span = (dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1)
        geometry = f"kernel_size={kernel}, stride={stride}, padding={padding}"
        if op == "MaxPool2d":
            geometry += f", dilation={dilation}"
        raise ValueError(
            f"{op}({geometry}) on input shape {tuple(input_shape)}: the {span[0]}x{span[1]} "
            f"pooling window does not fit the padded input {h + 2 * padding[0]}x"
            f"{w + 2 * padding[1]}. Use a smaller kernel_size or dilation, more padding (at "
            f"most kernel_size // 2) or a larger input."
        )
    return h_out, w_out


def _pool_geometry(input_shape: Shape, kernel_size, stride, padding, dilation, op: str):
    k, s, p, d = pool2d_arguments(kernel_size, stride, padding, dilation, op)
    c, h, w = _check_input_shape(input_shape)
    h_out, w_out = pool2d_output_size((c, h, w), k, s, p, d, op)
    return c, h, w, k, s, p, d, h_out, w_out


def max_pool2d_cost(input_shape: Shape, kernel_size, stride=None, padding=0,
                    dilation=1) -> OpCount:
    """Max pooling: ``kH * kW - 1`` comparisons per output element, no arithmetic.

    ``stride`` defaults to ``kernel_size`` (PyTorch and Keras); floor mode output size.

    >>> c = max_pool2d_cost((32, 32, 32), 2)
    >>> c.output_shape, c.comparisons
    ((32, 16, 16), 24576)
    """
    c, h, w, k, _, _, _, h_out, w_out = _pool_geometry(input_shape, kernel_size, stride, padding,
                                                       dilation, "MaxPool2d")
    out = c * h_out * w_out
    return OpCount(0, 0, 0, (c, h_out, w_out), comparisons=out * (k[0] * k[1] - 1),
                   kind="maxpool", input_numel=c * h * w, output_numel=out)


def avg_pool2d_cost(input_shape: Shape, kernel_size, stride=None, padding=0) -> OpCount:
    """Average pooling: ``kH * kW - 1`` additions and 1 multiplication (by ``1/(kH*kW)``) per
    output element; padded zeros are included (PyTorch's ``count_include_pad=True``).

    >>> c = avg_pool2d_cost((1024, 7, 7), 7)
    >>> c.output_shape, c.additions, c.multiplications
    ((1024, 1, 1), 49152, 1024)
    """
    c, h, w, k, _, _, _, h_out, w_out = _pool_geometry(input_shape, kernel_size, stride, padding,
                                                       1, "AvgPool2d")
    out = c * h_out * w_out
    return OpCount(out, out * (k[0] * k[1] - 1), 0, (c, h_out, w_out), kind="avgpool",
                   input_numel=c * h * w, output_numel=out)


def global_avg_pool2d_cost(input_shape: Shape) -> OpCount:
    """Global average pooling to ``(C, 1, 1)``: ``H*W - 1`` additions and 1 multiplication per
    channel.

    >>> global_avg_pool2d_cost((1024, 7, 7)).additions
    49152
    """
    c, h, w = _check_input_shape(input_shape)
    return OpCount(c, c * (h * w - 1), 0, (c, 1, 1), kind="globalavgpool",
                   input_numel=c * h * w, output_numel=c)


def linear_cost(in_features: int, out_features: int, bias: bool = True) -> OpCount:
    """Fully connected layer: ``in * out`` multiplications, ``(in - 1) * out`` additions
    (``+ out`` with bias), ``in * out (+ out)`` parameters.

    >>> c = linear_cost(1024, 1000)
    >>> c.multiplications, c.additions, c.params
    (1024000, 1024000, 1025000)
    """
    i = arguments.positive_int(in_features, "in_features")
    o = arguments.positive_int(out_features, "out_features")
    return OpCount(i * o, (i - 1) * o + (o if bias else 0), i * o + (o if bias else 0), (o,),
                   kind="linear", input_numel=i, output_numel=o, bias_adds=o if bias else 0)


def reshape_cost(input_shape: Shape, output_shape: Shape) -> OpCount:
    """Flatten, Dropout at inference, Identity: no arithmetic at all."""
    return OpCount(0, 0, 0, tuple(output_shape), kind="reshape",
                   input_numel=_numel(tuple(input_shape)), output_numel=_numel(output_shape))


# --------------------------------------------------------------------------------------------
# The comparison table (standard vs depthwise + pointwise vs spatially separable)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonRow:
    """One line of :func:`compare_convolutions`."""

    name: str
    cost: OpCount

    @property
    def multiplications(self) -> int:
        return self.cost.multiplications


def compare_convolutions(
    input_shape: Shape = (3, 12, 12),
    kernel_size: int = 5,
    out_channels: int = 256,
    stride: int = 1,
    padding: object = 0,
    dilation: int = 1,
    depth_multiplier: int = 1,
    intermediate_channels: int | None = None,
    bias: bool = False,
    effective: bool = False,
) -> list[ComparisonRow]:
    """Standard vs depthwise + pointwise vs spatially separable, for one shape.

    The defaults are the seed-001 example (12x12x3 input, 5x5 kernels, 256 outputs, no padding,
    no bias). Rows: ``standard``, ``depthwise``, ``pointwise``, ``depthwise + pointwise``,
    ``spatial K x 1``, ``spatial 1 x K``, ``spatial K x 1 + 1 x K`` (C_in -> R -> C_out, with
    ``R = intermediate_channels``, default ``out_channels`` as in the seeds' blocks).

    Examples
    --------
    >>> for row in compare_convolutions():
    ...     print(f"{row.name:24} {row.multiplications:>10,}")
    standard                  1,228,800
    depthwise                     4,800
    pointwise                    49,152
    depthwise + pointwise        53,952
    spatial 5x1                 368,640
    spatial 1x5              20,971,520
    spatial 5x1 + 1x5        21,340,160
    """
    standard = conv2d_cost(input_shape, out_channels, kernel_size, stride, padding, dilation, 1,
                           bias, effective=effective)
    separable = separable_conv2d_cost(input_shape, out_channels, kernel_size, depth_multiplier,
                                      stride, padding, dilation, bias, effective=effective)
    spatial = spatial_separable_conv2d_cost(input_shape, out_channels, kernel_size,
                                            intermediate_channels, stride, padding, dilation, 1,
                                            bias, effective=effective)
    k = kernel_size
    return [
        ComparisonRow("standard", standard),
        ComparisonRow("depthwise", separable.parts[0][1]),
        ComparisonRow("pointwise", separable.parts[1][1]),
        ComparisonRow("depthwise + pointwise", separable),
        ComparisonRow(f"spatial {k}x1", spatial.parts[0][1]),
        ComparisonRow(f"spatial 1x{k}", spatial.parts[1][1]),
        ComparisonRow(f"spatial {k}x1 + 1x{k}", spatial),
    ]


def seed001_headline() -> list[tuple[str, int]]:
    """The seed-001 headline numbers: multiplications for 12x12x3, 5x5 kernels, 256 outputs.

    Returns ``[(name, multiplications), ...]`` for ``standard``, ``depthwise``, ``pointwise``
    and ``depthwise + pointwise`` (the article prints 1,228,800; 4,800; 49,152; 53,952).

    Examples
    --------
    >>> seed001_headline()[3]
    ('depthwise + pointwise', 53952)
    >>> [count for _, count in seed001_headline()]
    [1228800, 4800, 49152, 53952]
    """
    return [(row.name, row.multiplications) for row in compare_convolutions()[:4]]


def reduction_formula(out_channels: int, kernel_size: int) -> float:
    """The MobileNet ratio ``1/N + 1/K^2`` (depthwise-separable over standard multiplications).

    Exact for the multiplications of equal-geometry convolutions without bias (the output
    pixel count cancels); additions and biases shift it slightly.

    >>> round(reduction_formula(128, 3), 5)
    0.11892
    """
    return 1.0 / out_channels + 1.0 / kernel_size**2
