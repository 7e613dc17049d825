"""The training section's run and table: the peers' processes take turns, step by step, and
their times become one row per model (:func:`run_training`, :func:`format_training`).

What each process does -- the models, a training step, the layers' times -- is in
:mod:`.training`; ``refconv bench --training`` calls :func:`run_training` and prints
:func:`format_training`.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from .report import format_seconds, table_lines
from .runner import Progress
from .training import TRAINING_CASES, TRAINING_PEERS, TrainingCase


def run_training(
    cases: Sequence[TrainingCase] = TRAINING_CASES,
    peers: Sequence[str] = TRAINING_PEERS,
    threads: int = 2,
    repeats: int = 10,
    rounds: int = 3,
    warmup: int = 2,
    settle_s: float = 0.25,
    profile_repeats: int = 5,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Time a training step of each case with each peer, the peers taking turns in
    ``rounds`` (one process per peer, ``threads`` threads each), then profile each layer.

    Returns one row per case: ``peers`` (``median_s``, ``min_s``, ``n``, ``first_s``,
    ``images_per_s``), ``ratio`` (refconv / torch), ``bar``, ``passed`` and ``layers`` (one
    entry per layer: each peer's forward and backward seconds).
    """
    from .worker import Worker

    peers = [p for p in peers if p in TRAINING_PEERS]
    say = progress or (lambda line: None)
    per_round = max(1, -(-repeats // rounds))
    rows = []
    workers = {peer: Worker(peer, threads) for peer in peers}
    try:
        for case in cases:
            samples: dict[str, list[float]] = {peer: [] for peer in peers}
            first: dict[str, float | None] = {}
            for r in range(rounds):
                for peer in peers[r % len(peers) :] + peers[: r % len(peers)]:
                    got = workers[peer].ask(
                        op="train_step",
                        case=asdict(case),
                        repeats=per_round,
                        warmup=warmup if r == 0 else 1,
                    )
                    samples[peer].extend(got["times"])
                    first.setdefault(peer, got["first_s"])
                    time.sleep(settle_s)
            layers = {
                peer: workers[peer].ask(
                    op="train_profile", case=asdict(case), repeats=profile_repeats
                )["layers"]
                for peer in peers
            }
            row = training_row(case, samples, first, layers)
            rows.append(row)
            times = ", ".join(f"{p} {s['median_s'] * 1e3:.4g} ms" for p, s in row["peers"].items())
            say(f"{case.name}: {times}")
    finally:
        for worker in workers.values():
            worker.close()
    return rows


def training_row(
    case: TrainingCase,
    samples: dict[str, list[float]],
    first: dict[str, float | None],
    layers: dict[str, list[dict[str, Any]]],
) -> dict[str, Any]:
    """One row of the section from the peers' timed steps and layer times."""
    peers: dict[str, dict[str, Any]] = {
        peer: {
            "median_s": statistics.median(times),
            "min_s": min(times),
            "n": len(times),
            "first_s": first.get(peer),
            "images_per_s": case.batch / statistics.median(times),
        }
        for peer, times in samples.items()
    }
    ratio = None
    if "refconv" in peers and "torch" in peers:
        ratio = peers["refconv"]["median_s"] / peers["torch"]["median_s"]
    merged = []
    for i, entry in enumerate(layers.get("refconv") or layers.get("torch") or []):
        item: dict[str, Any] = {"layer": entry["layer"]}
        for peer, rows in layers.items():
            item[f"{peer}_forward_s"] = rows[i]["forward_s"]
            item[f"{peer}_backward_s"] = rows[i]["backward_s"]
        merged.append(item)
    return {
        "case": case.name,
        "title": case.title,
        "family": case.family,
        "model": case.model,
        "batch": case.batch,
        "peers": peers,
        "ratio": ratio,
        "bar": case.bar,
        "passed": None if ratio is None or case.bar is None else ratio <= case.bar,
        "layers": merged,
    }


def format_training(rows: list[dict[str, Any]]) -> str:
    """The section's tables: the steps side by side, then each case's layers."""
    header = ["training step (fwd + bwd + Adam)", "refconv", "torch", "ref/torch", "bar", "verdict"]
    body = []
    for row in rows:
        stats = row["peers"]
        verdict = "n/a" if row["passed"] is None else "pass" if row["passed"] else "MISS"
        body.append(
            [
                row["title"],
                format_seconds(stats["refconv"]["median_s"]) if "refconv" in stats else "-",
                format_seconds(stats["torch"]["median_s"]) if "torch" in stats else "-",
                "-" if row["ratio"] is None else f"{row['ratio']:.3g}",
                "-" if row["bar"] is None else f"≤{row['bar']:g}",
                verdict,
            ]
        )
    lines = table_lines(header, body, {1, 2, 3})
    for row in rows:
        lines += ["", *format_layers(row)]
    return "\n".join(lines)


def format_layers(row: dict[str, Any]) -> list[str]:
    """Where one case's step goes, layer by layer (milliseconds), with refconv's share."""
    layers = row["layers"]
    if not layers:
        return []
    both = "torch_forward_s" in layers[0] and "refconv_forward_s" in layers[0]
    total = sum(e.get("refconv_forward_s", 0) + e.get("refconv_backward_s", 0) for e in layers)
    header = [f"{row['model']} layer", "ref fwd", "ref bwd", "% of ref"]
    if both:
        header += ["torch fwd", "torch bwd", "bwd ref/torch"]
    body = []
    for e in layers:
        ref_f, ref_b = e.get("refconv_forward_s", 0.0), e.get("refconv_backward_s", 0.0)
        cells = [
            e["layer"],
            f"{ref_f * 1e3:.2f}",
            f"{ref_b * 1e3:.2f}",
            f"{100 * (ref_f + ref_b) / total:.0f}%" if total else "-",
        ]
        if both:
            t_b = e["torch_backward_s"]
            cells += [
                f"{e['torch_forward_s'] * 1e3:.2f}",
                f"{t_b * 1e3:.2f}",
                f"{ref_b / t_b:.3g}" if t_b > 0 and ref_b > 0 else "-",
            ]
        body.append(cells)
    return table_lines(header, body, set(range(1, len(header))))
