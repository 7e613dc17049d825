"""The errata: every number on the pages is recomputed, every quote is the articles' own words.

``refconv.errata`` holds one record per erratum, with a function that recomputes its numbers;
``docs/errata.md`` and ``docs/zh-CN/errata.md`` are written from those records. These tests
recompute everything and compare: the "Numbers" line of each entry with :func:`check_all`,
each page with what the module writes now, each command's output with the numbers it is
cited for, and each quote with the article it quotes (when ``../shared/seeds`` is there).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from refconv import errata
from refconv.errata import render
from refconv.errata.record import fmt
from refconv.sources import SOURCES

ROOT = Path(__file__).resolve().parents[1]
PAGES = {"en": ROOT / "docs" / "errata.md", "zh": ROOT / "docs" / "zh-CN" / "errata.md"}
SEEDS = ROOT.parent / "shared" / "seeds"
ALL = errata.ERRATA + errata.QUESTIONABLE


def stated_numbers(text: str) -> dict[str, dict[str, str]]:
    """``{erratum id: {name: value as printed}}`` from a page's "Numbers:" (数值) lines."""
    stated: dict[str, dict[str, str]] = {}
    for block in re.split(r'<a id="', text)[1:]:
        entry_id = block.split('"', 1)[0]
        line = next(
            (ln for ln in block.splitlines() if ln.startswith(tuple(render.NUMBERS.values()))), ""
        )
        stated[entry_id] = dict(re.findall(r"`(\w+) = ([^`]*)`", line))
    return stated


def test_there_are_31_errata_with_unique_ids_in_every_article():
    ids = [e.id for e in ALL]
    assert len(errata.ERRATA) == 31
    assert len(ids) == len(set(ids))
    assert {e.article for e in errata.ERRATA} == set(SOURCES)
    assert all(e.status == "erratum" for e in errata.ERRATA)
    assert all(e.status == "questionable" for e in errata.QUESTIONABLE)


def test_check_all_recomputes_every_erratum():
    results = errata.check_all()
    assert [r.id for r in results] == [e.id for e in ALL]
    for result in results:
        e = errata.by_id(result.id)
        assert result.values == e.values()  # a fresh run gives what the page was written from
        assert result.values or e.status == "questionable", f"{e.id} recomputes nothing"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_number_on_the_page_equals_the_recomputed_one(lang):
    stated = stated_numbers(PAGES[lang].read_text(encoding="utf-8"))
    for result in errata.check_all():
        recomputed = {name: fmt(value) for name, value in result.values.items()}
        assert stated.get(result.id, {}) == recomputed, result.id


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_is_what_the_module_writes(lang):
    # Regenerate with: python -m refconv.errata --write docs
    assert PAGES[lang].read_text(encoding="utf-8") == render.page(lang)


@pytest.mark.parametrize("e", [e for e in ALL if e.command], ids=lambda e: e.id)
def test_each_command_prints_the_numbers_it_is_cited_for(e):
    printed = render.run_in_process(e.command) + "\n" + e.torch_output
    for name in e.shown:
        value = e.values()[name]
        forms = {fmt(value), str(value)}
        if isinstance(value, tuple):
            forms.add(", ".join(map(str, value)))
        assert any(form in printed for form in forms), f"{e.id}: {name} = {value!r}"


def test_a_command_prints_the_same_when_run_as_python_c():
    e = errata.by_id("tds-52952")
    assert render.run_subprocess(e.command) == render.run_in_process(e.command)


def test_the_summary_is_ranked_by_severity():
    severities = [e.severity for e in errata.ranked()]
    assert severities == sorted(severities)
    assert severities[0] == 1 and len(severities) == 31


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the articles (../shared/seeds) are not here")
@pytest.mark.parametrize("e", ALL, ids=lambda e: e.id)
def test_each_quote_is_the_articles_own_words(e):
    index = list(SOURCES).index(e.article)
    (path,) = SEEDS.glob(f"{index:03d}_*.txt")
    article = path.read_text(encoding="utf-8")
    for fragment in e.quote.split("…"):  # "…" marks a cut
        for line in filter(None, (line.strip() for line in fragment.splitlines())):
            assert line in article, f"{e.id}: {line!r}"


@pytest.mark.parametrize("e", [e for e in ALL if e.torch_code], ids=lambda e: e.id)
def test_the_pytorch_listings_print_what_the_page_says(e):
    pytest.importorskip("torch")
    done = subprocess.run(
        [sys.executable, "-c", e.torch_code], capture_output=True, text=True, timeout=300
    )
    assert (done.stdout + done.stderr).strip().splitlines()[-1] == e.torch_output


def test_the_sources_page_links_each_erratum_by_its_label():
    labels = {}
    for prefix, records in (("E", errata.ERRATA), ("Q", errata.QUESTIONABLE)):
        labels |= {e.id: f"{prefix}{i}" for i, e in enumerate(records, start=1)}
    text = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    links = re.findall(r"\[([EQ]\d+)\]\(errata\.md#([\w-]+)\)", text)
    assert len(links) >= 31
    for label, entry_id in links:
        assert labels.get(entry_id) == label, f"sources.md: [{label}] -> #{entry_id}"
