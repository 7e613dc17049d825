"""Every count printed in the seed articles and the MobileNet v1 paper, recomputed exactly.

Each :class:`Check` holds the figure *as printed*, the exact value refconv computes, the
counting convention that connects them, and the tolerance used:

``exact``      the source prints an exact integer; it must match digit for digit;
``rounded``    the source prints a rounded figure (``569M``, ``94.86%``); the exact value must
               round to the printed digits (half a unit in the last printed place);
``range``      the source gives a range or says "roughly"; the stated bounds are checked;
``erratum``    the printed figure or claim is contradicted by the exact count; the check
               passes when the contradiction is reproduced (so the errata stay true);
``info``       no printed figure (a derived number shown for reference); always passes.

:func:`run` prints them all and returns the number of failed checks; ``refconv count`` and
``scripts/verify_counts.py`` exit non-zero when it is not 0.

Examples
--------
>>> checks = all_checks()
>>> [c for c in checks if not c.ok]
[]
>>> next(c for c in checks if c.what.startswith("depthwise + pointwise")).exact
53952
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from . import cost, models
from .summary import summary


@dataclass(frozen=True)
class Check:
    """One reproduced figure (see the module docstring for ``tolerance``)."""

    source: str
    what: str
    printed: str
    exact: int | float
    convention: str
    tolerance: str
    ok: bool
    note: str = ""

    def line(self) -> str:
        value = f"{self.exact:,}" if isinstance(self.exact, int) else f"{self.exact:.6g}"
        status = {"erratum": "ERRATUM", "info": "info"}.get(self.tolerance, "ok")
        if not self.ok:
            status = "MISMATCH"
        text = (f"  [{status:8}] {self.what}: printed {self.printed}, exact {value}  "
                f"({self.convention}; {self.tolerance})")
        return text + (f"\n             -> {self.note}" if self.note else "")


def _rounds_to(value: float, printed: float, decimals: int) -> bool:
    return abs(value - printed) <= 0.5 * 10.0**-decimals + 1e-12


def _exact(source, what, printed: int, value: int, convention, note="") -> Check:
    return Check(source, what, f"{printed:,}", value, convention, "exact", value == printed,
                 note)


def _rounded(source, what, printed: str, value: float, scale: float, number: float,
             decimals: int, convention, note="") -> Check:
    ok = _rounds_to(value / scale, number, decimals)
    return Check(source, what, printed, value, convention, "rounded", ok, note)


def _erratum(source, what, printed: str, value, contradicted: bool, convention, note) -> Check:
    return Check(source, what, printed, value, convention, "erratum", contradicted, note)


def _within(source, what, printed: str, value: float, low: float, high: float, convention,
            note="") -> Check:
    return Check(source, what, printed, value, convention, f"range [{low:g}, {high:g}]",
                 low <= value <= high, note)


def _info(source, what, value, convention, note="") -> Check:
    return Check(source, what, "-", value, convention, "info", True, note)


def _conv_products(model, input_shape) -> dict[str, int]:
    """Multiplications of each conv / linear layer type of a model (for Table 2)."""
    shares = {"Conv 1x1": 0, "Conv DW 3x3": 0, "Conv 3x3": 0, "Fully Connected": 0}
    weights = dict.fromkeys(shares, 0)
    for row in summary(model, input_shape).rows:
        key = {"PointwiseConv2d": "Conv 1x1", "DepthwiseConv2d": "Conv DW 3x3",
               "Conv2d": "Conv 3x3", "Linear": "Fully Connected"}.get(row.layer)
        if key:
            shares[key] += row.multiplications
            bias = row.cost.bias_adds if row.layer == "Linear" else 0
            weights[key] += row.params - bias  # weights only: the FC bias left out
    return shares | {f"{k} weights": v for k, v in weights.items()}


def _paper_params(model, input_shape) -> int:
    """Conv and FC weights and biases, no BatchNorm: the paper's parameter count."""
    return sum(r.params for r in summary(model, input_shape).rows
               if r.layer in ("Conv2d", "DepthwiseConv2d", "PointwiseConv2d", "Linear"))


