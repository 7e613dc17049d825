"""The layers around the convolutions: ReLU, Flatten, Dropout (at inference) and Linear.

>>> import numpy as np
>>> net_tail = [Flatten(), Dropout(0.5), Linear(12, 2, seed=0), ReLU()]
>>> x = np.ones((3, 2, 2))
>>> for layer in net_tail:
...     x = layer(x)
>>> x.shape
(2,)
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .. import arguments, counting
from ..functional import pointwise_conv2d
from .init import Seed, initial_state, uniform
from .module import Module


class ReLU(Module):
    """``max(x, 0)`` elementwise.

    >>> import numpy as np
    >>> ReLU()(np.array([-1.0, 2.0]))
    array([0., 2.])
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = arguments.as_float_array(x, "x")
        y: np.ndarray = np.maximum(x, 0).astype(x.dtype, copy=False)
        return y

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> counting.OpCount:
        return counting.relu_cost(tuple(input_shape))

    def counted(self, x: np.ndarray, effective: bool = False) -> tuple[np.ndarray, counting.Tally]:
        return counting.relu_counted(np.asarray(x, dtype=np.float64))


class Flatten(Module):
    """``(N, C, H, W) -> (N, C*H*W)``; unbatched ``(C, H, W) -> (C*H*W,)`` (C-major order, as
    PyTorch; Keras flattens NHWC, which orders the same numbers differently).

    >>> import numpy as np
    >>> Flatten()(np.zeros((2, 3, 4, 4))).shape
    (2, 48)
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        return x.reshape(x.shape[0], -1) if x.ndim == 4 else x.reshape(-1)

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> counting.OpCount:
        return counting.reshape_cost(tuple(input_shape), (counting.numel(input_shape),))

    def counted(self, x: np.ndarray, effective: bool = False) -> tuple[np.ndarray, counting.Tally]:
        return np.asarray(x, dtype=np.float64).reshape(-1), counting.Tally()


class Dropout(Module):
    """Dropout at inference: the identity (``p`` is kept for the record only).

    >>> Dropout(0.5).cost((128,)).multiplications
    0
    """

    def __init__(self, p: float = 0.5) -> None:
        if not arguments.is_real(p):
            raise TypeError(
                f"p must be a probability, a number in [0, 1]; got {p!r} ({type(p).__name__})"
            )
        if not 0.0 <= p <= 1.0:  # NaN fails both comparisons
            raise ValueError(f"p must be a probability in [0, 1]; got {p!r}")
        self.p = float(p)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x)

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> counting.OpCount:
        return counting.reshape_cost(tuple(input_shape), tuple(input_shape))

    def counted(self, x: np.ndarray, effective: bool = False) -> tuple[np.ndarray, counting.Tally]:
        return np.asarray(x, dtype=np.float64), counting.Tally()

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Linear(Module):
    """Fully connected layer ``y = x @ weight.T + bias``, as ``torch.nn.Linear``.

    Attributes
    ----------
    weight : ndarray, shape (out_features, in_features)
    bias : ndarray, shape (out_features,), or None

    Examples
    --------
    >>> import numpy as np
    >>> fc = Linear(2048, 128, seed=0)
    >>> fc(np.zeros((4, 2048), dtype=np.float32)).shape, fc.cost((2048,)).params
    ((4, 128), 262272)
    """

    parameter_names = ("weight", "bias")

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        seed: Seed = None,
        dtype: npt.DTypeLike = np.float32,
    ) -> None:
        self.in_features = arguments.positive_int(in_features, "in_features")
        self.out_features = arguments.positive_int(out_features, "out_features")
        has_bias, rng, dtype = initial_state(bias, seed, dtype)
        self.weight = uniform(rng, (self.out_features, self.in_features), self.in_features, dtype)
        self.bias = (
            uniform(rng, (self.out_features,), self.in_features, dtype) if has_bias else None
        )

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = arguments.as_float_array(x, "x")
        if x.shape[-1] != self.in_features:
            raise ValueError(
                f"Linear({self.in_features}, {self.out_features}) expects x with last axis "
                f"{self.in_features}; got shape {x.shape}"
            )
        # A fully connected layer is a 1x1 convolution of a 1x1 image: the same GEMM kernel,
        # and the same thread pool, as the convolutions around it.
        flat = x.reshape(-1, self.in_features, 1, 1)  # (batch, in_features, 1, 1)
        y = pointwise_conv2d(
            flat,
            self.weight[:, :, None, None].astype(x.dtype),
            None if self.bias is None else self.bias.astype(x.dtype),
        )
        return y.reshape(*x.shape[:-1], self.out_features)  # (..., out_features)

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> counting.OpCount:
        if tuple(input_shape) != (self.in_features,):
            raise ValueError(
                f"Linear({self.in_features}, {self.out_features}) expects input_shape "
                f"({self.in_features},); got {tuple(input_shape)}. Put a Flatten before it."
            )
        return counting.linear_cost(self.in_features, self.out_features, self.bias is not None)

    def counted(self, x: np.ndarray, effective: bool = False) -> tuple[np.ndarray, counting.Tally]:
        return counting.linear_counted(np.asarray(x, dtype=np.float64), self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"{self.in_features}, {self.out_features}, bias={self.bias is not None}"
