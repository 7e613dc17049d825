"""What refconv runs on: versions, the machine, Numba's threads, the BLAS the kernels call.

``refconv info`` prints :func:`report`; ``refconv info --json`` prints :func:`collect`. Both
answer the questions a slow or hanging run raises first:

* **versions** of refconv, Python, NumPy, SciPy, Numba, llvmlite and matplotlib, the platform
  and the CPUs this process may use;
* **Numba's threading layer** -- Numba's own choice (the first of TBB, OpenMP, workqueue it can
  load) unless ``NUMBA_THREADING_LAYER`` names one; refconv never sets it -- and whether a
  process forked from this one runs each kernel's serial twin (it must when the layer is GNU
  OpenMP, which does not survive ``fork()``);
* **threads**: how many the kernels use, and whether refconv reads and sets the count with
  Numba's fast C functions or the public ``numba.get_num_threads``;
* **the BLAS** the im2col and Winograd kernels call for their GEMMs: NumPy's OpenBLAS by
  address (which library, which symbol), or the ``np.dot`` fallback, said plainly;
* **Numba's cache directory**, where compiled kernels are kept between processes.

Numba picks its threading layer when the first parallel kernel runs, so :func:`collect` runs
one tiny convolution first (as the first refconv call of a program would).

>>> from refconv import info
>>> facts = info.collect()
>>> sorted(facts)
['blas', 'machine', 'numba', 'refconv', 'versions']
>>> facts["numba"]["threading_layer"] in ("tbb", "omp", "workqueue")
True
"""

from __future__ import annotations

import ctypes
import importlib.metadata
import os
import platform
from pathlib import Path
from typing import Any

import numba
import numpy as np

from . import __version__
from .kernels import runtime_report
from .kernels.blas import blas_report, gemm_address

#: The packages whose versions are reported, by distribution name.
PACKAGES = ("numpy", "scipy", "numba", "llvmlite", "matplotlib")

#: The GEMMs the kernels call, by dtype name: NumPy's OpenBLAS with 64-bit integers.
GEMM_DTYPES = ("float32", "float64")


def versions() -> dict[str, str]:
    """Python's version and that of every package in :data:`PACKAGES` ("not installed")."""
    found = {"python": f"{platform.python_version()} ({platform.python_implementation()})"}
    for name in PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def machine() -> dict[str, Any]:
    """The platform, and the CPUs: all of them and those this process may run on."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
    }


def start_pool() -> None:
    """Run one tiny parallel kernel, so that Numba picks its threading layer and starts its
    threads (what the first convolution of a program does)."""
    from .functional import conv2d

    conv2d(np.zeros((1, 1, 4, 4)), np.ones((1, 1, 3, 3)), method="direct")


def layer_choice() -> str:
    """Who chose the threading layer: Numba (in its priority order) or the user's setting."""
    # numba.config's settings are set from the environment at import: the type checker sees
    # none of them
    setting = numba.config.THREADING_LAYER  # type: ignore[attr-defined]
    if setting == "default":
        order = ", ".join(numba.config.THREADING_LAYER_PRIORITY)  # type: ignore[attr-defined]
        return f"Numba's choice: the first of {order} it can load"
    if os.environ.get("NUMBA_THREADING_LAYER"):
        return f"the user's NUMBA_THREADING_LAYER={os.environ['NUMBA_THREADING_LAYER']}"
    return f"the user's numba.config.THREADING_LAYER = {setting!r}"


def openmp_vendor(layer: str) -> str | None:
    """``"GNU"``, ``"Intel"``, ``"LLVM"``... for the OpenMP layer; ``None`` for the others."""
    if layer != "omp":
        return None
    # a compiled module, which numba's type stubs do not list
    from numba.np.ufunc import omppool  # type: ignore[attr-defined]

    return getattr(omppool, "openmp_vendor", "GNU")


def cache_dir() -> tuple[str, str]:
    """(where Numba keeps refconv's compiled kernels, why there).

    Asked of Numba's own cache locator for a function of :mod:`refconv.kernels`: the
    ``NUMBA_CACHE_DIR`` setting, else ``__pycache__`` beside the kernel files, else (that
    folder not writable) Numba's cache folder in the user's home.
    """
    try:
        from numba.core.caching import FunctionCache

        path = Path(FunctionCache(runtime_report).cache_path)
    except (ImportError, AttributeError, RuntimeError, OSError) as exc:
        return "unknown", f"Numba's cache locator failed: {exc}"
    if numba.config.CACHE_DIR:  # type: ignore[attr-defined]  # set at import, as above
        return str(path), "NUMBA_CACHE_DIR"
    if path.parent == Path(runtime_report.__code__.co_filename).parent:
        return str(path), "beside the kernel files"
    return str(path), "Numba's user-wide cache (the kernels' folder is not writable)"


def numba_facts() -> dict[str, Any]:
    """Numba's threading layer, threads and cache, as the kernels use them.

    Call :func:`start_pool` first for the layer Numba picked (before it, the layer is "not
    started yet").
    """
    kernels = runtime_report()
    layer = str(kernels["threading_layer"])
    vendor = openmp_vendor(layer)
    where, why = cache_dir()
    return {
        "threading_layer": layer,
        "threading_layer_chosen_by": layer_choice(),
        "openmp_vendor": vendor,
        "forked_children_run_serial": bool(kernels["forked_children_run_serial"]),
        "this_process_runs_serial": bool(kernels["forked_child_runs_serial"]),
        "threads": kernels["threads"],
        "threads_chosen_by": (
            f"the user's NUMBA_NUM_THREADS={os.environ['NUMBA_NUM_THREADS']}"
            if os.environ.get("NUMBA_NUM_THREADS")
            else "Numba: one per CPU this process may use"
        ),
        "thread_count_functions": kernels["thread_count_functions"],
        "cache_dir": where,
        "cache_dir_chosen_by": why,
    }


