"""Write the separability figures (PNG) into a folder; print the path of each.

Usage: ``python scripts/plot_separability.py [OUT_DIR] [--json]`` (default ``docs/figures``);
the same files as ``refconv plot --topic separability --out OUT_DIR``.
"""

import sys

from refconv.cli.plot import script

if __name__ == "__main__":
    sys.exit(script("separability", default_out="docs/figures"))
