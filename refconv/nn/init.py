"""Where a layer's first weights come from: seeds, PyTorch's default init, and dtype checks.

Weights are initialised as PyTorch does, ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``, from
``seed`` (an int ``>= 0``, a :class:`numpy.random.Generator`, or ``None`` for fresh entropy),
in ``dtype`` (float32 or float64).

>>> w = uniform(as_generator(0), (8, 3, 3, 3), fan_in=27, dtype=float_dtype("float32"))
>>> w.dtype, bool(abs(w).max() <= 1 / 27**0.5)
(dtype('float32'), True)
"""

from __future__ import annotations

from typing import cast

import numpy as np
import numpy.typing as npt

from .. import arguments

Seed = int | np.random.Generator | None


def as_generator(seed: Seed) -> np.random.Generator:
    """The random generator for a layer's initial weights.

    ``seed`` is an int ``>= 0`` (reproducible), a :class:`numpy.random.Generator` (used as is,
    so layers built from one generator draw different weights) or ``None`` (fresh entropy).

    >>> import numpy as np
    >>> float(as_generator(0).random()) == float(as_generator(0).random())
    True
    >>> generator = np.random.default_rng(0)
    >>> as_generator(generator) is generator
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and not arguments.is_int(seed):
        raise TypeError(
            f"seed must be an int >= 0, a numpy.random.Generator or None; got {seed!r} "
            f"({type(seed).__name__})"
        )
    if seed is not None and seed < 0:
        raise ValueError(f"seed must be an int >= 0, a numpy.random.Generator or None; got {seed}")
    return np.random.default_rng(seed)


def float_dtype(dtype: object) -> np.dtype:
    """``float32`` or ``float64`` (as a type, a dtype or a name); anything else is a TypeError.

    >>> float_dtype(np.float64), float_dtype("float32")
    (dtype('float64'), dtype('float32'))
    """
    try:  # np.dtype() is the check: it raises for anything that names no dtype
        found = None if dtype is None else np.dtype(cast("npt.DTypeLike", dtype))
    except (TypeError, ValueError):  # not a dtype at all
        found = None
    if found is None or found not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(
            f"dtype must be np.float32 or np.float64 (the dtypes the kernels compute in); got "
            f"{dtype!r}"
        )
    return found


def flag(value: object, name: str) -> bool:
    """A switch such as ``bias`` or ``affine``: ``True`` or ``False`` (NumPy bools too).

    >>> flag(np.True_, "bias")
    True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r} ({type(value).__name__})")
    return bool(value)


def initial_state(
    bias: object, seed: Seed, dtype: object
) -> tuple[bool, np.random.Generator, np.dtype]:
    """Check a layer's ``bias`` switch, ``dtype`` and ``seed`` (in that order); return
    ``(has_bias, generator, dtype)``, what the layer draws its first weights with.

    >>> has_bias, rng, dtype = initial_state(True, 0, np.float32)
    >>> has_bias, dtype
    (True, dtype('float32'))
    """
    has_bias = flag(bias, "bias")
    found = float_dtype(dtype)
    return has_bias, as_generator(seed), found


def uniform(
    rng: np.random.Generator, shape: tuple[int, ...], fan_in: int, dtype: np.dtype
) -> np.ndarray:
    """PyTorch's default init: an array of ``shape`` drawn from
    ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``, in ``dtype``.

    ``fan_in`` is the number of inputs each output sums: ``C_in // groups * kH * kW`` for a
    convolution, ``in_features`` for a fully connected layer.
    """
    bound = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, size=shape).astype(dtype)
