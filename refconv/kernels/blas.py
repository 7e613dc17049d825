"""The BLAS behind refconv's GEMMs, and one thread pool at a time.

**Which BLAS.** The im2col kernels multiply matrices *inside* their Numba ``prange`` loops, one
GEMM per task (:func:`refconv.kernels.gemm.matmul`). Numba's own ``np.dot`` calls the BLAS that
SciPy ships; NumPy ships another OpenBLAS (``scipy_openblas64_``, 64-bit integers), a newer
build, faster on refconv's shapes: a 64x576 by 576x3136 GEMM on one thread took 2.71 ms
against 3.46 ms (``python scripts/traps.py --traps blas``). So the kernels call NumPy's
``cblas_sgemm``/``cblas_dgemm`` when it is there: :func:`gemm_address` gives its address, which
the kernels receive as an argument (an address compiled into the code would not survive
Numba's on-disk cache). Where NumPy has another BLAS, the address is 0 and the kernels use
``np.dot``: same results, slower.

**One pool.** OpenBLAS would start threads of its own for every call. Two pools on the same
cores busy-wait on each other: on two cores that made a 2 ms convolution take 8 ms
(``python scripts/traps.py --traps pools``). So while a refconv kernel runs,
:func:`single_threaded_blas` pins both OpenBLAS libraries to one thread, and restores the
caller's settings afterwards.

The libraries are found the way ``threadpoolctl`` finds them: among the shared libraries
loaded into the process (``/proc/self/maps`` on Linux). Where none is found (another BLAS,
another platform), pinning is a no-op.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TypedDict

import numpy as np
import numpy.typing as npt

# (get, set) thread-count functions: SciPy's prefixed build, NumPy's 64-bit one, a plain one
_THREAD_SYMBOLS = (
    ("scipy_openblas_get_num_threads", "scipy_openblas_set_num_threads"),
    ("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
    ("openblas_get_num_threads", "openblas_set_num_threads"),
)
# NumPy's OpenBLAS: cblas_?gemm with 64-bit integers, by dtype character (float32, float64)
_GEMM_SYMBOLS = {"f": "scipy_cblas_sgemm64_", "d": "scipy_cblas_dgemm64_"}

ThreadFunctions = tuple[Callable[[], int], Callable[[int], None]]  # (get, set) of one OpenBLAS


def _loaded_libraries() -> list[str]:
    try:
        maps = Path("/proc/self/maps").read_text().splitlines()
    except OSError:
        return []
    return sorted({line.split()[-1] for line in maps if "/" in line and ".so" in line})


def _openblas_libraries() -> list[ctypes.CDLL]:
    """Every OpenBLAS loaded into this process (after loading SciPy's, as Numba does)."""
    import scipy.linalg.cython_blas  # noqa: F401  (loads SciPy's BLAS)

    libraries = []
    for path in _loaded_libraries():
        if "openblas" in Path(path).name.lower():
            try:
                libraries.append(ctypes.CDLL(path))
            except OSError:
                continue
    return libraries


def _thread_functions(library: ctypes.CDLL) -> ThreadFunctions | None:
    for get_name, set_name in _THREAD_SYMBOLS:
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
_saved: list[int] = []
_pools: list[ThreadFunctions] | None = None  # (get, set) of each OpenBLAS; None: not yet
_gemm: dict[str, int] | None = None  # dtype character -> address


def _find() -> tuple[list[ThreadFunctions], dict[str, int]]:
    """Look for the libraries; publish, and return, ``(_pools, _gemm)``."""
    global _pools, _gemm
    libraries = _openblas_libraries()
    pools = [f for f in map(_thread_functions, libraries) if f is not None]
    _pools = pools
    gemm: dict[str, int] = {}
    for library in libraries:
        for dtype, symbol in _GEMM_SYMBOLS.items():
            function = getattr(library, symbol, None)
            if function is not None and dtype not in gemm:
                gemm[dtype] = ctypes.cast(function, ctypes.c_void_p).value or 0
    _gemm = gemm  # published whole: gemm_address reads it without the lock
    return pools, gemm


def gemm_address(dtype: npt.DTypeLike) -> int:
    """Address of NumPy's OpenBLAS ``cblas_sgemm`` (float32) or ``cblas_dgemm`` (float64)
    with 64-bit integers, or 0 when this process has no such library."""
    gemm = _gemm
    if gemm is None:
        with _lock:
            gemm = _find()[1] if _gemm is None else _gemm
    return gemm.get(np.dtype(dtype).char, 0)


class _SingleThreadedBlas:
    """The context manager behind :func:`single_threaded_blas`: a class, whose ``__enter__``
    and ``__exit__`` are plain calls, where a generator-based one also creates a generator
    and a wrapper object on every use."""

    def __enter__(self) -> None:
        global _users, _saved
        with _lock:
            pools = _find()[0] if _pools is None else _pools
            if _users == 0:
                _saved = [getter() for getter, _ in pools]
                for (_, setter), count in zip(pools, _saved, strict=True):
                    if count != 1:
                        setter(1)
            _users += 1

    def __exit__(self, *exc_info: object) -> None:
        global _users
        with _lock:
            assert _pools is not None  # found by __enter__
            _users -= 1
            if _users == 0:
                for (_, setter), count in zip(_pools, _saved, strict=True):
                    if count != 1:
                        setter(count)


_SINGLE_THREADED = _SingleThreadedBlas()


def single_threaded_blas() -> AbstractContextManager[None]:
    """Pin every OpenBLAS in the process to one thread for the duration of the ``with`` block.

    Nested and concurrent uses (several Python threads calling refconv at once) are counted:
    the callers' thread counts come back when the last one leaves.
    """
    return _SINGLE_THREADED


class BlasReport(TypedDict):
    """What :func:`blas_report` found."""

    gemm: dict[str, str]  # "float32", "float64" -> the GEMM the kernels call
    openblas_libraries: list[str]  # paths of the OpenBLAS libraries loaded
    openblas_pools_pinned: int  # how many of them single_threaded_blas pins


def blas_report() -> BlasReport:
    """What this process found: the GEMM the kernels call and the pools they pin.

    ``gemm`` says, for float32 and float64, whether the kernels call NumPy's OpenBLAS by
    address or fall back to ``np.dot`` (SciPy's BLAS, through Numba: same results, slower --
    NumPy built against MKL or another BLAS, or a platform without ``/proc/self/maps``).
    """
    if _gemm is None or _pools is None:
        with _lock:
            _find()
    assert _gemm is not None and _pools is not None  # set by _find
    kinds = {"float32": "f", "float64": "d"}
    return {
        "gemm": {
            name: (
                "NumPy's OpenBLAS, cblas_?gemm by address"
                if _gemm.get(char)
                else "np.dot fallback (no NumPy OpenBLAS found)"
            )
            for name, char in kinds.items()
        },
        "openblas_libraries": [
            path for path in _loaded_libraries() if "openblas" in Path(path).name.lower()
        ],
        "openblas_pools_pinned": len(_pools),
    }
