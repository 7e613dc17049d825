"""How much each framework pads, and where the odd pixel goes: the formulas side by side.

Every pad is written ``(before, after)``: rows added at the top / columns at the left, then at
the bottom / right. One axis of size ``H``, kernel ``k``, stride ``s``, dilation ``d``; the
output size is PyTorch's ``floor((H + before + after - d*(k-1) - 1) / s) + 1``.

* PyTorch, an int ``padding``: the usual choice ``d*(k-1)//2`` on both sides (a ``k``-even
  kernel then loses a row);
* PyTorch ``padding='same'``: total ``d*(k-1)``, the odd pixel at the end; stride 1 only;
* TensorFlow ``'SAME'`` = ONNX ``SAME_UPPER``: the output is ``ceil(H / s)``, the total pad is
  what that needs, the odd pixel at the end (after);
* ONNX ``SAME_LOWER``: the same total, the odd pixel at the beginning (before).

refconv's ``padding="same"`` is ``SAME_UPPER``. Each rule below is written from the
framework's documentation, not from refconv's code, so the table can check refconv against it.

A worked example, ``H = 7`` and a 4-wide kernel at stride 1: the total is 3, so

>>> torch_int_padding(4, 1), torch_same(4, 1, 1), same_upper(7, 4, 1, 1), same_lower(7, 4, 1, 1)
((1, 1), (1, 2), (1, 2), (2, 1))

``(1, 1)`` gives 6 rows; the other three give 7.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...arguments import explicit_padding, output_size

__all__ = [
    "CASES",
    "PadRow",
    "pad_rows",
    "pad_table",
    "same_lower",
    "same_total",
    "same_upper",
    "torch_int_padding",
    "torch_same",
]

Pair = tuple[int, int]

# (H, k, s, d): odd and even kernels, strides 1 to 3, dilation 2, ResNet's 224 -> 112 stem
CASES: list[tuple[int, int, int, int]] = [
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


def torch_int_padding(k: int, d: int) -> Pair:
    """The usual PyTorch choice ``padding = d*(k-1)//2``, the same on both sides.

    >>> torch_int_padding(3, 1), torch_int_padding(3, 2)
    ((1, 1), (2, 2))
    """
    p = d * (k - 1) // 2
    return p, p


def torch_same(k: int, s: int, d: int) -> Pair | None:
    """PyTorch ``padding='same'``: total ``d*(k-1)``, the odd pixel at the end; ``None`` for
    stride > 1, which PyTorch refuses.

    >>> torch_same(4, 1, 1), torch_same(3, 2, 1)
    ((1, 2), None)
    """
    if s != 1:
        return None
    total = d * (k - 1)
    return total // 2, total - total // 2


def same_total(size: int, k: int, s: int, d: int) -> int:
    """TensorFlow / ONNX SAME: ``out = ceil(size / s)``,
    ``total = max((out - 1)*s + (k - 1)*d + 1 - size, 0)``.

    >>> same_total(224, 7, 2, 1)  # 112 outputs need (112 - 1)*2 + 7 = 229 rows: 5 more
    5
    """
    out = -(-size // s)
    return max((out - 1) * s + (k - 1) * d + 1 - size, 0)


def same_upper(size: int, k: int, s: int, d: int) -> Pair:
    """TensorFlow ``'SAME'``, ONNX ``auto_pad=SAME_UPPER``: the odd pixel at the end.

    >>> same_upper(224, 7, 2, 1)
    (2, 3)
    """
    total = same_total(size, k, s, d)
    return total // 2, total - total // 2


def same_lower(size: int, k: int, s: int, d: int) -> Pair:
    """ONNX ``auto_pad=SAME_LOWER``: the odd pixel at the beginning.

    >>> same_lower(224, 7, 2, 1)
    (3, 2)
    """
    total = same_total(size, k, s, d)
    return total - total // 2, total // 2


@dataclass(frozen=True)
class PadRow:
    """One ``(H, k, s, d)`` case: each convention's pads, and refconv's ``'same'`` pads."""

    size: int
    k: int
    s: int
    d: int
    torch_int: Pair
    torch_same: Pair | None
    same_upper: Pair
    same_lower: Pair
    promised: int  # ceil(H / s), the output TensorFlow and ONNX promise for SAME
    refconv: Pair

    def output(self, pads: Pair) -> int:
        """The output size with ``pads = (before, after)``."""
        return output_size(self.size, self.k, self.s, self.d, *pads)


def pad_rows(cases: list[tuple[int, int, int, int]] = CASES) -> list[PadRow]:
    """Every convention's pads for each ``(H, k, s, d)`` in ``cases``.

    Examples
    --------
    >>> row = pad_rows([(7, 4, 1, 1)])[0]
    >>> row.refconv == row.same_upper, row.output(row.torch_int), row.output(row.same_upper)
    (True, 6, 7)
    """
    rows = []
    for size, k, s, d in cases:
        ours = explicit_padding("same", (k, k), (s, s), (d, d), (size, size))[0]  # (top, bottom)
        rows.append(
            PadRow(
                size,
                k,
                s,
                d,
                torch_int_padding(k, d),
                torch_same(k, s, d),
                same_upper(size, k, s, d),
                same_lower(size, k, s, d),
                -(-size // s),
                ours,
            )
        )
    return rows


def _cell(row: PadRow, pads: Pair | None) -> str:
    if pads is None:
        return "error (stride > 1)"
    return f"{pads} -> {row.output(pads)}"


def pad_table(rows: list[PadRow]) -> str:
    """Section 1 of ``python scripts/padding_conventions.py``: the rows as a table."""
    lines = [
        "== 1. explicit pads (before, after) -> output size, per axis",
        "   PyTorch int: padding = d*(k-1)//2 both sides | PyTorch 'same': stride 1 only",
        "   SAME_UPPER: TensorFlow 'SAME', ONNX SAME_UPPER | SAME_LOWER: ONNX only",
        "   ceil(H/s): the output size TensorFlow and ONNX promise for SAME",
        f"{'H':>4} {'k':>2} {'s':>2} {'d':>2}  {'PyTorch int':16} {'PyTorch same':19} "
        f"{'SAME_UPPER':16} {'SAME_LOWER':16} {'ceil(H/s)':>9}  refconv 'same'",
    ]
    for row in rows:
        verdict = "= SAME_UPPER" if row.refconv == row.same_upper else f"{row.refconv} DIFFERS"
        lines.append(
            f"{row.size:>4} {row.k:>2} {row.s:>2} {row.d:>2}  {_cell(row, row.torch_int):16} "
            f"{_cell(row, row.torch_same):19} {_cell(row, row.same_upper):16} "
            f"{_cell(row, row.same_lower):16} {row.promised:>9}  {verdict}"
        )
    return "\n".join(lines)
