"""The TDS introduction (可分卷积的基本介绍): its errata, each with the numbers worked out again.

The article (a Chinese translation of Chi-Feng Wang's Towards Data Science post) works one
example by hand: a 12x12x3 image, 5x5 kernels, 256 output channels, no padding. It has no
code; every count below comes from :mod:`refconv.counting` and the functional API.
"""

from __future__ import annotations

import numpy as np

import refconv
from refconv import counting, nn

from .record import Erratum
from .text import en, zh


def _hwc(shape: tuple[int, ...]) -> str:
    """``(C, H, W)`` written the article's way, ``HxWxC``."""
    c, h, w = shape[-3:]
    return f"{h}x{w}x{c}"


def headline() -> dict:
    """The TDS headline: the four counts, their ratio, the pointwise share."""
    counts = dict(counting.tds_headline())
    standard, separable = counts["standard"], counts["depthwise + pointwise"]
    return {
        "standard": standard,
        "separable": separable,
        "depthwise": counts["depthwise"],
        "pointwise": counts["pointwise"],
        "ratio": standard / separable,
        "share": 100 * counts["pointwise"] / separable,
    }


def _dot_product() -> dict:
    one = counting.conv2d_cost((1, 12, 12), 1, 5, bias=False)
    three = counting.conv2d_cost((3, 12, 12), 1, 5, bias=False)
    return {
        "mults1": one.multiplications // 64,
        "adds1": one.additions // 64,
        "total1": one.multiplications,
        "mults3": three.multiplications // 64,
        "adds3": three.additions // 64,
        "total3": three.multiplications,
    }


def _standard_diagram() -> dict:
    valid = counting.conv2d_cost((3, 12, 12), 256, 5, bias=False)
    same = counting.conv2d_cost((3, 12, 12), 256, 5, padding="same", bias=False)
    return {
        "valid_shape": _hwc(valid.output_shape),
        "valid": valid.multiplications,
        "same_shape": _hwc(same.output_shape),
        "same": same.multiplications,
    }


def _separable_diagram() -> dict:
    x = np.ones((1, 3, 12, 12))
    dw = refconv.depthwise_conv2d(x, np.ones((3, 1, 5, 5)))
    pw = refconv.pointwise_conv2d(dw, np.ones((256, 3, 1, 1)))
    return {"dw": dw.shape, "pw": pw.shape, "dw_hwc": _hwc(dw.shape), "pw_hwc": _hwc(pw.shape)}


def _depthwise_kernel() -> dict:
    weight = nn.DepthwiseConv2d(3, 5, bias=False, seed=0).weight
    return {"shape": weight.shape, "params": int(weight.size)}


def _multiplier() -> dict:
    one = counting.depthwise_conv2d_cost((3, 12, 12), 5, bias=False)
    two = counting.depthwise_conv2d_cost((3, 12, 12), 5, depth_multiplier=2, bias=False)
    return {
        "out1": _hwc(one.output_shape),
        "p1": one.params,
        "m1": one.multiplications,
        "out2": _hwc(two.output_shape),
        "p2": two.params,
        "m2": two.multiplications,
        "shape2": nn.DepthwiseConv2d(3, 5, depth_multiplier=2, seed=0).weight.shape,
    }


def _six_vs_nine() -> dict:
    def pair(shape: tuple[int, int, int], padding: str) -> tuple[int, int, int]:
        full = counting.conv2d_cost(shape, 1, 3, padding=padding, bias=False)
        split = counting.spatial_separable_conv2d_cost(shape, 1, 3, padding=padding, bias=False)
        _, h, w = split.output_shape
        return full.multiplications, split.multiplications, h * w

    same_full, same_sep, _ = pair((1, 12, 12), "same")
    valid_full, valid_sep, pixels = pair((1, 12, 12), "valid")
    one_full, one_sep, _ = pair((1, 3, 3), "valid")
    return {
        "same_full": same_full,
        "same_sep": same_sep,
        "valid_full": valid_full,
        "valid_sep": valid_sep,
        "valid_per": valid_sep / pixels,
        "one_full": one_full,
        "one_sep": one_sep,
    }


