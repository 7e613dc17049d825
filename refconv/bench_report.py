"""Temporary shim: moved to refconv.bench.report."""

from .bench.report import *  # noqa: F403
