"""Regenerate the series table of ``docs/data.md`` from the catalogue and the snapshot.

Usage::

    .venv/bin/python scripts/gen_data_doc.py          # rewrite docs/data.md in place
    .venv/bin/python scripts/gen_data_doc.py --check  # exit 1 if docs/data.md is stale

The table sits between the markers ``<!-- series-table:start -->`` and
``<!-- series-table:end -->``; everything else in the file is left alone.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "data.md"
START = "<!-- series-table:start -->"
END = "<!-- series-table:end -->"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _publisher(text: str) -> str:
    """The publisher without the snapshot's provenance remarks in parentheses."""
    short = text.split(" (")[0]
    return short if short else text


def table() -> str:
    sys.path.insert(0, str(ROOT / "src"))
    from bubblemachine.data.catalog import catalog
    from bubblemachine.data.store import snapshot_manifest

    manifest = snapshot_manifest()["series"]
    lines = [
        "| id | title | units | freq | snapshot span | live source | publisher |",
        "|---|---|---|---|---|---|---|",
    ]
    groups = {"fred": [], "yahoo": [], "": []}
    for sid, spec in sorted(catalog().items()):
        groups[spec.live.partition(":")[0]].append((sid, spec))
    for key in ("fred", "yahoo", ""):
        for sid, spec in groups[key]:
            m = manifest.get(sid, {})
            span = f"{m.get('first', '?')} .. {m.get('last', '?')}"
            live = f"`{spec.live}`" if spec.live else "none (import only)"
            lines.append(
                f"| `{sid}` | {_cell(spec.title)} | {_cell(spec.units)} | {spec.frequency} | {span} | "
                f"{live} | {_cell(_publisher(spec.publisher))} |"
            )
    counts = {k: len(v) for k, v in groups.items()}
    lines.append("")
    lines.append(
        f"{sum(counts.values())} series: {counts['fred']} refreshed from FRED, {counts['yahoo']} from "
        f"Yahoo Finance, {counts['']} with no live source."
    )
    return "\n".join(lines)


def render(text: str) -> str:
    if START not in text or END not in text:
        raise SystemExit(f"{DOC}: markers {START} / {END} not found")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/data.md is out of date")
    args = parser.parse_args()
    old = DOC.read_text(encoding="utf-8")
    new = render(old)
    if args.check:
        if new != old:
            print(f"{DOC} is stale: run python scripts/gen_data_doc.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
