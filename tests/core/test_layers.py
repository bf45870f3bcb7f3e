"""The way dependencies point (docs/architecture.md), held by reading every module's imports:
rules/ is pure, the domain knows neither skin, and the two skins never import each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ("rules", "resettlement", "api", "workflows", "cli")
# What each package may not import (its own name aside).
FORBIDDEN = {
    "rules": {"resettlement", "api", "workflows", "cli"},
    "resettlement": {"api", "workflows", "cli"},
    "api": {"workflows", "cli"},
    "workflows": {"api", "cli"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & set(PROJECT)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_each_layer_imports_only_what_lies_beneath_it(package: str) -> None:
    breaches = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & FORBIDDEN[package])
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert {name: found for name, found in breaches.items() if found} == {}


def test_the_check_would_see_a_breach(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom api.main import app\nimport workflows.flows\n")
    assert imported_packages(module) == {"api", "workflows"}
