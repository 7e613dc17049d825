"""Temporary shim: moved to refconv.published."""

from .published import *  # noqa: F403
from .published import efficient_checks as seed002_checks  # noqa: F401  (old names)
from .published import notebook_checks as seed004_checks  # noqa: F401
from .published import pytorch_checks as seed003_checks  # noqa: F401
from .published import tds_checks as seed001_checks  # noqa: F401