def _any_kernel() -> dict:
    g = np.random.default_rng(0)
    d = g.standard_normal((3, 1, 5, 5))  # depthwise: one 5x5 kernel per channel
    p = g.standard_normal((256, 3, 1, 1))  # pointwise: 256 x 1x1x3
    x = g.standard_normal((1, 3, 12, 12))
    w = p * d.transpose(1, 0, 2, 3)  # (256, 3, 5, 5): W[o, c] = P[o, c] * D[c]
    general = g.standard_normal((256, 3, 5, 5))

    def rank(kernel: np.ndarray, c: int) -> int:  # the 256 filters of channel c, 256 x 25
        return int(np.linalg.matrix_rank(kernel[:, c].reshape(256, 25)))

    sep = counting.separable_conv2d_cost((3, 12, 12), 256, 5, bias=False)
    std = counting.conv2d_cost((3, 12, 12), 256, 5, bias=False)
    return {
        "equal": bool(np.allclose(refconv.separable_conv2d(x, d, p), refconv.conv2d(x, w))),
        "sep_rank": max(rank(w, c) for c in range(3)),
        "random_rank": min(rank(general, c) for c in range(3)),
        "dw": sep.parts[0][1].params,
        "pw": sep.parts[1][1].params,
        "sep_params": sep.params,
        "std_params": std.params,
    }


HEADLINE = "from refconv import counting; print(counting.tds_headline())"

