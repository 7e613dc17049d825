"""``refconv explain [TOPIC ...]``: the worked examples of docs/concepts.md, printed.

Each family on the articles' example (a 12x12x3 image, 5x5 kernels, 256 outputs): one output
value traced back to the pixels and weights it reads, computed by hand from small integers,
checked against refconv, and the layer's multiplications counted; then the table of costs.
The examples live in :mod:`refconv.explain.concepts` (``python -m refconv.explain.concepts``
prints the same).
"""

from __future__ import annotations

import argparse

from ..explain import concepts
from ..explain.page import Array, Check, Item, Text, failed
from .options import shown, to_json

DESCRIPTION = f"""\
Print the worked examples of docs/concepts.md, the learner's path through "separable
convolution": each family on the articles' example (a 12x12x3 image, 5x5 kernels, 256
outputs), one output value traced to the pixels and weights it reads, worked by hand from
small integers, checked against refconv, and the multiplications of the whole layer counted
(1,228,800 for the standard convolution, 4,800 + 49,152 = 53,952 depthwise + pointwise).

Topics: {", ".join(concepts.TOPICS)} (default: all, in that order).

--json prints {{topic: [item, ...]}}: a line of text, a named array, or a check with its
verdict. The exit status is 1 if a check fails (it never should), 2 for a usage error."""


def as_json(item: Item) -> dict[str, object]:
    """One printed item as JSON: ``{"text": ...}``, ``{"array": name, "values": [...]}`` or
    ``{"check": label, "ok": bool}`` (``"torch": true`` when PyTorch printed it)."""
    if isinstance(item, Array):
        return {"array": item.name, "values": item.values.tolist()}
    if isinstance(item, Check):
        return {"check": item.label, "ok": item.ok} | ({"torch": True} if item.torch else {})
    return {"text": item.text} | ({"torch": True} if item.torch else {})


def topic(text: str) -> str:
    """An argparse ``type=`` for a topic (argparse's ``choices`` would refuse no topic at all
    with ``nargs="*"``)."""
    if text not in concepts.TOPICS:
        raise argparse.ArgumentTypeError(
            f"expected one of {', '.join(concepts.TOPICS)}; got {shown(text)}"
        )
    return text


def run(args: argparse.Namespace) -> int:
    """Run ``refconv explain``; return the exit status (0, or 1 if a check failed)."""
    topics = list(dict.fromkeys(args.topics)) or list(concepts.TOPICS)
    found = {name: concepts.items(name) for name in topics}
    if args.json:
        shown_items = {name: _without_leading_blanks(items) for name, items in found.items()}
        print(to_json({name: [as_json(i) for i in items] for name, items in shown_items.items()}))
    else:
        print("\n\n".join(concepts.report(name) for name in topics))
    return 1 if any(failed(items) for items in found.values()) else 0


def _without_leading_blanks(items: list[Item]) -> list[Item]:
    """``items`` without the blank line a section starts with (it separates sections)."""
    while items and isinstance(items[0], Text) and not items[0].text:
        items = items[1:]
    return items


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``explain`` subcommand to the ``refconv`` parser."""
    parser = subparsers.add_parser(
        "explain",
        help="each convolution family worked by hand on the articles' example",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "topics",
        nargs="*",
        type=topic,
        metavar="TOPIC",
        help=f"one or more of {', '.join(concepts.TOPICS)} (default: all)",
    )
    parser.add_argument("--json", action="store_true", help="print the items as JSON")
    parser.set_defaults(func=run, prog=parser.prog)
