"""Numba settings shared by every fast kernel, and how kernels are launched safely.

* :func:`kernel` is the decorator every parallel kernel uses: ``parallel=True`` (``prange``
  runs over output slices that never overlap), ``cache=True`` (compiled code is kept on disk,
  so only the first call after install pays the compile time), no ``fastmath`` beyond
  allowing fused multiply-adds: NaN and Inf must propagate as they do in NumPy and SciPy.
  ``INLINE_JIT`` marks the per-row helpers, which are inlined into the kernels that call them.
* One thread pool: all parallel work runs in Numba's pool, GEMMs included (see ``blas.py``).
  Two pools on the same cores -- Numba's and OpenBLAS's -- each spin while the other works;
  on two cores a 0.1 ms call took 8 ms. Small calls run on the calling thread alone
  (:data:`PARALLEL_MIN_WORK`).
* **The threading layer is Numba's choice, or yours.** Importing refconv changes nothing:
  Numba picks TBB if it can load it, else OpenMP, else its ``workqueue``
  (``NUMBA_THREADING_LAYER`` overrides it). Measured on the benchmark shapes
  (``python scripts/threading_layers.py``): OpenMP fastest, TBB 5-20 % slower, workqueue up
  to 2x slower on 0.1 ms calls. Each has one hazard, handled here:

  - GNU OpenMP cannot survive ``fork()``: a child process that enters the pool its parent
    started is killed ("fork() called from a process already using GNU OpenMP"), and a
    ``multiprocessing.Pool`` hangs. So :func:`launch` runs a kernel's *serial* twin -- the
    same function compiled without ``parallel`` -- in a process forked after its parent
    started the pool (one thread per process, which is what pool workers want anyway);
  - ``workqueue`` is not safe when several Python threads launch kernels at once, so with
    that layer launches are serialised by a lock.
"""

from __future__ import annotations

import os
import threading
import types
from collections.abc import Callable
from typing import Any

import numba

_FASTMATH = {"contract"}  # fused multiply-adds only: no reassociation, NaN and Inf kept
# whole steps of a kernel (a band, a channel of a band, a GEMM) and serial kernels: compiled
# once and shared by the kernels that call them and their serial twins, where inlined they
# were compiled again inside each (most of the test suite's time from an empty cache); a
# call a step costs nothing next to the step. (Winograd's steps stay inlined: as calls,
# its 64 -> 64 56x56 layer took 15 % longer.)
SERIAL_JIT = numba.njit(cache=True, fastmath=_FASTMATH)
# per-row helpers: inlined into the calling kernel (a call per row cost as much as the row)
INLINE_JIT = numba.njit(cache=True, fastmath=_FASTMATH, inline="always")

# Below this many inner-loop operations (multiply-adds or copies) a kernel runs on the calling
# thread alone: a parallel launch costs microseconds while the pool's threads still spin, but
# about 0.05-0.1 ms once they sleep (after a pause, or with OMP_WAIT_POLICY=PASSIVE), which is
# more than the work of such a call.
PARALLEL_MIN_WORK = 1 << 19


