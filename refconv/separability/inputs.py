"""What separability accepts: a kernel, a tolerance, a rank, shapes; checked once, up front.

Every public function of :mod:`refconv.separability` starts here, so a bad argument gets the
same error, naming the argument, what was given and the fix, wherever it was passed.

Kernels are integer, bool, float32 or float64 arrays, finite and non-empty. Integers are read
exactly, never wrapped: uint64 entries past ``2**63 - 1`` stay uint64, nested lists of Python
integers become int64 or uint64, and integers beyond both are refused. So are masked arrays with
masked entries (NumPy would drop the mask).
"""

from __future__ import annotations

import math

import numpy as np

from ..arguments import is_int, is_real

__all__ = [
    "as_kernel",
    "check_rank",
    "check_tol",
    "default_tol",
    "positive_ints",
    "positive_rank",
    "unmasked",
]

_INT64 = np.iinfo(np.int64)
_UINT64 = np.iinfo(np.uint64)


def as_kernel(kernel: object, name: str = "kernel") -> np.ndarray:
    """Check ``kernel`` is a finite, non-empty 2-D array of real numbers; return it as an array.

    Parameters
    ----------
    kernel : array_like, shape (kH, kW)
        Integers, bools, float32 or float64; a nested list, an array or a masked array with
        nothing masked.
    name : str, default "kernel"
        The argument's name, for the error messages.

    Returns
    -------
    ndarray, shape (kH, kW)
        int64 for integer and bool kernels, or uint64 when they hold values past int64
        (``2**63`` to ``2**64 - 1``): never wrapped around. Nested lists of Python integers are
        read exactly (NumPy would turn ``[[-1, 2**63]]`` into rounded floats). Float kernels
        keep float32 / float64. The caller's array is never modified.

    Raises
    ------
    ValueError
        If ``kernel`` is not 2-D, is empty or ragged, holds NaN or Inf, is a masked array with
        masked entries, or holds integers beyond int64 and uint64.
    TypeError
        If ``kernel`` is not real numbers (strings, objects, complex, float16).

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.separability import as_kernel
    >>> as_kernel([[1, 2], [True, 4]])
    array([[1, 2],
           [1, 4]])
    >>> as_kernel([[2**63, 1]]).dtype, as_kernel(np.ones((2, 2), np.float32)).dtype
    (dtype('uint64'), dtype('float32'))
    >>> as_kernel([1, 2, 1])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: kernel must be a 2-D array of shape (kH, kW); got a 1-D array of shape (3,). ...
    """
    kernel = unmasked(kernel, name)
    try:
        array = np.asarray(kernel)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise ValueError(
            f"{name} must be a 2-D array (kH, kW) of numbers with rows of equal length; could "
            f"not convert the given {type(kernel).__name__}: {exc}"
        ) from None
    if array.dtype.kind == "O" or (array.dtype.kind == "f" and not isinstance(kernel, np.ndarray)):
        array = _python_integers(kernel, array, name)
    kind = array.dtype.kind
    if kind in "biu" and not (kind == "u" and array.dtype.itemsize == 8):
        array = array.astype(np.int64)  # every bool, int8 ... int64, uint8 ... uint32 fits
    elif kind == "u":  # uint64: int64 unless an entry is past it
        if not (array.size and array.max() > _INT64.max):
            array = array.astype(np.int64)
    elif kind == "f" and array.dtype.itemsize in (4, 8):
        pass
    else:
        raise TypeError(
            f"{name} must hold real numbers (an integer, bool, float32 or float64 dtype); got "
            f"dtype {array.dtype}. Convert it first, e.g. np.asarray({name}, dtype=float)."
        )
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (kH, kW); got a {array.ndim}-D array of shape "
            f"{array.shape}. For one kernel of a conv weight (C_out, C_in, kH, kW) pass "
            f"weight[o, c]; to factor a whole layer use "
            f"refconv.separability.factorize_conv_weight."
        )
    if array.size == 0:
        raise ValueError(
            f"{name} must have at least one row and one column; got shape {array.shape}"
        )
    if kind == "f" and not np.isfinite(array).all():
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(
            f"{name} must be finite; got {bad} NaN or Inf entr{'y' if bad == 1 else 'ies'} in a "
            f"kernel of shape {array.shape}. The SVD of such a matrix is undefined."
        )
    return array


