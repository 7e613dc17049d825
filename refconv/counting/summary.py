"""``summary(model, input_shape)``: a per-layer table of shapes, parameters and operations.

The multiplications, additions and comparisons columns are always the exact counts of
:mod:`refconv.counting`. Two things are conventions, and both are switchable:

Parameters (``params=``)
    ``"pytorch"``: learnable parameters only (``sum(p.numel() for p in model.parameters())``);
    BatchNorm has 2 per channel (``weight``, ``bias``) plus 2 buffers per channel
    (``running_mean``, ``running_var``) reported apart.
    ``"keras"``: what ``model.count_params()`` and ``model.summary()`` report: every weight,
    trainable or not, so BatchNorm has 4 per channel (``gamma``, ``beta``, ``moving_mean``,
    ``moving_variance``; the last two "non-trainable"), see the ``tf.keras.layers.
    BatchNormalization`` documentation.

MACs (``macs=``): the "operations" column, as each tool counts it per layer type

=============  ==========================  ==============================  ================
layer          ``"macs"`` (paper)          ``"thop"``                      ``"ptflops"``
=============  ==========================  ==============================  ================
Conv (any)     products                    products (bias ignored)         products + bias
Linear         products                    products (bias ignored)         products + bias
BatchNorm      0                           4 per element (2 if no affine)  2 per element
ReLU           0                           0                               1 per element
MaxPool        0                           0                               1 per input elem
AvgPool        0                           1 per output element            1 per input elem
GlobalAvgPool  0                           ``(H*W + 1)`` per output        1 per input elem
=============  ==========================  ==============================  ================

``"fvcore"``: products for Conv and Linear (bias ignored), BatchNorm (inference) 2 per element
(1 without affine), adaptive average pooling 1 per input element, ReLU / MaxPool / AvgPool 0.

``"macs"`` is the MobileNet paper's "Mult-Adds": the multiply-accumulates of convolutions and
fully connected layers, nothing else. FLOPs are ``2 * MACs`` by the usual convention
(:attr:`Summary.total_flops`).

Sources (read there, not recalled): thop ``thop/profile.py`` (``register_hooks``: ReLU and
MaxPool map to ``zero_ops``), ``thop/vision/basic_hooks.py`` and ``thop/vision/calc_func.py``
(``count_convNd``, ``count_normalization``: ``2 * numel``, doubled when affine;
``count_avgpool``; ``count_adap_avgpool``; ``count_linear``) in Lyken17/pytorch-OpCounter;
ptflops ``ptflops/pytorch_ops.py`` (``conv_flops_counter_hook`` adds ``out_channels *
output_positions`` for the bias; ``bn_flops_counter_hook``; ``relu_flops_counter_hook``;
``pool_flops_counter_hook``; ``linear_flops_counter_hook``) in sovrasov/flops-counter.pytorch,
module-hook backend; fvcore ``fvcore/nn/flop_count.py`` (``_DEFAULT_SUPPORTED_OPS``) and
``fvcore/nn/jit_handles.py`` (``conv_flop_count``: "only multiplication is counted";
``batchnorm_flop_jit``; ``linear_flop_jit``) in facebookresearch/fvcore. All three count one
multiply-accumulate as one operation.

Examples
--------
>>> from refconv import nn
>>> from refconv.counting import summary
>>> net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False, seed=0), nn.BatchNorm2d(8),
...                     nn.ReLU())
>>> s = summary(net, (3, 8, 8))
>>> s.total_params, s.total_multiplications, s.total_additions
(232, 14336, 13824)
>>> summary(net, (3, 8, 8), params="keras").total_params
248
>>> summary(net, (3, 8, 8), macs="thop").total_macs        # 13824 + 4 * 512
15872
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .. import arguments
from .opcount import OpCount, Shape

PARAM_CONVENTIONS = ("pytorch", "keras")
MAC_CONVENTIONS = ("macs", "thop", "ptflops", "fvcore")


class Model(Protocol):
    """What a summary needs of a model (any :mod:`refconv.nn` layer or ``Sequential``): its
    leaf layers by name, each with a closed-form ``cost(input_shape, effective)``."""

    def named_leaves(self, prefix: str = "") -> Iterator[tuple[str, Model]]: ...

    def cost(self, input_shape: Shape, effective: bool = False) -> OpCount: ...


def counter_macs(op: OpCount, convention: str = "macs") -> int:
    """The operations a counting tool reports for one layer (see the module docstring).

    Parameters
    ----------
    op : OpCount
        A leaf layer's exact cost (its ``kind`` says which rule applies).
    convention : {"macs", "thop", "ptflops", "fvcore"}

    Examples
    --------
    >>> from refconv.counting import conv2d_cost
    >>> conv = conv2d_cost((24, 208, 208), 24, 3, padding=1, bias=True)
    >>> counter_macs(conv, "thop"), counter_macs(conv, "ptflops") - conv.multiplications
    (224280576, 1038336)
    """
    if convention not in MAC_CONVENTIONS:
        raise ValueError(f"macs convention must be one of {MAC_CONVENTIONS}; got {convention!r}")
    kind = op.kind
    products = op.multiplications if kind in ("conv", "linear") else 0
    if convention == "macs":
        return products
    affine = op.params > 0
    if convention == "thop":
        return products + {
            "batchnorm": (4 if affine else 2) * op.input_numel,
            "avgpool": op.output_numel,
            "globalavgpool": (op.input_numel // max(op.output_numel, 1) + 1) * op.output_numel,
        }.get(kind, 0)
    if convention == "ptflops":
        if kind in ("conv", "linear"):
            return products + op.bias_adds
        return {
            "batchnorm": (2 if affine else 1) * op.input_numel,
            "relu": op.output_numel,
            "maxpool": op.input_numel,
            "avgpool": op.input_numel,
            "globalavgpool": op.input_numel,
        }.get(kind, 0)
    # fvcore
    return products + {
        "batchnorm": (2 if affine else 1) * op.input_numel,
        "globalavgpool": op.input_numel,
    }.get(kind, 0)


@dataclass(frozen=True)
class SummaryRow:
    """One leaf layer of a summary; ``params`` follows the summary's parameter convention."""

    name: str
    layer: str
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    params: int
    trainable_params: int
    buffers: int
    multiplications: int
    additions: int
    comparisons: int
    macs: int
    cost: OpCount


