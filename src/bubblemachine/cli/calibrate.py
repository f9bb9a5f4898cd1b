"""``bubblemachine calibrate``: initial state, noise and policy state of the AI liquidity model from data."""

from __future__ import annotations

from typing import Annotated

import typer

from bubblemachine.cli._common import LangOption, console


def calibrate_cmd(
    asof: Annotated[str | None, typer.Option(help="As-of date YYYY-MM-DD (model period 0): only data and events known then [default: the latest date the store supports; with --check: the file's own date].", show_default=False)] = None,
    years: Annotated[int, typer.Option(min=1, help="Noise-fitting window in years before --asof.")] = 5,
    out: Annotated[str | None, typer.Option(help="Output file FILE.toml [default: your store, <home>/calibration/ai_liquidity/<asof>-<key>.toml; never the installed package].", show_default=False)] = None,
    check: Annotated[bool, typer.Option("--check", help="Only verify that a calibration file (--out, default the shipped one) is up to date (exit 1 if stale).")] = False,
    lang: LangOption = None,
) -> None:
    """Fit the AI liquidity model's initial state, noise and policy state to the data store as known on a date."""
    from bubblemachine._io import check_output_file
    from bubblemachine.cli._common import check_date, words

    t = words(lang)
    asof = check_date(asof, option="--asof")
    if not check and out is not None:  # before the fit (and before importing it)
        check_output_file(out, option="--out", suffixes=(".toml",))
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
        console.print(("[green]ok[/green] " if ok else "[red]stale[/red] ") + msg, highlight=False, soft_wrap=True)
        if not ok:
            raise typer.Exit(1)
        return
    cal = calibrate(asof=asof, years=years)
    path = write_calibration(cal, out)
    n = cal.noise
    console.print(
        t("calibrate.wrote", path=str(path), asof=cal.asof, initial=len(cal.initial), noise=len(n.names),
          first=n.first, last=n.last, days=n.n_obs, nu=f"{n.nu:.3f}"),
        highlight=False, soft_wrap=True,
    )
    p = cal.policy
    if p is not None:
        step = p.steps[0]
        later = ", ".join(f"{s.regime} from {s.date}" for s in p.steps[1:]) or t("calibrate.no_change")
        shutdown = t("calibrate.shutdown_yes", event=p.shutdown_event) if p.shutdown else t("calibrate.shutdown_no")
        console.print(
            t("calibrate.policy", asof=p.asof, regime=step.regime, flow=f"{step.flow:.2f}", event=step.event,
              later=later, shutdown=shutdown, tga=f"{p.tga_target:.0f}", source=p.tga_target_source),
            highlight=False, soft_wrap=True,
        )


def register(app: typer.Typer) -> None:
    app.command("calibrate")(calibrate_cmd)
