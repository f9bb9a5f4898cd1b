"""``bubblemachine calibrate``: initial state and noise of the AI liquidity model from data."""

from __future__ import annotations

from typing import Annotated

import typer

from bubblemachine.cli._common import LangOption, console


def calibrate_cmd(
    asof: Annotated[str, typer.Option(help="As-of date YYYY-MM-DD (model period 0); data after it are ignored.")] = "2025-11-14",
    years: Annotated[int, typer.Option(min=1, help="Noise-fitting window in years before --asof.")] = 5,
    out: Annotated[str | None, typer.Option(help="Output file FILE.toml (default: the model's calibration.toml).", show_default=False)] = None,
    check: Annotated[bool, typer.Option("--check", help="Only verify that the file is up to date (exit 1 if stale).")] = False,
    lang: LangOption = None,
) -> None:
    """Fit the AI liquidity model's initial state and noise to the data store; write calibration.toml."""
    from bubblemachine._io import check_output_file
    from bubblemachine.cli._common import check_date, words

    t = words(lang)
    asof = check_date(asof, option="--asof")
    if not check and out is not None:  # before the fit (and before importing it)
        check_output_file(out, option="--out", suffixes=(".toml",))
    from bubblemachine.calibrate import calibrate, check_calibration, default_path, write_calibration

    if not check and out is None:
        check_output_file(default_path(), option="--out", suffixes=(".toml",))
    cal = calibrate(asof=asof, years=years)
    if check:
        ok, msg = check_calibration(cal, out)
        console.print(("[green]ok[/green] " if ok else "[red]stale[/red] ") + msg, highlight=False, soft_wrap=True)
        if not ok:
            raise typer.Exit(1)
        return
    path = write_calibration(cal, out)
    n = cal.noise
    console.print(
        t("calibrate.wrote", path=str(path), initial=len(cal.initial), noise=len(n.names), first=n.first,
          last=n.last, days=n.n_obs, nu=f"{n.nu:.3f}"),
        highlight=False, soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    app.command("calibrate")(calibrate_cmd)
