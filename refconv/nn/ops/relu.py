"""The ReLU gradient, ``dL/dx = dL/dy`` where ``x > 0``, else 0: the NumPy spec, then Numba.

A select, not a product: ``g * (x > 0)`` would turn a NaN or infinite gradient at ``x <= 0``
into NaN, where the select (and PyTorch) gives 0. NumPy's ``where`` builds a boolean
temporary and then the result; the kernel reads ``x`` and ``g`` once and writes the result
once, in chunks that run in parallel.

>>> import numpy as np
>>> relu_backward(np.array([-1.0, 0.0, 2.0]), np.array([np.nan, 5.0, 7.0]))
array([0., 0., 7.])
"""

from __future__ import annotations

import numpy as np
from numba import prange, uint64

from ...kernels.runtime import kernel, launch, thread_plan
from ...kernels.workspace import new_output

CHUNK = 1 << 14  # elements a task: 64 KiB of float32 from each array


def relu_backward_reference(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    """``g`` where ``x > 0``, else 0, in ``g``'s dtype; ``x`` and ``g`` of one shape."""
    grad_x: np.ndarray = np.where(x > 0, g, 0).astype(g.dtype, copy=False)
    return grad_x


@kernel
def select_positive(x: np.ndarray, g: np.ndarray, out: np.ndarray) -> None:
    """``out[k] = g[k] if x[k] > 0 else 0`` over flat arrays, a chunk a task."""
    size = out.size
    for t in prange((size + CHUNK - 1) // CHUNK):  # out's chunk t is this task's alone
        start = t * CHUNK
        s = uint64(start)
        for k in range(min(CHUNK, size - start)):
            u = s + uint64(k)
            out[u] = g[u] if x[u] > 0 else 0.0


def relu_backward(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    """The same by a Numba kernel; same signature and results as
    :func:`relu_backward_reference`."""
    out = new_output(g.shape, g.dtype)
    flat_x = np.ascontiguousarray(x).reshape(-1)
    flat_g = np.ascontiguousarray(g).reshape(-1)
    launch(select_positive, thread_plan(out.size), flat_x, flat_g, out.reshape(-1))
    return out