class Kernel:
    """A parallel Numba kernel and its serial twin (compiled on first use, from the same
    Python function, with ``prange`` run as ``range``)."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.py_func = function
        self.parallel = numba.njit(parallel=True, cache=True, fastmath=_FASTMATH)(function)
        self._serial: Any = None
        self.__name__ = function.__name__
        self.__doc__ = function.__doc__

    @property
    def serial(self) -> Any:
        if self._serial is None:
            # A copy of the function under another name: Numba's on-disk cache keys compiled
            # code by the function's qualified name and signature, not by ``parallel``, so
            # under the same name the serial twin would load the parallel code.
            f = self.py_func
            twin = types.FunctionType(
                f.__code__, f.__globals__, f.__name__ + "_serial", f.__defaults__, f.__closure__
            )
            twin.__qualname__ = f.__qualname__ + "_serial"
            twin.__module__ = f.__module__
            self._serial = numba.njit(cache=True, fastmath=_FASTMATH)(twin)
        return self._serial

    def __call__(self, *args: Any) -> Any:
        return self.parallel(*args)


def kernel(function: Callable[..., Any]) -> Kernel:
    """Decorator of the parallel kernels: launch them with :func:`launch`."""
    return Kernel(function)


_lock = threading.Lock()
_pool_pid: int | None = None  # the process that started the thread pool
_needs_lock: bool | None = None
_fork_unsafe: bool | None = None


def _thread_count_functions() -> tuple[Callable[[], int], Callable[[int], None], bool]:
    """Numba's (get, set) of the calling thread's thread count, as cheap as they can be,
    and whether they are the fast ones.

    ``numba.get_num_threads`` and ``numba.set_num_threads`` first make sure the pool is
    started, under two locks, and check their argument: about 1 us each, up to three times a
    kernel call, which matters for calls of 0.1 ms (``python scripts/traps.py --traps
    overhead`` times the getter both ways). Once the pool is started, both wrap two C
    functions of Numba's private ``parallel`` module, which are called here directly; if
    Numba ever stores them elsewhere, the public functions are used (``refconv info`` says
    which). Only counts read from the getter, or 1, are ever set.
    """
    numba.get_num_threads()  # starts the pool: from here on Numba holds the C functions
    from numba.np.ufunc import parallel

    get = getattr(parallel, "_get_num_threads", None)
    put = getattr(parallel, "_set_num_threads", None)
    if callable(get) and callable(put) and get() == numba.get_num_threads():
        return get, put, True
    return numba.get_num_threads, numba.set_num_threads, False


_get_threads: Callable[[], int] = numba.get_num_threads
_set_threads: Callable[[int], None] = numba.set_num_threads
_fast_thread_counts = False


def _layer_facts() -> tuple[bool, bool]:
    """(serialise launches, pool lost on fork) for the layer Numba chose; starts the pool."""
    global _get_threads, _set_threads, _fast_thread_counts
    _get_threads, _set_threads, _fast_thread_counts = _thread_count_functions()
    layer = numba.threading_layer()
    fork_unsafe = False
    if layer == "omp":
        # a compiled module, which numba's type stubs do not list
        from numba.np.ufunc import omppool  # type: ignore[attr-defined]

        fork_unsafe = getattr(omppool, "openmp_vendor", "GNU") == "GNU"
    return layer == "workqueue", fork_unsafe


_forked_child = False  # set in a child forked after this process started a fork-unsafe pool


def _mark_forked_child() -> None:
    """Run in every child forked after the pool started (``os.register_at_fork``)."""
    global _forked_child
    _forked_child = _fork_unsafe is True


def _in_forked_child() -> bool:
    """Whether this process was forked after its parent started a fork-unsafe pool."""
    return _forked_child


def num_threads() -> int:
    """The threads a kernel launched from this thread may use (1 in a forked child)."""
    if _in_forked_child():
        return 1
    return _get_threads()


def thread_plan(work: int) -> int:
    """How many threads a kernel doing ``work`` operations should use.

    Small calls get one thread: waking the pool would cost more than the work.
    """
    return 1 if work < PARALLEL_MIN_WORK else num_threads()


def launch(kernel: Kernel, threads: int, *args: Any) -> Any:
    """Call a parallel kernel on ``args`` with ``threads`` threads of the pool.

    ``numba.set_num_threads`` is per calling thread, so this is safe when several Python
    threads call at once; the caller's count is restored afterwards. (The kernels cannot set
    it themselves: a compiled function that calls it can no longer be cached.)
    """
    global _pool_pid, _needs_lock, _fork_unsafe
    if _in_forked_child():
        return kernel.serial(*args) if isinstance(kernel, Kernel) else kernel(*args)
    if _pool_pid is None:
        with _lock:
            if _pool_pid is None:
                _needs_lock, _fork_unsafe = _layer_facts()  # starts the pool
                _pool_pid = os.getpid()
                if hasattr(os, "register_at_fork"):  # POSIX: forked children run serially
                    os.register_at_fork(after_in_child=_mark_forked_child)
    available = _get_threads()
    if threads < available:
        _set_threads(threads)
        try:
            return _call(kernel, args)
        finally:
            _set_threads(available)
    return _call(kernel, args)


def _call(kernel: Kernel, args: tuple) -> Any:
    # a Kernel, or any callable standing in for one (a test's spy)
    run = kernel.parallel if isinstance(kernel, Kernel) else kernel
    if _needs_lock:
        with _lock:
            return run(*args)
    return run(*args)


def runtime_facts() -> dict[str, Any]:
    """What this process runs on: threading layer, threads, whether it is a forked child."""
    if _pool_pid is None:
        layer = "not started yet (Numba picks it at the first parallel kernel)"
    else:
        layer = numba.threading_layer()
    return {
        "threading_layer": layer,
        "threads": numba.get_num_threads(),
        "thread_count_functions": (
            "Numba's C functions (fast path)"
            if _fast_thread_counts
            else "numba.get_/set_num_threads"
        ),
        "forked_child_runs_serial": _in_forked_child(),
        # the layer does not survive fork() (GNU OpenMP): children run the serial twins
        "forked_children_run_serial": _fork_unsafe is True,
        # numba.config's settings are set from the environment at import: the type checker
        # sees none of them
        "numba_threading_layer_setting": numba.config.THREADING_LAYER,  # type: ignore[attr-defined]
    }