class _DlInfo(ctypes.Structure):
    _fields_ = [
        ("dli_fname", ctypes.c_char_p),
        ("dli_fbase", ctypes.c_void_p),
        ("dli_sname", ctypes.c_char_p),
        ("dli_saddr", ctypes.c_void_p),
    ]


def symbol_at(address: int) -> tuple[str | None, str | None]:
    """(the shared library, the symbol) a function address lies in, by the C library's
    ``dladdr``; ``(None, None)`` where there is no ``dladdr`` (Windows) or it does not know."""
    try:
        dladdr = ctypes.CDLL(None).dladdr
    except (OSError, AttributeError, TypeError):
        return None, None
    dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(_DlInfo)]
    dladdr.restype = ctypes.c_int
    found = _DlInfo()
    if not dladdr(address, ctypes.byref(found)):
        return None, None
    library, symbol = found.dli_fname, found.dli_sname
    return (
        str(Path(os.fsdecode(library)).resolve()) if library else None,
        symbol.decode(errors="replace") if symbol else None,
    )


def blas_facts() -> dict[str, Any]:
    """For float32 and float64: the GEMM the kernels call (address, library, symbol) or the
    ``np.dot`` fallback; and the OpenBLAS libraries pinned to one thread while kernels run."""
    kernels = blas_report()
    gemm: dict[str, Any] = {}
    for dtype in GEMM_DTYPES:
        address = gemm_address(np.dtype(dtype))
        library, symbol = symbol_at(address) if address else (None, None)
        gemm[dtype] = {
            "calls": "NumPy's OpenBLAS" if address else "np.dot fallback",
            "address": hex(address) if address else None,
            "library": library,
            "symbol": symbol,
        }
    return {
        "gemm": gemm,
        "fallback": any(g["address"] is None for g in gemm.values()),
        "openblas_libraries": list(kernels["openblas_libraries"]),
        "openblas_pools_pinned": kernels["openblas_pools_pinned"],
    }


def collect(start: bool = True) -> dict[str, Any]:
    """Everything :func:`report` prints, as JSON-ready data (``refconv info --json``).

    ``start``: run :func:`start_pool` first, so the threading layer is the one Numba picked.
    Keys: ``refconv`` (its version), ``versions``, ``machine``, ``numba``, ``blas``.
    """
    if start:
        start_pool()
    return {
        "refconv": __version__,
        "versions": versions(),
        "machine": machine(),
        "numba": numba_facts(),
        "blas": blas_facts(),
    }


def _gemm_line(dtype: str, gemm: dict[str, Any]) -> str:
    if gemm["address"] is None:
        return (
            f"  {dtype}: np.dot FALLBACK: NumPy's OpenBLAS (cblas_?gemm with 64-bit "
            f"integers) was not found in this process, so the kernels call np.dot "
            f"(SciPy's BLAS, through Numba): same results, slower"
        )
    where = f" in {gemm['library']}" if gemm["library"] else ""
    symbol = gemm["symbol"] or "cblas_?gemm"
    return f"  {dtype}: NumPy's OpenBLAS, {symbol} at {gemm['address']}{where}"


def report(facts: dict[str, Any] | None = None) -> str:
    """:func:`collect` (or ``facts``) as the text ``refconv info`` prints."""
    facts = collect() if facts is None else facts
    v, cpu, nb, blas = facts["versions"], facts["machine"], facts["numba"], facts["blas"]
    usable = "" if cpu["cpus_usable"] is None else f" ({cpu['cpus_usable']} usable here)"
    vendor = f" ({nb['openmp_vendor']} OpenMP)" if nb["openmp_vendor"] else ""
    if nb["forked_children_run_serial"]:
        fork = (
            "a process forked from this one runs each kernel's serial twin (GNU OpenMP "
            "does not survive fork())"
        )
    else:
        fork = "a process forked from this one runs the parallel kernels"
    if nb["this_process_runs_serial"]:
        fork += "; this process is such a child: its kernels run serially"
    pools = ", ".join(Path(p).name for p in blas["openblas_libraries"]) or "none found"
    lines = [
        f"refconv {facts['refconv']}",
        f"Python {v['python']} on {cpu['platform']}",
        f"CPUs: {cpu['cpu_count']}{usable}",
        ", ".join(f"{name} {v[name]}" for name in PACKAGES),
        "",
        "Numba",
        f"  threading layer: {nb['threading_layer']}{vendor}, {nb['threading_layer_chosen_by']}",
        f"  fork: {fork}",
        f"  threads: {nb['threads']} ({nb['threads_chosen_by']})",
        f"  thread counts read and set with: {nb['thread_count_functions']}",
        f"  cache: {nb['cache_dir']} ({nb['cache_dir_chosen_by']})",
        "",
        "BLAS (the GEMMs inside the im2col and Winograd kernels)",
        *(_gemm_line(dtype, gemm) for dtype, gemm in blas["gemm"].items()),
        f"  OpenBLAS pinned to one thread while a kernel runs: {blas['openblas_pools_pinned']}"
        f" ({pools})",
    ]
    return "\n".join(lines)
