"""``bubblemachine claims``: were the articles right? Every claim tested on history."""

from __future__ import annotations

from typing import Annotated

import typer

from bubblemachine.cli._common import FormatOption, LangOption, OutputFormat, console, progress_enabled, seed_option

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
    ids: Annotated[list[str] | None, typer.Option("--id", help="Claim ids to run, comma list or repeated, e.g. C2.1 (default: all).", show_default=False)] = None,
    asof: Annotated[str | None, typer.Option(help="Use only data known on YYYY-MM-DD.", show_default=False)] = None,
    fmt: FormatOption = OutputFormat.table,
    seed: Annotated[int, seed_option("Root seed of the bootstraps, >= 0 (intervals move a little with it; effects do not).")] = 20251114,
    lang: LangOption = None,
) -> None:
    """Test every claim of the seed articles on history: verdict, effect [95% CI], n, sample."""
    from bubblemachine.cli._common import check_date, resolve_lang, split_list

    code = resolve_lang(lang)
    ids = split_list(ids, option="--id")
    asof = check_date(asof, option="--asof")
    from bubblemachine.claims import run_claims

    run = run_claims(ids=ids, asof=asof, seed=seed, progress=progress_enabled() and fmt is OutputFormat.table)
    rows = run.to_json()
    if fmt is OutputFormat.json:
        from bubblemachine.cli._common import print_json

        print_json(rows)
        return
    if fmt is OutputFormat.csv:
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
        short = r["short_en"]
        if code == "ko":
            from bubblemachine.claims.registry import CLAIMS

            short = getattr(CLAIMS.get(r["id"]), "short_ko", "") or short
        table.add_row(r["id"], short, f"[{style}]{r['verdict']}[/{style}]", eff, str(r["n"]), sample)
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
