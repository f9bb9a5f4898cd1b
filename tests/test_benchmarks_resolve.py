"""The benchmark scripts still import what exists (they are run by hand, not by the suite:
a renamed function would otherwise surface only when someone measures)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _imports(path: Path) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(n, ast.ImportFrom) and n.module and n.module.startswith("bubblemachine"):
            out += [(n.module, a.name) for a in n.names]
        elif isinstance(n, ast.Import):
            out += [(a.name, None) for a in n.names if a.name.startswith("bubblemachine")]
    return out


@pytest.mark.skipif(not BENCH.is_dir(), reason="benchmarks/ not in this checkout")
@pytest.mark.parametrize("path", sorted(BENCH.glob("*.py")), ids=lambda p: p.name)
def test_benchmark_imports_resolve(path):
    for module, name in _imports(path):
        mod = importlib.import_module(module)
        if name is not None and not hasattr(mod, name):
            importlib.import_module(f"{module}.{name}")  # a submodule; raises naming it otherwise


def test_the_check_sees_a_stale_import(tmp_path):
    stale = tmp_path / "bench_x.py"
    stale.write_text("from bubblemachine.sfc.backends import close_all\n", encoding="utf-8")
    with pytest.raises(ModuleNotFoundError):
        test_benchmark_imports_resolve(stale)
