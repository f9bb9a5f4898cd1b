"""``bubblemachine data ...``: the real-data store."""

from __future__ import annotations

from typing import Annotated

import typer

from bubblemachine.cli._common import console, err_console, progress_enabled

data_app = typer.Typer(
    help="The real-data store: list, show, import, update, verify, reset, build the snapshot.",
    no_args_is_help=True,
)

_UNITS_SHORT = {
    "USD thousands": "USD k",
    "USD millions": "USD mn",
    "USD billions": "USD bn",
    "USD trillions": "USD tn",
    "index points": "index",
    "percentage points": "pp",
    "indicator (0/1)": "0/1",
    "mixed (see columns)": "mixed",
}
_FREQ_SHORT = {"daily": "D", "weekly": "W", "monthly": "M", "quarterly": "Q", "annual": "A", "irregular": "-"}


def _short_units(units: str) -> str:
    base, _, rest = units.partition(" (")
    short = _UNITS_SHORT.get(units) or _UNITS_SHORT.get(base, base)
    return short if units in _UNITS_SHORT or not rest else f"{short}*"


def _check_format(fmt: str, allowed: tuple[str, ...] = ("table", "json")) -> None:
    if fmt not in allowed:
        raise typer.BadParameter(f"{fmt!r} is not one of {', '.join(allowed)}", param_hint="--format")


@data_app.command("list")
def list_(
    fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
) -> None:
    """List every series: id, units, frequency, first and last date, origin, title.

    Units are shortened (USD mn = USD millions; * = see `data show`), frequency is
    D/W/M/Q, origin is "snap" (embedded snapshot) or "store" (imported or updated).
    """
    from rich.table import Table

    from bubblemachine.cli._common import print_json
    from bubblemachine.data import open_store

    _check_format(fmt)
    metas = open_store().metas()
    if fmt == "json":
        print_json([m.to_dict() for m in metas])
        return
    n_store = sum(m.origin == "store" for m in metas)
    rows = [
        (m.id, _short_units(m.units), _FREQ_SHORT.get(m.frequency, m.frequency[:1]), m.first, m.last,
         "store" if m.origin == "store" else "snap")
        for m in metas
    ]
    names = ("id", "units", "f", "first", "last", "from")
    widths = [max(len(name), *(len(r[i]) for r in rows)) if rows else len(name) for i, name in enumerate(names)]
    widths[1] = min(widths[1], 9)
    # Fixed widths so that nothing but the title is ever cut: one space between columns.
    title_width = max(10, console.width - sum(widths) - len(widths))
    table = Table(
        title=f"{len(metas)} series ({n_store} from your store)",
        box=None, padding=(0, 1, 0, 0), show_edge=False, expand=False,
    )
    for name, width in zip(names, widths, strict=True):
        table.add_column(name, no_wrap=True, width=width, overflow="ellipsis", header_style="bold")
    table.add_column("title", no_wrap=True, overflow="ellipsis", width=title_width - 1, header_style="bold")
    for r, m in zip(rows, metas, strict=True):
        table.add_row(*r, m.title)
    console.print(table)


