"""Explicit padding of NCHW arrays with PyTorch's four ``padding_mode`` meanings.

=============  ==========================  ===============  ==================
padding_mode   value of a padded pixel     ``numpy.pad``    example, pad 2
=============  ==========================  ===============  ==================
``zeros``      0                           ``constant``     ``0 0 | a b c d | 0 0``
``reflect``    mirror, edge not repeated   ``reflect``      ``c b | a b c d | c b``
``replicate``  nearest edge pixel          ``edge``         ``a a | a b c d | d d``
``circular``   wrap around (periodic)      ``wrap``         ``c d | a b c d | a b``
=============  ==========================  ===============  ==================

``reflect`` needs each pad smaller than the axis, ``circular`` at most the axis, as in PyTorch;
the functional layer checks that before calling :func:`pad`.
"""

from __future__ import annotations

import numpy as np

from ._args import Pads

_NUMPY_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad(x: np.ndarray, pads: Pads, mode: str = "zeros") -> np.ndarray:
    """Pad the last two axes of ``x`` (shape ``(N, C, H, W)``).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    pads : ((top, bottom), (left, right))
    mode : {"zeros", "reflect", "replicate", "circular"}

    Returns
    -------
    ndarray, shape (N, C, H + top + bottom, W + left + right)
        A new C-contiguous array; ``x`` is not modified.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(4.0).reshape(1, 1, 1, 4)
    >>> pad(x, ((0, 0), (2, 2)), "reflect")[0, 0, 0]
    array([2., 1., 0., 1., 2., 3., 2., 1.])
    >>> pad(x, ((0, 0), (2, 2)), "circular")[0, 0, 0]
    array([2., 3., 0., 1., 2., 3., 0., 1.])
    """
    widths = ((0, 0), (0, 0), tuple(pads[0]), tuple(pads[1]))
    return np.ascontiguousarray(np.pad(x, widths, mode=_NUMPY_MODE[mode]))