@dataclass(frozen=True)
class Summary:
    """What :func:`summary` returns: ``rows`` and totals; ``str()`` is a readable table."""

    model_name: str
    input_shape: tuple[int, ...]
    rows: tuple[SummaryRow, ...]
    params_convention: str
    macs_convention: str

    # the totals: one column of the rows, summed
    @property
    def total_params(self) -> int:
        """Parameters under the summary's convention."""
        return sum(row.params for row in self.rows)

    @property
    def trainable_params(self) -> int:
        """Learnable parameters."""
        return sum(row.trainable_params for row in self.rows)

    @property
    def total_buffers(self) -> int:
        """Non-learnable state (BatchNorm statistics)."""
        return sum(row.buffers for row in self.rows)

    @property
    def total_multiplications(self) -> int:
        """Exact multiplications."""
        return sum(row.multiplications for row in self.rows)

    @property
    def total_additions(self) -> int:
        """Exact additions."""
        return sum(row.additions for row in self.rows)

    @property
    def total_comparisons(self) -> int:
        """Exact comparisons."""
        return sum(row.comparisons for row in self.rows)

    @property
    def total_macs(self) -> int:
        """The MACs column under the summary's convention."""
        return sum(row.macs for row in self.rows)

    @property
    def non_trainable_params(self) -> int:
        """Keras' "non-trainable params" (BatchNorm moving statistics); 0 for PyTorch's."""
        return self.total_params - self.trainable_params

    @property
    def total_flops(self) -> int:
        """``2 * total_macs``."""
        return 2 * self.total_macs

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.rows[-1].output_shape if self.rows else self.input_shape

    def __str__(self) -> str:
        header = (
            "Layer (name)",
            "Type",
            "Output shape",
            "Params",
            "Mults",
            "Adds",
            f"MACs [{self.macs_convention}]",
        )
        body = [
            (
                r.name,
                r.layer,
                str(r.output_shape),
                f"{r.params:,}",
                f"{r.multiplications:,}",
                f"{r.additions:,}",
                f"{r.macs:,}",
            )
            for r in self.rows
        ]
        widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

        def fmt(line: tuple[str, ...]) -> str:
            left = [line[i].ljust(widths[i]) for i in range(3)]
            right = [line[i].rjust(widths[i]) for i in range(3, len(line))]
            return "  ".join(left + right).rstrip()

        rule = "=" * len(fmt(header))
        lines = [
            f'Model "{self.model_name}", input {self.input_shape} (no batch axis)',
            rule,
            fmt(header),
            "-" * len(rule),
            *[fmt(line) for line in body],
            rule,
        ]
        convention = (
            "Keras count_params: BatchNorm counts 4 per channel"
            if self.params_convention == "keras"
            else "PyTorch parameters(): BatchNorm counts 2 per channel, running stats are buffers"
        )
        lines.append(f"Total params: {self.total_params:,}  ({convention})")
        if self.params_convention == "keras":
            lines.append(
                f"Trainable params: {self.trainable_params:,}  Non-trainable params: "
                f"{self.non_trainable_params:,}"
            )
        else:
            lines.append(f"Buffers: {self.total_buffers:,}")
        lines.append(
            f"Multiplications: {self.total_multiplications:,}  Additions: "
            f"{self.total_additions:,}  Comparisons: {self.total_comparisons:,}  (exact)"
        )
        lines.append(
            f"MACs [{self.macs_convention}]: {self.total_macs:,}  "
            f"(FLOPs = 2 x MACs = {self.total_flops:,})"
        )
        return "\n".join(lines)


