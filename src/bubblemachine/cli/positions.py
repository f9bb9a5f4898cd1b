"""``bubblemachine positions``: were the articles' trades any good? On history and under the model's scenarios."""

from __future__ import annotations

from typing import Annotated

import typer

from bubblemachine.cli._common import (
    FormatOption,
    LangOption,
    OutputFormat,
    console,
    progress_enabled,
)

VERDICT_STYLE = {"worked": "bold green", "failed": "bold red", "inconclusive": "yellow", "not testable": "dim"}

CSV_COLUMNS = (
    "id", "seed", "title_en", "benchmark", "start", "end", "days", "cagr", "vol", "sharpe", "sortino", "max_drawdown",
    "max_drawdown_peak", "max_drawdown_trough", "max_drawdown_recovery", "calmar", "hit_rate", "turnover", "costs",
    "time_on", "beta", "alpha", "alpha_ci_low", "alpha_ci_high", "alpha_p", "active_return", "active_ci_low",
    "active_ci_high", "information_ratio", "psr", "deflated_sharpe", "deflated_sharpe_p", "sharpe_threshold",
    "benchmark_cagr", "benchmark_vol", "benchmark_sharpe", "benchmark_max_drawdown", "verdict", "verdict_reason",
    "note", "statement_en", "statement_ko",
)  # fmt: skip

SCENARIO_CSV_COLUMNS = (
    "strategy", "scenario", "representable", "missing", "proxies", "return_median", "return_p05", "return_p95",
    "drawdown_median", "drawdown_p05", "excess_median", "excess_p05", "excess_p95", "p_beat_benchmark",
    "vs_baseline_median", "vs_baseline_p05", "vs_baseline_p95",
)  # fmt: skip


def _csv(rows: list[dict], columns: tuple[str, ...]) -> None:
    import csv
    import sys

    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow(["" if r.get(c) is None else (";".join(map(str, r[c])) if isinstance(r.get(c), list) else r[c]) for c in columns])


def _history_table(bt, lang: str):
    from rich.table import Table

    from bubblemachine.trades import text
    T = text.t
    title = T("cli.title", lang) + (f"  ({bt.start or '…'} .. {bt.end or '…'})" if bt.start or bt.end else "")
    from rich import box

    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    wide = console.width >= 135  # room for every cell on one line (headers on two)
    for key in ("id", "sample", "cagr", "sharpe", "max_dd", "bench_cagr", "alpha_ci", "dsr", "verdict"):
        header = T(f"col.{key}", lang)
        table.add_column(header.replace(" ", "\n", 1) if wide else header, overflow="fold", no_wrap=wide,
                         justify="left" if key in ("id", "sample", "verdict") else "right")  # fmt: skip
    short = {"sp500_tr": "S&P", "60_40": "60/40"}
    for r in bt.results:
        m = r.metrics
        style = VERDICT_STYLE.get(r.verdict, "")
        verdict = f"[{style}]{T('verdict.' + text.verdict_key(r.verdict), lang)}[/{style}]"
        if m is None:
            table.add_row(r.strategy.id, f"[dim]{', '.join(r.missing) or r.note}[/dim]", "-", "-", "-", "-", "-", "-", verdict)
            continue
        b = r.strategy.benchmark
        table.add_row(
            r.strategy.id, f"{m.start:%Y}-{m.end:%Y}", text.pct(m.cagr), text.num(m.sharpe), text.pct(m.drawdown.depth),
            f"{text.pct(m.benchmark_cagr)} {short.get(b, b)}",
            f"{text.pct(m.alpha, sign=True)} [{text.pct(m.alpha_ci_low, sign=True)}, {text.pct(m.alpha_ci_high, sign=True)}]",
            text.num(r.deflated_sharpe), verdict,
        )  # fmt: skip
    return table


def _history_footer(bt, lang: str) -> None:
    import math

    from bubblemachine.trades import text

    thr = next((r.sr_threshold for r in bt.results if math.isfinite(r.sr_threshold)), float("nan"))
    counts = ", ".join(f"{v} {text.t('verdict.' + text.verdict_key(k), lang)}" for k, v in bt.counts().items() if v)
    console.print(f"{len(bt.results)}: {counts}.", highlight=False)
    console.print(text.t("cli.trials", lang, n=bt.n_trials, threshold=text.num(thr)), highlight=False)
    console.print(text.t("cli.conventions", lang), highlight=False)
    console.print(f"[dim]{text.t('section.not_advice', lang)}[/dim]", highlight=False)


