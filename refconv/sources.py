"""The five articles refconv checks, and the names refconv calls them by.

refconv was built to let readers of these articles check what they say: every number,
formula and code listing in them is recomputed by refconv (``refconv count`` prints the
checks; ``docs/sources.md`` lists them and ``docs/errata.md`` what they get wrong). Four are
Chinese articles; one is the Chinese translation of an English one. Outputs and docs name
them by :attr:`Source.short` ("the TDS introduction"), never by a file number.

>>> SOURCES["tds"].short
'the TDS introduction'
>>> [s.key for s in SOURCES.values()]
['block', 'tds', 'efficient', 'pytorch', 'notebook']
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """One article: its key, the short name used in outputs, its title and what it has."""

    key: str
    short: str
    title: str
    title_en: str
    language: str
    origin: str
    code: str


SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source(
            "block",
            "the separable-block note",
            "分离卷积块 (Separable Convolution Block)",
            "Separable convolution block",
            "Chinese",
            "a study note (Obsidian, 2024)",
            "Keras: a 3x1 then 1x3 Conv2D block with BatchNormalization",
        ),
        Source(
            "tds",
            "the TDS introduction",
            "可分卷积的基本介绍",
            "A Basic Introduction to Separable Convolutions (Chi-Feng Wang, Towards Data Science)",
            "Chinese translation of an English article",
            "Towards Data Science, 2018",
            "none: the 12x12x3 image, 5x5 kernels and 256 outputs worked by hand",
        ),
        Source(
            "efficient",
            "the efficient-convolution article",
            "深度可分离卷积：高效的卷积操作",
            "Depthwise separable convolution: an efficient convolution operation",
            "Chinese",
            "a long-form blog article",
            "PyTorch: a DepthwiseSeparableConv module; MobileNet's costs",
        ),
        Source(
            "pytorch",
            "the PyTorch comparison",
            "深度可分离卷积与空间可分离卷积",
            "Depthwise and spatially separable convolutions (with thop counts)",
            "Chinese",
            "a blog summary",
            "PyTorch: three small networks counted with thop",
        ),
        Source(
            "notebook",
            "the CIFAR-10 notebook",
            "深度可分离卷积 (Depthwise Separable Convolution)",
            "Depthwise separable convolution: a standard and a separable CNN on CIFAR-10",
            "Chinese",
            "a Jupyter notebook with notes",
            "Keras: a standard and a SeparableConv2D network trained on CIFAR-10",
        ),
    )
}
