"""Statements that may be wrong or misleading, but not clearly enough to call errata.

Each is an :class:`~refconv.errata.record.Erratum` with ``status="questionable"``: its
``wrong`` text gives the reasoning, and where there are numbers its ``recompute`` works them
out again. They are listed apart on the errata pages, article by article.
"""

from __future__ import annotations

import numpy as np

from refconv import counting, models

from .listings import EXAMPLE_NET
from .notebook import KERAS, KERAS_ZH
from .pytorch import FIGURES, figures
from .record import Erratum
from .tds import HEADLINE, headline
from .text import code, en, zh


def _two_k() -> dict:
    valid = counting.spatial_separable_conv2d_cost((1, 12, 12), 1, 5, bias=False)
    same = counting.spatial_separable_conv2d_cost((1, 12, 12), 1, 5, padding="same", bias=False)
    return {
        "valid": valid.multiplications,
        "two_k": 2 * 5 * 8 * 8,
        "valid_per": valid.multiplications / 64,
        "same": same.multiplications,
    }


def _index() -> dict:
    # Y(m, n) = sum over i, j = 1..3 of X(m + i, n + j): with 1-based m and X, the last
    # valid m has m + 3 <= 224
    return {
        "size": counting.conv2d_cost((1, 224, 224), 1, 3).output_shape[1],
        "formula_size": len([m for m in range(1, 225) if m + 3 <= 224]),
    }


def _example_net() -> dict:
    net = models.example_net(seed=0)
    g = np.random.default_rng(0)
    x, y = g.standard_normal((2, 1, 3, 16, 16)).astype(np.float32)
    zero = np.zeros_like(x)
    gap = net(x + y) - net(x) - net(y) + net(zero)  # 0 for an affine map
    s = counting.summary(net, (3, 224, 224))
    return {
        "out": s.output_shape,
        "params": s.total_params,
        "affine": bool(np.abs(gap).max() < 1e-3 * np.abs(net(x)).max()),
        "activations": sum(r.layer in ("ReLU", "BatchNorm2d") for r in s.rows),
    }


def _label() -> dict:
    remain = counting.reduction_formula(128, 3)
    return {"remain": remain, "removed": 100 * (1 - remain), "factor": 1 / remain}


def _observed() -> dict:
    std = counting.summary(models.standard_cnn(), (3, 32, 32)).total_macs
    sep = counting.summary(models.separable_cnn(), (3, 32, 32)).total_macs
    return {"std_macs": std, "sep_macs": sep, "macs_ratio": std / sep}


