"""Measuring refconv: benchmarks against its peers, the performance traps, memory, methods.

Everything here measures; nothing here computes a convolution of its own (the measurement
kernels of :mod:`.traps` excepted, kept apart from :mod:`refconv.kernels` on purpose).

The benchmark (``refconv bench``, ``scripts/bench.py``):

* :mod:`.cases` -- the shapes, and what each must compute and move (closed form);
* :mod:`.peers` -- refconv, PyTorch, ONNX Runtime and SciPy computing the same case;
* :mod:`.ort` -- each case as an ONNX model, the ORT sessions' settings, the ORT bars;
* :mod:`.timing` -- the one timing loop every measurement uses;
* :mod:`.worker` -- one peer in a process of its own, and the parent's handle on it;
* :mod:`.roofs` -- the machine's compute and memory roofs, and which one bounds a case;
* :mod:`.runner` -- the rounds, the roofs, the cold start: :func:`run_benchmark`;
* :mod:`.report` -- the tables;
* :mod:`.scaling` -- time against threads (``refconv bench --scaling``).

The measurements quoted in the docs, each behind a thin script in ``scripts/``:

* :mod:`.traps` -- the performance traps the kernels were designed around (``traps.py``);
* :mod:`.memory`, :mod:`.memory_report` -- what each method allocates (``im2col_memory.py``);
* :mod:`.choose` -- timings of the methods beside what ``method="auto"`` picks
  (``choose_method.py``);
* :mod:`.layers` -- Numba's threading layers compared, and their safety (``threading_layers.py``);
* :mod:`.processes` -- fresh processes with sized thread pools, for all of them.

Importing :mod:`refconv.bench` loads only the benchmark's light modules; the measurement
modules are imported by name.
"""

from __future__ import annotations

from .cases import (
    CASES,
    CASES_BY_NAME,
    COLD_CASES,
    FAMILIES,
    Case,
    flops,
    intensity,
    min_bytes,
    multiplications,
    select_cases,
)
from .runner import (
    PEERS,
    default_peers,
    measure_cold_start,
    measure_peaks,
    run_benchmark,
    summarise,
    torch_available,
)

__all__ = [
    "CASES",
    "CASES_BY_NAME",
    "COLD_CASES",
    "FAMILIES",
    "PEERS",
    "Case",
    "default_peers",
    "flops",
    "intensity",
    "measure_cold_start",
    "measure_peaks",
    "min_bytes",
    "multiplications",
    "run_benchmark",
    "select_cases",
    "summarise",
    "torch_available",
]
