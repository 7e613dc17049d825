"""The far side of :mod:`refconv.bench`: one peer, timed in a process of its own.

The harness starts one process per peer (``refconv``, ``torch``, ``scipy``, plus one that
measures the machine's peaks) and talks to each over its stdin/stdout, one JSON object per
line. A process only ever runs one peer's code, so Numba's OpenMP pool, OpenBLAS's pool and
PyTorch's pool never spin against each other for the two cores; the parent waits for each
answer before it asks the next process anything.

Requests (``{"op": ...}``) and answers:

* ``{"op": "info"}`` -> versions and thread settings of this process;
* ``{"op": "time", "case": {...}, "batch": N, "repeats": R, "warmup": W, "budget_s": B,
  "min_s": M}`` -> ``{"times": [...], "first_s": ...}``: ``W`` untimed calls (the first one
  compiles or loads the Numba cache; its time is ``first_s``), then ``R`` timed calls, more
  until they have taken ``M`` seconds, stopping early once ``B`` seconds have gone by (at
  least one call is always timed);
* ``{"op": "sgemm", "n": n, "repeats": R}`` -> ``{"gflops": ...}``, best of ``R``;
* ``{"op": "bandwidth", "mib": m, "repeats": R}`` -> ``{"gbs": ...}``, best of ``R``;
* ``{"op": "exit"}``.

Run as ``python -c "from refconv._bench_worker import main; main()" PEER`` (so the module is
imported under its own name and Numba can cache what it compiles here), or with ``--once
CASE_JSON`` to time the first and the steady-state calls of a fresh process (cold start).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from .bench_cases import Case


def make_inputs(case: Case, batch: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Random float32 arrays for one case, keyed by the argument names of refconv's API."""
    rng = np.random.default_rng(seed)
    return {
        name: rng.standard_normal(shape, dtype=np.float32)
        for name, shape in case.array_shapes(batch).items()
    }


# -- refconv, through the public API ---------------------------------------------------------


def refconv_call(case: Case, a: dict[str, np.ndarray]) -> Callable[[], Any]:
    """A zero-argument function that runs the case with refconv's public API."""
    import refconv

    s, p = case.stride, case.padding
    if case.family == "standard":
        return lambda: refconv.conv2d(a["x"], a["weight"], stride=s, padding=p, method="auto")
    if case.family == "depthwise":
        return lambda: refconv.depthwise_conv2d(a["x"], a["weight"], stride=s, padding=p)
    if case.family == "pointwise":
        return lambda: refconv.pointwise_conv2d(a["x"], a["weight"])
    if case.family == "separable":
        return lambda: refconv.separable_conv2d(
            a["x"], a["depthwise_weight"], a["pointwise_weight"], stride=s, padding=p
        )
    return lambda: refconv.spatial_separable_conv2d(
        a["x"], a["column_weight"], a["row_weight"], stride=s, padding=p
    )


# -- PyTorch (CPU), the framework everyone compares with ---------------------------------------


def torch_call(case: Case, a: dict[str, np.ndarray]) -> Callable[[], Any]:
    """The same computation with ``torch.nn.functional.conv2d`` under ``inference_mode``."""
    import torch
    import torch.nn.functional as F

    t = {name: torch.from_numpy(array) for name, array in a.items()}
    s, p, c = case.stride, case.padding, case.c_in

    def run() -> Any:
        with torch.inference_mode():
            if case.family == "standard":
                return F.conv2d(t["x"], t["weight"], stride=s, padding=p)
            if case.family == "depthwise":
                return F.conv2d(t["x"], t["weight"], stride=s, padding=p, groups=c)
            if case.family == "pointwise":
                return F.conv2d(t["x"], t["weight"])
            if case.family == "separable":
                mid = F.conv2d(t["x"], t["depthwise_weight"], stride=s, padding=p, groups=c)
                return F.conv2d(mid, t["pointwise_weight"])
            mid = F.conv2d(t["x"], t["column_weight"], stride=(s, 1), padding=(p, 0))
            return F.conv2d(mid, t["row_weight"], stride=(1, s), padding=(0, p))

    return run


# -- SciPy: what one writes without a deep-learning framework ----------------------------------


