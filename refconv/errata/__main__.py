"""``python -m refconv.errata``: print every erratum's recomputed numbers, or write the pages."""

import sys

from .render import main

if __name__ == "__main__":
    sys.exit(main())
