"""``python -m refconv.explain.concepts [TOPIC ...]``: see :func:`refconv.explain.concepts.main`."""

from . import main

raise SystemExit(main())
