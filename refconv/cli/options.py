"""What every ``refconv`` subcommand shares: its options are checked the same way.

Each subcommand module of :mod:`refconv.cli` exposes ``register(subparsers)``, which adds its
parser and sets two defaults: ``func``, the function that runs it (returning the exit status),
and ``prog``, the name its error lines start with (``refconv count``).

What they share lives here, because every command line must behave the same way:

* :class:`Parser` turns argparse's usage errors into one line on stderr, exit status 2;
* :func:`integer`, :func:`dims` and :func:`path` are argparse ``type=`` functions: a value
  that passes them is one the library accepts, and the error of one that does not says what
  was given and what is expected (argparse adds the option's name);
* :func:`check_output_dir` makes sure an output folder can be written *before* the work;
* :func:`fail` and :func:`error_line` print the one line of a user error;
* :func:`to_json` writes what ``--json`` prints: always valid JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

#: Largest image side, kernel size, stride, dilation and padding ``refconv count`` accepts: its
#: closed-form counts walk the output rows and columns, so these sizes bound their time.
SPATIAL_MAX = 65536
#: Largest channel count (and --image side of ``refconv separable``): the counts are exact
#: Python ints, so only the kernels' int64 index range (2**62, as refconv.conv2d) limits them.
COUNT_MAX = 2**62


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose usage errors are one line: ``refconv count: error: ...``.

    argparse prints the usage block before the error; one line is easier to read in a
    terminal and to test. ``--help`` still prints the usage.
    """

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())}\n")


def limit_text(value: int) -> str:
    """``2**62`` for the index limit, the plain number otherwise."""
    return "2**62" if value == COUNT_MAX else str(value)


def shown(text: str, width: int = 40) -> str:
    """``text`` quoted for an error line, cut to ``width`` characters (a value may be huge)."""
    return repr(text) if len(text) <= width else repr(text[:width]) + f"... ({len(text)} chars)"


def integer(minimum: int, maximum: int) -> Callable[[str], int]:
    """An argparse ``type=`` that reads an int in ``[minimum, maximum]``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:  # not a number, or more digits than Python converts
            value = None
        if value is None or not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(
                f"expected an int from {minimum} to {limit_text(maximum)}; got {shown(text)}"
            )
        return value

    return parse


def dims(names: Sequence[str], maxima: Sequence[int], example: str) -> Callable[[str], tuple]:
    """An argparse ``type=`` that reads sizes such as ``12x12x3`` into a tuple of ints.

    ``names`` are the letters of the user's order (``"H", "W", "C"``), ``maxima`` the largest
    value of each; the result is in that same order.
    """
    form = "x".join(names)
    ranges = ", ".join(f"{n} from 1 to {limit_text(m)}" for n, m in zip(names, maxima, strict=True))

    def parse(text: str) -> tuple[int, ...]:
        parts = text.lower().replace(",", "x").split("x")
        try:
            values = tuple(int(part) for part in parts)
        except ValueError:
            values = ()
        fits = len(values) == len(names) and all(
            1 <= v <= m for v, m in zip(values, maxima, strict=True)
        )
        if not fits:
            raise argparse.ArgumentTypeError(
                f"expected {form} ({ranges}), e.g. {example}; got {shown(text)}"
            )
        return values

    return parse


def path(text: str) -> str:
    """An argparse ``type=`` for a file or folder name: anything but an empty string."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"expected a path; got {shown(text)}")
    return text


def check_output_dir(folder: str) -> str | None:
    """Create ``folder`` if needed and check a file can be written in it.

    Returns ``None`` when it can, else the reason it cannot (for the error line).
    """
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        return error_line(exc)
    return None


def check_output_file(name: str) -> str | None:
    """Check ``name`` can be written (without changing it); ``None`` or the reason it cannot."""
    file = Path(name)
    try:
        existed = file.exists()
        with open(file, "a"):
            pass
        if not existed:
            file.unlink()
    except (OSError, ValueError) as exc:
        return error_line(exc)
    return None


def to_json(data: Any, indent: int = 2) -> str:
    """``data`` as indented JSON that any parser reads: NaN and infinities become ``null``.

    (Python's ``json`` would write ``NaN`` and ``Infinity``, which are not JSON.)
    """
    return json.dumps(_finite(data), indent=indent, allow_nan=False)


def _finite(data: Any) -> Any:
    if isinstance(data, float) and not math.isfinite(data):
        return None
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_finite(value) for value in data]
    return data


def error_line(exc: BaseException) -> str:
    """An exception as one line of text, e.g. ``Not a directory: '/dev/null/x'``."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename!r}" if exc.filename else exc.strerror
    if isinstance(exc, MemoryError):
        return f"out of memory{': ' + str(exc) if str(exc) else ''}; try smaller sizes"
    return " ".join(str(exc).split()) or type(exc).__name__


def fail(args: argparse.Namespace, message: str) -> int:
    """Print ``<prog>: error: <message>`` as one line on stderr; return exit status 2."""
    prog = getattr(args, "prog", "refconv")
    print(f"{prog}: error: {' '.join(message.split())}", file=sys.stderr)
    return 2
