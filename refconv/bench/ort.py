"""ONNX Runtime as a benchmark peer: each case as an ONNX model, run by ORT's CPU provider.

:func:`build_model` writes a case as an ONNX graph of ``Conv`` nodes with the case's weights
as initializers (constants, so ORT may pre-pack them, as a deployed model's are):

* standard and pointwise: one ``Conv``;
* depthwise: one ``Conv`` with ``group = C``;
* separable: a depthwise ``Conv`` (``group = C``), then a 1x1 ``Conv``;
* spatial: a kx1 ``Conv`` (stride and padding on the rows), then a 1xk ``Conv`` (on the
  columns), as :func:`refconv.spatial_separable_conv2d` runs them.

:func:`ort_call` opens an :class:`onnxruntime.InferenceSession` on it with
:func:`session_options` and returns a call of ``session.run`` on the case's input, the way a
user runs a model. The settings, and why (docs/performance.md, "Against ONNX Runtime"):

* graph optimisations at ORT's default, ``ORT_ENABLE_ALL`` (constant folding, fusions, and
  the NCHWc layout transform of the CPU provider);
* ``intra_op_num_threads = T``, the same thread count as every other peer's pools (ORT counts
  the calling thread in it), ``inter_op_num_threads = 1`` and sequential execution: one
  parallel pool, as Numba's and PyTorch's;
* ``session.intra_op.allow_spinning = "1"`` -- ORT's default, kept: refconv's and PyTorch's
  OpenMP pools also spin after a parallel region (their default wait policy), and the
  benchmark never runs two peers at once and pauses after each peer's turn, longer than ORT's
  threads go on spinning, so the spinning costs no other peer anything;
* per-session thread pools (ORT's default): each case's session has its own, freed with it.

The process a session runs in is a benchmark worker (:mod:`refconv.bench.worker`): its
allocator is settled, and it times nothing but ORT. Nothing here imports ``onnx`` or
``onnxruntime`` until a model is built or run: both are optional (``pip install
refconv[bench]``).

>>> from refconv.bench.cases import CASES_BY_NAME
>>> [node["op"] for node in graph_nodes(CASES_BY_NAME["sep_64_128"])]
['Conv', 'Conv']
>>> graph_nodes(CASES_BY_NAME["spatial_64_64"])[0]["attributes"]
{'kernel_shape': [3, 1], 'strides': [1, 1], 'pads': [1, 0, 1, 0], 'group': 1}
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

import numpy as np

from .cases import CASES, Case

OPSET = 17  # Conv has not changed since opset 11; 17 is read by every ORT since 1.11
IR_VERSION = 8  # the IR version of opset 17, so that older ORT releases load the model too
ALLOW_SPINNING = "1"  # ORT's default; see the module docstring

#: The largest acceptable ratio refconv time / ORT time, for every case of the table, at every
#: batch size (issue "Performance"): a second bar, beside the PyTorch one of each case.
ORT_BAR = 1.1

_threads = 1  # intra-op threads of the sessions this process opens (:func:`set_num_threads`)


def ort_available() -> bool:
    """Whether ``onnxruntime`` and ``onnx`` can be imported (without importing them here)."""
    return all(importlib.util.find_spec(name) is not None for name in ("onnxruntime", "onnx"))


def set_num_threads(threads: int) -> None:
    """The intra-op thread count of every session opened in this process from now on."""
    global _threads
    _threads = int(threads)


def ort_bar_of(case: Case) -> float | None:
    """The ORT bar of a case: :data:`ORT_BAR` for the table's cases as they are, else None.

    >>> from refconv.bench.cases import CASES_BY_NAME
    >>> ort_bar_of(CASES_BY_NAME["dw_64"]), ort_bar_of(Case("x", "x", "depthwise", 4, 4, 8))
    (1.1, None)
    """
    return ORT_BAR if case in CASES else None


def num_threads() -> int:
    """The intra-op thread count sessions opened in this process get."""
    return _threads


def graph_nodes(case: Case) -> list[dict[str, Any]]:
    """The ``Conv`` nodes of the case's graph, in order, as plain data.

    Each is ``{"op", "inputs", "output", "attributes"}``; the inputs are named after refconv's
    arguments (``x``, ``weight``, ``depthwise_weight``, ...), an intermediate is ``mid``, the
    output ``y``. ONNX pads are ``[top, left, bottom, right]``.
    """
    s, p, k = case.stride, case.padding, case.kernel

    def conv(inputs: list[str], output: str, kh: int, kw: int, **attributes: Any) -> dict:
        defaults = {"strides": [s, s], "pads": [p, p, p, p], "group": 1}
        attrs = {"kernel_shape": [kh, kw], **defaults, **attributes}
        return {"op": "Conv", "inputs": inputs, "output": output, "attributes": attrs}

    if case.family == "standard":
        return [conv(["x", "weight"], "y", k, k)]
    if case.family == "depthwise":
        return [conv(["x", "weight"], "y", k, k, group=case.c_in)]
    if case.family == "pointwise":
        return [conv(["x", "weight"], "y", 1, 1, strides=[1, 1], pads=[0, 0, 0, 0])]
    if case.family == "separable":
        return [
            conv(["x", "depthwise_weight"], "mid", k, k, group=case.c_in),
            conv(["mid", "pointwise_weight"], "y", 1, 1, strides=[1, 1], pads=[0, 0, 0, 0]),
        ]
    if case.family == "spatial":
        return [
            conv(["x", "column_weight"], "mid", k, 1, strides=[s, 1], pads=[p, 0, p, 0]),
            conv(["mid", "row_weight"], "y", 1, k, strides=[1, s], pads=[0, p, 0, p]),
        ]
    raise ValueError(f"no ONNX model for the {case.family!r} family (case {case.name!r})")


def build_model(case: Case, arrays: dict[str, np.ndarray]) -> bytes:
    """The case as a serialized ONNX model: input ``x`` of ``arrays["x"]``'s fixed shape, the
    weights (the other arrays) as float32 initializers, output ``y`` of the case's shape."""
    from onnx import TensorProto, helper, numpy_helper

    nodes = [
        helper.make_node(n["op"], n["inputs"], [n["output"]], **n["attributes"])
        for n in graph_nodes(case)
    ]
    weights = [
        numpy_helper.from_array(np.ascontiguousarray(array, dtype=np.float32), name)
        for name, array in arrays.items()
        if name != "x"
    ]
    ho = case.out_size()
    output_shape = [arrays["x"].shape[0], case.c_out, ho, ho]
    graph = helper.make_graph(
        nodes,
        case.name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(arrays["x"].shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, output_shape)],
        weights,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="refconv.bench"
    )
    model.ir_version = IR_VERSION
    return bytes(model.SerializeToString())


