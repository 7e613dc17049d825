"""Argument normalisation and the error messages users see.

Every public function validates here, in plain Python, before any kernel runs:
the Numba kernels do no checking at all. Each error names the argument, what
was given, what was expected and, where there is one, the fix.
"""

from __future__ import annotations

import functools
import numbers
import operator
from dataclasses import dataclass
from typing import Any, TypeGuard

import numpy as np

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
METHODS = ("auto", "reference", "direct", "im2col", "winograd")

Pair = tuple[int, int]
Pads = tuple[Pair, Pair]  # ((top, bottom), (left, right))

INDEX_MAX = 2**62  # strides, dilations and pads: well inside the kernels' int64 indices


def is_int(value: object) -> TypeGuard[int | np.integer[Any]]:
    """True for Python and NumPy integers, False for bool (``True`` is not a stride).

    For the type checker a ``True`` narrows ``value`` to an integer (``int(value)`` and
    ``operator.index(value)`` accept it); a ``False`` says nothing about it."""
    if type(value) is int:  # the common case, without the slow abstract-class check
        return True
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def is_real(value: object) -> TypeGuard[float]:
    """True for real numbers (``numbers.Real``: Python's and NumPy's ints and floats,
    ``Fraction``...), False for bool.

    For the type checker a ``True`` narrows ``value`` to ``float``, which stands for every real
    number (an ``int`` is accepted where a ``float`` is expected); a ``False`` says nothing."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def as_float_array(value: object, name: str) -> np.ndarray:
    """Return ``value`` as an array of a dtype the kernels accept.

    float32 and float64 pass through; integer and bool arrays become float64.
    Anything else (complex, object, strings, float16, datetimes) is a ``TypeError``.
    The caller's array is never written to: conversion makes a copy when the dtype changes,
    and the functional layer copies before any in-place work.
    """
    if isinstance(value, np.ma.MaskedArray):
        masked = int(np.count_nonzero(np.ma.getmaskarray(value)))
        if masked:
            raise ValueError(
                f"{name} is a masked array with {masked} masked value(s); a convolution has no "
                f"notion of a missing value, and ignoring the mask would silently use whatever "
                f"lies under it. Fill them first, e.g. {name}.filled(0.0)"
            )
        value = value.data
    if isinstance(value, np.ndarray):
        array = value
    else:
        try:
            array = np.asarray(value)
        except (ValueError, TypeError, RuntimeError) as exc:  # ragged lists, torch tensors...
            hint = (
                " For a torch.Tensor pass tensor.detach().cpu().numpy()."
                if type(value).__module__.startswith("torch")
                else ""
            )
            raise TypeError(
                f"{name} must be an array of numbers; could not convert the given "
                f"{type(value).__name__}: {exc}.{hint}"
            ) from None
    kind = array.dtype.kind
    if kind == "f" and array.dtype.itemsize in (4, 8):
        return array
    if kind in "biu":
        return array.astype(np.float64)
    raise TypeError(
        f"{name} has dtype {array.dtype}; expected float32, float64, an integer or a bool dtype "
        f"(integers and bools are computed in float64). Convert it first, e.g. "
        f"{name}.astype(np.float32)."
    )


def result_dtype(*arrays: np.ndarray | None) -> np.dtype:
    """NumPy's promotion over the (already float) arrays: float32 only if every one is float32."""
    dtypes = [a.dtype for a in arrays if a is not None]
    if all(d == dtypes[0] for d in dtypes[1:]):  # the usual case, without NumPy's promotion
        return dtypes[0]
    return np.result_type(*dtypes)


def check_input(x: np.ndarray, name: str = "x") -> tuple[np.ndarray, bool]:
    """Accept ``(N, C, H, W)`` or unbatched ``(C, H, W)``; return the 4-D view and whether a batch
    axis was added."""
    if x.ndim not in (3, 4):
        raise ValueError(
            f"{name} must have shape (N, C_in, H, W) or unbatched (C_in, H, W); "
            f"got {x.ndim}-D array of shape {x.shape}"
        )
    channels, height, width = x.shape[-3:]
    if channels < 1 or height < 1 or width < 1:
        raise ValueError(
            f"{name} must have at least one channel, row and column; got shape {x.shape}"
        )
    unbatched = x.ndim == 3
    return (x[np.newaxis] if unbatched else x), unbatched


def check_weight(
    weight: np.ndarray, name: str = "weight", layout: str = "(C_out, C_in // groups, kH, kW)"
) -> None:
    if weight.ndim != 4:
        raise ValueError(
            f"{name} must be 4-D with shape {layout}; got {weight.ndim}-D array of shape "
            f"{weight.shape}"
        )
    if min(weight.shape) < 1:
        raise ValueError(f"{name} must have no empty axis; got shape {weight.shape}")


