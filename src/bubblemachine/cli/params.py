"""``bubblemachine models params MODEL``: every parameter with value, unit, range, source, mechanism."""

from __future__ import annotations

from typing import Annotated

import typer

from bubblemachine.cli._common import FormatOption, LangOption, OutputFormat, console

#: Column headers and words of the table, by language.
WORDS = {
    "en": {"name": "parameter", "value": "value", "unit": "unit", "range": "range", "mechanism": "mechanism",
           "source": "source", "exogenous": "exogenous input", "none": "no parameter of {model} matches {search!r}",
           "title": "{model}: {n} of {total} parameters and exogenous inputs", "search": " matching {search!r}",
           "caption": "range: the values --set, --grid and scenarios may use (inclusive); "
                      "mechanism: MECHANISMS.md id or attribution group"},
    "ko": {"name": "매개변수", "value": "값", "unit": "단위", "range": "범위", "mechanism": "메커니즘",
           "source": "출처", "exogenous": "외생 입력", "none": "{model}에 {search!r}와(과) 일치하는 매개변수가 없습니다",
           "title": "{model}: 매개변수와 외생 입력 {total}개 중 {n}개", "search": " ({search!r} 검색)",
           "caption": "범위: --set, --grid, 시나리오에서 쓸 수 있는 값(양 끝 포함); "
                      "메커니즘: MECHANISMS.md 번호 또는 기여도 그룹"},
}


def _value(v) -> str:
    if isinstance(v, tuple):
        return ", ".join(f"{x:g}" for x in v[:3]) + (", ..." if len(v) > 3 else "")
    return f"{v:g}"


def params_cmd(
    model: Annotated[str, typer.Argument(help="Model file, model directory, or shipped model name (see `models list`).")],
    search: Annotated[str | None, typer.Option("--search", help="Only parameters whose name, doc, source, unit or mechanism contain every word (case-insensitive).")] = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Every parameter and exogenous input of MODEL with its value, unit, range, source and mechanism."""
    import csv
    import sys

    from bubblemachine.cli._common import print_json, resolve_lang
    from bubblemachine.sfc import load_model
    from bubblemachine.sfc.parameters import list_parameters
    from bubblemachine.sfc.units import unit_label

    language = resolve_lang(lang)
    words = WORDS[language]
    m = load_model(model)
    rows = list_parameters(m, search=search)
    if fmt == OutputFormat.json:
        print_json([{**p.to_dict(), "unit_label": unit_label(p.unit, language)} for p in rows])
        return
    if fmt == OutputFormat.csv:
        out = csv.writer(sys.stdout, lineterminator="\n")
        out.writerow(["name", "kind", "value", "unit", "range_low", "range_high", "mechanism", "doc", "source",
                      "defined_at"])
        for p in rows:
            value = ";".join(f"{x!r}" for x in p.value) if isinstance(p.value, tuple) else repr(p.value)
            low, high = p.range if p.range is not None else ("", "")
            out.writerow([p.name, p.kind, value, p.unit, low, high, ";".join(p.mechanism), p.doc, p.source, p.where])
        return
    if not rows:
        console.print(words["none"].format(model=m.name, search=search or ""), highlight=False)
        return
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    title = words["title"].format(model=m.name, n=len(rows), total=len(m.parameter_info))
    if search:
        title += words["search"].format(search=search)
    table = Table(title=title, caption=words["caption"], box=box.SIMPLE_HEAD, padding=(0, 1), expand=False, show_lines=True,
                  title_justify="left", caption_justify="left")
    table.add_column(words["name"], overflow="fold", ratio=5, min_width=24)
    table.add_column(words["value"], justify="right", overflow="fold", max_width=10)
    table.add_column(words["unit"], overflow="fold", max_width=13)
    table.add_column(words["range"], overflow="fold", max_width=12)
    table.add_column(words["mechanism"], overflow="fold", max_width=12)
    labels = m.attribution.labels(language)  # a mechanism that is an attribution group: its label
    for p in rows:
        what = escape(p.doc) if p.doc else ""
        if p.kind == "exogenous":
            what = f"{words['exogenous']}: {what}" if what else words["exogenous"]
        cell = f"[bold]{escape(p.name)}[/bold]"
        if what:
            cell += f"\n[dim]{what}[/dim]"
        if p.source:
            cell += f"\n[dim]{words['source']}: {escape(p.source)}[/dim]"
        table.add_row(cell, _value(p.value), escape(unit_label(p.unit, language)) or "-", p.range_text(),
                      escape("\n".join(labels.get(x, x) for x in p.mechanism)) or "-")
    console.print(table)


def register(app: typer.Typer) -> None:
    from bubblemachine.cli.sfc import models_app

    models_app.command("params")(params_cmd)
