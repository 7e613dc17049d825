"""Temporary shim: moved to refconv.counting."""

from .counting import *  # noqa: F403
from .counting import tds_headline as seed001_headline  # noqa: F401  (the old name)
