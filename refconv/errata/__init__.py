"""What the five articles get wrong, each erratum with the numbers that prove it.

Every :class:`Erratum` quotes an article (as printed, in Chinese where it is Chinese), says
what is wrong and what is right, and carries a function that works the right numbers out
again with refconv's public API. :func:`check_all` runs them all. ``docs/errata.md`` and
``docs/zh-CN/errata.md`` are generated from these records (``python -m refconv.errata
--write docs``), so a number is computed in one place and printed everywhere else;
``tests/test_errata.py`` checks the pages against a fresh :func:`check_all`.

=================  ===========================================================================
``record``         :class:`Erratum` and how its values are printed
``block``          the separable-block note
``tds``            the TDS introduction
``efficient``      the efficient-convolution article
``pytorch``        the PyTorch comparison
``notebook``       the CIFAR-10 notebook
``questionable``   statements that may be wrong, listed apart with the reasoning
``listings``       the articles' PyTorch listings as printed, for running under PyTorch
``render``         the two Markdown pages, and ``python -m refconv.errata``
=================  ===========================================================================

Examples
--------
>>> len(ERRATA), len(QUESTIONABLE)
(31, 9)
>>> by_id("tds-52952").values()["separable"]
53952
>>> [r.id for r in check_all() if r.status == "erratum"][:2]
['block-formula', 'block-half']
"""

from __future__ import annotations

from dataclasses import dataclass

from ..sources import SOURCES
from . import block, efficient, notebook, pytorch, tds
from .questionable import QUESTIONABLE
from .record import KINDS, SEVERITIES, Erratum, Value, fmt

#: The errata, article by article (in :data:`refconv.sources.SOURCES` order), each article's
#: in the order it makes them.
ERRATA: tuple[Erratum, ...] = (
    block.ERRATA + tds.ERRATA + efficient.ERRATA + pytorch.ERRATA + notebook.ERRATA
)


@dataclass(frozen=True)
class Result:
    """One erratum's recomputed numbers: ``values`` maps each name to its value."""

    id: str
    article: str
    status: str
    values: dict[str, Value]


def by_id(erratum_id: str) -> Erratum:
    """The erratum (or questionable statement) called ``erratum_id``."""
    for e in ERRATA + QUESTIONABLE:
        if e.id == erratum_id:
            return e
    known = ", ".join(e.id for e in ERRATA + QUESTIONABLE)
    raise KeyError(f"no erratum {erratum_id!r}; the known ones are: {known}")


def ranked() -> list[Erratum]:
    """The errata from the most to the least severe (then by kind, then article order)."""
    order = {key: i for i, key in enumerate(SOURCES)}
    return sorted(ERRATA, key=lambda e: (e.severity, KINDS.index(e.kind), order[e.article]))


def check_all() -> list[Result]:
    """Recompute every erratum's and questionable statement's numbers, in order."""
    return [Result(e.id, e.article, e.status, e.recompute()) for e in ERRATA + QUESTIONABLE]


__all__ = [
    "ERRATA",
    "KINDS",
    "QUESTIONABLE",
    "SEVERITIES",
    "Erratum",
    "Result",
    "by_id",
    "check_all",
    "fmt",
    "ranked",
]
