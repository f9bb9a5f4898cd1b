"""``bubblemachine data ...``: the real-data store."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from bubblemachine.cli._common import (
    FormatOption,
    LangOption,
    OutputFormat,
    console,
    err_console,
    progress_enabled,
    words,
)


class Frequency(StrEnum):
    """``--frequency`` of an imported series."""

    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"
    quarterly = "quarterly"
    annual = "annual"
    irregular = "irregular"


class Source(StrEnum):
    """``--source`` of ``data update``."""

    fred = "fred"
    yahoo = "yahoo"

data_app = typer.Typer(
    help="The real-data store: list, show, import, update, verify, reset, build the snapshot.",
    no_args_is_help=True,
)

_FREQ_SHORT = {"daily": "D", "weekly": "W", "monthly": "M", "quarterly": "Q", "annual": "A", "irregular": "-"}


def _short_units(units: str) -> str:
    from bubblemachine.cli._common import short_units

    return short_units(units)


@data_app.command("list")
def list_(fmt: FormatOption = OutputFormat.table, lang: LangOption = None) -> None:
    """List every series: id, units, frequency, first and last date, origin, title.

    Units are shortened (USD mn = USD millions; * = see `data show`), frequency is
    D/W/M/Q, origin is "snap" (embedded snapshot) or "store" (imported or updated).
    """
    from rich.table import Table

    from bubblemachine.cli._common import print_records
    from bubblemachine.data import open_store

    t = words(lang)
    metas = open_store().metas()
    if fmt is not OutputFormat.table:
        cols = ["id", "units", "frequency", "first", "last", "rows", "origin", "title"]
        records = [m.to_dict() for m in metas]
        print_records(records, fmt, columns=cols)
        return
    n_store = sum(m.origin == "store" for m in metas)
    rows = [
        (m.id, _short_units(m.units), _FREQ_SHORT.get(m.frequency, m.frequency[:1]), m.first, m.last,
         "store" if m.origin == "store" else "snap")
        for m in metas
    ]
    names = (t("col.id"), t("col.units"), "f", t("col.first"), t("col.last"), t("col.from"))
    widths = [max(len(name), *(len(r[i]) for r in rows)) if rows else len(name) for i, name in enumerate(names)]
    widths[1] = min(widths[1], 9)
    # Fixed widths so that nothing but the title is ever cut: one space between columns.
    title_width = max(10, console.width - sum(widths) - len(widths))
    table = Table(
        title=t("data.list_title", n=len(metas), store=n_store),
        box=None, padding=(0, 1, 0, 0), show_edge=False, expand=False,
    )
    for name, width in zip(names, widths, strict=True):
        table.add_column(name, no_wrap=True, width=width, overflow="ellipsis", header_style="bold")
    table.add_column(t("col.title"), no_wrap=True, overflow="ellipsis", width=title_width - 1, header_style="bold")
    for r, m in zip(rows, metas, strict=True):
        table.add_row(*r, m.title)
    console.print(table)


@data_app.command("show")
def show(
    series: Annotated[str, typer.Argument(help="Series id, e.g. WALCL (see `data list`).")],
    tail: Annotated[int, typer.Option(help="How many of the latest rows to print.", min=0)] = 10,
    asof: Annotated[str | None, typer.Option(help="Only rows known on YYYY-MM-DD (the series' release rule: e.g. H.4.1 weeks on the Thursday after).", show_default=False)] = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Show a series' metadata and its latest rows."""
    from rich.table import Table

    from bubblemachine.cli._common import check_date
    from bubblemachine.data import open_store, parse_asof

    t = words(lang)
    asof = check_date(asof, option="--asof")
    store = open_store()
    meta = store.meta(series.upper() if not store.has(series) and store.has(series.upper()) else series)
    ts = parse_asof(asof, store=store, series=[meta.id])
    frame = store.frame(meta.id, asof=ts)
    rows = frame.tail(tail) if tail else frame.iloc[:0]
    if fmt is OutputFormat.csv:
        from bubblemachine.cli._common import print_csv

        out = rows.reset_index()
        print_csv([str(c) for c in out.columns],
                  ([f"{r[0]:%Y-%m-%d}", *r[1:]] for r in out.itertuples(index=False, name=None)))
        return
    if fmt is OutputFormat.json:
        from bubblemachine.cli._common import print_json

        out = rows.reset_index()
        out["date"] = out["date"].dt.strftime("%Y-%m-%d")
        print_json({"meta": meta.to_dict(), "rows": out.astype(object).where(out.notna(), None).to_dict("records")})
        return
    console.print(f"[bold]{meta.id}[/bold]: {meta.title}", highlight=False)
    console.print(t("data.show_meta", units=meta.units, frequency=meta.frequency, first=meta.first, last=meta.last,
                    rows=f"{meta.rows:,}", origin=meta.origin), highlight=False)
    if meta.keys:
        console.print(t("data.show_panel", keys=", ".join(meta.keys)), highlight=False)
    console.print(t("data.show_publisher", publisher=meta.publisher), highlight=False)
    console.print(t("data.show_source", source=meta.source), highlight=False)
    if meta.refreshed:
        console.print(t("data.show_refreshed", refreshed=meta.refreshed, live=meta.live), highlight=False)
    console.print(t("data.show_licence", licence=meta.licence), highlight=False)
    table = Table(caption=t("data.show_units", units=meta.units), caption_justify="left")
    table.add_column(t("col.date"))
    for c in frame.columns:
        table.add_column(str(c), justify="right")
    for idx, row in rows.iterrows():
        table.add_row(f"{idx:%Y-%m-%d}", *[_fmt(v) for v in row.tolist()])
    console.print(table)


