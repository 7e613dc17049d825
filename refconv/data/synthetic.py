"""The default dataset: ten classes of 32x32 colour images that only their *shape* tells apart.

Each image is one pattern drawn at a random place, size and angle, in two random colours
(either may be the lighter one), on a background with a random brightness gradient, with
Gaussian noise, then rounded to 8 bits -- stored as CIFAR-10 stores its images:
``uint8 (N, 32, 32, 3)`` and integer labels. The classes:

====  =================  ====================================================================
 0    ``horizontal``     stripes at 0° (± 12°), period 4 to 8 pixels, in a round window
 1    ``vertical``       the same at 90°
 2    ``diagonal``       the same at 45°
 3    ``antidiagonal``   the same at 135°
 4    ``plaid``          both diagonals at once (a soft checkerboard), same window
 5    ``disc``           a filled disc
 6    ``ring``           a circle's outline
 7    ``square``         a square's outline
 8    ``plus``           a plus sign
 9    ``cross``          an X (the plus turned 45°)
====  =================  ====================================================================

Why this design: the colours, the contrast, the noise and the background are drawn the same
way for every class, so a model that looks at the colours alone (a colour histogram) or at
pixels one by one (a linear model of the raw pixels, with random positions and phases)
learns little; the class is in how neighbouring pixels relate -- edges, their orientation,
their arrangement -- which is what a convolution's kernel measures. Classes 0-4 differ only
by orientation, which the first 3x3 layer must see; the standard convolution mixes the colour
channels *inside* each 3x3 window, the separable one (Keras ``SeparableConv2D``, depth
multiplier 1) first filters each colour channel alone with one 3x3 kernel, so the two models
can learn it differently.

Every image comes from its own random stream, ``numpy.random.SeedSequence([seed, part,
index])`` (``part`` 0 for the training set, 1 for the test set): the same seed gives the same
bytes, a smaller set is a prefix of a larger one, and the test set does not depend on the
size of the training set. Labels go round the classes (``index % 10``): every class is
equally frequent in any prefix of ten images or more.

>>> train, test = generate(seed=0, n_train=20, n_test=10)
>>> train.images.shape, train.images.dtype, train.labels[:12].tolist()
((20, 32, 32, 3), dtype('uint8'), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1])
>>> bool((generate(seed=0, n_train=20, n_test=10)[0].images == train.images).all())
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import arguments

SIZE = 32  # height = width, as CIFAR-10
SHIFT = 6.0  # the largest distance of a pattern's centre from the image's, in pixels
CLASSES = (
    "horizontal",
    "vertical",
    "diagonal",
    "antidiagonal",
    "plaid",
    "disc",
    "ring",
    "square",
    "plus",
    "cross",
)

# Pixel centres, (32, 32) each: row index (y, downwards) and column index (x).
_Y, _X = np.mgrid[0:SIZE, 0:SIZE].astype(np.float64)


@dataclass(frozen=True)
class ImageSet:
    """Images and their labels as datasets store them.

    Attributes
    ----------
    images : ndarray of uint8, shape (N, 32, 32, 3)
        Height, width, colour (the order of CIFAR-10's arrays and Keras' ``load_data``).
    labels : ndarray of int64, shape (N,)
        Class indices, ``0 <= label < 10``.
    """

    images: np.ndarray
    labels: np.ndarray


# --------------------------------------------------------------------------- the patterns
# Each returns a mask m of shape (32, 32), values in [0, 1]: 1 where the pattern's colour is,
# 0 where the background is, with a one-pixel soft edge (anti-aliasing).


def _soft(distance: np.ndarray) -> np.ndarray:
    """1 inside (distance < 0), 0 outside, a linear ramp one pixel wide across the edge."""
    mask: np.ndarray = np.clip(0.5 - distance, 0.0, 1.0)
    return mask


def _frame(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates centred on a random point up to :data:`SHIFT` pixels from the image's
    centre in each direction, (32, 32) each."""
    cy, cx = (SIZE - 1) / 2 + rng.uniform(-SHIFT, SHIFT, size=2)
    return _Y - cy, _X - cx


