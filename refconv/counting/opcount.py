"""What a count is: :class:`OpCount` (a closed form's answer) and :class:`Tally` (a loop's).

An :class:`OpCount` is worked out from shapes alone (the closed forms in
:mod:`refconv.counting.conv` and its neighbours); a :class:`Tally` is accumulated one scalar
operation at a time by the counted loops beside them. The tests check that the two agree.

>>> a = OpCount(10, 9, 4, (1, 2, 2))
>>> (a + a).multiplications, (a + a).flops
(20, 40)
>>> Tally(3, 2) + Tally(1, 1, comparisons=5)
Tally(multiplications=4, additions=3, comparisons=5)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import arguments

Shape = tuple[int, ...]
IntOrPair = int | tuple[int, int]


@dataclass(frozen=True)
class OpCount:
    """The cost of one op (or a sum of ops) on one input (batch size 1).

    Attributes
    ----------
    multiplications, additions, comparisons : int
        Exact scalar operations (see :mod:`refconv.counting` for what each op performs).
    params : int
        Learnable parameters (weights and biases; BatchNorm's ``gamma`` and ``beta``).
    buffers : int
        Non-learnable state stored with the layer (BatchNorm's running mean and variance).
        Keras' ``count_params()`` counts these too; PyTorch's ``parameters()`` does not.
    output_shape : tuple of int
        ``(C, H, W)`` for feature maps, ``(F,)`` after Flatten / Linear.
    kind : str
        What the op is, for the counters' conventions in :mod:`refconv.counting.summary`:
        ``"conv"``, ``"linear"``, ``"batchnorm"``, ``"relu"``, ``"maxpool"``, ``"avgpool"``,
        ``"globalavgpool"``, ``"reshape"`` (Flatten, Dropout) or ``"mixed"`` (a sum).
    input_numel, output_numel : int
        Elements in the input and output (what the counters multiply by).
    bias_adds : int
        How many of the additions are bias additions (one per output element with a bias).
    parts : tuple of (str, OpCount)
        For composite ops (separable convolutions), the costs of their steps.
    """

    multiplications: int
    additions: int
    params: int
    output_shape: Shape
    comparisons: int = 0
    buffers: int = 0
    kind: str = "mixed"
    input_numel: int = 0
    output_numel: int = 0
    bias_adds: int = 0
    parts: tuple[tuple[str, OpCount], ...] = field(default=(), compare=False)

    @property
    def macs(self) -> int:
        """Multiply-accumulates: one per product (= ``multiplications``)."""
        return self.multiplications

    @property
    def flops(self) -> int:
        """``2 * macs``, the usual FLOP convention (a MAC is a multiply and an add)."""
        return 2 * self.multiplications

    def __add__(self, other: OpCount) -> OpCount:
        """Two ops run one after the other: counts add, the shape is the second op's."""
        if not isinstance(other, OpCount):
            return NotImplemented
        return OpCount(
            multiplications=self.multiplications + other.multiplications,
            additions=self.additions + other.additions,
            params=self.params + other.params,
            output_shape=other.output_shape,
            comparisons=self.comparisons + other.comparisons,
            buffers=self.buffers + other.buffers,
            kind=self.kind if self.kind == other.kind else "mixed",
            input_numel=self.input_numel,
            output_numel=other.output_numel,
            bias_adds=self.bias_adds + other.bias_adds,
        )


@dataclass
class Tally:
    """Running totals of the scalar operations a counted loop performed."""

    multiplications: int = 0
    additions: int = 0
    comparisons: int = 0

    def __add__(self, other: Tally) -> Tally:
        """Two loops run one after the other: the totals add."""
        return Tally(
            self.multiplications + other.multiplications,
            self.additions + other.additions,
            self.comparisons + other.comparisons,
        )


def numel(shape: Shape) -> int:
    """The number of elements of an array of shape ``shape`` (1 for ``()``), as a Python int.

    >>> numel((3, 224, 224))
    150528
    """
    total = 1
    for size in shape:
        total *= int(size)
    return total


def feature_map_shape(input_shape: Shape) -> tuple[int, int, int]:
    """``input_shape`` as ``(C, H, W)`` Python ints; anything else is a ``ValueError``.

    The closed forms of the ops on feature maps take one input without the batch axis.

    >>> feature_map_shape((3, 12, 12))
    (3, 12, 12)
    >>> feature_map_shape((1, 3, 12, 12))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: input_shape must be (C, H, W) with positive ints (no batch axis); got (1, 3, ...
    """
    if len(input_shape) != 3 or not all(arguments.is_int(s) and s >= 1 for s in input_shape):
        raise ValueError(
            f"input_shape must be (C, H, W) with positive ints (no batch axis); got {input_shape!r}"
        )
    c, h, w = (int(s) for s in input_shape)
    return c, h, w
