"""Animations of every convolution family, in the spirit of the convolution-arithmetic guide
(Dumoulin & Visin): the window sliding over a padded input, each output cell filling with
the number refconv computes; depthwise kernels one per channel; pointwise mixing channels;
``K x 1`` then ``1 x K``; im2col assembling its matrix, then the GEMM.

=========  ==================================================================================
module     what it holds
=========  ==================================================================================
frames     the data: :class:`Geometry`, :class:`Panel`, :class:`Frame`, :class:`Animation`;
           the frame-count rule (:func:`frame_count`), the limits and their checks
build      :func:`build`: the arrays (computed by refconv), the panels and every frame
render     :func:`write_gif`: the board drawn on a Figure, the frames blitted, the GIF written
=========  ==================================================================================

``refconv animate`` is the command line. In Python:

>>> from refconv.plotting.animation import EXAMPLES, build
>>> anim = build(EXAMPLES["depthwise"])  # 2 channels, multiplier 2, 5x5 input, 3x3 kernels
>>> len(anim.frames), anim.output().shape  # one frame per output pixel; 2 x 2 channels
(9, (4, 3, 3))

``write_gif(anim, "depthwise.gif", fps=2)`` writes it. Importing this package does not import
matplotlib (``write_gif`` does, when first used): ``refconv animate --help`` stays quick.
"""

from .build import build
from .frames import (
    EXAMPLES,
    FAMILIES,
    LIMITS,
    Animation,
    Frame,
    Geometry,
    GeometryError,
    Panel,
    frame_count,
    layout,
    problems,
)

__all__ = [
    "EXAMPLES",
    "FAMILIES",
    "LIMITS",
    "Animation",
    "Frame",
    "Geometry",
    "GeometryError",
    "Panel",
    "build",
    "frame_count",
    "layout",
    "problems",
    "write_gif",
]


def __getattr__(name: str) -> object:
    """``write_gif``, imported on first use (it imports matplotlib)."""
    if name == "write_gif":
        from .render import write_gif

        return write_gif
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
