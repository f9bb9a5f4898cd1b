"""``bubblemachine monitor``: the liquidity monitor on real data."""

from __future__ import annotations

from typing import Annotated

import typer

from bubblemachine.cli._common import FormatOption, LangOption, OutputFormat, console


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


def monitor_records(indicators: dict, ids: list[str] | None = None) -> list[dict]:
    """``[{id, group, value, units, asof, change_4w}]`` for JSON and CSV output."""
    out = []
    for iid in ids if ids is not None else list(indicators):
        ind = indicators[iid]
        change = ind.change(28)
        out.append({"id": iid, "group": ind.group, **ind.to_json(),
                    "change_4w": None if change != change else float(f"{float(change):.12g}")})
    return out


def print_monitor(indicators: dict, fmt: OutputFormat, lang: str, *, ids: list[str] | None = None) -> None:
    """The monitor as a table for people (in ``lang``), or JSON / CSV records."""
    from bubblemachine.cli._common import print_json, print_records

    if fmt is OutputFormat.json:
        print_json({r["id"]: {k: v for k, v in r.items() if k != "id"} for r in monitor_records(indicators, ids)})
        return
    if fmt is OutputFormat.csv:
        print_records(monitor_records(indicators, ids), fmt, columns=["id", "group", "value", "units", "asof", "change_4w"])
        return
    from bubblemachine.report.core import summary_section
    from bubblemachine.report.i18n import Catalog
    from bubblemachine.report.registry import catalog_dirs

    catalog = Catalog.load(catalog_dirs([summary_section]))
    console.print(monitor_table(indicators, catalog, lang, ids=ids))


def register(app: typer.Typer) -> None:
    @app.command("monitor")
    def monitor(
        asof: Annotated[
            str | None, typer.Option("--asof", help="Use only data known on YYYY-MM-DD (each series' release date, not its observation date).", show_default=False)
        ] = None,
        fmt: FormatOption = OutputFormat.table,
        lang: LangOption = None,
    ) -> None:
        """The liquidity monitor: net liquidity, TGA, reverse repo, yields, spreads, VIX curve, vol-target and CTA exposure, AI vs the rest."""
        from bubblemachine.cli._common import check_date, resolve_lang
        from bubblemachine.data import open_store
        from bubblemachine.indicators import SERIES_USED, compute_monitor, parse_asof

        store = open_store()
        ts = parse_asof(check_date(asof, option="--asof"), store=store, series=SERIES_USED)
        indicators = compute_monitor(store, asof=ts)
        print_monitor(indicators, fmt, resolve_lang(lang))
