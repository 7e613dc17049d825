"""Networks built from :mod:`refconv.nn` layers: MobileNet v1 and the articles' example nets.

Each function returns an :class:`~refconv.nn.Sequential` with readable layer names, ready for
``refconv.summary(model, input_shape)``. The resolution is not part of the model: pass it as
``input_shape`` (MobileNet ends with a global average pool, so any resolution works, which is
how the paper's resolution multiplier is applied).

=================  ================================================================  ==============
function           what                                                              input
=================  ================================================================  ==============
``mobilenet_v1``   MobileNet v1 (Howard et al. 2017, Table 1)                        (3, 224, 224)
``example_net``    the efficient-convolution article's PyTorch ``ExampleNet``        (3, 224, 224)
``param_net``      the PyTorch comparison's ``Param`` and its three variants         (3, 416, 416)
``standard_cnn``   the CIFAR-10 notebook's Keras ``StandardCNN``                     (3, 32, 32)
``separable_cnn``  the CIFAR-10 notebook's Keras ``SeparableCNN``                    (3, 32, 32)
``spatial_block``  the separable-block note's Keras spatially separable block        (3, 32, 32)
=================  ================================================================  ==============

Softmax layers are left out (no parameters; the papers and counters do not count them).

Examples
--------
>>> from refconv import models
>>> from refconv.counting import summary
>>> s = summary(models.mobilenet_v1(), (3, 224, 224))
>>> s.total_multiplications > s.total_macs                 # BN and pooling multiply too
True
>>> s.total_macs, s.total_params                           # paper: 569M, 4.2M
(568740352, 4231976)
"""

from __future__ import annotations

import math
from collections import OrderedDict

from . import arguments, nn
from .nn import Seed, as_generator

# (output channels, stride) of the 13 depthwise-separable blocks of Table 1.
MOBILENET_V1_BLOCKS = (
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
)


def _width_multiplier(value: object) -> float:
    """The paper's alpha: a finite number with ``int(32 * alpha) >= 1`` (conv1 keeps a channel)."""
    if not arguments.is_real(value):
        raise TypeError(
            f"width_multiplier must be a number such as 1.0, 0.75, 0.5 or 0.25; got {value!r} "
            f"({type(value).__name__})"
        )
    alpha = float(value)
    if not math.isfinite(alpha) or alpha <= 0:
        raise ValueError(
            f"width_multiplier must be a finite number > 0 (the paper uses 1.0, 0.75, 0.5, "
            f"0.25); got {value!r}"
        )
    if int(32 * alpha) < 1:
        raise ValueError(
            f"width_multiplier must be at least 1/32 = 0.03125, so that the first layer keeps "
            f"int(32 * width_multiplier) >= 1 channel; got {value!r}"
        )
    return alpha


def mobilenet_v1(
    width_multiplier: float = 1.0,
    num_classes: int = 1000,
    *,
    seed: Seed = None,
    last_depthwise_stride: int = 1,
) -> nn.Sequential:
    """MobileNet v1: a 3x3 conv, 13 depthwise-separable blocks, global average pool, FC.

    Every convolution is bias-free and followed by BatchNorm and ReLU (paper, Fig. 3); the
    fully connected layer has a bias. Channels are ``int(channels * width_multiplier)``, as in
    Keras' ``MobileNet(alpha=...)``. Padding 1 on every 3x3 layer gives the paper's sizes
    (224 -> 112 -> 56 -> 28 -> 14 -> 7).

    Parameters
    ----------
    width_multiplier : float, default 1.0
        The paper's alpha (Table 6 uses 1.0, 0.75, 0.5, 0.25): a finite number, at least
        1/32 so that every layer keeps a channel.
    num_classes : int, default 1000
    seed : int, numpy Generator or None
    last_depthwise_stride : int, default 1
        Table 1 prints "Conv dw / s2" for the 13th depthwise layer, whose input and output
        are both 7x7 in the same table; stride 1 is the consistent reading (and gives the
        paper's 569M Mult-Adds). Pass 2 to count the literal table.

    Returns
    -------
    Sequential
        Names as in Keras: ``conv1``, ``conv1_bn``, ``conv1_relu``, ``conv_dw_1``,
        ``conv_dw_1_bn``, ..., ``conv_pw_13_relu``, ``avg_pool``, ``flatten``, ``fc``.

    Examples
    --------
    >>> from refconv.counting import summary
    >>> summary(mobilenet_v1(0.5), (3, 224, 224)).total_macs          # paper Table 6: 149M
    149497088
    """
    alpha = _width_multiplier(width_multiplier)
    num_classes = arguments.positive_int(num_classes, "num_classes")
    last_depthwise_stride = arguments.positive_int(last_depthwise_stride, "last_depthwise_stride")
    rng = as_generator(seed)
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    channels = int(32 * alpha)
    layers["conv1"] = nn.Conv2d(3, channels, 3, stride=2, padding=1, bias=False, seed=rng)
    layers["conv1_bn"] = nn.BatchNorm2d(channels)
    layers["conv1_relu"] = nn.ReLU()
    for i, (out, stride) in enumerate(MOBILENET_V1_BLOCKS, start=1):
        if i == len(MOBILENET_V1_BLOCKS):
            stride = last_depthwise_stride
        out = int(out * alpha)
        layers[f"conv_dw_{i}"] = nn.DepthwiseConv2d(
            channels, 3, stride=stride, padding=1, bias=False, seed=rng
        )
        layers[f"conv_dw_{i}_bn"] = nn.BatchNorm2d(channels)
        layers[f"conv_dw_{i}_relu"] = nn.ReLU()
        layers[f"conv_pw_{i}"] = nn.PointwiseConv2d(channels, out, bias=False, seed=rng)
        layers[f"conv_pw_{i}_bn"] = nn.BatchNorm2d(out)
        layers[f"conv_pw_{i}_relu"] = nn.ReLU()
        channels = out
    layers["avg_pool"] = nn.GlobalAvgPool2d()
    layers["flatten"] = nn.Flatten()
    layers["fc"] = nn.Linear(channels, num_classes, seed=rng)
    return nn.Sequential(layers, name=f"MobileNet-v1-{alpha:g}")


