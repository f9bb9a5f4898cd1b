"""``bubblemachine run``: the main job (monitor summary + the HTML report)."""

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


def _export_monitor(indicators: dict, out_dir) -> None:
    """Write ``monitor.json`` ({id: {value, units, asof}}) and ``monitor.csv`` next to the report."""
    import csv
    import io
    import json

    from bubblemachine._io import atomic_write_text
    from bubblemachine.cli._common import csv_value

    rows = {iid: ind.to_json() for iid, ind in indicators.items()}
    atomic_write_text(
        out_dir / "monitor.json", json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    )
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "value", "units", "asof"])
    for iid, r in rows.items():
        writer.writerow([iid, csv_value(r["value"]), r["units"], r["asof"] or ""])
    atomic_write_text(out_dir / "monitor.csv", buf.getvalue())


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run(
        out: Annotated[str, typer.Option("--out", help="Output folder for report.html.")] = "out",
        asof: Annotated[
            str | None, typer.Option("--asof", help="Use only data known on YYYY-MM-DD.", show_default=False)
        ] = None,
        fmt: FormatOption = OutputFormat.table,
        lang: LangOption = None,
    ) -> None:
        """Compute the monitor and write a self-contained, bilingual HTML report (OUT/report.html).

        Also writes OUT/monitor.json and OUT/monitor.csv (every indicator: value, units, date).
        --lang sets the page's initial language (the page holds both) and the summary's.
        """
        from bubblemachine._io import check_output_dir, check_output_file
        from bubblemachine.cli._common import check_date, print_json, resolve_lang, words
        from bubblemachine.cli.monitor import monitor_records, print_monitor
        from bubblemachine.composition import REPORT_SECTIONS
        from bubblemachine.data import open_store
        from bubblemachine.indicators import parse_asof
        from bubblemachine.report.core import SUMMARY_IDS
        from bubblemachine.report.render import build_report

        code = resolve_lang(lang)
        t = words(code)
        folder = check_output_dir(out, option="--out")
        for name in ("report.html", "monitor.json", "monitor.csv"):
            check_output_file(folder / name, option="--out")
        import contextlib

        from bubblemachine.errors import BubbleMachineError
        from bubblemachine.indicators import SERIES_USED

        store = open_store()
        ts = parse_asof(check_date(asof, option="--asof"), store=store, series=SERIES_USED)
        if progress_enabled() and fmt is OutputFormat.table:
            with console.status(t("run.building")):
                result = build_report(store, out_dir=out, asof=ts, lang=code, providers=REPORT_SECTIONS)
        else:
            result = build_report(store, out_dir=out, asof=ts, lang=code, providers=REPORT_SECTIONS)
        if fmt is OutputFormat.table:
            from bubblemachine.forecasts.start import model_dir_for

            with contextlib.suppress(BubbleMachineError):  # no AI model section possible: nothing to say
                console.print(t("simulate.started", date=model_dir_for(ts, store=store)[1]), highlight=False)
        if result.monitor is not None:
            _export_monitor(result.monitor, result.path.parent)
        if fmt is OutputFormat.json:
            print_json({"report": str(result.path.resolve()),
                        "summary": monitor_records(result.monitor, list(SUMMARY_IDS)) if result.monitor else []})
            return
        if result.monitor is not None:
            print_monitor(result.monitor, fmt, code, ids=list(SUMMARY_IDS))
        if fmt is OutputFormat.csv:
            return
        console.print(
            t("run.report", path=str(result.path), mb=f"{result.size_bytes / 1e6:.1f}", sections=len(result.sections),
              commit=result.commit), highlight=False, soft_wrap=True,
        )
        typer.echo(str(result.path.resolve()))
