"""``refconv info``: what refconv runs on -- versions, CPUs, Numba's threading layer and
threads, the BLAS its kernels call, Numba's cache (:mod:`refconv.info`)."""

from __future__ import annotations

import argparse

from .. import info
from .options import to_json

DESCRIPTION = """\
Print what refconv runs on: the versions of refconv, Python, NumPy, SciPy, Numba, llvmlite and
matplotlib; the platform and CPUs; Numba's threading layer (Numba's choice, or the user's
NUMBA_THREADING_LAYER), whether a forked process runs serial kernels, the threads the kernels
use and how refconv sets them; the BLAS the GEMM kernels call (NumPy's OpenBLAS by address, or
the np.dot fallback); and Numba's cache directory. Include it in a bug report.

Numba picks its threading layer at the first parallel kernel, so this runs one tiny
convolution first. --json prints the same as JSON on stdout."""


def run(args: argparse.Namespace) -> int:
    """Run ``refconv info``; return the exit status (0)."""
    facts = info.collect()
    print(to_json(facts) if args.json else info.report(facts))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``info`` subcommand to the ``refconv`` parser."""
    parser = subparsers.add_parser(
        "info",
        help="what refconv runs on: versions, threads, BLAS",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(func=run, prog=parser.prog)
