"""The convolution families of refconv on small integer arrays: the numbers docs/families.md quotes.

Six sections, one per family and one for seed 003's ``SpatiallySeparableConv2d`` class:

1. standard and grouped ``conv2d``, and how a Keras ``Conv2D`` kernel becomes a refconv weight;
2. ``depthwise_conv2d`` with a depth multiplier, and the channel order ``c * M + m``;
3. ``pointwise_conv2d``: a matrix product over channels at every pixel;
4. ``separable_conv2d`` (Keras ``SeparableConv2D``) and its two Keras kernels;
5. ``spatial_separable_conv2d``: K x 1 then 1 x K, checked against ``conv2d`` on a grid of
   paddings, padding modes, strides and dilations;
6. seed 003's class: the error, the shapes, and the per-channel version that works.

Every worked example is checked against ``scipy.signal.correlate2d`` (cross-correlation, the
deep-learning "convolution") or against the Keras / TensorFlow formula written out in NumPy.
Lines marked ``[torch]`` need PyTorch and are skipped when it is not installed.

Run: ``python scripts/families.py``
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import signal

import refconv

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # PyTorch is optional: its lines are skipped
    torch = None
    F = None


def show(name: str, a: np.ndarray) -> None:
    """Print an integer-valued array, indented, under its name."""
    rows = np.array2string(np.asarray(a).astype(np.int64), separator=" ").splitlines()
    print(f"{name} =")
    for row in rows:
        print(f"    {row}")


def check(label: str, value: bool) -> None:
    print(f"{label}: {bool(value)}")


def header(title: str) -> None:
    print()
    print(f"== {title}")


def torch_line(text: str) -> None:
    print(f"[torch] {text}")


def corr(a: np.ndarray, k: np.ndarray) -> np.ndarray:
    """scipy's 'valid' cross-correlation, in float64 so it compares with refconv."""
    return signal.correlate2d(a.astype(np.float64), k.astype(np.float64), mode="valid")


def as_torch(a: np.ndarray) -> Any:
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64))


