"""Start here: every convolution family worked on the articles' example (docs/concepts.md).

The TDS introduction's example -- a 12x12x3 image, 5x5 kernels, 256 output channels -- run
through each family of refconv: standard, grouped, depthwise (with a depth multiplier),
pointwise, depthwise-separable and spatially separable convolution. For each, one output
value is traced back to the pixels and weights it reads (by running refconv itself,
:mod:`.trace`), computed by hand from small integers, compared with refconv's function, and
the whole layer's multiplications are counted (:mod:`refconv.counting`); then one table of
costs. docs/concepts.md quotes this output, and its data-flow figures
(:mod:`refconv.plotting.dataflow`) are drawn from the same traces.

=============  ==========================================================================
module         what it holds
=============  ==========================================================================
``trace``      which pixels and weights an output reads, asked of refconv's ``conv2d``
``examples``   standard, grouped, depthwise, pointwise: one step each
``two_steps``  depthwise-separable and spatially separable: two steps each
``costs``      the table of multiplications and weights
=============  ==========================================================================

Print one topic (a family, or ``costs``), or everything::

    refconv explain standard
    refconv explain
    python -m refconv.explain.concepts standard     # the same, without the refconv command

>>> print(report("costs").splitlines()[0])
== costs: 12x12x3 input, 5x5 kernels, 256 outputs, no padding, no bias
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from ..page import Item, failed, render
from . import costs, examples, trace, two_steps
from .trace import FAMILIES

__all__ = [
    "FAMILIES",
    "TOPICS",
    "costs",
    "examples",
    "items",
    "main",
    "report",
    "trace",
    "two_steps",
]

_SECTIONS: dict[str, Callable[[], list[Item]]] = {
    "standard": examples.standard,
    "grouped": examples.grouped,
    "depthwise": examples.depthwise,
    "pointwise": examples.pointwise,
    "separable": two_steps.separable,
    "spatial": two_steps.spatial,
    "costs": costs.costs,
}

#: What ``python -m refconv.explain.concepts TOPIC`` prints: each family, then the costs.
TOPICS = (*FAMILIES, "costs")


def items(topic: str) -> list[Item]:
    """The printed lines of one topic (a family or ``"costs"``), as page items."""
    if topic not in _SECTIONS:
        raise ValueError(f"topic must be one of {', '.join(TOPICS)}; got {topic!r}")
    return _SECTIONS[topic]()


def report(topic: str) -> str:
    """What ``python -m refconv.explain.concepts TOPIC`` prints, without the leading blank
    line or the final newline."""
    return render(items(topic)).lstrip("\n")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m refconv.explain.concepts [TOPIC ...]``: print the topics (default all);
    the exit status is 1 if a check fails."""
    parser = argparse.ArgumentParser(
        prog="python -m refconv.explain.concepts",
        description="Every convolution family on the articles' 12x12x3 example, with 5x5 "
        "kernels and 256 outputs: one output value traced, worked by hand and checked "
        "against refconv, and the multiplications counted.",
    )
    parser.add_argument(
        "topics",
        nargs="*",
        metavar="TOPIC",
        help=f"one or more of {', '.join(TOPICS)} (default: all)",
    )
    args = parser.parse_args(argv)
    unknown = [topic for topic in args.topics if topic not in TOPICS]
    if unknown:
        parser.error(f"unknown topic {unknown[0]!r}: choose from {', '.join(TOPICS)}")
    status = 0
    for k, topic in enumerate(args.topics or TOPICS):
        found = items(topic)
        print(("\n" if k else "") + render(found).lstrip("\n"))
        status |= bool(failed(found))
    return status
