"""``bubblemachine sweep``: a parameter sweep written to Parquet shards."""

from __future__ import annotations

from typing import Annotated

import typer

from bubblemachine.cli._common import console, print_json, progress_enabled


def sweep_cmd(
    model: Annotated[str, typer.Argument(help="Model file, model directory, or shipped model name (see `models list`).")],
    grid: Annotated[
        list[str],
        typer.Option(
            "--grid", "-g",
            help="NAME=START:STOP:N (N evenly spaced values) or NAME=V1,V2,... (repeatable; the Cartesian product is run).",
        ),
    ],
    scenario: Annotated[str | None, typer.Option("--scenario", "-s", help="Scenario TOML file applied at every point.")] = None,
    paths: Annotated[int | None, typer.Option(help="Monte Carlo paths per point (default: scenario's, else 1).")] = None,
    periods: Annotated[int | None, typer.Option(help="Periods to solve (default: scenario's, else 100).")] = None,
    seed: Annotated[int | None, typer.Option(help="Root seed; point i gets child i of SeedSequence(seed) (default: random; printed).")] = None,
    save: Annotated[str | None, typer.Option(help="Comma-separated variables to keep (default all).")] = None,
    backend: Annotated[str, typer.Option(help="serial | process | ray")] = "serial",
    workers: Annotated[int | None, typer.Option(help="Processes / Ray CPUs (default: all cores).")] = None,
    out: Annotated[str | None, typer.Option(help="Output directory (default: <home>/sweeps/<model>-<time>).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an earlier sweep in --out.")] = False,
    common_seed: Annotated[bool, typer.Option("--common-seed", help="Same seed at every point (common random numbers).")] = False,
    show: Annotated[str | None, typer.Option(help="Variable summarised in the table (default: the first saved).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest and the summary as JSON.")] = False,
) -> None:
    """Run MODEL at every point of a parameter grid and write one Parquet shard per point.

    Example: bubblemachine sweep sim --grid alpha1=0.5:0.7:5 --grid theta=0.15,0.2,0.25 --paths 100
    """
    from bubblemachine.errors import ScenarioError
    from bubblemachine.sfc.sweeps import parse_grid_spec, plan_sweep, run_sweep

    spec: dict[str, list[float]] = {}
    for item in grid:
        name, values = parse_grid_spec(item)
        if name in spec:
            raise ScenarioError(f"--grid {item!r}: {name} is given twice")
        spec[name] = values
    save_list = [s.strip() for s in save.split(",") if s.strip()] if save else None
    plan = plan_sweep(model, spec, scenario=scenario, paths=paths, periods=periods, seed=seed, save=save_list,
                      common_seed=common_seed)
    if show is not None and show not in plan.spec.names:  # checked before anything runs
        shown = ", ".join(plan.spec.names[:12]) + (", ..." if len(plan.spec.names) > 12 else "")
        raise ScenarioError(f"--show {show}: not saved (saved: {shown})")
    res = run_sweep(plan, out=out, backend=backend, workers=workers,
                    progress=progress_enabled() and not as_json, overwrite=force)
    m = res.manifest
    var = show or (res.names[0] if res.names else None)
    summary = res.summary(var) if var is not None else None
    if as_json:
        print_json({"out": str(res.out), "manifest": m,
                    "summary": summary.to_dict(orient="records") if summary is not None else []})
        return
    from rich.table import Table

    console.print(
        f"[bold]{m['model']}[/bold] / {m['scenario_name']}: {m['points']} points x {m['paths']} path(s) x "
        f"{m['periods']} periods, seed {m['seed']}, backend {m['backend']}, {m['elapsed_s']:.2f} s"
    )
    if summary is not None:
        qcols = [c for c in summary.columns if c.startswith("q")]
        table = Table(title=f"{var} in the final period, over paths")
        for k in res.grid:
            table.add_column(k, justify="right")
        for c in ["mean", "sd", *qcols]:
            table.add_column(c, justify="right")
        shown = summary if len(summary) <= 40 else summary.head(40)
        for _, row in shown.iterrows():
            table.add_row(*[f"{row[k]:.6g}" for k in res.grid], *[f"{row[c]:,.6g}" for c in ["mean", "sd", *qcols]])
        console.print(table)
        if len(summary) > 40:
            console.print(f"... {len(summary) - 40} more points in {res.out / 'summary.parquet'}")
    console.print(f"wrote {res.out} ({m['points']} shards + index.parquet, summary.parquet, sweep.json)")


def register(app: typer.Typer) -> None:
    app.command("sweep")(sweep_cmd)
