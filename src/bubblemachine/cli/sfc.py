"""``bubblemachine simulate | check | models list``: the SFC engine on the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from bubblemachine.cli._common import console, progress_enabled

models_app = typer.Typer(help="Models shipped with Bubble Machine.", no_args_is_help=True)


def _parse_set(items: list[str] | None) -> dict:
    from bubblemachine.sfc.parameters import parse_assignments

    return parse_assignments(items, origin="--set")


def simulate_cmd(
    model: Annotated[str, typer.Argument(help="Model file, model directory, or shipped model name (see `models list`).")],
    scenario: Annotated[str | None, typer.Option("--scenario", "-s", help="Scenario TOML file.")] = None,
    periods: Annotated[int | None, typer.Option(help="Periods to solve (default: scenario's, else 100).")] = None,
    paths: Annotated[int | None, typer.Option(help="Monte Carlo paths (default: scenario's, else 1).")] = None,
    seed: Annotated[int | None, typer.Option(help="Root seed (default: scenario's, else random; printed).")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a parameter or exogenous input: name=value (repeatable).")] = None,
    save: Annotated[str | None, typer.Option(help="Comma-separated variables to keep (default all).")] = None,
    out: Annotated[str | None, typer.Option(help="Write the result to FILE.csv or FILE.parquet.")] = None,
    solver: Annotated[str, typer.Option(help="newton | gauss-seidel")] = "newton",
    asof: Annotated[str | None, typer.Option("--asof", help="ai_liquidity only: start the model on YYYY-MM-DD (data and policy events known then). [default: the latest date the store supports]", show_default=False)] = None,
) -> None:
    """Simulate MODEL and print a summary table, or write the result with --out."""
    from pathlib import Path

    from bubblemachine.errors import SimulationError
    from bubblemachine.sfc import simulate

    if out is not None and Path(out).suffix.lower() not in (".csv", ".parquet"):
        raise SimulationError(f"--out {out}: the file name must end in .csv or .parquet")
    save_list = [s.strip() for s in save.split(",") if s.strip()] if save else None
    from bubblemachine.scenarios.runner import model_ref

    ref, used = model_ref(model, model, asof)
    if used:
        console.print(f"AI model started on {used} (data and policy events known then)", highlight=False)
        model = ref
    result = simulate(model, scenario, periods=periods, paths=paths, seed=seed, set=_parse_set(set_) or None,
                      save=save_list, progress=progress_enabled(), solver=solver)
    if out is not None:
        if out.lower().endswith(".parquet"):
            result.to_parquet(out)
        else:
            result.to_csv(out)
        console.print(f"wrote {out}: {result.data.shape[0]} path(s) x {result.periods + 1} periods x {len(result.names)} variables (seed {result.seed})")
        return
    from rich.table import Table

    summary = result.summary()
    table = Table(title=f"{result.model_name} / {result.scenario_name}: {result.periods} periods, {result.data.shape[0]} path(s), seed {result.seed}")
    table.add_column("variable")
    for c in summary.columns:
        table.add_column(str(c) + (" (mean)" if result.data.shape[0] > 1 and not c.startswith("sd") else ""), justify="right")
    for name, row in summary.iterrows():
        table.add_row(str(name), *[f"{v:,.6g}" for v in row.tolist()])
    console.print(table)


def check_cmd(
    model: Annotated[str, typer.Argument(help="Model file, model directory, or shipped model name.")],
    periods: Annotated[int, typer.Option(help="Periods of the validation run.")] = 10,
    graph: Annotated[str | None, typer.Option("--graph", help="Write the dependency graph with its blocks to FILE.html (self-contained).")] = None,
) -> None:
    """Parse MODEL, list its blocks and cycles, and validate its matrices on a short run."""
    from bubblemachine.sfc import compile_model, load_model, simulate
    from bubblemachine.sfc.model import check_calendar

    m = load_model(model)
    check_calendar(m.calendar, m.path)  # the frequency too (simulate needs it for dates)
    cm = compile_model(m)
    console.print(f"[bold]{m.name}[/bold]: {m.description}" if m.description else f"[bold]{m.name}[/bold]")
    console.print(
        f"{len(m.equations)} equations, {len(m.parameters)} parameters, {len(m.exogenous)} exogenous, "
        f"{len(m.random)} random, {len(m.hidden)} hidden identities, {len(m.matrices)} matrices"
    )
    cyc = cm.cycles()
    console.print(f"{len(cm.blocks)} blocks, {len(cyc)} simultaneous:")
    for b in cyc:
        console.print(f"  block {b.index}: {len(b.variables)} equations ({', '.join(b.variables)}); tears: {', '.join(b.tears)}{'; linear' if b.linear else ''}")
    simulate(cm, periods=periods, paths=1, seed=0, progress=False)
    nrows = sum(len(mat.rows) for mat in m.matrices.values())
    console.print(f"[green]ok[/green]: {periods} periods solved; {len(m.hidden)} hidden identities and {nrows} matrix rows hold every period")
    if graph:
        from bubblemachine.sfc.graph import write_graph_html

        write_graph_html(cm, graph)
        console.print(f"wrote {graph}")


@models_app.command("list")
def models_list() -> None:
    """List the models shipped with Bubble Machine."""
    from rich.table import Table

    from bubblemachine.sfc.model import list_shipped_models

    table = Table(title="shipped models")
    table.add_column("name")
    table.add_column("description")
    for info in list_shipped_models():
        table.add_row(info["name"], info["description"])
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_cmd)
    app.command("check")(check_cmd)
    app.add_typer(models_app, name="models")
