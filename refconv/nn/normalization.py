"""Batch normalisation at inference, folded to one multiplication and one addition per element.

>>> import numpy as np
>>> bn = BatchNorm2d(3)
>>> sorted(bn.parameters()), sorted(bn.buffers())
(['bias', 'weight'], ['running_mean', 'running_var'])
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from .. import arguments, counting
from .init import flag, float_dtype
from .module import Module


class BatchNorm2d(Module):
    """Batch normalisation at inference: ``(x - running_mean) / sqrt(running_var + eps) *
    weight + bias``, per channel.

    Parameters ``weight`` (gamma) and ``bias`` (beta), 2 per channel when ``affine``; buffers
    ``running_mean`` and ``running_var``, 2 per channel. Initialised as PyTorch does (ones,
    zeros, zeros, ones); set them to trained values to use the layer. (PyTorch also keeps a
    scalar ``num_batches_tracked`` buffer; it holds no per-channel data and is not modelled.)

    Examples
    --------
    >>> import numpy as np
    >>> bn = BatchNorm2d(2, eps=0.0)
    >>> bn.running_mean[:] = [1.0, 2.0]
    >>> bn.running_var[:] = [4.0, 1.0]
    >>> bn(np.full((2, 1, 1), 3.0, dtype=np.float32)).ravel()     # (3 - 1) / 2, (3 - 2) / 1
    array([1., 1.], dtype=float32)
    >>> c = bn.cost((2, 4, 4))
    >>> c.params, c.buffers, c.multiplications
    (4, 4, 32)
    """

    parameter_names = ("weight", "bias")
    buffer_names = ("running_mean", "running_var")

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        affine: bool = True,
        *,
        dtype: npt.DTypeLike = np.float32,
    ) -> None:
        self.num_features = arguments.positive_int(num_features, "num_features")
        if not arguments.is_real(eps):
            raise TypeError(
                f"eps must be a number >= 0 (default 1e-5); got {eps!r} ({type(eps).__name__})"
            )
        if not (math.isfinite(eps) and eps >= 0):
            raise ValueError(f"eps must be a finite number >= 0 (default 1e-5); got {eps!r}")
        self.eps = float(eps)
        self.affine = flag(affine, "affine")
        dtype = float_dtype(dtype)
        self.weight = np.ones(self.num_features, dtype=dtype)
        self.bias = np.zeros(self.num_features, dtype=dtype)
        self.running_mean = np.zeros(self.num_features, dtype=dtype)
        self.running_var = np.ones(self.num_features, dtype=dtype)

    def folded(self) -> tuple[np.ndarray, np.ndarray]:
        """``(scale, shift)`` with ``y = x * scale + shift`` per channel (computed once)."""
        scale = 1.0 / np.sqrt(self.running_var + self.eps)
        if self.affine:
            scale = scale * self.weight
        shift = -self.running_mean * scale + (self.bias if self.affine else 0.0)
        return scale, shift

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = arguments.as_float_array(x, "x")
        if x.ndim not in (3, 4) or x.shape[-3] != self.num_features:
            raise ValueError(
                f"BatchNorm2d({self.num_features}) expects x of shape (N, {self.num_features}, "
                f"H, W) or ({self.num_features}, H, W); got {x.shape}"
            )
        scale, shift = self.folded()
        scale = scale.astype(x.dtype)[:, None, None]  # (C, 1, 1)
        shift = shift.astype(x.dtype)[:, None, None]
        y: np.ndarray = x * scale + shift
        return y

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> counting.OpCount:
        if len(input_shape) != 3 or input_shape[0] != self.num_features:
            raise ValueError(
                f"BatchNorm2d({self.num_features}) expects input_shape ({self.num_features}, "
                f"H, W); got {tuple(input_shape)}"
            )
        return counting.batch_norm2d_cost(input_shape, self.affine)

    def counted(self, x: np.ndarray, effective: bool = False) -> tuple[np.ndarray, counting.Tally]:
        scale, shift = self.folded()
        return counting.batch_norm2d_counted(np.asarray(x, dtype=np.float64), scale, shift)

    def parameters(self) -> dict[str, np.ndarray]:
        """``weight`` and ``bias`` when ``affine``; none otherwise."""
        return super().parameters() if self.affine else {}

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, affine={self.affine}"