def _correlate_mix(x: np.ndarray, w: np.ndarray, stride: tuple[int, int],
                   pad: tuple[int, int]) -> np.ndarray:
    """Channel-mixing correlation: ``y[n, o] = sum_c correlate(x[n, c], w[o, c])``.

    ``x`` (N, C_in, H, W), ``w`` (C_out, C_in, kH, kW) with odd kH, kW. One
    ``scipy.ndimage.correlate`` per (image, output channel, input channel), on the
    zero-padded image; the centred ("same") result is cropped to the valid part and strided.
    """
    from scipy import ndimage

    (sh, sw), (ph, pw) = stride, pad
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))  # (N, C_in, H + 2ph, W + 2pw)
    k_h, k_w = w.shape[2], w.shape[3]
    rows = slice(k_h // 2, xp.shape[2] - k_h // 2, sh)
    cols = slice(k_w // 2, xp.shape[3] - k_w // 2, sw)
    out = None
    for n in range(x.shape[0]):
        for o in range(w.shape[0]):
            acc = np.zeros(xp.shape[2:], dtype=x.dtype)  # (H + 2ph, W + 2pw)
            for c in range(x.shape[1]):
                acc += ndimage.correlate(xp[n, c], w[o, c], mode="constant")
            y = acc[rows, cols]  # (H_out, W_out)
            if out is None:
                out = np.empty((x.shape[0], w.shape[0], *y.shape), dtype=x.dtype)
            out[n, o] = y
    return out


def _correlate_depthwise(x: np.ndarray, w: np.ndarray, stride: int, pad: int) -> np.ndarray:
    """One ``scipy.ndimage.correlate`` per channel over the whole batch (kernel (1, kH, kW))."""
    from scipy import ndimage

    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))  # (N, C, H + 2p, W + 2p)
    k_h, k_w = w.shape[2], w.shape[3]
    rows = slice(k_h // 2, xp.shape[2] - k_h // 2, stride)
    cols = slice(k_w // 2, xp.shape[3] - k_w // 2, stride)
    ys = [ndimage.correlate(xp[:, c], w[c, :1], mode="constant")[:, rows, cols]
          for c in range(x.shape[1])]  # each (N, H_out, W_out)
    return np.stack(ys, axis=1)  # (N, C, H_out, W_out)


def _matmul_pointwise(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """A 1x1 convolution is a matrix product: (C_out, C_in) @ (N, C_in, H*W)."""
    n, c, h, width = x.shape
    y = np.matmul(w[:, :, 0, 0], x.reshape(n, c, h * width))  # (N, C_out, H*W)
    return y.reshape(n, w.shape[0], h, width)


def scipy_call(case: Case, a: dict[str, np.ndarray]) -> Callable[[], Any]:
    """The computation with ``scipy.ndimage.correlate`` (and a NumPy matmul for 1x1)."""
    s, p = case.stride, case.padding
    if case.family == "standard":
        return lambda: _correlate_mix(a["x"], a["weight"], (s, s), (p, p))
    if case.family == "depthwise":
        return lambda: _correlate_depthwise(a["x"], a["weight"], s, p)
    if case.family == "pointwise":
        return lambda: _matmul_pointwise(a["x"], a["weight"])
    if case.family == "separable":
        return lambda: _matmul_pointwise(
            _correlate_depthwise(a["x"], a["depthwise_weight"], s, p), a["pointwise_weight"]
        )
    return lambda: _correlate_mix(
        _correlate_mix(a["x"], a["column_weight"], (s, 1), (p, 0)), a["row_weight"], (1, s),
        (0, p)
    )


PEER_CALLS = {"refconv": refconv_call, "torch": torch_call, "scipy": scipy_call}


# -- timing and peaks ---------------------------------------------------------------------------

MAX_CALLS = 1000  # timed calls per request, at most


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


def time_calls(fn: Callable[[], Any], repeats: int, warmup: int,
               budget_s: float = float("inf"), warm_s: float = 0.1,
               min_s: float = 0.0) -> tuple[list[float], float | None]:
    """``warmup`` untimed calls, then up to ``repeats`` timed ones within ``budget_s`` seconds.

    With ``min_s > 0`` the timed calls go on past ``repeats`` until they have taken ``min_s``
    seconds (at most ``MAX_CALLS`` calls), so that a case of microseconds gets a median of many
    calls rather than of a handful.

    With ``warmup > 0`` the untimed calls go on until ``warm_s`` seconds have passed (at most
    100 calls): after a pause, thread pools sleep, caches are cold and the cores have clocked
    down (a 0.12 ms depthwise call took 0.18 ms two seconds after a large GEMM), so the first
    calls of a round are slower than the steady state this benchmark reports -- for every
    peer alike.
    Returns the timed durations (at least one) and the duration of the first warm-up call
    (``None`` without warm-up).
    """
    first = None
    warm_start = time.perf_counter()
    i = 0
    while i < warmup or (warmup and i < 100 and time.perf_counter() - warm_start < warm_s):
        t0 = time.perf_counter()
        fn()
        if i == 0:
            first = time.perf_counter() - t0
        i += 1
    times: list[float] = []
    timed = 0.0  # the sum of the timed calls (the loop's own time is not counted)
    start = time.perf_counter()
    while len(times) < MAX_CALLS:
        t0 = time.perf_counter()
        fn()
        t1 = time.perf_counter()
        times.append(t1 - t0)
        timed += t1 - t0
        if t1 - start > budget_s or (len(times) >= repeats and timed >= min_s):
            break
    return times, first


def sgemm_gflops(n: int = 2048, repeats: int = 5) -> float:
    """Best float32 ``n x n @ n x n`` rate of NumPy's BLAS, in GFLOP/s (``2 n^3`` FLOPs)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    c = np.empty((n, n), dtype=np.float32)
    times, _ = time_calls(lambda: np.matmul(a, b, out=c), repeats, warmup=1)
    return 2.0 * n**3 / min(times) / 1e9


def _triad_kernel() -> Callable[..., None]:
    from numba import njit, prange

    @njit(parallel=True, cache=True)
    def triad(a, b, c, scalar):
        for i in prange(a.size):
            a[i] = b[i] + scalar * c[i]

    return triad


def bandwidth_gbs(mib: int = 256, repeats: int = 5) -> float:
    """Best STREAM-triad rate ``a = b + s*c`` (Numba, all threads), in GB/s.

    Bytes are counted as STREAM does: 12 per float32 element (two reads, one write), not
    counting the write-allocate read.
    """
    n = mib * 2**20 // 12
    b = np.ones(n, dtype=np.float32)
    c = np.ones(n, dtype=np.float32)
    a = np.ones(n, dtype=np.float32)  # touched, so no page faults in the timed calls
    triad = _triad_kernel()
    times, _ = time_calls(lambda: triad(a, b, c, np.float32(3.0)), repeats, warmup=1)
    return 12.0 * n / min(times) / 1e9


def info(peer: str) -> dict[str, Any]:
    """Versions and thread settings seen by this process."""
    import numba

    found: dict[str, Any] = {"peer": peer, "numpy": np.__version__, "numba": numba.__version__,
                             "numba_threads": numba.get_num_threads(), "pid": os.getpid()}
    if peer == "torch":
        import torch

        found.update(torch=torch.__version__, torch_threads=torch.get_num_threads())
    if peer == "scipy":
        import scipy

        found["scipy"] = scipy.__version__
    return found


def _set_threads(peer: str, threads: int) -> None:
    import numba

    numba.set_num_threads(threads)
    if peer == "torch":
        import torch

        torch.set_num_threads(threads)
        torch.set_num_interop_threads(1)


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
            elif op == "time":
                key = json.dumps([request["case"], request["batch"]], sort_keys=True)
                if cached is None or cached[0] != key:
                    cached = None  # free the previous case's arrays first
                    case = Case(**request["case"])
                    arrays = make_inputs(case, request["batch"])
                    cached = (key, arrays, PEER_CALLS[peer](case, arrays))
                times, first = time_calls(cached[2], request["repeats"], request["warmup"],
                                          request.get("budget_s", float("inf")),
                                          min_s=request.get("min_s", 0.0))
                answer = {"times": times, "first_s": first}
            else:
                answer = {"error": f"unknown op {op!r}"}
        except Exception as exc:  # report, keep serving: the parent decides what to do
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        answers.write(json.dumps(answer) + "\n")


def once(case_json: str, repeats: int = 3) -> None:
    """Print the first call's time and the steady-state median of a fresh process (JSON)."""
    case = Case(**json.loads(case_json))
    arrays = make_inputs(case, 1)
    fn = refconv_call(case, arrays)
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    times, _ = time_calls(fn, repeats, warmup=0)
    print(json.dumps({"first_s": first, "steady_s": float(np.median(times))}))


def main(argv: list[str] | None = None) -> None:
    """Entry point of a worker process: ``PEER [THREADS]`` or ``--once CASE_JSON``."""
    args = sys.argv[1:] if argv is None else argv
    if args[0] == "--once":
        once(args[1])
    else:
        serve(args[0], int(args[1]) if len(args) > 1 else 2)
