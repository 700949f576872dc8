"""House rules that code review would otherwise have to remember."""

from __future__ import annotations

import ast
from pathlib import Path

from haechi.config import Settings

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "haechi"


def python_files() -> list[Path]:
    return [p for p in SRC.rglob("*.py") if "migrations/versions" not in p.as_posix()]


def test_modules_stay_under_300_lines() -> None:
    long = {
        p.relative_to(ROOT).as_posix(): n
        for p in python_files()
        if (n := len(p.read_text().splitlines())) > 300
    }
    assert long == {}


def test_functions_stay_under_40_lines() -> None:
    long: dict[str, int] = {}
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 40:
                    long[f"{path.relative_to(ROOT).as_posix()}:{node.name}"] = length
    assert long == {}


def test_every_module_says_why_it_exists() -> None:
    missing = [
        p.relative_to(ROOT).as_posix()
        for p in python_files()
        if ast.get_docstring(ast.parse(p.read_text())) is None
    ]
    assert missing == []


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    undocumented = [
        name for name in Settings.model_fields if f"HAECHI_{name.upper()}" not in readme
    ]
    assert undocumented == []