# ---------------------------------------------------------------------------------------------
# Keras / TensorFlow formulas, written out in NumPy on NHWC arrays (channels last)
# ---------------------------------------------------------------------------------------------
def keras_conv2d(x_hwc: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Keras ``Conv2D``, 'valid': ``out[i, j, o] = sum_{p, q, c} x[i+p, j+q, c] k[p, q, c, o]``."""
    k_h, k_w = kernel.shape[:2]
    windows = sliding_window_view(x_hwc, (k_h, k_w), axis=(0, 1))  # (H_out, W_out, C, kH, kW)
    return np.einsum("ijcpq,pqco->ijo", windows, kernel)


def keras_depthwise_conv2d(x_hwc: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """``tf.nn.depthwise_conv2d``, 'valid', literally:
    ``output[i, j, k * channel_multiplier + q] = sum_{di, dj} filter[di, dj, k, q] *
    input[i + di, j + dj, k]``."""
    k_h, k_w, c_in, mult = kernel.shape
    h_out, w_out = x_hwc.shape[0] - k_h + 1, x_hwc.shape[1] - k_w + 1
    out = np.zeros((h_out, w_out, c_in * mult))
    for k in range(c_in):
        for q in range(mult):
            for di in range(k_h):
                for dj in range(k_w):
                    out[:, :, k * mult + q] += (
                        kernel[di, dj, k, q] * x_hwc[di : di + h_out, dj : dj + w_out, k]
                    )
    return out


def keras_depthwise_to_refconv(kernel: np.ndarray) -> np.ndarray:
    """Keras depthwise_kernel ``(kH, kW, C_in, M)`` -> refconv ``(C_in * M, 1, kH, kW)``."""
    k_h, k_w, c_in, mult = kernel.shape
    return kernel.transpose(2, 3, 0, 1).reshape(c_in * mult, 1, k_h, k_w)  # row c*M + m


def keras_conv_to_refconv(kernel: np.ndarray) -> np.ndarray:
    """Keras Conv2D kernel ``(kH, kW, C_in, C_out)`` -> OIHW ``(C_out, C_in, kH, kW)``."""
    return kernel.transpose(3, 2, 0, 1)


# ---------------------------------------------------------------------------------------------
# 1. conv2d
# ---------------------------------------------------------------------------------------------
def section_conv2d() -> None:
    header("1. conv2d: standard and grouped")
    x = np.array([[[1, 2, 3], [4, 5, 6], [7, 8, 9]],
                  [[1, 0, 2], [0, 1, 0], [2, 0, 1]]])  # (C_in, H, W) = (2, 3, 3)
    w = np.array([[[[1, 0], [0, -1]],
                   [[1, 1], [1, 1]]]])  # (C_out, C_in, kH, kW) = (1, 2, 2, 2)
    y = refconv.conv2d(x, w)  # (1, 2, 2)
    show("x[0]", x[0])
    show("x[1]", x[1])
    show("w[0, 0]", w[0, 0])
    show("w[0, 1]", w[0, 1])
    show("correlate2d(x[0], w[0, 0])", corr(x[0], w[0, 0]))
    show("correlate2d(x[1], w[0, 1])", corr(x[1], w[0, 1]))
    show("refconv.conv2d(x, w)[0]", y[0])
    print(f"shapes: x {x.shape}, w {w.shape} -> y {y.shape}")
    check("conv2d == sum over c of correlate2d(x[c], w[0, c])",
          np.array_equal(y[0], corr(x[0], w[0, 0]) + corr(x[1], w[0, 1])))

    rng = np.random.default_rng(1)
    xg = rng.integers(-3, 4, size=(4, 4, 4))  # (C_in, H, W) = (4, 4, 4)
    wg = rng.integers(-2, 3, size=(6, 2, 3, 3))  # (C_out, C_in // groups, kH, kW), groups = 2
    yg = refconv.conv2d(xg, wg, groups=2)
    print()
    print(f"grouped: x {xg.shape}, w {wg.shape}, groups=2 -> y {yg.shape}")
    for o in range(6):
        g = o // 3  # C_out // groups = 3 output channels per group
        print(f"  output channel {o}: group {g}, reads input channels {2 * g} and {2 * g + 1}")
    by_hand = np.stack([corr(xg[2 * (o // 3)], wg[o, 0]) + corr(xg[2 * (o // 3) + 1], wg[o, 1])
                        for o in range(6)])
    check("grouped conv2d == correlate2d per group", np.array_equal(yg, by_hand))

    kernel = rng.integers(-2, 3, size=(3, 3, 4, 5))  # Keras Conv2D kernel (kH, kW, C_in, C_out)
    ours = refconv.conv2d(xg, keras_conv_to_refconv(kernel))  # (5, 2, 2)
    theirs = keras_conv2d(xg.transpose(1, 2, 0), kernel).transpose(2, 0, 1)  # NHWC -> CHW
    print()
    print(f"Keras Conv2D kernel {kernel.shape} -> kernel.transpose(3, 2, 0, 1) "
          f"{keras_conv_to_refconv(kernel).shape}")
    check("refconv.conv2d(x, kernel.transpose(3, 2, 0, 1)) == Keras Conv2D formula",
          np.array_equal(ours, theirs))
    if torch is not None:
        tg = F.conv2d(as_torch(xg[None]), as_torch(wg), groups=2)[0].numpy()
        torch_line(f"F.conv2d(x, w, groups=2) == refconv.conv2d: {np.array_equal(tg, yg)}")


# ---------------------------------------------------------------------------------------------
# 2. depthwise_conv2d
# ---------------------------------------------------------------------------------------------
def section_depthwise() -> None:
    header("2. depthwise_conv2d with depth multiplier M")
    x = np.stack([np.ones((3, 3)), np.full((3, 3), 100.0)])  # (C_in, H, W) = (2, 3, 3)
    kernel = np.zeros((2, 2, 2, 2))  # Keras depthwise_kernel (kH, kW, C_in, M)
    for c in range(2):
        for m in range(2):
            kernel[:, :, c, m] = 10 * c + m + 1  # a 2x2 kernel of 1s, 2s, 11s or 12s
    w = keras_depthwise_to_refconv(kernel)  # (C_in * M, 1, kH, kW) = (4, 1, 2, 2)
    y = refconv.depthwise_conv2d(x, w)  # (4, 2, 2)
    print("x[0] = all 1, x[1] = all 100; kernel[:, :, c, m] = a 2x2 kernel of (10*c + m + 1)s")
    print(f"Keras depthwise_kernel {kernel.shape} -> "
          f"kernel.transpose(2, 3, 0, 1).reshape(4, 1, 2, 2) {w.shape}")
    print("output channel  c  m  kernel value  y[channel, 0, 0]")
    for ch in range(4):
        print(f"{ch:>14}  {ch // 2}  {ch % 2}  {int(w[ch, 0, 0, 0]):>12}  {int(y[ch, 0, 0])}")
    wrong = kernel.transpose(3, 2, 0, 1).reshape(4, 1, 2, 2)  # M-major: row m*C_in + c
    y_wrong = refconv.depthwise_conv2d(x, wrong)
    print(f"right reshape, y[:, 0, 0] = {y[:, 0, 0].astype(int).tolist()}")
    print(f"wrong reshape kernel.transpose(3, 2, 0, 1).reshape(4, 1, 2, 2), kernel values "
          f"{wrong[:, 0, 0, 0].astype(int).tolist()}, y[:, 0, 0] = "
          f"{y_wrong[:, 0, 0].astype(int).tolist()}")

    rng = np.random.default_rng(2)
    xr = rng.integers(-3, 4, size=(3, 5, 5))  # C_in = 3
    kr = rng.integers(-2, 3, size=(3, 3, 3, 2))  # (kH, kW, C_in, M = 2)
    wr = keras_depthwise_to_refconv(kr)  # (6, 1, 3, 3)
    yr = refconv.depthwise_conv2d(xr, wr)  # (6, 3, 3)
    print()
    print(f"random: x {xr.shape}, depthwise_kernel {kr.shape} -> weight {wr.shape} -> y {yr.shape}")
    check("y[c*M + m] == correlate2d(x[c], kernel[:, :, c, m]) for every c, m",
          all(np.array_equal(yr[c * 2 + m], corr(xr[c], kr[:, :, c, m]))
              for c in range(3) for m in range(2)))
    keras = keras_depthwise_conv2d(xr.transpose(1, 2, 0), kr).transpose(2, 0, 1)
    check("refconv.depthwise_conv2d == tf.nn.depthwise_conv2d formula", np.array_equal(yr, keras))
    if torch is not None:
        t = F.conv2d(as_torch(xr[None]), as_torch(wr), groups=3)[0].numpy()
        torch_line(f"F.conv2d(x, weight, groups=C_in) == refconv.depthwise_conv2d: "
                   f"{np.array_equal(t, yr)}")


# ---------------------------------------------------------------------------------------------
# 3. pointwise_conv2d
# ---------------------------------------------------------------------------------------------
def section_pointwise() -> None:
    header("3. pointwise_conv2d: a matrix product over channels at every pixel")
    x = np.arange(12).reshape(3, 2, 2)  # (C_in, H, W) = (3, 2, 2)
    m = np.array([[1, 0, -1], [1, 1, 1]])  # (C_out, C_in) = (2, 3)
    y = refconv.pointwise_conv2d(x, m[:, :, None, None])  # (2, 2, 2)
    show("x[:, 0, 0]", x[:, 0, 0])
    show("W", m)
    show("W @ x[:, 0, 0]", m @ x[:, 0, 0])
    show("y[:, 0, 0]", y[:, 0, 0])
    show("y[0]", y[0])
    show("y[1]", y[1])
    check("pointwise_conv2d == einsum('oc,chw->ohw', W, x)",
          np.array_equal(y, np.einsum("oc,chw->ohw", m, x)))
    v = np.array([1, 2, 3])
    b = np.array([10, 20])
    lin = refconv.pointwise_conv2d(v[:, None, None], m[:, :, None, None], b)  # (2, 1, 1)
    print(f"Linear: W @ v + b = {(m @ v + b).tolist()}, "
          f"pointwise_conv2d(v as a (3, 1, 1) image) = {lin[:, 0, 0].astype(int).tolist()}")


# ---------------------------------------------------------------------------------------------
# 4. separable_conv2d
# ---------------------------------------------------------------------------------------------
def section_separable() -> None:
    header("4. separable_conv2d = Keras SeparableConv2D")
    rng = np.random.default_rng(4)
    x = rng.integers(-3, 4, size=(2, 4, 4))  # (C_in, H, W) = (2, 4, 4)
    dk = rng.integers(-2, 3, size=(3, 3, 2, 2))  # depthwise_kernel (kH, kW, C_in, M = 2)
    pk = rng.integers(-2, 3, size=(1, 1, 4, 3))  # pointwise_kernel (1, 1, C_in * M, C_out)
    b = np.array([1, 2, 3])  # one bias, (C_out,)
    dw = keras_depthwise_to_refconv(dk)  # (4, 1, 3, 3)
    pw = keras_conv_to_refconv(pk)  # (3, 4, 1, 1)
    y = refconv.separable_conv2d(x, dw, pw, b)  # (3, 2, 2)
    print(f"depthwise_kernel {dk.shape} -> depthwise_weight {dw.shape}")
    print(f"pointwise_kernel {pk.shape} -> pointwise_kernel.transpose(3, 2, 0, 1) {pw.shape}")
    print(f"x {x.shape} -> y {y.shape}")
    by_hand = np.stack([
        b[o] + sum(pk[0, 0, c * 2 + m, o] * corr(x[c], dk[:, :, c, m])
                   for c in range(2) for m in range(2))
        for o in range(3)
    ])
    for o in range(3):
        show(f"y[{o}]", y[o])
    check("y[o] == b[o] + sum_{c,m} pointwise_kernel[0, 0, c*M+m, o] * "
          "correlate2d(x[c], depthwise_kernel[:, :, c, m])", np.array_equal(y, by_hand))
    two_steps = refconv.pointwise_conv2d(refconv.depthwise_conv2d(x, dw), pw, b)
    check("separable_conv2d == pointwise_conv2d(depthwise_conv2d(x)) + b",
          np.array_equal(y, two_steps))
    full = np.einsum("ocm,cmpq->ocpq", pw[:, :, 0, 0].reshape(3, 2, 2),
                     dw[:, 0].reshape(2, 2, 3, 3))  # (C_out, C_in, kH, kW)
    check("separable_conv2d == conv2d with W[o, c] = sum_m pw[o, c*M+m] * dw[c*M+m]",
          np.array_equal(y, refconv.conv2d(x, full, b)))

    ys = refconv.separable_conv2d(x, dw, pw, b, stride=2, padding=1)
    mid = refconv.depthwise_conv2d(x, dw, stride=2, padding=1)
    print(f"stride=2, padding=1: depthwise {x.shape} -> {mid.shape}, pointwise -> {ys.shape}")
    check("stride/padding belong to the depthwise step",
          np.array_equal(ys, refconv.pointwise_conv2d(mid, pw, b)))
    if torch is not None:
        t = F.conv2d(F.conv2d(as_torch(x[None]), as_torch(dw), stride=2, padding=1, groups=2),
                     as_torch(pw), as_torch(b))[0].numpy()
        torch_line(f"F.conv2d(F.conv2d(x, dw, groups=C_in), pw, b) == refconv: "
                   f"{np.array_equal(t, ys)}")


# ---------------------------------------------------------------------------------------------
# 5. spatial_separable_conv2d
# ---------------------------------------------------------------------------------------------
PADDINGS: list[Any] = [0, 1, 2, (1, 2), ((2, 0), (1, 3)), "valid", "same"]
MODES = ["zeros", "reflect", "replicate", "circular"]
STRIDES: list[Any] = [1, 2, (2, 1), (1, 3)]
DILATIONS: list[Any] = [1, 2, (2, 1)]
KERNELS = [(3, 3), (2, 4)]


def grid_cases(x: np.ndarray, rng: np.random.Generator, groups: int, mult: int) -> tuple[int, int]:
    """(cases, equal): spatial_separable_conv2d vs conv2d with the outer-product kernels."""
    c_in = x.shape[0]
    cases = equal = 0
    for (k_h, k_w), padding, mode, stride, dilation in itertools.product(
        KERNELS, PADDINGS, MODES, STRIDES, DILATIONS
    ):
        if groups == 1:  # one channel in, one out
            col = rng.integers(-3, 4, size=(1, 1, k_h, 1))
            row = rng.integers(-3, 4, size=(1, 1, 1, k_w))
            full = np.outer(col.ravel(), row.ravel())[None, None]
        else:  # per channel: column (C_in, 1, kH, 1), row (C_in * M, 1, 1, kW)
            col = rng.integers(-3, 4, size=(c_in, 1, k_h, 1))
            row = rng.integers(-3, 4, size=(c_in * mult, 1, 1, k_w))
            full = np.stack([np.outer(col[j // mult].ravel(), row[j].ravel())[None]
                             for j in range(c_in * mult)])  # (C_in * M, 1, kH, kW)
        args = {"stride": stride, "padding": padding, "dilation": dilation,
                "padding_mode": mode, "groups": groups}
        sep = refconv.spatial_separable_conv2d(x, col, row, **args)
        ref = refconv.conv2d(x, full, **args)
        cases += 1
        equal += int(sep.shape == ref.shape and np.array_equal(sep, ref))
    return cases, equal


def section_spatial() -> None:
    header("5. spatial_separable_conv2d: K x 1, then 1 x K")
    x = np.arange(25).reshape(1, 5, 5) % 7  # (C_in, H, W) = (1, 5, 5)
    col = np.array([1, 2, 1])
    row = np.array([-1, 0, 1])
    mid = refconv.conv2d(x, col.reshape(1, 1, 3, 1))  # the K x 1 pass: (1, 3, 5)
    y = refconv.spatial_separable_conv2d(x, col.reshape(1, 1, 3, 1), row.reshape(1, 1, 1, 3))
    show("x[0]", x[0])
    show("np.outer(column, row)", np.outer(col, row))
    show("after the 3x1 pass (column [1, 2, 1])", mid[0])
    show("after the 1x3 pass (row [-1, 0, 1])", y[0])
    show("correlate2d(x[0], np.outer(column, row))", corr(x[0], np.outer(col, row)))
    print(f"shapes: x {x.shape} -> {mid.shape} -> {y.shape}")

    xs = x[None].astype(np.float64)
    s, p, d = (2, 3), ((2, 0), (1, 3)), (2, 1)
    first = refconv.conv2d(xs, col.reshape(1, 1, 3, 1), stride=(s[0], 1),
                           padding=(p[0], (0, 0)), dilation=(d[0], 1))
    second = refconv.conv2d(first, row.reshape(1, 1, 1, 3), stride=(1, s[1]),
                            padding=((0, 0), p[1]), dilation=(1, d[1]))
    one = refconv.spatial_separable_conv2d(xs, col.reshape(1, 1, 3, 1), row.reshape(1, 1, 1, 3),
                                           stride=s, padding=p, dilation=d)
    full = refconv.conv2d(xs, np.outer(col, row)[None, None], stride=s, padding=p, dilation=d)
    print(f"split of stride={s}, padding={p}, dilation={d}:")
    print(f"  3x1 pass: stride ({s[0]}, 1), padding ({p[0]}, (0, 0)), dilation ({d[0]}, 1) "
          f"-> {first.shape}")
    print(f"  1x3 pass: stride (1, {s[1]}), padding ((0, 0), {p[1]}), dilation (1, {d[1]}) "
          f"-> {second.shape}")
    print(f"  conv2d with the 3x3 kernel -> {full.shape}")
    check("two conv2d passes == spatial_separable_conv2d == conv2d(outer)",
          np.array_equal(second, one) and np.array_equal(one, full))

    rng = np.random.default_rng(5)
    grid = f"{len(KERNELS)} kernels x {len(PADDINGS)} paddings x {len(MODES)} modes x " \
           f"{len(STRIDES)} strides x {len(DILATIONS)} dilations"
    print(f"grid: {grid}")
    cases, equal = grid_cases(rng.integers(-5, 6, size=(1, 9, 10)), rng, groups=1, mult=1)
    print(f"one channel: {equal} of {cases} cases equal conv2d(np.outer(column, row))")
    cases, equal = grid_cases(rng.integers(-5, 6, size=(3, 9, 10)), rng, groups=3, mult=2)
    print(f"per channel (groups=C_in=3, M=2): {equal} of {cases} cases equal conv2d with "
          f"W[c*M+m] = np.outer(column[c], row[c*M+m])")

    xm = rng.integers(-3, 4, size=(3, 8, 8))  # C_in = 3
    cm = rng.integers(-2, 3, size=(4, 3, 3, 1))  # (R, C_in, kH, 1): 3 -> 4 channels
    rm = rng.integers(-2, 3, size=(5, 4, 1, 3))  # (C_out, R, 1, kW): 4 -> 5 channels
    ym = refconv.spatial_separable_conv2d(xm, cm, rm, padding=1)
    wm = np.einsum("rcp,orq->ocpq", cm[..., 0], rm[:, :, 0])  # (C_out, C_in, kH, kW)
    print(f"channel-mixing (groups=1): x {xm.shape}, column {cm.shape}, row {rm.shape} "
          f"-> y {ym.shape}")
    check("channel-mixing == conv2d with W[o, c] = sum_r np.outer(column[r, c], row[o, r])",
          np.array_equal(ym, refconv.conv2d(xm, wm, padding=1)))
    ranks = sorted({int(np.linalg.matrix_rank(wm[o, c])) for o in range(5) for c in range(3)})
    print(f"ranks of those 3x3 kernels W[o, c]: {ranks} (at most R = 4, not 1)")


# ---------------------------------------------------------------------------------------------
# 6. seed 003's SpatiallySeparableConv2d
# ---------------------------------------------------------------------------------------------
def seed_003_class(fixed: bool) -> Any:
    """Seed 003's class; ``fixed=True`` passes ``padding`` itself instead of ``padding // 2``."""

    class SpatiallySeparableConv2d(torch.nn.Module):
        def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0):
            super().__init__()
            pad = padding if fixed else padding // 2
            self.depthwise_row_conv = torch.nn.Conv2d(
                in_channels, in_channels, kernel_size=(kernel_size, 1),
                stride=(stride, 1), padding=(pad, 0), groups=in_channels)
            self.depthwise_col_conv = torch.nn.Conv2d(
                in_channels, out_channels, kernel_size=(1, kernel_size),
                stride=(1, stride), padding=(0, pad), groups=in_channels)

        def forward(self, x):
            return self.depthwise_col_conv(self.depthwise_row_conv(x))

    return SpatiallySeparableConv2d


