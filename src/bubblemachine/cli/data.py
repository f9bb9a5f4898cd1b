"""``bubblemachine data ...``: the real-data store."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from bubblemachine.cli._common import console, progress_enabled

data_app = typer.Typer(help="The real-data store: list, show, import, update, build the snapshot.", no_args_is_help=True)


@data_app.command("list")
def list_(
    fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
) -> None:
    """List every series: id, units, frequency, first and last date, origin."""
    from rich.table import Table

    from bubblemachine.cli._common import print_json
    from bubblemachine.data import open_store

    metas = open_store().metas()
    if fmt == "json":
        print_json([m.to_dict() for m in metas])
        return
    table = Table(title=f"{len(metas)} series", show_lines=False)
    for col in ("id", "units", "freq", "first", "last", "rows", "origin", "title"):
        table.add_column(col, overflow="fold" if col == "title" else "ellipsis", no_wrap=col != "title")
    for m in metas:
        table.add_row(m.id, m.units, m.frequency, m.first, m.last, f"{m.rows:,}", m.origin, m.title)
    console.print(table)


@data_app.command("show")
def show(
    series: Annotated[str, typer.Argument(help="Series id, e.g. WALCL (see `data list`).")],
    tail: Annotated[int, typer.Option(help="How many of the latest rows to print.")] = 10,
    asof: Annotated[Optional[str], typer.Option(help="Only rows dated on or before YYYY-MM-DD.")] = None,
) -> None:
    """Show a series' metadata and its latest rows."""
    from rich.table import Table

    from bubblemachine.data import open_store

    store = open_store()
    meta = store.meta(series)
    frame = store.frame(series, asof=asof)
    console.print(f"[bold]{meta.id}[/bold]: {meta.title}")
    console.print(f"units: {meta.units} | frequency: {meta.frequency} | {meta.first} .. {meta.last} | {meta.rows:,} rows | origin: {meta.origin}")
    console.print(f"publisher: {meta.publisher}")
    console.print(f"licence: {meta.licence}", highlight=False)
    table = Table()
    table.add_column("date")
    for c in frame.columns:
        table.add_column(str(c), justify="right")
    for idx, row in frame.tail(tail).iterrows():
        table.add_row(f"{idx:%Y-%m-%d}", *[_fmt(v) for v in row.tolist()])
    console.print(table)


def _fmt(v) -> str:
    if isinstance(v, float):
        return "" if v != v else f"{v:,.4f}".rstrip("0").rstrip(".")
    return str(v)


@data_app.command("build-snapshot")
def build_snapshot_cmd(
    src_dir: Annotated[str, typer.Argument(help="Folder laid out like shared/data (CSV files).")],
    out: Annotated[Optional[str], typer.Option(help="Output folder (default: the package's embedded snapshot).")] = None,
) -> None:
    """Regenerate the embedded snapshot (Parquet + manifest) from SRC_DIR, reproducibly."""
    from bubblemachine.data.snapshot import build_snapshot

    if progress_enabled():
        from rich.progress import Progress

        with Progress(transient=True, console=console) as bar:
            task = bar.add_task("building snapshot", total=None)
            manifest = build_snapshot(src_dir, out, progress=lambda sid: bar.update(task, description=f"building {sid}"))
    else:
        manifest = build_snapshot(src_dir, out)
    console.print(f"snapshot: {len(manifest['series'])} series, cut-off {manifest['cutoff']}")


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")
