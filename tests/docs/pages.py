"""Read the code blocks of the Markdown pages, run their commands, compare what they print.

Shared by the tests of this folder (the code blocks, the numbers in the prose, the notebook).
The conventions they check are written up in CONTRIBUTING.md, "Numbers in the docs".

A page's fenced blocks, and what the tests do with each:

* `````python``: executed, a page's blocks in one namespace, in page order; a block of
  ``>>>`` lines is a doctest and its shown output is compared.
* `````console`` or `````bash`` with ``$ command`` lines: each command runs in a shell from the
  repository root; the lines after it, up to the next ``$``, are its output, compared.
* `````bash`` without ``$``: every line is a command, run (its output is not compared).
* anything else (bare blocks, ``text``, diagrams): not run.

An HTML comment on the line just above a block (blank lines between are allowed) changes that:

* ``<!-- not run: REASON -->``: the block is skipped, with REASON as the test's skip reason;
  ``<!-- not run `CMD`, `CMD`: REASON -->`` skips only the lines of a bash block that start
  with those commands.
* ``<!-- output: machine-dependent -->``: the commands run, their output is not compared.
* ``<!-- output of: COMMAND -->`` above a block without ``$`` lines (bare or ``text``): the
  block is an excerpt of what COMMAND prints (it runs once for all the blocks that cite it).

Comparing output, only what must vary is normalised (:func:`normalise`): trailing spaces and
blank lines; a Python traceback shows only its last line (the frames hold paths), as the pages
do; hexadecimal addresses ``0x7f...``; the repository's own path. A line ``...`` (indented or
not) in the shown output stands for any number of lines (an excerpt), and lines that start
with ``[torch]`` are printed only where PyTorch can be imported, so they are not expected
elsewhere.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import runpy
import shlex
import subprocess
import sys
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from refconv.cli import main

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+|~~~+)(?P<info>.*)$")
MARKER = re.compile(
    r"^<!--\s*(?P<key>not run|output of|output)"  # what the marker says
    r"(?P<only>(\s*`[^`]+`,?)*)"  # not run `cmd`, `cmd`: only those lines of a bash block
    r"\s*:\s*(?P<value>.*?)\s*-->$"
)
ELLIPSIS = "..."
TORCH_PREFIX = "[torch]"


@dataclass(frozen=True)
class Block:
    """One fenced code block: where it is, its language, its text and its marker."""

    page: str  # relative to the repository root, e.g. "docs/separability.md"
    line: int  # 1-based line of the opening fence
    lang: str  # the info string's first word ("" for a bare block)
    text: str
    not_run: str | None = None  # the reason, from <!-- not run: reason -->
    not_run_only: tuple[str, ...] = ()  # from <!-- not run `cmd`, `cmd`: reason -->
    machine_dependent: bool = False  # from <!-- output: machine-dependent -->
    output_of: str | None = None  # from <!-- output of: command -->

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def skipped_whole(self) -> bool:
        return self.not_run is not None and not self.not_run_only


def pages() -> list[Path]:
    """The READMEs and every Markdown page under docs/, in a fixed order."""
    found = sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts)
    return [*sorted(ROOT.glob("README*.md")), *found]


def blocks(path: Path) -> list[Block]:
    """Every fenced code block of a Markdown file, with the marker just above it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found, i = [], 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if match is None:
            i += 1
            continue
        fence, indent = match["fence"], match["indent"]
        end = i + 1
        while end < len(lines) and not lines[end].startswith(indent + fence):
            end += 1
        body = "\n".join(line[len(indent) :] for line in lines[i + 1 : end])
        marker = _marker_above(lines, i)
        found.append(
            Block(
                page=path.relative_to(ROOT).as_posix(),
                line=i + 1,
                lang=(match["info"].split() or [""])[0],
                text=body,
                not_run=marker.get("not run"),
                not_run_only=tuple(re.findall(r"`([^`]+)`", marker.get("only", ""))),
                machine_dependent=marker.get("output") == "machine-dependent",
                output_of=marker.get("output of"),
            )
        )
        i = end + 1
    return found


def _marker_above(lines: list[str], fence_line: int) -> dict[str, str]:
    j = fence_line - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    match = MARKER.match(lines[j].strip()) if j >= 0 else None
    return {match["key"]: match["value"], "only": match["only"]} if match else {}


@dataclass(frozen=True)
class Command:
    """A ``$ command`` of a console block and the output the page shows for it."""

    command: str
    shown: str


def commands(block: Block) -> list[Command]:
    """The commands of a console or bash block; without ``$`` lines, each line is one."""
    lines = block.text.splitlines()
    if not any(line.startswith("$ ") for line in lines):
        return [Command(line.strip(), "") for line in lines if line.strip()]
    found: list[Command] = []
    for line in lines:
        if line.startswith("$ "):
            found.append(Command(line[2:].strip(), ""))
        elif found:
            found[-1] = Command(found[-1].command, found[-1].shown + line + "\n")
    return found


