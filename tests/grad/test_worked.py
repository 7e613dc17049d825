"""The worked example of ``docs/gradients-notes.md`` is what ``python -m refconv.grad.worked``
prints, verbatim: the page's numbers come from the command, and cannot drift from it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from refconv.grad.worked import worked_example

PAGE = Path(__file__).parents[2] / "docs" / "gradients-notes.md"


def _block_after(text: str, marker: str) -> str:
    """The first fenced block after the line ``marker`` (the command's own block)."""
    after = text[text.index(marker) + len(marker) :]
    body = after.split("```\n", 2)[2]  # skip the rest of the command block, open the next
    return body.split("\n```", 1)[0]


def test_the_page_shows_what_the_command_prints():
    page = PAGE.read_text(encoding="utf-8")
    assert _block_after(page, "python -m refconv.grad.worked\n") == worked_example()


def test_the_command_prints_the_worked_example():
    result = subprocess.run(
        [sys.executable, "-m", "refconv.grad.worked"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == worked_example() + "\n"
