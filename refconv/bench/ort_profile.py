"""Where ONNX Runtime's time goes on a benchmark case, beside refconv's passes.

``python -m refconv.bench.ort_profile [CASE ...] [--batch N ...] [--threads T]`` prints, per
case and batch size, in a fresh process of its own with every pool sized to ``T``:

* ``ort run``: the median of ``session.run`` from Python (no profiling), as the benchmark
  times it, and the same with ``session.intra_op.allow_spinning`` 0 (the pool's idle threads
  sleep at once, and each run wakes them);
* ``ort model_run``: ORT's own time for the run (its profiler), and the median of each node
  of the optimised graph (``ReorderInput``/``ReorderOutput`` are the NCHWc layout
  transform ORT_ENABLE_ALL inserts around the convolutions); what ``ort run`` has beyond
  ``model_run`` is the Python binding (the input wrapped, the output copied into an array);
* ``refconv``: the public call, and for two-pass cases each pass alone through the public API
  (``depthwise_conv2d`` and ``pointwise_conv2d``; the kx1 and 1xk ``conv2d``);
* ``GEMM alone``: for every pass that is not depthwise, the matrix product im2col turns it
  into, ``(C_out x C_in*kH*kW) @ (C_in*kH*kW x N*H_out*W_out)``, done by NumPy's OpenBLAS on
  ready-made operands (:func:`gemm_floor`): what the sum bound's arithmetic costs through
  that BLAS with no columns to build. Where it takes longer than ORT's whole run, no
  im2col kernel over this BLAS can reach ORT on the case.

``--spin`` prints instead how much CPU ORT's idle threads use in the windows after a run
(:func:`spin_after_run`), with spinning allowed (ORT's default, the benchmark's setting) and
not: the benchmark's pause after each peer's turn (0.25 s) must outlast it.

The profiler's node times carry some overhead of their own; read them as shares of
``model_run``, not as exact durations. Every time is a median after 0.1 s of warm-up calls
(:func:`refconv.bench.timing.measure`).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

import numpy as np

from . import ort
from .cases import CASES, CASES_BY_NAME, Case
from .peers import make_inputs, refconv_call
from .processes import pool_env, run_in_process
from .report import format_seconds, table_lines
from .timing import measure
from .worker import settle_allocator


def _passes(case: Case, a: dict[str, np.ndarray]) -> dict[str, Callable[[], Any]]:
    """refconv's two passes of a two-pass case, each through the public API (else none)."""
    import refconv

    s, p = case.stride, case.padding
    if case.family == "separable":
        mid = refconv.depthwise_conv2d(a["x"], a["depthwise_weight"], stride=s, padding=p)
        return {
            "depthwise pass": lambda: refconv.depthwise_conv2d(
                a["x"], a["depthwise_weight"], stride=s, padding=p
            ),
            "pointwise pass": lambda: refconv.pointwise_conv2d(mid, a["pointwise_weight"]),
        }
    if case.family == "spatial":
        mid = refconv.conv2d(a["x"], a["column_weight"], stride=(s, 1), padding=(p, 0))
        return {
            "kx1 pass": lambda: refconv.conv2d(
                a["x"], a["column_weight"], stride=(s, 1), padding=(p, 0)
            ),
            "1xk pass": lambda: refconv.conv2d(mid, a["row_weight"], stride=(1, s), padding=(0, p)),
        }
    return {}


