"""The efficient-convolution article (深度可分离卷积：高效的卷积操作): its errata, recomputed.

The article derives MobileNet's cost formulas, walks a 224x224x3 image through a 3x3 depthwise
and a 1x1 pointwise step, describes MobileNet's block, and ends with a PyTorch
``DepthwiseSeparableConv`` inside a small ``ExampleNet`` (refconv: :func:`models.example_net`;
the listing also ran under PyTorch 2.13.0).
"""

from __future__ import annotations

import numpy as np

import refconv
from refconv import counting, models, nn

from .record import Erratum
from .text import code, en, zh

MOBILENET = en("""refconv's models.mobilenet_v1 (the paper's Table 1) and Keras' MobileNet
    source (tensorflow/python/keras/_impl/keras/applications/mobilenet.py: _conv_block, then
    13 _depthwise_conv_block, each depthwise conv, BN, ReLU6, pointwise conv, BN, ReLU6)""")
MOBILENET_ZH = zh("""refconv 的 models.mobilenet_v1（按论文表 1 搭建）以及 Keras 的 MobileNet 源码
    （tensorflow/python/keras/_impl/keras/applications/mobilenet.py：先 _conv_block，再 13 个
    _depthwise_conv_block，每个为深度卷积、BN、ReLU6、逐点卷积、BN、ReLU6）""")


def _channels() -> dict:
    g = np.random.default_rng(0)
    x, w = g.standard_normal((1, 3, 8, 8)), g.standard_normal((1, 3, 3, 3))
    per_channel = sum(refconv.conv2d(x[:, c : c + 1], w[:, c : c + 1]) for c in range(3))
    return {
        "equal": bool(np.allclose(refconv.conv2d(x, w), per_channel)),
        "per_output": counting.conv2d_cost((3, 8, 8), 1, 3, bias=False).multiplications // 36,
        "single": counting.conv2d_cost((1, 8, 8), 1, 3, bias=False).multiplications // 36,
    }


def _d_f() -> dict:
    dw = counting.depthwise_conv2d_cost((3, 224, 224), 3, bias=False)
    pw = counting.pointwise_conv2d_cost(dw.output_shape, 64, bias=False)
    std = counting.conv2d_cost((3, 224, 224), 64, 3, bias=False)
    d_in, m, n, k = 224, 3, 64, 3  # the article's D_F (as it defines it), M, N, D_K
    sep = dw.multiplications + pw.multiplications
    wrong_sep = d_in**2 * m * (k * k + n)
    return {
        "out": dw.output_shape[1],
        "sep": sep,
        "wrong_sep": wrong_sep,
        "over_pct": 100 * (wrong_sep / sep - 1),
        "std": std.multiplications,
        "wrong_std": d_in**2 * m * n * k * k,
    }


def _few_outputs() -> dict:
    def costs(n: int) -> tuple[int, int]:
        sep = counting.separable_conv2d_cost((256, 56, 56), n, 3, padding="same", bias=False)
        std = counting.conv2d_cost((256, 56, 56), n, 3, padding="same", bias=False)
        return sep.multiplications, std.multiplications

    sep1, std1 = costs(1)
    sep256, std256 = costs(256)
    return {
        "sep1": sep1,
        "std1": std1,
        "ratio1": sep1 / std1,
        "more_pct": 100 * (sep1 / std1 - 1),
        "ratio256": sep256 / std256,
    }


def _resolution() -> dict:
    def ratio(size: int) -> float:
        shape = (32, size, size)
        sep = counting.separable_conv2d_cost(shape, 64, 3, padding="same", bias=False)
        std = counting.conv2d_cost(shape, 64, 3, padding="same", bias=False)
        return sep.multiplications / std.multiplications

    return {"r224": ratio(224), "r28": ratio(28), "formula": counting.reduction_formula(64, 3)}


def _own_kernels() -> dict:
    cost = counting.depthwise_conv2d_cost((3, 224, 224), 3, bias=False)
    return {
        "shape": nn.DepthwiseConv2d(3, 3, bias=False, seed=0).weight.shape,
        "params": cost.params,
        "out": cost.output_shape,
    }


