"""The verdict table of ``docs/claims.md``, generated from a run.

``python -m bubblemachine.claims.markdown [docs/claims.md]`` replaces the text between the
markers ``<!-- claims-table:start -->`` and ``<!-- claims-table:end -->``.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from bubblemachine.claims import ClaimsRun

START = "<!-- claims-table:start -->"
END = "<!-- claims-table:end -->"


def fmt_number(v: float | None) -> str:
    if v is None or not math.isfinite(v):
        return "-"
    a = abs(v)
    if a != 0 and (a >= 1e4 or a < 1e-3):
        return f"{v:.3g}"
    return f"{v:.3f}" if a < 10 else f"{v:.1f}"


def table(run: ClaimsRun) -> str:
    """A Markdown table: one row per claim, then counts and the multiple-testing note."""
    lines = [
        "| id | seed | claim | verdict | effect [95% CI] | units | n | sample | p | p (Holm) | p (BH) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in run.results:
        c, e = r.claim, r.evidence
        if e is None or not math.isfinite(e.effect):
            eff = "-"
        elif c.thresholds.rule == "figure":
            eff = f"{fmt_number(e.effect)} (claimed {fmt_number(c.thresholds.claimed)})"
        else:
            eff = f"{fmt_number(e.effect)} [{fmt_number(e.ci_low)}, {fmt_number(e.ci_high)}]"
        sample = f"{e.sample_start}..{e.sample_end}" if e is not None and e.sample_start else "-"
        p = e.p_value if e is not None and c.thresholds.rule != "figure" else None
        units = c.units.replace("|", "\\|")
        lines.append(
            f"| {c.id} | {c.seed} | {c.short_en} | **{r.verdict}** | {eff} | {units} | {e.n if e else 0} | {sample} | "
            f"{fmt_number(p)} | {fmt_number(r.p_holm)} | {fmt_number(r.p_bh)} |"
        )
    counts = ", ".join(f"{v} {k}" for k, v in run.counts().items() if v)
    holm = sum(1 for r in run.results if r.p_holm is not None and r.p_holm < 0.05)
    bh = sum(1 for r in run.results if r.p_bh is not None and r.p_bh < 0.05)
    raw = sum(1 for r in run.results if r.p_holm is not None and r.evidence.p_value < 0.05)
    asof = "all data; the snapshot ends 2025-11-14" if run.asof is None else f"data up to {run.asof:%Y-%m-%d}"
    lines += [
        "",
        f"{len(run.results)} claims ({asof}): {counts}. Multiple testing: {run.n_tests} tests carry a p-value; "
        f"{raw} are significant at 5% before adjustment, {holm} after Holm, {bh} after Benjamini-Hochberg. "
        "Verdicts apply the declared rules to the unadjusted 95% intervals; read them with the adjusted p-values.",
    ]
    return "\n".join(lines)


def update(path: str | Path, run: ClaimsRun | None = None) -> None:
    """Rewrite the table between the markers in ``path`` (atomically)."""
    from bubblemachine._io import atomic_write_text
    from bubblemachine.claims import run_claims

    run = run if run is not None else run_claims()
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise ValueError(f"{p}: markers {START} / {END} not found")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    atomic_write_text(p, f"{head}{START}\n{table(run)}\n{END}{tail}")


if __name__ == "__main__":  # pragma: no cover
    update(sys.argv[1] if len(sys.argv) > 1 else "docs/claims.md")
