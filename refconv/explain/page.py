"""What a worked example prints: lines of text, named arrays and checks, kept as data.

A worked example in :mod:`refconv.explain` is a list of *items*, in the order a reader meets
them on the page:

* :class:`Text`: one line of prose, a shape, a table row;
* :class:`Array`: an integer-valued array under its name, the way the docs show it;
* :class:`Check`: an identity that must hold, and whether it did (printed ``label: True``).

An item whose ``torch`` flag is set comes from running PyTorch; :func:`render` starts its line
with ``[torch]``. Because the items are data, a test reads the numbers themselves
(``array(items, "y[0]")``, ``failed(items)``) instead of parsing printed text, and
:func:`render` is the one place that decides how the page looks.

>>> import numpy as np
>>> items = [Text("== a 2x2 example"), Array("x", np.array([[1, 2], [3, 4]])),
...          Check("x.sum() == 10", np.array([[1, 2], [3, 4]]).sum() == 10)]
>>> print(render(items))
== a 2x2 example
x =
    [[1 2]
     [3 4]]
x.sum() == 10: True
>>> failed(items)
[]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Array",
    "Check",
    "Item",
    "Text",
    "array",
    "array_lines",
    "checks",
    "failed",
    "header",
    "render",
    "text",
]


@dataclass(frozen=True)
class Text:
    """One printed line; ``torch=True`` marks a line that needed PyTorch."""

    text: str
    torch: bool = False


@dataclass(frozen=True)
class Array:
    """An integer-valued array printed under its name (``name =``, then indented rows)."""

    name: str
    values: np.ndarray


@dataclass(frozen=True)
class Check:
    """An identity and whether it held; ``ok`` is stored as a plain ``bool``."""

    label: str
    ok: bool
    torch: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "ok", bool(self.ok))  # np.bool_ -> bool, so it prints True


Item = Text | Array | Check


def header(title: str) -> list[Item]:
    """A section title, after a blank line: ``["", "== title"]``."""
    return [Text(""), Text(f"== {title}")]


def array_lines(name: str, values: object) -> list[str]:
    """``name =`` and then the rows of ``values`` as integers, indented by four spaces.

    Examples
    --------
    >>> array_lines("w", [[1, 0], [0, -1]])
    ['w =', '    [[ 1  0]', '     [ 0 -1]]']
    """
    rows = np.array2string(np.asarray(values).astype(np.int64), separator=" ").splitlines()
    return [f"{name} =", *(f"    {row}" for row in rows)]


def _lines(item: Item) -> list[str]:
    if isinstance(item, Array):
        return array_lines(item.name, item.values)
    prefix = "[torch] " if item.torch else ""
    if isinstance(item, Check):
        return [f"{prefix}{item.label}: {item.ok}"]
    return [f"{prefix}{item.text}"]


def render(items: Iterable[Item]) -> str:
    """The printed page: every item's lines, joined by newlines (no newline at the end)."""
    return "\n".join(line for item in items for line in _lines(item))


def checks(items: Iterable[Item]) -> list[Check]:
    """The checks among ``items``, in order."""
    return [item for item in items if isinstance(item, Check)]


def failed(items: Iterable[Item]) -> list[str]:
    """The labels of the checks that did not hold (an empty list when all did)."""
    return [check.label for check in checks(items) if not check.ok]


def array(items: Iterable[Item], name: str) -> np.ndarray:
    """The values of the one :class:`Array` called ``name``; a ``KeyError`` if there is not
    exactly one."""
    found = [item.values for item in items if isinstance(item, Array) and item.name == name]
    if len(found) != 1:
        raise KeyError(f"{len(found)} arrays are called {name!r}; expected exactly one")
    return found[0]


def text(items: Iterable[Item], prefix: str) -> str:
    """The one :class:`Text` line that starts with ``prefix``; a ``KeyError`` if there is not
    exactly one."""
    found = [item.text for item in items if isinstance(item, Text) and item.text.startswith(prefix)]
    if len(found) != 1:
        raise KeyError(f"{len(found)} lines start with {prefix!r}; expected exactly one")
    return found[0]