ERRATA = (
    Erratum(
        "tds-dot-product",
        "tds",
        "Normal convolution",
        "正常卷积",
        "5x5 内核每 25 个像素进行一次标量乘法，每次产生 1 个数字。",
        "The 5x5 kernel does one scalar multiplication for every 25 pixels, each time "
        "producing 1 number.",
        "wrong number",
        3,
        "“one scalar multiplication” per 25 pixels",
        "每 25 个像素“一次标量乘法”",
        en("""Each output number is a dot product of 25 pixels with 25 weights: {mults1}
            multiplications and {adds1} additions, not one multiplication. The same slip comes
            back for three channels (“对每 25 个像素进行标量矩阵乘法，输出 1 个数字”), where
            each output takes 5×5×3 = {mults3} products, as the article itself says a paragraph
            earlier."""),
        zh("""每个输出值是 25 个像素与 25 个权重的点积：{mults1} 次乘法、{adds1} 次加法，而不是
            “一次”乘法。三通道时又出现同样的说法（“对每 25 个像素进行标量矩阵乘法，输出
            1 个数字”），而那里每个输出需要 5×5×3 = {mults3} 次乘法，这正是文章前一段自己
            算出的数。"""),
        en("""One channel, 12×12 → 8×8: {mults1} multiplications and {adds1} additions per
            output, {total1:,} multiplications in all; three channels: {mults3} and {adds3}
            per output, {total3:,} in all."""),
        zh("""单通道 12×12 → 8×8：每个输出 {mults1} 次乘法、{adds1} 次加法，共 {total1:,}
            次乘法；三通道：每个输出 {mults3} 次乘法、{adds3} 次加法，共 {total3:,} 次。"""),
        _dot_product,
        "from refconv import counting as c; print([(o.multiplications, o.additions, "
        "o.output_shape) for o in (c.conv2d_cost((1, 12, 12), 1, 5, bias=False), "
        "c.conv2d_cost((3, 12, 12), 1, 5, bias=False))])",
        shown=("total1", "total3"),
        short="{mults1} products per output ({mults3} with 3 channels)",
        short_zh="每个输出 {mults1} 次乘法（三通道 {mults3} 次）",
    ),
    Erratum(
        "tds-diagram-standard",
        "tds",
        "Normal convolution",
        "正常卷积",
        zh("""我喜欢把它想象成一个函数:12x12x3 — (5x5x3x256) — >12x12x256(其中 5x5x3x256
            代表内核的高度、宽度、输入通道数和输出通道数)。"""),
        "I like to think of it as a function: 12x12x3 — (5x5x3x256) → 12x12x256 (where "
        "5x5x3x256 are the kernel's height, width, input channels and output channels).",
        "wrong number",
        2,
        "function diagram ends at 12x12x256",
        "函数图示的输出写成 12x12x256",
        en("""The article has just worked out that a 5×5 kernel without padding turns 12×12
            into 8×8 (12 − 5 + 1 = 8), and its {valid:,} multiplications are for 8×8 outputs.
            A 12×12×256 output needs 'same' padding (2 pixels on each side)."""),
        zh("""文章刚刚算过：无填充时 5×5 卷积核把 12×12 变成 8×8（12 − 5 + 1 = 8），它算出的
            {valid:,} 次乘法也是按 8×8 的输出算的。要得到 12×12×256，必须用 same 填充
            （每边补 2 个像素）。"""),
        en("""12x12x3 —(5x5x3x256)→ {valid_shape} without padding ({valid:,}
            multiplications); only with 'same' padding is the output {same_shape}, at
            {same:,} multiplications."""),
        zh("""无填充时 12x12x3 —(5x5x3x256)→ {valid_shape}（{valid:,} 次乘法）；只有 same
            填充时输出才是 {same_shape}，乘法次数为 {same:,}。"""),
        _standard_diagram,
        "from refconv import counting as c; print([(o.output_shape, o.multiplications) for o "
        "in (c.conv2d_cost((3, 12, 12), 256, 5, bias=False), c.conv2d_cost((3, 12, 12), 256, 5,"
        " padding='same', bias=False))])",
        shown=("valid", "same"),
        named="refconv count; docs/counting.md",
        short="{valid_shape} without padding",
        short_zh="无填充时应为 {valid_shape}",
    ),
    Erratum(
        "tds-diagram-separable",
        "tds",
        "Part 2 — pointwise convolution (end)",
        "第 2 部分—逐点卷积（末段）",
        zh("""再抽象一点，如果原卷积函数是 12x12x3 — (5x5x3x256) →12x12x256，我们可以把这个
            新卷积图解为 12 x12 x3—(5x 5x 1 x1)—>(1x1 x3 x256)—> 12 x12 x256。"""),
        "More abstractly, if the original convolution is 12x12x3 — (5x5x3x256) → 12x12x256, "
        "the new one is 12x12x3 — (5x5x1x1) → (1x1x3x256) → 12x12x256.",
        "wrong number",
        2,
        "separable diagram ends at 12x12x256 too",
        "可分离卷积的图示同样写成 12x12x256",
        en("""The first diagram's slip, repeated: without padding the depthwise step already
            shrinks 12×12 to 8×8 (the article's own Image 6: “12x12x3 image to a 8x8x3
            image”), so the chain cannot end at 12x12x256."""),
        zh("""第一个图示的错误在这里重演：无填充时，深度卷积这一步就已把 12×12 缩成 8×8
            （文中图 6 自己写的就是“12x12x3 image to a 8x8x3 image”），最后不可能是
            12x12x256。"""),
        en("""12x12x3 —(depthwise, 3 × 5x5x1)→ {dw_hwc} —(1x1x3x256)→ {pw_hwc};
            refconv's depthwise_conv2d and pointwise_conv2d give {dw} and {pw} (NCHW)."""),
        zh("""12x12x3 —(深度卷积，3 个 5x5x1)→ {dw_hwc} —(1x1x3x256)→ {pw_hwc}；refconv 的
            depthwise_conv2d 与 pointwise_conv2d 给出 {dw} 和 {pw}（NCHW）。"""),
        _separable_diagram,
        "import numpy as np, refconv; x = np.ones((1, 3, 12, 12)); d = refconv.depthwise_conv2d"
        "(x, np.ones((3, 1, 5, 5))); print(d.shape, refconv.pointwise_conv2d(d, np.ones((256, 3,"
        " 1, 1))).shape)",
        shown=("dw", "pw"),
        short="{dw_hwc} after depthwise, {pw_hwc} at the end",
        short_zh="深度卷积后 {dw_hwc}，最终 {pw_hwc}",
    ),
    Erratum(
        "tds-depthwise-kernel",
        "tds",
        "Part 2 — pointwise convolution (end)",
        "第 2 部分—逐点卷积（末段）",
        "12 x12 x3—(5x 5x 1 x1)—>(1x1 x3 x256)—> 12 x12 x256",
        "12x12x3 — (5x5x1x1) → (1x1x3x256) → 12x12x256",
        "wrong number",
        3,
        "depthwise kernel written 5x5x1x1",
        "深度卷积核写成 5x5x1x1",
        en("""In the notation the article set up for 5x5x3x256 (height, width, input
            channels, output channels), 5x5x1x1 is a single 5×5 kernel from one channel to one
            channel, 25 weights. The depthwise step is three of them, one per input channel —
            the article's own “3 个形状为 5x5x1 的内核” — i.e. 5x5x1 × 3, Keras'
            depthwise_kernel shape (5, 5, 3, 1)."""),
        zh("""按文章为 5x5x3x256 约定的记法（高、宽、输入通道数、输出通道数），5x5x1x1 是
            单个 5×5、从 1 个通道到 1 个通道的卷积核，只有 25 个权重。深度卷积是 3 个这样
            的核，每个输入通道一个——正是文中自己说的“3 个形状为 5x5x1 的内核”——即
            5x5x1 × 3，Keras 中 depthwise_kernel 的形状为 (5, 5, 3, 1)。"""),
        en("""The depthwise weights are {params} numbers, PyTorch/refconv shape {shape} (three
            5×5 kernels), not 25."""),
        zh("""深度卷积共有 {params} 个权重，PyTorch/refconv 中的形状为 {shape}（3 个 5×5
            核），而不是 25 个。"""),
        _depthwise_kernel,
        "from refconv import nn; w = nn.DepthwiseConv2d(3, 5, bias=False, seed=0).weight; "
        "print(w.shape, w.size)",
        shown=("shape", "params"),
        short="3 kernels, {params} weights, shape {shape}",
        short_zh="3 个核，{params} 个权重，形状 {shape}",
    ),
    Erratum(
        "tds-52952",
        "tds",
        "So what is the point of depthwise separable convolution?",
        "好吧，但是创建深度方向可分离卷积有什么意义呢？",
        "把它们加在一起，就是 53，952 次乘法。\n\n52952 比 1228800 少很多。",
        "Adding them up gives 53,952 multiplications. 52952 is a lot less than 1228800.",
        "wrong number",
        3,
        "52952 for the sum 53,952",
        "把 53,952 写成 52952",
        en("""A typo: the sum printed one sentence earlier is {separable:,} ({depthwise:,} +
            {pointwise:,})."""),
        zh("""笔误：前一句刚算出的和是 {separable:,}（{depthwise:,} + {pointwise:,}）。"""),
        en("""{separable:,} multiplications, {ratio:.2f} times fewer than {standard:,}."""),
        zh("""{separable:,} 次乘法，是 {standard:,} 的 1/{ratio:.2f}。"""),
        headline,
        HEADLINE,
        shown=("standard", "separable"),
        named="refconv count; docs/counting.md",
        short="{separable:,}",
        short_zh="{separable:,}",
    ),
    Erratum(
        "tds-twice",
        "tds",
        "So what is the point of depthwise separable convolution?",
        "好吧，但是创建深度方向可分离卷积有什么意义呢？",
        "为什么一个比另一个快两倍多？",
        "Why is one more than twice as fast as the other?",
        "wrong number",
        2,
        "“more than twice as fast”: {ratio:.1f} times fewer multiplications",
        "“快两倍多”：乘法次数相差二十多倍",
        en("""By the article's own counts the gap is ten times larger than “more than
            twice”. (Whoever made the slip, author or translator, the Chinese text says
            两倍多, “two-odd times”.)"""),
        zh("""按文章自己算出的数，差距比“两倍多”大了一个数量级。（无论是原作者还是译者的
            笔误，中文读者看到的就是“两倍多”。）"""),
        en("""{standard:,} / {separable:,} = {ratio:.2f} times fewer multiplications. That is
            a count, not a time: docs/performance.md measures a smaller speed-up than the
            multiplication ratio, because the depthwise pass is limited by memory traffic."""),
        zh("""{standard:,} / {separable:,} = {ratio:.2f}：乘法次数只有标准卷积的
            1/{ratio:.2f}。但这是次数而不是耗时：docs/performance.md 实测的加速比小于
            乘法次数之比，因为深度卷积受内存带宽限制。"""),
        headline,
        "from refconv import counting; r = dict(counting.tds_headline()); print(r['standard'] "
        "/ r['depthwise + pointwise'])",
        shown=("ratio",),
        short="{ratio:.2f} times fewer multiplications",
        short_zh="乘法次数仅为 1/{ratio:.2f}",
    ),
    Erratum(
        "tds-six-vs-nine",
        "tds",
        "Spatially separable convolution",
        "空间可分卷积",
        zh("""现在，我们不是用 9 次乘法进行一次卷积，而是用两次卷积，每次 3 次乘法(总共
            6 次)来达到相同的效果。"""),
        "Now, instead of one convolution with 9 multiplications, we do two convolutions with "
        "3 multiplications each (6 in all) to the same effect.",
        "misleading claim",
        3,
        "“6 instead of 9” holds only with 'same' padding",
        "“6 次代替 9 次”只在 same 填充下成立",
        en("""6 against 9 counts one output pixel with 'same' padding. Without padding the
            3×1 pass must also produce the columns the 1×3 pass reads beyond the output, so
            the pair costs more than 6 per output pixel — on a single 3×3 window, more than
            the 3×3 kernel itself. And “the same effect” holds only for a rank-1 kernel (the
            article says so two paragraphs later)."""),
        zh("""“6 比 9”是 same 填充下每个输出像素的次数。无填充时，3×1 这一步还得多算出 1×3
            那一步在输出范围外要读的列，所以每个输出像素不止 6 次——只有一个 3×3 窗口时，
            甚至比直接用 3×3 核还多。而“相同的效果”也只对秩 1 的卷积核成立（文章两段之后
            才说明这一点）。"""),
        en("""One channel, a rank-1 3×3 kernel: on 12×12 with 'same' padding {same_full:,}
            against {same_sep:,} multiplications (6 per pixel); without padding {valid_full:,}
            against {valid_sep:,} ({valid_per:.1f} per pixel); on a 3×3 input, {one_full}
            against {one_sep}."""),
        zh("""单通道、秩 1 的 3×3 核：12×12、same 填充时 {same_full:,} 对 {same_sep:,} 次
            乘法（每像素 6 次）；无填充时 {valid_full:,} 对 {valid_sep:,}（每像素
            {valid_per:.1f} 次）；输入只有 3×3 时 {one_full} 对 {one_sep}。"""),
        _six_vs_nine,
        "from refconv import counting as c; print([(s, p, c.conv2d_cost(s, 1, 3, padding=p, "
        "bias=False).multiplications, c.spatial_separable_conv2d_cost(s, 1, 3, padding=p, "
        "bias=False).multiplications) for s in ((1, 12, 12), (1, 3, 3)) for p in ('same', "
        "'valid')])",
        shown=("same_full", "same_sep", "valid_full", "valid_sep", "one_sep"),
        named="docs/counting.md",
        short="{valid_per:.1f} per pixel on 12×12 without padding; {one_sep} on one window",
        short_zh="12×12 无填充每像素 {valid_per:.1f} 次；单个窗口 {one_sep} 次",
    ),
    Erratum(
        "tds-any-kernel",
        "tds",
        "Depthwise separable convolution",
        "深度可分卷积",
        zh("""与空间可分离卷积不同，深度可分离卷积与不能被“分解”成两个更小内核的内核一起
            工作。
            …
            与空间可分离卷积类似，深度方向可分离卷积将一个核分割成两个独立的核"""),
        "Unlike spatially separable convolution, depthwise separable convolution works with "
        "kernels that cannot be “factored” into two smaller kernels. … Like spatially "
        "separable convolution, it splits a kernel into two separate kernels.",
        "misleading claim",
        2,
        "as if any kernel could be split into depthwise + pointwise",
        "仿佛任何卷积核都能拆成深度 + 逐点",
        en("""Read together, the two sentences say a depthwise-separable layer splits any
            kernel, separable or not, in two. It splits no given kernel: it replaces the
            standard layer by a much smaller family. The pair equals one standard convolution
            whose kernel is W[o, c] = P[o, c]·D[c] (pointwise weight times depthwise kernel),
            so for each input channel all 256 output filters are multiples of a single 5×5
            kernel. A general 5x5x3x256 kernel is not of that form."""),
        zh("""两句话合起来，意思是任何卷积核（无论能否分解）都能用深度可分离卷积拆成两个。
            其实它并不拆分某个给定的卷积核，而是用一族小得多的层来代替标准卷积层。这一对
            卷积等于一个标准卷积，其卷积核为 W[o, c] = P[o, c]·D[c]（逐点权重乘以深度卷积
            核），所以对每个输入通道，256 个输出滤波器都是同一个 5×5 核的倍数。一般的
            5x5x3x256 卷积核不具有这种形式。"""),
        en("""{sep_params} free weights ({dw} depthwise + {pw} pointwise) instead of
            {std_params:,}. For each input channel the 256 × 25 matrix of the equivalent
            kernel has rank {sep_rank}, against {random_rank} for a general kernel; refconv's
            conv2d with that kernel reproduces separable_conv2d ({equal})."""),
        zh("""只有 {sep_params} 个自由权重（深度 {dw} + 逐点 {pw}），而不是 {std_params:,} 个。
            对每个输入通道，等价卷积核的 256 × 25 矩阵秩为 {sep_rank}，一般卷积核则为
            {random_rank}；用这个卷积核调用 refconv 的 conv2d，结果与 separable_conv2d
            一致（{equal}）。"""),
        _any_kernel,
        "import numpy as np, refconv; g = np.random.default_rng(0); d = g.standard_normal((3, 1,"
        " 5, 5)); p = g.standard_normal((256, 3, 1, 1)); x = g.standard_normal((1, 3, 12, 12)); "
        "w = p * d.transpose(1, 0, 2, 3); print(np.allclose(refconv.separable_conv2d(x, d, p), "
        "refconv.conv2d(x, w)), [int(np.linalg.matrix_rank(w[:, c].reshape(256, 25))) for c in "
        "range(3)])",
        shown=("equal", "sep_rank"),
        short="{sep_params} weights instead of {std_params:,}; a restricted kernel",
        short_zh="{sep_params} 个权重而非 {std_params:,}，只是受限的卷积核",
    ),
    Erratum(
        "tds-multiplier",
        "tds",
        "So what is the point … (depth multiplier)",
        "好吧，但是创建深度方向可分离卷积有什么意义呢？（深度乘数一段）",
        zh("""例如，如果我们将深度乘数设置为 2，每个 5x5x1 内核将给出 8x8x2 的输出图像，
            使得深度方向卷积的总(堆叠)输出为 8x8x6，而不是 8x8x3。"""),
        "For example, with a depth multiplier of 2, each 5x5x1 kernel gives an 8x8x2 output, "
        "so the stacked output of the depthwise convolution is 8x8x6 instead of 8x8x3.",
        "misleading claim",
        3,
        "“each 5x5x1 kernel gives 8x8x2”",
        "“每个 5x5x1 内核给出 8x8x2”",
        en("""A 5x5x1 kernel gives one 8×8 map whatever the multiplier. With depth multiplier
            2 each input channel gets two kernels, so the depthwise step has twice the
            kernels, weights and multiplications; the stacked 8x8x6 is right."""),
        zh("""无论深度乘数是多少，一个 5x5x1 的核只产生一张 8×8 的图。深度乘数为 2 时，每个
            输入通道配两个卷积核，深度卷积的核数、权重和乘法次数都翻倍；叠起来的 8x8x6
            是对的。"""),
        en("""Depth multiplier 1: output {out1}, {p1} weights, {m1:,} multiplications; depth
            multiplier 2: output {out2}, {p2} weights (shape {shape2}), {m2:,}
            multiplications."""),
        zh("""深度乘数为 1：输出 {out1}，{p1} 个权重，{m1:,} 次乘法；深度乘数为 2：输出
            {out2}，{p2} 个权重（形状 {shape2}），{m2:,} 次乘法。"""),
        _multiplier,
        "from refconv import counting as c; print([(o.output_shape, o.params, o.multiplications)"
        " for o in (c.depthwise_conv2d_cost((3, 12, 12), 5, bias=False), c.depthwise_conv2d_cost"
        "((3, 12, 12), 5, depth_multiplier=2, bias=False))])",
        shown=("p1", "m1", "p2", "m2"),
        short="two kernels per channel: {p2} weights, not {p1}",
        short_zh="每通道两个核：{p2} 个权重而非 {p1}",
    ),
)
