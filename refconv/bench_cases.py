"""Temporary shim: moved to refconv.bench.cases."""

from .bench.cases import *  # noqa: F403
