"""The README's Layout section is true: it names every folder and module of the package, in
an order where imports only point down the list, and no module imports another's private
helpers."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "refconv"
ENTRY = re.compile(r"^refconv/(\w+)(/|\.py)\s")


def layout_order() -> list[str]:
    """The package's folders and modules as the README's Layout lists them, top to bottom."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Layout") :]
    section = section[: section.index("\n## ", 1)]
    return [m.group(1) for line in section.splitlines() if (m := ENTRY.match(line))]


def top_level(module: str) -> str | None:
    """``refconv.nn.conv`` -> ``nn``; ``refconv`` itself -> None."""
    parts = module.split(".")
    return parts[1] if parts[0] == "refconv" and len(parts) > 1 else None


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(absolute module, names) of every ``import`` / ``from ... import`` in a file."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    if path.name == "__init__.py":
        package = package.rsplit(".", 1)[0] + ".__init__"
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: -node.level]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
    return found


def test_the_layout_names_every_folder_and_module_once():
    order = layout_order()
    listed = sorted(order)
    present = sorted(
        p.stem if p.suffix == ".py" else p.name
        for p in PACKAGE.iterdir()
        if (p.suffix == ".py" and p.name not in ("__init__.py", "__main__.py"))
        or (p.is_dir() and (p / "__init__.py").exists())
    )
    assert listed == present
    assert len(set(order)) == len(order)


def test_imports_point_down_the_layout():
    order = layout_order()
    rank = {name: i for i, name in enumerate(order)}
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = top_level(".".join(path.relative_to(ROOT).with_suffix("").parts))
        if here is None or here not in rank:  # refconv/__init__.py and __main__.py
            continue
        for module, names in imports(path):
            targets = {top_level(module)}
            if module == "refconv":  # from refconv import nn, grad, ...
                targets = {name for name in names if name in rank}
            for target in targets - {None, here}:
                if target in rank and rank[target] < rank[here]:
                    upward.append(f"{path.relative_to(ROOT)} imports refconv.{target}")
    assert not upward, "imports that point up the README's Layout:\n" + "\n".join(upward)


def test_no_module_imports_another_modules_private_helpers():
    private = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for module, names in imports(path):
            if not module.startswith("refconv") or module == here:
                continue
            for name in names:
                if name.startswith("_") and not name.startswith("__"):
                    private.append(f"{path.relative_to(ROOT)}: from {module} import {name}")
    assert not private, "\n".join(private)
