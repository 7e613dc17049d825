"""One checked figure, :class:`Check`, and the five ways a printed figure is compared.

``exact``      the source prints an exact integer; it must match digit for digit;
``rounded``    the source prints a rounded figure (``569M``, ``94.86%``); the exact value must
               round to the printed digits (half a unit in the last printed place);
``range``      the source gives a range or says "roughly"; the stated bounds are checked;
``erratum``    the printed figure or claim is contradicted by the exact count; the check
               passes when the contradiction is reproduced (so the errata stay true);
``info``       no printed figure (a derived number shown for reference); always passes.

:mod:`refconv.published.report` prints checks as ``refconv count`` does.

>>> exact("an article", "standard conv", 1_228_800, 1_228_800, "multiplications").ok
True
>>> rounded("a paper", "Mult-Adds", "569M", 568_740_352, 1e6, 569, 0, "MACs").ok
True
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One reproduced figure (see the module docstring for ``tolerance``).

    Attributes
    ----------
    source : str
        Where the figure is printed (an article's short name, a paper's table).
    what : str
        The figure or claim, in the source's words where it has them.
    printed : str
        The figure as printed (``"-"`` when there is none).
    exact : int or float
        What refconv computes.
    convention : str
        The counting convention that connects the two.
    tolerance : str
        ``"exact"``, ``"rounded"``, ``"range [low, high]"``, ``"erratum"`` or ``"info"``.
    ok : bool
        Whether the check passes.
    note : str
        Why, where the numbers alone do not say.
    """

    source: str
    what: str
    printed: str
    exact: int | float
    convention: str
    tolerance: str
    ok: bool
    note: str = ""


def rounds_to(value: float, printed: float, decimals: int) -> bool:
    """Whether ``value`` rounds to ``printed`` at ``decimals`` decimal places.

    >>> rounds_to(290.675, 290, 0), rounds_to(290.675, 291, 0)
    (False, True)
    """
    return abs(value - printed) <= 0.5 * 10.0**-decimals + 1e-12


def exact(
    source: str, what: str, printed: int, value: int, convention: str, note: str = ""
) -> Check:
    """A printed integer that must equal ``value`` digit for digit."""
    return Check(source, what, f"{printed:,}", value, convention, "exact", value == printed, note)


def rounded(
    source: str,
    what: str,
    printed: str,
    value: float,
    scale: float,
    number: float,
    decimals: int,
    convention: str,
    note: str = "",
) -> Check:
    """A printed ``number`` (in units of ``scale``, e.g. ``1e6`` for "M") that ``value`` must
    round to at ``decimals`` places."""
    ok = rounds_to(value / scale, number, decimals)
    return Check(source, what, printed, value, convention, "rounded", ok, note)


def erratum(
    source: str,
    what: str,
    printed: str,
    value: int | float,
    contradicted: bool,
    convention: str,
    note: str,
) -> Check:
    """A printed figure or claim that ``value`` contradicts; passes while ``contradicted``."""
    return Check(source, what, printed, value, convention, "erratum", contradicted, note)


def within(
    source: str,
    what: str,
    printed: str,
    value: float,
    low: float,
    high: float,
    convention: str,
    note: str = "",
) -> Check:
    """A range or a "roughly": ``value`` must lie in ``[low, high]``."""
    return Check(
        source,
        what,
        printed,
        value,
        convention,
        f"range [{low:g}, {high:g}]",
        low <= value <= high,
        note,
    )


def info(source: str, what: str, value: int | float, convention: str, note: str = "") -> Check:
    """A derived number shown for reference, with no printed figure to match."""
    return Check(source, what, "-", value, convention, "info", True, note)
