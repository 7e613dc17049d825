"""One thread pool at a time: BLAS runs single-threaded inside refconv's parallel kernels.

The im2col kernel multiplies matrices with ``np.dot`` *inside* its Numba ``prange`` loop: each
Numba thread builds the columns of its own band of output rows and multiplies them by the
weights, so one pool (Numba's OpenMP threads) does all the work. Numba's ``np.dot`` calls the
BLAS that SciPy ships (OpenBLAS in the wheels), and OpenBLAS would start threads of its own for
every call. Two pools on the same cores busy-wait on each other: on two cores that made a
2 ms convolution take 8 ms (``python scripts/traps.py --traps pools``). So while a refconv
kernel runs, :func:`single_threaded_blas` pins that BLAS to one thread, and restores the
caller's setting afterwards.

The BLAS library is found the way ``threadpoolctl`` finds it: among the shared libraries
loaded into the process (``/proc/self/maps`` on Linux), the OpenBLAS that ships with SciPy.
Where none is found (another BLAS, another platform), pinning is a no-op: results are the
same, only slower.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_SYMBOLS = (  # (get, set) pairs, SciPy's prefixed build first
    ("scipy_openblas_get_num_threads", "scipy_openblas_set_num_threads"),
    ("openblas_get_num_threads", "openblas_set_num_threads"),
)


def _loaded_libraries() -> list[str]:
    try:
        maps = Path("/proc/self/maps").read_text().splitlines()
    except OSError:
        return []
    return sorted({line.split()[-1] for line in maps if "/" in line and ".so" in line})


def _find_scipy_openblas() -> tuple[object, object] | None:
    """``(get_num_threads, set_num_threads)`` of the BLAS behind Numba's ``np.dot``."""
    import scipy.linalg.cython_blas  # noqa: F401  (loads SciPy's BLAS, as Numba does)

    candidates = [p for p in _loaded_libraries() if "openblas" in Path(p).name.lower()]
    # SciPy's bundled copy first; NumPy's ILP64 copy (name ending in 64_) is a different library
    candidates.sort(key=lambda p: ("scipy" not in p, "64_" in Path(p).name))
    for path in candidates:
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for get_name, set_name in _SYMBOLS:
            getter = getattr(library, get_name, None)
            setter = getattr(library, set_name, None)
            if getter is not None and setter is not None:
                getter.restype = ctypes.c_int
                setter.argtypes = [ctypes.c_int]
                setter.restype = None
                return getter, setter
    return None


_lock = threading.Lock()
_users = 0
_saved = 1
_functions: tuple[object, object] | bool | None = False  # False: not looked up yet


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Pin SciPy's BLAS to one thread for the duration of the ``with`` block.

    Nested and concurrent uses (several Python threads calling refconv at once) are counted:
    the caller's thread count comes back when the last one leaves.
    """
    global _users, _saved, _functions
    with _lock:
        if _functions is False:
            _functions = _find_scipy_openblas()
        if _functions and _users == 0:
            getter, setter = _functions
            _saved = getter()
            if _saved != 1:
                setter(1)
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _functions and _users == 0 and _saved != 1:
                _functions[1](_saved)
