"""``refconv train``: the CIFAR-10 notebook's experiment with refconv's own backward passes.

Trains the notebook's standard CNN and/or its separable CNN (:mod:`refconv.models`) with
Adam or SGD on the synthetic dataset (default) or the real CIFAR-10, prints each epoch's
train loss and accuracy and test accuracy, then a table: parameters, multiplications per
image, test accuracy, time per epoch. ``--out DIR`` also writes the learning curves
(``training_curves.png``) and the results (``training_results.json``); ``--json`` prints the
results as JSON instead of the text. The work is :func:`refconv.train.run_experiment`.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from ..data import DATASETS
from ..train import OPTIMIZERS, format_table, run_experiment
from ..train.experiment import DEFAULT_LR, epoch_json, epoch_line
from ..train.loop import Epoch
from .options import check_output_dir, fail, integer, path, shown, to_json

#: The defaults: ``refconv train --model both`` finishes in about a minute on two cores
#: (measured in docs/training.md).
EPOCHS = 3
BATCH_SIZE = 64
MAX_EPOCHS = 1000
MAX_BATCH = 4096
MAX_SEED = 2**32 - 1
MAX_LIMIT = 1_000_000
MAX_LR = 10.0
CURVES = "training_curves.png"
RESULTS = "training_results.json"

DESCRIPTION = f"""\
Train the CIFAR-10 notebook's standard CNN and/or separable CNN with refconv's own
backward passes and optimizers, and compare them: each epoch's train loss and accuracy and
test accuracy, then parameters, multiplications per image, test accuracy and time per epoch.

--data synthetic (default) generates 10,000 training and 2,000 test images from --seed:
ten classes that only shape tells apart. --data cifar10 reads CIFAR-10 from --data-dir,
downloading it there (MD5 and SHA-256 checked) if it is missing.

The same --seed gives the same numbers (times excepted). A tqdm progress bar goes to stderr
when it is a terminal, or with --verbose. --out DIR writes {CURVES} and {RESULTS};
--json prints the results as JSON instead of the text.

Limits: --epochs 1 to {MAX_EPOCHS}, --batch-size 1 to {MAX_BATCH}, --seed 0 to 2**32-1,
--limit 1 to {MAX_LIMIT:,}, --lr a number > 0 and <= {MAX_LR:g}. A usage error is one line
on stderr, exit status 2."""


def _learning_rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0.0 < value <= MAX_LR):
        raise argparse.ArgumentTypeError(
            f"expected a number > 0 and <= {MAX_LR:g}, e.g. 0.001; got {shown(text)}"
        )
    return value


def register(subparsers: Any) -> None:
    """Add the ``train`` subcommand to the ``refconv`` parser."""
    parser = subparsers.add_parser(
        "train",
        help="train the standard and separable CNNs (the CIFAR-10 notebook) and compare them",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--model",
        choices=("standard", "separable", "both"),
        default="both",
        help="which model to train (default both)",
    )
    parser.add_argument(
        "--epochs",
        type=integer(1, MAX_EPOCHS),
        default=EPOCHS,
        metavar="N",
        help=f"epochs (default {EPOCHS})",
    )
    parser.add_argument(
        "--batch-size",
        type=integer(1, MAX_BATCH),
        default=BATCH_SIZE,
        metavar="B",
        help=f"images per training step (default {BATCH_SIZE})",
    )
    parser.add_argument(
        "--seed",
        type=integer(0, MAX_SEED),
        default=0,
        metavar="S",
        help="seed of the data, the weights, the dropout masks and the batch order (default 0)",
    )
    parser.add_argument(
        "--data", choices=DATASETS, default="synthetic", help="the dataset (default synthetic)"
    )
    parser.add_argument(
        "--data-dir",
        type=path,
        metavar="DIR",
        help="where CIFAR-10 is, or is downloaded to (needed with --data cifar10)",
    )
    parser.add_argument(
        "--optimizer", choices=OPTIMIZERS, default="adam", help="adam (default) or sgd"
    )
    parser.add_argument(
        "--lr",
        type=_learning_rate,
        metavar="LR",
        help=f"learning rate (default: adam {DEFAULT_LR['adam']:g}, as the notebook; sgd "
        f"{DEFAULT_LR['sgd']:g} with momentum 0.9)",
    )
    parser.add_argument(
        "--out", type=path, metavar="DIR", help=f"write {CURVES} and {RESULTS} into DIR"
    )
    parser.add_argument(
        "--limit",
        type=integer(1, MAX_LIMIT),
        metavar="N",
        help="use at most the first N training and N test images (a quick run)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--verbose", action="store_true", help="show the progress bar even when stderr is no TTY"
    )
    parser.set_defaults(func=run, prog=parser.prog)


def run(args: argparse.Namespace) -> int:
    """Check the options, run the experiment, print the epochs and the table (or JSON)."""
    if args.data == "cifar10" and args.data_dir is None:
        return fail(args, "--data cifar10 needs --data-dir DIR, where CIFAR-10 is or will go")
    if args.data_dir is not None and args.data == "synthetic":
        return fail(args, "--data-dir is for --data cifar10 (the synthetic data is generated)")
    if args.data_dir is not None:
        problem = check_output_dir(args.data_dir)
        if problem:
            return fail(args, f"--data-dir {args.data_dir!r}: cannot use it ({problem})")
    if args.out is not None:
        problem = check_output_dir(args.out)
        if problem:
            return fail(args, f"--out {args.out!r}: cannot write there ({problem})")
    names = ("standard", "separable") if args.model == "both" else (args.model,)

    def report(name: str, index: int, epoch: Epoch) -> None:
        if not args.json:
            print(epoch_line(name, index, args.epochs, epoch_json(epoch)), flush=True)

    result = run_experiment(
        names,
        epochs=args.epochs,
        batch_size=args.batch_size,
        seed=args.seed,
        dataset=args.data,
        data_dir=args.data_dir,
        n_train=args.limit,
        n_test=args.limit,
        optimizer=args.optimizer,
        lr=args.lr,
        show_progress=args.verbose or sys.stderr.isatty(),
        on_epoch=report,
    )
    if args.out is not None:
        from ..train.figure import save_learning_curves

        out = Path(args.out)
        save_learning_curves(result, out / CURVES)
        (out / RESULTS).write_text(json.dumps(result, indent=1) + "\n")
    if args.json:
        print(to_json(result))
    else:
        print()
        print(format_table(result))
    return 0
