"""What the MobileNet v1 paper prints (Howard et al. 2017), recomputed.

The paper's Mult-Adds are the multiply-accumulates of the convolutions and the fully
connected layer (BatchNorm, ReLU, pooling and biases left out); its parameters are the conv
and FC weights and biases, without BatchNorm.

>>> paper_params(models.mobilenet_v1(), (3, 224, 224))
4210088
"""

from __future__ import annotations

from .. import models, nn
from ..counting import Shape, summary
from .check import Check, erratum, info, rounded, rounds_to, within


def conv_products(model: nn.Module, input_shape: Shape) -> dict[str, int]:
    """Multiplications of each conv / linear layer type of a model (for Table 2)."""
    shares = {"Conv 1x1": 0, "Conv DW 3x3": 0, "Conv 3x3": 0, "Fully Connected": 0}
    weights = dict.fromkeys(shares, 0)
    for row in summary(model, input_shape).rows:
        key = {
            "PointwiseConv2d": "Conv 1x1",
            "DepthwiseConv2d": "Conv DW 3x3",
            "Conv2d": "Conv 3x3",
            "Linear": "Fully Connected",
        }.get(row.layer)
        if key:
            shares[key] += row.multiplications
            bias = row.cost.bias_adds if row.layer == "Linear" else 0
            weights[key] += row.params - bias  # weights only: the FC bias left out
    return shares | {f"{k} weights": v for k, v in weights.items()}


def paper_params(model: nn.Module, input_shape: Shape) -> int:
    """Conv and FC weights and biases, no BatchNorm: the paper's parameter count."""
    return sum(
        r.params
        for r in summary(model, input_shape).rows
        if r.layer in ("Conv2d", "DepthwiseConv2d", "PointwiseConv2d", "Linear")
    )


