"""Numba settings shared by every fast kernel, in one place.

* ``JIT`` is the decorator every kernel uses: ``parallel=True`` (``prange`` runs over output
  slices that never overlap), ``cache=True`` (compiled code is kept on disk, so only the first
  call after install pays the compile time), no ``fastmath`` beyond allowing fused
  multiply-adds: NaN and Inf must propagate as they do in NumPy and SciPy. ``INLINE_JIT``
  marks the per-row helpers, which are inlined into the kernels that call them.
* One thread pool: all parallel work runs in Numba's OpenMP pool, GEMMs included (see
  ``_blas.py``). Two pools on the same cores -- Numba's and OpenBLAS's -- each spin while the
  other works; on two cores a 0.1 ms call took 8 ms. Idle OpenMP threads spin for a while
  before they sleep, so the next kernel starts in microseconds; if your own code calls
  NumPy's BLAS right after refconv, set ``OMP_WAIT_POLICY=PASSIVE`` before importing refconv
  (``docs/performance.md`` has the measurements).
* Small calls run on the calling thread alone (:data:`PARALLEL_MIN_WORK`).
* The threading layer: Numba's ``workqueue`` layer is not safe when several Python threads
  launch parallel kernels at once. Unless the user chose a layer through
  ``NUMBA_THREADING_LAYER``, refconv asks for a thread-safe one (OpenMP or TBB) and, if only
  ``workqueue`` is available, serialises kernel launches with a lock.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import numba

if "NUMBA_THREADING_LAYER" not in os.environ:
    try:
        import numba.np.ufunc.omppool  # is OpenMP loadable here?

        numba.config.THREADING_LAYER = "omp"
    except ImportError:
        try:
            import numba.np.ufunc.tbbpool

            numba.config.THREADING_LAYER = "tbb"
        except ImportError:
            numba.config.THREADING_LAYER = "workqueue"

JIT = numba.njit(parallel=True, cache=True, fastmath={"contract"})
SERIAL_JIT = numba.njit(cache=True, fastmath={"contract"})
# per-row helpers: inlined into the calling kernel (a call per row cost as much as the row)
INLINE_JIT = numba.njit(cache=True, fastmath={"contract"}, inline="always")

_lock = threading.Lock()
_needs_lock: bool | None = None

# Below this many inner-loop operations (multiply-adds or copies) a kernel runs on the calling
# thread alone: a parallel launch costs microseconds while the pool's threads still spin, but
# about 0.05-0.1 ms once they sleep (after a pause, or with OMP_WAIT_POLICY=PASSIVE), which is
# more than the work of such a call.
PARALLEL_MIN_WORK = 1 << 19


def _thread_count_functions() -> tuple[Callable[[], int], Callable[[int], None]]:
    """Numba's (get, set) of the calling thread's thread count, as cheap as they can be.

    ``numba.get_num_threads`` and ``numba.set_num_threads`` first make sure the pool is
    started, under two locks, and check their argument: about 1 us each, up to four times a
    kernel call, which matters for calls of 0.1 ms (``python scripts/traps.py --traps overhead``
    times the getter both ways). Once the pool is started, both wrap two C functions, which
    are called here directly; the public functions remain the fallback if Numba ever stores
    them elsewhere. Only counts read from the getter, or 1, are ever set.
    """
    numba.get_num_threads()  # starts the pool: from here on Numba holds the C functions
    from numba.np.ufunc import parallel

    get = getattr(parallel, "_get_num_threads", None)
    put = getattr(parallel, "_set_num_threads", None)
    if callable(get) and callable(put) and get() == numba.get_num_threads():
        return get, put
    return numba.get_num_threads, numba.set_num_threads


_get_threads: Callable[[], int] | None = None
_set_threads: Callable[[int], None] | None = None


def num_threads() -> int:
    """``numba.get_num_threads()``, without its per-call checks (see above)."""
    global _get_threads, _set_threads
    if _get_threads is None:
        _get_threads, _set_threads = _thread_count_functions()
    return _get_threads()


def thread_plan(work: int) -> int:
    """How many threads a kernel doing ``work`` operations should use.

    Small calls get one thread: waking the pool would cost more than the work.
    """
    return 1 if work < PARALLEL_MIN_WORK else num_threads()


def launch(kernel: Callable[..., Any], threads: int, *args: Any) -> Any:
    """Call a parallel kernel on ``args`` with ``threads`` threads of the pool.

    ``numba.set_num_threads`` is per calling thread, so this is safe when several Python
    threads call at once; the caller's count is restored afterwards. (The kernels cannot set
    it themselves: a compiled function that calls it can no longer be cached.) Calls are
    serialised only if the threading layer is not thread-safe.
    """
    available = num_threads()
    if threads < available:
        _set_threads(threads)
        try:
            return _locked_call(kernel, args)
        finally:
            _set_threads(available)
    return _locked_call(kernel, args)


def _locked_call(kernel: Callable[..., Any], args: tuple) -> Any:
    global _needs_lock
    if _needs_lock is None:
        with _lock:
            result = kernel(*args)
            _needs_lock = numba.threading_layer() == "workqueue"
        return result
    if _needs_lock:
        with _lock:
            return kernel(*args)
    return kernel(*args)
