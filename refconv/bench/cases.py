"""The benchmark cases of :mod:`refconv.bench` and their closed-form costs.

The table runs the layers of a MobileNet-sized network at 56x56 and 28x28 (standard,
depthwise, pointwise, depthwise-separable and spatially separable), and the TDS example --
the articles' 12x12x3 image, 5x5 kernels and 256 outputs (the TDS introduction) -- both as a
standard convolution (``seed_standard``) and as its depthwise + pointwise pair
(``seed_separable``).

A :class:`Case` is one convolution family on one shape; :func:`multiplications`,
:func:`flops` and :func:`min_bytes` count what it must do, pass by pass, without running it.
Arithmetic intensity (FLOPs per byte) decides which roof of the machine bounds it.

>>> case = CASES_BY_NAME["seed_standard"]
>>> multiplications(case, batch=1)        # 8*8 outputs x 256 filters x 3*5*5 taps
1228800
>>> multiplications(CASES_BY_NAME["seed_separable"], batch=1)   # 4800 + 49152
53952
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

FAMILIES = ("standard", "depthwise", "pointwise", "separable", "spatial")
BYTES_PER_ELEMENT = 4  # every benchmark runs in float32


@dataclass(frozen=True)
class Case:
    """One benchmark shape: a convolution family on a square NCHW float32 input.

    Parameters
    ----------
    name : str
        Short identifier, used by ``--cases``.
    title : str
        What a reader sees in the table.
    family : {"standard", "depthwise", "pointwise", "separable", "spatial"}
        ``standard``: ``conv2d``; ``depthwise``: ``depthwise_conv2d`` (``c_out == c_in``);
        ``pointwise``: 1x1; ``separable``: depthwise kxk then pointwise; ``spatial``:
        ``spatial_separable_conv2d`` with ``groups=1``, kx1 (``c_in -> c_out``) then 1xk
        (``c_out -> c_out``).
    c_in, c_out : int
        Channels in and out.
    size : int
        Input height = width.
    kernel : int
        Kernel height = width (ignored by ``pointwise``).
    stride, padding : int
        As in :func:`refconv.conv2d`, for the equivalent kxk convolution.
    bar : float or None
        Largest acceptable ratio of refconv's median time to PyTorch's.
    """

    name: str
    title: str
    family: str
    c_in: int
    c_out: int
    size: int
    kernel: int = 3
    stride: int = 1
    padding: int = 0
    bar: float | None = None

    def out_size(self) -> int:
        """Output height = width."""
        k = 1 if self.family == "pointwise" else self.kernel
        return (self.size + 2 * self.padding - k) // self.stride + 1

    def stages(self) -> list[tuple[int, int, int, int, int, int, int, int, int]]:
        """The convolutions the case runs, one tuple per pass, in order.

        Each tuple is ``(c_in, c_out, groups, kH, kW, H_in, W_in, H_out, W_out)``.
        """
        c, o, k = self.c_in, self.c_out, self.kernel
        h = s = self.size  # H_in = W_in
        ho = self.out_size()  # H_out = W_out
        if self.family == "standard":
            return [(c, o, 1, k, k, h, s, ho, ho)]
        if self.family == "depthwise":
            return [(c, c, c, k, k, h, s, ho, ho)]
        if self.family == "pointwise":
            return [(c, o, 1, 1, 1, h, s, ho, ho)]
        if self.family == "separable":
            return [(c, c, c, k, k, h, s, ho, ho), (c, o, 1, 1, 1, ho, ho, ho, ho)]
        return [(c, o, 1, k, 1, h, s, ho, s), (o, o, 1, 1, k, ho, s, ho, ho)]

    def array_shapes(self, batch: int) -> dict[str, tuple[int, ...]]:
        """Shapes of the input and weights, keyed by refconv's argument names."""
        c, o, k = self.c_in, self.c_out, self.kernel
        shapes: dict[str, tuple[int, ...]] = {"x": (batch, c, self.size, self.size)}
        if self.family == "standard":
            shapes["weight"] = (o, c, k, k)
        elif self.family == "depthwise":
            shapes["weight"] = (c, 1, k, k)
        elif self.family == "pointwise":
            shapes["weight"] = (o, c, 1, 1)
        elif self.family == "separable":
            shapes.update(depthwise_weight=(c, 1, k, k), pointwise_weight=(o, c, 1, 1))
        else:
            shapes.update(column_weight=(o, c, k, 1), row_weight=(o, o, 1, k))
        return shapes