def mobilenet_checks() -> list[Check]:
    """The MobileNet v1 paper: Mult-Adds and parameters of Tables 1, 2, 6 and 7."""
    src = "MobileNet v1"
    net = models.mobilenet_v1()
    s = summary(net, (3, 224, 224))
    macs = s.total_macs
    conv = "Mult-Adds: conv + FC products (BN, ReLU, pool, bias ignored)"
    net_params = paper_params(net, (3, 224, 224))
    checks = [
        rounded(src, "1.0 MobileNet-224 Mult-Adds", "569M", macs, 1e6, 569, 0, conv),
        rounded(
            src,
            "1.0 MobileNet-224 parameters",
            "4.2M",
            net_params,
            1e6,
            4.2,
            1,
            "conv + FC weights and biases, no BN",
        ),
        info(
            src,
            "parameters with BN (PyTorch / Keras)",
            s.total_params,
            "PyTorch parameters()",
            f"Keras count_params(): {summary(net, (3, 224, 224), params='keras').total_params:,}",
        ),
    ]
    parts = conv_products(net, (3, 224, 224))
    weights_total = sum(v for key, v in parts.items() if key.endswith("weights"))
    table2 = {
        "Conv 1x1": (94.86, 74.59),
        "Conv DW 3x3": (3.06, 1.06),
        "Conv 3x3": (1.19, 0.02),
        "Fully Connected": (0.18, 24.33),
    }
    t2 = "Table 2"
    for name, (mult_share, param_share) in table2.items():
        share = 100 * parts[name] / macs
        if name == "Conv 3x3":
            checks.append(
                erratum(
                    f"{src} {t2}",
                    f"{name} share of Mult-Adds",
                    "1.19%",
                    round(share, 2),
                    not rounds_to(share, 1.19, 2),
                    conv,
                    "exact 1.91% (10,838,016 / 568,740,352): digits swapped; the "
                    "printed column sums to 99.29%, with 1.91% to 100.01%",
                )
            )
        else:
            checks.append(
                rounded(
                    f"{src} {t2}",
                    f"{name} share of Mult-Adds",
                    f"{mult_share}%",
                    round(share, 4),
                    1,
                    mult_share,
                    2,
                    conv,
                )
            )
        pshare = 100 * parts[f"{name} weights"] / weights_total
        checks.append(
            rounded(
                f"{src} {t2}",
                f"{name} share of parameters",
                f"{param_share}%",
                round(pshare, 4),
                1,
                param_share,
                2,
                "conv + FC weights, FC bias excluded",
            )
        )
    fc_bias_share = 100 * (parts["Conv 1x1 weights"]) / (weights_total + 1000)
    checks.append(
        info(
            f"{src} {t2}",
            "Conv 1x1 parameter share if the FC bias is included",
            round(fc_bias_share, 2),
            "conv + FC weights and biases",
            "74.57% and FC 24.35%: the printed 74.59 / 24.33 leave the bias out",
        )
    )
    literal = summary(models.mobilenet_v1(last_depthwise_stride=2), (3, 224, 224))
    last_map = next(r.output_shape for r in literal.rows if r.name == "conv_dw_13")
    checks.append(
        erratum(
            f"{src} Table 1",
            "13th 'Conv dw / s2' read literally",
            "569M",
            literal.total_macs,
            not rounds_to(literal.total_macs / 1e6, 569, 0),
            conv,
            f"stride 2 turns the 7x7 map into "
            f"{last_map[1]}x{last_map[2]} and gives 533.8M; the table's own next "
            "row says 7x7, so it is stride 1",
        )
    )
    table6 = {
        0.75: ("325", 325, "2.6", 2.6),
        0.5: ("149", 149, "1.3", 1.3),
        0.25: ("41", 41, "0.5", 0.5),
    }
    for alpha, (m_text, m_val, p_text, p_val) in table6.items():
        model = models.mobilenet_v1(alpha)
        a_macs = summary(model, (3, 224, 224)).total_macs
        a_params = paper_params(model, (3, 224, 224))
        checks.append(
            rounded(
                f"{src} Table 6",
                f"{alpha} MobileNet-224 Mult-Adds",
                f"{m_text}M",
                a_macs,
                1e6,
                m_val,
                0,
                conv,
            )
        )
        checks.append(
            rounded(
                f"{src} Table 6",
                f"{alpha} MobileNet-224 parameters",
                f"{p_text}M",
                a_params,
                1e6,
                p_val,
                1,
                "conv + FC, no BN",
            )
        )
        ratio = a_macs / macs
        checks.append(
            within(
                f"{src} 3.3",
                f"alpha={alpha}: Mult-Adds ratio vs alpha^2",
                f"~{alpha**2:g}",
                round(ratio, 4),
                0.8 * alpha**2,
                1.2 * alpha**2,
                conv,
                "'roughly alpha^2' taken as within 20% (the FC layer and "
                "the first conv scale only by alpha)",
            )
        )
        p_ratio = a_params / net_params
        if alpha < 1:
            checks.append(
                erratum(
                    f"{src} 3.3",
                    f"alpha={alpha}: parameter ratio vs alpha^2",
                    f"~{alpha**2:g}",
                    round(p_ratio, 4),
                    abs(p_ratio / alpha**2 - 1) > 0.05,
                    "conv + FC, no BN",
                    f"{p_ratio / alpha**2:.2f}x alpha^2: the 1000-class FC layer "
                    "shrinks only linearly in alpha",
                )
            )
    table7 = {192: ("418", 418), 160: ("290", 290), 128: ("186", 186)}
    for res, (text, value) in table7.items():
        r_macs = summary(net, (3, res, res)).total_macs
        if res == 160:
            checks.append(
                erratum(
                    f"{src} Table 7",
                    f"1.0 MobileNet-{res} Mult-Adds",
                    f"{text}M",
                    r_macs,
                    not rounds_to(r_macs / 1e6, value, 0),
                    conv,
                    "exact 290.68M rounds to 291M; the table truncates",
                )
            )
        else:
            checks.append(
                rounded(
                    f"{src} Table 7",
                    f"1.0 MobileNet-{res} Mult-Adds",
                    f"{text}M",
                    r_macs,
                    1e6,
                    value,
                    0,
                    conv,
                )
            )
        rho2 = (res / 224) ** 2
        checks.append(
            within(
                f"{src} 3.4",
                f"rho={res}/224: Mult-Adds ratio vs rho^2",
                f"~{rho2:.4f}",
                round(r_macs / macs, 4),
                0.99 * rho2,
                1.01 * rho2,
                conv,
                "within 1% (only the FC layer does not scale with rho^2)",
            )
        )
    return checks
