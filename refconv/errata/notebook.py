"""The CIFAR-10 notebook (深度可分离卷积 (Depthwise Separable Convolution)): its errata.

The notebook builds a Keras ``StandardCNN`` and a ``SeparableCNN`` for 32x32x3 input and
sums up what it "observed". Keras is not run here: the two networks are checked through
refconv's models of them (:func:`refconv.models.standard_cnn`,
:func:`~refconv.models.separable_cnn`) with Keras' ``count_params`` convention (BatchNorm
counts 4 numbers per channel).
"""

from __future__ import annotations

from refconv import counting, models

from .record import Erratum, Value
from .text import code, en, zh

KERAS = en("""refconv's models of the notebook's two Keras networks (Keras' count_params
    convention); Keras itself was not run""")
KERAS_ZH = (
    "用 refconv 对两个 Keras 网络的等价模型核对（按 Keras 的 count_params 规则），未实际运行 Keras"
)


def _whole_model() -> dict:
    std = counting.summary(models.standard_cnn(), (3, 32, 32), params="keras")
    sep = counting.summary(models.separable_cnn(), (3, 32, 32), params="keras")
    conv_std = sum(r.params for r in std.rows if "conv" in r.name)
    conv_sep = sum(r.params for r in sep.rows if "conv" in r.name)
    dense = next(r.params for r in std.rows if r.name == "dense")
    return {
        "std": std.total_params,
        "sep": sep.total_params,
        "ratio": std.total_params / sep.total_params,
        "pct": 100 * (1 - sep.total_params / std.total_params),
        "dense": dense,
        "conv_std": conv_std,
        "conv_sep": conv_sep,
        "conv_ratio": conv_std / conv_sep,
    }


def _per_layer() -> dict:
    values: dict[str, Value] = {}
    for c_in, c_out in ((3, 32), (32, 64), (64, 128)):
        for bias, key in ((False, "w"), (True, "b")):
            std = counting.conv2d_cost((c_in, 32, 32), c_out, 3, bias=bias).params
            sep = counting.separable_conv2d_cost((c_in, 32, 32), c_out, 3, bias=bias).params
            values[f"{key}{c_out}"] = std / sep
    values["threshold"] = min(
        n for n in range(1, 1000) if counting.reduction_formula(n, 3) <= 1 / 8
    )
    return values


def _input_channels() -> dict:
    def factor(c_in: int, c_out: int) -> float:
        std = counting.conv2d_cost((c_in, 32, 32), c_out, 3, padding="same", bias=False)
        sep = counting.separable_conv2d_cost((c_in, 32, 32), c_out, 3, padding="same", bias=False)
        return std.multiplications / sep.multiplications

    return {
        "r3": factor(3, 128),
        "r64": factor(64, 128),
        "r512": factor(512, 128),
        "r_out8": factor(64, 8),
    }


PARAMS = (
    "from refconv import models, counting; s, t = (counting.summary(m(), (3, 32, 32), "
    "params='keras') for m in (models.standard_cnn, models.separable_cnn)); "
    "print(s.total_params, t.total_params, s.total_params / t.total_params, [(r.name, "
    "r.params) for r in t.rows if r.params])"
)

