"""The learning curves of a :func:`~refconv.train.experiment.run_experiment` result.

Two panels, as the CIFAR-10 notebook draws them: accuracy (training and test) and loss
(training and test) against the epoch, one colour per model, solid for the test set and
dashed for the training set. Drawn on a :class:`matplotlib.figure.Figure` through
:mod:`refconv.plotting.style` (never ``pyplot``: no backend is chosen, the user's settings
are left alone).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

COLOURS = {"standard": "tab:blue", "separable": "tab:red"}


def learning_curves(result: dict[str, Any]) -> Any:
    """The figure (a :class:`matplotlib.figure.Figure`) of ``result``'s epochs."""
    from ..plotting.style import new_figure

    fig, (acc_ax, loss_ax) = new_figure(11.0, 4.2, ncols=2)
    for row in result["models"]:
        colour = COLOURS.get(row["name"], "black")
        epochs = list(range(1, len(row["epochs"]) + 1))
        for key, axis in (("accuracy", acc_ax), ("loss", loss_ax)):
            for part, style in (("train", "--"), ("test", "-")):
                axis.plot(
                    epochs,
                    [e[f"{part}_{key}"] for e in row["epochs"]],
                    style,
                    color=colour,
                    marker="o" if part == "test" else "s",
                    markersize=4,
                    label=f"{row['model']}, {part}",
                )
    data, config = result["dataset"], result["config"]
    for axis, key in ((acc_ax, "accuracy"), (loss_ax, "cross-entropy loss")):
        axis.set_xlabel("epoch")
        axis.set_ylabel(key)
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=8)
        if config["epochs"] <= 20:
            axis.set_xticks(range(1, config["epochs"] + 1))
    acc_ax.set_ylim(0.0, 1.0)
    acc_ax.axhline(1 / len(data["classes"]), color="gray", linewidth=0.8, linestyle=":")
    acc_ax.set_title("accuracy (dotted: chance)")
    loss_ax.set_title("loss")
    fig.suptitle(
        f"{data['name']}: {data['train']:,} training / {data['test']:,} test images, "
        f"{config['optimizer']} lr {config['lr']:g}, batch {config['batch_size']}, "
        f"seed {config['seed']}",
        fontsize=10,
    )
    return fig


def save_learning_curves(result: dict[str, Any], path: str | Path) -> Path:
    """Draw :func:`learning_curves` and save it as a PNG at ``path`` (folders created)."""
    from ..plotting.style import save

    return save(learning_curves(result), Path(path))