def unmasked(value: object, name: str) -> object:
    """The data of a masked array with nothing masked; any other value unchanged.

    ``np.asarray`` would silently drop the mask and use whatever the masked entries hold, so a
    masked array with a masked entry is refused.

    Parameters
    ----------
    value : object
        Anything; only a ``numpy.ma.MaskedArray`` is looked at.
    name : str
        The argument's name, for the error message.

    Returns
    -------
    object
        ``value``'s data (an ndarray of its shape) for a masked array, else ``value`` itself.

    Raises
    ------
    ValueError
        If some entry of ``value`` is masked.

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.separability import unmasked
    >>> unmasked(np.ma.array([1, 2], mask=[False, False]), "image")
    array([1, 2])
    >>> unmasked(np.ma.array([1, 2], mask=[False, True]), "image")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: image is a masked array with 1 masked entry; every value is needed. ...
    """
    if not isinstance(value, np.ma.MaskedArray):
        return value
    masked = int(np.count_nonzero(np.ma.getmaskarray(value)))
    if masked:
        raise ValueError(
            f"{name} is a masked array with {masked} masked entr{'y' if masked == 1 else 'ies'}; "
            f"every value is needed. Fill them first, e.g. {name}.filled(0)."
        )
    return np.ma.getdata(value)


def _python_integers(kernel: object, array: np.ndarray, name: str) -> np.ndarray:
    """``kernel`` as int64 / uint64 when it holds only integers that NumPy made objects or floats.

    ``array`` is ``np.asarray(kernel)``, of object dtype, or float64 made from a nested list (as
    ``[[-1, 2**63]]`` is). Anything but integers comes back as ``array``, unchanged.
    """
    values = np.asarray(kernel, dtype=object).ravel().tolist()
    if not values or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in values
    ):
        return array
    low, high = min(values), max(values)
    for info in (_INT64, _UINT64):
        if info.min <= low and high <= info.max:
            return np.array(np.asarray(kernel, dtype=object).tolist(), dtype=info.dtype)
    raise ValueError(
        f"{name} holds integers from {low} to {high}, which fit neither int64 ({_INT64.min} to "
        f"{_INT64.max}) nor uint64 (0 to {_UINT64.max}); refconv's integer kernels are int64 or "
        f"uint64. Pass floats for approximate factors, e.g. np.asarray({name}, dtype=float)."
    )


def default_tol(shape: tuple[int, int], dtype: np.dtype | type = np.float64) -> float:
    """The default relative tolerance ``max(kH, kW) * eps``, as NumPy's ``matrix_rank``.

    Parameters
    ----------
    shape : (int, int)
        ``(kH, kW)``.
    dtype : dtype, default float64
        Integer and bool dtypes use float64's epsilon (their SVD is computed in float64).

    Returns
    -------
    float
        ``max(kH, kW)`` times the machine epsilon.

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.separability import default_tol
    >>> default_tol((3, 3)) == 3 * float(np.finfo(np.float64).eps)
    True
    >>> default_tol((5, 3), np.float32) == 5 * float(np.finfo(np.float32).eps)
    True
    """
    dt = np.dtype(dtype)
    float_dtype = dt if dt.kind == "f" else np.dtype(np.float64)
    return float(max(shape) * np.finfo(float_dtype).eps)


def check_tol(tol: object, shape: tuple[int, int], dtype: np.dtype) -> float:
    """``tol`` as a float in ``[0, 1)``; ``None`` gives :func:`default_tol` for the kernel.

    Parameters
    ----------
    tol : float or None
        A relative tolerance: rank 1 means ``sigma_2 <= tol * sigma_1``.
    shape : (int, int)
        The kernel's ``(kH, kW)``.
    dtype : dtype
        The kernel's dtype (see :func:`default_tol`).

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``tol`` is not a real number (bools are refused).
    ValueError
        If ``tol`` is not finite or outside ``[0, 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.separability import check_tol
    >>> check_tol(1e-6, (3, 3), np.dtype(np.float64)), check_tol(0, (3, 3), np.dtype(np.int64))
    (1e-06, 0.0)
    >>> check_tol(None, (3, 3), np.dtype(np.float64)) == 3 * float(np.finfo(np.float64).eps)
    True
    """
    if tol is None:
        return default_tol(shape, dtype)
    if not is_real(tol):
        raise TypeError(f"tol must be a real number or None; got {tol!r}")
    try:
        finite = math.isfinite(tol)
    except OverflowError:  # an int beyond float64, e.g. 10**400
        finite = False
    if not (finite and 0 <= tol < 1):
        raise ValueError(
            f"tol must satisfy 0 <= tol < 1 (it is relative: rank 1 means sigma_2 <= tol * "
            f"sigma_1); got {tol!r}. None gives the default max(kH, kW) * eps."
        )
    return float(tol)


