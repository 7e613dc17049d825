"""The separable-block note (分离卷积块): its errata, each with the numbers worked out again.

The note explains both separable convolutions and gives two Keras blocks (a ``(1, K)`` then a
``(K, 1)`` ``Conv2D``, with BatchNormalization and ReLU). Keras is not run here: the blocks are
checked through refconv's model of them, :func:`refconv.models.spatial_block`, which uses
Keras' conventions (``padding='same'``, ``count_params`` with 4 numbers per BatchNorm channel).
"""

from __future__ import annotations

import numpy as np

import refconv
from refconv import counting, filters, models, separability

from .record import Erratum
from .text import code, en, zh

KERAS = en("""refconv's model of the note's Keras listing (models.spatial_block, Keras
    conventions); Keras itself was not run""")
KERAS_ZH = "用 refconv 对文中 Keras 代码的等价模型（models.spatial_block）核对，未实际运行 Keras"


def _formula() -> dict:
    s = counting.summary(models.spatial_block(), (3, 32, 32))
    first, second = (r.multiplications for r in s.rows if r.layer == "Conv2d")
    standard = counting.conv2d_cost((3, 32, 32), 64, 3, padding="same", bias=False)
    h = w = 32
    c, k, f = 3, 64, 3  # the note's letters: C inputs, K outputs, F x F kernel
    return {
        "first": first,
        "second": second,
        "block": first + second,
        "closed_form": h * w * f * k * (c + k),
        "formula": h * w * c * k * 2 * f,
        "standard": standard.multiplications,
        "ratio": (first + second) / standard.multiplications,
    }


def _half() -> dict:
    def ratio(k: int) -> float:
        pair = counting.spatial_separable_conv2d_cost((1, 32, 32), 1, k, padding="same", bias=False)
        full = counting.conv2d_cost((1, 32, 32), 1, k, padding="same", bias=False)
        return pair.multiplications / full.multiplications

    return {"r3": ratio(3), "r4": ratio(4), "r5": ratio(5), "r7": ratio(7)}


def _params() -> dict:
    s = counting.summary(models.spatial_block(), (3, 32, 32), params="keras")
    pair = sum(r.params for r in s.rows if r.layer == "Conv2d")
    standard = counting.conv2d_cost((3, 32, 32), 64, 3, bias=False).params
    wide = counting.spatial_separable_conv2d_cost((64, 32, 32), 64, 3, bias=False).params
    return {
        "pair": pair,
        "keras_total": s.total_params,
        "standard": standard,
        "ratio": pair / standard,
        "wide_pair": wide,
        "wide_standard": counting.conv2d_cost((64, 32, 32), 64, 3, bias=False).params,
    }


def _ranks() -> dict:
    random = np.random.default_rng(0).standard_normal((3, 3))
    return {
        "sobel": separability.analyze(filters.sobel()).rank,
        "laplacian": separability.analyze(filters.laplacian()).rank,
        "random": separability.analyze(random).rank,
    }


def _listing() -> dict:
    g = np.random.default_rng(0)
    a = g.standard_normal((64, 3, 1, 3))  # Conv2D(64, (1, 3)): 3 -> 64
    b = g.standard_normal((64, 64, 3, 1))  # Conv2D(64, (3, 1)): 64 -> 64
    x = g.standard_normal((1, 3, 32, 32))
    # W[o, c] = sum over r of outer(b[o, r], a[r, c]): the one 3x3 conv the pair equals
    w = np.einsum("orh,rcw->ochw", b[..., 0], a[:, :, 0])  # (64, 3, 3, 3)
    two = refconv.conv2d(refconv.conv2d(x, a, padding="same"), b, padding="same")
    ranks = [int(np.linalg.matrix_rank(k)) for k in w.reshape(-1, 3, 3)]
    return {
        "equal": bool(np.allclose(two, refconv.conv2d(x, w, padding="same"))),
        "min_rank": min(ranks),
        "max_rank": max(ranks),
    }