def example_net(*, seed: Seed = None) -> nn.Sequential:
    """The efficient-convolution article's ``ExampleNet``: conv 3->32, depthwise-separable
    32->64 (no bias), conv 64->128.

    All 3x3, stride 1, padding 1; ``nn.Conv2d`` keeps PyTorch's default bias, the
    ``DepthwiseSeparableConv`` block was built with ``bias=False``.

    Examples
    --------
    >>> from refconv.counting import summary
    >>> summary(example_net(), (3, 224, 224)).total_params          # 896 + 288 + 2048 + 73856
    77088
    """
    rng = as_generator(seed)
    return nn.Sequential(
        OrderedDict(
            [
                ("conv1", nn.Conv2d(3, 32, 3, 1, 1, seed=rng)),
                (
                    "dwconv",
                    nn.Sequential(
                        OrderedDict(
                            [
                                (
                                    "depthwise",
                                    nn.DepthwiseConv2d(
                                        32, 3, stride=1, padding=1, bias=False, seed=rng
                                    ),
                                ),
                                ("pointwise", nn.PointwiseConv2d(32, 64, bias=False, seed=rng)),
                            ]
                        )
                    ),
                ),
                ("conv2", nn.Conv2d(64, 128, 3, 1, 1, seed=rng)),
            ]
        ),
        name="ExampleNet",
    )


def _conv_bn_relu(conv: nn.Module, channels: int) -> nn.Sequential:
    return nn.Sequential(
        OrderedDict([("0", conv), ("1", nn.BatchNorm2d(channels)), ("2", nn.ReLU())])
    )


PARAM_VARIANTS = ("standard", "depthwise_separable", "spatially_separable")


def param_net(variant: str | None = None, *, seed: Seed = None) -> nn.Sequential:
    """The PyTorch comparison's ``Param`` network, or ``conv1`` followed by one of its
    three blocks.

    ``conv1``: conv 3->24, 3x3, stride 2, padding 1, no bias, BN, ReLU. The blocks, all
    24 -> 24 with BN and ReLU:

    * ``"standard"`` (``conv2``): 3x3 conv, padding 1, no bias;
    * ``"depthwise_separable"`` (``conv3``): 3x3 depthwise (no bias), then
      ``nn.Conv2d(24, 24, 1)`` (PyTorch's default bias), then BN, ReLU;
    * ``"spatially_separable"`` (``D3x1_D1x3``): ConvBNReLU 3x1 (padding (1, 0)), then
      ConvBNReLU 1x3 (padding (0, 1)), both full 24 -> 24 convolutions without bias.

    ``variant=None`` gives the whole ``Param.forward``: conv1, conv2, conv3, D3x1_D1x3. The
    article's profiler figures (258.55M / 5.93k, 69.57M / 1.56K, 186.9M / 4.25K) are conv1 +
    one block at input (3, 416, 416), counted the ptflops way (see :mod:`refconv.published`).

    Examples
    --------
    >>> from refconv.counting import summary
    >>> s = summary(param_net("standard"), (3, 416, 416), macs="ptflops")
    >>> s.total_macs, s.total_params
    (258545664, 5928)
    """
    if variant is not None and variant not in PARAM_VARIANTS:
        raise ValueError(f"variant must be None or one of {PARAM_VARIANTS}; got {variant!r}")
    rng = as_generator(seed)
    blocks: OrderedDict[str, nn.Module] = OrderedDict()
    blocks["conv1"] = _conv_bn_relu(
        nn.Conv2d(3, 24, 3, stride=2, padding=1, bias=False, seed=rng), 24
    )
    if variant in (None, "standard"):
        blocks["conv2"] = _conv_bn_relu(nn.Conv2d(24, 24, 3, padding=1, bias=False, seed=rng), 24)
    if variant in (None, "depthwise_separable"):
        blocks["conv3"] = nn.Sequential(
            OrderedDict(
                [
                    ("0", nn.DepthwiseConv2d(24, 3, padding=1, bias=False, seed=rng)),
                    ("1", nn.PointwiseConv2d(24, 24, bias=True, seed=rng)),
                    ("2", nn.BatchNorm2d(24)),
                    ("3", nn.ReLU()),
                ]
            )
        )
    if variant in (None, "spatially_separable"):
        blocks["D3x1_D1x3"] = nn.Sequential(
            OrderedDict(
                [
                    (
                        "0",
                        _conv_bn_relu(
                            nn.Conv2d(24, 24, (3, 1), padding=(1, 0), bias=False, seed=rng), 24
                        ),
                    ),
                    (
                        "1",
                        _conv_bn_relu(
                            nn.Conv2d(24, 24, (1, 3), padding=(0, 1), bias=False, seed=rng), 24
                        ),
                    ),
                ]
            )
        )
    return nn.Sequential(blocks, name=f"Param[{variant or 'full'}]")


