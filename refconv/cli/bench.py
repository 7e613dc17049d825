"""``refconv bench``: time refconv against PyTorch (CPU), ONNX Runtime and SciPy, print the table.

``refconv bench --quick`` takes well under a minute; the full run (both batch sizes, more
repeats, the cold-start measurement) takes several minutes. ``--json`` writes everything that
was measured; ``--check`` makes the exit code 1 when refconv misses any of its bars.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import bench
from ..bench.ort import ort_bar_of
from ..bench.report import format_report
from .options import Parser, check_output_file, fail, integer, shown, to_json

HELP = "time refconv against PyTorch, ONNX Runtime and SciPy (one process per peer)"
MAX_BATCH = 64  # the largest case (128x112x112 float32) is then 411 MB per array
MAX_THREADS = 256

DESCRIPTION = f"""\
Time refconv against PyTorch (CPU), ONNX Runtime and SciPy, each in a process of its own, and
print the table with the bars refconv must meet (against PyTorch, and against ONNX Runtime).

--quick takes well under a minute; the full run (both batch sizes, more repeats, the cold-start
measurement) takes several minutes. --json writes everything that was measured (to stdout
without a PATH, instead of the table); --check makes the exit status 1 when refconv misses any
of its bars. --scaling [T ...] times a few representative cases at each thread count instead
(default 1, 2, 4, ... up to the CPUs), for every peer. --training times one training step
(forward, backward, Adam) of the CIFAR-10 notebook's two models at batch 64 against the same
models in PyTorch instead, then each layer's forward and backward pass.

Limits: --batch 1 to {MAX_BATCH}, --threads 1 to {MAX_THREADS}, --repeats 1 to 10000,
--rounds 1 to 1000. A usage error is one line on stderr, exit status 2; a --json PATH is
checked before the benchmark starts."""


def _json_target(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError(
            f"expected a file name, or no value for stdout; got {shown(text)}"
        )
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``refconv bench`` (shared by the subcommand and ``scripts/bench.py``)."""
    parser.add_argument(
        "--quick",
        action="store_true",
        help="N=1 only, 3 repeats, smaller roof measurements, no cold start",
    )
    parser.add_argument(
        "--cases", nargs="+", metavar="NAME", help="run only these cases (see --list)"
    )
    parser.add_argument(
        "--list", action="store_true", help="list the cases (with --json: as JSON) and exit"
    )
    parser.add_argument(
        "--batch",
        nargs="+",
        type=integer(1, MAX_BATCH),
        metavar="N",
        help=f"batch sizes, 1 to {MAX_BATCH} (default: 1 8; with --quick: 1)",
    )
    parser.add_argument(
        "--repeats",
        type=integer(1, 10_000),
        metavar="R",
        help="timed calls per peer and case (default 10; --quick: 3)",
    )
    parser.add_argument(
        "--rounds",
        type=integer(1, 1000),
        metavar="K",
        help="rounds in which the peers take turns (default 5; --quick: 3)",
    )
    parser.add_argument(
        "--threads",
        type=integer(1, MAX_THREADS),
        default=2,
        metavar="T",
        help="threads of every pool in every process (default 2)",
    )
    parser.add_argument(
        "--peers",
        nargs="+",
        choices=bench.PEERS,
        help="which peers to run (default: all that are installed; ort is ONNX Runtime)",
    )
    parser.add_argument(
        "--scaling",
        nargs="*",
        type=integer(1, MAX_THREADS),
        metavar="T",
        help="time against threads: each case at each of these thread counts (default 1, 2, "
        "4, ... up to the CPUs), on a few representative cases unless --cases names others",
    )
    parser.add_argument(
        "--training",
        action="store_true",
        help="the training section instead: a training step of each CIFAR-10 model against "
        "PyTorch, then layer by layer (--cases train_standard or train_separable picks one)",
    )
    parser.add_argument(
        "--no-cold-start", action="store_true", help="skip the cold vs warm Numba cache measurement"
    )
    parser.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="PATH",
        type=_json_target,
        help="write the results as JSON to PATH (to stdout without PATH, instead of the table)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit with status 1 if any bar is missed (needs PyTorch; with ONNX Runtime among "
        "the peers, its bars count too)",
    )