ERRATA = (
    Erratum(
        "nb-whole-model",
        "notebook",
        "Summary › Advantages",
        "总结 › 优势",
        zh("""通过本实验，我们观察到深度可分离卷积的以下特点：
            …
            1. **参数效率**：相比标准卷积减少约8-9倍参数量"""),
        "In this experiment we observed: … 1. Parameter efficiency: about 8–9 times fewer "
        "parameters than standard convolution.",
        "wrong number",
        1,
        "“8–9 times fewer parameters” for the models it built",
        "所建模型“参数量减少约 8-9 倍”",
        en("""The experiment's own print-out (参数减少倍数, “reduction factor”) would show
            {ratio:.2f}×: the Dense(2048 → 128) layer, {dense:,} parameters, is the same in
            both models and holds most of them. 8–9× is the factor for the convolution layers
            alone (and for the formula 1/N + 1/K²)."""),
        zh("""实验自己打印的“参数减少倍数”会是 {ratio:.2f}x：Dense(2048 → 128) 层有 {dense:,}
            个参数，两个模型完全一样，而且占了参数的大头。8-9 倍只是卷积层本身（以及公式
            1/N + 1/K²）的比值。"""),
        en("""StandardCNN {std:,} parameters, SeparableCNN {sep:,}: {ratio:.2f} times as many
            ({pct:.2f}% fewer). The convolution layers alone: {conv_std:,} / {conv_sep:,} =
            {conv_ratio:.2f}."""),
        zh("""StandardCNN 有 {std:,} 个参数，SeparableCNN 有 {sep:,} 个：前者是后者的
            {ratio:.2f} 倍（减少 {pct:.2f}%）。只算卷积层：{conv_std:,} / {conv_sep:,} =
            {conv_ratio:.2f}。"""),
        _whole_model,
        PARAMS,
        shown=("std", "sep", "dense"),
        named="refconv count; docs/counting.md",
        checked=KERAS,
        checked_zh=KERAS_ZH,
        short="{ratio:.2f} times ({std:,} / {sep:,})",
        short_zh="{ratio:.2f} 倍（{std:,} / {sep:,}）",
    ),
    Erratum(
        "nb-factor-8-9",
        "notebook",
        "Why depthwise separable › parameter efficiency",
        "为什么使用深度可分离卷积 › 参数效率优势",
        "- 参数减少倍数：约 8-9倍（对于3×3卷积）",
        "Parameter reduction factor: about 8–9 times (for 3×3 convolutions).",
        "misleading claim",
        2,
        "“8–9 times for 3×3” regardless of channels",
        "“3×3 卷积约 8-9 倍”，不论通道数",
        en("""The factor is 1/(1/C_out + 1/K²), biases aside: it depends on the number of
            output channels as much as on K. For K = 3 it approaches 9 only as C_out grows,
            and reaches 8 only from C_out = {threshold} on; the notebook's own first two
            layers are below that."""),
        zh("""（不计偏置时）这个倍数是 1/(1/C_out + 1/K²)：它既取决于 K，也同样取决于输出
            通道数。K = 3 时只有 C_out 越来越大才趋近 9，C_out ≥ {threshold} 才达到 8；
            笔记本自己的前两层都达不到。"""),
        en("""Weights only: 3 → 32 {w32:.2f}×, 32 → 64 {w64:.2f}×, 64 → 128 {w128:.2f}×; with
            Keras' biases {b32:.2f}×, {b64:.2f}×, {b128:.2f}×."""),
        zh("""只算权重：3 → 32 为 {w32:.2f} 倍，32 → 64 为 {w64:.2f} 倍，64 → 128 为
            {w128:.2f} 倍；计入 Keras 的偏置则为 {b32:.2f}、{b64:.2f}、{b128:.2f} 倍。"""),
        _per_layer,
        "from refconv import counting as c; print([(n, c.conv2d_cost((m, 32, 32), n, 3, "
        "bias=b).params, c.separable_conv2d_cost((m, 32, 32), n, 3, bias=b).params) for b in "
        "(False, True) for m, n in ((3, 32), (32, 64), (64, 128))], min(n for n in range(1, "
        "1000) if c.reduction_formula(n, 3) <= 1 / 8))",
        shown=("threshold",),
        short="{w32:.2f}× for 3 → 32; 8× only from C_out = {threshold}",
        short_zh="3 → 32 仅 {w32:.2f} 倍；C_out ≥ {threshold} 才到 8 倍",
    ),
    Erratum(
        "nb-input-channels",
        "notebook",
        "Best practice › design tips",
        "最佳实践与使用建议 › 设计技巧",
        code("""
            4. **注意输入输出通道比例**：
               - 当输入通道数较少时，深度可分离卷积优势不明显
               - 当通道数较多(≥64)时，效率提升显著"""),
        "4. Mind the ratio of input to output channels: with few input channels the "
        "advantage is small; with many channels (≥ 64) the gain is significant.",
        "wrong claim",
        2,
        "“few input channels, small advantage”",
        "“输入通道少时优势不明显”",
        en("""The saving, standard / separable = 1/(1/C_out + 1/K²) — the notebook's own
            formula — does not involve C_in, nor the ratio of input to output channels. A
            layer 3 → 128 saves exactly as much as 64 → 128; what makes the saving small is
            few *output* channels."""),
        zh("""节省的倍数 标准 / 可分离 = 1/(1/C_out + 1/K²)——正是笔记本自己给出的公式——与
            C_in 无关，也与输入输出通道之比无关。3 → 128 的层与 64 → 128 的层节省得一样多；
            真正让节省变小的是输出通道少。"""),
        en("""3×3, 'same' padding, standard / separable multiplications: 3 → 128
            {r3:.2f}×, 64 → 128 {r64:.2f}×, 512 → 128 {r512:.2f}×, but 64 → 8 only
            {r_out8:.2f}×."""),
        zh("""3×3、same 填充，标准 / 可分离 的乘法次数之比：3 → 128 为 {r3:.2f} 倍，64 → 128
            为 {r64:.2f} 倍，512 → 128 为 {r512:.2f} 倍，而 64 → 8 只有 {r_out8:.2f} 倍。"""),
        _input_channels,
        "from refconv import counting as c; print([(m, n, c.conv2d_cost((m, 32, 32), n, 3, "
        "padding='same', bias=False).multiplications / c.separable_conv2d_cost((m, 32, 32), n,"
        " 3, padding='same', bias=False).multiplications) for m, n in ((3, 128), (64, 128), "
        "(512, 128), (64, 8))])",
        short="C_in does not matter: {r3:.2f}× for 3 → 128 and 64 → 128",
        short_zh="与 C_in 无关：3 → 128 与 64 → 128 都是 {r3:.2f} 倍",
    ),
)
