"""docs/learner_path.ipynb runs, and prints what it shows.

The notebook is read as JSON with the standard library (no Jupyter needed): its code cells run
in order in one namespace, from the repository root, and each cell's printed text (``stream``
outputs, and the ``text/plain`` of results and figures) is compared with the text stored in
the notebook, normalised as the pages' outputs are (``pages.normalise``). Figures are compared
by their text (``<Figure size 1000x360 with 2 Axes>``), not their pixels, which depend on fonts.
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import io
import json
import os

import pytest

from .pages import DOCS, normalise

NOTEBOOK = DOCS / "learner_path.ipynb"


def text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def stored_text(cell: dict) -> list[str]:
    """What a code cell shows as text: its printed output, then its results' and figures'."""
    printed = [text(o["text"]) for o in cell["outputs"] if o["output_type"] == "stream"]
    shown = [
        text(o["data"]["text/plain"])
        for o in cell["outputs"]
        if o["output_type"] in ("execute_result", "display_data") and "text/plain" in o["data"]
    ]
    return normalise("".join(printed)) + [line for s in shown for line in normalise(s)]


def run_cell(source: str, namespace: dict, shown: list[str]) -> list[str]:
    """Run one cell as Jupyter would; return its text output (see :func:`stored_text`)."""
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(tree, "<cell>", "exec"), namespace)
        result = (
            eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace) if last else None
        )
    lines = normalise(out.getvalue())
    if result is not None:
        lines += normalise(repr(result))
    lines += shown
    shown.clear()
    return lines


@pytest.mark.slow  # the kernels it calls compile on a first run
def test_the_notebook_prints_what_it_shows(monkeypatch):
    plt = pytest.importorskip("matplotlib.pyplot")
    shown: list[str] = []

    def show(*args, **kwargs):  # the inline backend: each open figure is shown, then closed
        shown.extend(repr(plt.figure(number)) for number in plt.get_fignums())
        plt.close("all")

    monkeypatch.setattr(plt, "show", show)
    monkeypatch.chdir(DOCS.parent)
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4
    namespace: dict = {"__name__": "__main__"}
    cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert len(cells) >= 8
    try:
        for number, cell in enumerate(cells, start=1):
            now = run_cell(text(cell["source"]), namespace, shown)
            stored = stored_text(cell)
            assert now == stored, f"code cell {number} prints something else now:\n" + "\n".join(
                difflib.unified_diff(stored, now, "notebook", "now", lineterm="")
            )
    finally:
        plt.close("all")


def test_the_notebook_shows_figures_and_points_to_the_docs():
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    outputs = [o for c in notebook["cells"] for o in c.get("outputs", [])]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    markdown = "".join(text(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
    for page in ("concepts.md", "families.md", "counting.md", "separability.md", "errata.md"):
        assert f"]({page})" in markdown and os.path.exists(DOCS / page), page
