"""The layer base class, :class:`Module`, and :class:`Parameter` (a learnable array and its
gradient); :class:`~refconv.nn.Sequential` (layers run in order, :mod:`.sequential`) is
built on them.

A layer is an object with arrays (its parameters and buffers), a forward pass, a backward
pass, and two counts of what the forward pass costs: ``cost`` (the closed form) and
``counted`` (the instrumented loops), both from :mod:`refconv.counting`.

Parameters: arrays stay arrays
------------------------------
``layer.weight``, ``layer.bias``, ``bn.running_mean`` ... are plain NumPy arrays, as they always
were: read them, print them, write into them (``bn.running_var[:] = ...``), count them. What an
optimizer needs besides the array -- its gradient -- lives in a :class:`Parameter`, a small
handle that ``named_parameters()`` and ``parameters()`` hand out:

* ``p.data`` *is* the layer's array (``p.data is layer.weight``), not a copy: an update written
  into it (``p.data -= lr * p.grad``) changes the layer;
* ``p.grad`` is ``None`` until a backward pass, then the sum of the gradients of every
  ``backward`` since the last ``zero_grad()`` (PyTorch accumulates the same way).

So ``layer.weight.grad`` of PyTorch is ``layer.get_parameter("weight").grad`` here. We chose
this over a ``Parameter`` that subclasses ``np.ndarray`` (as ``torch.nn.Parameter`` subclasses
``Tensor``): NumPy functions return plain arrays or subclass instances unpredictably, and every
existing use of ``layer.weight`` -- the counts, the figures, the worked examples -- would have
had to be checked against that. A handle keeps them all exactly as they were.

``parameters()`` and ``buffers()`` return iterators, as PyTorch's do (they returned dicts of
arrays before gradients existed; ``dict(model.named_parameters())`` is the mapping, with
:class:`Parameter` values, and ``{n: b for n, b in model.named_buffers()}`` the buffers).

Training mode and inference mode: refconv starts in inference mode
------------------------------------------------------------------
``train()`` and ``eval()`` switch a layer and everything inside it, and ``training`` says which
mode it is in, as in PyTorch. Two layers behave differently: :class:`~refconv.nn.BatchNorm2d`
(batch statistics and running averages in training; the running statistics at inference) and
:class:`~refconv.nn.Dropout` (drops at random in training; the identity at inference).

**Unlike PyTorch, a new layer starts in inference mode** (``training = False``), as Keras runs
``model(x)`` in inference mode unless told otherwise. refconv's layers were inference layers
before they could learn; ``cost`` and ``counted`` count the inference pass; the articles'
networks are Keras networks; and everything that runs them without training (the summaries,
the published figures, the worked examples) must keep its numbers. So a training loop calls
``model.train()`` first, and ``model.eval()`` before it measures.

Backward and what forward keeps for it
--------------------------------------
``backward(grad_output)`` takes ``dL/dy`` of the last ``forward`` and returns ``dL/dx``, adding
the gradients of the layer's parameters to their ``.grad`` on the way. Each backward is written
by hand (no autograd): the layer's docstring gives the identity it uses. To run, it needs what
its forward pass saw, so **every forward keeps it, in both modes**: a reference to its input
(no copy -- the array is already alive as the previous layer's output), plus a few numbers per
channel (BatchNorm) or the mask it drew (Dropout in training, one byte per element). A
``Sequential`` therefore holds every activation of its last forward until the next forward or
backward, as PyTorch's autograd graph does; ``backward`` releases it. Calling ``backward``
without a forward first is a ``RuntimeError`` that says so. As in PyTorch, do not write into
an input between forward and backward.

>>> import numpy as np
>>> from refconv import nn
>>> net = nn.Sequential(nn.Conv2d(1, 2, 3, seed=0), nn.ReLU())
>>> net(np.ones((1, 5, 5))).shape, net.cost((1, 5, 5)).multiplications     # 2*3*3*9
((2, 3, 3), 162)
>>> [name for name, _ in net.named_parameters()]
['0.weight', '0.bias']
>>> net.training, net.train().training, net[0].training, net.eval().training
(False, True, True, False)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from .. import arguments
from ..counting import OpCount, Tally

T = TypeVar("T")
M = TypeVar("M", bound="Module")


class Parameter:
    """A layer's learnable array and its gradient: what an optimizer updates.

    A handle on the array ``module.<name>``: ``data`` is that array itself (reading it reads the
    layer's current array, assigning it replaces the layer's), ``grad`` the gradient the backward
    passes have added up for it (``None`` until the first). ``parameters()`` hands out the same
    handle every time, so a gradient stays with its parameter.

    Attributes
    ----------
    module : Module
        The layer that holds the array.
    name : str
        The attribute's name in that layer (``"weight"``, ``"bias"``, ...).
    grad : ndarray of the array's shape and dtype, or None

    Examples
    --------
    >>> import numpy as np
    >>> from refconv import nn
    >>> fc = nn.Linear(3, 2, seed=0)
    >>> w = fc.get_parameter("weight")
    >>> w.data is fc.weight, w.shape, w.grad
    (True, (2, 3), None)
    >>> _ = fc(np.ones((4, 3), dtype=np.float32))
    >>> _ = fc.backward(np.ones((4, 2), dtype=np.float32))   # dL/dy = 1: dL/dW = sum of x
    >>> w.grad
    array([[4., 4., 4.],
           [4., 4., 4.]], dtype=float32)
    """

    __slots__ = ("grad", "module", "name")

    def __init__(self, module: Module, name: str) -> None:
        self.module = module
        self.name = name
        self.grad: np.ndarray | None = None

    @property
    def data(self) -> np.ndarray:
        """The layer's array (not a copy)."""
        array: np.ndarray = getattr(self.module, self.name)
        return array

    @data.setter
    def data(self, value: np.ndarray) -> None:
        old = self.data
        if not isinstance(value, np.ndarray) or value.shape != old.shape:
            given = value.shape if isinstance(value, np.ndarray) else type(value).__name__
            raise ValueError(
                f"{self!r}: data must be an ndarray of shape {old.shape}; got {given}. Write "
                f"into the array instead (p.data[...] = new) to keep its shape and dtype."
            )
        setattr(self.module, self.name, value)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.data.shape)

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def numel(self) -> int:
        """The number of entries, as ``torch.Tensor.numel()``."""
        return int(self.data.size)

    def __repr__(self) -> str:
        grad = "None" if self.grad is None else "set"
        return (
            f"Parameter({type(self.module).__name__}.{self.name}, shape={self.shape}, "
            f"dtype={self.dtype}, grad={grad})"
        )


