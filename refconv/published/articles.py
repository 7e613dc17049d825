"""What the four articles print, recomputed: one function per article, one for the claims
they share about spatially separable convolutions.

Each function returns the article's figures as :class:`~refconv.published.check.Check` s, in
the order the article gives them; :mod:`refconv.published` runs them all. The articles are
named as :data:`refconv.sources.SOURCES` names them.

>>> [c.ok for c in tds_checks()][:4]
[True, True, True, True]
"""

from __future__ import annotations

from .. import counting, models
from ..counting import Summary, summary
from ..sources import SOURCES
from .check import Check, erratum, exact, info, rounded, within


def tds_checks() -> list[Check]:
    """The TDS introduction: the 12x12x3 image, 5x5 kernels and 256 outputs, worked by hand."""
    src, conv = SOURCES["tds"].short, "multiplications, no padding, no bias"
    rows = {r.name: r.multiplications for r in counting.compare_convolutions()}
    total = rows["depthwise + pointwise"]
    same = counting.conv2d_cost((3, 12, 12), 256, 5, padding="same", bias=False)
    return [
        exact(src, "standard 12x12x3 -(5x5x3x256)-> 8x8x256", 1_228_800, rows["standard"], conv),
        exact(src, "depthwise 3 x 5x5x1 kernels, 8x8 moves", 4_800, rows["depthwise"], conv),
        exact(src, "pointwise 256 x 1x1x3 kernels, 8x8 moves", 49_152, rows["pointwise"], conv),
        exact(src, "depthwise + pointwise", 53_952, total, conv),
        erratum(
            src,
            "'52952 is much less than 1228800'",
            "52,952",
            total,
            total != 52_952,
            conv,
            "typo: the sum printed one sentence earlier is 53,952",
        ),
        info(
            src,
            "standard / separable",
            round(rows["standard"] / total, 2),
            conv,
            "22.78x fewer multiplications",
        ),
        erratum(
            src,
            "function diagram '12x12x3 -(5x5x3x256)-> 12x12x256'",
            "12x12x256",
            same.multiplications,
            same.output_shape != (256, 8, 8),
            conv,
            "without padding the output is 8x8x256 (the article's own 12 - 5 + 1 = 8); "
            "a 12x12x256 output needs 'same' padding and 2,764,800 multiplications",
        ),
        info(
            src,
            "standard additions (bias adds one per output)",
            counting.conv2d_cost((3, 12, 12), 256, 5, bias=False).additions,
            "additions, 75 - 1 per output pixel",
            "with bias: 1,228,800, equal to the products",
        ),
    ]


def efficient_checks() -> list[Check]:
    """The efficient-convolution article: its 224x224x3 walk-through and its formulas."""
    src, conv = SOURCES["efficient"].short, "multiplications, valid padding, no bias"
    dw = counting.depthwise_conv2d_cost((3, 224, 224), 3, bias=False)
    pw = counting.pointwise_conv2d_cost(dw.output_shape, 64, bias=False)
    standard = counting.conv2d_cost((3, 224, 224), 64, 3, bias=False)
    m, n, k, d_out, d_in = 3, 64, 3, 222, 224
    big_m, small_n = 256, 1
    ratio = counting.reduction_formula(small_n, k)
    net = summary(models.example_net(), (3, 224, 224))
    return [
        exact(
            src,
            "224x224x3, 3x3 depthwise -> 222x222 maps",
            222,
            dw.output_shape[1],
            "output size 224 - 3 + 1",
        ),
        info(src, "depthwise 224x224x3 -> 222x222x3", dw.multiplications, conv),
        info(src, "pointwise 222x222x3 -> 222x222x64", pw.multiplications, conv),
        info(src, "standard 3x3 conv 3 -> 64 for comparison", standard.multiplications, conv),
        exact(
            src,
            "formula D_F^2 M (D_K^2 + N) with D_F = output size 222",
            d_out**2 * m * (k * k + n),
            dw.multiplications + pw.multiplications,
            conv,
        ),
        erratum(
            src,
            "formula with D_F = input size 224 (as the article defines D_F)",
            f"{d_in**2 * m * (k * k + n):,}",
            dw.multiplications + pw.multiplications,
            d_in**2 * m * (k * k + n) != dw.multiplications + pw.multiplications,
            conv,
            "D_F must be the output size; with valid padding 224 over-counts by 1.8%",
        ),
        erratum(
            src,
            "'big saving when N is much smaller than M'",
            "ratio < 1",
            round(ratio, 4),
            ratio > 1,
            f"separable / standard = 1/N + 1/K^2, M={big_m}, N={small_n}, K={k}",
            "M cancels; the saving grows with N. With N=1 separable costs 11% MORE",
        ),
        info(src, "ExampleNet parameters (PyTorch)", net.total_params, "weights + biases"),
        info(
            src,
            "ExampleNet multiplications at 224x224",
            net.total_multiplications,
            "exact, padding 1",
        ),
    ]


