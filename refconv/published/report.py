"""The checks of :mod:`refconv.published` as a student reads them: ``refconv count``'s report.

One check a line (or a few, within :data:`WIDTH` columns): the verdict in brackets, the number
as the source prints it beside refconv's exact one, the convention that connects them, and a
note; then the totals. :func:`print_all` prints it (``refconv count``,
``python scripts/verify_counts.py``); :func:`verification_json` gives the same as data
(``refconv count --json``).
"""

from __future__ import annotations

import dataclasses
import re
import sys
import textwrap
from typing import Any, TextIO

from .check import Check

#: The widest line ``refconv count`` and ``refconv demo`` print (a terminal, a printed page).
WIDTH = 100

#: A shape as the articles print it, e.g. ``12x12x256``: such a printed value is not a count.
SHAPE = re.compile(r"^\d+(x\d+)+$")
NBSP = "\u00a0"  # joins words that a line must not separate (textwrap breaks at ASCII spaces)


def kept(text: str) -> str:
    """``text`` as one word for :func:`wrapped`: "exact 10,793,196" is not cut in two."""
    return text.replace(" ", NBSP)


def wrapped(text: str, first: str = "", rest: str = "") -> list[str]:
    """``text`` cut into lines of at most :data:`WIDTH` characters, between words.

    >>> wrapped("a b " * 30 + kept("c d"))[-1]
    'a b a b a b a b a b c d'
    """
    lines = textwrap.wrap(
        text,
        WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [line.replace(NBSP, " ") for line in lines]


def verdict(check: Check) -> str:
    """``ok``, ``erratum``, ``info`` or ``mismatch``: the word :func:`check_lines` shows."""
    if not check.ok:
        return "mismatch"
    return check.tolerance if check.tolerance in ("erratum", "info") else "ok"


def check_lines(check: Check) -> list[str]:
    """One :class:`~refconv.published.check.Check` as ``refconv count`` prints it, in :data:`WIDTH`.

    The verdict in brackets, the number as the source prints it beside refconv's exact one,
    the convention that connects them, and the note. A source that printed a shape (an
    output ``12x12x256``) is not set against a count: the note says what refconv finds.

    >>> check = Check("tds", "depthwise", "4,800", 4800, "multiplications", "exact", True)
    >>> print("\\n".join(check_lines(check)))
      [ok      ] depthwise: printed 4,800, exact 4,800  (multiplications; exact)
    """
    status = {"ok": "ok", "erratum": "ERRATUM", "info": "info", "mismatch": "MISMATCH"}
    word = verdict(check)
    value = f"{check.exact:,}" if isinstance(check.exact, int) else f"{check.exact:.6g}"

    how = check.convention
    if word not in ("erratum", "info"):  # the bracket already says erratum or info
        how += f"; {kept(check.tolerance)}"

    if check.printed == "-":  # nothing printed: a number refconv adds for reference
        said = f"{check.what}: {value}  ({how})"
    elif SHAPE.match(check.printed):  # a shape, not a count: the note tells the count
        said = f"{check.what}: printed {kept('output ' + check.printed)}"
    else:
        said = (
            f"{check.what}: {kept('printed ' + check.printed)}, {kept('exact ' + value)}  ({how})"
        )
    first, indent = f"  [{status[word]:8}] ", " " * 13
    lines = [f"{first}{said}".replace(NBSP, " ")]
    if len(lines[0]) > WIDTH:  # the convention on its own line, whole
        said, _, rest = said.partition("  (")
        lines = wrapped(said, first, indent) + (
            wrapped(f"({rest}", indent, indent + " ") if rest else []
        )
    if check.note:
        lines += wrapped(check.note, indent + "-> ", indent + "   ")
    return lines


def print_all(stream: TextIO | None = None) -> int:
    """Every check, section by section, then the totals; returns the number of mismatches."""
    from . import SECTIONS  # the sections import the articles' models: only when printing

    out = stream if stream is not None else sys.stdout
    mismatches = errata = total = 0
    for title, make in SECTIONS.items():
        print(title, file=out)
        for check in make():
            print("\n".join(check_lines(check)), file=out)
            total += 1
            mismatches += not check.ok
            errata += verdict(check) == "erratum"
        print(file=out)
    print(
        f"{total} numbers checked, {errata} errata reproduced, {mismatches} mismatches.", file=out
    )
    return mismatches


def check_json(check: Check) -> dict[str, Any]:
    """One :class:`refconv.published.Check` as JSON-ready data, with its verdict."""
    return {**dataclasses.asdict(check), "verdict": verdict(check)}


def verification_json() -> dict[str, Any]:
    """``refconv count --json``: every check, section by section, and the totals.

    ``{"sections": [{"title", "checks": [{"source", "what", "printed", "exact",
    "convention", "tolerance", "ok", "note", "verdict"}, ...]}, ...], "checked", "errata",
    "mismatches", "ok"}``; ``printed`` is the number as the source prints it, ``exact`` what
    refconv computes.
    """
    from . import SECTIONS

    sections: list[dict[str, Any]] = [
        {"title": title, "checks": [check_json(c) for c in make()]}
        for title, make in SECTIONS.items()
    ]
    checks = [c for section in sections for c in section["checks"]]
    mismatches = sum(c["verdict"] == "mismatch" for c in checks)
    return {
        "sections": sections,
        "checked": len(checks),
        "errata": sum(c["verdict"] == "erratum" for c in checks),
        "mismatches": mismatches,
        "ok": mismatches == 0,
    }
