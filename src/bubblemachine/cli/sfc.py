"""``bubblemachine simulate | check | models list``: the SFC engine on the command line."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from bubblemachine.cli._common import (
    FormatOption,
    LangOption,
    OutputFormat,
    console,
    progress_enabled,
    seed_option,
)

models_app = typer.Typer(help="Models shipped with Bubble Machine.", no_args_is_help=True)


class Solver(StrEnum):
    """``--solver``: how simultaneous blocks are solved."""

    newton = "newton"
    gauss_seidel = "gauss-seidel"


def parse_set(items: list[str] | None) -> dict:
    """``--set name=value`` / ``name=[v1,v2,...]`` options (syntax only; the engine checks names,
    finiteness and ranges: :func:`bubblemachine.sfc.parameters.validate_overrides`)."""
    from bubblemachine.sfc.parameters import parse_assignments

    return parse_assignments(items, origin="--set")


def _shown_series(result, series: list[str] | None) -> list[str]:
    """The variables the table shows: --series, else the model's reported series, else all saved."""
    from bubblemachine.errors import SimulationError
    from bubblemachine.scenarios.compare import default_series

    if series:
        bad = [s for s in series if s not in result.names]
        if bad:
            raise SimulationError(f"--series {bad[0]!r}: not a variable of this run (try one of {', '.join(result.names[:8])}, ...)")
        return series
    return [s for s in default_series(set(result.names)) if s in result.names]


def _tidy(values: list[float]) -> list[float]:
    """Round float noise to zero: |v| below 1e-9 of the row's largest magnitude (or 1e-12)."""
    import math

    finite = [abs(v) for v in values if math.isfinite(v)]
    scale = max(finite, default=0.0)
    return [0.0 if math.isfinite(v) and abs(v) < max(1e-12, 1e-9 * scale) else v for v in values]