def register(subparsers: Any) -> None:
    """Add the ``bench`` subcommand to the ``refconv`` parser."""
    parser = subparsers.add_parser(
        "bench",
        help=HELP,
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.set_defaults(func=run, prog=parser.prog)


def cases_json() -> list[dict[str, Any]]:
    """The benchmark cases as JSON-ready data (``--list --json``)."""
    return [
        {
            "name": c.name,
            "title": c.title,
            "family": c.family,
            "c_in": c.c_in,
            "c_out": c.c_out,
            "size": c.size,
            "kernel": c.kernel,
            "stride": c.stride,
            "padding": c.padding,
            "bar": c.bar,
            "ort_bar": ort_bar_of(c),
        }
        for c in bench.CASES
    ]


def _list_cases() -> str:
    lines = []
    for case in bench.CASES:
        bar = "-" if case.bar is None else f"≤{case.bar:g}"
        ort = ort_bar_of(case)
        lines.append(
            f"{case.name:16} {case.title:36} bar {bar}" + (f", ORT bar ≤{ort:g}" if ort else "")
        )
    return "\n".join(lines)


def _write_json(target: str | None, data: Any) -> bool:
    """Print ``data`` as JSON (target ``-``) or write it to the file; True when printed."""
    if target == "-":
        print(to_json(data, indent=1))
        return True
    if target:
        Path(target).write_text(to_json(data, indent=1) + "\n")
    return False


def run(args: argparse.Namespace) -> int:
    """Run the benchmark as ``args`` say; print the table (or JSON); return the exit code."""
    if args.json not in (None, "-"):  # before the work: minutes of timings should not be lost
        problem = check_output_file(args.json)
        if problem:
            return fail(args, f"--json {args.json!r}: cannot write the results there ({problem})")
    if args.list:
        if not _write_json(args.json, cases_json()):
            print(_list_cases())
        return 0
    if args.scaling is not None:
        return _run_scaling(args)
    if args.training:
        return _run_training(args)
    try:
        cases = bench.select_cases(args.cases)
    except ValueError as exc:
        return fail(args, f"--cases: {exc}")
    peers = args.peers or bench.default_peers()
    problem = _not_installed(peers)
    if problem:
        return fail(args, problem)
    if args.check and "torch" not in peers:
        return fail(
            args, "--check compares with PyTorch, which is not installed (or not among --peers)"
        )
    quick = args.quick
    result = bench.run_benchmark(
        cases,
        batches=args.batch or ((1,) if quick else (1, 8)),
        peers=peers,
        repeats=args.repeats or (3 if quick else 10),
        rounds=args.rounds or (3 if quick else 5),
        threads=args.threads,
        scipy_rounds=1 if quick else 2,
        min_turn_s=0.02 if quick else 0.05,
        quick_peaks=quick,
        cold_start=not (quick or args.no_cold_start),
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    if not _write_json(args.json, result):
        print(format_report(result))
    missed = [
        row for row in result["results"] if row["passed"] is False or row["ort_passed"] is False
    ]
    return 1 if args.check and missed else 0


def _not_installed(peers: Sequence[str]) -> str | None:
    """A usage error naming the first peer asked for whose package is not installed."""
    from ..bench.ort import ort_available

    packages = {
        "torch": ("PyTorch", bench.torch_available),
        "ort": ("onnxruntime and onnx", ort_available),
    }
    for peer in peers:
        if peer in packages and not packages[peer][1]():
            name = packages[peer][0]
            return f"--peers {peer}: needs {name}, which is not installed (refconv[bench])"
    return None


def _run_scaling(args: argparse.Namespace) -> int:
    """``--scaling``: the scaling runs (refconv.bench.scaling), as a table or JSON."""
    from ..bench.scaling import SCALING_PEERS, format_scaling, run_scaling, scaling_cases

    if args.check:
        return fail(args, "--check and --scaling: the bars are checked by the table, not here")
    try:
        cases = bench.select_cases(args.cases) if args.cases else scaling_cases()
    except ValueError as exc:
        return fail(args, f"--cases: {exc}")
    peers = args.peers or [p for p in bench.default_peers() if p in SCALING_PEERS]
    problem = _not_installed(peers)
    if problem:
        return fail(args, problem)
    quick = args.quick
    data = run_scaling(
        cases,
        threads=sorted(set(args.scaling)) or None,
        batches=args.batch or ((1,) if quick else (1, 8)),
        peers=peers,
        repeats=args.repeats or (3 if quick else 10),
        rounds=args.rounds or (3 if quick else 5),
        scipy_rounds=1 if quick else 2,
        min_turn_s=0.02 if quick else 0.05,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    if not _write_json(args.json, data):
        print(format_scaling(data))
    return 0


def _run_training(args: argparse.Namespace) -> int:
    """``--training``: the training section (refconv.bench.training), as tables or JSON."""
    from ..bench.training import TRAINING_BY_NAME, TRAINING_CASES, TRAINING_PEERS
    from ..bench.training_table import format_training, run_training

    unknown = [name for name in args.cases or () if name not in TRAINING_BY_NAME]
    if unknown:
        return fail(
            args,
            f"--cases with --training: unknown {unknown}; choose from {sorted(TRAINING_BY_NAME)}",
        )
    cases = [TRAINING_BY_NAME[name] for name in args.cases] if args.cases else TRAINING_CASES
    peers = [p for p in args.peers or bench.default_peers() if p in TRAINING_PEERS]
    problem = _not_installed(peers)
    if problem:
        return fail(args, problem)
    if args.check and "torch" not in peers:
        return fail(
            args, "--check compares with PyTorch, which is not installed (or not among --peers)"
        )
    rows = run_training(
        cases,
        peers=peers,
        threads=args.threads,
        repeats=args.repeats or (3 if args.quick else 10),
        rounds=args.rounds or (1 if args.quick else 3),
        profile_repeats=2 if args.quick else 5,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    if not _write_json(args.json, {"training": rows, "threads": args.threads}):
        print(format_training(rows))
    missed = [row for row in rows if row["passed"] is False]
    return 1 if args.check and missed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """``scripts/bench.py``: the same options without the ``refconv`` front end."""
    parser = Parser(
        prog="bench", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_arguments(parser)
    parser.set_defaults(prog="bench")
    return run(parser.parse_args(argv))