def check_rank(rank: object, most: int, bound: str, shape: tuple[int, ...], what: str) -> int:
    """``rank`` as an int in ``[1, most]``, for the number of separable terms asked for.

    Parameters
    ----------
    rank : int
        What the caller passed.
    most : int
        The largest rank that makes sense, e.g. ``min(kH, kW)``.
    bound : str
        Where ``most`` comes from, for the message, e.g. ``"min(kH, kW)"``.
    shape : tuple of int
        The shape of the array being factored, for the message.
    what : str
        What that array is, for the message: ``"kernel"``, ``"weight"``.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``rank`` is not an int (bools are refused).
    ValueError
        If ``rank`` is outside ``[1, most]``.

    Examples
    --------
    >>> from refconv.separability import check_rank
    >>> check_rank(2, 3, "min(kH, kW)", (3, 5), "kernel")
    2
    >>> check_rank(4, 3, "min(kH, kW)", (3, 5), "kernel")
    Traceback (most recent call last):
    ...
    ValueError: rank must be between 1 and min(kH, kW) = 3 for a kernel of shape (3, 5); got 4
    """
    if not is_int(rank):
        raise TypeError(f"rank must be an int; got {rank!r}")
    if not 1 <= rank <= most:
        raise ValueError(
            f"rank must be between 1 and {bound} = {most} for a {what} of shape {shape}; got {rank}"
        )
    return int(rank)


def positive_ints(value: object, name: str, labels: str) -> tuple[int, ...]:
    """``value`` as positive ints, one per name in ``labels``, e.g. ``"(C_in, H, W)"``.

    For the shapes the multiplication counts take (an image, a kernel, a layer's weight).

    Parameters
    ----------
    value : sequence of int
        What the caller passed.
    name : str
        The argument's name, for the error messages.
    labels : str
        The names of the entries, e.g. ``"(rows, columns)"``: their number is how many ints
        ``value`` must hold.

    Returns
    -------
    tuple of int

    Raises
    ------
    TypeError
        If ``value`` is not a sequence of that many items.
    ValueError
        If an item is not a positive int (bools are refused).

    Examples
    --------
    >>> from refconv.separability import positive_ints
    >>> positive_ints([3, 10, 12], "input_shape", "(C_in, H, W)")
    (3, 10, 12)
    >>> positive_ints((12, 0), "image_shape", "(rows, columns)")
    Traceback (most recent call last):
    ...
    ValueError: image_shape must be a pair of positive ints (rows, columns); got (12, 0)
    """
    count = labels.count(",") + 1
    what = "a pair of" if count == 2 else f"{count}"
    try:
        # tuple() is the check (it raises the TypeError caught below); the type checker
        # cannot know that ``value`` is iterable
        items: tuple[object, ...] = tuple(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be {what} ints {labels}; got {value!r}") from None
    if len(items) != count:
        raise TypeError(f"{name} must be {what} ints {labels}; got {value!r}")
    ints = []
    for v in items:
        if not is_int(v) or v < 1:
            raise ValueError(f"{name} must be {what} positive ints {labels}; got {value!r}")
        ints.append(int(v))
    return tuple(ints)


def positive_rank(rank: object) -> int:
    """``rank`` as a positive int: the number of separable terms a count is asked for.

    Unlike :func:`check_rank` there is no upper bound (a count may be asked for any rank).

    Parameters
    ----------
    rank : int

    Returns
    -------
    int

    Raises
    ------
    ValueError
        If ``rank`` is not an int ``>= 1`` (bools are refused).

    Examples
    --------
    >>> from refconv.separability import positive_rank
    >>> positive_rank(4)
    4
    >>> positive_rank(0)
    Traceback (most recent call last):
    ...
    ValueError: rank must be a positive int; got 0
    """
    if not is_int(rank) or rank < 1:
        raise ValueError(f"rank must be a positive int; got {rank!r}")
    return int(rank)