def simulate_cmd(
    model: Annotated[str, typer.Argument(help="Model file, model directory, or shipped model name (see `models list`).")],
    scenario: Annotated[str | None, typer.Option("--scenario", "-s", help="Scenario: a .toml file or a shipped scenario name (its `model =` must be MODEL).")] = None,
    periods: Annotated[int | None, typer.Option(min=1, help="Periods to solve (default: the scenario's, else the model's [model] defaults, else 100).", show_default=False)] = None,
    paths: Annotated[int | None, typer.Option(min=1, help="Monte Carlo paths (default: the scenario's, else the model's, else 1).", show_default=False)] = None,
    seed: Annotated[int | None, seed_option("Root seed, >= 0 (default: the scenario's, else the model's, else random; printed).")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a parameter or exogenous input: name=value or name=[v1,v2,...] (repeatable).")] = None,
    save: Annotated[list[str] | None, typer.Option(help="Variables to keep, comma list or repeated (default: all; the table shows the reported ones).")] = None,
    series: Annotated[list[str] | None, typer.Option("--series", help="Variables the table shows, comma list or repeated (default: the model's reported series, else every saved variable).")] = None,
    out: Annotated[str | None, typer.Option(help="Write the result to FILE.csv or FILE.parquet (every saved variable, every path).")] = None,
    solver: Annotated[Solver, typer.Option(help="How simultaneous blocks are solved.", case_sensitive=False)] = Solver.newton,
    asof: Annotated[str | None, typer.Option("--asof", help="ai_liquidity only: start the model on YYYY-MM-DD (data and policy events known then) [default: the latest date the store supports].", show_default=False)] = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Simulate MODEL; print a summary of the reported series (mean over paths), or write the result with --out."""
    from bubblemachine._io import check_output_file
    from bubblemachine.cli._common import (
        check_date,
        check_input_path,
        print_json,
        split_list,
        words,
    )
    from bubblemachine.sfc import simulate

    t = words(lang)
    check_input_path(model, option="MODEL")
    check_input_path(scenario, option="--scenario", file=True)
    target = check_output_file(out, option="--out", suffixes=(".csv", ".parquet")) if out is not None else None
    save_list = split_list(save, option="--save")
    series_list = split_list(series, option="--series")
    set_values = parse_set(set_)
    from bubblemachine.scenarios.runner import model_ref
    from bubblemachine.sfc import load_model

    ref, used = model_ref(model, model, check_date(asof, option="--asof"))
    if used:
        if fmt is OutputFormat.table:  # JSON and CSV carry it in their fields; stdout stays parseable
            console.print(t("simulate.started", date=used), highlight=False)
        model = ref
    m = load_model(model)
    if series_list:
        known = {*m.equations, *m.exogenous, *m.random, *m.parameters}
        bad = [s for s in series_list if s not in known]
        if bad:
            from bubblemachine.errors import SimulationError

            raise SimulationError(f"--series {bad[0]!r}: not a variable of model {m.name}")
    if target is None and save_list is None:
        # only the table is wanted: keep what it shows (the reported series), not every internal
        from bubblemachine.scenarios.compare import default_series

        reported = series_list or default_series(set(m.equations))
        save_list = reported if len(reported) < len(m.equations) else None
    result = simulate(m, scenario, periods=periods, paths=paths, seed=seed, set=set_values or None,
                      save=save_list, progress=progress_enabled() and fmt is OutputFormat.table,
                      solver=solver.value)
    if target is not None:
        if target.suffix.lower() == ".parquet":
            result.to_parquet(target)
        else:
            result.to_csv(target)
        console.print(t("simulate.wrote", path=str(target), paths=result.data.shape[0], periods=result.periods + 1,
                        variables=len(result.names), seed=result.seed), highlight=False, soft_wrap=True)
        return
    shown = _shown_series(result, series_list)
    summary = result.summary()
    cols = [str(c) for c in summary.columns]
    rows = {name: dict(zip(cols, _tidy([float(v) for v in summary.loc[name].tolist()]), strict=True)) for name in shown}
    if fmt is OutputFormat.json:
        print_json({"model": result.model_name, "scenario": result.scenario_name, "asof": used or None,
                    "periods": result.periods,
                    "paths": result.data.shape[0], "seed": result.seed, "statistic": "mean over paths",
                    "series": {n: {"units": _units(n), **rows[n]} for n in shown}})
        return
    if fmt is OutputFormat.csv:
        from bubblemachine.cli._common import print_csv

        print_csv(["variable", "units", *cols], ([n, _units(n), *rows[n].values()] for n in shown))
        return
    from rich import box
    from rich.table import Table

    from bubblemachine.cli._common import fmt_number, short_units

    several = result.data.shape[0] > 1
    table = Table(title=t("simulate.title", model=result.model_name, scenario=result.scenario_name,
                          periods=result.periods, paths=result.data.shape[0], seed=result.seed),
                  caption=t("simulate.caption_mean") if several else None, caption_justify="left",
                  box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0))
    table.add_column(t("col.variable"), no_wrap=True)
    table.add_column(t("col.unit"), no_wrap=True)
    for c in cols:
        table.add_column(c, justify="right", no_wrap=True)
    for name in shown:
        table.add_row(name, short_units(_units(name)), *[fmt_number(v) for v in rows[name].values()])
    console.print(table)
    hidden = len(result.names) - len(shown)
    if hidden > 0:
        console.print(t("simulate.more", n=hidden), highlight=False, soft_wrap=True)


def _units(name: str) -> str:
    from bubblemachine.scenarios.series import SERIES

    info = SERIES.get(name)
    return info.units if info is not None else ""


def check_cmd(
    model: Annotated[str, typer.Argument(help="Model file, model directory, or shipped model name.")],
    periods: Annotated[int, typer.Option(min=1, help="Periods of the validation run.")] = 10,
    graph: Annotated[str | None, typer.Option("--graph", help="Write the dependency graph with its blocks to FILE.html (self-contained).")] = None,
    lang: LangOption = None,
) -> None:
    """Parse MODEL, list its blocks and cycles, and validate its matrices on a short run."""
    from bubblemachine._io import check_output_file
    from bubblemachine.cli._common import check_input_path, words
    from bubblemachine.sfc import compile_model, load_model, simulate
    from bubblemachine.sfc.model import check_calendar

    t = words(lang)
    check_input_path(model, option="MODEL")
    target = check_output_file(graph, option="--graph", suffixes=(".html", ".htm")) if graph is not None else None
    m = load_model(model)
    check_calendar(m.calendar, m.path)  # the frequency too (simulate needs it for dates)
    cm = compile_model(m)
    console.print(f"[bold]{m.name}[/bold]: {m.description}" if m.description else f"[bold]{m.name}[/bold]")
    console.print(t("check.counts", equations=len(m.equations), parameters=len(m.parameters),
                    exogenous=len(m.exogenous), random=len(m.random), hidden=len(m.hidden),
                    matrices=len(m.matrices)), highlight=False)
    cyc = cm.cycles()
    console.print(t("check.blocks", blocks=len(cm.blocks), cycles=len(cyc)), highlight=False)
    for b in cyc:
        console.print(t("check.block", index=b.index, n=len(b.variables), variables=", ".join(b.variables),
                        tears=", ".join(b.tears)) + (t("check.linear") if b.linear else ""), highlight=False)
    simulate(cm, periods=periods, paths=1, seed=0, progress=False)
    nrows = sum(len(mat.rows) for mat in m.matrices.values())
    console.print("[green]ok[/green]: " + t("check.ok", periods=periods, hidden=len(m.hidden), rows=nrows), highlight=False)
    if target is not None:
        from bubblemachine.sfc.graph import write_graph_html

        write_graph_html(cm, target)
        console.print(t("wrote", path=str(target)), highlight=False, soft_wrap=True)


@models_app.command("list")
def models_list(fmt: FormatOption = OutputFormat.table, lang: LangOption = None) -> None:
    """List the models shipped with Bubble Machine."""
    from bubblemachine.cli._common import print_records, words
    from bubblemachine.sfc.model import list_shipped_models

    t = words(lang)

    def table(records: list[dict]) -> None:
        from rich.table import Table

        tab = Table(title=t("models.title", n=len(records)))
        tab.add_column(t("col.name"), no_wrap=True)
        tab.add_column(t("col.description"))
        for r in records:
            tab.add_row(r["name"], r["description"])
        console.print(tab)

    records = [{"name": i["name"], "description": i["description"]} for i in list_shipped_models()]
    print_records(records, fmt, table=table, columns=["name", "description"])


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_cmd)
    app.command("check")(check_cmd)
    app.add_typer(models_app, name="models")
