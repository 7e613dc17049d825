"""The layer base class, :class:`Module`, and :class:`Sequential`, layers run in order.

A layer is an object with arrays (its parameters and buffers), a forward pass, and two
counts of what that pass costs: ``cost`` (the closed form) and ``counted`` (the instrumented
loops), both from :mod:`refconv.counting`.

>>> import numpy as np
>>> from refconv import nn
>>> net = nn.Sequential(nn.Conv2d(1, 2, 3, seed=0), nn.ReLU())
>>> net(np.ones((1, 5, 5))).shape, net.cost((1, 5, 5)).multiplications     # 2*3*3*9
((2, 3, 3), 162)
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping

import numpy as np

from ..counting import OpCount, Tally, leaf_costs, reshape_cost


class Module:
    """Base class: a layer with arrays, a forward pass and a cost.

    Subclasses define ``forward``, ``cost`` and ``counted``, and name their arrays in
    ``parameter_names`` (learnable) and ``buffer_names`` (not learnable); an array that is
    ``None`` (a layer built with ``bias=False``) is left out of ``parameters()``.
    """

    parameter_names: tuple[str, ...] = ()
    buffer_names: tuple[str, ...] = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The layer's output for ``x`` (``(N, C, H, W)`` or unbatched ``(C, H, W)``)."""
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> OpCount:
        """The exact operation count for one input of shape ``input_shape`` (no batch axis)."""
        raise NotImplementedError

    def counted(self, x: np.ndarray, effective: bool = False) -> tuple[np.ndarray, Tally]:
        """The forward pass by the instrumented loops, on one small unbatched input:
        ``(output, Tally)``."""
        raise NotImplementedError

    def parameters(self) -> dict[str, np.ndarray]:
        """Learnable arrays by name (what PyTorch's ``named_parameters()`` would list)."""
        return self._arrays(self.parameter_names)

    def buffers(self) -> dict[str, np.ndarray]:
        """Non-learnable state by name (BatchNorm's running statistics)."""
        return self._arrays(self.buffer_names)

    def _arrays(self, names: tuple[str, ...]) -> dict[str, np.ndarray]:
        found = {name: getattr(self, name) for name in names}
        return {name: array for name, array in found.items() if array is not None}

    def named_leaves(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """``(name, layer)`` for every leaf layer; a leaf yields itself."""
        yield prefix, self

    def extra_repr(self) -> str:
        """The arguments shown between the parentheses of ``repr(layer)``."""
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


class Sequential(Module):
    """Layers run one after the other, as ``torch.nn.Sequential``.

    ``Sequential(layer, layer, ...)`` names them ``"0"``, ``"1"``, ...;
    ``Sequential({"conv": layer, ...})`` (any mapping, e.g. an ``OrderedDict``) uses its keys.
    Sequentials nest; leaf names are dotted paths (``"block1.conv"``), so a name is a non-empty
    string without ``"."`` (as in PyTorch). ``name`` (keyword) is the model's name in summaries.
    A ``ValueError`` raised by a layer during ``forward`` or ``cost`` is raised again naming
    that layer and the shape it received, with the layer's own message.

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.nn import Conv2d, Flatten, Linear, MaxPool2d, ReLU
    >>> net = Sequential(Conv2d(3, 8, 3, padding=1, seed=0), ReLU(), MaxPool2d(2), Flatten(),
    ...                  Linear(8 * 4 * 4, 10, seed=1))
    >>> net(np.zeros((2, 3, 8, 8), dtype=np.float32)).shape
    (2, 10)
    >>> [name for name, _ in net.named_leaves()]
    ['0', '1', '2', '3', '4']
    >>> net.cost((3, 8, 8)).params                       # 224 + 1290
    1514
    >>> net(np.zeros((2, 4, 8, 8), dtype=np.float32))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: layer '0' (Conv2d(3, 8, ...)) failed on input of shape (2, 4, 8, 8): ...
    """

    def __init__(self, *layers: Module | Mapping[str, Module], name: str | None = None) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string or None; got {name!r}")
        self.name = name
        items: list[tuple[object, object]]  # checked one by one below
        if len(layers) == 1 and isinstance(layers[0], Mapping):
            items = list(layers[0].items())
        else:
            items = [(str(i), layer) for i, layer in enumerate(layers)]
        checked: list[tuple[str, Module]] = []
        for key, layer in items:
            if not isinstance(key, str):
                raise TypeError(f"Sequential layer names must be strings; got {key!r}")
            if not key or "." in key:
                raise ValueError(
                    f"Sequential layer names must be non-empty and contain no '.' (it joins "
                    f"the names of nested layers); got {key!r}"
                )
            if not isinstance(layer, Module):
                hint = (
                    f" (a class: write {layer.__name__}(...))"
                    if isinstance(layer, type) and issubclass(layer, Module)
                    else ""
                )
                raise TypeError(
                    f"Sequential takes refconv.nn layers; got {type(layer).__name__} for "
                    f"{key!r}{hint}"
                )
            checked.append((key, layer))
        self.layers: OrderedDict[str, Module] = OrderedDict(checked)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers.values())

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, key: int | str) -> Module:
        if isinstance(key, int):
            return list(self.layers.values())[key]
        return self.layers[key]

    def forward(self, x: np.ndarray) -> np.ndarray:
        for name, layer in self.named_leaves():
            try:
                x = layer(x)
            except ValueError as exc:
                given = (
                    f"input of shape {x.shape}"
                    if isinstance(x, np.ndarray)
                    else f"input of type {type(x).__name__}"
                )
                raise ValueError(f"layer {name!r} ({layer!r}) failed on {given}: {exc}") from exc
        return x

    def named_leaves(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        for name, layer in self.layers.items():
            yield from layer.named_leaves(f"{prefix}.{name}" if prefix else name)

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> OpCount:
        """The leaves' costs added, each fed the shape the one before it put out."""
        total = None
        for _, _, _, step in leaf_costs(self, input_shape, effective):
            total = step if total is None else total + step
        if total is None:  # no layers: the identity
            return reshape_cost(tuple(input_shape), tuple(input_shape))
        return total

    def counted(self, x: np.ndarray, effective: bool = False) -> tuple[np.ndarray, Tally]:
        tally = Tally()
        for _, layer in self.named_leaves():
            x, step = layer.counted(x, effective)
            tally = tally + step
        return x, tally

    def parameters(self) -> dict[str, np.ndarray]:
        return {
            f"{name}.{key}": value
            for name, layer in self.named_leaves()
            for key, value in layer.parameters().items()
        }

    def buffers(self) -> dict[str, np.ndarray]:
        return {
            f"{name}.{key}": value
            for name, layer in self.named_leaves()
            for key, value in layer.buffers().items()
        }

    def __repr__(self) -> str:
        lines = [
            f"  ({name}): {layer!r}".replace("\n", "\n  ") for name, layer in self.layers.items()
        ]
        return "Sequential(\n" + "\n".join(lines) + "\n)"