def check_input_shape(input_shape: object) -> tuple[int, ...]:
    """``input_shape`` as a tuple of Python ints: ``(C, H, W)`` or ``(F,)``, no batch axis.

    A tuple or list of positive ints (NumPy ints too). Strings, floats (even ``224.0``), bools,
    zero, negative sizes and other lengths are refused with a ``TypeError`` or ``ValueError``
    that shows the expected form.

    Examples
    --------
    >>> import numpy as np
    >>> check_input_shape([3, np.int64(224), 224])
    (3, 224, 224)
    >>> check_input_shape("3x224x224")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: input_shape must be a tuple of ints such as (3, 224, 224), not a string; ...
    """
    form = "(C, H, W) such as (3, 224, 224), or (F,) before a Linear"
    if isinstance(input_shape, (str, bytes)):
        raise TypeError(
            f"input_shape must be a tuple of ints such as (3, 224, 224), not a "
            f"string; got {input_shape!r}"
        )
    if not isinstance(input_shape, (tuple, list)):
        raise TypeError(
            f"input_shape must be a tuple of ints {form}; got "
            f"{type(input_shape).__name__} {input_shape!r}"
        )
    for index, size in enumerate(input_shape):
        if not arguments.is_int(size):
            raise TypeError(
                f"input_shape must hold ints {form}; got {size!r} ({type(size).__name__}) at "
                f"index {index} of {tuple(input_shape)!r}"
            )
    if len(input_shape) not in (1, 3):
        hint = (
            " Leave out the batch axis: input_shape is one sample, (C, H, W)."
            if len(input_shape) == 4
            else ""
        )
        raise ValueError(
            f"input_shape must be {form} (no batch axis); got "
            f"{len(input_shape)} sizes {tuple(input_shape)!r}.{hint}"
        )
    if min(input_shape) < 1:
        raise ValueError(f"input_shape must hold sizes >= 1; got {tuple(input_shape)!r}")
    return tuple(int(size) for size in input_shape)


