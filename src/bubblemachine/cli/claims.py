"""``bubblemachine claims``: were the articles right? Every claim tested on history."""

from __future__ import annotations

from typing import Annotated

import typer

from bubblemachine.cli._common import console, progress_enabled

VERDICT_STYLE = {
    "supported": "bold green",
    "contradicted": "bold red",
    "inconclusive": "yellow",
    "not testable": "dim",
    "error": "bold magenta",
}

CSV_COLUMNS = (
    "id", "seed", "verdict", "effect", "ci_low", "ci_high", "units", "n", "sample_start", "sample_end",
    "p_value", "p_adjusted", "p_holm", "p_bh", "statement_en", "statement_ko", "thresholds",
)  # fmt: skip


def _fmt(v) -> str:
    if v is None:
        return "-"
    a = abs(v)
    if a != 0 and (a >= 1e4 or a < 1e-3):
        return f"{v:.3g}"
    return f"{v:.3f}" if a < 10 else f"{v:.1f}"


def claims(
    ids: Annotated[list[str] | None, typer.Option("--id", help="Claim id to run (repeatable), e.g. C2.1; default: all.")] = None,
    asof: Annotated[str | None, typer.Option(help="Use only data dated on or before YYYY-MM-DD.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table | json | csv")] = "table",
    seed: Annotated[int, typer.Option(help="Root seed of the bootstraps (intervals move a little with it; effects do not).")] = 20251114,
) -> None:
    """Test every claim of the seed articles on history: verdict, effect [95% CI], n, sample."""
    from bubblemachine.errors import BubbleMachineError

    if fmt not in ("table", "json", "csv"):
        raise BubbleMachineError(f"--format: {fmt!r} is not one of table, json, csv")
    from bubblemachine.claims import run_claims

    run = run_claims(ids=ids, asof=asof, seed=seed, progress=progress_enabled() and fmt == "table")
    rows = run.to_json()
    if fmt == "json":
        from bubblemachine.cli._common import print_json

        print_json(rows)
        return
    if fmt == "csv":
        import csv
        import sys

        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(CSV_COLUMNS)
        for r in rows:
            w.writerow(["" if r[c] is None else (r[c]["text"] if c == "thresholds" else r[c]) for c in CSV_COLUMNS])
        return
    from rich.table import Table

    title = "Were the articles right? / 기사들은 맞았나?" + (f"  (data as of {asof})" if asof else "")
    table = Table(title=title, show_lines=False)
    for col in ("id", "claim", "verdict", "effect [95% CI]", "n", "sample"):
        table.add_column(col, overflow="fold", no_wrap=col in ("id", "verdict", "n"), ratio=2 if col == "claim" else None)
    for r in rows:
        eff = "-" if r["effect"] is None else f"{_fmt(r['effect'])} [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]"
        if r["thresholds"]["rule"] == "figure" and r["effect"] is not None:
            eff = f"{_fmt(r['effect'])} (claimed {_fmt(r['thresholds']['claimed'])})"
        sample = f"{r['sample_start'][:7]}..{r['sample_end'][:7]}" if r["sample_start"] else "-"
        style = VERDICT_STYLE.get(r["verdict"], "")
        table.add_row(r["id"], r["short_en"], f"[{style}]{r['verdict']}[/{style}]", eff, str(r["n"]), sample)
    console.print(table)
    counts = run.counts()
    summary = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    n_holm = sum(1 for r in rows if r["p_holm"] is not None and r["p_holm"] < 0.05)
    console.print(f"{len(rows)} claims: {summary}.")
    console.print(
        f"Multiple testing: {run.n_tests} statistical tests with p-values; {n_holm} stay significant at 5% after Holm "
        "(Benjamini-Hochberg p in --format json/csv). Verdicts use the declared unadjusted 95% intervals. "
        f"Bootstrap seed {run.seed}.",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command("claims")(claims)
