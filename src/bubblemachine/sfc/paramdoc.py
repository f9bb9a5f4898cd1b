"""``docs/parameters.md``, generated from the shipped models' parameter records.

Regenerate with ``python -m bubblemachine.sfc.paramdoc [OUT]`` (default ``docs/parameters.md``
of the source tree). A test parses the file back and compares every row with the models
(numbers as numbers), so the document cannot drift from the defaults files.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bubblemachine.sfc.model import Model, list_shipped_models, load_model
from bubblemachine.sfc.parameters import Parameter, list_parameters
from bubblemachine.sfc.units import unit_label

HEADER = """# Parameters of the shipped models

Generated from the models' defaults files (the `[parameters]` and `[exogenous]` records, see
`docs/model-language.md`, "Parameter records") by `python -m bubblemachine.sfc.paramdoc`; do
not edit by hand (a test compares this file with the models). The same records are printed by
`bubblemachine models params MODEL` (table, JSON or CSV; `--lang ko` for Korean headers and
units) and shown by `Model.describe()`.

- **range**: the values `--set`, `--grid`, scenario shocks and uncertain draws may use
  (inclusive); anything outside is an error naming the parameter, the value, the range and the
  file and line below.
- **mechanism**: ids of `MECHANISMS.md` (M: mechanism, C: claim) or the model's attribution
  groups (for the AI model, `fundamentals` and `noise`).
- **unit** and **단위** (its Korean label): the vocabulary of `bubblemachine.sfc.units`.
"""


def _num(x: float) -> str:
    return f"{x:.10g}" if x == x and abs(x) != float("inf") else ("inf" if x > 0 else "-inf")


def _value(p: Parameter) -> str:
    if isinstance(p.value, tuple):
        return "path: " + ", ".join(_num(v) for v in p.value)
    return _num(p.value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "-"


def _range(p: Parameter) -> str:
    return "-" if p.range is None else f"{_num(p.range[0])} .. {_num(p.range[1])}"


def _table(rows: list[Parameter]) -> list[str]:
    out = ["| name | kind | value | unit | 단위 | range | mechanism | doc | source | defined at |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for p in rows:
        out.append("| " + " | ".join([
            f"`{p.name}`", p.kind, _value(p), _cell(p.unit), _cell(unit_label(p.unit, "ko")), _range(p),
            _cell(", ".join(p.mechanism)),
            _cell(p.doc), _cell(p.source), _cell(f"{p.where}"),
        ]) + " |")
    return out


def model_section(m: Model) -> str:
    """The markdown section of one model: one table per mechanism (first listed)."""
    rows = list_parameters(m)
    lines = [f"## {m.name}", "", m.description or "", "",
             f"{len(rows)} parameters and exogenous inputs"
             + (", grouped by the first mechanism each belongs to." if any(p.mechanism for p in rows) else "."), ""]
    labels = m.attribution.labels("en")
    groups: dict[str, list[Parameter]] = {}
    for p in rows:
        groups.setdefault(p.mechanism[0] if p.mechanism else "", []).append(p)
    for mech, ps in groups.items():
        if mech:
            title = f"{mech}: {labels[mech]}" if mech in labels else mech
            lines += [f"### {m.name} / {title}", ""]
        lines += _table(ps) + [""]
    return "\n".join(lines)


def render(models: list[Model] | None = None) -> str:
    """The whole document (every shipped model, the AI model first)."""
    if models is None:
        names = [info["name"] for info in list_shipped_models()]
        names.sort(key=lambda n: (n != "ai_liquidity", n))
        models = [load_model(n) for n in names]
    return HEADER + "\n" + "\n".join(model_section(m) for m in models)


def default_path() -> Path:
    """``docs/parameters.md`` of the source tree this package lives in."""
    return Path(__file__).resolve().parents[3] / "docs" / "parameters.md"


def main(argv: list[str] | None = None) -> Path:
    from bubblemachine._io import atomic_write_text

    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else default_path()
    atomic_write_text(out, render())
    return out


if __name__ == "__main__":  # python -m bubblemachine.sfc.paramdoc [OUT]
    print(main())
