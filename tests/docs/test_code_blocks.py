"""Every code block of README.md and docs/ runs, and prints what the page shows.

One test case per block, named by page and line (``docs/separability.md:31``). The rules
(which blocks run, the markers, what is normalised) are in ``pages.py`` beside this file and in
CONTRIBUTING.md, "Numbers in the docs". A failing comparison prints the command, the output
the page shows and the output it prints now: check the new output is right, then paste it.
"""

from __future__ import annotations

import contextlib
import difflib
import doctest
import io
import re
from pathlib import Path

import pytest

from .pages import ELLIPSIS, ROOT, Block, commands, expected, matches, normalise, pages, run
from .pages import blocks as read_blocks

RUNNABLE = {"python", "console", "bash", "sh", "shell"}
BLOCKS = [b for page in pages() for b in read_blocks(page) if b.lang in RUNNABLE or b.output_of]


def case(block: Block):
    marks = [pytest.mark.skip(reason=block.not_run)] if block.skipped_whole else []
    return pytest.param(block, id=block.id, marks=marks)


# ---------------------------------------------------------------- python blocks

NAMESPACES: dict[str, dict] = {}  # page -> its namespace
DONE: dict[str, set[int]] = {}  # page -> lines of the blocks already run in it


def run_python(block: Block) -> None:
    """Run a python block in its page's namespace, after the page's earlier blocks."""
    namespace = NAMESPACES.setdefault(block.page, {"__name__": "__main__"})
    done = DONE.setdefault(block.page, set())
    earlier = [
        b
        for b in BLOCKS
        if b.page == block.page and b.lang == "python" and b.line < block.line and not b.not_run
    ]
    for b in [*earlier, block]:
        if b.line not in done:
            done.add(b.line)  # once, even if it fails: the failure is reported by its own case
            _execute(b, namespace)


def _execute(block: Block, namespace: dict) -> None:
    if block.text.lstrip().startswith(">>>"):
        test = doctest.DocTestParser().get_doctest(
            block.text, namespace, block.id, block.page, block.line
        )
        out = io.StringIO()
        runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
        runner.run(test, out=out.write, clear_globs=False)
        assert runner.failures == 0, out.getvalue()
    else:
        code = compile(block.text, f"{block.page}, block at line {block.line}", "exec")
        with contextlib.redirect_stdout(io.StringIO()):  # what it prints is not shown
            exec(code, namespace)


# ---------------------------------------------------------------- console and bash blocks


# The commands a page may show unmarked: refconv's own, cheap enough for every test run.
# Anything else (installing, the test suite itself, a benchmark) needs a not-run marker.
ALLOWED = re.compile(r"^([A-Z_]+=\S+ )*(refconv |python (-c |-m refconv[.\w]*( |$)|scripts/))")


def check_commands(block: Block) -> None:
    skipped = block.not_run_only
    ran = 0
    for command in commands(block):
        if any(command.command.startswith(s) for s in skipped):
            continue
        assert ALLOWED.match(command.command), (
            f"{block.id}: `{command.command}` is not a refconv command; if it must not run in "
            "the tests, mark the block <!-- not run: reason --> (naming it in backquotes)"
        )
        status, printed = run(command.command)
        ran += 1
        if block.machine_dependent:
            assert status == 0, f"$ {command.command}\nexit status {status}\n{printed}"
            continue
        shown = expected(command.shown)
        if not shown:  # a bash line without output: it must run
            assert status == 0, f"$ {command.command}\nexit status {status}\n{printed}"
            continue
        got = normalise(printed)
        assert matches(shown, got), (
            f"{block.id}: the output of\n$ {command.command}\nhas drifted (- page, + now):\n"
            + "\n".join(difflib.unified_diff(shown, got, "page", "now", lineterm="", n=1))
        )
    assert ran, f"{block.id}: no command ran"


@pytest.mark.parametrize(
    "block",
    [case(b) for b in BLOCKS],
)
def test_code_block(block: Block):
    if block.output_of:
        check_excerpt(block)
    elif block.lang == "python":
        run_python(block)
    else:
        check_commands(block)


def check_excerpt(block: Block) -> None:
    """A block marked <!-- output of: COMMAND -->: its lines are a run of COMMAND's output."""
    assert ALLOWED.match(block.output_of), f"{block.id}: `{block.output_of}` is not refconv's"
    status, printed = run(block.output_of)
    assert status == 0, f"$ {block.output_of}\nexit status {status}\n{printed}"
    shown, got = expected(block.text), normalise(printed)
    assert matches([ELLIPSIS, *shown, ELLIPSIS], got), (
        f"{block.id}: this excerpt of `{block.output_of}` has drifted; it prints now:\n"
        + "\n".join(got)
    )


# ---------------------------------------------------------------- the reader itself


def test_the_reader_finds_the_blocks_it_should():
    page = ROOT / "docs" / "separability.md"
    found = [b for b in read_blocks(page) if b.lang in RUNNABLE]
    assert [b.lang for b in found][:3] == ["console", "python", "console"]
    (first,) = commands(found[0])
    assert first.command == 'refconv separable "[[3,6,9],[4,8,12],[5,10,15]]"'
    assert first.shown.splitlines()[0] == "..."


def test_every_marker_sits_above_a_block():
    for page in pages():
        text = page.read_text(encoding="utf-8")
        lines = text.splitlines()
        fences = {b.line for b in read_blocks(page)}
        for i, line in enumerate(lines, start=1):
            if line.strip().startswith(("<!-- not run", "<!-- output")):
                nxt = next(j for j in range(i + 1, len(lines) + 1) if lines[j - 1].strip())
                assert nxt in fences, f"{page.name}:{i}: a marker with no code block below it"


def test_the_comparison_can_fail():
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["...", "c", "..."], ["a", "b", "c", "d"])
    assert not matches(["a", "c"], ["a", "b", "c"])
    assert not matches(["a", "..."], ["b"])
    tb = 'Traceback (most recent call last):\n  File "<string>", line 1\n    f()\nValueError: x'
    assert normalise(tb) == ["ValueError: x"]
    assert normalise(f"at 0x7f3a2c4d5e60 in {Path(ROOT, 'x')}  \n\n") == ["at 0x... in ./x"]