def profile(case: dict[str, Any], batch: int, threads: int, repeats: int = 200) -> dict[str, Any]:
    """Median seconds of ORT's run, its profiled parts and refconv's call and passes.

    Run it in a process of its own (:func:`profile_in_process`): it sets this process's ORT
    thread count and times three libraries' calls one after the other.
    """
    import onnxruntime

    settle_allocator()
    spec = Case(**case)
    a = make_inputs(spec, batch)
    ort.set_num_threads(threads)
    session = ort.open_session(spec, a)
    found: dict[str, float] = {
        "ort run": measure(lambda: session.run(["y"], {"x": a["x"]}), repeats)["median_s"]
    }
    calm = ort.session_options(threads)
    calm.add_session_config_entry("session.intra_op.allow_spinning", "0")
    model = ort.build_model(spec, a)
    still = onnxruntime.InferenceSession(model, calm, providers=["CPUExecutionProvider"])
    found["ort run, allow_spinning 0"] = measure(lambda: still.run(["y"], {"x": a["x"]}), repeats)[
        "median_s"
    ]
    still = None  # its pool's threads end
    with tempfile.TemporaryDirectory(prefix="refconv-ort-profile-") as folder:
        options = ort.session_options(threads)
        options.enable_profiling = True
        options.profile_file_prefix = os.path.join(folder, "ort")
        profiled = onnxruntime.InferenceSession(
            ort.build_model(spec, a), options, providers=["CPUExecutionProvider"]
        )
        measure(lambda: profiled.run(["y"], {"x": a["x"]}), repeats)
        with open(profiled.end_profiling()) as trace:
            events = json.load(trace)
    durations: dict[str, list[float]] = defaultdict(list)
    for event in events:
        if event.get("cat") == "Session" and event.get("name") == "model_run":
            durations["ort model_run"].append(event["dur"] * 1e-6)
        elif event.get("cat") == "Node" and event["name"].endswith("_kernel_time"):
            node = event["name"][: -len("_kernel_time")]
            durations[f"  {event['args'].get('op_name', '?')} ({node})"].append(event["dur"] * 1e-6)
    found.update({name: statistics.median(times) for name, times in durations.items()})
    import numba

    numba.set_num_threads(threads)
    found["refconv"] = measure(refconv_call(spec, a), repeats)["median_s"]
    for name, fn in _passes(spec, a).items():
        found[f"  {name}"] = measure(fn, repeats)["median_s"]
    found.update(gemm_floor(spec, batch, repeats))
    return {"case": spec.name, "title": spec.title, "batch": batch, "seconds": found}