def pytorch_checks() -> list[Check]:
    """The PyTorch comparison: its profiler table of ``Param`` (conv1 + each block)."""
    src = SOURCES["pytorch"].short
    conv = "ptflops: conv products + bias, BN 2/elem, ReLU 1/elem; input 416x416x3; conv1+block"
    printed = {
        "standard": ("258.55M", 258.55, "5.93k", 5.93),
        "depthwise_separable": ("69.57M", 69.57, "1.56K", 1.56),
        "spatially_separable": ("186.9M", 186.9, "4.25K", 4.25),
    }
    checks = []
    for variant, (mac_text, macs, param_text, params) in printed.items():
        s = summary(models.param_net(variant), (3, 416, 416), macs="ptflops")
        checks.append(rounded(src, f"{variant} MACs", mac_text, s.total_macs, 1e6, macs, 2, conv))
        checks.append(
            rounded(
                src,
                f"{variant} params",
                param_text,
                s.total_params,
                1e3,
                params,
                2,
                "PyTorch parameters(), conv1 + block",
            )
        )
    thop = summary(models.param_net("standard"), (3, 416, 416), macs="thop").total_macs
    checks.append(
        info(
            src,
            "standard, counted the current thop way",
            thop,
            "thop: conv products, BN 4/elem, ReLU 0",
            "260.62M: not the printed number, so the article used ptflops-like rules",
        )
    )
    return checks


def notebook_checks() -> list[Check]:
    """The CIFAR-10 notebook: Keras' parameter counts of StandardCNN and SeparableCNN."""
    src, conv = SOURCES["notebook"].short, "Keras count_params (BN 4 per channel)"
    std = summary(models.standard_cnn(), (3, 32, 32), params="keras")
    sep = summary(models.separable_cnn(), (3, 32, 32), params="keras")

    def conv_params(s: Summary) -> int:
        return sum(r.params for r in s.rows if "conv" in r.name)

    std_conv, sep_conv = conv_params(std), conv_params(sep)
    whole = std.total_params / sep.total_params
    layers = std_conv / sep_conv
    std_macs = summary(models.standard_cnn(), (3, 32, 32)).total_macs
    sep_macs = summary(models.separable_cnn(), (3, 32, 32)).total_macs
    k, n = 3, 128
    last_std = counting.conv2d_cost((64, 8, 8), 128, 3, padding="same", bias=False)
    last_sep = counting.separable_conv2d_cost((64, 8, 8), 128, 3, padding="same", bias=False)
    last_sep_b = counting.separable_conv2d_cost((64, 8, 8), 128, 3, padding="same")
    last_std_b = counting.conv2d_cost((64, 8, 8), 128, 3, padding="same")
    ops_ratio = (last_sep_b.multiplications + last_sep_b.additions) / (
        last_std_b.multiplications + last_std_b.additions
    )
    return [
        # Keras: conv 896 + 18,496 + 73,856; BN 128 + 256 + 512; dense 262,272 + 1,290.
        exact(src, "StandardCNN count_params()", 357_706, std.total_params, conv),
        # Keras: separable 155 + 2,400 + 8,896; BN and dense as above.
        exact(src, "SeparableCNN count_params()", 275_909, sep.total_params, conv),
        info(src, "non-trainable (BN moving mean / variance)", std.non_trainable_params, conv),
        within(
            src,
            "conv layers only: standard / separable params",
            "8-9x",
            round(layers, 2),
            8,
            9,
            conv,
            f"{std_conv:,} / {sep_conv:,} = {layers:.2f}x",
        ),
        erratum(
            src,
            "whole model: 'about 8-9x fewer parameters'",
            "8-9x",
            round(whole, 2),
            whole < 8,
            conv,
            f"{std.total_params:,} / {sep.total_params:,} = {whole:.2f}x: "
            "the Dense(128) layer (262,272 params) is untouched and dominates",
        ),
        within(
            src,
            "1/N + 1/K^2 for K=3, N=128 ('about 8-9x')",
            "8-9x",
            round(1 / counting.reduction_formula(n, k), 2),
            8,
            9,
            "reduction factor",
        ),
        Check(
            src,
            "last conv 64->128 at 8x8: separable / standard multiplications",
            f"1/N + 1/K^2 = {counting.reduction_formula(n, k):.5f}",
            last_sep.multiplications / last_std.multiplications,
            "multiplications without bias",
            "exact",
            abs(
                last_sep.multiplications / last_std.multiplications
                - counting.reduction_formula(n, k)
            )
            < 1e-12,
            "the output pixel count cancels: the formula is exact for products",
        ),
        info(
            src,
            "same, counting additions and biases",
            round(ops_ratio, 5),
            "(mults + adds) with bias",
            "the formula is exact only for products",
        ),
        info(
            src,
            "whole-model MACs standard / separable",
            round(std_macs / sep_macs, 2),
            "conv + dense products",
            f"{std_macs:,} / {sep_macs:,}",
        ),
    ]


