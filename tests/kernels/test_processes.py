"""refconv in forked processes and from several threads: no crash, no hang, same numbers.

Regression: with Numba's OpenMP layer (GNU libgomp, Linux's default), a process forked after
refconv ran died on its first convolution ("fork() called from a process already using GNU
OpenMP, this is unsafe") and ``multiprocessing.Pool.map`` hung. Forked children now run the
kernels' serial twins (``refconv.kernels.runtime``). Importing refconv must not change
Numba's threading layer setting either.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import refconv

FORK = "fork" in multiprocessing.get_all_start_methods()
RNG = np.random.default_rng(0)
X = RNG.standard_normal((1, 16, 24, 24)).astype(np.float32)
W = RNG.standard_normal((16, 16, 3, 3)).astype(np.float32)
DW = RNG.standard_normal((16, 1, 3, 3)).astype(np.float32)


def _work(method):
    """Large enough for several threads in the parent (PARALLEL_MIN_WORK)."""
    big = np.tile(X, (4, 2, 2, 2))  # (4, 32, 48, 48)
    w = np.tile(W, (2, 2, 1, 1))
    return (
        refconv.conv2d(big, w, padding=1, method=method),
        refconv.depthwise_conv2d(big, np.tile(DW, (2, 1, 1, 1)), padding=1, method=method),
    )


@pytest.mark.skipif(not FORK, reason="the platform has no fork()")
@pytest.mark.parametrize("method", ["direct", "im2col", "winograd"])
def test_a_forked_pool_works_after_refconv_ran(method, as_forked_child):
    expected = _work(method)  # the parent starts its thread pool here
    for got, want in zip(as_forked_child(_work, method), expected, strict=True):
        np.testing.assert_array_equal(got, want)  # the serial twins, compiled once for all
    context = multiprocessing.get_context("fork")
    with context.Pool(2) as pool:
        results = pool.map_async(_work, [method] * 3).get(timeout=240)
    for result in results:
        for got, want in zip(result, expected, strict=True):
            np.testing.assert_array_equal(got, want)


@pytest.mark.skipif(not FORK, reason="the platform has no fork()")
def test_a_forked_child_of_a_child_works(as_forked_child):
    _work("im2col")
    as_forked_child(_work, "im2col")

    def grandchild(queue):
        queue.put(float(_work("im2col")[0].sum()))

    def child(queue):
        inner = multiprocessing.get_context("fork").Queue()
        process = multiprocessing.get_context("fork").Process(target=grandchild, args=(inner,))
        process.start()
        queue.put(inner.get(timeout=240))
        process.join()

    queue = multiprocessing.get_context("fork").Queue()
    process = multiprocessing.get_context("fork").Process(target=child, args=(queue,))
    process.start()
    value = queue.get(timeout=300)
    process.join(timeout=60)
    assert process.exitcode == 0
    assert value == pytest.approx(float(_work("im2col")[0].sum()), rel=1e-6)


def test_import_changes_no_numba_setting():
    code = textwrap.dedent("""
        import os
        os.environ.pop("NUMBA_THREADING_LAYER", None)
        import numba
        before = numba.config.THREADING_LAYER
        import refconv
        print(before, numba.config.THREADING_LAYER)
    """)
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_THREADING_LAYER"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    ).stdout.split()
    assert out[0] == out[1] == "default"


def test_a_user_choice_of_threading_layer_is_kept():
    code = textwrap.dedent("""
        import numpy as np
        import numba
        import refconv
        x = np.ones((2, 32, 64, 64), np.float32)
        refconv.conv2d(x, np.ones((32, 32, 3, 3), np.float32), padding=1)
        print(numba.threading_layer())
    """)
    env = dict(os.environ, NUMBA_THREADING_LAYER="workqueue")
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=300,
    ).stdout.split()
    assert out == ["workqueue"]
