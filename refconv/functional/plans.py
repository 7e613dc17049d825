"""Cached plans: a public call's checks, worked out once per shape.

Everything a convolution function checks and decides before its kernel runs -- the method
and padding mode, the ranks, shapes and dtypes of its arrays, the geometry, the kernel
``method="auto"`` picks -- depends on the *shapes and dtypes* of its arrays and on its other
arguments, never on the values in the arrays. For a call of 0.02-0.1 ms (the TDS example's
12x12x3 image) those steps cost as much as the kernel, and a network calls each layer with
the same shapes again and again. So a function builds a *plan* from its arguments once, and
a later call with arrays of the same shapes and dtypes and equal other arguments takes the
plan from :class:`PlanCache` instead of working it out again.

Nothing is skipped. A plan is built by running the function's own checks -- on *stand-ins*,
arrays of the right shape and dtype that take no memory (:func:`stand_in`) -- so a call that
would raise raises, every time (an exception is never cached). A call takes the cache only
when what the checks read is all in the key:

* every array argument is exactly a ``numpy.ndarray`` of a float dtype (its ``shape`` and
  ``dtype`` are the key; a masked array, a list, a tensor or integers are converted and
  checked in full on every call);
* every other argument is a plain ``int`` or ``str``, or a tuple of them: ``True`` and
  ``1.0`` hash like ``1`` but are refused as strides, so they never take the cache.

The values are still read on every call, by the kernels: an Inf or NaN in an array changes
nothing a plan holds.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import numpy as np

Plan = TypeVar("Plan")
ArrayKey = tuple[tuple[int, ...], np.dtype] | None  # (shape, dtype) of an array, None if absent


def plain(value: object) -> bool:
    """An ``int`` or a ``str``, or a tuple of them (nested): a value whose equality says
    everything the checks would find in it."""
    kind = type(value)
    if kind is int or kind is str:
        return True
    if kind is tuple:
        for item in value:  # type: ignore[attr-defined]  # a tuple (a loop: no generator)
            if not plain(item):
                return False
        return True
    return False


def stand_in(key: ArrayKey) -> np.ndarray | None:
    """A read-only array of the key's shape and dtype that takes no memory (every element
    is the same zero): what a check reads of an array, without the array.

    >>> a = stand_in(((2, 3, 1024, 1024), np.dtype(np.float32)))
    >>> a.shape, a.dtype, a.strides
    ((2, 3, 1024, 1024), dtype('float32'), (0, 0, 0, 0))
    """
    if key is None:
        return None
    shape, dtype = key
    return np.broadcast_to(np.zeros((), dtype=dtype), shape)


class PlanCache(Generic[Plan]):
    """The plans of one public function, by the shapes and dtypes of its arrays and its
    other (plain) arguments.

    ``build(arrays, options)`` checks a call -- ``arrays`` in the function's order, stand-ins
    for the real ones, ``options`` its other arguments -- and returns its plan, or raises.

    >>> cache = PlanCache(lambda arrays, options: (arrays[0].shape, options))
    >>> cache.get((np.ones((2, 3)),), (1, "same"))
    ((2, 3), (1, 'same'))
    >>> cache.get((np.ones((2, 3)),), (1.0, "same")) is None   # not plain: check in full
    True
    """

    def __init__(
        self, build: Callable[[list[Any], tuple[Any, ...]], Plan], size: int = 256
    ) -> None:
        self.build = build
        self._cached = functools.lru_cache(maxsize=size)(self._from_key)

    def _from_key(self, arrays: tuple[ArrayKey, ...], options: tuple[Any, ...]) -> Plan:
        return self.build([stand_in(key) for key in arrays], options)

    def get(self, arrays: Sequence[object], options: tuple[Any, ...]) -> Plan | None:
        """The plan of a call with these arrays (``None`` for an absent one) and options, or
        ``None`` when the call does not qualify for the cache (see the module docstring)."""
        keys: list[ArrayKey] = []
        for a in arrays:
            if a is None:
                keys.append(None)
            elif type(a) is np.ndarray and a.dtype.kind == "f":  # no conversion to make
                keys.append((a.shape, a.dtype))
            else:
                return None
        if not plain(options):
            return None
        return self._cached(tuple(keys), options)

    def clear(self) -> None:
        """Forget every plan."""
        self._cached.cache_clear()
