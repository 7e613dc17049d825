"""Closed-form counts: hand-worked cases, checked exactly."""

import pytest

from refconv import counting


def test_tds_headline_numbers():
    standard = counting.conv2d_cost((3, 12, 12), 256, 5, bias=False)
    dw = counting.depthwise_conv2d_cost((3, 12, 12), 5, bias=False)
    pw = counting.pointwise_conv2d_cost(dw.output_shape, 256, bias=False)
    assert standard.output_shape == (256, 8, 8)
    assert (standard.multiplications, dw.multiplications, pw.multiplications) == (
        1_228_800,
        4_800,
        49_152,
    )
    assert counting.tds_headline() == [
        ("standard", 1_228_800),
        ("depthwise", 4_800),
        ("pointwise", 49_152),
        ("depthwise + pointwise", 53_952),
    ]


def test_conv_additions_per_output_pixel():
    # 2x3 kernel over 2 input channels: 12 products, 11 sums, +1 with bias
    no_bias = counting.conv2d_cost((2, 4, 5), 3, (2, 3), bias=False)
    with_bias = counting.conv2d_cost((2, 4, 5), 3, (2, 3), bias=True)
    pixels = 3 * 3 * 3  # C_out * H_out * W_out
    assert no_bias.multiplications == pixels * 12
    assert no_bias.additions == pixels * 11
    assert with_bias.additions == pixels * 12
    assert with_bias.params == 3 * 2 * 6 + 3
    assert with_bias.bias_adds == pixels


def test_groups_stride_dilation_padding():
    c = counting.conv2d_cost((4, 9, 9), 6, 3, stride=2, padding=2, dilation=2, groups=2)
    # H_out = (9 + 4 - 4 - 1) // 2 + 1 = 5; Cg = 2
    assert c.output_shape == (6, 5, 5)
    assert c.multiplications == 6 * 25 * 2 * 9
    assert c.additions == 6 * 25 * (2 * 9 - 1 + 1)
    assert c.params == 6 * 2 * 9 + 6


def test_same_padding_with_stride_follows_tensorflow():
    c = counting.conv2d_cost((1, 7, 7), 1, 3, stride=2, padding="same", bias=False)
    assert c.output_shape == (1, 4, 4)


def test_effective_skips_padded_zeros():
    # 3x3 input, 3x3 kernel, padding 1: windows see 4, 6, 4 / 6, 9, 6 / 4, 6, 4 real pixels
    exact = counting.conv2d_cost((1, 3, 3), 1, 3, padding=1, bias=False)
    effective = counting.conv2d_cost((1, 3, 3), 1, 3, padding=1, bias=False, effective=True)
    assert exact.multiplications == 81
    assert effective.multiplications == 49
    assert effective.additions == 49 - 9


def test_effective_window_entirely_in_padding_costs_only_its_bias():
    # 1x1 kernel, padding 1 on a 1x1 input: 9 outputs, only the centre sees a real pixel
    c = counting.conv2d_cost((1, 1, 1), 1, 1, padding=1, bias=True, effective=True)
    assert (c.multiplications, c.additions) == (1, 9)


def test_effective_equals_exact_for_non_zero_padding_modes():
    for mode in ("reflect", "replicate", "circular"):
        a = counting.conv2d_cost((1, 5, 5), 1, 3, padding=1, padding_mode=mode, effective=True)
        assert a.multiplications == 5 * 5 * 9


def test_depth_multiplier():
    c = counting.depthwise_conv2d_cost((3, 12, 12), 5, depth_multiplier=2, bias=True)
    assert c.output_shape == (6, 8, 8)
    assert c.multiplications == 6 * 64 * 25
    assert c.params == 6 * 25 + 6


def test_separable_is_depthwise_plus_pointwise_with_one_bias():
    c = counting.separable_conv2d_cost((3, 32, 32), 32, 3, padding="same")
    assert c.params == 27 + 96 + 32  # Keras SeparableConv2D
    (name1, dw), (name2, pw) = c.parts
    assert (name1, name2) == ("depthwise", "pointwise")
    assert dw.bias_adds == 0 and pw.bias_adds == 32 * 32 * 32
    assert c.multiplications == dw.multiplications + pw.multiplications


def test_spatial_separable_valid_is_more_than_2k_per_output():
    valid = counting.spatial_separable_conv2d_cost((1, 12, 12), 1, 5, bias=False)
    assert valid.parts[0][1].output_shape == (1, 8, 12)  # the wider intermediate
    assert valid.multiplications == 8 * 12 * 5 + 8 * 8 * 5 == 800
    same = counting.spatial_separable_conv2d_cost((1, 12, 12), 1, 5, padding="same", bias=False)
    assert same.multiplications == 2 * 5 * 144