def _fmt(v) -> str:
    if isinstance(v, float):
        return "" if v != v else f"{v:,.4f}".rstrip("0").rstrip(".")
    return str(v)


@data_app.command("import")
def import_cmd(
    path: Annotated[str, typer.Argument(help="A CSV file, or a folder of CSV files laid out like shared/data.")],
    units: Annotated[str | None, typer.Option(help="Units of files not in the catalogue, e.g. 'USD millions', 'percent' (see docs/data.md for the list).", show_default=False)] = None,
    title: Annotated[str | None, typer.Option(help="Title of a series not in the catalogue.", show_default=False)] = None,
    frequency: Annotated[Frequency | None, typer.Option(help="Frequency (default: inferred from the dates).", case_sensitive=False, show_default=False)] = None,
    series_id: Annotated[str | None, typer.Option("--id", help="Store a single file under this id: letters, digits, _ . - (default: from the file name).", show_default=False)] = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Import CSV files into your store; each file replaces that series (all or nothing).

    File names map to ids as in shared/data (fred_WALCL.csv -> WALCL, px_NVDA.csv -> NVDA).
    The report counts rows added, changed and removed relative to what you had before.
    """
    from bubblemachine.cli._common import print_records
    from bubblemachine.data.importer import import_path

    t = words(lang)
    freq = frequency.value if frequency is not None else None
    if progress_enabled() and fmt is OutputFormat.table:
        from rich.progress import Progress

        with Progress(transient=True, console=err_console) as bar:
            task = bar.add_task("reading", total=None)
            results = import_path(path, units=units, title=title, frequency=freq, series_id=series_id,
                                  progress=lambda name: bar.update(task, description=f"reading {name}"))
    else:
        results = import_path(path, units=units, title=title, frequency=freq, series_id=series_id)
    if fmt is not OutputFormat.table:
        print_records([r.to_dict() for r in results], fmt,
                      columns=["id", "file", "rows", "added", "changed", "removed", "previous", "written", "units"])
        return
    from rich.table import Table

    written = [r for r in results if r.written]
    table = Table(title=t("data.import_title", written=len(written), n=len(results)), show_lines=False)
    for key in ("id", "rows", "added", "changed", "removed", "before"):
        table.add_column(t(f"col.{key}"), justify="left" if key in ("id", "before") else "right")
    for r in written:
        table.add_row(r.id, f"{r.rows:,}", f"{r.added:,}", f"{r.changed:,}", f"{r.removed:,}", r.previous or t("data.new"))
    if written:
        console.print(table)
    same = len(results) - len(written)
    if same:
        console.print(t("data.import_same", n=same), highlight=False)


@data_app.command("update")
def update_cmd(
    source: Annotated[Source | None, typer.Option(help="Only this source (default both).", case_sensitive=False, show_default=False)] = None,
    series: Annotated[list[str] | None, typer.Option("--series", help="Only these series ids, comma list or repeated.", show_default=False)] = None,
    full: Annotated[bool, typer.Option(help="Download whole histories instead of the recent window.")] = False,
    strict: Annotated[bool, typer.Option(help="Exit with code 2 if any series could not be refreshed (offline or failed).")] = False,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Refresh series from FRED (FRED_API_KEY: JSON API; else keyless CSV) and Yahoo (extra 'market').

    Offline, the stored data stay in use and one line says so; the exit code is 0 unless
    --strict.
    """
    from bubblemachine.cli._common import split_list
    from bubblemachine.data.update import update
    from bubblemachine.errors import NetworkError

    t = words(lang)
    ids = split_list(series, option="--series")
    src = source.value if source is not None else None
    if progress_enabled() and fmt is OutputFormat.table:
        from rich.progress import Progress

        with Progress(transient=True, console=err_console) as bar:
            task = bar.add_task("updating", total=None)
            report = update(source=src, series=ids, full=full,
                            progress=lambda sid: bar.update(task, description=f"updating {sid}"))
    else:
        report = update(source=src, series=ids, full=full)
    if fmt is OutputFormat.json:
        from bubblemachine.cli._common import print_json

        print_json(report.to_dict())
    elif fmt is OutputFormat.csv:
        from bubblemachine.cli._common import print_records

        rows = report.to_dict()["results"]
        print_records(rows, fmt)
    else:
        _print_update(report, t)
    if strict and not report.ok:
        bad = len(report.by_status("offline")) + len(report.by_status("failed"))
        raise NetworkError(f"--strict: {bad} series could not be refreshed")


def _print_update(report, t) -> None:
    from rich.table import Table

    updated = report.by_status("updated")
    if updated:
        table = Table(title=t("data.updated_title", n=len(updated)))
        for col in ("id", "source", "added", "changed", "last", "note"):
            table.add_column(col, justify="right" if col in ("added", "changed") else "left",
                             overflow="fold" if col == "note" else "ellipsis")
        for r in updated:
            table.add_row(r.id, r.source, f"{r.added:,}", f"{r.changed:,}", r.last_after, r.note)
        console.print(table)
    unchanged = report.by_status("unchanged")
    if unchanged:
        console.print(t("data.current", n=len(unchanged)), highlight=False)
    for r in report.by_status("failed"):
        err_console.print(f"[yellow]failed:[/yellow] {r.id}: {r.note}", highlight=False, soft_wrap=True)
    skipped = report.by_status("skipped")
    if skipped:
        reasons: dict[str, list[str]] = {}
        for r in skipped:
            reasons.setdefault(r.note, []).append(r.id)
        for note, ids in reasons.items():
            shown = ", ".join(ids[:6]) + (f" and {len(ids) - 6} more" if len(ids) > 6 else "")
            console.print(f"skipped {shown}: {note}", highlight=False)
    line = report.offline_line()
    if line:
        err_console.print(f"[yellow]{line}[/yellow]", highlight=False, soft_wrap=True)


@data_app.command("verify")
def verify_cmd(lang: LangOption = None) -> None:
    """Check every stored file (your store and the snapshot) against its SHA-256 checksum."""
    from bubblemachine.data import open_store
    from bubblemachine.errors import DataError

    t = words(lang)
    store = open_store()
    problems = store.verify()
    n = len(store.ids())
    if problems:
        for sid, origin, what in problems:
            err_console.print(f"[red]damaged:[/red] {sid} ({origin}): {what}", highlight=False, soft_wrap=True)
        ids = " ".join(f"--series {sid}" for sid, origin, _ in problems if origin == "store")
        hint = f"`bubblemachine data reset {ids}` drops the damaged copies" if ids else "reinstall bubblemachine"
        raise DataError(f"{len(problems)} damaged series; {hint}")
    console.print(t("data.verified", n=n), highlight=False)


@data_app.command("reset")
def reset_cmd(
    series: Annotated[list[str] | None, typer.Option("--series", help="Only drop these series, comma list or repeated.", show_default=False)] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    lang: LangOption = None,
) -> None:
    """Drop your store (or some series) so reads fall back to the embedded snapshot."""
    from bubblemachine.cli._common import split_list
    from bubblemachine.data import open_store

    t = words(lang)
    ids = split_list(series, option="--series")
    store = open_store()
    what = ", ".join(ids) if ids else t("data.whole_store", root=str(store.root))
    if not yes and not typer.confirm(t("data.confirm_drop", what=what)):
        raise typer.Exit(1)
    removed = store.remove(ids)
    console.print(t("data.dropped", n=len(removed), root=str(store.root)), highlight=False, soft_wrap=True)


@data_app.command("build-snapshot")
def build_snapshot_cmd(
    src_dir: Annotated[str, typer.Argument(help="Folder laid out like shared/data (CSV files).")],
    out: Annotated[str | None, typer.Option(help="Output folder (default: the package's embedded snapshot).", show_default=False)] = None,
    lang: LangOption = None,
) -> None:
    """Regenerate the embedded snapshot (Parquet + manifest) from SRC_DIR, reproducibly."""
    from pathlib import Path

    from bubblemachine._io import check_output_dir
    from bubblemachine.data.snapshot import build_snapshot
    from bubblemachine.errors import DataError

    t = words(lang)
    src = Path(src_dir)
    if not src.exists():
        raise DataError(f"{src}: no such folder")
    if not src.is_dir():
        raise DataError(f"{src}: not a folder (a folder of CSV files laid out like shared/data is expected)")
    if out is not None:
        check_output_dir(out, option="--out")
    if progress_enabled():
        from rich.progress import Progress

        with Progress(transient=True, console=err_console) as bar:
            task = bar.add_task("building snapshot", total=None)
            manifest = build_snapshot(src_dir, out, progress=lambda sid: bar.update(task, description=f"building {sid}"))
    else:
        manifest = build_snapshot(src_dir, out)
    console.print(t("data.snapshot", n=len(manifest["series"]), cutoff=manifest["cutoff"]), highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")
