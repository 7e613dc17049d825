"""Temporary shim: moved to refconv.separability.filters."""

from .separability.filters import *  # noqa: F403