def forward_first(layer: Module, saved: T | None) -> T:
    """What ``layer``'s last forward pass kept for its backward pass; a ``RuntimeError`` that
    says what to do when there is none (no forward yet, or a backward already used it)."""
    if saved is None:
        raise RuntimeError(
            f"{layer!r}.backward(grad_output) needs a forward pass first: call layer(x), then "
            f"layer.backward(dL/dy). Each forward keeps what one backward needs, and that "
            f"backward releases it (run forward again for a second backward)."
        )
    return saved


def check_grad_output(layer: Module, grad_output: object, shape: tuple[int, ...]) -> np.ndarray:
    """``grad_output`` as a float array of ``shape``, the shape of ``layer``'s last output."""
    g = arguments.as_float_array(grad_output, "grad_output")
    if g.shape != tuple(shape):
        raise ValueError(
            f"{layer!r}.backward: grad_output must have the shape of the forward output, "
            f"{tuple(shape)}; got {g.shape}"
        )
    return g


class Module:
    """Base class: a layer with arrays, a forward and a backward pass, and a cost.

    Subclasses define ``forward``, ``backward``, ``cost`` and ``counted``, call
    ``super().__init__()``, and name their arrays in ``parameter_names`` (learnable) and
    ``buffer_names`` (not learnable); an array that is ``None`` (a layer built with
    ``bias=False``) is left out of ``parameters()``. A layer made of layers (``Sequential``)
    lists them in ``named_children``.
    """

    parameter_names: tuple[str, ...] = ()
    buffer_names: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.training = False  # inference mode, unlike PyTorch: see the module docstring
        self._handles: dict[str, Parameter] = {}

    # -- the passes ------------------------------------------------------------------------

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The layer's output for ``x`` (``(N, C, H, W)`` or unbatched ``(C, H, W)``)."""
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """``dL/dx`` from ``grad_output = dL/dy`` of the last forward; adds ``dL/dp`` to each
        parameter's ``.grad``."""
        raise NotImplementedError(f"{type(self).__name__} has no backward pass")

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> OpCount:
        """The exact operation count for one input of shape ``input_shape`` (no batch axis)."""
        raise NotImplementedError

    def counted(self, x: np.ndarray, effective: bool = False) -> tuple[np.ndarray, Tally]:
        """The forward pass by the instrumented loops, on one small unbatched input:
        ``(output, Tally)``."""
        raise NotImplementedError

    # -- parameters, buffers, children -----------------------------------------------------

    def get_parameter(self, target: str) -> Parameter:
        """The :class:`Parameter` named ``target`` (``"weight"``, or a dotted path in a
        ``Sequential``: ``"block1.conv.weight"``), as ``torch.nn.Module.get_parameter``."""
        found = dict(self.named_parameters())
        if target not in found:
            raise AttributeError(
                f"{type(self).__name__} has no parameter {target!r}; its parameters are "
                f"{sorted(found)}"
            )
        return found[target]

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """``(name, Parameter)`` for every learnable array, this layer's then its children's
        (dotted names, as PyTorch's ``named_parameters()``)."""
        for name in self.parameter_names:
            if getattr(self, name) is not None:
                yield join_names(prefix, name), self._parameter(name)
        for child_name, child in self.named_children():
            yield from child.named_parameters(join_names(prefix, child_name))

    def _parameter(self, name: str) -> Parameter:
        """This layer's handle on its array ``name`` (made once, then the same one)."""
        if name not in self._handles:
            self._handles[name] = Parameter(self, name)
        return self._handles[name]

    def parameters(self) -> Iterator[Parameter]:
        """Every :class:`Parameter`: what an optimizer takes (``SGD(model.parameters(), ...)``)."""
        for _, parameter in self.named_parameters():
            yield parameter

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        """``(name, array)`` for the non-learnable state (BatchNorm's running statistics)."""
        for name in self.buffer_names:
            array = getattr(self, name)
            if array is not None:
                yield join_names(prefix, name), array
        for child_name, child in self.named_children():
            yield from child.named_buffers(join_names(prefix, child_name))

    def buffers(self) -> Iterator[np.ndarray]:
        """The non-learnable arrays (BatchNorm's running statistics)."""
        for _, array in self.named_buffers():
            yield array

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """``(name, layer)`` for the layers directly inside this one (none for a leaf)."""
        return iter(())

    def children(self) -> Iterator[Module]:
        for _, child in self.named_children():
            yield child

    def named_leaves(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """``(name, layer)`` for every leaf layer; a leaf yields itself."""
        yield prefix, self

    # -- modes, gradients, dtype -----------------------------------------------------------

    def train(self: M, mode: bool = True) -> M:
        """Training mode (``mode=True``) or inference mode, for this layer and every layer
        inside it; returns the layer, as PyTorch does."""
        if not isinstance(mode, (bool, np.bool_)):
            raise TypeError(f"mode must be True or False; got {mode!r}")
        self.training = bool(mode)
        for child in self.children():
            child.train(mode)
        return self

    def eval(self: M) -> M:
        """Inference mode: ``train(False)``."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: ``.grad = None`` (PyTorch's default), or zeros in place."""
        for parameter in self.parameters():
            if set_to_none:
                parameter.grad = None
            elif parameter.grad is not None:
                parameter.grad[...] = 0

    def accumulate_grad(self, name: str, grad: np.ndarray) -> None:
        """Add ``grad`` (``dL/d self.<name>``) to that parameter's ``.grad``, in its dtype:
        the first backward sets it, later ones add to it (as PyTorch's autograd)."""
        parameter = self._parameter(name)
        grad = np.asarray(grad)
        if grad.shape != parameter.shape:  # a bug in a backward pass, not a user error
            raise RuntimeError(
                f"{type(self).__name__}: gradient of {name} has shape {grad.shape}, expected "
                f"{parameter.shape}"
            )
        if parameter.grad is None:
            parameter.grad = grad.astype(parameter.dtype, copy=True)
        else:
            parameter.grad += grad

    def to(self: M, dtype: npt.DTypeLike) -> M:
        """Every parameter and buffer converted to ``dtype`` (float32 or float64), for this layer
        and every layer inside it; gradients too. Returns the layer (``model.to(np.float64)``
        is PyTorch's ``model.double()``)."""
        found = np.dtype(dtype)
        if found not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise TypeError(f"dtype must be np.float32 or np.float64; got {dtype!r}")
        for name in self.parameter_names + self.buffer_names:
            array = getattr(self, name)
            if array is not None:
                setattr(self, name, array.astype(found))
        for parameter in self._handles.values():
            if parameter.grad is not None:
                parameter.grad = parameter.grad.astype(found)
        for child in self.children():
            child.to(found)
        return self

    # -- printing ----------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The arguments shown between the parentheses of ``repr(layer)``."""
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


def join_names(prefix: str, name: str) -> str:
    """The dotted name of ``name`` inside ``prefix`` (``"block1"``, ``"conv"`` ->
    ``"block1.conv"``; no prefix: ``name``)."""
    return f"{prefix}.{name}" if prefix else name
