"""One erratum: what an article says, what is wrong, what is right, and how refconv shows it.

An :class:`Erratum` keeps the article's wording (in Chinese, as printed) beside an English
gloss, says what is wrong and what the correct statement is, in English and in Chinese, and
carries a zero-argument function, ``recompute``, that works the correct numbers out again
with refconv's public API. The correct statements are *templates*: their numbers are filled
in from ``recompute()``, so a number is computed in one place and only printed elsewhere.

>>> e = Erratum("demo", "tds", "A section", "一节", "原文", "the original", "wrong number", 3,
...             "a typo", "笔误", "It says 52,952.", "原文写 52952。",
...             "The sum is {total:,}.", "和是 {total:,}。",
...             lambda: {"total": 4_800 + 49_152}, "print(4800 + 49152)")
>>> e.fill(e.correct)
'The sum is 53,952.'
>>> fmt(53_952), fmt(22.7758007), fmt((256, 8, 8))
('53,952', '22.7758', '(256, 8, 8)')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

#: What kind of mistake, from the most to the least concrete.
KINDS = ("code", "wrong formula", "wrong number", "wrong claim", "misleading claim")

#: 1: a reader who follows it gets a wrong result or a failing program;
#: 2: a wrong or badly misleading statement, but the reader's own numbers stay right;
#: 3: a slip (typo, wording, naming) that a careful reader can see through.
SEVERITIES = {1: "high", 2: "medium", 3: "low"}
SEVERITIES_ZH = {1: "高", 2: "中", 3: "低"}

Value = int | float | str | bool | tuple


def fmt(value: Value) -> str:
    """A value as this package prints it: ints with thousands commas, floats to 6 digits."""
    if isinstance(value, bool) or isinstance(value, (str, tuple)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.6g}"


@dataclass(frozen=True)
class Erratum:
    """One statement of an article that refconv's numbers or code contradict.

    Attributes
    ----------
    id : str
        A stable name (``"tds-52952"``); the anchor of its entry in ``docs/errata.md``.
    article : str
        The article's key in :data:`refconv.sources.SOURCES`.
    section, section_zh : str
        Where it is: an English name and the article's own heading.
    quote, gloss : str
        The wording as printed (Chinese where the article is Chinese) and an English gloss.
    kind : str
        One of :data:`KINDS`.
    severity : int
        1, 2 or 3 (see :data:`SEVERITIES`).
    title, title_zh : str
        One line for the summary table.
    wrong, wrong_zh : str
        What is wrong, and why.
    correct, correct_zh : str
        The correct statement; ``{name}`` fields are filled from ``recompute()``.
    recompute : callable
        No arguments; returns ``{name: value}``, the correct numbers worked out again.
    command : str
        Python code for ``python -c "..."`` that shows it with refconv.
    shown : tuple of str
        Names from ``recompute()`` whose values the command's output must print.
    named : str
        Where refconv already named it (``"refconv count"``, a doc page), or ``""``.
    checked : str
        How it was checked, where it is not refconv's own computation alone (Keras listings
        are checked by refconv's equivalent; PyTorch listings were also run).
    torch_code, torch_output : str
        A PyTorch snippet from the listing and what PyTorch 2.13.0 (CPU) printed for it (its
        last line, where it stopped with an error).
    torch_label, torch_label_zh : str
        What was run, where it is not the listing exactly as printed.
    status : str
        ``"erratum"`` or ``"questionable"`` (listed apart, with the reasoning in ``wrong``).
    short, short_zh : str
        The correct number in a few words, for the summary table (a template too).
    """

    id: str
    article: str
    section: str
    section_zh: str
    quote: str
    gloss: str
    kind: str
    severity: int
    title: str
    title_zh: str
    wrong: str
    wrong_zh: str
    correct: str
    correct_zh: str
    recompute: Callable[[], dict[str, Value]]
    command: str
    shown: tuple[str, ...] = ()
    named: str = ""
    checked: str = ""
    checked_zh: str = ""
    torch_code: str = ""
    torch_output: str = ""
    torch_label: str = ""
    torch_label_zh: str = ""
    status: str = "erratum"
    short: str = ""
    short_zh: str = ""
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.id}: kind must be one of {KINDS}; got {self.kind!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"{self.id}: severity must be 1, 2 or 3; got {self.severity!r}")
        if self.status not in ("erratum", "questionable"):
            raise ValueError(f"{self.id}: status must be 'erratum' or 'questionable'")

    def values(self) -> dict[str, Value]:
        """``recompute()``, computed once per process."""
        if "values" not in self._cache:
            self._cache["values"] = self.recompute()
        return self._cache["values"]

    def fill(self, template: str) -> str:
        """A template with its ``{name}`` fields filled from :meth:`values`."""
        return template.format_map(self.values())
