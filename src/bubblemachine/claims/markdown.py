"""The generated parts of ``docs/claims.md``: the verdict table and the untestable claims' needs.

``python -m bubblemachine.claims.markdown [docs/claims.md]`` replaces the text between the
markers ``<!-- claims-table:start -->`` / ``<!-- claims-table:end -->`` and
``<!-- claims-needs:start -->`` / ``<!-- claims-needs:end -->``. :func:`parse_table` reads
the table back (the docs' currency test compares its numbers with a fresh run, with a
tolerance, not as text).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bubblemachine.claims.explain import num, reason_text

if TYPE_CHECKING:  # pragma: no cover
    from bubblemachine.claims.run import ClaimsRun

START = "<!-- claims-table:start -->"
END = "<!-- claims-table:end -->"
NEEDS_START = "<!-- claims-needs:start -->"
NEEDS_END = "<!-- claims-needs:end -->"
COLUMNS = ("id", "seed", "claim", "window", "verdict", "effect [95% CI]", "units", "n", "sample", "p", "p (Holm)", "Holm survives", "decided by")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def table(run: ClaimsRun) -> str:
    """A Markdown table: one row per claim, then counts and the multiple-testing note."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in run.results:
        c, e = r.claim, r.evidence
        if e is None:
            eff = "-"
        elif c.thresholds.rule == "figure":
            eff = f"{num(e.effect)} (claimed {c.thresholds.claimed:g})"
        else:
            eff = f"{num(e.effect)} [{num(e.ci_low)}, {num(e.ci_high)}]"
        sample = f"{e.sample_start}..{e.sample_end}" if e is not None and e.sample_start else "-"
        p = e.p_value if e is not None and c.thresholds.rule != "figure" else None
        window = f"{c.window.kind} {c.window.start}..{c.window.end or ''}".rstrip(".") if c.window.kind == "fixed" else f"open from {c.window.start}"
        holm = "-" if r.holm_survives is None else ("yes" if r.holm_survives else "no")
        cells = (c.id, c.seed, c.short_en, window, f"**{r.verdict.value}**", eff, c.units, str(e.n if e else 0), sample, num(p),
                 num(r.p_holm), holm, reason_text(r, "en"))  # fmt: skip
        lines.append("| " + " | ".join(_cell(x) for x in cells) + " |")
    counts = ", ".join(f"{v} {k}" for k, v in run.counts().items() if v)
    sig = run.significance()
    asof = "all data; the snapshot ends 2025-11-14" if run.asof is None else f"data known on {run.asof:%Y-%m-%d}"
    lines += [
        "",
        f"{len(run.results)} claims ({asof}): {counts}. Multiple testing: {sig['tests']} tests carry a p-value; "
        f"significant at 5%: {sig['raw']} before adjustment, {sig['holm']} after Holm, {sig['bh']} after Benjamini-Hochberg. "
        "A verdict reads each claim's own 95% interval against its declared rule, so a claim can be supported on its own and "
        "still not survive Holm, which asks whether it stands out among all the tests run at once.",
    ]
    return "\n".join(lines)


def needs(run: ClaimsRun) -> str:
    """A bullet list: every claim the shipped data cannot test, and the data it would need."""
    out = []
    for r in run.results:
        c = r.claim
        if c.needs:
            out.append(f"- **{c.id}** ({c.short_en}): " + "; ".join(c.needs) + ".")
    return "\n".join(out)


def parse_table(text: str) -> dict[str, dict[str, Any]]:
    """Read the generated table back: id -> verdict, effect, ci_low, ci_high, n, sample_end (floats or None)."""
    body = text.split(START, 1)[1].split(END, 1)[0]
    out: dict[str, dict[str, Any]] = {}
    for line in body.splitlines():
        if not line.startswith("| ") or line.startswith("| id |"):
            continue
        cells = [x.strip() for x in re.split(r"(?<!\\)\|", line)[1:-1]]
        row = dict(zip(COLUMNS, cells, strict=True))
        nums = re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", row["effect [95% CI]"])
        vals = [float(x) for x in nums]
        figure = "claimed" in row["effect [95% CI]"]
        out[row["id"]] = {
            "verdict": row["verdict"].strip("*"),
            "effect": vals[0] if vals else None,
            "ci_low": None if figure or len(vals) < 3 else vals[1],
            "ci_high": None if figure or len(vals) < 3 else vals[2],
            "n": int(row["n"]),
            "sample_end": None if row["sample"] == "-" else row["sample"].split("..")[-1],
        }
    return out


def _replace(text: str, start: str, end: str, body: str, path: Path) -> str:
    if start not in text or end not in text:
        raise ValueError(f"{path}: markers {start} / {end} not found")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def update(path: str | Path, run: ClaimsRun | None = None) -> None:
    """Rewrite the generated parts of ``path`` (atomically)."""
    from bubblemachine._io import atomic_write_text
    from bubblemachine.claims import run_claims

    run = run if run is not None else run_claims(progress=False)
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    text = _replace(text, START, END, table(run), p)
    text = _replace(text, NEEDS_START, NEEDS_END, needs(run), p)
    atomic_write_text(p, text)


if __name__ == "__main__":  # pragma: no cover
    update(sys.argv[1] if len(sys.argv) > 1 else "docs/claims.md")
