"""``bubblemachine claims``: were the articles right? Every claim tested on history.

``claims`` prints the scoreboard (verdict, effect [95% CI] with units, n, sample, window and
the rule that decided each verdict); ``claims --history [--every year|quarter]`` re-runs
every claim as of successive dates and shows how its verdict evolved.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from bubblemachine.cli._common import (
    FormatOption,
    LangOption,
    OutputFormat,
    console,
    progress_enabled,
    resolve_lang,
    split_list,
)

VERDICT_STYLE = {
    "supported": "bold green",
    "contradicted": "bold red",
    "inconclusive": "yellow",
    "not testable": "dim",
    "not testable yet": "dim cyan",
    "error": "bold magenta",
}

CSV_COLUMNS = (
    "id", "seed", "verdict", "effect", "ci_low", "ci_high", "units", "n", "sample_start", "sample_end",
    "window_kind", "window_start", "window_end", "window_complete", "p_value", "p_adjusted", "p_holm", "p_bh",
    "holm_survives", "threshold", "decided_by", "statement_en", "statement_ko",
)  # fmt: skip
HISTORY_CSV_COLUMNS = ("id", "asof", "label", "verdict", "effect", "ci_low", "ci_high", "n", "sample_end", "p_value", "p_holm")


class Every(StrEnum):
    """``--every``: how often ``--history`` re-runs the claims."""

    year = "year"
    quarter = "quarter"


class BackendName(StrEnum):
    """``--backend``: where ``--history`` runs its dates."""

    serial = "serial"
    process = "process"
    ray = "ray"


def _csv_cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v) if isinstance(v, float) else str(v)


def _write_csv(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    import csv
    import sys

    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_csv_cell(r.get(c)) for c in columns])


def _flat(row: dict[str, Any], lang: str) -> dict[str, Any]:
    w = row["window"]
    return row | {"window_kind": w["kind"], "window_start": w["start"], "window_end": w["end"], "window_complete": w["complete"],
                  "threshold": row["thresholds"]["short"], "decided_by": row["decided_by"]["text_ko" if lang == "ko" else "text_en"]}  # fmt: skip


def _effect_text(r, lang: str) -> str:
    from bubblemachine.claims.explain import num
    from bubblemachine.claims.i18n import UI

    e, c = r.evidence, r.claim
    if e is None:
        return "-"
    units = c.units_ko if lang == "ko" else c.units
    if c.thresholds.rule == "figure":
        return f"{num(e.effect)} ({UI[lang]['claimed']} {num(c.thresholds.claimed)}) {units}"
    return f"{num(e.effect)} [{num(e.ci_low)}, {num(e.ci_high)}] {units}"


def _scoreboard(run, lang: str, asof: str | None) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from bubblemachine.claims.explain import reason_text
    from bubblemachine.claims.i18n import UI, VERDICT_WORDS

    ui = UI[lang]
    title = ui["title"] + (f"  ({ui['asof'].format(asof=asof)})" if asof else "")
    table = Table(title=title, box=box.SIMPLE_HEAD, show_lines=True, pad_edge=False, expand=False)
    table.add_column(ui["col.claim"], overflow="fold", ratio=1)
    table.add_column(ui["col.verdict"], no_wrap=True)
    for r in run.results:
        c, e = r.claim, r.evidence
        body = Text()
        body.append(f"{c.id}  ", style="bold")
        body.append(c.short_ko if lang == "ko" else c.short_en)
        body.append("\n" + _effect_text(r, lang))
        if e is not None:
            sample = f"{e.sample_start}..{e.sample_end}" if e.sample_start else "-"
            body.append(f"\nn {e.n} · {sample} · {ui['window.' + c.window.kind]}", style="dim")
        body.append("\n" + reason_text(r, lang), style="italic")
        if r.error and e is None and lang == "en":  # the reason's detail (English only)
            body.append(f" ({r.error})", style="dim")
        verdict = Text(VERDICT_WORDS[lang][r.verdict], style=VERDICT_STYLE.get(r.verdict.value, ""))
        if r.holm_survives is not None:
            verdict.append("\n" + ui["holm.yes" if r.holm_survives else "holm.no"], style="dim")
        table.add_row(body, verdict)
    console.print(table)
    pairs = [(VERDICT_WORDS[lang][k], run.counts()[k.value]) for k in VERDICT_WORDS[lang]]
    counts = ", ".join((f"{w} {v}" if lang == "ko" else f"{v} {w}") for w, v in pairs if v)
    console.print(ui["counts"].format(n=len(run.results), counts=counts), highlight=False)
    console.print(ui["multitest"].format(**run.significance()), highlight=False)
    console.print(ui["seed"].format(seed=run.seed), highlight=False)


def _history_table(hist, lang: str) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from bubblemachine.claims.explain import num
    from bubblemachine.claims.i18n import UI, VERDICT_WORDS

    ui = UI[lang]
    every = {"year": "매년" if lang == "ko" else "yearly", "quarter": "매 분기" if lang == "ko" else "quarterly"}[hist.every]
    if len(hist.ids) == 1:  # one claim: every date in detail
        cid = hist.ids[0]
        table = Table(title=f"{cid}: " + ui["history.title"].format(every=every), box=box.SIMPLE_HEAD)
        for col in (ui["history.col.asof"], ui["col.verdict"], ui["history.col.effect"], "n", ui["history.col.holm"]):
            table.add_column(col, overflow="fold")
        for p in hist.points[cid]:
            eff = "-" if p.effect is None else f"{num(p.effect)} [{num(p.ci_low)}, {num(p.ci_high)}]"
            table.add_row(p.asof, Text(VERDICT_WORDS[lang][p.verdict], style=VERDICT_STYLE.get(p.verdict.value, "")), eff, str(p.n), num(p.p_holm))
        console.print(table)
        tl = hist.timeline(cid)
        console.print(tl.sentence_ko() if lang == "ko" else tl.sentence(), highlight=False)
    else:
        table = Table(title=ui["history.title"].format(every=every), box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column("id", no_wrap=True)
        table.add_column(ui["history.col.strip"].format(first=hist.labels[0][:4], last=hist.labels[-1][:4]), overflow="fold")
        table.add_column(ui["history.col.since"], overflow="fold")
        for cid in hist.ids:
            tl = hist.timeline(cid)
            since = "-" if tl.since is None else tl.since + ("" if tl.flipped is None else f" / {tl.flipped}")
            table.add_row(Text(cid), Text(tl.strip, style=VERDICT_STYLE.get(tl.now.value, "")), Text(f"{VERDICT_WORDS[lang][tl.now]} {since}"))
        console.print(table)
    console.print(ui["history.legend"].format(n=len(hist.dates), backend=hist.backend, workers=hist.workers), highlight=False)


def claims(
    ids: Annotated[list[str] | None, typer.Option("--id", help="Claim ids to run (repeat or comma list), e.g. C2.1,C6.3; default: all.")] = None,
    asof: Annotated[str | None, typer.Option(help="Use only data known on this date (YYYY-MM-DD; each series' release rule).")] = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
    seed: Annotated[int, typer.Option(min=0, help="Root seed of the bootstraps, >= 0 (intervals move a little with it; effects do not).")] = 20251114,
    history: Annotated[bool, typer.Option("--history", help="Re-run every claim as of successive dates and show how its verdict evolved.")] = False,
    every: Annotated[Every, typer.Option(help="With --history: one date a year (31 Dec) or a quarter.", case_sensitive=False)] = Every.year,
    start: Annotated[str, typer.Option(help="With --history: the first date (rounded to its year or quarter end).")] = "2005-12-31",
    backend: Annotated[BackendName | None, typer.Option(help="With --history: serial, process or ray [default: process when cores > 1].", case_sensitive=False, show_default=False)] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="With --history: worker processes [default: usable cores].", show_default=False)] = None,
) -> None:
    """Test every claim of the seed articles on history: verdict, effect [95% CI], units, n, sample, deciding rule."""
    from bubblemachine.cli._common import print_json

    language = resolve_lang(lang)
    id_list = split_list(ids, option="--id")
    if history:
        from bubblemachine.claims import claims_history

        hist = claims_history(every=every.value, start=start, asof=asof, ids=id_list, seed=seed,
                              backend=backend.value if backend else None, workers=workers,
                              progress=progress_enabled() and fmt == OutputFormat.table)  # fmt: skip
        if fmt == OutputFormat.json:
            print_json(hist.to_json())
        elif fmt == OutputFormat.csv:
            _write_csv(HISTORY_CSV_COLUMNS, hist.to_json())
        else:
            _history_table(hist, language)
        return
    from bubblemachine.claims import run_claims

    run = run_claims(ids=id_list, asof=asof, seed=seed, progress=progress_enabled() and fmt == OutputFormat.table)
    if fmt == OutputFormat.json:
        print_json(run.to_json())
    elif fmt == OutputFormat.csv:
        _write_csv(CSV_COLUMNS, [_flat(r, language) for r in run.to_json()])
    else:
        _scoreboard(run, language, asof)


def register(app: typer.Typer) -> None:
    app.command("claims")(claims)