def gemm_floor(case: Case, batch: int, repeats: int = 200) -> dict[str, float]:
    """Median seconds of OpenBLAS's GEMM alone for each pass of ``case`` that is not
    depthwise: ``(C_out x C_in*kH*kW) @ (C_in*kH*kW x N*H_out*W_out)``, float32, one product
    for the whole batch (the most BLAS-friendly shape), operands made beforehand. Uses
    NumPy's BLAS with its own threads (``OPENBLAS_NUM_THREADS``, which
    :func:`profile_in_process` sets like every pool).

    >>> from refconv.bench.cases import CASES_BY_NAME
    >>> for name in gemm_floor(CASES_BY_NAME["spatial_64_64"], 1, repeats=2):
    ...     print(name.strip())
    GEMM alone, pass 1: (64 x 192) @ (192 x 3136)
    GEMM alone, pass 2: (64 x 192) @ (192 x 3136)
    """
    found: dict[str, float] = {}
    rng = np.random.default_rng(0)
    stages = case.stages()
    for step, (c_in, c_out, groups, k_h, k_w, _, _, h_out, w_out) in enumerate(stages, 1):
        if groups != 1:
            continue
        k, n = c_in * k_h * k_w, batch * h_out * w_out
        a = rng.standard_normal((c_out, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        c = np.empty((c_out, n), dtype=np.float32)
        which = f"pass {step}: " if len(stages) > 1 else ""
        name = f"  GEMM alone, {which}({c_out} x {k}) @ ({k} x {n})"
        found[name] = measure(functools.partial(np.matmul, a, b, out=c), repeats)["median_s"]
    return found


SPIN_WINDOWS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0)  # seconds after a run's end


def spin_after_run(
    case: dict[str, Any], batch: int, threads: int, allow_spinning: str = ort.ALLOW_SPINNING
) -> dict[str, Any]:
    """CPU seconds ORT's pool uses while the caller sleeps, in windows after one run's end.

    The caller sleeps from the end of a run (after 0.2 s of back-to-back runs) to the end of
    each window of :data:`SPIN_WINDOWS`; what the process uses meanwhile is ORT's idle
    threads spinning. Run it in a process of its own (:func:`spin_in_process`).
    """
    import time

    spec = Case(**case)
    a = make_inputs(spec, batch)
    ort.set_num_threads(threads)
    options = ort.session_options(threads)
    options.add_session_config_entry("session.intra_op.allow_spinning", allow_spinning)
    import onnxruntime

    session = onnxruntime.InferenceSession(
        ort.build_model(spec, a), options, providers=["CPUExecutionProvider"]
    )
    measure(lambda: session.run(["y"], {"x": a["x"]}), 3, warm_s=0.2)
    session.run(["y"], {"x": a["x"]})
    end, cpu_end = time.perf_counter(), time.process_time()
    used = []
    for window in SPIN_WINDOWS:
        time.sleep(max(0.0, end + window - time.perf_counter()))
        used.append(time.process_time() - cpu_end)
    return {"windows_s": list(SPIN_WINDOWS), "cpu_s": used, "allow_spinning": allow_spinning}


def spin_in_process(case: Case, batch: int, threads: int, allow_spinning: str = "1") -> dict:
    """:func:`spin_after_run` in a fresh process with every pool sized to ``threads``."""
    from refconv.bench.ort_profile import spin_after_run as named

    params = {"case": asdict(case), "batch": batch, "threads": threads}
    return run_in_process(named, {**params, "allow_spinning": allow_spinning}, pool_env(threads))


def profile_in_process(case: Case, batch: int, threads: int) -> dict[str, Any]:
    """:func:`profile` in a fresh process with every pool sized to ``threads``."""
    from refconv.bench.ort_profile import profile as named  # by its module's name under -m too

    return run_in_process(
        named, {"case": asdict(case), "batch": batch, "threads": threads}, pool_env(threads)
    )


# indented rows that are refconv's or OpenBLAS's, not ORT's nodes: no share of ORT's run
REFCONV_ROWS = ("  depthwise pass", "  pointwise pass", "  kx1 pass", "  1xk pass", "  GEMM alone")


def format_profile(answer: dict[str, Any]) -> str:
    """One case's times, one line each; ORT's nodes with their share of ``ort model_run``."""
    seconds = answer["seconds"]
    model_run = seconds.get("ort model_run")
    rows = [
        [
            name,
            format_seconds(value),
            f"{100 * value / model_run:.0f}%"
            if model_run and name.startswith("  ") and not name.startswith(REFCONV_ROWS)
            else "",
        ]
        for name, value in seconds.items()
    ]
    title = f"{answer['title']}, N={answer['batch']}"
    return "\n".join([title, *table_lines(["", "median", "of model_run"], rows, {1, 2})])


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m refconv.bench.ort_profile``: see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m refconv.bench.ort_profile")
    parser.add_argument("cases", nargs="*", metavar="CASE", help="default: every table case")
    parser.add_argument("--batch", nargs="+", type=int, default=[1, 8], metavar="N")
    parser.add_argument("--threads", type=int, default=2, metavar="T")
    parser.add_argument(
        "--spin", action="store_true", help="how long ORT's idle threads spin after a run, instead"
    )
    args = parser.parse_args(argv)
    cases = [CASES_BY_NAME[name] for name in args.cases] if args.cases else list(CASES)
    if args.spin:
        print("CPU seconds ORT's process used while its caller slept, from the end of a run:")
        for case in cases:
            for batch in args.batch:
                for allow in ("1", "0"):
                    got = spin_in_process(case, batch, args.threads, allow)
                    used = ", ".join(
                        f"{w * 1e3:g} ms: {c * 1e3:.1f}"
                        for w, c in zip(got["windows_s"], got["cpu_s"], strict=True)
                    )
                    print(f"  {case.name} N={batch} allow_spinning={allow}: {used} (CPU ms)")
        return 0
    print(f"{args.threads} thread(s) per pool, one fresh process per case and batch size\n")
    for case in cases:
        for batch in args.batch:
            print(format_profile(profile_in_process(case, batch, args.threads)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
