"""What each convolution method allocates, worked out from refconv's own rules, then measured.

The rules and the measurement: :mod:`refconv.bench.memory`; the tables:
:mod:`refconv.bench.memory_report`. The numbers depend on Numba's thread count
(``NUMBA_NUM_THREADS``); the tables say which they assumed.

Run: ``python scripts/im2col_memory.py`` (``docs/algorithms.md`` shows it with
``NUMBA_NUM_THREADS=2``)
"""

from refconv.bench.memory_report import report

if __name__ == "__main__":
    print(report())
