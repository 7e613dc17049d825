"""Temporary shim: moved to refconv.counting.summary."""

from .counting.summary import *  # noqa: F403
