"""Batch normalisation: batch statistics in training, the running statistics at inference.

>>> import numpy as np
>>> bn = BatchNorm2d(3)
>>> [name for name, _ in bn.named_parameters()], [name for name, _ in bn.named_buffers()]
(['weight', 'bias'], ['running_mean', 'running_var'])
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from .. import arguments, counting
from .init import flag, float_dtype
from .module import Module, check_grad_output, forward_first
from .ops.batch_norm import batch_norm_backward, batch_norm_forward


class _Saved(NamedTuple):
    """What a forward pass keeps for backward: the input (a reference) and, per channel, the
    mean and ``1 / sqrt(var + eps)`` it normalised with."""

    x: np.ndarray
    mean: np.ndarray  # (C,)
    inv_std: np.ndarray  # (C,)
    batch_statistics: bool  # training mode: mean and var were computed from x


class BatchNorm2d(Module):
    """Batch normalisation over ``(N, C, H, W)``, per channel, as ``torch.nn.BatchNorm2d``.

    ``y = (x - mean) / sqrt(var + eps) * weight + bias``, where

    * in training mode (``train()``), ``mean`` and ``var`` are the batch's, over N, H and W
      (``var`` biased: divided by ``m = N*H*W``), and the running statistics move towards them:
      ``running = (1 - momentum) * running + momentum * batch``, with the *unbiased* variance
      (``var * m / (m - 1)``), as PyTorch;
    * in inference mode (the default, see :mod:`refconv.nn.module`), ``mean`` and ``var`` are
      ``running_mean`` and ``running_var``: the layer is an affine map per channel, folded to one
      multiplication and one addition per element (:meth:`folded`).

    An unbatched ``(C, H, W)`` input is a batch of one image.

    Parameters ``weight`` (gamma) and ``bias`` (beta), 2 per channel when ``affine``; buffers
    ``running_mean`` and ``running_var``, 2 per channel. Initialised as PyTorch does (ones,
    zeros, zeros, ones). (PyTorch also keeps a scalar ``num_batches_tracked`` buffer, used only
    by ``momentum=None``; it holds no per-channel data and is not modelled.)

    Backward, with ``x_hat = (x - mean) / sqrt(var + eps)`` and ``g = dL/dy``:
    ``dL/dweight = sum(g * x_hat)`` and ``dL/dbias = sum(g)`` over N, H, W; ``dL/dx_hat = g *
    weight``. At inference ``dL/dx = dL/dx_hat / sqrt(var + eps)``. In training the batch's mean
    and variance depend on ``x`` too, and the chain rule through them gives (Ioffe & Szegedy
    2015, section 3, simplified)::

        dL/dx = (dL/dx_hat - mean(dL/dx_hat) - x_hat * mean(dL/dx_hat * x_hat)) / sqrt(var + eps)

    with the means over N, H, W. Forward keeps a reference to ``x`` and two numbers per channel.
    Training-mode forward and every backward run Numba kernels that sum in float64
    (:mod:`refconv.nn.ops.batch_norm`, beside the NumPy spec they are tested against).

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

    In training mode the batch's statistics normalise, and the running ones follow them:

    >>> bn = BatchNorm2d(1, eps=0.0, dtype=np.float64).train()
    >>> bn(np.array([1.0, 3.0]).reshape(2, 1, 1, 1)).ravel()      # mean 2, variance 1
    array([-1.,  1.])
    >>> bn.running_mean, bn.running_var                           # 0.9*0 + 0.1*2, 0.9*1 + 0.1*2
    (array([0.2]), array([1.1]))
    """

    parameter_names: tuple[str, ...] = ("weight", "bias")
    buffer_names = ("running_mean", "running_var")
    _saved: _Saved | None = None

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        affine: bool = True,
        *,
        momentum: float = 0.1,
        dtype: npt.DTypeLike = np.float32,
    ) -> None:
        super().__init__()
        self.num_features = arguments.positive_int(num_features, "num_features")
        if not arguments.is_real(eps):
            raise TypeError(
                f"eps must be a number >= 0 (default 1e-5); got {eps!r} ({type(eps).__name__})"
            )
        if not (math.isfinite(eps) and eps >= 0):
            raise ValueError(f"eps must be a finite number >= 0 (default 1e-5); got {eps!r}")
        self.eps = float(eps)
        if not arguments.is_real(momentum):
            raise TypeError(
                f"momentum must be a number in [0, 1] (default 0.1; PyTorch's momentum=None, a "
                f"cumulative average, is not modelled); got {momentum!r}"
            )
        if not 0.0 <= momentum <= 1.0:  # NaN fails both comparisons
            raise ValueError(f"momentum must be a number in [0, 1] (default 0.1); got {momentum!r}")
        self.momentum = float(momentum)
        self.affine = flag(affine, "affine")
        if not self.affine:
            self.parameter_names = ()  # weight and bias stay ones and zeros, not learnable
        dtype = float_dtype(dtype)
        self.weight = np.ones(self.num_features, dtype=dtype)
        self.bias = np.zeros(self.num_features, dtype=dtype)
        self.running_mean = np.zeros(self.num_features, dtype=dtype)
        self.running_var = np.ones(self.num_features, dtype=dtype)

    def folded(self) -> tuple[np.ndarray, np.ndarray]:
        """``(scale, shift)`` with ``y = x * scale + shift`` per channel at inference."""
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
        if self.training:
            return self._forward_batch(x)
        scale, shift = self.folded()
        scale = scale.astype(x.dtype)[:, None, None]  # (C, 1, 1)
        shift = shift.astype(x.dtype)[:, None, None]
        y: np.ndarray = x * scale + shift
        inv_std = 1.0 / np.sqrt(self.running_var + self.eps)
        self._saved = _Saved(x, self.running_mean.copy(), inv_std, batch_statistics=False)
        return y

    def _forward_batch(self, x: np.ndarray) -> np.ndarray:
        """Training mode: normalise by the batch's statistics, update the running ones."""
        m = x.size // self.num_features  # values per channel: N*H*W
        if m < 2:
            raise ValueError(
                f"BatchNorm2d({self.num_features}) in training mode needs more than 1 value per "
                f"channel to compute a variance; got x of shape {x.shape}. Use a larger batch "
                f"or image, or eval() mode"
            )
        affine = self.affine
        y, mean, var, inv_std = batch_norm_forward(
            _batched(x), self.weight if affine else None, self.bias if affine else None, self.eps
        )
        k = self.momentum
        self.running_mean[...] = (1 - k) * self.running_mean + k * mean
        self.running_var[...] = (1 - k) * self.running_var + k * var * (m / (m - 1))
        self._saved = _Saved(x, mean, inv_std, batch_statistics=True)
        return y.reshape(x.shape)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        x, mean, inv_std, batch_statistics = forward_first(self, self._saved)
        g = check_grad_output(self, grad_output, x.shape)
        self._saved = None
        dtype = arguments.result_dtype(x, g)
        grad_x, grad_weight, grad_bias = batch_norm_backward(
            _batched(g.astype(dtype, copy=False)),
            _batched(x),
            mean,
            inv_std,
            self.weight if self.affine else None,
            batch_statistics,
        )
        if grad_weight is not None and grad_bias is not None:
            self.accumulate_grad("weight", grad_weight)
            self.accumulate_grad("bias", grad_bias)
        return grad_x.reshape(x.shape)

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

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, affine={self.affine}"


def _batched(x: np.ndarray) -> np.ndarray:
    """``x`` as ``(N, C, H, W)``: an unbatched ``(C, H, W)`` image is a batch of one."""
    return x if x.ndim == 4 else x[None]