def spatial_checks() -> list[Check]:
    """What the articles say about spatially separable convolutions: "6 products instead of
    9" (the TDS introduction and the PyTorch comparison) and "2K per pixel" (the
    separable-block note)."""
    src = ", ".join(SOURCES[key].short for key in ("tds", "pytorch"))
    block_note = SOURCES["block"].short
    conv = "multiplications, one channel, no bias"
    valid = counting.spatial_separable_conv2d_cost((1, 12, 12), 1, 5, bias=False)
    same = counting.spatial_separable_conv2d_cost((1, 12, 12), 1, 5, padding="same", bias=False)
    same_eff = counting.spatial_separable_conv2d_cost(
        (1, 12, 12), 1, 5, padding="same", bias=False, effective=True
    )
    block = summary(models.spatial_block(), (3, 32, 32), params="keras")
    standard = counting.conv2d_cost((3, 32, 32), 64, 3, padding="same", bias=False)
    same3 = counting.spatial_separable_conv2d_cost((1, 12, 12), 1, 3, padding="same", bias=False)
    one_window = counting.spatial_separable_conv2d_cost((1, 3, 3), 1, 3, bias=False)
    return [
        exact(
            src,
            "3x3 kernel as 3x1 + 1x3: '6 products instead of 9' per output",
            6,
            same3.multiplications // 144,
            conv + ", 12x12 'same', padded zeros counted",
        ),
        info(
            src,
            "one 3x3 window (3x3 input, valid): 3x1 then 1x3",
            one_window.multiplications,
            conv,
            "12, not 6: the 3x1 pass must produce all 3 columns the 1x3 pass reads",
        ),
        info(
            block_note,
            "'2K per output pixel' (edge pixels excepted), 12x12 input, 5x5, valid",
            valid.multiplications,
            conv,
            "the 5x1 pass keeps the full width: 8x12x5 + 8x8x5 = 800 = 12.5 per output, not "
            "2K = 10; the note excepts the edge pixels, so this is no erratum",
        ),
        exact(
            block_note,
            "'2K per output pixel', 12x12 input, 5x5, same",
            2 * 5 * 144,
            same.multiplications,
            conv + ", padded zeros counted",
        ),
        info(
            block_note,
            "same, skipping padded zeros",
            same_eff.multiplications,
            "effective multiplications",
        ),
        erratum(
            src,
            f"{block_note}: 'HxWxCxKx2F, nearly half of HxWxCxKxFxF'",
            f"{32 * 32 * 3 * 64 * 2 * 3:,}",
            block.total_macs,
            block.total_macs > standard.multiplications,
            "Keras block on 32x32x3, 64 filters, K=3, same",
            f"the (3,1) conv maps 64 -> 64 channels: {block.total_macs:,} products, 7.44x "
            f"MORE than one 3x3 conv 3 -> 64 ({standard.multiplications:,})",
        ),
        info(
            src,
            f"{block_note}'s block count_params()",
            block.total_params,
            "Keras (BN 4 per channel)",
            "vs 1,728 for the 3x3 conv it replaces",
        ),
    ]
