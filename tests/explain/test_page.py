"""refconv.explain.page: the printed lines of a worked example, kept as data."""

from __future__ import annotations

import numpy as np
import pytest

from refconv.explain.page import (
    Array,
    Check,
    Text,
    array,
    array_lines,
    checks,
    failed,
    header,
    render,
    text,
)


def test_render_every_kind_of_item() -> None:
    items = [
        *header("1. a title"),
        Text("shapes: x (2, 2)"),
        Array("x", np.array([[1.0, -2.0], [3.0, 40.0]])),
        Check("holds", np.bool_(True)),
        Check("does not", False),
        Text("from PyTorch", torch=True),
        Check("F.conv2d == refconv", True, torch=True),
    ]
    assert render(items) == "\n".join(
        [
            "",
            "== 1. a title",
            "shapes: x (2, 2)",
            "x =",
            "    [[ 1 -2]",
            "     [ 3 40]]",
            "holds: True",
            "does not: False",
            "[torch] from PyTorch",
            "[torch] F.conv2d == refconv: True",
        ]
    )
    assert [c.label for c in checks(items)] == ["holds", "does not", "F.conv2d == refconv"]
    assert failed(items) == ["does not"]


def test_check_stores_a_plain_bool() -> None:
    check = Check("x", np.bool_(False))
    assert check.ok is False


def test_array_lines_of_a_vector_and_a_float_array() -> None:
    assert array_lines("v", np.array([-8.0, 12.0])) == ["v =", "    [-8 12]"]
    assert array_lines("s", 3) == ["s =", "    3"]


def test_lookups() -> None:
    items = [Array("y[0]", np.eye(2)), Text("right: 1"), Text("wrong: 2"), Array("y[0]", np.eye(3))]
    with pytest.raises(KeyError, match="2 arrays are called 'y\\[0\\]'"):
        array(items, "y[0]")
    with pytest.raises(KeyError, match="0 arrays"):
        array(items, "z")
    assert array(items[:1], "y[0]").shape == (2, 2)
    assert text(items, "right") == "right: 1"
    with pytest.raises(KeyError, match="0 lines start with 'left'"):
        text(items, "left")
