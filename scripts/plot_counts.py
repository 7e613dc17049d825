"""Write the operation-counting figures (PNG) into a folder; print the path of each.

Usage: ``python scripts/plot_counts.py [OUT_DIR] [--json]`` (default ``figures``); the same
files as ``refconv plot --topic counting --out OUT_DIR``.
"""

import sys

from refconv.cli.plot import script

if __name__ == "__main__":
    sys.exit(script("counting", default_out="figures"))