QUESTIONABLE = (
    Erratum(
        "block-2k",
        "block",
        "Note box under “the principle”",
        "空间可分离卷积的原理 › ad-important 提示框",
        zh("""可以这样想，每个像素点（边缘的除外）本来要被卷积核遍历共$K \\times K$次，但是
            分解为两次卷积后第一次被横向遍历$K$次，第二次被纵向遍历$K$次，共$2K$次"""),
        "Think of it this way: each pixel (except at the edges) was visited K×K times by the "
        "kernel; after the split it is visited K times horizontally and K times vertically, 2K "
        "in all.",
        "misleading claim",
        3,
        "“2K per pixel” without padding",
        "无填充时“每个像素 2K 次”",
        en("""refconv count lists “2K per output pixel” as an erratum: without padding the
            first pass also computes the columns (or rows) the second pass reads beyond the
            output, so a 12×12 input and a 5×5 kernel cost {valid:,} multiplications for 64
            outputs, not 2K·64 = {two_k:,}. But the note says “except at the edges”, which is
            where that extra work comes from, and with “same” padding the count is exactly 2K
            per pixel ({same:,} = 2·5·144). What really confuses is the letter: K is the
            kernel size here, while the formula just above uses K for the output channels and
            F for the kernel size."""),
        zh("""refconv count 把“每个输出像素 2K 次”列为勘误：无填充时，第一步还要多算出
            第二步在输出范围之外要读的那些列（或行），所以 12×12 输入、5×5 卷积核共需
            {valid:,} 次乘法得到 64 个输出，而不是 2K·64 = {two_k:,}。但文中写了“边缘的
            除外”，多出来的正是边缘部分；在 same 填充下恰好每像素 2K 次（{same:,} =
            2·5·144）。真正容易让人困惑的是字母：这里的 K 指卷积核大小，而紧邻的公式里
            K 是输出通道数、F 才是卷积核大小。"""),
        en("""Per output pixel: exactly 2K with 'same' padding; {valid_per:.1f} instead of 10
            for a 12×12 input without padding and K = 5, tending to 2K as the image grows."""),
        zh("""每个输出像素：same 填充时恰为 2K；12×12 输入、无填充、K = 5 时为
            {valid_per:.1f} 次而不是 10 次，图像越大越接近 2K。"""),
        _two_k,
        "from refconv import counting as c; print([c.spatial_separable_conv2d_cost((1, 12, 12), "
        "1, 5, padding=p, bias=False).multiplications for p in ('valid', 'same')])",
        shown=("valid", "same"),
        named="refconv count",
        status="questionable",
        short="exactly 2K with 'same' padding; {valid_per:.1f} per pixel on 12×12 valid",
        short_zh="same 填充时恰为 2K；12×12 无填充时每像素 {valid_per:.1f} 次",
    ),
    Erratum(
        "block-widely-used",
        "block",
        "Spatially separable convolution (introduction)",
        "空间可分离卷积（开头一段）",
        "空间可分离卷积在计算机视觉领域中广泛使用，尤其是在卷积神经网络（CNN）中。",
        "Spatially separable convolution is widely used in computer vision, especially in CNNs.",
        "misleading claim",
        3,
        "“widely used in CNNs”",
        "“在 CNN 中广泛使用”",
        en("""The TDS introduction says the opposite (“it is not used much in deep learning”),
            and so does the PyTorch comparison (less widely used than depthwise-separable
            convolution), because learned kernels are rarely rank 1. Factorized 1×n then n×1
            layers, like the note's own Keras blocks, are used (Inception v3), so the claim
            depends on which of the two the note means. No number decides it."""),
        zh("""TDS 那篇介绍的说法正相反（“在深度学习中没有被大量使用”），PyTorch 对比那篇
            也说其应用不如深度可分离卷积广泛，原因是学到的卷积核很少是秩 1 的。而像文中
            Keras 模块那样的 1×n 接 n×1 分解层确实有人用（如 Inception v3），所以这句话
            对不对取决于指的是哪一种。没有数字能判定。"""),
        "",
        "",
        dict,
        "",
        status="questionable",
        short="contradicts the TDS introduction; depends on the meaning",
        short_zh="与 TDS 介绍相矛盾，取决于所指",
    ),
    Erratum(
        "tds-elongate",
        "tds",
        "So what is the point of depthwise separable convolution?",
        "好吧，但是创建深度方向可分离卷积有什么意义呢？",
        zh("""在可分离卷积中，我们只真正地**变换图像一次**——在深度方向卷积中。然后，我们把
            变换后的图像**简单地拉长到 256 通道**。"""),
        "In the separable convolution we only really transform the image once, in the "
        "depthwise step; then we simply elongate the transformed image to 256 channels.",
        "misleading claim",
        3,
        "“simply elongate”: the 1×1 step is most of the cost",
        "“简单地拉长”：1×1 才是主要开销",
        en("""The intuition is sound — the spatial filtering happens once, not 256 times — but
            “simply elongate” suggests the 1×1 step is cheap. It is most of the cost:
            {pointwise:,} of the {separable:,} multiplications ({share:.1f}%). Questionable:
            the sentence is a wording, not a number."""),
        zh("""直觉没错——空间滤波只做一次，而不是 256 次——但“简单地拉长”让人以为 1×1 这一步
            很便宜，其实它占了大头：{separable:,} 次乘法中有 {pointwise:,} 次（{share:.1f}%）。
            存疑：这是措辞问题，不是数字错误。"""),
        en("""Pointwise {pointwise:,} multiplications, {share:.1f}% of the separable layer's
            {separable:,}; depthwise {depthwise:,}."""),
        zh("""逐点卷积 {pointwise:,} 次乘法，占可分离卷积 {separable:,} 次的 {share:.1f}%；
            深度卷积 {depthwise:,} 次。"""),
        headline,
        HEADLINE,
        shown=("pointwise", "separable"),
        status="questionable",
        short="pointwise is {share:.1f}% of the multiplications",
        short_zh="逐点卷积占乘法次数的 {share:.1f}%",
    ),
    Erratum(
        "tds-speed",
        "tds",
        "Spatially separable convolution; the point of it",
        "空间可分卷积；意义一节",
        zh("""随着乘法运算的减少，计算复杂度降低，网络能够运行得更快。
            …
            随着计算量的减少，网络能够在更短的时间内处理更多的数据。"""),
        "With fewer multiplications the complexity goes down and the network runs faster. … "
        "With less computation the network can process more data in less time.",
        "misleading claim",
        3,
        "fewer multiplications, proportionally faster?",
        "乘法少了，就按比例变快？",
        en("""Faster, yes; as much faster as the count says, no. For the layer refconv
            benchmarks (3×3, 64 → 128, 56×56) the depthwise-separable pair does {ratio:.3f} of
            the standard layer's multiplications, but docs/performance.md measures a clearly
            larger time ratio: the depthwise pass is memory-bound, and the pair writes and
            reads back an intermediate. Questionable, because the article only claims
            “faster”, which holds."""),
        zh("""会更快，但不会按乘法次数的比例变快。以 refconv 基准测试的层（3×3，64 → 128，
            56×56）为例，深度可分离卷积的乘法次数是标准卷积的 {ratio:.3f}，但
            docs/performance.md 实测的耗时比明显更大：深度卷积受内存带宽限制，而且两步之间
            要写出再读回中间结果。存疑：文章只说“更快”，这一点是成立的。"""),
        en("""Multiplications: separable / standard = {ratio:.4f} (= 1/128 + 1/9); wall time
            is not proportional to it."""),
        zh("""乘法次数之比：可分离 / 标准 = {ratio:.4f}（= 1/128 + 1/9）；耗时并不与之
            成正比。"""),
        lambda: {
            "ratio": counting.separable_conv2d_cost(
                (64, 56, 56), 128, 3, padding=1, bias=False
            ).multiplications
            / counting.conv2d_cost((64, 56, 56), 128, 3, padding=1, bias=False).multiplications
        },
        "from refconv import counting as c; print(c.separable_conv2d_cost((64, 56, 56), 128, 3,"
        " padding=1, bias=False).multiplications / c.conv2d_cost((64, 56, 56), 128, 3, "
        "padding=1, bias=False).multiplications, c.reduction_formula(128, 3))",
        shown=("ratio",),
        status="questionable",
        short="{ratio:.3f} of the multiplications, not of the time",
        short_zh="乘法次数为 {ratio:.3f}，耗时并非如此",
    ),
    Erratum(
        "eff-index",
        "efficient",
        "2.1, 4.1 and 4.3: the formulas' indices",
        "2.1、4.1、4.3 节公式的下标",
        code(r"""
            X(m+i, n+j)
            …
            \sum_{i=1}^{M} \sum_{j=1}^{N}"""),
        "X(m+i, n+j), with i and j running from 1",
        "wrong formula",
        3,
        "indices from 1 skip the first row and column",
        "下标从 1 开始会跳过第一行第一列",
        en("""With i and j starting at 1, Y(m, n) reads X from m + 1 on. If m, n and X's
            indices all start at 1, the first input row and column are never read and a 3×3
            kernel on 224 rows gives {formula_size} outputs instead of {size}. The formulas
            are right if the output indices start at 0, or if i and j run from 0 to M − 1.
            Questionable: the article never says where its indices start."""),
        zh("""i、j 从 1 开始时，Y(m, n) 从 X(m + 1) 读起。如果 m、n 和 X 的下标都从 1 开始，
            输入的第一行第一列永远读不到，224 行配 3×3 核只能得到 {formula_size} 个输出而不是
            {size} 个。若输出下标从 0 开始，或 i、j 取 0 到 M − 1，公式就是对的。存疑：
            文章没说下标从几开始。"""),
        en("""Valid 3×3 on 224: {size} outputs (224 − 3 + 1)."""),
        zh("""224 上无填充的 3×3 卷积：{size} 个输出（224 − 3 + 1）。"""),
        _index,
        "from refconv import counting; print(counting.conv2d_cost((1, 224, 224), 1, 3)."
        "output_shape, len([m for m in range(1, 225) if m + 3 <= 224]))",
        shown=("size", "formula_size"),
        status="questionable",
        short="{size} outputs, not {formula_size}",
        short_zh="{size} 个输出而非 {formula_size}",
    ),
    Erratum(
        "eff-example-net",
        "efficient",
        "5. Project practice: code",
        "5.项目实践:代码实例和详细解释说明",
        code("""
            def forward(self, x):
                x = self.conv1(x)
                x = self.dwconv(x)
                x = self.conv2(x)
                return x"""),
        "ExampleNet.forward: conv1, then the depthwise separable block, then conv2.",
        "misleading claim",
        3,
        "ExampleNet has no activation: one affine map",
        "ExampleNet 没有激活函数：整体是仿射映射",
        en("""The listing runs (PyTorch 2.13.0: output 128×224×224 for a 224×224 input,
            {params:,} parameters, as refconv's models.example_net), but no activation sits
            between its layers, so the whole “simple CNN” is one affine map of its input
            (refconv: f(x + y) − f(x) − f(y) + f(0) = 0 up to rounding: {affine}), unlike the
            MobileNet block of §4.4. Questionable: a usage demo need not be a good
            network."""),
        zh("""代码能运行（PyTorch 2.13.0：224×224 输入得到 128×224×224，{params:,} 个参数，
            与 refconv 的 models.example_net 一致），但层与层之间没有任何激活函数，整个
            “简单的卷积神经网络”只是输入的一个仿射映射（refconv 验证
            f(x + y) − f(x) − f(y) + f(0) 在舍入误差内为 0：{affine}），与 4.4 节描述的
            MobileNet 模块不同。存疑：用法示例不必是好网络。"""),
        en("""Output {out} (C, H, W), {params:,} parameters, {activations} BatchNorm or ReLU
            layers."""),
        zh("""输出 {out}（C, H, W），{params:,} 个参数，BatchNorm 或 ReLU 层 {activations} 个。"""),
        _example_net,
        "import numpy as np; from refconv import models, counting; net = models.example_net("
        "seed=0); x, y = np.random.default_rng(0).standard_normal((2, 1, 3, 16, 16)).astype("
        "np.float32); print(float(np.abs(net(x + y) - net(x) - net(y) + net(0 * x)).max()) < "
        "1e-3, counting.summary(net, (3, 224, 224)).total_params)",
        shown=("params",),
        status="questionable",
        torch_code=EXAMPLE_NET,
        torch_output="(1, 128, 224, 224) 77088",
        torch_label="the listing, called on a 1×3×224×224 input",
        torch_label_zh="原文代码，输入 1×3×224×224",
        short="no nonlinearity between its layers",
        short_zh="层间没有非线性",
    ),
    Erratum(
        "pt-unequal-blocks",
        "pytorch",
        "3. Code analysis",
        "3. 具体代码分析🎄",
        "很明显深度可分离卷积参数量和计算复杂度都最小。",
        "Clearly the depthwise separable convolution has the fewest parameters and the lowest "
        "complexity.",
        "misleading claim",
        3,
        "the three blocks are not built alike",
        "三个模块的搭法并不对等",
        en("""The conclusion holds, but the blocks differ in more than their convolutions: the
            depthwise-separable block has no BatchNorm or ReLU between its two convs and keeps
            a bias in its 1×1 conv, while the spatially separable block has BatchNorm and ReLU
            after each of its convs, both of which mix all 24 channels (unlike the per-channel
            class of §2). ptflops counts BatchNorm and ReLU, so the MAC figures mix these
            choices with the convolutions' cost. Questionable: a design choice, not an
            error."""),
        zh("""结论本身成立，但三个模块的差别不止在卷积上：深度可分离模块的两个卷积之间没有
            BatchNorm 和 ReLU，1×1 卷积还带偏置；空间可分离模块的每个卷积后都有 BatchNorm 和
            ReLU，而且两个卷积都混合全部 24 个通道（与第 2 节逐通道的类不同）。ptflops 会把
            BatchNorm 和 ReLU 计入，所以乘加数里混进了这些设计选择。存疑：这是设计选择，
            不算错误。"""),
        en("""Convolution products of the blocks alone: {cstd:,} / {cdsc:,} / {csp:,}, i.e.
            {r_dsc:.4f} and {r_sp:.4f} of the standard block (1/24 + 1/9 = {formula:.4f}, and
            2/3)."""),
        zh("""只算模块内卷积的乘法：{cstd:,} / {cdsc:,} / {csp:,}，即标准模块的 {r_dsc:.4f} 和
            {r_sp:.4f}（1/24 + 1/9 = {formula:.4f}，以及 2/3）。"""),
        figures,
        FIGURES,
        status="questionable",
        short="convolution products {r_dsc:.4f} and {r_sp:.4f} of standard",
        short_zh="卷积乘法为标准的 {r_dsc:.4f} 与 {r_sp:.4f}",
    ),
    Erratum(
        "nb-label",
        "notebook",
        "Why depthwise separable › computational efficiency",
        "为什么使用深度可分离卷积 › 计算效率优势",
        code(r"""
            **计算量减少比例**：
            $$\frac{1}{C_{out}} + \frac{1}{K^2}$$"""),
        "Reduction ratio of the computation: 1/C_out + 1/K².",
        "misleading claim",
        3,
        "“reduction ratio” is the fraction that remains",
        "“减少比例”其实是剩余的比例",
        en("""1/C_out + 1/K² is the fraction of the multiplications that remains
            ({remain:.4f} for K = 3, C_out = 128), not the fraction removed ({removed:.1f}%);
            the next line's “about 8–9 times less” ({factor:.2f}×) reads it correctly.
            Questionable: the MobileNet paper itself calls this expression the “reduction in
            computation”."""),
        zh("""1/C_out + 1/K² 是剩下的乘法次数所占的比例（K = 3、C_out = 128 时为 {remain:.4f}），
            而不是减少的比例（{removed:.1f}%）；下一行“约减少 8-9 倍”（{factor:.2f} 倍）的
            理解是对的。存疑：MobileNet 论文本身就把这个式子称为“reduction in
            computation”。"""),
        en("""Remaining {remain:.4f}, removed {removed:.1f}%, factor {factor:.2f}."""),
        zh("""剩余 {remain:.4f}，减少 {removed:.1f}%，倍数 {factor:.2f}。"""),
        _label,
        "from refconv import counting; r = counting.reduction_formula(128, 3); print(r, 1 - r, "
        "1 / r)",
        shown=("remain", "factor"),
        status="questionable",
        short="{remain:.4f} remains; {removed:.1f}% removed",
        short_zh="剩余 {remain:.4f}，减少 {removed:.1f}%",
    ),
    Erratum(
        "nb-observed",
        "notebook",
        "Summary › Advantages",
        "总结 › 优势",
        "2. **计算效率**：大幅降低FLOPs，提升推理速度\n3. **性能保持**：在大多数任务上性能损失很小",
        "2. Computational efficiency: far fewer FLOPs, faster inference. 3. Accuracy kept: "
        "small loss on most tasks.",
        "misleading claim",
        3,
        "“observed” speed and accuracy that the notebook never measured",
        "“观察到”的速度与精度，笔记本并未测量",
        en("""The summary presents these as what “this experiment” showed, but the notebook's
            cells were never run (every cell is In [None], with no output), it never times
            inference, and it tries a single task. The FLOPs claim holds ({macs_ratio:.2f}×
            fewer multiply-accumulates for the whole model, by refconv's count); speed and
            accuracy are not observations here. Questionable: they may well be true."""),
        zh("""总结把这些说成“通过本实验观察到”的，但笔记本的单元格从未运行（全是
            In [None]，没有任何输出），既没有测推理时间，也只试了一个任务。FLOPs 一条成立
            （按 refconv 的计数，标准模型的乘加次数是可分离模型的 {macs_ratio:.2f} 倍）；
            速度和精度在这里都不是观察结果。存疑：它们很可能是对的。"""),
        en("""Whole-model multiply-accumulates: {std_macs:,} against {sep_macs:,}
            ({macs_ratio:.2f}×)."""),
        zh("""整个模型的乘加次数：{std_macs:,} 对 {sep_macs:,}（{macs_ratio:.2f} 倍）。"""),
        _observed,
        "from refconv import models, counting; print([counting.summary(m(), (3, 32, 32))."
        "total_macs for m in (models.standard_cnn, models.separable_cnn)])",
        shown=("std_macs", "sep_macs"),
        checked=KERAS,
        checked_zh=KERAS_ZH,
        status="questionable",
        short="{macs_ratio:.2f}× fewer MACs; speed not measured",
        short_zh="乘加次数之比 {macs_ratio:.2f}；速度未测",
    ),
)
