"""``Sequential``: layers run one after the other, forward in order and backward in reverse.

A network is a :class:`Sequential` of layers (and of other ``Sequential`` blocks): its forward
pass feeds each layer the previous one's output, its backward pass hands each layer the
gradient of the one after it (the chain rule, one layer at a time), and its counts add the
layers' counts, each fed the shape the one before it put out.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping

import numpy as np

from ..counting import OpCount, Tally, leaf_costs, reshape_cost
from .module import Module, join_names


class Sequential(Module):
    """Layers run one after the other, as ``torch.nn.Sequential``; ``backward`` runs their
    backward passes in the reverse order (the chain rule, one layer at a time).

    ``Sequential(layer, layer, ...)`` names them ``"0"``, ``"1"``, ...;
    ``Sequential({"conv": layer, ...})`` (any mapping, e.g. an ``OrderedDict``) uses its keys.
    Sequentials nest; leaf names are dotted paths (``"block1.conv"``), so a name is a non-empty
    string without ``"."`` (as in PyTorch). ``name`` (keyword) is the model's name in summaries.
    A ``ValueError`` raised by a layer during ``forward``, ``backward`` or ``cost`` is raised
    again naming that layer and the shape it received, with the layer's own message.

    Examples
    --------
    >>> import numpy as np
    >>> from refconv.nn import Conv2d, Flatten, Linear, MaxPool2d, ReLU
    >>> net = Sequential(Conv2d(3, 8, 3, padding=1, seed=0), ReLU(), MaxPool2d(2), Flatten(),
    ...                  Linear(8 * 4 * 4, 10, seed=1))
    >>> net(np.zeros((2, 3, 8, 8), dtype=np.float32)).shape
    (2, 10)
    >>> net.backward(np.ones((2, 10), dtype=np.float32)).shape          # dL/dx
    (2, 3, 8, 8)
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
        super().__init__()
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

    def named_children(self) -> Iterator[tuple[str, Module]]:
        return iter(self.layers.items())

    def forward(self, x: np.ndarray) -> np.ndarray:
        for name, layer in self.named_leaves():
            try:
                x = layer(x)
            except ValueError as exc:
                raise ValueError(
                    f"layer {name!r} ({layer!r}) failed on {_given('input', x)}: {exc}"
                ) from exc
        return x

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """The leaves' backward passes, last layer first: each turns ``dL/d(its output)`` into
        ``dL/d(its input)``, the gradient the layer before it receives."""
        grad = grad_output
        for name, layer in reversed(list(self.named_leaves())):
            try:
                grad = layer.backward(grad)
            except ValueError as exc:
                raise ValueError(
                    f"layer {name!r} ({layer!r}) failed on {_given('grad_output', grad)} in "
                    f"backward: {exc}"
                ) from exc
        return grad

    def named_leaves(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        for name, layer in self.layers.items():
            yield from layer.named_leaves(join_names(prefix, name))

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

    def __repr__(self) -> str:
        lines = [
            f"  ({name}): {layer!r}".replace("\n", "\n  ") for name, layer in self.layers.items()
        ]
        return "Sequential(\n" + "\n".join(lines) + "\n)"


def _given(what: str, value: object) -> str:
    if isinstance(value, np.ndarray):
        return f"{what} of shape {value.shape}"
    return f"{what} of type {type(value).__name__}"
