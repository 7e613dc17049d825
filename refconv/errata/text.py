"""Small helpers that let long prose be written over several source lines.

>>> en('''one
...       two''')
'one two'
>>> zh('''深度卷积
...       和逐点卷积，3 → 32,
...       32 → 64 的
...       Keras 层''')
'深度卷积和逐点卷积，3 → 32, 32 → 64 的 Keras 层'
>>> print(code('''
...     x = 1
...     y = 2
... '''))
x = 1
y = 2
"""

from __future__ import annotations

import re
import textwrap


def en(text: str) -> str:
    """English prose: every run of whitespace, line breaks included, becomes one space."""
    return " ".join(text.split())


def _ideograph(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _latin(ch: str) -> bool:
    # a word, code, inline math, or a template's {field}
    return ch.isascii() and (ch.isalnum() or ch in "`${}")


def _space(left: str, right: str) -> bool:
    """Whether a line break between ``left`` and ``right`` stands for a space."""
    if left.isascii() and right.isascii():  # two English words or numbers
        return left not in "([ " and right not in ")],.;:"
    # Chinese and Latin text side by side take a space (汉字 Keras 汉字); punctuation none
    return (_ideograph(left) and _latin(right)) or (_latin(left) and _ideograph(right))


def zh(text: str) -> str:
    """Chinese prose: lines are joined without a space, except where Latin text meets.

    Chinese needs no space where a line was broken; ``3 → 32,`` and ``32 → 64`` do, and so
    do a Chinese word and a Latin one, code or inline math (``运行 `python` 可``). A line
    holding only "…" marks a cut in a quote and stays a line of its own.
    """
    parts = []
    for part in re.split(r"\n\s*…\s*\n", text.strip()):  # "…" alone on a line: a cut
        out = ""
        for line in part.splitlines():
            line = line.strip()
            if out and line and _space(out[-1], line[0]):
                out += " "
            out += line
        parts.append(out)
    return "\n…\n".join(parts)


class Listing(str):
    """A quote that is code or a display formula: shown as printed, in a code block."""


def code(text: str) -> Listing:
    """A listing or formula as printed: common indentation and outer blank lines removed."""
    return Listing(textwrap.dedent(text).strip("\n"))