def _keras_cnn(separable: bool, seed: Seed) -> nn.Sequential:
    rng = as_generator(seed)
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    channels = 3
    for i, filters in enumerate((32, 64, 128)):
        suffix = f"_{i}" if i else ""
        if separable:
            layers[f"separable_conv2d{suffix}"] = nn.SeparableConv2d(
                channels, filters, 3, padding="same", seed=rng
            )
        else:
            layers[f"conv2d{suffix}"] = nn.Conv2d(channels, filters, 3, padding="same", seed=rng)
        layers[f"batch_normalization{suffix}"] = nn.BatchNorm2d(filters, eps=1e-3)
        layers[f"activation{suffix}"] = nn.ReLU()
        layers[f"max_pooling2d{suffix}"] = nn.MaxPool2d(2)
        channels = filters
    layers["flatten"] = nn.Flatten()
    layers["dense"] = nn.Linear(4 * 4 * 128, 128, seed=rng)
    layers["dense_relu"] = nn.ReLU()
    layers["dropout"] = nn.Dropout(0.5, seed=rng)  # its masks, in training
    layers["dense_1"] = nn.Linear(128, 10, seed=rng)  # softmax not modelled
    return nn.Sequential(layers, name="SeparableCNN" if separable else "StandardCNN")


def standard_cnn(*, seed: Seed = None) -> nn.Sequential:
    """The CIFAR-10 notebook's Keras ``StandardCNN`` for 32x32x3 (CIFAR-10) input.

    Three blocks of Conv2D (3x3, same, with bias) + BatchNormalization + ReLU + MaxPooling2D(2)
    with 32, 64, 128 filters, then Flatten, Dense(128, relu), Dropout(0.5), Dense(10).

    Examples
    --------
    >>> from refconv.counting import summary
    >>> summary(standard_cnn(), (3, 32, 32), params="keras").total_params   # count_params()
    357706
    """
    return _keras_cnn(False, seed)


def separable_cnn(*, seed: Seed = None) -> nn.Sequential:
    """The CIFAR-10 notebook's Keras ``SeparableCNN``: ``StandardCNN`` with SeparableConv2D layers.

    Examples
    --------
    >>> from refconv.counting import summary
    >>> summary(separable_cnn(), (3, 32, 32), params="keras").total_params
    275909
    """
    return _keras_cnn(True, seed)


def spatial_block(
    filters: int = 64, kernel_size: int = 3, in_channels: int = 3, *, seed: Seed = None
) -> nn.Sequential:
    """The separable-block note's Keras ``spatially_separable_conv2d`` block: Conv2D
    ``(1, k)`` (same, no bias), BN, ReLU, Conv2D ``(k, 1)`` (same, no bias), BN, ReLU. Both
    convolutions mix all channels (``in_channels -> filters -> filters``).

    Examples
    --------
    >>> from refconv.counting import summary
    >>> summary(spatial_block(), (3, 32, 32), params="keras").total_params  # 576+256+12288+256
    13376
    """
    filters = arguments.positive_int(filters, "filters")
    kernel_size = arguments.positive_int(kernel_size, "kernel_size")
    in_channels = arguments.positive_int(in_channels, "in_channels")
    rng = as_generator(seed)
    return nn.Sequential(
        OrderedDict(
            [
                (
                    "conv2d",
                    nn.Conv2d(
                        in_channels, filters, (1, kernel_size), padding="same", bias=False, seed=rng
                    ),
                ),
                ("batch_normalization", nn.BatchNorm2d(filters, eps=1e-3)),
                ("re_lu", nn.ReLU()),
                (
                    "conv2d_1",
                    nn.Conv2d(
                        filters, filters, (kernel_size, 1), padding="same", bias=False, seed=rng
                    ),
                ),
                ("batch_normalization_1", nn.BatchNorm2d(filters, eps=1e-3)),
                ("re_lu_1", nn.ReLU()),
            ]
        ),
        name="spatially_separable_conv2d",
    )
