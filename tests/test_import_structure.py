"""The package's module structure, checked by walking every module's imports (no import needed).

* No import circles: the graph of ``bubblemachine`` modules, with an edge for every import
  (at module level or inside a function; imports under ``if TYPE_CHECKING:`` do not run and
  are left out), has no cycle. ``from pkg import name`` is an edge to ``pkg.name`` when that is
  a module, else to ``pkg`` (its ``__init__``).
* Nothing outside ``bubblemachine.cli`` imports the command line (``__main__`` excepted).
* No private name (``_x``, not dunder) of one module is used by another: neither
  ``from m import _x`` nor ``m._x`` (package-private *modules* such as ``_io`` are allowed).
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import bubblemachine

ROOT = Path(bubblemachine.__file__).resolve().parent

#: Circles outside the engine's rooms, reported to their owners; the test fails when one is
#: gone (remove it here) and for any circle not listed.
KNOWN_CIRCLES: dict[frozenset[str], str] = {}


def _modules() -> dict[str, Path]:
    out = {}
    for f in ROOT.rglob("*.py"):
        parts = list(f.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = f
    return out


MODULES = _modules()


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test):
            skip.update(id(c) for c in ast.walk(n))
    return skip


def _target(name: str) -> str:
    while name not in MODULES:
        name = name.rsplit(".", 1)[0]
    return name


@functools.cache
def _edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    for m, f in MODULES.items():
        tree = ast.parse(f.read_text(encoding="utf-8"))
        skip = _type_checking_nodes(tree)
        package = m if f.name == "__init__.py" else m.rsplit(".", 1)[0]
        for n in ast.walk(tree):
            if id(n) in skip:
                continue
            if isinstance(n, ast.Import):
                edges[m].update(_target(a.name) for a in n.names if a.name.startswith("bubblemachine"))
            elif isinstance(n, ast.ImportFrom):
                if n.level:
                    base = package.split(".")[: len(package.split(".")) - (n.level - 1)]
                    mod = ".".join([*base, n.module] if n.module else base)
                else:
                    mod = n.module or ""
                if mod.startswith("bubblemachine"):
                    for a in n.names:
                        full = f"{mod}.{a.name}"
                        edges[m].add(full if full in MODULES else _target(mod))
        edges[m].discard(m)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components with more than one module (the engine's Tarjan)."""
    from bubblemachine.sfc.compiler import strongly_connected_components

    comps = strongly_connected_components(sorted(edges), {m: sorted(ts) for m, ts in edges.items()})
    return [frozenset(c) for c in comps if len(c) > 1]


def test_the_walk_sees_the_imports():
    edges = _edges()
    assert len(MODULES) > 60
    assert "bubblemachine.sfc.compiler" in edges["bubblemachine.sfc.run"]
    assert "bubblemachine.errors" in edges["bubblemachine.sfc.spec"]
    # a lazy import inside a function counts
    assert "bubblemachine.sfc.run" in edges["bubblemachine.sfc.simulation"]
    # and the cycle finder finds a planted cycle
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset({"a", "b", "c"})]


def test_no_import_circles():
    found = set(_cycles(_edges()))
    unexpected = [sorted(c) for c in found if c not in KNOWN_CIRCLES]
    assert not unexpected, f"import circles: {unexpected}"
    gone = [KNOWN_CIRCLES[c] for c in KNOWN_CIRCLES if c not in found]
    assert not gone, f"fixed, remove from KNOWN_CIRCLES: {gone}"


def test_nothing_outside_the_cli_imports_the_cli():
    edges = _edges()
    bad = sorted(f"{m} -> {t}" for m, ts in edges.items() for t in ts
                 if t.startswith("bubblemachine.cli") and not m.startswith("bubblemachine.cli")
                 and m != "bubblemachine.__main__")
    assert not bad, bad


#: Private names still used across modules, by owner; the test fails when one is fixed.
KNOWN_PRIVATE: dict[str, str] = {}


def test_no_private_names_across_modules():
    bad = []
    for m, f in MODULES.items():
        tree = ast.parse(f.read_text(encoding="utf-8"))
        aliases: dict[str, str] = {}
        for n in ast.walk(tree):
            if isinstance(n, ast.ImportFrom) and n.module and n.module.startswith("bubblemachine"):
                for a in n.names:
                    full = f"{n.module}.{a.name}"
                    if full in MODULES:
                        aliases[a.asname or a.name] = full
                    elif a.name.startswith("_") and not a.name.startswith("__"):
                        bad.append(f"{m}: from {n.module} import {a.name}")
            elif isinstance(n, ast.Import):
                for a in n.names:
                    if a.name.startswith("bubblemachine") and a.asname:
                        aliases[a.asname] = a.name
        for n in ast.walk(tree):
            if (isinstance(n, ast.Attribute) and n.attr.startswith("_") and not n.attr.startswith("__")
                    and isinstance(n.value, ast.Name) and aliases.get(n.value.id, m) != m):
                bad.append(f"{m}: {n.value.id}.{n.attr}")
    assert not [b for b in bad if b not in KNOWN_PRIVATE], bad
    assert not [k for k in KNOWN_PRIVATE if k not in bad], "fixed: remove from KNOWN_PRIVATE"


#: Error classes still defined outside errors.py, by owner; the test fails when one moves.
KNOWN_ERRORS: dict[str, str] = {}


def test_every_error_class_is_defined_in_errors_py():
    """User-facing errors live in one module (re-exported where they are raised)."""
    errors = {n.name for n in ast.walk(ast.parse(MODULES["bubblemachine.errors"].read_text(encoding="utf-8")))
              if isinstance(n, ast.ClassDef)}
    assert {"BubbleMachineError", "RunOptionError", "LanguageLimitError", "ReportError"} <= errors
    bad = []
    for m, f in MODULES.items():
        if m == "bubblemachine.errors":
            continue
        for n in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            bases = {b.id if isinstance(b, ast.Name) else b.attr for b in getattr(n, "bases", ())
                     if isinstance(b, (ast.Name, ast.Attribute))}
            if isinstance(n, ast.ClassDef) and bases & errors:
                bad.append(f"{m}: class {n.name}({', '.join(sorted(bases))})")
    assert not [b for b in bad if b not in KNOWN_ERRORS], bad
    assert not [k for k in KNOWN_ERRORS if k not in bad], "moved: remove from KNOWN_ERRORS"