def seed001_checks() -> list[Check]:
    src, conv = "seed 001", "multiplications, no padding, no bias"
    rows = {r.name: r.multiplications for r in cost.compare_convolutions()}
    total = rows["depthwise + pointwise"]
    same = cost.conv2d_cost((3, 12, 12), 256, 5, padding="same", bias=False)
    return [
        _exact(src, "standard 12x12x3 -(5x5x3x256)-> 8x8x256", 1_228_800, rows["standard"],
               conv),
        _exact(src, "depthwise 3 x 5x5x1 kernels, 8x8 moves", 4_800, rows["depthwise"], conv),
        _exact(src, "pointwise 256 x 1x1x3 kernels, 8x8 moves", 49_152, rows["pointwise"], conv),
        _exact(src, "depthwise + pointwise", 53_952, total, conv),
        _erratum(src, "'52952 is much less than 1228800'", "52,952", total, total != 52_952,
                 conv, "typo: the sum printed one sentence earlier is 53,952"),
        _info(src, "standard / separable", round(rows["standard"] / total, 2), conv,
              "22.78x fewer multiplications"),
        _erratum(src, "function diagram '12x12x3 -(5x5x3x256)-> 12x12x256'", "12x12x256",
                 same.multiplications, same.output_shape != (256, 8, 8), conv,
                 "without padding the output is 8x8x256 (the article's own 12 - 5 + 1 = 8); "
                 "a 12x12x256 output needs 'same' padding and 2,764,800 multiplications"),
        _info(src, "standard additions (bias adds one per output)",
              cost.conv2d_cost((3, 12, 12), 256, 5, bias=False).additions,
              "additions, 75 - 1 per output pixel", "with bias: 1,228,800, equal to the products"),
    ]


def seed002_checks() -> list[Check]:
    src, conv = "seed 002", "multiplications, valid padding, no bias"
    dw = cost.depthwise_conv2d_cost((3, 224, 224), 3, bias=False)
    pw = cost.pointwise_conv2d_cost(dw.output_shape, 64, bias=False)
    standard = cost.conv2d_cost((3, 224, 224), 64, 3, bias=False)
    m, n, k, d_out, d_in = 3, 64, 3, 222, 224
    big_m, small_n = 256, 1
    ratio = cost.reduction_formula(small_n, k)
    net = summary(models.example_net(), (3, 224, 224))
    return [
        _exact(src, "224x224x3, 3x3 depthwise -> 222x222 maps", 222, dw.output_shape[1],
               "output size 224 - 3 + 1"),
        _info(src, "depthwise 224x224x3 -> 222x222x3", dw.multiplications, conv),
        _info(src, "pointwise 222x222x3 -> 222x222x64", pw.multiplications, conv),
        _info(src, "standard 3x3 conv 3 -> 64 for comparison", standard.multiplications, conv),
        _exact(src, "formula D_F^2 M (D_K^2 + N) with D_F = output size 222",
               d_out**2 * m * (k * k + n), dw.multiplications + pw.multiplications, conv),
        _erratum(src, "formula with D_F = input size 224 (as the article defines D_F)",
                 f"{d_in**2 * m * (k * k + n):,}", dw.multiplications + pw.multiplications,
                 d_in**2 * m * (k * k + n) != dw.multiplications + pw.multiplications, conv,
                 "D_F must be the output size; with valid padding 224 over-counts by 2.7%"),
        _erratum(src, "'big saving when N is much smaller than M'", "ratio < 1",
                 round(ratio, 4), ratio > 1, f"separable / standard = 1/N + 1/K^2, M={big_m}, "
                 f"N={small_n}, K={k}",
                 "M cancels; the saving grows with N. With N=1 separable costs 11% MORE"),
        _info(src, "ExampleNet parameters (PyTorch)", net.total_params, "weights + biases"),
        _info(src, "ExampleNet multiplications at 224x224", net.total_multiplications,
              "exact, padding 1"),
    ]


def seed003_checks() -> list[Check]:
    src = "seed 003"
    conv = "ptflops: conv products + bias, BN 2/elem, ReLU 1/elem; input 3x416x416; conv1+block"
    printed = {
        "standard": ("258.55M", 258.55, "5.93k", 5.93),
        "depthwise_separable": ("69.57M", 69.57, "1.56K", 1.56),
        "spatially_separable": ("186.9M", 186.9, "4.25K", 4.25),
    }
    checks = []
    for variant, (mac_text, macs, param_text, params) in printed.items():
        s = summary(models.param_net(variant), (3, 416, 416), macs="ptflops")
        checks.append(_rounded(src, f"{variant} MACs", mac_text, s.total_macs, 1e6, macs, 2,
                               conv))
        checks.append(_rounded(src, f"{variant} params", param_text, s.total_params, 1e3, params,
                               2, "PyTorch parameters(), conv1 + block"))
    thop = summary(models.param_net("standard"), (3, 416, 416), macs="thop").total_macs
    checks.append(_info(src, "standard, counted the current thop way", thop,
                        "thop: conv products, BN 4/elem, ReLU 0",
                        "260.62M: not the printed figure, so the seed used ptflops-like rules"))
    return checks