def section_seed_003() -> None:
    header("6. seed 003's SpatiallySeparableConv2d")
    rng = np.random.default_rng(6)
    x = rng.standard_normal((1, 3, 32, 32))
    col = rng.standard_normal((3, 1, 3, 1))  # (C_in, 1, K, 1)

    print("(a) in_channels=3, out_channels=8, groups=in_channels in the second conv")
    try:
        refconv.spatial_separable_conv2d(x, col, rng.standard_normal((8, 1, 1, 3)),
                                         padding=1, groups=3)
    except ValueError as exc:
        print(f"refconv.spatial_separable_conv2d: ValueError: {exc}")
    try:
        refconv.nn.SpatialSeparableConv2d(3, 8, 3, intermediate_channels=3, padding=1, groups=3)
    except ValueError as exc:
        print(f"refconv.nn.SpatialSeparableConv2d: ValueError: {exc}")
    if torch is not None:
        try:
            seed_003_class(fixed=False)(3, 8, 3, stride=1, padding=1)
        except ValueError as exc:
            torch_line(f"seed 003's class: ValueError: {exc}")

    print()
    print("(b) padding=((padding // 2), 0): output sizes on a 32x32 input, padding = K // 2")
    print(" K  padding  padding//2  seed's output  correct output")
    for k in (3, 5, 7):
        p = k // 2
        c = rng.standard_normal((3, 1, k, 1))
        r = rng.standard_normal((3, 1, 1, k))
        seed = refconv.spatial_separable_conv2d(x, c, r, padding=p // 2, groups=3)
        right = refconv.spatial_separable_conv2d(x, c, r, padding=p, groups=3)
        print(f"{k:>2}  {p:>7}  {p // 2:>10}  {seed.shape[2]:>6} x {seed.shape[3]:<5} "
              f"{right.shape[2]:>6} x {right.shape[3]}")
    if torch is not None:
        with torch.no_grad():
            seed = seed_003_class(fixed=False)(3, 3, 3, stride=1, padding=1)(as_torch(x).float())
            fixed = seed_003_class(fixed=True)(3, 3, 3, stride=1, padding=1)(as_torch(x).float())
        torch_line(f"seed 003's class (out_channels=3, padding=1): {tuple(seed.shape)}")
        torch_line(f"with padding=(padding, 0) and (0, padding):   {tuple(fixed.shape)}")

    print()
    print("(c) stride=(stride, 1) then (1, stride): stride 2, padding 1, per channel")
    row = rng.standard_normal((3, 1, 1, 3))
    ys = refconv.spatial_separable_conv2d(x, col, row, stride=2, padding=1, groups=3)
    full = np.stack([np.outer(col[c].ravel(), row[c].ravel())[None] for c in range(3)])
    yf = refconv.conv2d(x, full, stride=2, padding=1, groups=3)
    print(f"refconv: {x.shape} -> {ys.shape}")
    check("spatial_separable_conv2d(stride=2) == conv2d(outer kernels, stride=2)",
          np.allclose(ys, yf, rtol=1e-12, atol=1e-12))
    if torch is not None:
        layer = seed_003_class(fixed=True)(3, 3, 3, stride=2, padding=1).double()
        with torch.no_grad():
            layer.depthwise_row_conv.weight.copy_(as_torch(col))
            layer.depthwise_col_conv.weight.copy_(as_torch(row))
            layer.depthwise_row_conv.bias.zero_()
            layer.depthwise_col_conv.bias.zero_()
            t = layer(as_torch(x)).numpy()
        torch_line(f"seed's stride split (padding fixed) == refconv: "
                   f"{t.shape == ys.shape and np.allclose(t, ys, rtol=1e-12, atol=1e-12)}")

    print()
    print("(d) the per-channel version in refconv, then a pointwise conv to reach 8 channels")
    sep = refconv.nn.SpatialSeparableConv2d(3, 3, 3, padding=1, groups=3, bias=False, seed=0)
    mix = refconv.nn.PointwiseConv2d(3, 8, bias=False, seed=0)
    h = sep(x)
    out = mix(h)
    print(f"SpatialSeparableConv2d(3, 3, 3, padding=1, groups=3): column_weight "
          f"{sep.column_weight.shape}, row_weight {sep.row_weight.shape}")
    print(f"  x {x.shape} -> {h.shape}")
    print(f"PointwiseConv2d(3, 8): weight {mix.weight.shape}; -> {out.shape}")
    per_channel = np.stack([np.outer(sep.column_weight[c].ravel(), sep.row_weight[c].ravel())
                            for c in range(3)])[:, None]  # (3, 1, 3, 3)
    check("per-channel output == depthwise_conv2d with np.outer(column[c], row[c])",
          np.allclose(h, refconv.depthwise_conv2d(x, per_channel, padding=1), rtol=1e-5,
                      atol=1e-5))
    six = refconv.nn.SpatialSeparableConv2d(3, 6, 3, intermediate_channels=3, padding=1,
                                            groups=3, seed=0)
    print(f"per channel with M = 2: SpatialSeparableConv2d(3, 6, 3, intermediate_channels=3, "
          f"padding=1, groups=3) -> {six(x).shape}")
    mixing = refconv.nn.SpatialSeparableConv2d(3, 8, 3, padding=1, seed=0)
    print(f"channel-mixing: SpatialSeparableConv2d(3, 8, 3, padding=1): column_weight "
          f"{mixing.column_weight.shape}, row_weight {mixing.row_weight.shape} -> "
          f"{mixing(x).shape}")

    print()
    print("(e) an even kernel: K = 2, column [1, -1], row [1, 1]")
    xe = np.arange(16).reshape(1, 4, 4) % 5
    ce, re_ = np.array([1, -1]), np.array([1, 1])
    ye = refconv.spatial_separable_conv2d(xe, ce.reshape(1, 1, 2, 1), re_.reshape(1, 1, 1, 2))
    show("x[0]", xe[0])
    show("np.outer(column, row)", np.outer(ce, re_))
    show("spatial_separable_conv2d(x)[0]", ye[0])
    check("spatial_separable_conv2d == correlate2d(x[0], np.outer(column, row))",
          np.array_equal(ye[0], corr(xe[0], np.outer(ce, re_))))
    c4 = rng.standard_normal((3, 1, 4, 1))
    r4 = rng.standard_normal((3, 1, 1, 4))
    y4 = refconv.spatial_separable_conv2d(x, c4, r4, padding="same", groups=3)
    f4 = np.stack([np.outer(c4[c].ravel(), r4[c].ravel())[None] for c in range(3)])
    print(f"K = 4, padding='same', per channel: {x.shape} -> {y4.shape}")
    check("spatial_separable_conv2d == conv2d(outer kernels, padding='same')",
          np.allclose(y4, refconv.conv2d(x, f4, padding="same", groups=3), rtol=1e-12,
                      atol=1e-12))
    if torch is not None:
        t = F.conv2d(F.conv2d(as_torch(xe[None]), as_torch(ce.reshape(1, 1, 2, 1))),
                     as_torch(re_.reshape(1, 1, 1, 2)))[0].numpy()
        torch_line(f"F.conv2d with a (2, 1) then a (1, 2) kernel: output {t.shape}, "
                   f"== refconv: {np.array_equal(t, ye)}")


def main() -> None:
    versions = f"refconv {refconv.__version__}"
    versions += f", torch {torch.__version__}" if torch is not None else ", torch not installed"
    print(versions)
    section_conv2d()
    section_depthwise()
    section_pointwise()
    section_separable()
    section_spatial()
    section_seed_003()


if __name__ == "__main__":
    main()
