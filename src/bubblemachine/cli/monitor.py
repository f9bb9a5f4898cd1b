"""``bubblemachine monitor``: the liquidity monitor on real data."""

from __future__ import annotations

from typing import Annotated

import typer

from bubblemachine.cli._common import console


def _fmt(v: float) -> str:
    from bubblemachine.report.render import format_value

    return format_value(v)


def _arrow(change: float) -> str:
    if change != change:
        return ""
    if change > 0:
        return f"[green]▲ {_fmt(change)}[/green]"
    if change < 0:
        return f"[red]▼ {_fmt(-change)}[/red]"
    return "= 0"


def monitor_table(indicators: dict, catalog, lang: str, *, ids: list[str] | None = None):
    """A Rich table of ``indicators`` grouped by their group, with 4-week change arrows."""
    from rich.table import Table

    from bubblemachine.indicators import GROUPS

    table = Table(
        title=catalog.t("summary.table_title", lang), show_lines=False, title_justify="left"
    )
    table.add_column(catalog.t("col.indicator", lang))
    table.add_column(catalog.t("col.value", lang), justify="right")
    table.add_column(catalog.t("col.units", lang))
    table.add_column(catalog.t("col.change_4w", lang), justify="right")
    table.add_column(catalog.t("col.asof", lang))
    from bubblemachine.report.core import UNITS_KEYS

    chosen = ids if ids is not None else list(indicators)
    for group in GROUPS:
        members = [i for i in chosen if indicators[i].group == group]
        if not members:
            continue
        table.add_section()
        table.add_row(f"[bold]{catalog.t(f'group.{group}', lang)}[/bold]", "", "", "", "")
        for iid in members:
            ind = indicators[iid]
            units = catalog.t(UNITS_KEYS[ind.units], lang) if ind.units in UNITS_KEYS else ind.units
            table.add_row(
                "  " + catalog.t(ind.label_key, lang),
                _fmt(ind.value),
                units,
                _arrow(ind.change(28)),
                ind.asof,
            )
    return table


def register(app: typer.Typer) -> None:
    @app.command("monitor")
    def monitor(
        asof: Annotated[
            str | None, typer.Option("--asof", help="Use only data known on YYYY-MM-DD (each series' release date, not its observation date).")
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
        lang: Annotated[str, typer.Option("--lang", help="Table language: en | ko.")] = "en",
    ) -> None:
        """The liquidity monitor: net liquidity, TGA, reverse repo, yields, spreads, VIX curve, vol-target and CTA exposure, AI vs the rest."""
        from bubblemachine.cli._common import print_json
        from bubblemachine.data import open_store
        from bubblemachine.errors import DataError
        from bubblemachine.indicators import compute_monitor, parse_asof

        if fmt not in ("table", "json"):
            raise DataError(f"--format: {fmt!r} is not one of table, json")
        if lang not in ("en", "ko"):
            raise DataError(f"--lang: {lang!r} is not one of en, ko")
        from bubblemachine.indicators import SERIES_USED

        store = open_store()
        ts = parse_asof(asof, store=store, series=SERIES_USED)
        indicators = compute_monitor(store, asof=ts)
        if fmt == "json":
            print_json({iid: ind.to_json() for iid, ind in indicators.items()})
            return
        from bubblemachine.report.core import summary_section
        from bubblemachine.report.i18n import Catalog
        from bubblemachine.report.registry import catalog_dirs

        catalog = Catalog.load(catalog_dirs([summary_section]))
        console.print(monitor_table(indicators, catalog, lang))
