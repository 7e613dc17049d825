"""Padding conventions of PyTorch, TensorFlow/Keras, ONNX, scipy.signal and scipy.ndimage, side
by side, each measured or checked where the library is installed: what docs/algorithms.md quotes.

Every pad is written ``(before, after)``: rows added at the top / columns at the left, then at
the bottom / right. Four sections, one module each:

==================  ===========================================================================
module              section
==================  ===========================================================================
``formulas``        1. explicit pads and output sizes for several (H, k, s, d): PyTorch's
                    symmetric int padding, PyTorch ``padding='same'``, TensorFlow/ONNX
                    ``SAME_UPPER``, ONNX ``SAME_LOWER``, and what refconv makes of ``"same"``
``scipy_same``      2. where scipy's ``mode='same'`` puts the window, *measured* by running
                    scipy and finding the zero padding that reproduces its output
``boundary_modes``  3. scipy.ndimage boundary modes next to PyTorch's ``padding_mode`` names,
                    measured the same way
``torch_checks``    4. PyTorch itself, when ``torch`` is given (skipped otherwise)
==================  ===========================================================================

``python scripts/padding_conventions.py`` prints :func:`report`.
"""

from __future__ import annotations

from types import ModuleType

from . import boundary_modes, formulas, scipy_same, torch_checks

__all__ = ["boundary_modes", "formulas", "report", "scipy_same", "torch_checks"]


def report(torch: ModuleType | None = None) -> str:
    """The four sections, a blank line apart (no newline at the end).

    Parameters
    ----------
    torch : module or None
        PyTorch, for section 4; ``None`` prints that it was skipped.
    """
    return "\n\n".join(
        [
            formulas.pad_table(formulas.pad_rows()),
            scipy_same.table(scipy_same.measure()),
            boundary_modes.table(boundary_modes.measure()),
            torch_checks.table(None if torch is None else torch_checks.measure(torch)),
        ]
    )
