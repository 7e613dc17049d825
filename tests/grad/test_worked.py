"""The worked example of ``docs/gradients-notes.md`` is what ``refconv.grad.worked.main``
prints, verbatim: the page's numbers come from the command it shows, and cannot drift."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from refconv.grad.worked import worked_example

PAGE = Path(__file__).parents[2] / "docs" / "gradients-notes.md"


def _output_after(text: str, command: str) -> str:
    """What the page shows ``$ command`` printing: the lines after it, up to the fence."""
    after = text[text.index(f"$ {command}\n") + len(command) + 3 :]
    return after.split("\n```", 1)[0]


def test_the_page_shows_what_the_command_prints():
    page = PAGE.read_text(encoding="utf-8")
    command = 'python -c "from refconv.grad.worked import main; main()"'
    assert _output_after(page, command) == worked_example()


def test_the_command_prints_the_worked_example():
    result = subprocess.run(
        [sys.executable, "-m", "refconv.grad.worked"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == worked_example() + "\n"