def leaf_costs(
    model: Model, input_shape: Shape, effective: bool = False
) -> Iterator[tuple[str, Model, Shape, OpCount]]:
    """``(name, layer, input_shape, cost)`` for every leaf layer, each fed the shape the one
    before it put out: the walk behind :func:`summary` and ``Sequential.cost``.

    A leaf without a name (a model that is a single layer) is named by its class, in lower
    case. A ``ValueError`` from a layer's ``cost`` is raised again naming the layer (its
    dotted name and repr) and the shape it received, then the layer's own message.

    Examples
    --------
    >>> from refconv import nn
    >>> net = nn.Sequential(nn.Conv2d(3, 8, 3, seed=0), nn.ReLU())
    >>> [(name, shape) for name, _, shape, _ in leaf_costs(net, (3, 8, 8))]
    [('0', (3, 8, 8)), ('1', (8, 6, 6))]
    """
    shape = tuple(input_shape)
    for leaf, layer in model.named_leaves():
        name = leaf or type(layer).__name__.lower()
        try:
            op = layer.cost(shape, effective)
        except ValueError as exc:
            raise ValueError(
                f"layer {name!r} ({layer!r}) failed on input_shape {shape}: {exc}"
            ) from exc
        yield name, layer, shape, op
        shape = op.output_shape


def summary(
    model: Model,
    input_shape: Shape,
    params: str = "pytorch",
    macs: str = "macs",
    effective: bool = False,
) -> Summary:
    """Per-layer shapes, parameters and exact operation counts of a layer or ``Sequential``.

    Parameters
    ----------
    model : refconv.nn.Module
        A single layer or a (nested) ``Sequential``; one row per leaf layer.
    input_shape : tuple of int
        Without the batch axis: ``(C, H, W)``, e.g. ``(3, 224, 224)``, or ``(F,)`` for a model
        that starts with a Linear (see :func:`check_input_shape`).
    params : {"pytorch", "keras"}, default "pytorch"
        Parameter convention (BatchNorm: 2 or 4 per channel).
    macs : {"macs", "thop", "ptflops", "fvcore"}, default "macs"
        Which tool's per-layer rules fill the MACs column (see the module docstring).
    effective : bool, default False
        Skip products with zero padding in the exact counts (see :mod:`refconv.counting`).

    Returns
    -------
    Summary
        ``rows`` (``name``, ``layer``, ``output_shape``, ``params``, ``multiplications``,
        ``additions``, ``macs``, ...), ``total_params``, ``total_multiplications``,
        ``total_additions``, ``total_macs``; ``str()`` is a table.

    Raises
    ------
    ValueError
        When a layer cannot take the shape it receives; the message names the layer (its
        dotted name and repr) and that shape, then gives the layer's own message.

    Examples
    --------
    >>> from refconv import nn
    >>> s = summary(nn.SeparableConv2d(3, 256, 5, bias=False, seed=0), (3, 12, 12))
    >>> s.rows[0].layer, s.rows[0].output_shape, s.total_multiplications
    ('SeparableConv2d', (256, 8, 8), 53952)
    """
    if not callable(getattr(model, "named_leaves", None)):
        raise TypeError(
            f"model must be a refconv.nn layer or Sequential; got {type(model).__name__}"
        )
    start = check_input_shape(input_shape)
    if params not in PARAM_CONVENTIONS:
        raise ValueError(f"params convention must be one of {PARAM_CONVENTIONS}; got {params!r}")
    if macs not in MAC_CONVENTIONS:
        raise ValueError(f"macs convention must be one of {MAC_CONVENTIONS}; got {macs!r}")
    if not isinstance(effective, (bool, np.bool_)):
        raise TypeError(f"effective must be True or False; got {effective!r}")
    rows = []
    for name, layer, shape, op in leaf_costs(model, start, effective):
        total = op.params + (op.buffers if params == "keras" else 0)
        rows.append(
            SummaryRow(
                name=name,
                layer=type(layer).__name__,
                input_shape=shape,
                output_shape=op.output_shape,
                params=total,
                trainable_params=op.params,
                buffers=op.buffers,
                multiplications=op.multiplications,
                additions=op.additions,
                comparisons=op.comparisons,
                macs=counter_macs(op, macs),
                cost=op,
            )
        )
    name = getattr(model, "name", None) or type(model).__name__
    return Summary(name, start, tuple(rows), params, macs)
