"""Temporary shim: moved to refconv.separability (modules filtering and factorization)."""

from .separability.factorization import *  # noqa: F403
from .separability.filtering import *  # noqa: F403
