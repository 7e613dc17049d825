"""One benchmark peer in a process of its own, and the parent's handle on that process.

The runner (:mod:`refconv.bench.runner`) starts one :class:`Worker` per peer (``refconv``,
``torch``, ``ort``, ``scipy``, plus one that measures the machine's roofs) and talks to each over
its stdin/stdout, one JSON object per line. A process only ever runs one peer's code, so Numba's
OpenMP pool, OpenBLAS's pool and PyTorch's pool never spin against each other for the cores;
the parent waits for each answer before it asks the next process anything.

Requests (``{"op": ...}``) and answers:

* ``{"op": "info"}`` -> versions and thread settings of this process;
* ``{"op": "time", "case": {...}, "batch": N, "repeats": R, "warmup": W, "budget_s": B,
  "min_s": M}`` -> ``{"times": [...], "first_s": ...}``: timed by
  :func:`refconv.bench.timing.time_calls` with these settings (``first_s`` is the first
  warm-up call, the one that compiles or loads Numba's cache);
* ``{"op": "sgemm", "n": n, "repeats": R}`` -> ``{"gflops": ...}``, best of ``R``;
* ``{"op": "bandwidth", "mib": m, "repeats": R}`` -> ``{"gbs": ...}``, best of ``R``;
* ``{"op": "train_step" | "train_profile", ...}`` -> a training step's times, or each layer's
  (:func:`refconv.bench.training.answer`);
* ``{"op": "exit"}``.

A worker runs ``python -c "from refconv.bench.worker import main; main()" PEER THREADS`` (so
this module is imported under its own name and Numba can cache what it compiles here).
:func:`first_call` times the first and the steady calls of a fresh process (the cold start).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import IO, Any

import numpy as np

from . import ort
from .cases import Case
from .peers import PEER_CALLS, make_inputs, refconv_call
from .processes import pool_env
from .roofs import bandwidth_gbs, sgemm_gflops
from .timing import summary, time_calls

_LAUNCH = "from refconv.bench.worker import main; main()"


def settle_allocator() -> None:
    """Put glibc's allocator in the state a long-running process is in.

    A fresh process maps every allocation over 128 KiB from the kernel and unmaps it when it
    is freed, so each call pays page faults for its output -- until the first large block is
    freed, after which glibc raises that threshold (up to 32 MiB) and reuses freed memory.
    Which case of a run came first then decided whose outputs faulted: PyTorch's depthwise
    C=64 call took 1.4 ms as its process's first case and 0.2-0.3 ms after a larger one. One
    large block, allocated and freed here in every worker, gives every peer the steady state
    from the start. (Allocating it touches no pages.)
    """
    np.empty(31 * 2**20, dtype=np.uint8)  # above the initial threshold, within the 32 MiB cap


def info(peer: str) -> dict[str, Any]:
    """Versions and thread settings seen by this process."""
    import numba

    found: dict[str, Any] = {
        "peer": peer,
        "numpy": np.__version__,
        "numba": numba.__version__,
        "numba_threads": numba.get_num_threads(),
        "pid": os.getpid(),
    }
    if peer == "torch":
        import torch

        found.update(torch=torch.__version__, torch_threads=torch.get_num_threads())
    if peer == "scipy":
        import scipy

        found["scipy"] = scipy.__version__
    if peer == "ort":
        import onnxruntime

        found.update(onnxruntime=onnxruntime.__version__, ort=ort.settings(ort.num_threads()))
    return found


def _set_threads(peer: str, threads: int) -> None:
    import numba

    numba.set_num_threads(threads)
    if peer == "torch":
        import torch

        torch.set_num_threads(threads)
        torch.set_num_interop_threads(1)
    if peer == "ort":
        ort.set_num_threads(threads)  # the intra-op pool of every session it opens


def serve(peer: str, threads: int) -> None:
    """Answer requests from stdin until ``exit`` or end of input (see the module docstring)."""
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not corrupt answers
    _set_threads(peer, threads)
    settle_allocator()
    cached: tuple[str, dict[str, np.ndarray], Callable[[], Any]] | None = None
    for line in sys.stdin:
        request = json.loads(line)
        op = request.get("op")
        try:
            if op == "exit":
                break
            if op == "info":
                answer: dict[str, Any] = info(peer)
            elif op == "sgemm":
                answer = {"gflops": sgemm_gflops(request["n"], request["repeats"])}
            elif op == "bandwidth":
                answer = {"gbs": bandwidth_gbs(request["mib"], request["repeats"])}
            elif op in ("train_step", "train_profile"):  # the training section
                from .training import answer as training_answer

                answer = training_answer(peer, request)
            elif op == "time":
                key = json.dumps([request["case"], request["batch"]], sort_keys=True)
                if cached is None or cached[0] != key:
                    cached = None  # free the previous case's arrays first
                    case = Case(**request["case"])
                    arrays = make_inputs(case, request["batch"])
                    cached = (key, arrays, PEER_CALLS[peer](case, arrays))
                times, first = time_calls(
                    cached[2],
                    request["repeats"],
                    request["warmup"],
                    request.get("budget_s", float("inf")),
                    min_s=request.get("min_s", 0.0),
                )
                answer = {"times": times, "first_s": first}
            else:
                answer = {"error": f"unknown op {op!r}"}
        except Exception as exc:  # report, keep serving: the parent decides what to do
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        answers.write(json.dumps(answer) + "\n")


def first_call(case: dict[str, Any], repeats: int = 3) -> dict[str, float]:
    """The first call's seconds and the steady-state median of a fresh process (refconv).

    ``case`` is a :class:`~refconv.bench.cases.Case` as a dict; run it in a process of its own
    (:func:`refconv.bench.processes.run_in_process`): the first call compiles, or loads
    Numba's cache.
    """
    fn = refconv_call(Case(**case), make_inputs(Case(**case), 1))
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    times, _ = time_calls(fn, repeats, warmup=0)
    return {"first_s": first, "steady_s": summary(times)["median_s"]}


def main(argv: list[str] | None = None) -> None:
    """Entry point of a worker process: ``PEER [THREADS]``."""
    args = sys.argv[1:] if argv is None else argv
    serve(args[0], int(args[1]) if len(args) > 1 else 2)


class Worker:
    """One peer in a process of its own, answering JSON requests one line at a time.

    Use it as a context manager, so the process is asked to exit however the block ends.
    """

    def __init__(self, peer: str, threads: int) -> None:
        self.peer = peer
        self.process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCH, peer, str(threads)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
            env=pool_env(threads),
        )
        assert self.process.stdin is not None and self.process.stdout is not None  # PIPEs
        self.stdin: IO[str] = self.process.stdin  # requests, one JSON line each
        self.stdout: IO[str] = self.process.stdout  # answers, one JSON line each

    def ask(self, **request: Any) -> dict[str, Any]:
        """Send one request and wait for its answer; worker errors become ``RuntimeError``."""
        self.stdin.write(json.dumps(request) + "\n")
        self.stdin.flush()
        line = self.stdout.readline()
        if not line:
            raise RuntimeError(
                f"the {self.peer} benchmark process died (exit code "
                f"{self.process.wait()}); its error is printed above"
            )
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"{self.peer} failed on {request.get('op')}: {answer['error']}")
        return answer

    def close(self) -> None:
        """Ask the process to exit and wait for it."""
        if self.process.poll() is None:
            try:
                self.stdin.write('{"op": "exit"}\n')
                self.stdin.close()
            except BrokenPipeError:
                pass
            self.process.wait(timeout=30)
        self.stdout.close()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
