"""The domain is pure (design principle 1): standard library only, and it never reads the clock.

Walks ``src/hsgclinic/domain/*.py`` with :mod:`ast`. The checks are run on small bad snippets too, so they
are known to be able to fail.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import hsgclinic.domain

DOMAIN_DIR = Path(hsgclinic.domain.__file__).parent
DOMAIN_FILES = sorted(DOMAIN_DIR.glob("*.py"))
ALLOWED_PACKAGE = "hsgclinic.domain"

CLOCK_ATTRIBUTES = {"today", "now", "utcnow"}  # date.today(), datetime.now(), datetime.utcnow()
TIME_FUNCTIONS = {"time", "time_ns", "monotonic", "monotonic_ns", "perf_counter", "localtime", "gmtime", "ctime"}


def _module_of(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # relative import inside the domain package
        base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
        return [f"{base}.{node.module}" if node.module else base]
    return [node.module or ""]


def foreign_imports(tree: ast.AST, package: str = ALLOWED_PACKAGE) -> list[str]:
    """Imported modules that are neither standard library nor part of the domain package."""
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for module in _module_of(node, package):
                top = module.split(".")[0]
                if module == package or module.startswith(package + "."):
                    continue
                if top in sys.stdlib_module_names:
                    continue
                bad.append(module)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "__import__":
            bad.append("__import__(...)")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "import_module":
            bad.append("importlib.import_module(...)")
    return bad


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return "?"


def clock_reads(tree: ast.AST) -> list[str]:
    """Calls that read the clock: X.today(), X.now(), X.utcnow(), time.time() & co, or time() imported bare."""
    bare_time = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "time"
        for alias in node.names
        if alias.name in TIME_FUNCTIONS
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute):
            base = _dotted(func.value)
            if func.attr in CLOCK_ATTRIBUTES or (base.split(".")[-1] == "time" and func.attr in TIME_FUNCTIONS):
                found.append(f"{base}.{func.attr}() at line {node.lineno}")
        elif isinstance(func, ast.Name) and func.id in bare_time:
            found.append(f"{func.id}() at line {node.lineno}")
    return found


def _parse(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_the_domain_has_modules_to_check() -> None:
    assert len(DOMAIN_FILES) >= 10


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=[p.name for p in DOMAIN_FILES])
def test_domain_module_imports_only_the_standard_library(path: Path) -> None:
    """Every import in the domain is from the standard library or hsgclinic.domain."""
    assert foreign_imports(_parse(path)) == []


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=[p.name for p in DOMAIN_FILES])
def test_domain_module_never_reads_the_clock(path: Path) -> None:
    """No date.today(), datetime.now(), time.time(): time is an argument."""
    assert clock_reads(_parse(path)) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import holidays", ["holidays"]),
        ("from hsgclinic.services import booking", ["hsgclinic.services"]),
        ("from hsgclinic import config", ["hsgclinic"]),
        ("from ..calendar_source import build_calendar", ["hsgclinic.calendar_source"]),
        ("import importlib\nimportlib.import_module('sqlalchemy')", ["importlib.import_module(...)"]),
        ("import datetime as dt\nfrom collections.abc import Mapping\nfrom .rules import Rules", []),
        ("from hsgclinic.domain.rules import Rules", []),
    ],
)
def test_import_checker_catches_foreign_imports(source: str, expected: list[str]) -> None:
    assert foreign_imports(ast.parse(source)) == expected


@pytest.mark.parametrize(
    ("source", "count"),
    [
        ("import datetime as dt\ndt.date.today()", 1),
        ("from datetime import datetime\ndatetime.now()", 1),
        ("import datetime\ndatetime.datetime.utcnow()", 1),
        ("import time\ntime.time()", 1),
        ("from time import monotonic as m\nm()", 1),
        ("import datetime as dt\ndt.date(2026, 1, 1)\ndt.datetime.combine(dt.date(2026, 1, 1), dt.time(7))", 0),
    ],
)
def test_clock_checker_catches_clock_reads(source: str, count: int) -> None:
    assert len(clock_reads(ast.parse(source))) == count