def seed004_checks() -> list[Check]:
    src, conv = "seed 004", "Keras count_params (BN 4 per channel)"
    std = summary(models.standard_cnn(), (3, 32, 32), params="keras")
    sep = summary(models.separable_cnn(), (3, 32, 32), params="keras")

    def conv_params(s):
        return sum(r.params for r in s.rows if "conv" in r.name)

    std_conv, sep_conv = conv_params(std), conv_params(sep)
    whole = std.total_params / sep.total_params
    layers = std_conv / sep_conv
    std_macs = summary(models.standard_cnn(), (3, 32, 32)).total_macs
    sep_macs = summary(models.separable_cnn(), (3, 32, 32)).total_macs
    k, n = 3, 128
    ops_ratio = 0.0  # set below
    last_std = cost.conv2d_cost((64, 8, 8), 128, 3, padding="same", bias=False)
    last_sep = cost.separable_conv2d_cost((64, 8, 8), 128, 3, padding="same", bias=False)
    last_sep_b = cost.separable_conv2d_cost((64, 8, 8), 128, 3, padding="same")
    last_std_b = cost.conv2d_cost((64, 8, 8), 128, 3, padding="same")
    ops_ratio = ((last_sep_b.multiplications + last_sep_b.additions)
                 / (last_std_b.multiplications + last_std_b.additions))
    return [
        # Keras: conv 896 + 18,496 + 73,856; BN 128 + 256 + 512; dense 262,272 + 1,290.
        _exact(src, "StandardCNN count_params()", 357_706, std.total_params, conv),
        # Keras: separable 155 + 2,400 + 8,896; BN and dense as above.
        _exact(src, "SeparableCNN count_params()", 275_909, sep.total_params, conv),
        _info(src, "non-trainable (BN moving mean / variance)", std.non_trainable_params, conv),
        _within(src, "conv layers only: standard / separable params", "8-9x", round(layers, 2),
                8, 9, conv, f"{std_conv:,} / {sep_conv:,} = {layers:.2f}x"),
        _erratum(src, "whole model: 'about 8-9x fewer parameters'", "8-9x", round(whole, 2),
                 whole < 8, conv, f"{std.total_params:,} / {sep.total_params:,} = {whole:.2f}x: "
                 "the Dense(128) layer (262,272 params) is untouched and dominates"),
        _within(src, "1/N + 1/K^2 for K=3, N=128 ('about 8-9x')", "8-9x",
                round(1 / cost.reduction_formula(n, k), 2), 8, 9, "reduction factor"),
        Check(src, "last conv 64->128 at 8x8: separable / standard multiplications",
              f"1/N + 1/K^2 = {cost.reduction_formula(n, k):.5f}",
              last_sep.multiplications / last_std.multiplications,
              "multiplications without bias", "exact",
              abs(last_sep.multiplications / last_std.multiplications
                  - cost.reduction_formula(n, k)) < 1e-12,
              "the output pixel count cancels: the formula is exact for products"),
        _info(src, "same, counting additions and biases", round(ops_ratio, 5),
              "(mults + adds) with bias", "the formula is exact only for products"),
        _info(src, "whole-model MACs standard / separable", round(std_macs / sep_macs, 2),
              "conv + dense products", f"{std_macs:,} / {sep_macs:,}"),
    ]


