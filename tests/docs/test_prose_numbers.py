"""Every number the pages quote in prose is printed by the command registered for it.

The registry is ``prose_numbers.PROSE``; what is checked is said there. Each command runs once
(``pages.run``), from the repository root.
"""

from __future__ import annotations

import re

import pytest

from .pages import ROOT, normalise, run
from .prose_numbers import PROSE, TABLE

CASES = [
    pytest.param(page, command, numbers, id=f"{page}: {command[:60]}")
    for page, sources in PROSE.items()
    for command, numbers in sources.items()
]


def token(text: str) -> re.Pattern[str]:
    """``text`` as a whole number: not part of a longer one ("4,800" is not in "14,800")."""
    return re.compile(r"(?<![\d.,])" + re.escape(text) + r"(?![\d]|[.,]\d)")


def rounds_to(printed: str, written: str) -> bool:
    """Whether ``printed`` rounded to the digits of ``written`` gives ``written``."""
    mantissa, _, exponent = written.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    style = "e" if exponent else "f"
    return float(f"{float(printed):.{decimals}{style}}") == float(written)


@pytest.mark.parametrize(("page", "command", "numbers"), CASES)
def test_each_number_in_the_prose_is_printed_by_its_command(page, command, numbers):
    text = (ROOT / page).read_text(encoding="utf-8")
    status, output = run(command)
    assert status == 0, f"$ {command}\nexit status {status}\n{output}"
    for number in numbers:
        if number == TABLE:
            check_table(page, text, command, output)
            continue
        written, printed = number if isinstance(number, tuple) else (number, number)
        assert token(written).search(text), f"{page} no longer says {written}: update PROSE"
        assert token(printed).search(output), f"`{command}` no longer prints {printed}"
        if isinstance(number, tuple):
            assert rounds_to(printed, written), f"{printed} does not round to {written}"


def check_table(page: str, text: str, command: str, output: str) -> None:
    rows = [line for line in normalise(output) if line.startswith("|")]
    assert rows, f"`{command}` prints no Markdown table"
    lines = normalise(text)
    starts = [i for i, line in enumerate(lines) if line == rows[0]]
    assert any(lines[i : i + len(rows)] == rows for i in starts), (
        f"{page}: the table printed by `{command}` has drifted; it prints now:\n" + "\n".join(rows)
    )


BAR_ROW = re.compile(r"^\| `(?P<name>\w+)` \|.*\| ≤ (?P<bar>[\d.]+) \|$", re.MULTILINE)
BAR_LISTED = re.compile(r"^(?P<name>\w+)\s.*? bar ≤(?P<bar>[\d.]+)", re.MULTILINE)


def test_the_bench_bars_are_the_benchmarks():
    text = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    status, listed = run("refconv bench --list")
    assert status == 0, listed
    on_page = {m["name"]: float(m["bar"]) for m in BAR_ROW.finditer(text)}
    in_code = {m["name"]: float(m["bar"]) for m in BAR_LISTED.finditer(listed)}
    assert len(on_page) >= 10
    assert on_page == in_code


def test_the_checks_can_fail():
    assert token("4,800").search("exact 4,800  (")
    assert not token("4,800").search("exact 14,800")
    assert not token("1.3").search("1.30x")
    assert rounds_to("0.6102", "0.61") and not rounds_to("0.6152", "0.61")
    assert rounds_to("2.93818739e-18", "2.9e-18") and not rounds_to("2.96e-18", "2.9e-18")