def pair(value: object, name: str, minimum: int) -> Pair:
    """An int or a pair of ints, each ``>= minimum``, as an ``(h, w)`` tuple."""
    if is_int(value):
        items = (int(value), int(value))
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(is_int(v) for v in value):
        items = (int(value[0]), int(value[1]))
    else:
        raise TypeError(f"{name} must be an int or a pair of ints (h, w); got {value!r}")
    if min(items) < minimum:
        raise ValueError(f"{name} must be >= {minimum} in each dimension; got {value!r}")
    if max(items) > INDEX_MAX:
        raise ValueError(f"{name} must be at most 2**62 in each dimension; got {value!r}")
    return items


def positive_int(value: object, name: str) -> int:
    if not is_int(value):
        raise TypeError(f"{name} must be a positive int; got {value!r}")
    if operator.index(value) < 1:
        raise ValueError(f"{name} must be a positive int; got {value!r}")
    return int(value)


def choice(
    value: object, name: str, options: tuple[str, ...], refused: dict[str, str] | None = None
) -> str:
    """``value`` if it is one of ``options``; ``refused`` maps options that do not apply
    here to the reason, said in the error."""
    if value in options and (refused is None or value not in refused):
        return str(value)  # a str: only strs are in options
    refused = refused or {}
    allowed = tuple(o for o in options if o not in refused)
    if isinstance(value, str) and value in refused:
        listed = ", ".join(repr(o) for o in allowed)
        raise ValueError(
            f"{name}={value!r} does not apply here: {refused[value]}. Use one of {listed}"
        )
    if not isinstance(value, str) or value not in allowed:
        listed = ", ".join(repr(o) for o in allowed)
        raise ValueError(f"{name} must be one of {listed}; got {value!r}")
    return value


