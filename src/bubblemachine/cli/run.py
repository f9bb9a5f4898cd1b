"""``bubblemachine run``: the main job (monitor summary + the HTML report)."""

from __future__ import annotations

from typing import Annotated

import typer

from bubblemachine.cli._common import console, progress_enabled


def _export_monitor(indicators: dict, out_dir) -> None:
    """Write ``monitor.json`` ({id: {value, units, asof}}) and ``monitor.csv`` next to the report."""
    import csv
    import io
    import json

    from bubblemachine._io import atomic_write_text

    rows = {iid: ind.to_json() for iid, ind in indicators.items()}
    atomic_write_text(
        out_dir / "monitor.json", json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    )
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "value", "units", "asof"])
    for iid, r in rows.items():
        writer.writerow(
            [iid, "" if r["value"] is None else repr(r["value"]), r["units"], r["asof"] or ""]
        )
    atomic_write_text(out_dir / "monitor.csv", buf.getvalue())


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run(
        out: Annotated[str, typer.Option("--out", help="Output folder for report.html.")] = "out",
        asof: Annotated[
            str | None, typer.Option("--asof", help="Use only data dated on or before YYYY-MM-DD.")
        ] = None,
        lang: Annotated[
            str,
            typer.Option("--lang", help="Initial report language: ko | en (the page holds both)."),
        ] = "ko",
    ) -> None:
        """Compute the monitor and write a self-contained, bilingual HTML report (OUT/report.html).

        Also writes OUT/monitor.json and OUT/monitor.csv (every indicator: value, units, date).
        """
        import contextlib

        from bubblemachine.cli.monitor import monitor_table
        from bubblemachine.data import open_store
        from bubblemachine.errors import BubbleMachineError
        from bubblemachine.indicators import parse_asof
        from bubblemachine.report.core import SUMMARY_IDS
        from bubblemachine.report.render import build_report
        from bubblemachine.report.sections import ReportError

        if lang not in ("ko", "en"):
            raise ReportError(f"--lang: {lang!r} is not one of ko, en")
        from bubblemachine.indicators import SERIES_USED

        store = open_store()
        ts = parse_asof(asof, store=store, series=SERIES_USED)
        if progress_enabled():
            with console.status("building the report…"):
                result = build_report(store, out_dir=out, asof=ts, lang=lang)
        else:
            result = build_report(store, out_dir=out, asof=ts, lang=lang)
        # the summary reuses the indicators the report computed (no second pass over the data)
        from bubblemachine.report.i18n import Catalog
        from bubblemachine.report.registry import catalog_dirs

        catalog = Catalog.load(catalog_dirs(["bubblemachine.report.core:summary_section"]))
        if result.monitor is not None:
            console.print(monitor_table(result.monitor, catalog, lang, ids=list(SUMMARY_IDS)))
            _export_monitor(result.monitor, result.path.parent)
        from bubblemachine.forecasts import model_dir_for

        with contextlib.suppress(BubbleMachineError):  # no AI model section possible: nothing to say
            console.print(f"AI model started on {model_dir_for(ts, store=store)[1]} (data and policy events known then)",
                          highlight=False)
        console.print(
            f"report: [bold]{result.path}[/bold] ({result.size_bytes / 1e6:.1f} MB, {len(result.sections)} sections, commit {result.commit})"
        )
        typer.echo(str(result.path.resolve()))
