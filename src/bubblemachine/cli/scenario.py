"""``bubblemachine scenario list|compare`` and ``bubblemachine explain``."""

from __future__ import annotations

from typing import Annotated

import typer

from bubblemachine.cli._common import (
    FormatOption,
    LangOption,
    OutputFormat,
    console,
    progress_enabled,
    seed_option,
)

scenario_app = typer.Typer(help="Scenarios of the AI liquidity model: list, compare.", no_args_is_help=True)

_DEFAULTS = "default: the scenario's, else the model's [model] defaults"


def unit_of_change(name: str) -> str:
    """The unit a change of series ``name`` is shown in: % for prices, pp for percent rates, ..."""
    from bubblemachine.scenarios.series import SERIES

    info = SERIES.get(name)
    if info is None:
        return "model units"
    if info.kind == "price":
        return "%"
    units = info.units
    if units.startswith("percent"):
        return "pp"
    from bubblemachine.cli._common import short_units

    return short_units(units)


def _short(x: float, *, sign: bool = True, small: int = 2) -> str:
    """A number in a narrow column: ``small`` decimals below 1, 2 below 10, 1 below 100, none above."""
    if x != x:
        return "nan"
    a = abs(x)
    digits = small if a < 1 else 2 if a < 10 else 1 if a < 100 else 0
    text = f"{x:+,.{digits}f}" if sign else f"{x:,.{digits}f}"
    return text[1:] if float(text.replace(",", "")) == 0 else text  # no "-0.00"


def shown_change(x: float, kind: str) -> float:
    """A change as people read it: prices as a simple percent change, others unchanged."""
    import math

    return 100 * math.expm1(x) if kind == "price" and x == x else x


@scenario_app.command("list")
def list_cmd(fmt: FormatOption = OutputFormat.table, lang: LangOption = None) -> None:
    """List the bundled scenarios with their one-line descriptions."""
    from bubblemachine.cli._common import print_records, words
    from bubblemachine.scenarios import list_scenarios, scenario_description

    t = words(lang)
    from bubblemachine.scenarios import scenario_words

    names = scenario_words(t.lang).get("scen", {})
    records = [{"name": n, "title": names.get(n, n), "description": scenario_description(n)} for n in list_scenarios()]

    def table(rows: list[dict]) -> None:
        from rich.table import Table

        tab = Table(title=t("scenario.list_title", n=len(rows)))
        tab.add_column(t("col.name"), no_wrap=True)
        tab.add_column(t("col.description"), overflow="fold")
        for r in rows:
            text = r["description"] if t.lang == "en" or r["title"] == r["name"] else f"{r['title']}: {r['description']}"
            tab.add_row(r["name"], text)
        console.print(tab)

    print_records(records, fmt, table=table, columns=["name", "title", "description"])


