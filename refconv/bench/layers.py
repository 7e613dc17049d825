"""Numba's threading layers compared: the same convolutions on OpenMP, TBB and workqueue.

Numba runs ``prange`` loops on one of three thread pools, its *threading layer*: ``omp``
(OpenMP), ``tbb`` (Intel TBB) or ``workqueue`` (Numba's own). Importing refconv leaves the
choice to Numba (TBB if it loads, else OpenMP, else workqueue) or to the user
(``NUMBA_THREADING_LAYER``). This module measures, for each layer, in a fresh process of its
own (the layer is fixed when a process starts its pool):

* whether it loads -- a layer that cannot is reported with Numba's error. TBB installed by pip
  into a virtual environment puts ``libtbb`` in ``<venv>/lib``, where the loader does not look:
  it then loads only with that folder on ``LD_LIBRARY_PATH``, which is detected, tried, and
  said (:func:`tbb_library_folder`);
* the median time of repeated calls of a few cases (:data:`LAYER_CASES`: the TDS example and its
  depthwise + pointwise pair, depthwise 3x3 C=64 56², standard 3x3 64->64 56², pointwise
  64->128 56²) with ``threads`` threads;
* two safety checks: a ``fork()`` after refconv ran, then a convolution in the child (a child
  that enters a GNU OpenMP pool started by its parent dies; refconv runs the kernel's serial
  twin there), within ``timeout_s`` seconds; and 4 Python threads calling refconv at once
  (workqueue is not thread-safe; refconv serialises its launches there), each result compared
  with a single-threaded one.

``python scripts/threading_layers.py`` prints the table (:func:`format_layers`).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from .cases import CASES_BY_NAME, Case
from .processes import pool_env, run_in_process
from .report import busy_warning, format_seconds, table_lines
from .timing import measure

LAYERS = ("omp", "tbb", "workqueue")
LAYER_CASES: tuple[Case, ...] = tuple(
    CASES_BY_NAME[name]
    for name in ("seed_standard", "seed_separable", "dw_64", "std_64_64", "pw_64_128")
)
# The safety checks' convolution: 16 -> 16, 3x3 on 32x32 -- 2.4 million multiply-adds, enough
# for refconv to launch it in parallel (small calls run on the calling thread alone).
SAFETY_X = (1, 16, 32, 32)
SAFETY_W = (16, 16, 3, 3)
PYTHON_THREADS = 4
TBB_NOTE = "pip's tbb in a virtual environment: Numba finds libtbb only on the library path"


def tbb_library_folder() -> str | None:
    """The folder of a pip-installed ``libtbb`` that the loader will not search, else None.

    pip puts TBB's shared libraries in ``<sys.prefix>/lib``; outside a conda environment that
    folder is on no default search path, so Numba cannot load its TBB layer unless it is on
    ``LD_LIBRARY_PATH``. Returns that folder when it holds ``libtbb.so.12`` and is not on
    ``LD_LIBRARY_PATH`` already.
    """
    folder = Path(sys.prefix) / "lib"
    if not any(folder.glob("libtbb.so.12*")):
        return None
    on_path = {os.path.realpath(p) for p in os.environ.get("LD_LIBRARY_PATH", "").split(":") if p}
    return None if os.path.realpath(folder) in on_path else str(folder)


def layer_env(layer: str, threads: int, library_folder: str | None = None) -> dict[str, str]:
    """The environment of a layer's process: the layer asked for, every pool sized to
    ``threads``, and ``library_folder`` put first on ``LD_LIBRARY_PATH`` when given."""
    extra = {"NUMBA_THREADING_LAYER": layer}
    if library_folder:
        before = os.environ.get("LD_LIBRARY_PATH")
        extra["LD_LIBRARY_PATH"] = library_folder + (os.pathsep + before if before else "")
    return pool_env(threads, extra)


# -- in the layer's process -------------------------------------------------------------------


def fork_check(call: Callable[[], np.ndarray], expected: np.ndarray, timeout_s: float) -> str:
    """``fork()``, one ``call()`` in the child: ``"ok"``, or what went wrong."""
    with warnings.catch_warnings():  # Python warns about fork() in a threaded process
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: one convolution, then out, with no clean-up of the parent's pools
        try:
            code = 0 if np.allclose(call(), expected, rtol=1e-4, atol=1e-4) else 3
        except BaseException:
            code = 4
        os._exit(code)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            if os.WIFSIGNALED(status):
                return f"child killed by signal {os.WTERMSIG(status)}"
            code = os.WEXITSTATUS(status)
            return {0: "ok", 3: "wrong result", 4: "error in the child"}.get(
                code, f"child exited with status {code}"
            )
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return f"hung (child killed after {timeout_s:g} s)"


def threads_check(
    call: Callable[[], np.ndarray], expected: np.ndarray, timeout_s: float, calls: int = 5
) -> str:
    """:data:`PYTHON_THREADS` Python threads making ``calls`` calls each, all at once."""
    results: list[bool] = []
    errors: list[str] = []

    def work() -> None:
        try:
            for _ in range(calls):
                results.append(bool(np.allclose(call(), expected, rtol=1e-4, atol=1e-4)))
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")

    workers = [threading.Thread(target=work, daemon=True) for _ in range(PYTHON_THREADS)]
    deadline = time.monotonic() + timeout_s
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
    if any(worker.is_alive() for worker in workers):
        return f"hung (after {timeout_s:g} s)"
    if errors:
        return f"error: {errors[0]}"
    return "ok" if all(results) else "wrong results"


def layer_child(cases: list[dict[str, Any]], repeats: int, timeout_s: float) -> dict[str, Any]:
    """In a process whose ``NUMBA_THREADING_LAYER`` is set: load it, time, check safety."""
    import numba

    import refconv

    from .peers import make_inputs, refconv_call

    rng = np.random.default_rng(0)
    x = rng.standard_normal(SAFETY_X, dtype=np.float32)
    w = rng.standard_normal(SAFETY_W, dtype=np.float32)

    def call() -> np.ndarray:
        return refconv.conv2d(x, w, padding=1)

    try:
        expected = call()  # starts the pool of the layer asked for, or fails to
        layer = numba.threading_layer()
    except Exception as exc:
        return {"loaded": False, "error": f"{type(exc).__name__}: {str(exc).splitlines()[0]}"}
    found: dict[str, Any] = {
        "loaded": True,
        "layer": layer,
        "threads": numba.get_num_threads(),
        "times": {},
    }
    if layer == "omp":
        # a compiled module, which numba's type stubs do not list
        from numba.np.ufunc import omppool  # type: ignore[attr-defined]

        found["vendor"] = getattr(omppool, "openmp_vendor", "?")
    for spec in cases:
        case = Case(**spec)
        found["times"][case.name] = measure(refconv_call(case, make_inputs(case, 1)), repeats)[
            "median_s"
        ]
    found["fork"] = fork_check(call, expected, timeout_s)
    found["python_threads"] = threads_check(call, expected, timeout_s)
    if "hung" in found["fork"] + found["python_threads"]:
        # stuck threads may also stop the interpreter's exit: answer, and leave at once
        print(json.dumps(found), flush=True)
        os._exit(0)
    return found


# -- in the parent ----------------------------------------------------------------------------


def measure_layer(
    layer: str,
    cases: Sequence[Case] = LAYER_CASES,
    threads: int = 2,
    repeats: int = 30,
    timeout_s: float = 60.0,
    process_timeout_s: float = 600.0,
) -> dict[str, Any]:
    """One layer in a fresh process (two for TBB when it needs ``LD_LIBRARY_PATH``).

    Returns ``loaded`` (bool), ``error`` (Numba's, when it did not load), ``library_folder``
    (when TBB loaded only with it on ``LD_LIBRARY_PATH``), and for a loaded layer ``times``
    (case name -> median seconds), ``fork`` and ``python_threads`` (``"ok"`` or what went
    wrong), ``threads`` and, for OpenMP, its ``vendor``.
    """
    params = {"cases": [asdict(case) for case in cases], "repeats": repeats, "timeout_s": timeout_s}

    def attempt(folder: str | None) -> dict[str, Any]:
        try:
            return run_in_process(
                layer_child, params, layer_env(layer, threads, folder), timeout=process_timeout_s
            )
        except subprocess.TimeoutExpired:
            return {"loaded": False, "error": f"its process ran past {process_timeout_s:g} s"}
        except RuntimeError as exc:
            last = str(exc).strip().splitlines()[-1]
            return {"loaded": False, "error": f"its process failed: {last}"}

    found = attempt(None)
    folder = tbb_library_folder() if layer == "tbb" and not found["loaded"] else None
    if folder:
        retried = attempt(folder)
        if retried["loaded"]:
            found = {**retried, "library_folder": folder}
        else:
            found["error"] += f" (also with LD_LIBRARY_PATH={folder})"
    return {"layer": layer, **found}


def measure_layers(
    layers: Sequence[str] = LAYERS,
    cases: Sequence[Case] = LAYER_CASES,
    threads: int = 2,
    repeats: int = 30,
    timeout_s: float = 60.0,
) -> dict[str, Any]:
    """:func:`measure_layer` for each layer, one after the other; JSON-ready."""
    unknown = sorted(set(layers) - set(LAYERS))
    if unknown:
        raise ValueError(f"unknown threading layer(s) {unknown}; choose from {list(LAYERS)}")
    load_before = os.getloadavg()[0]
    found = [measure_layer(layer, cases, threads, repeats, timeout_s) for layer in layers]
    return {
        "threads": threads,
        "repeats": repeats,
        "cpu_count": os.cpu_count(),
        "load": max(load_before, os.getloadavg()[0]),
        "cases": [{"name": case.name, "title": case.title} for case in cases],
        "layers": found,
    }


def format_layers(result: dict[str, Any]) -> str:
    """A table, one column per layer: median times (and the ratio to the first layer that
    loaded), the two safety checks; then a note per layer (what loaded, or why not)."""
    layers = result["layers"]
    loaded = [found for found in layers if found["loaded"]]
    base = loaded[0] if loaded else None
    header = ["", *(found["layer"] for found in layers)]
    rows = []
    for case in result["cases"]:
        cells = [case["title"]]
        for found in layers:
            if not found["loaded"]:
                cells.append("-")
                continue
            seconds = found["times"][case["name"]]
            cell = format_seconds(seconds)
            if base is not None and found is not base:  # base: the first layer that loaded
                cell += f" ({seconds / base['times'][case['name']]:.2f}x)"
            cells.append(cell)
        rows.append(cells)
    for key, label in (
        ("fork", "fork() after refconv ran"),
        ("python_threads", f"{PYTHON_THREADS} Python threads at once"),
    ):
        rows.append([label, *(found[key] if found["loaded"] else "-" for found in layers)])
    lines = [
        f"Numba threading layers: {result['threads']} thread(s), {result['cpu_count']} "
        f"CPUs, median of {result['repeats']} calls (float32, refconv's method='auto'); "
        f"(x): time over the {base['layer'] if base else '-'} column's"
    ]
    warning = busy_warning(result["load"], result["cpu_count"], result["threads"])
    lines += [warning, ""] if warning else [""]
    lines += table_lines(header, rows, set(range(1, len(header))))
    lines.append("")
    for found in layers:
        if not found["loaded"]:
            lines.append(f"{found['layer']}: cannot load ({found['error']})")
            continue
        note = f"{found['layer']}: loaded, {found['threads']} thread(s)"
        if "vendor" in found:
            note += f", {found['vendor']} OpenMP"
        if found.get("library_folder"):
            note += f"; only with LD_LIBRARY_PATH={found['library_folder']} ({TBB_NOTE})"
        lines.append(note)
    return "\n".join(lines)