def environment() -> dict[str, str]:
    """The environment the commands run in: this Python's scripts first on PATH."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("COLUMNS", None)  # argparse would wrap help texts to the terminal
    return env


@cache
def run(command: str) -> tuple[int, str]:
    """Run a page's command from the repository root: (exit status, stdout and stderr).

    ``python -c CODE`` runs in this process (:func:`run_python_c`), as it would in a fresh
    interpreter but without one more import of refconv and Numba's cache for each of the
    many such commands on the errata pages; anything else runs in bash. Cached: a command
    shown on several pages (the English and the Chinese errata) runs once.
    """
    words = shlex.split(command, comments=True)
    if not needs_shell(command):
        if len(words) == 3 and words[:2] == ["python", "-c"]:
            return run_python_c(words[2])
        if words[0] == "refconv":
            return run_in_process(["refconv", *words[1:]], lambda: main(words[1:]))
        if words[:2] == ["python", "-m"] and words[2].split(".")[0] == "refconv":
            module = words[2]
            return run_in_process(
                [module, *words[3:]], lambda: runpy.run_module(module, run_name="__main__")
            )
        if words[0] == "python" and words[1].startswith("scripts/"):
            script = str(ROOT / words[1])
            return run_in_process(
                [script, *words[2:]], lambda: runpy.run_path(script, run_name="__main__")
            )
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=ROOT,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )
    return done.returncode, done.stdout


def needs_shell(command: str) -> bool:
    """Whether ``command`` needs bash: a pipe, list or redirection outside quotes (``;`` inside
    ``python -c "..."`` is Python's), or ``$`` and backquotes anywhere (bash expands them
    inside double quotes too)."""
    if "$" in command or "`" in command:
        return True
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    return any(set(token) <= set("();<>|&") for token in lexer if token)


def run_python_c(code: str) -> tuple[int, str]:
    """What ``python -c code`` prints (stdout and stderr) and its exit status, in-process."""
    return run_in_process(
        ["-c"], lambda: exec(compile(code, "<string>", "exec"), {"__name__": "__main__"})
    )


def run_in_process(argv: list[str], body: Callable[[], object]) -> tuple[int, str]:
    """What a command prints (stdout and stderr) and its exit status, run in this process
    from the repository root with ``sys.argv`` set to ``argv``: as in a fresh interpreter, but
    without a second import of refconv and Numba's cache for each of the pages' many
    commands (a second or more each).

    Like the interpreter: an uncaught exception prints its last traceback line and exits 1;
    a command's return value (``refconv``'s ``main``) or ``SystemExit`` is its status;
    warnings are shown once each (outside pytest's "warnings are errors"). ``COLUMNS`` is
    80, as for a command whose output is not a terminal (argparse wraps its help to it).
    """
    out = io.StringIO()
    status = 0
    cwd, saved_argv, saved_columns = os.getcwd(), sys.argv, os.environ.get("COLUMNS")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            # runpy's note that the module was imported before (by the tests): a fresh
            # interpreter, which the pages show, never prints it
            warnings.filterwarnings("ignore", "'refconv.* found in sys.modules", RuntimeWarning)
            try:
                os.chdir(ROOT)
                sys.argv = argv
                os.environ["COLUMNS"] = "80"
                returned = body()
                status = returned if isinstance(returned, int) else 0
            except SystemExit as stop:
                status = (
                    stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
                )
            except Exception as error:  # what the interpreter would print, then exit 1
                out.write("".join(traceback.format_exception_only(error)))
                status = 1
            finally:
                os.chdir(cwd)
                sys.argv = saved_argv
                if saved_columns is None:
                    os.environ.pop("COLUMNS", None)
                else:
                    os.environ["COLUMNS"] = saved_columns
    return status, out.getvalue()


TRACEBACK_FRAME = re.compile(r"^(  |\s*\^+\s*$|\s*~+\s*$)")
ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")


def normalise(text: str) -> list[str]:
    """Lines of printed output, with only what must vary between runs made equal.

    * trailing spaces of each line, and blank lines at the start and the end, are dropped;
    * a traceback keeps only its last line, the exception (the frames name files on the
      machine that ran it); the pages show errors that way;
    * hexadecimal addresses (``0x7f3a2c...``) become ``0x...``;
    * the repository's path becomes ``.``.
    """
    out: list[str] = []
    in_traceback = False
    for raw in text.splitlines():
        line = ADDRESS.sub("0x...", raw.rstrip()).replace(str(ROOT), ".")
        if line.startswith("Traceback (most recent call last):"):
            in_traceback = True
            continue
        if in_traceback and (TRACEBACK_FRAME.match(line) or not line):
            continue
        in_traceback = False
        out.append(line)
    while out and not out[0]:
        out.pop(0)
    while out and not out[-1]:
        out.pop()
    return out


def torch_available() -> bool:
    return importlib.util.find_spec("torch") is not None


def expected(shown: str) -> list[str]:
    """The shown output, normalised; ``[torch]`` lines dropped where PyTorch is missing."""
    lines = normalise(shown)
    if not torch_available():
        lines = [line for line in lines if not line.startswith(TORCH_PREFIX)]
    return lines


def matches(shown: list[str], printed: list[str]) -> bool:
    """Whether ``printed`` is ``shown``, a line ``...`` in it standing for any lines."""
    if not shown:
        return not printed
    if shown[0].strip() == ELLIPSIS:
        return any(matches(shown[1:], printed[k:]) for k in range(len(printed) + 1))
    return bool(printed) and shown[0] == printed[0] and matches(shown[1:], printed[1:])
