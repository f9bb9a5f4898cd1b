"""``bubblemachine sweep``: a parameter sweep written to Parquet shards."""

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


class Backend(StrEnum):
    """``--backend``: where the grid points run."""

    serial = "serial"
    process = "process"
    ray = "ray"


def sweep_cmd(
    model: Annotated[str, typer.Argument(help="Model file, model directory, or shipped model name (see `models list`).")],
    grid: Annotated[
        list[str],
        typer.Option(
            "--grid", "-g",
            help="NAME=START:STOP:N (N evenly spaced values) or NAME=V1,V2,... (repeatable; the Cartesian product is run).",
        ),
    ],
    scenario: Annotated[str | None, typer.Option("--scenario", "-s", help="Scenario applied at every point (its `model =` must be MODEL).")] = None,
    paths: Annotated[int | None, typer.Option(min=1, help="Monte Carlo paths per point (default: the scenario's, else the model's [model] defaults, else 1).", show_default=False)] = None,
    periods: Annotated[int | None, typer.Option(min=1, help="Periods to solve (default: the scenario's, else the model's, else 100).", show_default=False)] = None,
    seed: Annotated[int | None, seed_option("Root seed, >= 0; point i gets child i of SeedSequence(seed) (default: the scenario's, else random; printed).")] = None,
    save: Annotated[list[str] | None, typer.Option(help="Variables to keep, comma list or repeated (default all).")] = None,
    backend: Annotated[Backend, typer.Option(help="Where the points run.", case_sensitive=False)] = Backend.serial,
    workers: Annotated[int | None, typer.Option(min=1, help="Processes / Ray CPUs (default: all cores).", show_default=False)] = None,
    out: Annotated[str | None, typer.Option(help="Output folder (default: <home>/sweeps/<model>-<time>).", show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an earlier sweep in --out.")] = False,
    common_seed: Annotated[bool, typer.Option("--common-seed", help="Same seed at every point (common random numbers).")] = False,
    show: Annotated[str | None, typer.Option(help="Variable summarised in the table (default: the first saved).", show_default=False)] = None,
    fmt: FormatOption = OutputFormat.table,
    as_json: Annotated[bool, typer.Option("--json", hidden=True, help="Deprecated: use --format json.")] = False,
    lang: LangOption = None,
) -> None:
    """Run MODEL at every point of a parameter grid and write one Parquet shard per point.

    Example: bubblemachine sweep sim --grid alpha1=0.5:0.7:5 --grid theta=0.15,0.2,0.25 --paths 100
    """
    from bubblemachine._io import check_output_dir
    from bubblemachine.cli._common import print_csv, print_json, split_list, words
    from bubblemachine.errors import ScenarioError
    from bubblemachine.sfc.sweeps import parse_grid_spec, plan_sweep, run_sweep

    t = words(lang)
    from bubblemachine.cli._common import check_input_path

    check_input_path(model, option="MODEL")
    check_input_path(scenario, option="--scenario", file=True)
    if as_json:
        fmt = OutputFormat.json
    spec: dict[str, list[float]] = {}
    for item in grid:
        name, values = parse_grid_spec(item)
        if name in spec:
            raise ScenarioError(f"--grid {item!r}: {name} is given twice")
        spec[name] = values
    if workers is not None and backend is not Backend.ray:
        from bubblemachine.sfc.backends import default_workers

        cap = 8 * default_workers()
        if workers > cap:
            raise ScenarioError(f"--workers {workers}: more than {cap} (8 per core here) would only thrash; "
                                "use --backend ray for a cluster")
    save_list = split_list(save, option="--save")
    if out is not None:
        check_output_dir(out, option="--out")
    else:
        from bubblemachine.paths import home

        check_output_dir(home() / "sweeps", option="--home")
    plan = plan_sweep(model, spec, scenario=scenario, paths=paths, periods=periods, seed=seed, save=save_list,
                      common_seed=common_seed)
    if show is not None and show not in plan.spec.names:  # checked before anything runs
        shown = ", ".join(plan.spec.names[:12]) + (", ..." if len(plan.spec.names) > 12 else "")
        raise ScenarioError(f"--show {show}: not saved (saved: {shown})")
    res = run_sweep(plan, out=out, backend=backend.value, workers=workers,
                    progress=progress_enabled() and fmt is OutputFormat.table, overwrite=force)
    m = res.manifest
    var = show or (res.names[0] if res.names else None)
    summary = res.summary(var) if var is not None else None
    if fmt is OutputFormat.json:
        print_json({"out": str(res.out), "manifest": m, "variable": var,
                    "summary": summary.to_dict(orient="records") if summary is not None else []})
        return
    if fmt is OutputFormat.csv:
        if summary is not None:
            print_csv(list(summary.columns), summary.itertuples(index=False, name=None))
        return
    from rich.table import Table

    console.print(t("sweep.head", model=m["model"], scenario=m["scenario_name"], points=m["points"], paths=m["paths"],
                    periods=m["periods"], seed=m["seed"], backend=m["backend"], seconds=f"{m['elapsed_s']:.2f}"),
                  highlight=False, soft_wrap=True)
    if summary is not None:
        qcols = [c for c in summary.columns if c.startswith("q")]
        table = Table(title=t("sweep.title", variable=var))
        for k in res.grid:
            table.add_column(k, justify="right")
        for c in ["mean", "sd", *qcols]:
            table.add_column(c, justify="right")
        shown = summary if len(summary) <= 40 else summary.head(40)
        for _, row in shown.iterrows():
            table.add_row(*[f"{row[k]:.6g}" for k in res.grid], *[f"{row[c]:,.6g}" for c in ["mean", "sd", *qcols]])
        console.print(table)
        if len(summary) > 40:
            console.print(t("sweep.more", n=len(summary) - 40, path=str(res.out / "summary.parquet")), highlight=False, soft_wrap=True)
    console.print(t("sweep.wrote", path=str(res.out), points=m["points"]), highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("sweep")(sweep_cmd)
