"""``bubblemachine scenario list|compare`` and ``bubblemachine explain``."""

from __future__ import annotations

from typing import Annotated

import typer

from bubblemachine.cli._common import console, progress_enabled

scenario_app = typer.Typer(help="Scenarios of the AI liquidity model: list, compare.", no_args_is_help=True)


def _fmt_check(fmt: str) -> str:
    if fmt not in ("table", "json"):
        from bubblemachine.errors import ScenarioError

        raise ScenarioError(f"--format must be table or json, got {fmt!r}")
    return fmt


@scenario_app.command("list")
def list_cmd(
    fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
) -> None:
    """List the bundled scenarios with their one-line descriptions."""
    from bubblemachine.scenarios import list_scenarios, scenario_description

    fmt = _fmt_check(fmt)
    rows = [(n, scenario_description(n)) for n in list_scenarios()]
    if fmt == "json":
        from bubblemachine.cli._common import print_json

        print_json([{"name": n, "description": d} for n, d in rows])
        return
    from rich.table import Table

    table = Table(title=f"{len(rows)} scenarios")
    table.add_column("name", no_wrap=True)
    table.add_column("description", overflow="fold")
    for n, d in rows:
        table.add_row(n, d)
    console.print(table)


@scenario_app.command("compare")
def compare_cmd(
    a: Annotated[str, typer.Argument(help="First scenario (name or .toml path), e.g. baseline.")],
    b: Annotated[str, typer.Argument(help="Second scenario (name or .toml path).")],
    paths: Annotated[int, typer.Option(help="Monte Carlo paths per scenario.")] = 1000,
    horizon: Annotated[int, typer.Option(help="Horizon in model periods (252 business days ~ 1 year).")] = 252,
    seed: Annotated[int, typer.Option(help="Common seed for A and B (common random numbers).")] = 0,
    series: Annotated[list[str] | None, typer.Option("--series", help="Series to show (repeatable); default every reported series.")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a parameter or exogenous input under both A and B: name=value (repeatable; checked against its range, see `models params`).")] = None,
    set_b: Annotated[list[str] | None, typer.Option("--set-b", help="Override under B only (a what-if against A as it is): name=value (repeatable).")] = None,
    asof: Annotated[str | None, typer.Option("--asof", help="Start the AI model on YYYY-MM-DD: data and policy events known then. [default: the latest date the store supports]", show_default=False)] = None,
    fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
) -> None:
    """Median and 5%/95% of each series' change over the horizon under A and B, and the median difference."""
    from bubblemachine.scenarios.compare import compare, format_value
    from bubblemachine.sfc.parameters import parse_assignments

    fmt = _fmt_check(fmt)
    res = compare(a, b, paths=paths, horizon=horizon, seed=seed, series=series or None,
                  set=parse_assignments(set_, origin="--set") or None,
                  set_b=parse_assignments(set_b, origin="--set-b") or None,
                  progress=progress_enabled() and fmt == "table", asof=asof)
    if fmt == "json":
        from bubblemachine.cli._common import print_json

        print_json(res.to_json())
        return
    from rich.table import Table

    since = f" from {res.asof}" if res.asof else ""
    table = Table(title=f"{res.a} vs {res.b}: change over {res.horizon} periods{since}, {res.paths} paths, seed {res.seed}",
                  caption="prices: 100 x log change (%); rates, spreads, levels: difference in their units. "
                          "B - A: median of the path-wise difference (same seed).")
    table.add_column("series", no_wrap=True)
    for col in (f"{res.a} median", f"{res.a} 5%..95%", f"{res.b} median", f"{res.b} 5%..95%", "B - A"):
        table.add_column(col, justify="right")
    for s, r in res.rows.items():
        k = r["kind"]
        table.add_row(
            s,
            format_value(r["a"].median, k), f"{format_value(r['a'].p05, k)}..{format_value(r['a'].p95, k)}",
            format_value(r["b"].median, k), f"{format_value(r['b'].p05, k)}..{format_value(r['b'].p95, k)}",
            format_value(r["diff_median"], k),
        )
    console.print(table)


def explain_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario (name or .toml path).")],
    series: Annotated[list[str] | None, typer.Option("--series", help="Series to explain (repeatable); default every attributed series.")] = None,
    paths: Annotated[int, typer.Option(help="Monte Carlo paths.")] = 1000,
    horizon: Annotated[int, typer.Option(help="Horizon in model periods.")] = 252,
    seed: Annotated[int, typer.Option(help="Seed (shared with --vs).")] = 0,
    vs: Annotated[str | None, typer.Option("--vs", help="Reference scenario, e.g. baseline: show the difference.")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a parameter or exogenous input (under the scenario and --vs alike): name=value (repeatable; checked against its range, see `models params`).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
    chart: Annotated[str | None, typer.Option("--chart", help="Also write a self-contained HTML bar chart here.")] = None,
    asof: Annotated[str | None, typer.Option("--asof", help="Start the AI model on YYYY-MM-DD: data and policy events known then. [default: the latest date the store supports]", show_default=False)] = None,
) -> None:
    """Decompose each series' change into mechanism groups (mean over paths; adds up exactly to the mean total)."""
    from bubblemachine.scenarios.explain import explain, write_chart
    from bubblemachine.sfc.parameters import parse_assignments

    fmt = _fmt_check(fmt)
    out = explain(scenario, series=series or None, paths=paths, horizon=horizon, seed=seed, vs=vs,
                  set=parse_assignments(set_, origin="--set") or None,
                  progress=progress_enabled() and fmt == "table", asof=asof)
    if chart:
        write_chart(out, chart)
    if fmt == "json":
        from bubblemachine.cli._common import print_json

        print_json({e.series: e.to_json() for e in out})
        return
    from rich.table import Table

    from bubblemachine.scenarios import runner, scenario_path
    from bubblemachine.scenarios.compare import format_value

    used = runner.model_ref(runner.load(scenario, asof=asof)[0].model, scenario_path(scenario), asof)[1]
    if used:
        console.print(f"AI model started on {used} (data and policy events known then)", highlight=False)
    for e in out:
        vs_txt = f" minus {e.vs}" if e.vs else ""
        table = Table(title=f"{e.series}: {e.scenario}{vs_txt}, {e.horizon} periods, {e.paths} paths, seed {e.seed}",
                      caption="mean over paths of each group's contribution summed over the horizon; "
                              "the groups add up to the mean total")
        table.add_column("group")
        table.add_column("contribution", justify="right")
        for g, v in e.contributions.items():
            table.add_row(e.label(g), format_value(v, e.kind))
        table.add_row("[bold]total (mean)[/bold]", f"[bold]{format_value(e.total, e.kind)}[/bold]")
        table.add_row("median total", format_value(e.median_total, e.kind))
        console.print(table)
    if chart:
        console.print(f"chart written to {chart}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(scenario_app, name="scenario")
    app.command("explain")(explain_cmd)
