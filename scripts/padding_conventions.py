"""Padding conventions of PyTorch, TensorFlow/Keras, ONNX, scipy.signal and scipy.ndimage, side by
side, each measured or checked where the library is installed.

Every pad is written ``(before, after)``: rows added at the top / columns at the left, then at the
bottom / right. Four sections:

1. explicit pads and output sizes for several (H, k, s, d): PyTorch's symmetric int padding,
   PyTorch ``padding='same'``, TensorFlow/ONNX ``SAME_UPPER``, ONNX ``SAME_LOWER``, and what
   ``refconv`` makes of ``padding="same"``;
2. where scipy's ``mode='same'`` puts the window, *measured* by running scipy and finding the
   zero padding that reproduces its output (odd and even kernels);
3. scipy.ndimage boundary modes next to PyTorch's ``padding_mode`` names, measured the same way;
4. PyTorch itself, if ``torch`` can be imported (skipped otherwise).

Run: ``python scripts/padding_conventions.py``
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy
from numpy.lib.stride_tricks import sliding_window_view
from scipy import ndimage, signal

import refconv
from refconv.arguments import explicit_padding, output_size
from refconv.padding import pad as refconv_pad

Pair = tuple[int, int]


# ---------------------------------------------------------------------------------------------
# the formulas, one function per convention
# ---------------------------------------------------------------------------------------------
def torch_int_padding(k: int, d: int) -> Pair:
    """The usual PyTorch choice ``padding = d*(k-1)//2``, the same on both sides."""
    p = d * (k - 1) // 2
    return p, p


def torch_same(k: int, s: int, d: int) -> Pair | None:
    """PyTorch ``padding='same'``: total ``d*(k-1)``, the odd pixel at the end; stride 1 only."""
    if s != 1:
        return None
    total = d * (k - 1)
    return total // 2, total - total // 2


