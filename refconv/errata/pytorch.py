"""The PyTorch comparison (深度可分离卷积与空间可分离卷积): its errata, recomputed.

The article gives two PyTorch classes (``SpatiallySeparableConv2d``,
``DepthwiseSeparableConv2d``) and a network ``Param`` with profiler figures in its comments.
The listings were run under PyTorch 2.13.0 (CPU); refconv's equivalents are
:class:`refconv.nn.SpatialSeparableConv2d` and :func:`refconv.models.param_net`.
"""

from __future__ import annotations

import numpy as np

import refconv
from refconv import counting, filters, models, nn, separability

from .listings import spatial_example
from .record import Erratum
from .text import code, en, zh

TORCH = "the listing run under PyTorch 2.13.0 (CPU), and refconv's equivalent"
TORCH_ZH = "在 PyTorch 2.13.0（CPU）上实际运行该代码，并用 refconv 的等价实现核对"


def _groups() -> dict:
    try:
        nn.SpatialSeparableConv2d(3, 8, 3, intermediate_channels=3, padding=1, groups=3, seed=0)
        refused = "nothing"
    except ValueError as exc:
        refused = type(exc).__name__
    fixed = nn.Sequential(
        nn.SpatialSeparableConv2d(3, 3, 3, padding=1, groups=3, seed=0),
        nn.PointwiseConv2d(3, 8, seed=0),
    )
    return {"refused": refused, "fixed": fixed(np.zeros((1, 3, 32, 32), np.float32)).shape}


