"""Every count printed in the five articles and the MobileNet v1 paper, recomputed exactly.

Each :class:`Check` holds the figure *as printed*, the exact value refconv computes, the
counting convention that connects them, and the tolerance used (``exact``, ``rounded``,
``range``, ``erratum`` or ``info``: see :mod:`refconv.published.check`). An erratum passes
when the contradiction is reproduced, so the errata stay true.

=================  ===========================================================================
``check``          :class:`Check` and the five ways a printed figure is compared
``articles``       the TDS introduction, the efficient-convolution article, the PyTorch
                   comparison, the CIFAR-10 notebook, and the spatially separable claims
``mobilenet``      the MobileNet v1 paper, Tables 1, 2, 6 and 7
=================  ===========================================================================

:func:`run` prints them all, section by section, and returns the number of failed checks;
``refconv count`` and ``scripts/verify_counts.py`` exit non-zero when it is not 0. This
package sits above :mod:`refconv.models` and :mod:`refconv.counting`: it builds the articles'
networks and counts them.

Examples
--------
>>> checks = all_checks()
>>> [c for c in checks if not c.ok]
[]
>>> next(c for c in checks if c.what.startswith("depthwise + pointwise")).exact
53952
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from ..sources import SOURCES
from .articles import efficient_checks, notebook_checks, pytorch_checks, spatial_checks, tds_checks
from .check import Check
from .mobilenet import mobilenet_checks


def _title(key: str, topic: str) -> str:
    """A section title that names the article: ``"The TDS introduction: ..."``."""
    short = SOURCES[key].short
    return f"{short[0].upper()}{short[1:]}: {topic}"


SECTIONS: dict[str, Callable[[], list[Check]]] = {
    _title("tds", "12x12x3 image, 5x5 kernels, 256 outputs"): tds_checks,
    _title("efficient", "224x224x3 walk-through and complexity formulas"): efficient_checks,
    _title("pytorch", "profiler table of Param (conv1 + each block)"): pytorch_checks,
    _title("notebook", "StandardCNN vs SeparableCNN (Keras)"): notebook_checks,
    "Spatially separable convolutions": spatial_checks,
    "MobileNet v1 (Howard et al. 2017)": mobilenet_checks,
}


def all_checks() -> list[Check]:
    """Every check of every section, in order."""
    return [check for make in SECTIONS.values() for check in make()]


def run(stream: TextIO | None = None) -> int:
    """Print every check, section by section, as ``refconv count`` does; return the number of
    mismatches (0 = all good). The report's form: :mod:`refconv.published.report`."""
    from .report import print_all

    return print_all(stream)


__all__ = [
    "SECTIONS",
    "Check",
    "all_checks",
    "efficient_checks",
    "mobilenet_checks",
    "notebook_checks",
    "pytorch_checks",
    "run",
    "spatial_checks",
    "tds_checks",
]
