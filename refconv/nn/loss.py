"""Loss functions: :class:`CrossEntropyLoss` (classification) and :class:`MSELoss`.

A loss is where a backward pass starts. ``loss(prediction, target)`` returns the loss as a
float and keeps what its gradient needs; ``loss.backward()`` then returns ``dL/dprediction``,
the ``grad_output`` of the network's last layer::

    value = criterion(model(x), targets)        # forward: a float
    model.backward(criterion.backward())        # backward: dL/dlogits, then through the model

Unlike PyTorch's, these are not layers (they have no parameters and no cost to count), and
``backward()`` takes no argument: the loss is the end of the chain, ``dL/dL = 1``.

>>> import numpy as np
>>> criterion = CrossEntropyLoss()
>>> round(criterion(np.zeros((2, 4)), np.array([0, 3])), 6)     # uniform: log(4)
1.386294
>>> criterion.backward()                                       # (softmax - one-hot) / N
array([[-0.375,  0.125,  0.125,  0.125],
       [ 0.125,  0.125,  0.125, -0.375]])
"""

from __future__ import annotations

import numpy as np

from .. import arguments

REDUCTIONS = ("mean", "sum")


def _reduction(value: object) -> str:
    return arguments.choice(value, "reduction", REDUCTIONS)


def _first(saved: tuple[np.ndarray, ...] | None, loss: str) -> tuple[np.ndarray, ...]:
    if saved is None:
        raise RuntimeError(
            f"{loss}.backward() needs the loss first: call loss(prediction, target), then "
            f"backward() (once per call)"
        )
    return saved


class CrossEntropyLoss:
    """Cross-entropy of class scores (logits) against integer class targets, as
    ``torch.nn.CrossEntropyLoss``: ``-log softmax(logits)[target]``, averaged over the batch
    (``reduction="mean"``, the default) or summed (``"sum"``).

    The log-softmax is computed the stable way, ``z - max(z) - log(sum(exp(z - max(z))))``:
    subtracting the largest score first keeps ``exp`` from overflowing, and changes nothing
    (softmax is unchanged by adding a constant to every score).

    Backward: ``dL/dlogits = (softmax(logits) - one_hot(target)) / N`` (without ``/ N`` for
    ``"sum"``): the identity ``d/dz_j (-log softmax(z)_t) = softmax(z)_j - [j == t]``.

    Parameters
    ----------
    reduction : {"mean", "sum"}, default "mean"

    Call with ``logits`` of shape ``(N, C)`` (or one unbatched ``(C,)``) and ``targets`` of
    shape ``(N,)`` (or a scalar), integers in ``[0, C)``.

    Examples
    --------
    >>> import numpy as np
    >>> criterion = CrossEntropyLoss()
    >>> logits = np.array([[1000.0, 0.0], [0.0, 0.0]])       # no overflow
    >>> round(criterion(logits, np.array([0, 1])), 6)       # (0 + log 2) / 2
    0.346574
    """

    def __init__(self, reduction: str = "mean") -> None:
        self.reduction = _reduction(reduction)
        self._saved: tuple[np.ndarray, ...] | None = None

    def __call__(self, logits: np.ndarray, targets: np.ndarray) -> float:
        return self.forward(logits, targets)

    def forward(self, logits: np.ndarray, targets: np.ndarray) -> float:
        """The loss; keeps the softmax and the targets for :meth:`backward`."""
        z = arguments.as_float_array(logits, "logits")
        t = np.asarray(targets)
        unbatched = z.ndim == 1
        if unbatched:
            z, t = z[np.newaxis], t.reshape(1) if t.ndim == 0 else t
        if z.ndim != 2 or z.shape[0] < 1 or z.shape[1] < 1:
            raise ValueError(
                f"logits must have shape (N, C) or unbatched (C,), one score per class, at "
                f"least one sample and one class; got shape {np.shape(logits)}"
            )
        n, classes = z.shape
        if t.dtype.kind not in "iu" or t.shape != (n,):
            raise ValueError(
                f"targets must be integer class indices of shape ({n},) for logits of shape "
                f"{np.shape(logits)}; got dtype {t.dtype}, shape {np.shape(targets)}. "
                f"(Class probabilities as targets are not supported.)"
            )
        if t.min() < 0 or t.max() >= classes:
            raise ValueError(
                f"targets must be class indices in [0, {classes}); got values from {t.min()} "
                f"to {t.max()}"
            )
        shifted = z - z.max(axis=1, keepdims=True)  # (N, C), largest score 0
        log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        picked = -log_softmax[np.arange(n), t]  # (N,) each sample's loss
        self._saved = (np.exp(log_softmax), t, np.array(unbatched))
        total = picked.sum()
        return float(total / n if self.reduction == "mean" else total)

    def backward(self) -> np.ndarray:
        """``dL/dlogits`` of the last call, of the logits' shape and dtype."""
        probabilities, t, unbatched = _first(self._saved, "CrossEntropyLoss")
        self._saved = None
        n = len(t)
        grad = probabilities.copy()  # softmax
        grad[np.arange(n), t] -= 1  # minus the one-hot targets
        if self.reduction == "mean":
            grad /= n
        result: np.ndarray = grad[0] if bool(unbatched) else grad
        return result

    def __repr__(self) -> str:
        return f"CrossEntropyLoss(reduction={self.reduction!r})"


class MSELoss:
    """Mean squared error, as ``torch.nn.MSELoss``: ``mean((prediction - target)**2)`` over
    every element (``reduction="mean"``), or the sum (``"sum"``).

    Backward: ``dL/dprediction = 2 * (prediction - target) / n`` (``n`` the number of
    elements; no ``/ n`` for ``"sum"``).

    Examples
    --------
    >>> import numpy as np
    >>> mse = MSELoss()
    >>> mse(np.array([1.0, 2.0]), np.array([0.0, 0.0]))       # (1 + 4) / 2
    2.5
    >>> mse.backward()
    array([1., 2.])
    """

    def __init__(self, reduction: str = "mean") -> None:
        self.reduction = _reduction(reduction)
        self._saved: tuple[np.ndarray, ...] | None = None

    def __call__(self, prediction: np.ndarray, target: np.ndarray) -> float:
        return self.forward(prediction, target)

    def forward(self, prediction: np.ndarray, target: np.ndarray) -> float:
        """The loss; keeps the difference for :meth:`backward`."""
        p = arguments.as_float_array(prediction, "prediction")
        t = arguments.as_float_array(target, "target")
        if p.shape != t.shape:
            raise ValueError(
                f"prediction and target must have the same shape; got {p.shape} and {t.shape}"
            )
        diff = p - t.astype(p.dtype, copy=False)
        self._saved = (diff,)
        total = np.sum(diff * diff)
        return float(total / max(diff.size, 1) if self.reduction == "mean" else total)

    def backward(self) -> np.ndarray:
        """``dL/dprediction`` of the last call."""
        (diff,) = _first(self._saved, "MSELoss")
        self._saved = None
        grad: np.ndarray = 2 * diff
        return grad / max(diff.size, 1) if self.reduction == "mean" else grad

    def __repr__(self) -> str:
        return f"MSELoss(reduction={self.reduction!r})"