def same_total(size: int, k: int, s: int, d: int) -> int:
    """TensorFlow / ONNX SAME: ``out = ceil(size / s)``, ``total = max((out-1)*s + (k-1)*d + 1
    - size, 0)``."""
    out = -(-size // s)
    return max((out - 1) * s + (k - 1) * d + 1 - size, 0)


def same_upper(size: int, k: int, s: int, d: int) -> Pair:
    """TensorFlow ``'SAME'``, ONNX ``auto_pad=SAME_UPPER``: the odd pixel at the end."""
    total = same_total(size, k, s, d)
    return total // 2, total - total // 2


def same_lower(size: int, k: int, s: int, d: int) -> Pair:
    """ONNX ``auto_pad=SAME_LOWER``: the odd pixel at the beginning."""
    total = same_total(size, k, s, d)
    return total - total // 2, total // 2


def fmt(pads: Pair | None, size: int, k: int, s: int, d: int) -> str:
    if pads is None:
        return "error (stride > 1)"
    return f"{pads} -> {output_size(size, k, s, d, *pads)}"


def section_explicit_pads() -> None:
    print("== 1. explicit pads (before, after) -> output size, per axis")
    print("   PyTorch int: padding = d*(k-1)//2 both sides | PyTorch 'same': stride 1 only")
    print("   SAME_UPPER: TensorFlow 'SAME', ONNX SAME_UPPER | SAME_LOWER: ONNX only")
    print("   ceil(H/s): the output size TensorFlow and ONNX promise for SAME")
    header = (
        f"{'H':>4} {'k':>2} {'s':>2} {'d':>2}  {'PyTorch int':16} {'PyTorch same':19} "
        f"{'SAME_UPPER':16} {'SAME_LOWER':16} {'ceil(H/s)':>9}  refconv 'same'"
    )
    print(header)
    cases = [
        (7, 3, 1, 1),
        (7, 4, 1, 1),
        (8, 3, 2, 1),
        (8, 4, 2, 1),
        (7, 3, 2, 1),
        (9, 3, 1, 2),
        (9, 3, 2, 2),
        (224, 3, 2, 1),
        (224, 7, 2, 1),
        (5, 1, 2, 1),
        (5, 2, 3, 1),
    ]
    for size, k, s, d in cases:
        upper = same_upper(size, k, s, d)
        ours = explicit_padding("same", (k, k), (s, s), (d, d), (size, size))[0]
        verdict = "= SAME_UPPER" if ours == upper else f"{ours} DIFFERS"
        print(
            f"{size:>4} {k:>2} {s:>2} {d:>2}  {fmt(torch_int_padding(k, d), size, k, s, d):16} "
            f"{fmt(torch_same(k, s, d), size, k, s, d):19} {fmt(upper, size, k, s, d):16} "
            f"{fmt(same_lower(size, k, s, d), size, k, s, d):16} {-(-size // s):>9}  {verdict}"
        )
    print()


# ---------------------------------------------------------------------------------------------
# scipy 'same': measure where the window sits
# ---------------------------------------------------------------------------------------------
def correlate_valid(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Plain 'valid' cross-correlation, no library involved: (H-kH+1, W-kW+1)."""
    windows = sliding_window_view(x, w.shape)  # (H-kH+1, W-kW+1, kH, kW)
    return np.einsum("ijpq,pq->ij", windows, w)


def measured_before(result: np.ndarray, x: np.ndarray, w: np.ndarray) -> int | None:
    """The zero padding ``(b, k-1-b)`` on both axes for which a 'valid' cross-correlation with
    ``w`` reproduces ``result``; None if no shift does."""
    k = w.shape[0]
    for before in range(k):
        widths = ((before, k - 1 - before), (before, k - 1 - before))
        if np.array_equal(correlate_valid(np.pad(x, widths), w), result):
            return before
    return None


def label(before: int | None, k: int) -> str:
    if before is None:
        return "no match"
    upper, lower = (k - 1) // 2, k // 2
    name = "UPPER" if before == upper else "LOWER" if before == lower else "?"
    if upper == lower:
        name = "both"
    return f"({before},{k - 1 - before}) {name}"


def section_scipy_same() -> None:
    print(
        f"== 2. scipy mode='same', and ndimage with mode='constant', origin=0 (scipy "
        f"{scipy.__version__}), measured"
    )
    print("   (b, a): zeros before/after on each axis so that a 'valid' cross-correlation with")
    print("   the kernel reproduces scipy's output. For the convolve functions the kernel is")
    print("   the flipped one, w[::-1, ::-1].  UPPER: b = (k-1)//2 (the odd pixel after, as")
    print("   TensorFlow 'SAME' / ONNX SAME_UPPER); LOWER: b = k//2 (ONNX SAME_LOWER).")
    rng = np.random.default_rng(7)
    x = rng.integers(-9, 10, size=(9, 9)).astype(np.float64)
    columns = {
        "signal.correlate2d": (lambda x, w: signal.correlate2d(x, w, mode="same"), False),
        "signal.convolve2d": (lambda x, w: signal.convolve2d(x, w, mode="same"), True),
        "signal.correlate": (
            lambda x, w: signal.correlate(x, w, mode="same", method="direct"),
            False,
        ),
        "signal.convolve": (lambda x, w: signal.convolve(x, w, mode="same", method="direct"), True),
        "ndimage.correlate": (
            lambda x, w: ndimage.correlate(x, w, mode="constant", cval=0.0),
            False,
        ),
        "ndimage.convolve": (lambda x, w: ndimage.convolve(x, w, mode="constant", cval=0.0), True),
    }
    print((f"{'k':>2}  " + "  ".join(f"{name:19}" for name in columns)).rstrip())
    for k in range(1, 7):
        w = rng.integers(-9, 10, size=(k, k)).astype(np.float64)
        cells = []
        for fn, flips in columns.values():
            kernel = w[::-1, ::-1] if flips else w
            cells.append(label(measured_before(fn(x, w), x, kernel), k))
        print((f"{k:>2}  " + "  ".join(f"{c:19}" for c in cells)).rstrip())
    print()
    print("   ndimage.correlate with origin=-1 on an even kernel (origin must lie in")
    print("   [-(k//2), (k-1)//2]):")
    for k in (2, 4, 6):
        w = rng.integers(-9, 10, size=(k, k)).astype(np.float64)
        y = ndimage.correlate(x, w, mode="constant", cval=0.0, origin=-1)
        print(f"{k:>2}  {label(measured_before(y, x, w), k)}")
    print()
    print("   refconv.conv2d(x, w, padding='same') == scipy.signal.correlate2d(x, w, 'same'):")
    for k in range(1, 7):
        w = rng.integers(-9, 10, size=(k, k)).astype(np.float64)
        ours = refconv.conv2d(x[None, None], w[None, None], padding="same")[0, 0]
        print(f"{k:>2}  {np.array_equal(ours, signal.correlate2d(x, w, mode='same'))}")
    print()


# ---------------------------------------------------------------------------------------------
# boundary modes: scipy.ndimage names vs PyTorch padding_mode names
# ---------------------------------------------------------------------------------------------
NDIMAGE_MODES = ("constant", "reflect", "mirror", "nearest", "wrap")
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def ndimage_extension(row: np.ndarray, mode: str, width: int) -> np.ndarray:
    """The values ndimage reads outside ``row`` (``width`` each side), found by correlating with
    one-hot kernels: a one-hot at index m of a length-(2*width+1) kernel reads x[i + m - width]."""
    size = 2 * width + 1
    values = []
    for offset in range(-width, 0):  # positions -width .. -1, read from output 0
        kernel = np.zeros(size)
        kernel[offset + width] = 1.0
        values.append(ndimage.correlate1d(row, kernel, mode=mode, cval=0.0)[0])
    values.extend(row)
    last = len(row) - 1
    for beyond in range(1, width + 1):  # positions n .. n+width-1, read from output n-1
        kernel = np.zeros(size)
        kernel[beyond + width] = 1.0
        values.append(ndimage.correlate1d(row, kernel, mode=mode, cval=0.0)[last])
    return np.array(values)


def as_text(values: np.ndarray, width: int) -> str:
    letters = ["0" if v == 0 else "abcd"[int(v) - 1] for v in values]
    return (
        " ".join(letters[:width])
        + " | "
        + " ".join(letters[width:-width])
        + " | "
        + " ".join(letters[-width:])
    )


def section_boundary_modes() -> None:
    width = 2
    row = np.array([1.0, 2.0, 3.0, 4.0])  # a b c d
    print("== 3. boundary modes on the row a b c d, extended by 2 on each side, measured")
    refconv_rows = {
        mode: refconv_pad(row.reshape(1, 1, 1, 4), ((0, 0), (width, width)), mode)[0, 0, 0]
        for mode in PADDING_MODES
    }
    for mode, values in refconv_rows.items():
        print(f"   refconv / PyTorch padding_mode={mode!r:12} {as_text(values, width)}")
    for mode in NDIMAGE_MODES:
        values = ndimage_extension(row, mode, width)
        match = [m for m, v in refconv_rows.items() if np.array_equal(v, values)]
        same_as = f"= padding_mode={match[0]!r}" if match else "no PyTorch equivalent"
        print(f"   scipy.ndimage mode={mode!r:17} {as_text(values, width)}   {same_as}")
    print()
    print("   2-D check, 5x5 kernel: ndimage.correlate(x, w, mode=M) == refconv.conv2d(x, w,")
    print("   padding=2, padding_mode=P)")
    rng = np.random.default_rng(3)
    x = rng.integers(-9, 10, size=(7, 8)).astype(np.float64)
    w = rng.integers(-9, 10, size=(5, 5)).astype(np.float64)
    for nd_mode, mode in (
        ("constant", "zeros"),
        ("mirror", "reflect"),
        ("nearest", "replicate"),
        ("wrap", "circular"),
        ("reflect", "reflect"),
    ):
        theirs = ndimage.correlate(x, w, mode=nd_mode, cval=0.0)
        ours = refconv.conv2d(x[None, None], w[None, None], padding=2, padding_mode=mode)[0, 0]
        print(f"   ndimage {nd_mode!r:10} vs refconv {mode!r:11} {np.array_equal(ours, theirs)}")
    symmetric = correlate_valid(np.pad(x, 2, mode="symmetric"), w)
    theirs = ndimage.correlate(x, w, mode="reflect")
    print(
        f"   ndimage 'reflect'  vs np.pad(mode='symmetric') + valid  "
        f"{np.array_equal(symmetric, theirs)}"
    )
    print()


# ---------------------------------------------------------------------------------------------
# PyTorch, when it is installed
# ---------------------------------------------------------------------------------------------
def section_torch() -> None:
    print("== 4. PyTorch, checked by running it")
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        print("   torch is not installed: skipped")
        return
    print(f"   torch {torch.__version__}")
    rng = np.random.default_rng(5)
    x = rng.integers(-9, 10, size=(1, 2, 7, 8)).astype(np.float64)
    for k in (3, 4):
        w = rng.integers(-9, 10, size=(3, 2, k, k)).astype(np.float64)
        with warnings.catch_warnings():  # even k: "may require a zero-padded copy"
            warnings.filterwarnings("ignore", message="Using padding='same'")
            theirs = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding="same").numpy()
        ours = refconv.conv2d(x, w, padding="same")
        print(
            f"   F.conv2d(padding='same'), {k}x{k} kernel, stride 1 == refconv 'same': "
            f"{np.array_equal(ours, theirs)}"
        )
    try:
        torch.nn.Conv2d(2, 3, 3, stride=2, padding="same")
        print("   nn.Conv2d(stride=2, padding='same'): accepted")
    except ValueError as exc:
        print(f"   nn.Conv2d(stride=2, padding='same'): ValueError: {exc}")
    w = rng.integers(-9, 10, size=(3, 2, 5, 5)).astype(np.float64)
    for mode in PADDING_MODES:
        layer = torch.nn.Conv2d(
            2, 3, 5, padding=2, padding_mode=mode, bias=False, dtype=torch.float64
        )
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(w))
            theirs = layer(torch.from_numpy(x)).numpy()
        ours = refconv.conv2d(x, w, padding=2, padding_mode=mode)
        print(
            f"   nn.Conv2d(padding=2, padding_mode={mode!r:11}) == refconv: "
            f"{np.array_equal(ours, theirs)}"
        )
    # stride 2 with TensorFlow SAME: pad explicitly (F.pad takes (left, right, top, bottom))
    w = rng.integers(-9, 10, size=(3, 2, 4, 4)).astype(np.float64)
    (top, bottom), (left, right) = same_upper(7, 4, 2, 1), same_upper(8, 4, 2, 1)
    padded = F.pad(torch.from_numpy(x), (left, right, top, bottom))
    theirs = F.conv2d(padded, torch.from_numpy(w), stride=2).numpy()
    ours = refconv.conv2d(x, w, stride=2, padding="same")
    print(
        f"   F.pad(SAME_UPPER pads) + F.conv2d(stride=2), 4x4 kernel == refconv 'same': "
        f"{np.array_equal(ours, theirs)}, output {tuple(ours.shape[2:])}"
    )


def main() -> None:
    section_explicit_pads()
    section_scipy_same()
    section_boundary_modes()
    section_torch()


if __name__ == "__main__":
    main()