def _first_layer() -> dict:
    s = counting.summary(models.mobilenet_v1(), (3, 224, 224))
    first = s.rows[0]
    return {
        "layer": first.layer,
        "weights": first.params,
        "macs": first.macs,
        "total": s.total_macs,
        "share": 100 * first.macs / s.total_macs,
    }


def _block() -> dict:
    rows = counting.summary(models.mobilenet_v1(), (3, 224, 224)).rows[3:9]  # block 1
    layers = [r.layer for r in rows]
    return {
        "block": " → ".join(layers),
        "bn": layers.count("BatchNorm2d"),
        "relu": layers.count("ReLU"),
    }


ERRATA = (
    Erratum(
        "eff-standard-formula",
        "efficient",
        "2.1 The principle of standard convolution",
        "2.1 标准卷积的原理",
        code(r"""
            $$Y(m, n) = b + \sum_{i=1}^{M} \sum_{j=1}^{N} X(m+i, n+j) \cdot K(i, j)$$

            其中$M$和$N$分别是卷积核的高度和宽度。这种标准卷积操作需要在输入通道上执行大量计算"""),
        "Y(m, n) = b + Σ_i Σ_j X(m+i, n+j)·K(i, j), where M and N are the kernel's height "
        "and width. This standard convolution needs a lot of computation over the input "
        "channels.",
        "wrong formula",
        2,
        "“standard convolution” formula has no channels",
        "“标准卷积”公式里没有通道",
        en("""The formula has no channel index: it is a one-channel 2-D correlation, while the
            sentence after it speaks of computing over the input channels. A standard
            convolution sums over all input channels, with one M×N×C_in kernel per output
            channel. It also uses M and N for the kernel's height and width, while §2.3 uses
            them for the numbers of input and output channels."""),
        zh("""公式里没有通道下标，它只是单通道的二维互相关，而紧接着的一句却说要在输入通道上
            做大量计算。标准卷积要对所有输入通道求和，每个输出通道有一个 M×N×C_in 的卷积核。
            此外这里 M、N 表示卷积核的高和宽，而 2.3 节又用 M、N 表示输入、输出通道数。"""),
        en("""Y(m, n, o) = b_o + Σ_c Σ_i Σ_j X(m+i, n+j, c)·K_o(i, j, c). A 3×3 kernel on 3
            channels takes {per_output} products per output value, not {single}; refconv's
            conv2d on 3 channels equals the sum of the three one-channel correlations
            ({equal})."""),
        zh("""应为 Y(m, n, o) = b_o + Σ_c Σ_i Σ_j X(m+i, n+j, c)·K_o(i, j, c)。3 通道上的 3×3
            卷积核，每个输出值要 {per_output} 次乘法，而不是 {single} 次；refconv 的 conv2d
            在 3 通道上的结果等于三个单通道互相关之和（{equal}）。"""),
        _channels,
        "import numpy as np, refconv; from refconv import counting; g = np.random.default_rng(0);"
        " x = g.standard_normal((1, 3, 8, 8)); w = g.standard_normal((1, 3, 3, 3)); "
        "print(np.allclose(refconv.conv2d(x, w), sum(refconv.conv2d(x[:, c:c + 1], w[:, c:c + 1])"
        " for c in range(3))), counting.conv2d_cost((3, 8, 8), 1, 3, bias=False).multiplications"
        " // 36)",
        shown=("equal", "per_output"),
        short="sum over channels: {per_output} products per output, not {single}",
        short_zh="须对通道求和：每个输出 {per_output} 次乘法而非 {single}",
    ),
    Erratum(
        "eff-d-f",
        "efficient",
        "2.3 Complexity analysis",
        "2.3 计算复杂度分析",
        zh("""假设输入特征图的尺寸为 $D_F \\times D_F \\times M$,卷积核尺寸为
            $D_K \\times D_K$,输出通道数为 $N$。标准卷积的计算复杂度为
            $D_F^2 \\times M \\times N \\times D_K^2$。"""),
        "Let the input feature map be D_F×D_F×M, the kernel D_K×D_K and the output channels "
        "N. The standard convolution costs D_F²×M×N×D_K².",
        "wrong formula",
        2,
        "D_F taken as the input size",
        "把 D_F 当作输入尺寸",
        en("""The counts are one kernel application per output pixel, so D_F must be the
            output size. The MobileNet paper can call it the input size because it assumes
            stride 1 and 'same' padding, where the two agree; this article's own example
            (§3.1) has no padding: 224 → {out}."""),
        zh("""这些计数是每个输出像素做一次卷积，所以 D_F 必须是输出尺寸。MobileNet 论文可以
            说它是输入尺寸，是因为论文假定步长为 1 且用 same 填充，两者相等；而本文自己在
            3.1 节的例子没有填充：224 → {out}。"""),
        en("""For §3.1's layer (224×224×3, 3×3, N = 64, no padding) depthwise + pointwise =
            222²·3·(9 + 64) = {sep:,} multiplications; D_F = 224 gives {wrong_sep:,},
            {over_pct:.1f}% too many. The standard layer: {std:,}, not {wrong_std:,}."""),
        zh("""以 3.1 节的层为例（224×224×3，3×3，N = 64，无填充）：深度 + 逐点 =
            222²·3·(9 + 64) = {sep:,} 次乘法；取 D_F = 224 得 {wrong_sep:,}，多算了
            {over_pct:.1f}%。标准卷积为 {std:,}，而不是 {wrong_std:,}。"""),
        _d_f,
        "from refconv import counting as c; dw = c.depthwise_conv2d_cost((3, 224, 224), 3, "
        "bias=False); pw = c.pointwise_conv2d_cost(dw.output_shape, 64, bias=False); "
        "print(dw.output_shape, dw.multiplications + pw.multiplications, 224**2 * 3 * (9 + 64),"
        " c.conv2d_cost((3, 224, 224), 64, 3, bias=False).multiplications)",
        shown=("sep", "wrong_sep", "std"),
        named="refconv count; docs/counting.md",
        short="D_F is the output size: {sep:,}, not {wrong_sep:,}",
        short_zh="D_F 应为输出尺寸：{sep:,}，而非 {wrong_sep:,}",
    ),
    Erratum(
        "eff-few-outputs",
        "efficient",
        "2.3 Complexity analysis",
        "2.3 计算复杂度分析",
        zh("""当卷积核尺寸 $D_K$ 较大且输出通道数 $N$ 远小于输入通道数 $M$ 时,深度可分离卷积
            相比标准卷积可以显著降低计算量。"""),
        "When D_K is large and the number of output channels N is much smaller than the "
        "number of input channels M, depthwise separable convolution saves a lot.",
        "wrong claim",
        1,
        "“big saving when N ≪ M”: backwards",
        "“N 远小于 M 时显著降低”：恰好说反",
        en("""Divide the article's own formulas: D_F²·M·(D_K² + N) / (D_F²·M·N·D_K²) =
            1/N + 1/D_K². M cancels, and the saving grows with N: a layer with few output
            channels saves least, and with N = 1 the separable layer costs more than the
            standard one."""),
        zh("""把文中自己的两个公式相除：D_F²·M·(D_K² + N) / (D_F²·M·N·D_K²) = 1/N + 1/D_K²。
            M 被约掉了，节省的程度随 N 增大而增大：输出通道越少越不划算，N = 1 时深度可分离
            卷积反而比标准卷积更费。"""),
        en("""M = 256 input channels, 3×3, 56×56: for N = 1 the separable layer costs {sep1:,}
            multiplications against {std1:,} ({ratio1:.4f} of it, {more_pct:.0f}% more); for
            N = 256 it costs {ratio256:.4f} of the standard layer."""),
        zh("""M = 256 个输入通道，3×3，56×56：N = 1 时可分离卷积要 {sep1:,} 次乘法，标准卷积
            只要 {std1:,}（比值 {ratio1:.4f}，多了 {more_pct:.0f}%）；N = 256 时比值为
            {ratio256:.4f}。"""),
        _few_outputs,
        "from refconv import counting as c; print([(n, c.separable_conv2d_cost((256, 56, 56), n,"
        " 3, padding='same', bias=False).multiplications, c.conv2d_cost((256, 56, 56), n, 3, "
        "padding='same', bias=False).multiplications, c.reduction_formula(n, 3)) for n in (1, "
        "256)])",
        shown=("sep1", "std1"),
        named="refconv count; docs/counting.md",
        short="ratio 1/N + 1/D_K², no M; N = 1 costs {more_pct:.0f}% more",
        short_zh="比值 1/N + 1/D_K² 与 M 无关；N = 1 时多 {more_pct:.0f}%",
    ),
    Erratum(
        "eff-resolution",
        "efficient",
        "2.3 Complexity analysis",
        "2.3 计算复杂度分析",
        "这使得深度可分离卷积特别适用于处理高分辨率图像和需要大量输出通道的任务。",
        "This makes depthwise separable convolution especially suited to high-resolution "
        "images and to tasks that need many output channels.",
        "misleading claim",
        2,
        "“especially suited to high-resolution images”",
        "“特别适用于高分辨率图像”",
        en("""D_F² is a factor of both costs and cancels in their ratio: the saving is the
            same at every resolution. A high resolution makes both layers expensive, not the
            separable one relatively cheaper. (The second half, “many output channels”, is
            right — and contradicts the sentence before it.)"""),
        zh("""D_F² 同时出现在两个计算量里，相除时约掉了：节省的比例与分辨率无关。分辨率高只会
            让两种卷积都更费，而不会让可分离卷积相对更省。（后半句“需要大量输出通道”是对的，
            恰好与前一句矛盾。）"""),
        en("""32 → 64 channels, 3×3, 'same' padding: separable / standard = {r224:.6f} at
            224×224 and {r28:.6f} at 28×28, both equal to 1/64 + 1/9 = {formula:.6f}."""),
        zh("""32 → 64 通道，3×3，same 填充：可分离 / 标准 在 224×224 时为 {r224:.6f}，在
            28×28 时为 {r28:.6f}，都等于 1/64 + 1/9 = {formula:.6f}。"""),
        _resolution,
        "from refconv import counting as c; print([c.separable_conv2d_cost((32, h, h), 64, 3, "
        "padding='same', bias=False).multiplications / c.conv2d_cost((32, h, h), 64, 3, "
        "padding='same', bias=False).multiplications for h in (224, 28)], "
        "c.reduction_formula(64, 3))",
        shown=("r224", "r28", "formula"),
        short="same ratio {r224:.4f} at 224² and 28²",
        short_zh="224² 与 28² 比值同为 {r224:.4f}",
    ),
    Erratum(
        "eff-same-kernel",
        "efficient",
        "3.1 Depthwise convolution step by step",
        "3.1 深度卷积步骤",
        zh("""对于每个通道(R、G、B),将使用相同的 $3 \\times 3$ 卷积核进行卷积操作,生成三个
            $222 \\times 222$ 的特征图。"""),
        "For each channel (R, G, B) the same 3×3 kernel is used, giving three 222×222 maps.",
        "wrong claim",
        2,
        "“the same 3×3 kernel” for R, G and B",
        "R、G、B“使用相同的 3×3 卷积核”",
        en("""Each channel has its own 3×3 kernel: the article's own §4.1 writes K_m,
            m = 1, …, M, and its PyTorch code (groups=in_channels) builds one kernel per
            channel. A single shared kernel would have 9 weights and apply the same filter to
            R, G and B."""),
        zh("""每个通道都有自己的 3×3 卷积核：文章 4.1 节自己写的就是 K_m（m = 1, …, M），
            它的 PyTorch 代码（groups=in_channels）也是每个通道一个核。若三个通道共用一个核，
            就只有 9 个权重，而且对 R、G、B 做的是同一种滤波。"""),
        en("""The depthwise weight has shape {shape}: {params} weights, one 3×3 kernel per
            channel; the output is {out} (C, H, W)."""),
        zh("""深度卷积的权重形状为 {shape}：共 {params} 个权重，每个通道一个 3×3 核；输出为
            {out}（C, H, W）。"""),
        _own_kernels,
        "from refconv import nn, counting; print(nn.DepthwiseConv2d(3, 3, bias=False, seed=0)."
        "weight.shape, counting.depthwise_conv2d_cost((3, 224, 224), 3, bias=False).params)",
        shown=("shape", "params"),
        named="docs/counting.md",
        short="one kernel per channel: shape {shape}",
        short_zh="每通道一个核：形状 {shape}",
    ),
    Erratum(
        "eff-mobilenet-first",
        "efficient",
        "4.4 Example: MobileNet",
        "4.4 示例:应用于 MobileNet 模型",
        "以 MobileNet 为例,它将传统的标准卷积完全替换为深度可分离卷积",
        "Take MobileNet: it replaces the standard convolutions completely with depthwise "
        "separable ones.",
        "wrong claim",
        2,
        "“completely replaced”: MobileNet's first layer is standard",
        "“完全替换”：MobileNet 第一层是标准卷积",
        en("""Not completely: MobileNet v1's first layer is a standard 3×3 convolution with
            stride 2 from 3 to 32 channels (Table 1's first row, “Conv / s2”; Keras builds it
            with _conv_block before the 13 depthwise-separable blocks). On 3 input channels a
            separable layer would save little."""),
        zh("""并非完全替换：MobileNet v1 的第一层是步长 2、3 → 32 通道的标准 3×3 卷积（论文
            表 1 第一行“Conv / s2”；Keras 在 13 个深度可分离模块之前用 _conv_block 搭建
            它）。输入只有 3 个通道时，换成可分离卷积也省不了多少。"""),
        en("""refconv's MobileNet v1: the first layer is a {layer} with {weights} weights and
            {macs:,} of the network's {total:,} Mult-Adds ({share:.2f}%)."""),
        zh("""refconv 的 MobileNet v1：第一层是 {layer}，有 {weights} 个权重，占全网
            {total:,} 次乘加中的 {macs:,} 次（{share:.2f}%）。"""),
        _first_layer,
        "from refconv import models, counting; s = counting.summary(models.mobilenet_v1(), (3, "
        "224, 224)); r = s.rows[0]; print(r.name, r.layer, r.output_shape, r.params, r.macs, "
        "s.total_macs)",
        shown=("weights", "macs", "total"),
        checked=MOBILENET,
        checked_zh=MOBILENET_ZH,
        short="first layer: standard 3×3 conv, {share:.2f}% of the Mult-Adds",
        short_zh="第一层为标准 3×3 卷积，占乘加 {share:.2f}%",
    ),
    Erratum(
        "eff-mobilenet-block",
        "efficient",
        "4.4 Example: MobileNet",
        "4.4 示例:应用于 MobileNet 模型",
        zh("""在 MobileNet 中,一个典型的深度可分离卷积模块由三个步骤组成:
            …
            3. 逐点卷积,
            使用 $1 \\times 1$ 卷积核在通道维度上执行线性组合,生成新的输出通道。"""),
        "In MobileNet a typical depthwise separable block has three steps: 1. depthwise "
        "convolution, 2. BatchNorm and ReLU, 3. pointwise convolution.",
        "misleading claim",
        3,
        "block without BN and ReLU after the 1×1 conv",
        "模块漏掉了 1×1 卷积后的 BN 和 ReLU",
        en("""The list stops at the pointwise convolution. In MobileNet (the paper's
            Figure 3, and Keras' _depthwise_conv_block) the pointwise convolution is followed
            by BatchNorm and ReLU as well; without them, stacked blocks would have no
            nonlinearity between one block's 1×1 conv and the next block's depthwise
            conv."""),
        zh("""列表到逐点卷积就结束了。MobileNet 中（论文图 3，以及 Keras 的
            _depthwise_conv_block）逐点卷积之后同样有 BatchNorm 和 ReLU；否则模块堆叠时，
            前一个模块的 1×1 卷积与后一个模块的深度卷积之间就没有非线性了。"""),
        en("""Depthwise 3×3 → BN → ReLU → pointwise 1×1 → BN → ReLU: refconv's MobileNet v1
            block 1 is {block} ({bn} BatchNorm and {relu} ReLU layers)."""),
        zh("""应为 深度 3×3 → BN → ReLU → 逐点 1×1 → BN → ReLU：refconv 的 MobileNet v1 第 1
            个模块为 {block}（{bn} 个 BatchNorm、{relu} 个 ReLU）。"""),
        _block,
        "from refconv import models, counting; print([(r.name, r.layer) for r in "
        "counting.summary(models.mobilenet_v1(), (3, 224, 224)).rows[3:9]])",
        checked=MOBILENET,
        checked_zh=MOBILENET_ZH,
        short="{bn} BN + {relu} ReLU per block",
        short_zh="每个模块 {bn} 个 BN、{relu} 个 ReLU",
    ),
)
