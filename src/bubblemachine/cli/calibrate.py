"""``bubblemachine calibrate``: initial state and noise of the AI liquidity model from data."""

from __future__ import annotations

from typing import Annotated

import typer

from bubblemachine.cli._common import console


def calibrate_cmd(
    asof: Annotated[str, typer.Option(help="As-of date YYYY-MM-DD (model period 0); data after it are ignored.")] = "2025-11-14",
    years: Annotated[int, typer.Option(help="Noise-fitting window in years before --asof.")] = 5,
    out: Annotated[str | None, typer.Option(help="Output file (default: the package's models/ai_liquidity/calibration.toml).")] = None,
    check: Annotated[bool, typer.Option("--check", help="Only verify that the file is up to date (exit 1 if stale).")] = False,
) -> None:
    """Fit the AI liquidity model's initial state and noise to the data store; write calibration.toml."""
    from bubblemachine.calibrate import calibrate, check_calibration, write_calibration

    cal = calibrate(asof=asof, years=years)
    if check:
        ok, msg = check_calibration(cal, out)
        console.print(("[green]ok[/green] " if ok else "[red]stale[/red] ") + msg, highlight=False)
        if not ok:
            raise typer.Exit(1)
        return
    path = write_calibration(cal, out)
    n = cal.noise
    console.print(
        f"wrote {path}: {len(cal.initial)} initial values, {len(n.names)} noise series, "
        f"window {n.first}..{n.last} ({n.n_obs} days), nu = {n.nu:.3f}",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command("calibrate")(calibrate_cmd)