@scenario_app.command("compare")
def compare_cmd(
    a: Annotated[str, typer.Argument(help="First scenario (name or .toml path), e.g. baseline.")],
    b: Annotated[str, typer.Argument(help="Second scenario (name or .toml path), of the same model.")],
    paths: Annotated[int | None, typer.Option(min=1, help=f"Monte Carlo paths per scenario ({_DEFAULTS}).", show_default=False)] = None,
    horizon: Annotated[int | None, typer.Option(min=1, help=f"Horizon in model periods, 252 business days ~ 1 year ({_DEFAULTS}).", show_default=False)] = None,
    seed: Annotated[int | None, seed_option(f"Common seed for A and B, >= 0: common random numbers ({_DEFAULTS}).")] = None,
    series: Annotated[list[str] | None, typer.Option("--series", help="Series to show, comma list or repeated (default: every reported series).")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a parameter or exogenous input under both A and B: name=value (repeatable; checked against its range, see `models params`).")] = None,
    set_b: Annotated[list[str] | None, typer.Option("--set-b", help="Override under B only (a what-if against A as it is): name=value (repeatable).")] = None,
    asof: Annotated[str | None, typer.Option("--asof", help="Start the AI model on YYYY-MM-DD: data and policy events known then [default: the latest date the store supports].", show_default=False)] = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Median and 5%..95% of each series' change over the horizon under A and B, and the median difference B - A."""
    from bubblemachine.cli._common import check_date, print_csv, print_json, split_list, words
    from bubblemachine.scenarios.compare import compare
    from bubblemachine.sfc.parameters import parse_assignments

    t = words(lang)
    res = compare(a, b, paths=paths, horizon=horizon, seed=seed, series=split_list(series, option="--series"),
                  set=parse_assignments(set_, origin="--set") or None,
                  set_b=parse_assignments(set_b, origin="--set-b") or None,
                  progress=progress_enabled() and fmt is OutputFormat.table, asof=check_date(asof, option="--asof"))
    if fmt is OutputFormat.json:
        out = res.to_json()
        for s, r in res.rows.items():
            out[s].update(kind=r["kind"], measure="log change" if r["kind"] == "price" else "difference",
                          units=unit_of_change(s))
        print_json({"a": res.a, "b": res.b, "horizon": res.horizon, "paths": res.paths, "seed": res.seed,
                    "asof": res.asof, "series": out})
        return
    if fmt is OutputFormat.csv:
        cols = ["series", "measure", "units", "a_median", "a_p05", "a_p95", "b_median", "b_p05", "b_p95", "diff_median"]
        print_csv(cols, ([s, "log change" if r["kind"] == "price" else "difference", unit_of_change(s),
                          r["a"].median, r["a"].p05, r["a"].p95, r["b"].median, r["b"].p05, r["b"].p95,
                          r["diff_median"]] for s, r in res.rows.items()))
        return
    from rich import box
    from rich.table import Table

    from bubblemachine.scenarios import scenario_words

    sw = scenario_words(t.lang)
    label = sw.get("scen", {})
    table = Table(
        title=t("compare.title", a=label.get(res.a, res.a), b=label.get(res.b, res.b), horizon=res.horizon,
                paths=res.paths, seed=res.seed) + (t("compare.since", date=res.asof) if res.asof else ""),
        caption=t("compare.caption"), box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), caption_justify="left",
    )
    # 80 columns: long series names fold onto a second line; the numbers never shrink
    table.add_column(t("col.series"), overflow="fold", max_width=14)
    table.add_column(t("col.unit"), overflow="fold", max_width=8)
    for col in ("A", "A 5..95%", "B", "B 5..95%", "B - A"):
        table.add_column(col, justify="right", no_wrap=True)
    for s, r in res.rows.items():
        k = r["kind"]

        def v(x: float, k: str = k) -> str:
            return _short(shown_change(x, k))

        def band(lo: float, hi: float, k: str = k) -> str:
            return f"{v(lo)}..{v(hi)}"

        table.add_row(s, unit_of_change(s), v(r["a"].median), band(r["a"].p05, r["a"].p95),
                      v(r["b"].median), band(r["b"].p05, r["b"].p95), v(r["diff_median"]))
    console.print(table)


def explain_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario (name or .toml path).")],
    series: Annotated[list[str] | None, typer.Option("--series", help="Series to explain, comma list or repeated (default: every attributed series).")] = None,
    paths: Annotated[int | None, typer.Option(min=1, help=f"Monte Carlo paths ({_DEFAULTS}).", show_default=False)] = None,
    horizon: Annotated[int | None, typer.Option(min=1, help=f"Horizon in model periods ({_DEFAULTS}).", show_default=False)] = None,
    seed: Annotated[int | None, seed_option(f"Seed, >= 0, shared with --vs ({_DEFAULTS}).")] = None,
    vs: Annotated[str | None, typer.Option("--vs", help="Reference scenario of the same model, e.g. baseline: show the difference.", show_default=False)] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a parameter or exogenous input (under the scenario and --vs alike): name=value (repeatable; checked against its range, see `models params`).")] = None,
    chart: Annotated[str | None, typer.Option("--chart", help="Also write a self-contained HTML bar chart to FILE.html.", show_default=False)] = None,
    asof: Annotated[str | None, typer.Option("--asof", help="Start the AI model on YYYY-MM-DD: data and policy events known then [default: the latest date the store supports].", show_default=False)] = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Decompose each series' change into mechanism groups (mean over paths; adds up exactly to the mean total)."""
    import math

    from bubblemachine._io import check_output_file
    from bubblemachine.cli._common import check_date, print_csv, print_json, split_list, words
    from bubblemachine.scenarios.explain import explain, write_chart
    from bubblemachine.sfc.parameters import parse_assignments

    t = words(lang)
    asof = check_date(asof, option="--asof")
    target = check_output_file(chart, option="--chart", suffixes=(".html", ".htm")) if chart is not None else None
    out = explain(scenario, series=split_list(series, option="--series"), paths=paths, horizon=horizon, seed=seed, vs=vs,
                  set=parse_assignments(set_, origin="--set") or None,
                  progress=progress_enabled() and fmt is OutputFormat.table, asof=asof)
    if target is not None:
        write_chart(out, target)
    if fmt is OutputFormat.json:
        print_json({e.series: {**e.to_json(), "units": unit_of_change(e.series)} for e in out})
        return
    if fmt is OutputFormat.csv:
        rows = []
        for e in out:
            measure = "log change" if e.kind == "price" else "difference"
            rows.extend([e.series, measure, unit_of_change(e.series), g, v] for g, v in e.contributions.items())
            rows.append([e.series, measure, unit_of_change(e.series), "total", e.total])
            rows.append([e.series, measure, unit_of_change(e.series), "median_total", e.median_total])
        print_csv(["series", "measure", "units", "group", "value"], rows)
        return
    from rich import box
    from rich.table import Table

    from bubblemachine.scenarios import runner, scenario_path

    used = runner.model_ref(runner.load(scenario, asof=asof)[0].model, scenario_path(scenario), asof)[1]
    if used:
        console.print(t("simulate.started", date=used), highlight=False)
    from bubblemachine.scenarios import scenario_words

    sw = scenario_words(t.lang)
    glabel = sw.get("group", {}) if t.lang != "en" else {}
    sname = sw.get("scen", {})
    for e in out:
        unit = unit_of_change(e.series)
        # log contributions add up to the log change; shown as percent they are scaled so that
        # they add up to the simple percent change of the total
        scale = (math.expm1(e.total) / e.total if e.total else 1.0) if e.kind == "price" else 1.0
        factor = 100 * scale if e.kind == "price" else 1.0
        vs_txt = t("explain.minus", vs=sname.get(e.vs, e.vs)) if e.vs else ""
        table = Table(title=t("explain.title", series=e.series, scenario=sname.get(e.scenario, e.scenario), vs=vs_txt,
                              horizon=e.horizon, paths=e.paths, seed=e.seed),
                      caption=t("explain.caption_price" if e.kind == "price" else "explain.caption", unit=unit),
                      box=box.SIMPLE_HEAD, caption_justify="left", min_width=64)
        table.add_column(t("col.group"))
        table.add_column(t("col.contribution", unit=unit), justify="right")
        for g, v in e.contributions.items():
            table.add_row(glabel.get(g) or e.label(g, t.lang), _short(v * factor, small=3))
        table.add_row(f"[bold]{t('explain.total')}[/bold]", f"[bold]{_short(shown_change(e.total, e.kind), small=3)}[/bold]")
        table.add_row(t("explain.median_total"), _short(shown_change(e.median_total, e.kind), small=3))
        console.print(table)
    if target is not None:
        console.print(t("wrote", path=str(target)), highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(scenario_app, name="scenario")
    app.command("explain")(explain_cmd)
