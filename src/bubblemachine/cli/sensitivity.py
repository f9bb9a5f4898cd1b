"""``bubblemachine sensitivity SCENARIO --series spx``: which parameters drive a scenario's answer."""

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


def register(app: typer.Typer) -> None:
    app.command("sensitivity")(sensitivity_cmd)


def sensitivity_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario name or .toml path, e.g. reverse_qe.")],
    series: Annotated[list[str] | None, typer.Option("--series", help="Series whose answer is analysed (repeatable or a comma list) [default: spx].")] = None,
    vs: Annotated[str, typer.Option("--vs", help="Comparison scenario: the answer is the path-wise difference to it (same seed). 'none': the change itself.")] = "baseline",
    param: Annotated[list[str] | None, typer.Option("--param", help="Vary only these parameters (repeatable or a comma list) [default: every parameter marked rough].")] = None,
    include: Annotated[str, typer.Option("--include", help="Without --param: 'rough' parameters or 'all' with a finite range.")] = "rough",
    horizon: Annotated[int | None, typer.Option("--horizon", help="Periods (business days) [default: the model's, 252].", show_default=False)] = None,
    paths: Annotated[int, typer.Option("--paths", help="Monte Carlo paths per run (same seed in every run).")] = 32,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="Common seed, >= 0 [default: the model's].", show_default=False)] = None,
    trajectories: Annotated[int, typer.Option("--trajectories", help="Morris trajectories (runs: trajectories x (parameters + 1)).")] = 4,
    top: Annotated[int, typer.Option("--top", help="Parameters passed from the screening to the Sobol stage (0: screening only).")] = 6,
    sobol_samples: Annotated[int, typer.Option("--sobol-samples", help="Sobol base samples, a power of two (runs: n x (top + 2)).")] = 16,
    stat: Annotated[str, typer.Option("--stat", help="Statistic over paths of each answer: mean or median.")] = "mean",
    backend: Annotated[str, typer.Option("--backend", help="Engine backend for the runs: serial, process or ray.")] = "serial",
    workers: Annotated[int | None, typer.Option("--workers", help="Workers of the process / Ray backend [default: usable cores].", show_default=False)] = None,
    asof: Annotated[str | None, typer.Option("--asof", help="Start the AI model on this date YYYY-MM-DD [default: the latest date the store supports].", show_default=False)] = None,
    out: Annotated[str | None, typer.Option("--out", help="Also write the full result as JSON to this file (atomically).", show_default=False)] = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Morris screening, then Sobol indices: which parameters drive a scenario's answer, and is it robust."""
    from bubblemachine.cli._common import resolve_lang, split_list
    from bubblemachine.sensitivity import sensitivity
    from bubblemachine.sensitivity.report import save_result

    names = split_list(series, option="--series") or ["spx"]
    params = split_list(param, option="--param")
    res = sensitivity(scenario, series=names, vs=None if vs.strip().lower() == "none" else vs, horizon=horizon,
                      paths=paths, seed=seed, parameters=params, include=include, trajectories=trajectories,
                      top=top, sobol_samples=sobol_samples, stat=stat, backend=backend, workers=workers, asof=asof,
                      progress=progress_enabled() and fmt == OutputFormat.table)
    save_result(res)
    if out is not None:
        from bubblemachine.sensitivity.report import write_json

        write_json(res, out)
    if fmt == OutputFormat.json:
        from bubblemachine.cli._common import print_json

        print_json(res.to_json())
        return
    if fmt == OutputFormat.csv:
        import sys

        sys.stdout.write(res.to_csv())
        return
    _print_tables(res, resolve_lang(lang))


def _print_tables(res, lang: str) -> None:
    from rich.table import Table

    from bubblemachine.sensitivity.report import catalog, format_answer

    tr = catalog(lang)  # the sensitivity room's catalog (both languages: tests/sensitivity)
    vs = res.vs or tr("sensitivity.cli.none")
    console.print(tr("sensitivity.cli.header", scenario=res.scenario, vs=vs, horizon=res.horizon, paths=res.paths,
                    seed=res.seed, k=len(res.parameters), runs=res.runs, seconds=f"{res.elapsed_s:.0f}"))
    for s, r in res.series.items():
        rob = r.robustness
        console.print(
            f"\n[bold]{s}[/bold]: " + tr("sensitivity.cli.answer", default=format_answer(rob.default, r.kind),
                                        q05=format_answer(rob.q05, r.kind), q95=format_answer(rob.q95, r.kind),
                                        share=_pct(rob.share_same_sign), verdict=tr(f"sensitivity.verdict.{rob.verdict}")))
        table = Table(title=tr("sensitivity.cli.morris_title", series=s), caption=tr("sensitivity.cli.morris_caption"))
        for col in ("rank", "parameter", "mu_star", "conf", "mu", "sigma"):
            table.add_column(tr(f"sensitivity.col.{col}"), justify="left" if col == "parameter" else "right")
        for m in r.morris[:10]:
            table.add_row(str(m.rank), m.parameter, f"{m.mu_star:.4g}", f"±{m.mu_star_conf:.2g}", f"{m.mu:+.4g}", f"{m.sigma:.4g}")
        console.print(table)
        if r.sobol:
            st = Table(title=tr("sensitivity.cli.sobol_title", series=s), caption=tr("sensitivity.cli.sobol_caption"))
            for col in ("parameter", "s1", "st"):
                st.add_column(tr(f"sensitivity.col.{col}"), justify="left" if col == "parameter" else "right")
            for x in r.sobol:
                st.add_row(x.parameter, f"{x.s1:.2f} ±{x.s1_conf:.2f}", f"{x.st:.2f} ±{x.st_conf:.2f}")
            console.print(st)
        elif r.sobol_note:
            console.print(r.sobol_note)


def _pct(x: float) -> str:
    import math

    return "-" if not math.isfinite(x) else f"{100 * x:.0f}%"
