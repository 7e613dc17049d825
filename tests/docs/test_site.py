"""The docs site builds with Sphinx and MyST in strict mode, as CI builds it.

``python -m sphinx -W --keep-going -b html docs docs/_build/html``: every warning (a broken
link or anchor, a missing image, a skipped heading level, a page in no table of contents)
fails the build. Here it is built into a temporary folder.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .pages import DOCS

pytest.importorskip("sphinx", reason="sphinx is in the test extra: pip install -e '.[test]'")
pytest.importorskip("myst_parser", reason="myst-parser is in the test extra")


def build(source: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", source, out],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow  # about 10 s
def test_the_site_builds_without_a_warning(tmp_path):
    done = build(DOCS, tmp_path / "html")
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    home = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    assert "Quick start" in home  # README.md is the home page
    errata = (tmp_path / "html" / "errata.html").read_text(encoding="utf-8")
    assert 'id="tds-52952"' in errata  # an <a id> anchor, now on its heading
    sources = (tmp_path / "html" / "sources.html").read_text(encoding="utf-8")
    assert 'href="errata.html#tds-52952"' in sources


def test_a_broken_link_fails_the_build(tmp_path):
    # A two-page site with the real configuration: one good anchor link, one broken.
    shutil.copy(DOCS / "conf.py", tmp_path / "conf.py")
    (tmp_path / "index.md").write_text(
        "# Home\n\n```{toctree}\nother\n```\n\n[good](other.md#e1) and [bad](other.md#e2)\n",
        encoding="utf-8",
    )
    (tmp_path / "other.md").write_text(
        '# Other\n\n<a id="e1"></a>\n\n## The first entry\n', encoding="utf-8"
    )
    done = build(tmp_path, tmp_path / "html")
    assert done.returncode != 0
    warnings = [line for line in done.stderr.splitlines() if "WARNING" in line]
    assert len(warnings) == 1 and "'e2'" in warnings[0], done.stderr