def session_options(threads: int) -> Any:
    """ORT's session options for a benchmark peer with ``threads`` threads (module docstring)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", ALLOW_SPINNING)
    return options


def settings(threads: int) -> dict[str, Any]:
    """What :func:`session_options` sets, as JSON-ready data (for the report's header)."""
    return {
        "graph_optimization_level": "ORT_ENABLE_ALL",
        "execution_mode": "ORT_SEQUENTIAL",
        "intra_op_num_threads": threads,
        "inter_op_num_threads": 1,
        "session.intra_op.allow_spinning": ALLOW_SPINNING,
        "providers": ["CPUExecutionProvider"],
        "opset": OPSET,
    }


def open_session(case: Case, arrays: dict[str, np.ndarray], threads: int | None = None) -> Any:
    """An ``InferenceSession`` of the case's model on ORT's CPU provider."""
    import onnxruntime as ort

    return ort.InferenceSession(
        build_model(case, arrays),
        session_options(_threads if threads is None else threads),
        providers=["CPUExecutionProvider"],
    )


def ort_call(case: Case, a: dict[str, np.ndarray]) -> Callable[[], Any]:
    """A zero-argument function that runs the case with ``session.run`` (its output array)."""
    session = open_session(case, a)
    feed = {"x": a["x"]}
    return lambda: session.run(["y"], feed)[0]