def _scenario_tables(run, lang: str) -> None:
    from rich.table import Table

    from bubblemachine.trades import text

    T = text.t
    recs = run.records()
    if len(run.scenarios) == 1:
        table = Table(title=T("cli.scenario_title", lang, scenario=run.scenarios[0], paths=run.paths, seed=run.seed,
                              horizon=run.horizon, period0=run.period0), title_justify="left")  # fmt: skip
        cols = ("id", "return_median", "return_range", "drawdown", "excess", "excess_tail", "p_beat", "vs_baseline")
        for key in cols:
            table.add_column(T(f"col.{key}", lang), justify="left" if key == "id" else "right")
        for row in recs:
            if not row["representable"]:
                table.add_row(row["strategy"], f"[dim]{T('cli.not_representable', lang)}: {', '.join(row['missing'])}[/dim]",
                              "", "", "", "", "", "")  # fmt: skip
                continue
            table.add_row(
                row["strategy"], text.pct(row["return_median"], sign=True),
                f"{text.pct(row['return_p05'], sign=True)} .. {text.pct(row['return_p95'], sign=True)}",
                f"{text.pct(row['drawdown_median'])} / {text.pct(row['drawdown_p05'])}",
                text.pct(row["excess_median"], sign=True), text.pct(row["excess_p05"], sign=True),
                text.pct(row["p_beat_benchmark"], digits=0), text.pct(row["vs_baseline_median"], sign=True),
            )  # fmt: skip
        console.print(table)
    else:
        table = Table(title=T("cli.wins_title", lang), title_justify="left")
        table.add_column(T("col.id", lang))
        for c in run.scenarios:
            table.add_column(c, justify="right")
        winners = run.winners()
        med = run.wins("excess_median")
        tail = run.wins("excess_p05")
        for sid in run.strategies:
            cells = []
            for c in run.scenarios:
                v = med.loc[sid, c]
                if v is None or v != v:
                    cells.append("[dim]-[/dim]")
                    continue
                cell = f"{text.pct(v, sign=True)} ({text.pct(tail.loc[sid, c], sign=True, digits=0)})"
                cells.append(f"[bold green]{cell}[/bold green]" if winners.get(c) == sid else cell)
            table.add_row(sid, *cells)
        console.print(table)
    missing = sorted({(r["strategy"], ", ".join(r["missing"])) for r in recs if not r["representable"]})
    for sid, what in missing:
        console.print(f"[dim]{sid}: {T('cli.not_representable', lang)} ({what})[/dim]", highlight=False)
    console.print(T("cli.scenario_notes", lang), highlight=False)
    console.print(f"[dim]{T('section.not_advice', lang)}[/dim]", highlight=False)


def positions(
    ids: Annotated[list[str] | None, typer.Option("--id", help="Strategy id (repeatable or comma list); default: all.")] = None,
    start: Annotated[str | None, typer.Option("--start", help="First date of the historical window (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option("--end", help="Last date: no data after it is read (YYYY-MM-DD).")] = None,
    scenario: Annotated[list[str] | None, typer.Option("--scenario", help="Run on the model's simulated paths: a scenario name (repeatable or comma list), or 'all'.")] = None,
    paths: Annotated[int | None, typer.Option("--paths", help="Monte Carlo paths per scenario (default: the model's own, 1,000 for ai_liquidity).", show_default=False)] = None,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="The common seed of every scenario, >= 0 (default: the model's own).", show_default=False)] = None,
    files: Annotated[list[str] | None, typer.Option("--file", help="An extra strategy file (TOML; repeatable).")] = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Were the articles' trades any good? Each position backtested on history (no look-ahead, after costs) with an honest verdict, or run under the model's scenarios."""
    from bubblemachine.cli._common import print_json, resolve_lang, split_list
    from bubblemachine.errors import BubbleMachineError
    from bubblemachine.trades import resolve_scenarios
    from bubblemachine.trades.spec import load_strategies, select

    lg = resolve_lang(lang)
    id_list = split_list(ids, option="--id")
    scen = resolve_scenarios(split_list(scenario, option="--scenario"))
    if (paths is not None or seed is not None) and not scen:
        raise BubbleMachineError("--paths and --seed apply to --scenario runs; add --scenario NAME (or all)")
    if scen and (start is not None or end is not None):
        raise BubbleMachineError("--start/--end apply to the historical backtest, not to --scenario runs")
    strategies = load_strategies(split_list(files, option="--file") or [])
    chosen = select(strategies, id_list)
    show_progress = progress_enabled() and fmt == OutputFormat.table
    if scen:
        from bubblemachine.trades.scenarios import run_scenarios

        run = run_scenarios(chosen, scen, paths=paths, seed=seed, progress=show_progress)
        if fmt == OutputFormat.json:
            print_json(run.to_json())
        elif fmt == OutputFormat.csv:
            _csv(run.records(), SCENARIO_CSV_COLUMNS)
        else:
            _scenario_tables(run, lg)
        return
    from bubblemachine.trades.backtest import run_backtest

    bt = run_backtest(strategies, start=start, end=end, show=[s.id for s in chosen], progress=show_progress)
    if fmt == OutputFormat.json:
        print_json(bt.to_json())
    elif fmt == OutputFormat.csv:
        _csv(bt.to_json(), CSV_COLUMNS)
    else:
        console.print(_history_table(bt, lg))
        _history_footer(bt, lg)


def register(app: typer.Typer) -> None:
    app.command("positions")(positions)
