"""Training with refconv's own backward passes: the loop, the notebook's experiment, its curves.

==============  =============================================================================
``loop``        one training step (zero_grad, forward, backward, step), :func:`train_epoch`,
                :func:`evaluate` (inference mode), :func:`fit` (epochs, tqdm progress)
``experiment``  the CIFAR-10 notebook's comparison -- standard CNN vs separable CNN, same
                data, same seed -- as JSON data and the final table (``refconv train``)
``figure``      the learning curves, drawn on a matplotlib ``Figure``
==============  =============================================================================

``refconv train`` (:mod:`refconv.cli.train`) is the command line over these;
``docs/training.md`` derives the backward passes and shows the experiment's numbers.
"""

from .experiment import (
    MODELS,
    OPTIMIZERS,
    format_epochs,
    format_table,
    make_optimizer,
    run_experiment,
    without_timings,
)
from .loop import Epoch, History, accuracy, evaluate, fit, train_epoch

__all__ = [
    "MODELS",
    "OPTIMIZERS",
    "Epoch",
    "History",
    "accuracy",
    "evaluate",
    "fit",
    "format_epochs",
    "format_table",
    "make_optimizer",
    "run_experiment",
    "train_epoch",
    "without_timings",
]
