"""Where every mechanism of the catalogue lives in a model directory: file:line of its equations.

Usage::

    .venv/bin/python scripts/mechanism_table.py [MODEL_DIR] [--catalogue MECHANISMS.md]

Prints a Markdown table, one row per M-item of the catalogue (``M1.1`` ... ``M7.7``): the
equations (``file:line name``) whose comment block or ``doc`` cites the id, and the parameters
whose record names it (``mechanism = "M4.1"``). A comment cites the ids for the equations that
follow it until the next blank line; a parameter cites only the ids of its record's
``mechanism``. Items nothing cites are listed as MISSING. The issue's mechanism table in
``docs/ai-model.md`` adds, per item, the flows it moves and its size on a named scenario.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ID = re.compile(r"\bM\d+\.\d+\b")
RANGE = re.compile(r"\bM(\d+)\.(\d+)\s*[-–]\s*M?(\d+)\.(\d+)\b")
EQ = re.compile(r'^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(".*"|\{.*\})')


def ids_in(text: str) -> set[str]:
    """Mechanism ids cited in a text, ranges (``M4.1-M4.5``) expanded."""
    out = set(ID.findall(text))
    for a, b, c, d in RANGE.findall(text):
        if a == c or c == b:  # M4.1-M4.5 or M4.1-4.5
            major = a
            for minor in range(int(b), int(d) + 1):
                out.add(f"M{major}.{minor}")
    return out


def scan(model_dir: Path) -> dict[str, list[str]]:
    """M-id -> ["file:line name", ...] for equations and parameters citing it."""
    found: dict[str, list[str]] = {}
    for f in sorted(model_dir.glob("*.toml")):
        table = ""
        context: set[str] = set()
        for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), start=1):
            s = line.strip()
            if s.startswith("["):
                table, context = s, set()
                continue
            if not s:
                context = set()
                continue
            if s.startswith("#"):
                context = context | ids_in(s)
                continue
            m = EQ.match(s)
            if not m:
                continue
            name, body = m.group(1), m.group(2)
            kind = "param" if table in ("[parameters]", "[exogenous]") else "eq"
            if kind == "param":  # a record names its mechanisms; section comments do not count
                mech = re.search(r'mechanism\s*=\s*(\[[^\]]*\]|"[^"]*")', body)
                cited = ids_in(mech.group(1)) if mech else set()
            else:
                cited = set(context) | ids_in(body)
            for mid in cited:
                found.setdefault(mid, []).append(f"{f.name}:{i} {name}" + (" (param)" if kind == "param" else ""))
    return found


def catalogue(path: Path) -> list[tuple[str, str]]:
    """(id, first line of its description) for every M-item of MECHANISMS.md."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^- (M\d+\.\d+) (.*)", line)
        if m:
            out.append((m.group(1), m.group(2)[:90]))
    return out


def main(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Where every M-item of the catalogue lives in a model directory.")
    ap.add_argument("model_dir", nargs="?", default=str(Path(__file__).resolve().parents[1] / "src/bubblemachine/models/ai_liquidity"))
    ap.add_argument("--catalogue", default="../shared/MECHANISMS.md")
    a = ap.parse_args(argv)
    cat = Path(a.catalogue)
    found = scan(Path(a.model_dir))
    print("| id | mechanism | equations and parameters (file:line) |")
    print("|---|---|---|")
    for mid, text in catalogue(cat):
        where = found.get(mid)
        cell = "MISSING" if not where else ", ".join(f"`{w}`" for w in where[:12]) + (f" (+{len(where) - 12} more)" if len(where) > 12 else "")
        print(f"| {mid} | {text} | {cell} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