def _same_pads(size: int, kernel: int, stride: int, dilation: int) -> Pair:
    """TensorFlow / ONNX ``SAME_UPPER``: output ``ceil(size / stride)``, odd pixel at the end."""
    out = -(-size // stride)
    span = dilation * (kernel - 1) + 1
    total = max((out - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def explicit_padding(
    padding: object, kernel: Pair, stride: Pair, dilation: Pair, spatial: Pair
) -> Pads:
    """Turn every accepted padding form into ``((top, bottom), (left, right))``, once, up front.

    Accepted: an int, ``(ph, pw)``, ``((top, bottom), (left, right))``, ``"valid"`` and
    ``"same"`` (case-insensitive).
    """
    if isinstance(padding, str):
        form = padding.lower()
        if form == "valid":
            return (0, 0), (0, 0)
        if form == "same":
            return (
                _same_pads(spatial[0], kernel[0], stride[0], dilation[0]),
                _same_pads(spatial[1], kernel[1], stride[1], dilation[1]),
            )
        raise ValueError(f"padding string must be 'valid' or 'same'; got {padding!r}")
    expected = (
        "padding must be an int, a pair (ph, pw), a pair of pairs ((top, bottom), (left, right)), "
        "'valid' or 'same'"
    )
    if is_int(padding):
        p = int(padding)
        pads: Pads = ((p, p), (p, p))
    elif isinstance(padding, (tuple, list)) and len(padding) == 2:
        if all(is_int(v) for v in padding):
            ph, pw = int(padding[0]), int(padding[1])
            pads = ((ph, ph), (pw, pw))
        elif all(
            isinstance(v, (tuple, list)) and len(v) == 2 and all(is_int(u) for u in v)
            for v in padding
        ):
            pads = (
                (int(padding[0][0]), int(padding[0][1])),
                (int(padding[1][0]), int(padding[1][1])),
            )
        else:
            raise TypeError(f"{expected}; got {padding!r}")
    else:
        raise TypeError(f"{expected}; got {padding!r}")
    if min(pads[0] + pads[1]) < 0:
        raise ValueError(f"padding must be non-negative; got {padding!r}")
    if max(pads[0] + pads[1]) > INDEX_MAX:
        raise ValueError(f"padding must be at most 2**62 on each side; got {padding!r}")
    return pads


def check_padding_fits(pads: Pads, mode: str, spatial: Pair) -> None:
    """PyTorch's limits: reflect needs pad < size, circular needs pad <= size."""
    if mode == "zeros" or mode == "replicate":
        return
    for axis, (before, after), size in zip(("height", "width"), pads, spatial, strict=True):
        widest = max(before, after)
        if mode == "reflect" and widest >= size:
            raise ValueError(
                f"padding_mode='reflect' needs each pad smaller than the input {axis} "
                f"({size}); got pads {(before, after)}. Use 'replicate' or 'zeros', or a "
                f"smaller padding."
            )
        if mode == "circular" and widest > size:
            raise ValueError(
                f"padding_mode='circular' needs each pad at most the input {axis} "
                f"({size}); got pads {(before, after)}."
            )


@dataclass(frozen=True)
class ConvGeometry:
    """Everything a kernel needs to know about one convolution, normalised."""

    stride: Pair
    dilation: Pair
    pads: Pads
    groups: int
    out_size: Pair

    @property
    def unpadded(self) -> bool:
        """True when no side is padded."""
        return self.pads == ((0, 0), (0, 0))


def output_size(size: int, kernel: int, stride: int, dilation: int, before: int, after: int) -> int:
    """PyTorch's formula: ``floor((size + pads - dilation*(kernel-1) - 1) / stride) + 1``."""
    return (size + before + after - dilation * (kernel - 1) - 1) // stride + 1


def conv_geometry(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    stride: object,
    padding: object,
    dilation: object,
    groups: object,
    padding_mode: str,
    x_name: str = "x",
    w_name: str = "weight",
) -> ConvGeometry:
    """Check that ``x`` (4-D) and ``weight`` (4-D) fit together and work out the output size.

    The result is cached when stride, dilation and groups are plain ``int`` and padding an
    ``int`` or a ``str`` -- the usual call (the checks take a few microseconds, which count
    when the convolution itself takes 0.1 ms). Other types are checked on every call: ``True``
    and ``1.0`` hash like ``1`` but are not valid strides. Errors are raised on every call.
    """
    args = (
        tuple(x_shape),
        tuple(w_shape),
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        x_name,
        w_name,
    )
    if (
        type(stride) is int
        and type(dilation) is int
        and type(groups) is int
        and (type(padding) is int or type(padding) is str)
    ):
        return _cached_geometry(*args)
    return _geometry(*args)


def _geometry(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    stride: object,
    padding: object,
    dilation: object,
    groups: object,
    padding_mode: str,
    x_name: str,
    w_name: str,
) -> ConvGeometry:
    """:func:`conv_geometry`, uncached (same arguments, all given)."""
    s = pair(stride, "stride", 1)
    d = pair(dilation, "dilation", 1)
    g = positive_int(groups, "groups")
    _, c_in, height, width = x_shape
    c_out, c_per_group, kh, kw = w_shape
    if c_in % g or c_out % g:
        raise ValueError(
            f"groups={g} must divide both the input channels and the output channels; got "
            f"{x_name}.shape={tuple(x_shape)} (C_in={c_in}), {w_name}.shape={tuple(w_shape)} "
            f"(C_out={c_out})"
        )
    if c_per_group * g != c_in:
        raise ValueError(
            f"{w_name}.shape[1] must be C_in // groups = {c_in} // {g} = {c_in // g}; got "
            f"{x_name}.shape={tuple(x_shape)}, {w_name}.shape={tuple(w_shape)}, groups={g}"
        )
    pads = explicit_padding(padding, (kh, kw), s, d, (height, width))
    check_padding_fits(pads, padding_mode, (height, width))
    out_h = output_size(height, kh, s[0], d[0], *pads[0])
    out_w = output_size(width, kw, s[1], d[1], *pads[1])
    if out_h < 1 or out_w < 1:
        span = (d[0] * (kh - 1) + 1, d[1] * (kw - 1) + 1)
        padded = (height + sum(pads[0]), width + sum(pads[1]))
        raise ValueError(
            f"kernel is larger than the padded input: dilated kernel {span[0]}x{span[1]} "
            f"(kernel {kh}x{kw}, dilation {d}) does not fit the padded input "
            f"{padded[0]}x{padded[1]} ({x_name} {height}x{width}, padding {pads}). Use more "
            f"padding, a smaller kernel or a larger input."
        )
    return ConvGeometry(stride=s, dilation=d, pads=pads, groups=g, out_size=(out_h, out_w))


_cached_geometry = functools.lru_cache(maxsize=512)(_geometry)


def check_bias(bias: np.ndarray | None, channels: int, name: str = "bias") -> None:
    if bias is not None and bias.shape != (channels,):
        raise ValueError(f"{name} must have shape (C_out,) = ({channels},); got shape {bias.shape}")


PassGeometry = tuple[Pair, Pads, Pair]  # (stride, pads, dilation) of one pass


def spatial_passes(
    x_shape: tuple[int, ...],
    kernel_size: Pair,
    stride: object,
    padding: object,
    dilation: object,
    padding_mode: str,
) -> tuple[PassGeometry, PassGeometry]:
    """Split the geometry of a ``kH x kW`` convolution between its ``kH x 1`` and ``1 x kW``
    passes: ``((stride, pads, dilation) of the column pass, the same of the row pass)``.

    The column pass takes the vertical stride, padding and dilation and keeps the full width;
    the row pass the horizontal ones. ``padding`` ("same" included) is that of the whole
    ``kH x kW`` convolution, worked out once here for the functional API, the closed-form
    cost and the counted loops alike.

    >>> spatial_passes((1, 1, 12, 12), (5, 5), 1, "same", 1, "zeros")
    (((1, 1), ((2, 2), (0, 0)), (1, 1)), ((1, 1), ((0, 0), (2, 2)), (1, 1)))
    """
    s = pair(stride, "stride", 1)
    d = pair(dilation, "dilation", 1)
    full = conv_geometry(
        tuple(x_shape), (1, x_shape[1], *kernel_size), s, padding, d, 1, padding_mode
    )
    rows, cols = full.pads
    return ((s[0], 1), (rows, (0, 0)), (d[0], 1)), ((1, s[1]), ((0, 0), cols), (1, d[1]))