@data_app.command("show")
def show(
    series: Annotated[str, typer.Argument(help="Series id, e.g. WALCL (see `data list`).")],
    tail: Annotated[int, typer.Option(help="How many of the latest rows to print.", min=0)] = 10,
    asof: Annotated[str | None, typer.Option(help="Only rows known on YYYY-MM-DD (the series' release rule: e.g. H.4.1 weeks on the Thursday after).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table | json | csv")] = "table",
) -> None:
    """Show a series' metadata and its latest rows."""
    from rich.table import Table

    from bubblemachine.data import open_store

    _check_format(fmt, ("table", "json", "csv"))
    store = open_store()
    meta = store.meta(series.upper() if not store.has(series) and store.has(series.upper()) else series)
    from bubblemachine.data import parse_asof

    ts = parse_asof(asof, store=store, series=[meta.id])
    frame = store.frame(meta.id, asof=ts)
    rows = frame.tail(tail) if tail else frame.iloc[:0]
    if fmt == "csv":
        import sys

        rows.to_csv(sys.stdout, date_format="%Y-%m-%d")
        return
    if fmt == "json":
        from bubblemachine.cli._common import print_json

        out = rows.reset_index()
        out["date"] = out["date"].dt.strftime("%Y-%m-%d")
        print_json({"meta": meta.to_dict(), "rows": out.astype(object).where(out.notna(), None).to_dict("records")})
        return
    console.print(f"[bold]{meta.id}[/bold]: {meta.title}", highlight=False)
    console.print(
        f"units: {meta.units} | frequency: {meta.frequency} | {meta.first} .. {meta.last} | "
        f"{meta.rows:,} rows | origin: {meta.origin}",
        highlight=False,
    )
    if meta.keys:
        console.print(f"panel: one row per date and {', '.join(meta.keys)}", highlight=False)
    console.print(f"publisher: {meta.publisher}", highlight=False)
    console.print(f"source: {meta.source}", highlight=False)
    if meta.refreshed:
        console.print(f"refreshed: {meta.refreshed} ({meta.live})", highlight=False)
    console.print(f"licence: {meta.licence}", highlight=False)
    table = Table()
    table.add_column("date")
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
    path: Annotated[str, typer.Argument(help="A CSV file, or a directory of CSV files laid out like shared/data.")],
    units: Annotated[str | None, typer.Option(help="Units of files not in the catalogue, e.g. 'USD millions', 'percent'.")] = None,
    title: Annotated[str | None, typer.Option(help="Title of a series not in the catalogue.")] = None,
    frequency: Annotated[str | None, typer.Option(help="daily | weekly | monthly | quarterly | annual | irregular (default: inferred).")] = None,
    series_id: Annotated[str | None, typer.Option("--id", help="Store a single file under this id (default: from the file name).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
) -> None:
    """Import CSV files into your store; each file replaces that series (all or nothing).

    File names map to ids as in shared/data (fred_WALCL.csv -> WALCL, px_NVDA.csv -> NVDA).
    The report counts rows added, changed and removed relative to what you had before.
    """
    from bubblemachine.data.importer import import_path

    _check_format(fmt)
    if progress_enabled() and fmt == "table":
        from rich.progress import Progress

        with Progress(transient=True, console=err_console) as bar:
            task = bar.add_task("reading", total=None)
            results = import_path(path, units=units, title=title, frequency=frequency, series_id=series_id,
                                  progress=lambda name: bar.update(task, description=f"reading {name}"))
    else:
        results = import_path(path, units=units, title=title, frequency=frequency, series_id=series_id)
    if fmt == "json":
        from bubblemachine.cli._common import print_json

        print_json([r.to_dict() for r in results])
        return
    from rich.table import Table

    written = [r for r in results if r.written]
    table = Table(title=f"imported {len(written)} of {len(results)} file(s)", show_lines=False)
    for col in ("id", "rows", "added", "changed", "removed", "before"):
        table.add_column(col, justify="left" if col in ("id", "before") else "right")
    for r in written:
        table.add_row(r.id, f"{r.rows:,}", f"{r.added:,}", f"{r.changed:,}", f"{r.removed:,}", r.previous or "new")
    if written:
        console.print(table)
    same = len(results) - len(written)
    if same:
        console.print(f"{same} file(s) identical to the data you already have: nothing to write")


@data_app.command("update")
def update_cmd(
    source: Annotated[str | None, typer.Option(help="Only this source: fred | yahoo (default both).")] = None,
    series: Annotated[list[str] | None, typer.Option("--series", help="Only this series id (repeatable).")] = None,
    full: Annotated[bool, typer.Option(help="Download whole histories instead of the recent window.")] = False,
    strict: Annotated[bool, typer.Option(help="Exit with code 2 if any series could not be refreshed (offline or failed).")] = False,
    fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
) -> None:
    """Refresh series from FRED (FRED_API_KEY: JSON API; else keyless CSV) and Yahoo (extra 'market').

    Offline, the stored data stay in use and one line says so; the exit code is 0 unless
    --strict.
    """
    from bubblemachine.data.update import update
    from bubblemachine.errors import NetworkError

    _check_format(fmt)
    if progress_enabled() and fmt == "table":
        from rich.progress import Progress

        with Progress(transient=True, console=err_console) as bar:
            task = bar.add_task("updating", total=None)
            report = update(source=source, series=series or None, full=full,
                            progress=lambda sid: bar.update(task, description=f"updating {sid}"))
    else:
        report = update(source=source, series=series or None, full=full)
    if fmt == "json":
        from bubblemachine.cli._common import print_json

        print_json(report.to_dict())
    else:
        _print_update(report)
    if strict and not report.ok:
        bad = len(report.by_status("offline")) + len(report.by_status("failed"))
        raise NetworkError(f"--strict: {bad} series could not be refreshed")


def _print_update(report) -> None:
    from rich.table import Table

    updated = report.by_status("updated")
    if updated:
        table = Table(title=f"updated {len(updated)} series")
        for col in ("id", "source", "added", "changed", "last", "note"):
            table.add_column(col, justify="right" if col in ("added", "changed") else "left",
                             overflow="fold" if col == "note" else "ellipsis")
        for r in updated:
            table.add_row(r.id, r.source, f"{r.added:,}", f"{r.changed:,}", r.last_after, r.note)
        console.print(table)
    unchanged = report.by_status("unchanged")
    if unchanged:
        console.print(f"{len(unchanged)} series already current")
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
def verify_cmd() -> None:
    """Check every stored file (your store and the snapshot) against its SHA-256 checksum."""
    from bubblemachine.data import open_store
    from bubblemachine.errors import DataError

    store = open_store()
    problems = store.verify()
    n = len(store.ids())
    if problems:
        for sid, origin, what in problems:
            err_console.print(f"[red]damaged:[/red] {sid} ({origin}): {what}", highlight=False)
        ids = " ".join(f"--series {sid}" for sid, origin, _ in problems if origin == "store")
        hint = f"`bubblemachine data reset {ids}` drops the damaged copies" if ids else "reinstall bubblemachine"
        raise DataError(f"{len(problems)} damaged series; {hint}")
    console.print(f"ok: {n} series, every checksum verified")


@data_app.command("reset")
def reset_cmd(
    series: Annotated[list[str] | None, typer.Option("--series", help="Only drop this series (repeatable).")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Drop your store (or some series) so reads fall back to the embedded snapshot."""
    from bubblemachine.data import open_store

    store = open_store()
    what = ", ".join(series) if series else f"your whole store at {store.root}"
    if not yes and not typer.confirm(f"drop {what}?"):
        raise typer.Exit(1)
    removed = store.remove(list(series) if series else None)
    console.print(f"dropped {len(removed)} series from {store.root}; the snapshot serves the rest")


@data_app.command("build-snapshot")
def build_snapshot_cmd(
    src_dir: Annotated[str, typer.Argument(help="Folder laid out like shared/data (CSV files).")],
    out: Annotated[str | None, typer.Option(help="Output folder (default: the package's embedded snapshot).")] = None,
) -> None:
    """Regenerate the embedded snapshot (Parquet + manifest) from SRC_DIR, reproducibly."""
    from bubblemachine.data.snapshot import build_snapshot

    if progress_enabled():
        from rich.progress import Progress

        with Progress(transient=True, console=err_console) as bar:
            task = bar.add_task("building snapshot", total=None)
            manifest = build_snapshot(src_dir, out, progress=lambda sid: bar.update(task, description=f"building {sid}"))
    else:
        manifest = build_snapshot(src_dir, out)
    console.print(f"snapshot: {len(manifest['series'])} series, cut-off {manifest['cutoff']}")


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")
