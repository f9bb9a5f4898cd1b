"""``bubblemachine calibrate``: initial state, noise and policy state of the AI liquidity model from data."""

from __future__ import annotations

from typing import Annotated

import typer

from bubblemachine.cli._common import console


def calibrate_cmd(
    asof: Annotated[str | None, typer.Option(help="As-of date YYYY-MM-DD (model period 0): only data and events known then. [default: the latest date the store supports; with --check: the file's own date]", show_default=False)] = None,
    years: Annotated[int, typer.Option(help="Noise-fitting window in years before --asof.")] = 5,
    out: Annotated[str | None, typer.Option(help="Output file. [default: your store, <home>/calibration/ai_liquidity/<asof>-<key>.toml; never the installed package]", show_default=False)] = None,
    check: Annotated[bool, typer.Option("--check", help="Only verify that a calibration file (--out, default the shipped one) is up to date (exit 1 if stale).")] = False,
) -> None:
    """Fit the AI liquidity model's initial state, noise and policy state to the data store as known on a date."""
    from bubblemachine.calibrate import (
        calibrate,
        check_calibration,
        default_path,
        write_calibration,
    )
    from bubblemachine.calibrate.files import shipped_asof

    if check:
        from bubblemachine.errors import DataError

        target = out if out is not None else default_path()
        if asof is None:
            try:
                asof = shipped_asof(target)
            except DataError:  # no date in the file: it is stale against the default date
                asof = None
        cal = calibrate(asof=asof, years=years)
        ok, msg = check_calibration(cal, target)
        console.print(("[green]ok[/green] " if ok else "[red]stale[/red] ") + msg, highlight=False)
        if not ok:
            raise typer.Exit(1)
        return
    cal = calibrate(asof=asof, years=years)
    path = write_calibration(cal, out)
    n = cal.noise
    console.print(
        f"wrote {path}: as of {cal.asof}, {len(cal.initial)} initial values, {len(n.names)} noise series, "
        f"window {n.first}..{n.last} ({n.n_obs} days), nu = {n.nu:.3f}",
        highlight=False,
    )
    p = cal.policy
    if p is not None:
        step = p.steps[0]
        later = ", ".join(f"{s.regime} from {s.date}" for s in p.steps[1:]) or "no change announced"
        console.print(
            f"policy known on {p.asof}: Fed balance sheet {step.regime} ({step.flow:.2f} USD bn a day, {step.event}); "
            f"{later}; shutdown {'yes (' + p.shutdown_event + ')' if p.shutdown else 'no'}; "
            f"TGA target {p.tga_target:.0f} USD bn ({p.tga_target_source})",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    app.command("calibrate")(calibrate_cmd)