def multiplications(case: Case, batch: int = 1) -> int:
    """Multiplications of the case, summed over its passes (closed form).

    A pass makes ``N * C_out * H_out * W_out * (C_in / groups) * kH * kW`` of them.
    """
    return batch * sum(
        o * ho * wo * (c // g) * kh * kw for c, o, g, kh, kw, _, _, ho, wo in case.stages()
    )


def flops(case: Case, batch: int = 1) -> int:
    """``2 x multiplications``: one multiply and one add per tap (the usual convention)."""
    return 2 * multiplications(case, batch)


def min_bytes(case: Case, batch: int = 1) -> int:
    """The least memory traffic of the case as refconv runs it (pass by pass, unfused).

    Each pass reads its input and its weights once and writes its output once; the
    intermediate of a two-pass case is written by the first pass and read by the second.
    Padding is never materialised, so it costs nothing here.
    """
    elements = sum(
        batch * c * h * w + o * (c // g) * kh * kw + batch * o * ho * wo
        for c, o, g, kh, kw, h, w, ho, wo in case.stages()
    )
    return BYTES_PER_ELEMENT * elements


def intensity(case: Case, batch: int = 1) -> float:
    """Arithmetic intensity: FLOPs per byte of the minimum traffic."""
    return flops(case, batch) / min_bytes(case, batch)


CASES: tuple[Case, ...] = (
    Case("std_64_64", "standard 3x3 64->64 56² p1", "standard", 64, 64, 56, 3, 1, 1, 1.25),
    Case("std_64_128", "standard 3x3 64->128 56² p1", "standard", 64, 128, 56, 3, 1, 1, 1.25),
    Case("dw_64", "depthwise 3x3 C=64 56² p1", "depthwise", 64, 64, 56, 3, 1, 1, 0.7),
    Case("dw_256", "depthwise 3x3 C=256 28² p1", "depthwise", 256, 256, 28, 3, 1, 1, 0.9),
    Case("dw_s2_128", "depthwise 3x3 s2 C=128 112²->56²", "depthwise", 128, 128, 112, 3, 2, 1, 0.8),
    Case("pw_64_128", "pointwise 64->128 56²", "pointwise", 64, 128, 56, 1, 1, 0, 0.9),
    Case("sep_64_128", "dw 3x3 + pw 64->128 56² p1", "separable", 64, 128, 56, 3, 1, 1, 0.9),
    Case("spatial_64_64", "3x1 + 1x3 64->64 56² p1", "spatial", 64, 64, 56, 3, 1, 1, 1.25),
    Case("seed_standard", "TDS 12²x3 5x5 ->256 valid", "standard", 3, 256, 12, 5, 1, 0, 1.0),
    Case("seed_separable", "TDS 12²x3 dw5x5+pw ->256", "separable", 3, 256, 12, 5, 1, 0, 1.0),
)
CASES_BY_NAME = {case.name: case for case in CASES}

# Small shapes, one per family, for the cold-start measurement: the compile dominates.
COLD_CASES: tuple[Case, ...] = (
    Case("cold_standard", "standard (im2col)", "standard", 16, 16, 32, 3, 1, 1),
    Case("cold_depthwise", "depthwise (direct)", "depthwise", 16, 16, 32, 3, 1, 1),
    Case("cold_pointwise", "pointwise (GEMM)", "pointwise", 16, 32, 32, 1, 1, 0),
    Case("cold_separable", "separable (dw + pw)", "separable", 16, 32, 32, 3, 1, 1),
    Case("cold_spatial", "spatial (3x1 + 1x3)", "spatial", 16, 16, 32, 3, 1, 1),
)


def select_cases(names: Iterable[str] | None) -> list[Case]:
    """The table's cases with these names (all when ``names`` is None)."""
    if not names:
        return list(CASES)
    unknown = [name for name in names if name not in CASES_BY_NAME]
    if unknown:
        raise ValueError(
            f"unknown benchmark case(s) {unknown}; choose from {sorted(CASES_BY_NAME)}"
        )
    return [CASES_BY_NAME[name] for name in names]