def _rotate(y: np.ndarray, x: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """The coordinates seen from axes turned by ``angle`` radians."""
    c, s = np.cos(angle), np.sin(angle)
    return c * y - s * x, s * y + c * x


def _wave(rng: np.random.Generator, y: np.ndarray, x: np.ndarray, degrees: float) -> np.ndarray:
    """A cosine grating across the direction ``degrees`` (0 = horizontal stripes), in [-1, 1]."""
    angle = np.deg2rad(degrees + rng.uniform(-12.0, 12.0))
    period = rng.uniform(4.0, 8.0)
    phase = rng.uniform(0.0, 2.0 * np.pi)
    # 0 degrees: the stripes run along x, so the wave runs along y.
    along = y * np.cos(angle) - x * np.sin(angle)
    wave: np.ndarray = np.cos(2.0 * np.pi * along / period + phase)
    return wave


def _window(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A round window of radius 7 to 13 at a random place: ``(mask, y, x)``."""
    radius = rng.uniform(9.0, 14.0)
    y, x = _frame(rng)
    return _soft(np.hypot(y, x) - radius), y, x


def _stripes(degrees: float) -> Callable[[np.random.Generator], np.ndarray]:
    def draw(rng: np.random.Generator) -> np.ndarray:
        window, y, x = _window(rng)
        sharpness = rng.uniform(1.0, 3.0)  # 1: a cosine; 3: nearly square stripes
        stripes = np.clip(0.5 + 0.5 * sharpness * _wave(rng, y, x, degrees), 0.0, 1.0)
        mask: np.ndarray = window * stripes
        return mask

    return draw


def _plaid(rng: np.random.Generator) -> np.ndarray:
    window, y, x = _window(rng)
    sharpness = rng.uniform(1.0, 3.0)
    # cos(a) cos(b): the product of the two diagonal gratings, a soft checkerboard.
    product = _wave(rng, y, x, 45.0) * _wave(rng, y, x, 135.0)
    mask: np.ndarray = window * np.clip(0.5 + 0.5 * sharpness * product, 0.0, 1.0)
    return mask


def _disc(rng: np.random.Generator) -> np.ndarray:
    radius = rng.uniform(6.0, 12.0)
    y, x = _frame(rng)
    return _soft(np.hypot(y, x) - radius)


def _ring(rng: np.random.Generator) -> np.ndarray:
    radius, width = rng.uniform(7.0, 13.0), rng.uniform(1.5, 3.0)
    y, x = _frame(rng)
    return _soft(np.abs(np.hypot(y, x) - radius) - width / 2)


def _square(rng: np.random.Generator) -> np.ndarray:
    half, width = rng.uniform(7.0, 12.0), rng.uniform(1.5, 3.0)
    y, x = _frame(rng)
    y, x = _rotate(y, x, np.deg2rad(rng.uniform(-12.0, 12.0)))
    box = np.maximum(np.abs(y), np.abs(x))  # the square's "radius" (Chebyshev distance)
    return _soft(np.abs(box - half) - width / 2)


def _bars(rng: np.random.Generator, degrees: float) -> np.ndarray:
    """Two bars crossing at their middles: a plus at 0 degrees, an X at 45."""
    arm, width = rng.uniform(8.0, 14.0), rng.uniform(2.0, 4.0)
    y, x = _frame(rng)
    y, x = _rotate(y, x, np.deg2rad(degrees + rng.uniform(-12.0, 12.0)))
    across = np.minimum(np.abs(y), np.abs(x))  # distance to the nearer bar's axis
    along = np.maximum(np.abs(y), np.abs(x))  # how far out along it
    return _soft(np.maximum(across - width / 2, along - arm))


_DRAW: tuple[Callable[[np.random.Generator], np.ndarray], ...] = (
    _stripes(0.0),
    _stripes(90.0),
    _stripes(45.0),
    _stripes(135.0),
    _plaid,
    _disc,
    _ring,
    _square,
    lambda rng: _bars(rng, 0.0),
    lambda rng: _bars(rng, 45.0),
)


# --------------------------------------------------------------------------- one image


def render(label: int, rng: np.random.Generator) -> np.ndarray:
    """One image of class ``label`` from the random stream ``rng``: uint8, (32, 32, 3).

    The steps, each drawn from ``rng`` in this order: the pattern's mask (place, size, angle,
    period...), the background colour, the pattern's colour (at a distance of 0.25 to 0.8
    from the background in RGB, in a random direction), a brightness gradient of up to ±0.15
    across the image, Gaussian noise of standard deviation 0.01 to 0.08; then clipped to
    [0, 1] and rounded to 0..255.

    >>> image = render(5, np.random.default_rng(0))
    >>> image.shape, image.dtype
    ((32, 32, 3), dtype('uint8'))
    """
    mask = _DRAW[label](rng)[:, :, None]  # (32, 32, 1)
    background = rng.uniform(0.1, 0.9, size=3)
    direction = rng.standard_normal(3)
    direction /= np.linalg.norm(direction)
    foreground = np.clip(background + rng.uniform(0.25, 0.8) * direction, 0.0, 1.0)
    tilt = rng.uniform(-np.pi, np.pi)
    gradient = rng.uniform(0.0, 0.15) * (np.cos(tilt) * _Y + np.sin(tilt) * _X) / (SIZE / 2)
    image = background + mask * (foreground - background)  # (32, 32, 3)
    image = image + (gradient - gradient.mean())[:, :, None]
    image = image + rng.normal(0.0, rng.uniform(0.01, 0.08), size=image.shape)
    stored: np.ndarray = np.rint(np.clip(image, 0.0, 1.0) * 255.0).astype(np.uint8)
    return stored


def _image_set(seed: int, part: int, count: int) -> ImageSet:
    images = np.empty((count, SIZE, SIZE, 3), dtype=np.uint8)  # (N, H, W, C)
    labels = np.arange(count, dtype=np.int64) % len(CLASSES)
    for index in range(count):
        rng = np.random.default_rng(np.random.SeedSequence([seed, part, index]))
        images[index] = render(int(labels[index]), rng)
    return ImageSet(images, labels)


def generate(
    seed: int = 0, n_train: int = 10_000, n_test: int = 2_000
) -> tuple[ImageSet, ImageSet]:
    """The training and test sets for ``seed``: ``(train, test)``, uint8 images (N, 32, 32, 3).

    Parameters
    ----------
    seed : int, default 0
        Any int ``>= 0``; the same seed gives the same arrays, byte for byte.
    n_train, n_test : int, default 10000 and 2000
        How many images (``n_test`` may be 0). Image ``i`` of a set is the same whatever the
        sizes asked for, so a smaller set is a prefix of a larger one.

    Returns
    -------
    (ImageSet, ImageSet)
        Labels are ``index % 10`` (:data:`CLASSES` names them).

    Examples
    --------
    >>> train, test = generate(seed=3, n_train=10, n_test=0)
    >>> train.labels.tolist(), test.images.shape
    ([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], (0, 32, 32, 3))
    """
    if not arguments.is_int(seed) or seed < 0:
        raise ValueError(f"seed must be an int >= 0; got {seed!r}")
    for value, name in ((n_train, "n_train"), (n_test, "n_test")):
        if not arguments.is_int(value) or value < 0:
            raise ValueError(f"{name} must be an int >= 0; got {value!r}")
    return _image_set(int(seed), 0, int(n_train)), _image_set(int(seed), 1, int(n_test))