def _padding() -> dict:
    x = np.ones((1, 3, 32, 32))
    col, row = np.ones((3, 1, 3, 1)), np.ones((3, 1, 1, 3))

    def size(k: int) -> int:  # output side with padding = K // 2, halved as printed
        pair = counting.spatial_separable_conv2d_cost((1, 32, 32), 1, k, padding=(k // 2) // 2)
        return pair.output_shape[1]

    return {
        "bad": refconv.spatial_separable_conv2d(x, col, row, padding=1 // 2, groups=3).shape,
        "good": refconv.spatial_separable_conv2d(x, col, row, padding=1, groups=3).shape,
        "k3": size(3),
        "k5": size(5),
        "k7": size(7),
    }


def _even() -> dict:
    return {
        "box2": separability.analyze(filters.box(2)).rank,
        "binomial4": separability.analyze(filters.binomial(4)).rank,
    }


def _axes() -> dict:
    return {
        "tall": counting.conv2d_cost((1, 32, 32), 1, (3, 1)).output_shape,
        "wide": counting.conv2d_cost((1, 32, 32), 1, (1, 3)).output_shape,
    }


def _six_vs_nine() -> dict:
    def pair(padding: int) -> tuple[int, int, int]:
        split = counting.spatial_separable_conv2d_cost(
            (1, 32, 32), 1, 3, padding=padding, bias=False
        )
        full = counting.conv2d_cost((1, 32, 32), 1, 3, padding=padding, bias=False)
        _, h, w = split.output_shape
        return split.multiplications, full.multiplications, h * w

    sep, full, outputs = pair(1 // 2)
    same_sep, _, same_outputs = pair(1)
    return {
        "sep": sep,
        "full": full,
        "outputs": outputs,
        "per": sep / outputs,
        "same_sep": same_sep,
        "same_outputs": same_outputs,
    }


def _blocks() -> dict:
    s = counting.summary(models.param_net(), (3, 416, 416))
    params = {
        name: sum(r.params for r in s.rows if r.name.split(".")[0] == name)
        for name in ("conv1", "conv2", "conv3", "D3x1_D1x3")
    }
    return {
        "out": s.output_shape,
        "conv1": params["conv1"],
        "conv2": params["conv2"],
        "conv3": params["conv3"],
        "spatial": params["D3x1_D1x3"],
    }


def figures() -> dict:
    """The PyTorch comparison's figures: conv1 + block, and each block alone."""
    counts: dict[str, int] = {}
    for key, variant in (
        ("std", "standard"),
        ("dsc", "depthwise_separable"),
        ("sp", "spatially_separable"),
    ):
        s = counting.summary(models.param_net(variant), (3, 416, 416), macs="ptflops")
        block = [r for r in s.rows if not r.name.startswith("conv1")]
        conv1 = [r for r in s.rows if r.name.startswith("conv1")]
        counts |= {
            key: s.total_macs,
            f"p{key}": s.total_params,
            f"b{key}": sum(r.macs for r in block),
            f"bp{key}": sum(r.params for r in block),
            f"c{key}": sum(r.multiplications for r in block if "Conv" in r.layer),
            "conv1_macs": sum(r.macs for r in conv1),
            "conv1_params": sum(r.params for r in conv1),
        }
    return counts | {
        "ratio_blocks": counts["bstd"] / counts["bdsc"],
        "ratio_printed": counts["std"] / counts["dsc"],
        "r_dsc": counts["cdsc"] / counts["cstd"],
        "r_sp": counts["csp"] / counts["cstd"],
        "formula": counting.reduction_formula(24, 3),
    }


FIGURES = (
    "from refconv import models, counting; [print(v, s.total_macs, s.total_params, "
    "sum(r.macs for r in s.rows if not r.name.startswith('conv1')), sum(r.params for r "
    "in s.rows if not r.name.startswith('conv1'))) for v in ('standard', "
    "'depthwise_separable', 'spatially_separable') for s in [counting.summary("
    "models.param_net(v), (3, 416, 416), macs='ptflops')]]"
)

ERRATA = (
    Erratum(
        "pt-groups",
        "pytorch",
        "2. Definitions › SpatiallySeparableConv2d",
        "2. 定义🎄（空间可分离卷积代码）",
        code("""
            self.depthwise_col_conv = nn.Conv2d(in_channels, out_channels, kernel_size=(1, kernel_size),
            stride=(1, stride), padding=(0, (padding//2)), groups=in_channels)
            …
            conv = SpatiallySeparableConv2d(in_channels=3, out_channels=8, kernel_size=3, stride=1, padding=1)"""),  # noqa: E501
        "The second convolution has groups=in_channels; the example builds it with "
        "in_channels=3, out_channels=8.",
        "code",
        1,
        "the spatially separable example does not run",
        "空间可分离卷积的示例无法运行",
        en("""groups=in_channels=3 with out_channels=8: a grouped convolution needs
            out_channels to be a multiple of groups, so PyTorch refuses to build the layer and
            the example never reaches print. Per channel, each input channel can only give
            the same number of outputs, so C_out must be 3, 6, 9, …"""),
        zh("""groups=in_channels=3 而 out_channels=8：分组卷积要求 out_channels 是 groups 的
            整数倍，所以 PyTorch 在构建这一层时就报错，示例根本走不到 print。逐通道卷积时
            每个输入通道只能产生相同数目的输出，C_out 只能是 3、6、9……"""),
        en("""Keep the per-channel pair at 3 channels and add a 1×1 conv 3 → 8 (refconv:
            SpatialSeparableConv2d(3, 3, 3, padding=1, groups=3) then PointwiseConv2d(3, 8)
            gives {fixed}); refconv refuses the article's layer too ({refused})."""),
        zh("""逐通道的两步保持 3 个通道，再接一个 1×1 卷积 3 → 8（refconv：
            SpatialSeparableConv2d(3, 3, 3, padding=1, groups=3) 接 PointwiseConv2d(3, 8)，
            得到 {fixed}）；refconv 同样拒绝构建文中那一层（{refused}）。"""),
        _groups,
        "import numpy as np; from refconv import nn; net = nn.Sequential(nn.SpatialSeparableConv2d"
        "(3, 3, 3, padding=1, groups=3, seed=0), nn.PointwiseConv2d(3, 8, seed=0)); "
        "print(net(np.zeros((1, 3, 32, 32), np.float32)).shape)",
        shown=("fixed", "refused"),
        named="docs/families.md §6(a)",
        checked=TORCH,
        checked_zh=TORCH_ZH,
        torch_code=spatial_example(8),
        torch_output="ValueError: out_channels must be divisible by groups",
        short="ValueError: 8 is not a multiple of groups = 3",
        short_zh="ValueError：8 不是 groups = 3 的倍数",
    ),
    Erratum(
        "pt-padding",
        "pytorch",
        "2. Definitions › SpatiallySeparableConv2d",
        "2. 定义🎄（空间可分离卷积代码）",
        code("""
            stride=(stride, 1), padding=((padding//2), 0), groups=in_channels)
            …
            stride=(1, stride), padding=(0, (padding//2)), groups=in_channels)"""),
        "Each pass is given half of the padding, rounded down.",
        "code",
        1,
        "padding // 2: 30×30 instead of 32×32",
        "padding // 2：得到 30×30 而不是 32×32",
        en("""Each pass filters along one axis only, so each should take the whole padding of
            its axis: (padding, 0) and (0, padding). padding // 2 is 0 for padding = 1, so the
            example that asks for padding=1 gets none. padding // 2 equals padding only when
            padding is 0."""),
        zh("""每一步只沿一个方向滤波，所以各自应取该方向的全部填充：(padding, 0) 和
            (0, padding)。padding = 1 时 padding // 2 等于 0，示例要求的 padding=1 实际上
            没有填充。只有 padding 为 0 时 padding // 2 才等于 padding。"""),
        en("""With padding=(padding, 0) and (0, padding) the output is {good}; as printed it
            is {bad}. With padding = K // 2 as printed: K = 3 gives {k3}×{k3}, K = 5 {k5}×{k5},
            K = 7 {k7}×{k7}, instead of 32×32 each."""),
        zh("""改成 (padding, 0) 与 (0, padding) 后输出为 {good}；按原文则是 {bad}。取
            padding = K // 2 时，按原文 K = 3 得 {k3}×{k3}，K = 5 得 {k5}×{k5}，K = 7 得
            {k7}×{k7}，本应都是 32×32。"""),
        _padding,
        "import numpy as np, refconv; x = np.ones((1, 3, 32, 32)); col, row = np.ones((3, 1, 3, "
        "1)), np.ones((3, 1, 1, 3)); print([refconv.spatial_separable_conv2d(x, col, row, "
        "padding=p, groups=3).shape for p in (1 // 2, 1)])",
        shown=("bad", "good"),
        named="docs/families.md §6(b)",
        checked=TORCH,
        checked_zh=TORCH_ZH,
        torch_code=spatial_example(3),
        torch_output="torch.Size([1, 3, 30, 30])",
        torch_label="the article's class and example with out_channels=3 (which it accepts)",
        torch_label_zh="原文的类与示例（仅把 out_channels 改为可以运行的 3）",
        short="{bad} instead of {good}",
        short_zh="得到 {bad} 而非 {good}",
    ),
    Erratum(
        "pt-odd",
        "pytorch",
        "2. Definitions › SpatiallySeparableConv2d",
        "2. 定义🎄（空间可分离卷积代码）",
        code("""
            # 检查卷积核大小是否为奇数
            assert kernel_size % 2 == 1, "Kernel size must be odd for spatially separable convolution\""""),  # noqa: E501
        "# check that the kernel size is odd",
        "misleading claim",
        3,
        "“kernel size must be odd”",
        "“卷积核大小必须为奇数”",
        en("""Whether a kernel splits into K×1 and 1×K depends on its rank, not on whether K
            is odd. Even kernels split the same way; an even K only makes 'same' padding
            uneven (one more pixel on one side). The assert refuses a valid layer: under
            PyTorch 2.13.0, kernel_size=4 stops with an AssertionError."""),
        zh("""卷积核能否分解成 K×1 和 1×K 取决于它的秩，与 K 的奇偶无关。偶数大小的核同样可以
            分解；偶数 K 只是让 same 填充两边不对称（一侧多一个像素）。这个 assert 会拒绝合法
            的层：在 PyTorch 2.13.0 上 kernel_size=4 直接抛出 AssertionError。"""),
        en("""The 2×2 box [[1, 1], [1, 1]] has rank {box2} and the 4×4 binomial kernel rank
            {binomial4}: both are outer products of a column and a row (the binomial one of
            [1, 3, 3, 1] with itself)."""),
        zh("""2×2 的均值核 [[1, 1], [1, 1]] 秩为 {box2}，4×4 的二项式核秩为 {binomial4}：两者
            都是一个列向量与一个行向量的外积（二项式核即 [1, 3, 3, 1] 与自身的外积）。"""),
        _even,
        "from refconv import filters, separability; print([separability.analyze(k).rank for k in"
        " (filters.box(2), filters.binomial(4))], separability.separate(filters.binomial(4)))",
        shown=("box2", "binomial4"),
        checked=TORCH,
        checked_zh=TORCH_ZH,
        torch_code=spatial_example(3, kernel_size=4).replace("padding=1", "padding=0"),
        torch_output="AssertionError: Kernel size must be odd for spatially separable convolution",
        torch_label="the article's class with kernel_size=4, padding=0",
        torch_label_zh="原文的类，取 kernel_size=4、padding=0",
        short="even kernels split too (4×4 binomial: rank {binomial4})",
        short_zh="偶数核同样可分（4×4 二项式核秩为 {binomial4}）",
    ),
    Erratum(
        "pt-row-col",
        "pytorch",
        "2. Definitions",
        "2. 定义🎄",
        zh("""首先,使用一维卷积核对输入特征图的每一行进行卷积,生成中间特征图;然后,对中间
            特征图的每一列进行卷积,得到最终输出特征图。
            …
            self.depthwise_row_conv =
            nn.Conv2d(in_channels, in_channels, kernel_size=(kernel_size, 1),"""),
        "First each row of the input is convolved with a 1-D kernel, then each column of the "
        "intermediate map; the first layer is named depthwise_row_conv, with kernel_size="
        "(kernel_size, 1).",
        "misleading claim",
        3,
        "the “row” conv filters columns",
        "名为“行”的卷积其实在滤列",
        en("""PyTorch's kernel_size is (height, width): (K, 1) is K rows tall and one column
            wide, so it slides down each column and shortens the height. The layer named
            depthwise_row_conv is the column pass and depthwise_col_conv, (1, K), the row
            pass: the code filters columns first, the text rows first. The result is the same
            either way (the passes commute); only the names mislead."""),
        zh("""PyTorch 的 kernel_size 是 (高, 宽)：(K, 1) 高 K 行、宽 1 列，它沿每一列向下
            滑动，缩短的是高度。所以名为 depthwise_row_conv 的层其实是按列滤波，
            depthwise_col_conv（(1, K)）才是按行：代码先列后行，文字先行后列。两种顺序结果
            相同（两步可交换），只是命名会误导读者。"""),
        en("""Without padding a (3, 1) kernel maps a 32×32 map to {tall} (C, H, W): the height
            shrinks; a (1, 3) kernel gives {wide}."""),
        zh("""无填充时，(3, 1) 的卷积核把 32×32 变成 {tall}（C, H, W）：缩短的是高度；
            (1, 3) 的核则得到 {wide}。"""),
        _axes,
        "from refconv import counting as c; print(c.conv2d_cost((1, 32, 32), 1, (3, 1))."
        "output_shape, c.conv2d_cost((1, 32, 32), 1, (1, 3)).output_shape)",
        shown=("tall", "wide"),
        short="(K, 1) shrinks the height: {tall}",
        short_zh="(K, 1) 缩短的是高度：{tall}",
    ),
    Erratum(
        "pt-six-vs-nine",
        "pytorch",
        "2. Definitions",
        "2. 定义🎄",
        zh("""现在,我们不是用9次乘法进行一次卷积,而是进行两次卷积,每次3次乘法(总共6次),
            以达到相同的效果。"""),
        "Now, instead of one convolution with 9 multiplications, we do two with 3 each (6 in "
        "all) to the same effect.",
        "misleading claim",
        3,
        "“6 instead of 9” — not for its own class",
        "“6 次代替 9 次”——自己的类并非如此",
        en("""Copied from the TDS introduction, with the same limits: 6 per output pixel only
            with 'same' padding, “the same effect” only for a rank-1 kernel. The article's
            own class, because of its padding // 2 bug, runs without padding, where the count
            is higher."""),
        zh("""这句话抄自 TDS 那篇介绍，局限也一样：每个输出像素 6 次只在 same 填充下成立，
            “相同的效果”只对秩 1 的核成立。而文中自己的类由于 padding // 2 的错误，实际是
            无填充运行的，次数更高。"""),
        en("""Per channel on 32×32 with the class as printed (no padding): {sep:,}
            multiplications for {outputs} output pixels, {per:.1f} per pixel, against {full:,}
            (9 per pixel) for the 3×3 kernel. With padding 1 done right: {same_sep:,} for
            {same_outputs:,} pixels, exactly 6."""),
        zh("""按原文的类（实际无填充）在 32×32 上逐通道计算：{outputs} 个输出像素共 {sep:,}
            次乘法，每像素 {per:.1f} 次；直接用 3×3 核是 {full:,} 次（每像素 9 次）。正确地
            填充 1 个像素后：{same_outputs:,} 个像素 {same_sep:,} 次，恰好每像素 6 次。"""),
        _six_vs_nine,
        "from refconv import counting as c; print([(c.spatial_separable_conv2d_cost((1, 32, 32),"
        " 1, 3, padding=p, bias=False).multiplications, c.conv2d_cost((1, 32, 32), 1, 3, "
        "padding=p, bias=False).multiplications) for p in (0, 1)])",
        shown=("sep", "full", "same_sep"),
        short="{per:.1f} per pixel with its own class",
        short_zh="按其自身的类每像素 {per:.1f} 次",
    ),
    Erratum(
        "pt-import",
        "pytorch",
        "3. Code analysis",
        "3. 具体代码分析🎄",
        code("""
            import torch.nn as nn
            from Module.activation import act_layers"""),
        "The network's listing imports act_layers from the author's own package.",
        "code",
        2,
        "the Param listing imports a private module",
        "Param 代码导入了未公开的模块",
        en("""Module.activation is the author's own package and is never shown, so the
            listing stops at its second line with ModuleNotFoundError. Nothing else needs it:
            act_layers('ReLU') presumably returns nn.ReLU()."""),
        zh("""Module.activation 是作者自己的包，文中没有给出，所以代码在第二行就因
            ModuleNotFoundError 中止。其余部分都不依赖它：act_layers('ReLU') 想必返回
            nn.ReLU()。"""),
        en("""With act_layers = lambda name: nn.ReLU(inplace=True) the listing runs under
            PyTorch 2.13.0: Param maps 3×416×416 to {out} (C, H, W), and its blocks have
            conv1 {conv1}, conv2 {conv2:,}, conv3 {conv3} and D3x1_D1x3 {spatial:,}
            parameters, as refconv's models.param_net has."""),
        zh("""把 act_layers 换成 lambda name: nn.ReLU(inplace=True) 后，代码可在 PyTorch
            2.13.0 上运行：Param 把 3×416×416 映射为 {out}（C, H, W），各模块参数量为 conv1
            {conv1}、conv2 {conv2:,}、conv3 {conv3}、D3x1_D1x3 {spatial:,}，与 refconv 的
            models.param_net 一致。"""),
        _blocks,
        "from refconv import models, counting; s = counting.summary(models.param_net(), (3, 416,"
        " 416)); print(s.output_shape, [(b, sum(r.params for r in s.rows if r.name.split('.')[0]"
        " == b)) for b in ('conv1', 'conv2', 'conv3', 'D3x1_D1x3')])",
        shown=("out", "conv2", "spatial"),
        checked=TORCH,
        checked_zh=TORCH_ZH,
        torch_code="import torch.nn as nn\nfrom Module.activation import act_layers",
        torch_output="ModuleNotFoundError: No module named 'Module'",
        torch_label="the listing's first two lines",
        torch_label_zh="原文代码的前两行",
        short="ModuleNotFoundError; runs with nn.ReLU in its place",
        short_zh="ModuleNotFoundError；换成 nn.ReLU 即可运行",
    ),
    Erratum(
        "pt-figures",
        "pytorch",
        "3. Code analysis",
        "3. 具体代码分析🎄",
        code("""
            x = self.conv1(x)
            # 普通卷积 258.55M 5.93k
            x = self.conv2(x)
            # 深度可分离 69.57M 1.56K
            x = self.conv3(x)
            # 空间可分离 186.9M 4.25K
            x = self.D3x1_D1x3(x)"""),
        "Profiler figures written beside each block: standard 258.55M 5.93k, depthwise "
        "separable 69.57M 1.56K, spatially separable 186.9M 4.25K.",
        "misleading claim",
        2,
        "block figures include conv1 and an unstated 416×416 input",
        "各模块的数字含 conv1，且输入 416×416 未说明",
        en("""Each figure stands beside one block, but it is for conv1 followed by that block
            (conv1 alone: {conv1_params} parameters, {conv1_macs:,} MACs), at an input size the
            article never gives (3×416×416 reproduces every figure), counted by ptflops'
            rules (BatchNorm, ReLU and the 1×1 conv's bias included). conv1 is the same in all
            three lines, so it dilutes the comparison."""),
        zh("""每个数字写在一个模块旁边，实际却是 conv1 加上该模块的总和（conv1 本身
            {conv1_params} 个参数、{conv1_macs:,} 次乘加），输入尺寸文中从未交代
            （3×416×416 能复现所有数字），并且按 ptflops 的规则计数（BatchNorm、ReLU 和 1×1
            卷积的偏置都算在内）。三行都含同一个 conv1，冲淡了对比。"""),
        en("""conv1 + block: {std:,} / {dsc:,} / {sp:,} MACs and {pstd:,} / {pdsc:,} / {psp:,}
            parameters (the printed figures). The blocks alone: {bstd:,} / {bdsc:,} / {bsp:,}
            MACs and {bpstd:,} / {bpdsc:,} / {bpsp:,} parameters, so the standard block costs
            {ratio_blocks:.2f} times as much as the depthwise-separable one, not the
            {ratio_printed:.2f} times the printed figures suggest."""),
        zh("""conv1 + 模块：{std:,} / {dsc:,} / {sp:,} 次乘加，{pstd:,} / {pdsc:,} / {psp:,} 个
            参数（即文中数字）。只算模块本身：{bstd:,} / {bdsc:,} / {bsp:,} 次乘加，
            {bpstd:,} / {bpdsc:,} / {bpsp:,} 个参数，所以标准模块的乘加次数是深度可分离模块的
            {ratio_blocks:.2f} 倍，而不是文中数字显示的 {ratio_printed:.2f} 倍。"""),
        figures,
        FIGURES,
        shown=("std", "dsc", "sp", "bstd", "bdsc", "bsp", "bpstd"),
        named="docs/counting.md",
        checked="refconv's models.param_net under ptflops' counting rules",
        checked_zh="用 refconv 的 models.param_net 按 ptflops 的计数规则核对",
        short="blocks alone: {ratio_blocks:.2f} times, not {ratio_printed:.2f}",
        short_zh="只算模块：相差 {ratio_blocks:.2f} 倍，而非 {ratio_printed:.2f} 倍",
    ),
)
