"""Fresh processes for measurements, with every thread pool sized, and who else used the CPUs.

A measurement whose outcome depends on environment variables (thread counts, the threading
layer, OpenMP's wait policy, the allocator's thresholds) or on a process's history (which pool
started first, what was allocated and freed) runs in a fresh Python process of its own:
:func:`run_in_process` calls a module-level function there and returns its JSON answer.

>>> env = pool_env(3, {"NUMBA_THREADING_LAYER": "omp"})
>>> [env[name] for name in POOL_VARIABLES]
['3', '3', '3', '3']
>>> env["NUMBA_THREADING_LAYER"]
'omp'
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from typing import Any

# Every thread pool a benchmark process may start: Numba's, OpenMP's, OpenBLAS's and MKL's.
POOL_VARIABLES = ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

# The code a fresh process runs: import the function, call it with the JSON arguments, and
# print its answer as the last line of stdout (anything printed before it is ignored).
_CALL = (
    "import json, sys; from {module} import {name} as f; "
    "print(json.dumps(f(**json.loads(sys.argv[1]))), flush=True)"
)


def pool_env(
    threads: int, extra: dict[str, str] | None = None, drop: Iterable[str] = ()
) -> dict[str, str]:
    """This process's environment with every thread pool sized to ``threads``.

    Parameters
    ----------
    threads : int
        The value of every variable in :data:`POOL_VARIABLES`.
    extra : dict, optional
        Variables to set on top (they win over the pool sizes).
    drop : iterable of str
        Variables to remove first (e.g. ``OMP_WAIT_POLICY``, for the default policy).
    """
    env = dict(os.environ)
    for name in drop:
        env.pop(name, None)
    for name in POOL_VARIABLES:
        env[name] = str(threads)
    env.update(extra or {})
    return env


def run_in_process(
    function: Callable[..., dict[str, Any]],
    params: dict[str, Any],
    env: dict[str, str],
    timeout: float | None = None,
) -> dict[str, Any]:
    """``function(**params)`` in a fresh Python process; its JSON answer.

    Parameters
    ----------
    function : callable
        A module-level function (the child imports it by module and name) that returns
        something JSON can write.
    params : dict
        Its keyword arguments, JSON-ready.
    env : dict
        The child's environment (see :func:`pool_env`).
    timeout : float, optional
        Seconds before the child is killed (``subprocess.TimeoutExpired``).

    Raises
    ------
    RuntimeError
        When the child exits with an error; the message holds its stderr.
    """
    code = _CALL.format(module=function.__module__, name=function.__name__)
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(params)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{function.__module__}.{function.__name__} failed in its process "
            f"(exit status {done.returncode}):\n{done.stderr}"
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def busy_cpu_seconds() -> float | None:
    """CPU seconds all processes have used since boot (Linux ``/proc/stat``), else None."""
    try:
        with open("/proc/stat") as stat:
            fields = stat.readline().split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU seconds used by this process and the children it has waited for."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system