def spatial_checks() -> list[Check]:
    src = "seeds 000/002/003"
    conv = "multiplications, one channel, no bias"
    valid = cost.spatial_separable_conv2d_cost((1, 12, 12), 1, 5, bias=False)
    same = cost.spatial_separable_conv2d_cost((1, 12, 12), 1, 5, padding="same", bias=False)
    same_eff = cost.spatial_separable_conv2d_cost((1, 12, 12), 1, 5, padding="same", bias=False,
                                                  effective=True)
    block = summary(models.spatial_block(), (3, 32, 32), params="keras")
    standard = cost.conv2d_cost((3, 32, 32), 64, 3, padding="same", bias=False)
    same3 = cost.spatial_separable_conv2d_cost((1, 12, 12), 1, 3, padding="same", bias=False)
    one_window = cost.spatial_separable_conv2d_cost((1, 3, 3), 1, 3, bias=False)
    return [
        _exact(src, "3x3 kernel as 3x1 + 1x3: '6 products instead of 9' per output", 6,
               same3.multiplications // 144, conv + ", 12x12 'same', padded zeros counted"),
        _info(src, "one 3x3 window (3x3 input, valid): 3x1 then 1x3", one_window.multiplications,
              conv, "12, not 6: the 3x1 pass must produce all 3 columns the 1x3 pass reads"),
        _erratum(src, "'2K per output pixel', 12x12 input, 5x5, valid", f"{2 * 5 * 64:,}",
                 valid.multiplications, valid.multiplications != 2 * 5 * 64, conv,
                 "the 5x1 pass keeps the full width: 8x12x5 + 8x8x5 = 800 = 12.5 per output"),
        _exact(src, "'2K per output pixel', 12x12 input, 5x5, same", 2 * 5 * 144,
               same.multiplications, conv + ", padded zeros counted"),
        _info(src, "same, skipping padded zeros", same_eff.multiplications,
              "effective multiplications"),
        _erratum(src, "seed 000 'HxWxCxKx2F, nearly half of HxWxCxKxFxF'",
                 f"{32 * 32 * 3 * 64 * 2 * 3:,}", block.total_macs,
                 block.total_macs > standard.multiplications,
                 "Keras block on 32x32x3, 64 filters, K=3, same",
                 f"the (3,1) conv maps 64 -> 64 channels: {block.total_macs:,} products, 7.44x "
                 f"MORE than one 3x3 conv 3 -> 64 ({standard.multiplications:,})"),
        _info(src, "seed 000 block count_params()", block.total_params,
              "Keras (BN 4 per channel)", "vs 1,728 for the 3x3 conv it replaces"),
    ]


def mobilenet_checks() -> list[Check]:
    src = "MobileNet v1"
    net = models.mobilenet_v1()
    s = summary(net, (3, 224, 224))
    macs = s.total_macs
    conv = "Mult-Adds: conv + FC products (BN, ReLU, pool, bias ignored)"
    paper_params = _paper_params(net, (3, 224, 224))
    checks = [
        _rounded(src, "1.0 MobileNet-224 Mult-Adds", "569M", macs, 1e6, 569, 0, conv),
        _rounded(src, "1.0 MobileNet-224 parameters", "4.2M", paper_params, 1e6, 4.2, 1,
                 "conv + FC weights and biases, no BN"),
        _info(src, "parameters with BN (PyTorch / Keras)", s.total_params,
              "PyTorch parameters()",
              f"Keras count_params(): "
              f"{summary(net, (3, 224, 224), params='keras').total_params:,}"),
    ]
    parts = _conv_products(net, (3, 224, 224))
    weights_total = sum(v for key, v in parts.items() if key.endswith("weights"))
    table2 = {"Conv 1x1": (94.86, 74.59), "Conv DW 3x3": (3.06, 1.06),
              "Conv 3x3": (1.19, 0.02), "Fully Connected": (0.18, 24.33)}
    t2 = "Table 2"
    for name, (mult_share, param_share) in table2.items():
        share = 100 * parts[name] / macs
        if name == "Conv 3x3":
            checks.append(_erratum(f"{src} {t2}", f"{name} share of Mult-Adds", "1.19%",
                                   round(share, 2), not _rounds_to(share, 1.19, 2), conv,
                                   "exact 1.91% (10,838,016 / 568,740,352): digits swapped; the "
                                   "printed column sums to 99.29%, with 1.91% to 100.01%"))
        else:
            checks.append(_rounded(f"{src} {t2}", f"{name} share of Mult-Adds",
                                   f"{mult_share}%", round(share, 4), 1, mult_share, 2, conv))
        pshare = 100 * parts[f"{name} weights"] / weights_total
        checks.append(_rounded(f"{src} {t2}", f"{name} share of parameters", f"{param_share}%",
                               round(pshare, 4), 1, param_share, 2,
                               "conv + FC weights, FC bias excluded"))
    fc_bias_share = 100 * (parts["Conv 1x1 weights"]) / (weights_total + 1000)
    checks.append(_info(f"{src} {t2}", "Conv 1x1 parameter share if the FC bias is included",
                        round(fc_bias_share, 2), "conv + FC weights and biases",
                        "74.57% and FC 24.35%: the printed 74.59 / 24.33 leave the bias out"))
    literal = summary(models.mobilenet_v1(last_depthwise_stride=2), (3, 224, 224))
    last_map = next(r.output_shape for r in literal.rows if r.name == "conv_dw_13")
    checks.append(_erratum(f"{src} Table 1", "13th 'Conv dw / s2' read literally", "569M",
                           literal.total_macs, not _rounds_to(literal.total_macs / 1e6, 569, 0),
                           conv, f"stride 2 turns the 7x7 map into "
                           f"{last_map[1]}x{last_map[2]} and gives 533.8M; the table's own next "
                           "row says 7x7, so it is stride 1"))
    table6 = {0.75: ("325", 325, "2.6", 2.6), 0.5: ("149", 149, "1.3", 1.3),
              0.25: ("41", 41, "0.5", 0.5)}
    for alpha, (m_text, m_val, p_text, p_val) in table6.items():
        model = models.mobilenet_v1(alpha)
        a_macs = summary(model, (3, 224, 224)).total_macs
        a_params = _paper_params(model, (3, 224, 224))
        checks.append(_rounded(f"{src} Table 6", f"{alpha} MobileNet-224 Mult-Adds",
                               f"{m_text}M", a_macs, 1e6, m_val, 0, conv))
        checks.append(_rounded(f"{src} Table 6", f"{alpha} MobileNet-224 parameters",
                               f"{p_text}M", a_params, 1e6, p_val, 1, "conv + FC, no BN"))
        ratio = a_macs / macs
        checks.append(_within(f"{src} 3.3", f"alpha={alpha}: Mult-Adds ratio vs alpha^2",
                              f"~{alpha**2:g}", round(ratio, 4), 0.8 * alpha**2, 1.2 * alpha**2,
                              conv, "'roughly alpha^2' taken as within 20% (the FC layer and "
                              "the first conv scale only by alpha)"))
        p_ratio = a_params / paper_params
        checks.append(_erratum(f"{src} 3.3", f"alpha={alpha}: parameter ratio vs alpha^2",
                               f"~{alpha**2:g}", round(p_ratio, 4), abs(p_ratio / alpha**2 - 1)
                               > 0.05, "conv + FC, no BN",
                               f"{p_ratio / alpha**2:.2f}x alpha^2: the 1000-class FC layer "
                               "shrinks only linearly in alpha") if alpha < 1 else None)
    table7 = {192: ("418", 418), 160: ("290", 290), 128: ("186", 186)}
    for res, (text, value) in table7.items():
        r_macs = summary(net, (3, res, res)).total_macs
        if res == 160:
            checks.append(_erratum(f"{src} Table 7", f"1.0 MobileNet-{res} Mult-Adds",
                                   f"{text}M", r_macs, not _rounds_to(r_macs / 1e6, value, 0),
                                   conv, "exact 290.68M rounds to 291M; the table truncates"))
        else:
            checks.append(_rounded(f"{src} Table 7", f"1.0 MobileNet-{res} Mult-Adds",
                                   f"{text}M", r_macs, 1e6, value, 0, conv))
        rho2 = (res / 224) ** 2
        checks.append(_within(f"{src} 3.4", f"rho={res}/224: Mult-Adds ratio vs rho^2",
                              f"~{rho2:.4f}", round(r_macs / macs, 4), 0.99 * rho2, 1.01 * rho2,
                              conv, "within 1% (only the FC layer does not scale with rho^2)"))
    return [c for c in checks if c is not None]


SECTIONS: dict[str, Callable[[], list[Check]]] = {
    "Seed 001: 12x12x3 image, 5x5 kernels, 256 outputs": seed001_checks,
    "Seed 002: 224x224x3 walk-through and complexity formulas": seed002_checks,
    "Seed 003: profiler table of Param (conv1 + each block)": seed003_checks,
    "Seed 004: StandardCNN vs SeparableCNN (Keras)": seed004_checks,
    "Spatially separable convolutions": spatial_checks,
    "MobileNet v1 (Howard et al. 2017)": mobilenet_checks,
}


def all_checks() -> list[Check]:
    """Every check of every section, in order."""
    return [check for make in SECTIONS.values() for check in make()]


def run(stream: TextIO | None = None) -> int:
    """Print every check, section by section; return the number of failures (0 = all good)."""
    out = stream if stream is not None else sys.stdout
    failures = errata = total = 0
    for title, make in SECTIONS.items():
        print(title, file=out)
        for check in make():
            print(check.line(), file=out)
            total += 1
            failures += not check.ok
            errata += check.tolerance == "erratum"
        print(file=out)
    print(f"{total} figures checked, {errata} errata reproduced, {failures} mismatches.",
          file=out)
    return failures
