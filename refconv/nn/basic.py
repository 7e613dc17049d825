"""The layers around the convolutions: ReLU, Flatten, Dropout and Linear.

Each backward pass is one line of calculus, given in the class docstring with what forward
keeps for it.

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
from ..kernels.blas import single_threaded_blas
from .init import Seed, as_generator, initial_state, uniform
from .module import Module, check_grad_output, forward_first
from .ops.relu import relu_backward


class ReLU(Module):
    """``max(x, 0)`` elementwise.

    Backward: ``dL/dx = dL/dy`` where ``x > 0``, else 0 (at ``x = 0`` too, as PyTorch). Forward
    keeps a reference to ``x``.

    >>> import numpy as np
    >>> relu = ReLU()
    >>> relu(np.array([-1.0, 2.0]))
    array([0., 2.])
    >>> relu.backward(np.array([5.0, 5.0]))
    array([0., 5.])
    """

    _saved: np.ndarray | None = None  # the last forward's input

    def __init__(self) -> None:
        super().__init__()

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = arguments.as_float_array(x, "x")
        y: np.ndarray = np.maximum(x, 0).astype(x.dtype, copy=False)
        self._saved = x
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        x = forward_first(self, self._saved)
        g = check_grad_output(self, grad_output, x.shape)
        self._saved = None
        return relu_backward(x, g)  # one Numba pass: refconv.nn.ops.relu

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> counting.OpCount:
        return counting.relu_cost(tuple(input_shape))

    def counted(self, x: np.ndarray, effective: bool = False) -> tuple[np.ndarray, counting.Tally]:
        return counting.relu_counted(np.asarray(x, dtype=np.float64))


class Flatten(Module):
    """``(N, C, H, W) -> (N, C*H*W)``; unbatched ``(C, H, W) -> (C*H*W,)`` (C-major order, as
    PyTorch; Keras flattens NHWC, which orders the same numbers differently).

    Backward: ``dL/dy`` reshaped back to the input's shape (forward keeps the shape only).

    >>> import numpy as np
    >>> Flatten()(np.zeros((2, 3, 4, 4))).shape
    (2, 48)
    """

    _saved: tuple[tuple[int, ...], tuple[int, ...]] | None = None  # input and output shapes

    def __init__(self) -> None:
        super().__init__()

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        y = x.reshape(x.shape[0], -1) if x.ndim == 4 else x.reshape(-1)
        self._saved = x.shape, y.shape
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        x_shape, y_shape = forward_first(self, self._saved)
        g = check_grad_output(self, grad_output, y_shape)
        self._saved = None
        return g.reshape(x_shape)

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> counting.OpCount:
        return counting.reshape_cost(tuple(input_shape), (counting.numel(input_shape),))

    def counted(self, x: np.ndarray, effective: bool = False) -> tuple[np.ndarray, counting.Tally]:
        return np.asarray(x, dtype=np.float64).reshape(-1), counting.Tally()


class Dropout(Module):
    """Dropout: in training, each element is zeroed with probability ``p`` and the survivors
    are scaled by ``1 / (1 - p)`` ("inverted dropout", as PyTorch), so the expected output is
    the input; at inference, the identity.

    Parameters
    ----------
    p : float in [0, 1], default 0.5
    seed : int, numpy Generator or None
        Where the masks come from (PyTorch draws from its global generator; refconv gives each
        layer its own, so a seeded training run repeats exactly).

    Backward: in training ``dL/dx = dL/dy * mask / (1 - p)`` with the mask of the last forward
    (kept: one byte per element); at inference ``dL/dx = dL/dy``.

    Examples
    --------
    >>> import numpy as np
    >>> Dropout(0.5).cost((128,)).multiplications
    0
    >>> drop = Dropout(0.5, seed=0).train()
    >>> drop(np.ones(6))                            # the kept ones doubled
    array([2., 0., 0., 0., 2., 2.])
    >>> drop.backward(np.ones(6))
    array([2., 0., 0., 0., 2., 2.])
    """

    # training: (mask of the kept elements, 1 / (1 - p)); inference: None as mask; and the shape
    _saved: tuple[np.ndarray | None, float, tuple[int, ...]] | None = None

    def __init__(self, p: float = 0.5, *, seed: Seed = None) -> None:
        super().__init__()
        if not arguments.is_real(p):
            raise TypeError(
                f"p must be a probability, a number in [0, 1]; got {p!r} ({type(p).__name__})"
            )
        if not 0.0 <= p <= 1.0:  # NaN fails both comparisons
            raise ValueError(f"p must be a probability in [0, 1]; got {p!r}")
        self.p = float(p)
        self.generator = as_generator(seed)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if not self.training or self.p == 0.0:  # the identity, as at inference
            self._saved = None, 1.0, x.shape
            return x
        x = arguments.as_float_array(x, "x")
        keep = self.generator.random(x.shape) >= self.p  # each kept with probability 1 - p
        scale = 1.0 / (1.0 - self.p) if self.p < 1.0 else 0.0  # p = 1: everything dropped
        self._saved = keep, scale, x.shape
        y: np.ndarray = np.where(keep, x * scale, 0).astype(x.dtype, copy=False)
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        keep, scale, shape = forward_first(self, self._saved)
        g = check_grad_output(self, grad_output, shape)
        self._saved = None
        if keep is None:
            return g
        grad_x: np.ndarray = np.where(keep, g * scale, 0).astype(g.dtype, copy=False)
        return grad_x

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> counting.OpCount:
        return counting.reshape_cost(tuple(input_shape), tuple(input_shape))

    def counted(self, x: np.ndarray, effective: bool = False) -> tuple[np.ndarray, counting.Tally]:
        return np.asarray(x, dtype=np.float64), counting.Tally()

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Linear(Module):
    """Fully connected layer ``y = x @ weight.T + bias``, as ``torch.nn.Linear``.

    Backward, with the batch axes flattened into rows: ``dL/dx = dL/dy @ weight``,
    ``dL/dweight = (dL/dy).T @ x``, ``dL/dbias = dL/dy`` summed over the rows. Forward keeps
    a reference to ``x``.

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
    _saved: np.ndarray | None = None  # the last forward's input

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        seed: Seed = None,
        dtype: npt.DTypeLike = np.float32,
    ) -> None:
        super().__init__()
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
        self._saved = x
        return y.reshape(*x.shape[:-1], self.out_features)  # (..., out_features)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        x = forward_first(self, self._saved)
        g = check_grad_output(self, grad_output, (*x.shape[:-1], self.out_features))
        self._saved = None
        rows = g.reshape(-1, self.out_features)  # (batch, out_features)
        inputs = x.reshape(-1, self.in_features)  # (batch, in_features)
        dtype = arguments.result_dtype(x, g)
        # NumPy's GEMMs on one OpenBLAS thread: right after a Numba kernel, the pool's threads
        # still spin, and OpenBLAS's own threads waiting on them made these two GEMMs of the
        # CIFAR models' dense layer (64 x 128 x 2048) take 12 ms each instead of 1.
        with single_threaded_blas():
            self.accumulate_grad("weight", rows.T @ inputs)  # (out_features, in_features)
            grad_x: np.ndarray = rows.astype(dtype, copy=False) @ self.weight.astype(dtype)
        if self.bias is not None:
            self.accumulate_grad("bias", rows.sum(axis=0))
        return grad_x.reshape(x.shape)

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
