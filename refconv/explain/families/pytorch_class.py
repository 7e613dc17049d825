"""The PyTorch comparison's ``SpatiallySeparableConv2d`` class, and what refconv does instead.

The PyTorch comparison (:data:`refconv.sources.SOURCES` ``["pytorch"]``) builds a spatially
separable layer from two grouped ``nn.Conv2d``: a per-channel ``K x 1`` one, then a
per-channel ``1 x K`` one. The idea is right; four details are checked here:

(a) ``in_channels=3, out_channels=8`` with ``groups=in_channels``: a grouped convolution needs
    ``out_channels`` to be a multiple of ``groups``, and 8 is not a multiple of 3;
(b) ``padding=(padding // 2, 0)``: each 1-D pass should take the *whole* padding of its axis,
    ``(padding, 0)``; with ``padding=1`` the class pads nothing and 32x32 becomes 30x30;
(c) ``stride=(stride, 1)`` then ``(1, stride)``: right, the same split as refconv's;
(d) the per-channel version refconv offers, then a pointwise convolution to reach 8 channels;
(e) an even kernel, which the class's ``assert`` forbids and refconv accepts.

>>> import numpy as np
>>> from refconv import spatial_separable_conv2d
>>> x = np.zeros((1, 3, 32, 32))  # (N, C_in, H, W)
>>> column, row = np.ones((3, 1, 3, 1)), np.ones((3, 1, 1, 3))  # per channel, K = 3
>>> spatial_separable_conv2d(x, column, row, padding=1 // 2, groups=3).shape  # the article's
(1, 3, 30, 30)
>>> spatial_separable_conv2d(x, column, row, padding=1, groups=3).shape  # what padding=1 means
(1, 3, 32, 32)

:func:`example` prints all five (section 6 of docs/families.md); with PyTorch it runs the
class itself (:func:`article_class`).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from ...functional import conv2d, depthwise_conv2d, spatial_separable_conv2d
from ...nn import PointwiseConv2d, SpatialSeparableConv2d
from ...sources import SOURCES
from ..correlation import scipy_correlate_valid as corr
from ..page import Array, Check, Item, Text, header
from ..peers import tensor

__all__ = ["ARTICLE", "article_class", "example"]

ARTICLE = SOURCES["pytorch"].short  # "the PyTorch comparison"


def article_class(torch: ModuleType, fixed: bool = False) -> type:
    """The PyTorch comparison's class, as the article writes it (without its odd-``K`` assert).

    Parameters
    ----------
    torch : module
        PyTorch.
    fixed : bool
        ``True`` passes ``padding`` itself to each pass instead of ``padding // 2``.

    Returns
    -------
    type
        A ``torch.nn.Module`` subclass ``SpatiallySeparableConv2d(in_channels, out_channels,
        kernel_size, stride=1, padding=0)``.
    """

    # torch is optional and arrives as an argument: the checker cannot see its classes
    class SpatiallySeparableConv2d(torch.nn.Module):  # type: ignore[name-defined]
        def __init__(
            self,
            in_channels: int,
            out_channels: int,
            kernel_size: int,
            stride: int = 1,
            padding: int = 0,
        ) -> None:
            super().__init__()
            pad = padding if fixed else padding // 2
            self.depthwise_row_conv = torch.nn.Conv2d(
                in_channels,
                in_channels,
                kernel_size=(kernel_size, 1),
                stride=(stride, 1),
                padding=(pad, 0),
                groups=in_channels,
            )
            self.depthwise_col_conv = torch.nn.Conv2d(
                in_channels,
                out_channels,
                kernel_size=(1, kernel_size),
                stride=(1, stride),
                padding=(0, pad),
                groups=in_channels,
            )

        def forward(self, x: Any) -> Any:  # torch.Tensor in, torch.Tensor out
            return self.depthwise_col_conv(self.depthwise_row_conv(x))

    return SpatiallySeparableConv2d


def _outer_per_channel(column: np.ndarray, row: np.ndarray) -> np.ndarray:
    """(C, 1, K, 1) and (C, 1, 1, K) -> the (C, 1, K, K) kernels np.outer(column[c], row[c])."""
    return np.stack(
        [np.outer(column[c].ravel(), row[c].ravel())[None] for c in range(column.shape[0])]
    )


def example(torch: ModuleType | None = None) -> list[Item]:
    """Section 6: (a) to (e) on a ``(1, 3, 32, 32)`` input.

    Parameters
    ----------
    torch : module or None
        PyTorch, to run the article's class as well; ``None`` leaves those lines out.

    Returns
    -------
    list of :class:`~refconv.explain.page.Item`
        Parts (a) to (e) in print order, each followed by its ``[torch]`` lines when
        ``torch`` is given.

    Examples
    --------
    >>> from refconv.explain.page import failed, text
    >>> items = example()
    >>> text(items, "refconv: ")
    'refconv: (1, 3, 32, 32) -> (1, 3, 16, 16)'
    >>> failed(items)
    []
    """
    items = header(f"6. {ARTICLE}'s SpatiallySeparableConv2d")
    rng = np.random.default_rng(6)
    x = rng.standard_normal((1, 3, 32, 32))  # (N, C_in, H, W)
    col = rng.standard_normal((3, 1, 3, 1))  # (C_in, 1, K, 1)

    items.append(Text("(a) in_channels=3, out_channels=8, groups=in_channels in the second conv"))
    try:
        spatial_separable_conv2d(x, col, rng.standard_normal((8, 1, 1, 3)), padding=1, groups=3)
    except ValueError as exc:
        items.append(Text(f"refconv.spatial_separable_conv2d: ValueError: {exc}"))
    try:
        SpatialSeparableConv2d(3, 8, 3, intermediate_channels=3, padding=1, groups=3)
    except ValueError as exc:
        items.append(Text(f"refconv.nn.SpatialSeparableConv2d: ValueError: {exc}"))
    if torch is not None:
        try:
            article_class(torch, fixed=False)(3, 8, 3, stride=1, padding=1)
        except ValueError as exc:
            items.append(Text(f"{ARTICLE}'s class: ValueError: {exc}", torch=True))

    items += [
        Text(""),
        Text("(b) padding=((padding // 2), 0): output sizes on a 32x32 input, padding = K // 2"),
        Text(" K  padding  padding//2  article's output  correct output"),
    ]
    for k in (3, 5, 7):
        p = k // 2
        c = rng.standard_normal((3, 1, k, 1))
        r = rng.standard_normal((3, 1, 1, k))
        theirs = spatial_separable_conv2d(x, c, r, padding=p // 2, groups=3)
        right = spatial_separable_conv2d(x, c, r, padding=p, groups=3)
        items.append(
            Text(
                f"{k:>2}  {p:>7}  {p // 2:>10}  {theirs.shape[2]:>6} x "
                f"{theirs.shape[3]:<5} {right.shape[2]:>6} x {right.shape[3]}"
            )
        )
    if torch is not None:
        with torch.no_grad():
            xt = tensor(torch, x).float()
            theirs_t = article_class(torch, fixed=False)(3, 3, 3, stride=1, padding=1)(xt)
            fixed_t = article_class(torch, fixed=True)(3, 3, 3, stride=1, padding=1)(xt)
        label = f"{ARTICLE}'s class (out_channels=3, padding=1): "
        items += [
            Text(f"{label}{tuple(theirs_t.shape)}", torch=True),
            Text(
                f"{'with padding=(padding, 0) and (0, padding): ':<{len(label)}}"
                f"{tuple(fixed_t.shape)}",
                torch=True,
            ),
        ]

    items += [
        Text(""),
        Text("(c) stride=(stride, 1) then (1, stride): stride 2, padding 1, per channel"),
    ]
    row = rng.standard_normal((3, 1, 1, 3))  # (C_in, 1, 1, K)
    ys = spatial_separable_conv2d(x, col, row, stride=2, padding=1, groups=3)
    yf = conv2d(x, _outer_per_channel(col, row), stride=2, padding=1, groups=3)
    items += [
        Text(f"refconv: {x.shape} -> {ys.shape}"),
        Check(
            "spatial_separable_conv2d(stride=2) == conv2d(outer kernels, stride=2)",
            np.allclose(ys, yf, rtol=1e-12, atol=1e-12),
        ),
    ]
    if torch is not None:
        layer = article_class(torch, fixed=True)(3, 3, 3, stride=2, padding=1).double()
        with torch.no_grad():
            layer.depthwise_row_conv.weight.copy_(tensor(torch, col))
            layer.depthwise_col_conv.weight.copy_(tensor(torch, row))
            layer.depthwise_row_conv.bias.zero_()
            layer.depthwise_col_conv.bias.zero_()
            t = layer(tensor(torch, x)).numpy()
        items.append(
            Check(
                f"{ARTICLE}'s stride split (padding fixed) == refconv",
                t.shape == ys.shape and np.allclose(t, ys, rtol=1e-12, atol=1e-12),
                torch=True,
            )
        )

    items += [
        Text(""),
        Text("(d) the per-channel version in refconv, then a pointwise conv to reach 8 channels"),
    ]
    sep = SpatialSeparableConv2d(3, 3, 3, padding=1, groups=3, bias=False, seed=0)
    mix = PointwiseConv2d(3, 8, bias=False, seed=0)
    h = sep(x)  # (1, 3, 32, 32)
    out = mix(h)  # (1, 8, 32, 32)
    per_channel = _outer_per_channel(sep.column_weight, sep.row_weight)  # (3, 1, 3, 3)
    six = SpatialSeparableConv2d(3, 6, 3, intermediate_channels=3, padding=1, groups=3, seed=0)
    mixing = SpatialSeparableConv2d(3, 8, 3, padding=1, seed=0)
    items += [
        Text(
            f"SpatialSeparableConv2d(3, 3, 3, padding=1, groups=3): column_weight "
            f"{sep.column_weight.shape}, row_weight {sep.row_weight.shape}"
        ),
        Text(f"  x {x.shape} -> {h.shape}"),
        Text(f"PointwiseConv2d(3, 8): weight {mix.weight.shape}; -> {out.shape}"),
        Check(
            "per-channel output == depthwise_conv2d with np.outer(column[c], row[c])",
            np.allclose(h, depthwise_conv2d(x, per_channel, padding=1), rtol=1e-5, atol=1e-5),
        ),
        Text(
            f"per channel with M = 2: SpatialSeparableConv2d(3, 6, 3, intermediate_channels=3, "
            f"padding=1, groups=3) -> {six(x).shape}"
        ),
        Text(
            f"channel-mixing: SpatialSeparableConv2d(3, 8, 3, padding=1): column_weight "
            f"{mixing.column_weight.shape}, row_weight {mixing.row_weight.shape} -> "
            f"{mixing(x).shape}"
        ),
    ]
    return items + _even_kernel(x, rng, torch)


def _even_kernel(x: np.ndarray, rng: np.random.Generator, torch: ModuleType | None) -> list[Item]:
    """(e): K = 2 by hand, and K = 4 with padding='same' per channel."""
    items: list[Item] = [Text(""), Text("(e) an even kernel: K = 2, column [1, -1], row [1, 1]")]
    xe = np.arange(16).reshape(1, 4, 4) % 5  # (C_in, H, W) = (1, 4, 4)
    ce, re_ = np.array([1, -1]), np.array([1, 1])
    ye = spatial_separable_conv2d(xe, ce.reshape(1, 1, 2, 1), re_.reshape(1, 1, 1, 2))  # (1, 3, 3)
    c4 = rng.standard_normal((3, 1, 4, 1))
    r4 = rng.standard_normal((3, 1, 1, 4))
    y4 = spatial_separable_conv2d(x, c4, r4, padding="same", groups=3)
    items += [
        Array("x[0]", xe[0]),
        Array("np.outer(column, row)", np.outer(ce, re_)),
        Array("spatial_separable_conv2d(x)[0]", ye[0]),
        Check(
            "spatial_separable_conv2d == correlate2d(x[0], np.outer(column, row))",
            np.array_equal(ye[0], corr(xe[0], np.outer(ce, re_))),
        ),
        Text(f"K = 4, padding='same', per channel: {x.shape} -> {y4.shape}"),
        Check(
            "spatial_separable_conv2d == conv2d(outer kernels, padding='same')",
            np.allclose(
                y4,
                conv2d(x, _outer_per_channel(c4, r4), padding="same", groups=3),
                rtol=1e-12,
                atol=1e-12,
            ),
        ),
    ]
    if torch is not None:
        F = torch.nn.functional
        t = F.conv2d(
            F.conv2d(tensor(torch, xe[None]), tensor(torch, ce.reshape(1, 1, 2, 1))),
            tensor(torch, re_.reshape(1, 1, 1, 2)),
        )[0].numpy()
        items.append(
            Check(
                f"F.conv2d with a (2, 1) then a (1, 2) kernel: output {t.shape}, == refconv",
                np.array_equal(t, ye),
                torch=True,
            )
        )
    return items