def test_spatial_separable_intermediate_channels_and_groups():
    c = counting.spatial_separable_conv2d_cost(
        (4, 6, 6), 8, 3, intermediate_channels=4, groups=4, bias=False
    )
    # column (4, 1, 3, 1): 4 * 4 * 6 * 3; row (8, 1, 1, 3): 8 * 4 * 4 * 3
    assert c.multiplications == 4 * 4 * 6 * 3 + 8 * 4 * 4 * 3
    assert c.params == 4 * 3 + 8 * 3


def test_other_ops():
    bn = counting.batch_norm2d_cost((8, 4, 4))
    assert (bn.multiplications, bn.additions, bn.params, bn.buffers) == (128, 128, 16, 16)
    assert counting.relu_cost((8, 4, 4)).comparisons == 128
    mp = counting.max_pool2d_cost((8, 5, 5), 2)
    assert mp.output_shape == (8, 2, 2) and mp.comparisons == 8 * 4 * 3
    ap = counting.avg_pool2d_cost((8, 4, 4), 3, stride=1, padding=1)
    assert ap.output_shape == (8, 4, 4) and ap.additions == 128 * 8
    assert ap.multiplications == 128
    fc = counting.linear_cost(10, 3, bias=False)
    assert (fc.multiplications, fc.additions, fc.params) == (30, 27, 30)
    assert counting.global_avg_pool2d_cost((5, 3, 3)).additions == 5 * 8


def test_reduction_formula_is_exact_for_products():
    for n, k in [(128, 3), (256, 5), (7, 1)]:
        std = counting.conv2d_cost((16, 10, 10), n, k, padding="same", bias=False)
        sep = counting.separable_conv2d_cost((16, 10, 10), n, k, padding="same", bias=False)
        assert sep.multiplications / std.multiplications == pytest.approx(
            counting.reduction_formula(n, k), rel=1e-12
        )


def test_opcount_sum_and_flops():
    a = counting.conv2d_cost((3, 8, 8), 4, 3, bias=False)
    b = counting.relu_cost(a.output_shape)
    total = a + b
    assert total.multiplications == a.multiplications
    assert total.comparisons == b.comparisons
    assert total.output_shape == (4, 6, 6)
    assert a.flops == 2 * a.macs == 2 * a.multiplications


@pytest.mark.parametrize("bad", [(3, 12), (0, 4, 4), (3, 4, 4, 1)])
def test_bad_input_shape_is_a_value_error(bad):
    with pytest.raises(ValueError, match="input_shape must be"):
        counting.conv2d_cost(bad, 4, 3)


def test_kernel_larger_than_input_names_the_fix():
    with pytest.raises(ValueError, match="kernel is larger than the padded input"):
        counting.conv2d_cost((1, 3, 3), 1, 5)


# Regression (issue 13): the pooling rule lives in one function that the layers, these closed
# forms and the counted loops share, so all three refuse the same arguments the same way.
def test_pool_padding_rule_is_pytorchs():
    assert counting.pool2d_arguments((3, 2), 1, (1, 1)) == ((3, 2), (1, 1), (1, 1), (1, 1))
    assert counting.max_pool2d_cost((1, 4, 4), 3, 1, 1, dilation=2).output_shape == (1, 2, 2)
    with pytest.raises(
        ValueError,
        match=r"^MaxPool2d: padding must be at most kernel_size // 2 "
        r"= \(1, 1\) on each axis.*got padding=3",
    ):
        counting.max_pool2d_cost((1, 8, 8), 2, padding=3)
    with pytest.raises(ValueError, match=r"^AvgPool2d: .*= \(1, 0\).*got padding=\(1, 1\)"):
        counting.avg_pool2d_cost((1, 8, 8), (3, 1), padding=(1, 1))


def test_pool_window_that_does_not_fit_names_op_shape_and_window():
    # kernel 3 dilated by 3 spans 7 rows; 5 rows + 2 padding fit it, 4 + 2 do not
    assert counting.max_pool2d_cost((2, 5, 6), (3, 2), padding=1, dilation=3).output_shape == (
        2,
        1,
        3,
    )
    with pytest.raises(ValueError) as info:
        counting.max_pool2d_cost((2, 4, 6), (3, 2), padding=1, dilation=3)
    assert str(info.value) == (
        "MaxPool2d(kernel_size=(3, 2), stride=(3, 2), padding=(1, 1), dilation=(3, 3)) on input "
        "shape (2, 4, 6): the 7x4 pooling window does not fit the padded input 6x8. Use a "
        "smaller kernel_size or dilation, more padding (at most kernel_size // 2) or a larger "
        "input."
    )