ERRATA = (
    Erratum(
        "block-formula",
        "block",
        "The principle of spatially separable convolution",
        "空间可分离卷积 › 空间可分离卷积的原理",
        code(r"""
            通过这种分解，计算复杂度降低为：
            $$
            H \times W \times C \times K \times (F + F) = H \times W \times C \times K \times 2 F
            $$"""),
        "With this decomposition the cost falls to H×W×C×K×(F + F) = H×W×C×K×2F.",
        "wrong formula",
        1,
        "cost of the 1×F + F×1 pair: H×W×C×K×2F",
        "1×F + F×1 的计算量公式 H×W×C×K×2F",
        en("""The second pass (F×1) reads the K channels that the first pass wrote, not the
            C input channels, so it costs H·W·K·K·F, not H·W·C·K·F. H×W×C×K×2F is right only
            when C = K, or when both passes work channel by channel, which the note's code
            does not do."""),
        zh("""第二步（F×1）读入的是第一步输出的 K 个通道，而不是 C 个输入通道，所以它的
            乘法次数是 H·W·K·K·F，而不是 H·W·C·K·F。只有当 C = K，或两步都逐通道进行
            （文中代码并非如此）时，H×W×C×K×2F 才成立。"""),
        en("""The pair costs H·W·F·K·(C + K) = {closed_form:,} here. For the note's own Keras
            listing (32×32×3 input, 64 filters, F = 3) that is {first:,} + {second:,} =
            {block:,} multiplications, not the formula's {formula:,}, and {ratio:.2f} times
            the {standard:,} of the single 3×3 conv 3 → 64 it replaces: more, not fewer."""),
        zh("""这一对卷积的乘法次数应为 H·W·F·K·(C + K)，此处为 {closed_form:,}。以文中自己的
            Keras 代码为例（输入 32×32×3，64 个滤波器，F = 3）：{first:,} + {second:,} =
            {block:,} 次乘法，而不是公式给出的 {formula:,}；它是所替代的一个 3×3 卷积
            （3 → 64，{standard:,} 次）的 {ratio:.2f} 倍，不减反增。"""),
        _formula,
        "from refconv import counting, models; s = counting.summary(models.spatial_block(), "
        "(3, 32, 32)); print([(r.name, r.multiplications) for r in s.rows if r.layer == "
        "'Conv2d'], s.total_macs); print(counting.conv2d_cost((3, 32, 32), 64, 3, "
        "padding='same', bias=False).multiplications)",
        shown=("first", "second", "block", "standard"),
        named="refconv count; docs/counting.md",
        checked=KERAS,
        checked_zh=KERAS_ZH,
        short="{block:,} multiplications for the note's block, not {formula:,}",
        short_zh="文中模块实际 {block:,} 次乘法，而非 {formula:,}",
    ),
    Erratum(
        "block-half",
        "block",
        "The principle of spatially separable convolution",
        "空间可分离卷积 › 空间可分离卷积的原理",
        "这样，空间可分离卷积将原来的计算复杂度降低了近一半。",
        "In this way spatially separable convolution cuts the original cost by nearly half.",
        "wrong number",
        2,
        "“nearly half”: the saving is 2/F",
        "“降低了近一半”：比值是 2/F",
        en("""2F against F² is the ratio 2/F, which depends on F: it is one half only at
            F = 4, while the note's own example uses F = 3."""),
        zh("""2F 与 F² 之比是 2/F，随 F 而变：只有 F = 4 时才恰好是一半，而文中的例子
            用的是 F = 3。"""),
        en("""With 'same' padding the pair costs {r3:.4f} of the F×F kernel for F = 3 (6
            against 9: a third less, not half), {r4:.2f} for F = 4, {r5:.2f} for F = 5 and
            {r7:.4f} for F = 7."""),
        zh("""在 same 填充下，这对卷积的乘法次数是 F×F 卷积的：F = 3 时 {r3:.4f}（6 比 9，
            只少了三分之一，不是一半），F = 4 时 {r4:.2f}，F = 5 时 {r5:.2f}，F = 7 时
            {r7:.4f}。"""),
        _half,
        "from refconv import counting as c; print([(k, c.spatial_separable_conv2d_cost((1, 32, "
        "32), 1, k, padding='same', bias=False).multiplications / c.conv2d_cost((1, 32, 32), 1,"
        " k, padding='same', bias=False).multiplications) for k in (3, 4, 5, 7)])",
        shown=("r4", "r5"),
        named="docs/counting.md",
        short="2/F: {r3:.4f} for F = 3, one half only at F = 4",
        short_zh="比值为 2/F：F = 3 时 {r3:.4f}，仅 F = 4 时为一半",
    ),
    Erratum(
        "block-params",
        "block",
        "Advantages of spatially separable convolution",
        "空间可分离卷积 › 空间可分离卷积的优点",
        "2. **参数量减少**：参数数量减少，这意味着模型更小，训练和推理速度更快。",
        "2. Fewer parameters: the parameter count drops, so the model is smaller and trains "
        "and infers faster.",
        "misleading claim",
        2,
        "“fewer parameters” — not for the note's own block",
        "“参数量减少”——文中模块恰恰相反",
        en("""Both convolutions of the note's blocks mix all channels, so a 1×F + F×1 pair
            C → K → K has F·K·(C + K) weights against F²·C·K for the K×K conv it replaces:
            fewer only when K < (F − 1)·C. The note's own listing, 3 → 64, is far from that.
            (The first list of advantages says the same: “减少参数数量”.)"""),
        zh("""文中模块的两个卷积都混合全部通道，所以 C → K → K 的 1×F + F×1 组合有
            F·K·(C + K) 个权重，而它所替代的 F×F 卷积有 F²·C·K 个：只有 K < (F − 1)·C 时
            才更少。文中自己的例子是 3 → 64，远不满足这个条件。（前面“优点”一节的
            “减少参数数量”也是同样的问题。）"""),
        en("""The listing (3 → 64 channels, F = 3) has {pair:,} convolution weights
            ({keras_total:,} parameters with BatchNorm, as Keras counts them) against
            {standard:,} for one 3×3 conv 3 → 64: {ratio:.2f} times as many. For 64 → 64 the
            pair does save: {wide_pair:,} weights against {wide_standard:,}."""),
        zh("""该代码（3 → 64 通道，F = 3）有 {pair:,} 个卷积权重（按 Keras 的算法，连同
            BatchNorm 共 {keras_total:,} 个参数），而一个 3×3 卷积（3 → 64）只有
            {standard:,} 个：是它的 {ratio:.2f} 倍。若是 64 → 64，这对卷积才确实更省：
            {wide_pair:,} 个权重对 {wide_standard:,} 个。"""),
        _params,
        "from refconv import counting, models; s = counting.summary(models.spatial_block(), "
        "(3, 32, 32), params='keras'); print([(r.name, r.params) for r in s.rows if r.params], "
        "s.total_params, counting.conv2d_cost((3, 32, 32), 64, 3, bias=False).params)",
        shown=("keras_total", "standard"),
        checked=KERAS,
        checked_zh=KERAS_ZH,
        short="{pair:,} weights against {standard:,}: {ratio:.2f} times as many",
        short_zh="{pair:,} 个权重对 {standard:,} 个，是其 {ratio:.2f} 倍",
    ),
    Erratum(
        "block-any-kernel",
        "block",
        "Types › Spatially separable convolution",
        "类型 › 空间可分离卷积（Spatially Separable Convolution）",
        zh("""空间可分离卷积将标准卷积操作分解为两个独立的步骤：
            …
            通过将二维卷积分解为两个一维卷积，空间可分离卷积减少了计算量。"""),
        "Spatially separable convolution decomposes the standard convolution into two "
        "independent steps: … By decomposing a 2-D convolution into two 1-D convolutions, it "
        "reduces the computation.",
        "misleading claim",
        2,
        "any K×K convolution presented as splittable",
        "把任意 K×K 卷积说成都能分解",
        en("""The note presents the split as something every standard convolution allows.
            Only a rank-1 kernel, an outer product of a column and a row, equals a 1×N pass
            followed by an N×1 pass; the note never says so, and a learned K×K kernel is
            almost never rank 1. (The TDS introduction states this limit plainly.)"""),
        zh("""文中把这种分解说成任何标准卷积都能做到。实际上只有秩为 1 的卷积核（一个
            列向量与一个行向量的外积）才等于先做 1×N、再做 N×1 的两步卷积；文中对此只字
            未提，而训练得到的 K×K 卷积核几乎不可能秩为 1。（TDS 那篇介绍明确指出了这一
            限制。）"""),
        en("""The Sobel kernel has rank {sobel} and splits into [1, 2, 1]ᵀ · [−1, 0, 1]; the
            4-neighbour Laplacian has rank {laplacian} and a random 3×3 kernel rank {random}:
            neither of these splits into a 3×1 and a 1×3 kernel."""),
        zh("""Sobel 核的秩为 {sobel}，可分解为 [1, 2, 1]ᵀ · [−1, 0, 1]；4 邻域拉普拉斯核的秩
            为 {laplacian}，随机的 3×3 核的秩为 {random}，这两者都无法分解成 3×1 和 1×3。"""),
        _ranks,
        "import numpy as np; from refconv import filters, separability; print([separability."
        "analyze(k).rank for k in (filters.sobel(), filters.laplacian(), np.random.default_rng"
        "(0).standard_normal((3, 3)))])",
        shown=("laplacian", "random"),
        short="only rank-1 kernels split (Laplacian: rank {laplacian})",
        short_zh="只有秩 1 的核能分解（拉普拉斯核秩为 {laplacian}）",
    ),
    Erratum(
        "block-listing",
        "block",
        "Implementing spatially separable convolution",
        "空间可分离卷积 › 空间可分离卷积的实现",
        zh("""在这个例子中，我们将卷积操作分解为一个 $1 \\times 3$ 的卷积和一个 $3 \\times 1$
            的卷积，并使用 BatchNormalization 和 ReLU 激活函数进行归一化和非线性变换。"""),
        "In this example we decompose the convolution into a 1×3 and a 3×1 convolution and "
        "use BatchNormalization and ReLU for normalization and nonlinearity.",
        "misleading claim",
        3,
        "the Keras blocks are not a decomposed convolution",
        "Keras 模块并不是“分解后的卷积”",
        en("""With BatchNormalization and ReLU between the passes, the block equals no
            convolution at all. Even without them, both passes mix all channels (Keras
            Conv2D, groups = 1), so each 3×3 kernel of the equivalent convolution is a sum of
            64 rank-1 terms, not a separable kernel. The listing is a factorized block in the
            style of Inception v3 — a different layer, with the cost worked out above — not a
            K×K convolution split in two."""),
        zh("""两步之间插入了 BatchNormalization 和 ReLU，整个模块已不等于任何卷积。即使去掉
            它们，两步都混合全部通道（Keras 的 Conv2D 即 groups = 1），等价卷积的每个 3×3 核
            都是 64 个秩 1 项之和，而不是可分离的核。这段代码是 Inception v3 式的分解模块，
            是另一种层（计算量见上文），并不是把一个 K×K 卷积拆成两步。"""),
        en("""Without BN and ReLU the 1×3 conv 3 → 64 then 3×1 conv 64 → 64 equals one 3×3
            conv with kernels W[o, c] = Σ_r outer(col[o, r], row[r, c]) (refconv: {equal}); with
            random weights every one of those 3×3 kernels has rank {min_rank}, the most a 3×3
            matrix can have, so none of them is spatially separable."""),
        zh("""去掉 BN 和 ReLU 后，1×3 卷积（3 → 64）接 3×1 卷积（64 → 64）等于一个 3×3 卷积，
            其卷积核为 W[o, c] = Σ_r outer(col[o, r], row[r, c])（refconv 验证：{equal}）；
            取随机权重时，这些 3×3 核的秩全都是 {min_rank}，即 3×3 矩阵的最大秩，没有一个是
            空间可分离的。"""),
        _listing,
        "import numpy as np, refconv; g = np.random.default_rng(0); a = g.standard_normal((64, "
        "3, 1, 3)); b = g.standard_normal((64, 64, 3, 1)); x = g.standard_normal((1, 3, 32, 32));"
        " w = np.einsum('orh,rcw->ochw', b[..., 0], a[:, :, 0]); two = refconv.conv2d(refconv."
        "conv2d(x, a, padding='same'), b, padding='same'); print(np.allclose(two, refconv."
        "conv2d(x, w, padding='same')), sorted({int(np.linalg.matrix_rank(k)) for k in "
        "w.reshape(-1, 3, 3)}))",
        shown=("equal", "max_rank"),
        checked=KERAS,
        checked_zh=KERAS_ZH,
        short="equivalent 3×3 kernels have rank {min_rank}, not 1",
        short_zh="等价的 3×3 核秩为 {min_rank}，不是 1",
    ),
)
