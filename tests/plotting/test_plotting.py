"""refconv.plotting draws on Figure objects: it leaves matplotlib's backend, rcParams and pyplot
alone, and writes every figure it names.

The matplotlib checks run in a fresh interpreter without MPLBACKEND, as a notebook or a script
would start: there the backend is not chosen until someone asks, and refconv must not be the
one who does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from refconv.plotting import TOPICS, figures

#: Two refconv-only benchmark runs (2 threads and 1) of tiny cases, for the performance figures.
PERF_JSON = Path(__file__).with_name("performance_small.json")

SNAPSHOT = """
import matplotlib

def snapshot():  # dict.items: no RcParams.__getitem__, which would resolve the backend
    return {key: repr(value) for key, value in dict.items(matplotlib.rcParams)}
"""


def _fresh_python(code: str, tmp_path: Path) -> dict:
    """Run ``code`` in a new interpreter without MPLBACKEND; return the JSON it prints last."""
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["REFCONV_PERF_JSON"] = str(PERF_JSON)
    env["MPLCONFIGDIR"] = str(tmp_path / "mplconfig")  # no matplotlibrc of the user's
    result = subprocess.run(
        [sys.executable, "-c", SNAPSHOT + code, str(tmp_path / "figures")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_writing_every_figure_leaves_the_backend_and_rcparams_as_they_were(tmp_path):
    facts = _fresh_python(
        """
import json, sys
before = snapshot()
import refconv.plotting
imported = snapshot()
paths = refconv.plotting.write_all(sys.argv[1])
after = snapshot()
pyplot = "matplotlib.pyplot" in sys.modules
files = [(p.name, p.read_bytes()[:8] == b"\\x89PNG\\r\\n\\x1a\\n", p.stat().st_size) for p in paths]
print(json.dumps({"before": before, "imported": imported, "after": after, "pyplot": pyplot,
                  "files": files, "backend": matplotlib.get_backend()}))
""",
        tmp_path,
    )
    # every figure of every topic, named as listed, a PNG of some substance
    assert [name for name, _, _ in facts["files"]] == [f"{name}.png" for name in figures()]
    assert all(png and size > 5000 for _, png, size in facts["files"])
    assert facts["imported"] == facts["before"]
    # the "backend" entry included: still unresolved, so the backend is still the user's choice
    assert facts["after"] == facts["before"]
    assert facts["pyplot"] is False  # no pyplot state: no figure manager, no current figure
    untouched = _fresh_python("import json; print(json.dumps(matplotlib.get_backend()))", tmp_path)
    assert facts["backend"] == untouched


def test_a_chosen_backend_and_open_pyplot_figures_are_left_alone(tmp_path):
    facts = _fresh_python(
        """
import json, sys
matplotlib.use("svg")  # as a user, or a notebook's inline backend, would have chosen
import matplotlib.pyplot as plt
plt.figure()
matplotlib.rcParams["lines.linewidth"] = 3.5
before = snapshot()
import refconv.plotting
refconv.plotting.write_all(sys.argv[1], topics=("separability",))
print(json.dumps({"backend": matplotlib.get_backend(), "figures": plt.get_fignums(),
                  "same": snapshot() == before}))
""",
        tmp_path,
    )
    assert facts == {"backend": "svg", "figures": [1], "same": True}


def test_figures_are_listed_topic_by_topic():
    names = list(figures())
    assert names == [name for topic in TOPICS for name in figures((topic,))]
    assert "counting_tds_example" in names and not any("seed" in name for name in names)
