"""The articles' PyTorch listings as printed, to be run under PyTorch (2.13.0 was used).

refconv does not need PyTorch; ``tests/test_errata.py`` runs these listings when PyTorch is
installed and checks that they print what the errata pages say they print.
"""

from __future__ import annotations

from .text import code

#: The article's class and example, as printed (indentation restored).
SPATIAL_CLASS = code("""
    import torch
    import torch.nn as nn
    class SpatiallySeparableConv2d(nn.Module):
        def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0):
            super(SpatiallySeparableConv2d, self).__init__()
            # 检查卷积核大小是否为奇数
            assert kernel_size % 2 == 1, "Kernel size must be odd for spatially separable convolution"
            self.depthwise_row_conv = nn.Conv2d(in_channels, in_channels, kernel_size=(kernel_size, 1),
            stride=(stride, 1), padding=((padding//2), 0), groups=in_channels)
            self.depthwise_col_conv = nn.Conv2d(in_channels, out_channels, kernel_size=(1, kernel_size),
            stride=(1, stride), padding=(0, (padding//2)), groups=in_channels)
        def forward(self, x):
            x = self.depthwise_row_conv(x)
            x = self.depthwise_col_conv(x)
            return x
    # 示例使用
    input_tensor = torch.randn(1, 3, 32, 32) # (batch_size, channels, height, width)
""")  # noqa: E501  (the article's lines, kept as printed)


def spatial_example(out_channels: int, kernel_size: int = 3) -> str:
    return (
        SPATIAL_CLASS + f"\nconv = SpatiallySeparableConv2d(in_channels=3, out_channels="
        f"{out_channels}, kernel_size={kernel_size}, stride=1, padding=1)\n"
        "output = conv(input_tensor)\nprint(output.shape) # 输出的形状"
    )


#: The efficient-convolution article's ``DepthwiseSeparableConv`` and ``ExampleNet``,
#: called on one 224x224 RGB image.
EXAMPLE_NET = code("""
    import torch
    import torch.nn as nn

    class DepthwiseSeparableConv(nn.Module):
        def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                     bias=False):
            super(DepthwiseSeparableConv, self).__init__()
            self.depthwise = nn.Conv2d(in_channels, in_channels, kernel_size, stride,
                                       padding, groups=in_channels, bias=bias)
            self.pointwise = nn.Conv2d(in_channels, out_channels, 1, 1, 0, bias=bias)

        def forward(self, x):
            x = self.depthwise(x)
            x = self.pointwise(x)
            return x

    class ExampleNet(nn.Module):
        def __init__(self):
            super(ExampleNet, self).__init__()
            self.conv1 = nn.Conv2d(3, 32, 3, 1, 1)
            self.dwconv = DepthwiseSeparableConv(32, 64, 3, 1, 1)
            self.conv2 = nn.Conv2d(64, 128, 3, 1, 1)

        def forward(self, x):
            x = self.conv1(x)
            x = self.dwconv(x)
            x = self.conv2(x)
            return x

    net = ExampleNet()
    print(tuple(net(torch.randn(1, 3, 224, 224)).shape),
          sum(p.numel() for p in net.parameters()))""")
