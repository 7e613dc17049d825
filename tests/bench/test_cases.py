"""The benchmark cases' closed-form counts: worked by hand, and against refconv.counting."""

from __future__ import annotations

import pytest

from refconv import counting
from refconv.bench.cases import (
    CASES,
    CASES_BY_NAME,
    Case,
    flops,
    intensity,
    min_bytes,
    multiplications,
    select_cases,
)

# Tiny shapes of every family (odd kernels, strides 1 and 2, "same" and valid padding).
TINY = [
    Case("t_std", "tiny standard", "standard", 3, 4, 9, 3, 1, 1),
    Case("t_std_s2", "tiny standard s2 valid", "standard", 2, 3, 10, 5, 2, 0),
    Case("t_dw", "tiny depthwise", "depthwise", 4, 4, 8, 3, 1, 1),
    Case("t_dw_s2", "tiny depthwise s2", "depthwise", 3, 3, 9, 3, 2, 1),
    Case("t_pw", "tiny pointwise", "pointwise", 3, 5, 6, 1),
    Case("t_sep", "tiny separable", "separable", 3, 4, 9, 3, 1, 1),
    Case("t_sp", "tiny spatial", "spatial", 3, 4, 9, 3, 1, 1),
    Case("t_sp_s2", "tiny spatial s2", "spatial", 2, 3, 11, 5, 2, 2),
]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("seed_standard", 8 * 8 * 256 * 3 * 5 * 5),  # 1,228,800: the TDS introduction's headline
        ("seed_separable", 8 * 8 * 3 * 5 * 5 + 8 * 8 * 3 * 256),  # 4,800 + 49,152 = 53,952
        ("std_64_64", 56 * 56 * 64 * 64 * 9),  # 115,605,504
        ("std_64_128", 56 * 56 * 128 * 64 * 9),
        ("dw_64", 56 * 56 * 64 * 9),  # 1,806,336
        ("dw_256", 28 * 28 * 256 * 9),
        ("dw_s2_128", 56 * 56 * 128 * 9),  # the output is 56², not 112²
        ("pw_64_128", 56 * 56 * 64 * 128),
        ("sep_64_128", 56 * 56 * 64 * 9 + 56 * 56 * 64 * 128),
        ("spatial_64_64", 2 * 56 * 56 * 64 * 64 * 3),  # 3x1 (64 -> 64) then 1x3 (64 -> 64)
    ],
)
def test_multiplications_of_the_table(name, expected):
    assert multiplications(CASES_BY_NAME[name], batch=1) == expected
    assert multiplications(CASES_BY_NAME[name], batch=8) == 8 * expected
    assert flops(CASES_BY_NAME[name], batch=8) == 16 * expected


def test_tds_numbers_as_integers():
    assert multiplications(CASES_BY_NAME["seed_standard"]) == 1_228_800
    assert multiplications(CASES_BY_NAME["seed_separable"]) == 53_952


def test_min_bytes_by_hand():
    # pointwise 3 -> 5 on 6x6: reads 3*36 inputs and 15 weights, writes 5*36 outputs.
    assert min_bytes(TINY[4], batch=1) == 4 * (3 * 36 + 15 + 5 * 36)
    # depthwise 3x3, 4 channels, 8x8, pad 1: 4*64 in, 4*9 weights, 4*64 out.
    assert min_bytes(TINY[2], batch=2) == 4 * (2 * 4 * 64 + 36 + 2 * 4 * 64)
    # separable: the 4x9x9 intermediate is written by the depthwise pass and read back.
    dw, pw = 3 * 81 + 27 + 3 * 81, 3 * 81 + 12 + 4 * 81
    assert min_bytes(TINY[5], batch=1) == 4 * (dw + pw)
    assert intensity(TINY[5]) == pytest.approx(2 * multiplications(TINY[5]) / (4 * (dw + pw)))


def _cost_of(case: Case):
    """The same case counted by :mod:`refconv.counting` (an independent implementation)."""
    shape = (case.c_in, case.size, case.size)
    k, s, p, o = case.kernel, case.stride, case.padding, case.c_out
    if case.family == "standard":
        return counting.conv2d_cost(shape, o, k, s, p, bias=False)
    if case.family == "depthwise":
        return counting.depthwise_conv2d_cost(shape, k, 1, s, p, bias=False)
    if case.family == "pointwise":
        return counting.pointwise_conv2d_cost(shape, o, bias=False)
    if case.family == "separable":
        return counting.separable_conv2d_cost(shape, o, k, 1, s, p, bias=False)
    return counting.spatial_separable_conv2d_cost(shape, o, k, None, s, p, bias=False)


@pytest.mark.parametrize("case", [*CASES, *TINY], ids=lambda case: case.name)
def test_counts_agree_with_refconv_cost(case):
    assert multiplications(case) == _cost_of(case).multiplications


def test_output_sizes():
    assert CASES_BY_NAME["dw_s2_128"].out_size() == 56
    assert CASES_BY_NAME["seed_standard"].out_size() == 8
    assert CASES_BY_NAME["std_64_64"].out_size() == 56


def test_select_cases():
    assert select_cases(None) == list(CASES)
    assert select_cases(["dw_64", "std_64_64"]) == [
        CASES_BY_NAME["dw_64"],
        CASES_BY_NAME["std_64_64"],
    ]
    with pytest.raises(ValueError, match="nope"):
        select_cases(["std_64_64", "nope"])
