"""``bubblemachine forecast``: the AI model's probabilistic forecast from any date the store reaches."""

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

_WORDS = {
    "en": {"title": "Forecast from {asof} ({scenario}, {paths} paths, seed {seed})", "series": "series",
           "ahead": "ahead", "date": "date", "units": "units", "now": "now", "median": "median",
           "band": "90% band", "wrote": "wrote", "used": "as of {asof}: data and events known then; calibration {cal}"},
    "ko": {"title": "{asof} 기준 예측 ({scenario}, 경로 {paths}개, 시드 {seed})", "series": "시리즈",
           "ahead": "기간", "date": "날짜", "units": "단위", "now": "현재", "median": "중앙값",
           "band": "90% 구간", "wrote": "저장", "used": "기준일 {asof}: 그날까지 알려진 데이터와 정책 발표; 보정 {cal}"},
}


def _num(x: float) -> str:
    from bubblemachine.report.render import format_value

    return format_value(float(x))


def register(app: typer.Typer) -> None:
    @app.command("forecast")
    def forecast_cmd(
        asof: Annotated[str | None, typer.Option("--asof", help="Start date YYYY-MM-DD: only data and policy events known then. [default: the latest date the store supports]", show_default=False)] = None,
        scenario: Annotated[str, typer.Option("--scenario", help="Scenario name or .toml file.")] = "baseline",
        paths: Annotated[int | None, typer.Option("--paths", help="Monte Carlo paths. [default: the model's, 1,000]", show_default=False)] = None,
        horizon: Annotated[int | None, typer.Option("--horizon", help="Trading days ahead. [default: the model's, 252]", show_default=False)] = None,
        seed: Annotated[int | None, typer.Option("--seed", min=0, help="Root seed, >= 0. [default: the model's, 20251114]", show_default=False)] = None,
        series: Annotated[list[str] | None, typer.Option("--series", help="Series to keep (repeat or comma list). [default: every reported series]", show_default=False)] = None,
        fmt: FormatOption = OutputFormat.table,
        lang: LangOption = None,
        out: Annotated[str | None, typer.Option("--out", help="Write the whole table (every day ahead) to FILE.csv or FILE.parquet.", show_default=False)] = None,
    ) -> None:
        """The model's probabilistic forecast: mean and 19 quantiles of each series on every trading day ahead."""
        from bubblemachine.cli._common import resolve_lang, split_list
        from bubblemachine.forecasts import forecast

        lang = resolve_lang(lang)
        words = _WORDS[lang]
        f = forecast(asof=asof, scenario=scenario, paths=paths, horizon=horizon, seed=seed,
                     series=split_list(series, option="--series"), progress=progress_enabled())
        if out is not None:
            path = f.write(out)
            typer.echo(f"{words['wrote']} {path} ({len(f.table):,} rows)", err=True)
        if fmt == OutputFormat.csv:
            import sys

            f.table.to_csv(sys.stdout, index=False, date_format="%Y-%m-%d", float_format="%.10g")
            return
        if fmt == OutputFormat.json:
            from bubblemachine.cli._common import print_json

            rows = f.table.assign(date=f.table["date"].dt.strftime("%Y-%m-%d"))
            print_json({
                "asof": f.asof, "scenario": f.scenario, "paths": f.paths, "horizon": f.horizon, "seed": f.seed,
                "model_digest": f.model_digest, "calibration": f.calibration_file, "start": f.start,
                "rows": [{k: (float(f"{v:.12g}") if isinstance(v, float) else v) for k, v in r.items()}
                         for r in rows.to_dict("records")],
            })
            return
        from rich.table import Table

        from bubblemachine.sfc.units import unit_label

        table = Table(title=words["title"].format(asof=f.asof, scenario=f.scenario, paths=f"{f.paths:,}", seed=f.seed),
                      title_justify="left")
        for col, justify in ((words["series"], "left"), (words["ahead"], "left"), (words["date"], "left"),
                             (words["median"], "right"), (words["band"], "right"), (words["units"], "left")):
            table.add_column(col, justify=justify, no_wrap=col != words["units"])
        summary = f.summary()
        last = None
        for r in summary.itertuples(index=False):
            if r.series != last:
                table.add_section()
                table.add_row(r.series, words["now"], f.asof, _num(f.start[r.series]), "", unit_label(r.units, lang))
                last = r.series
            table.add_row("", r.ahead, f"{r.date:%Y-%m-%d}", _num(r.q50), f"{_num(r.q05)} .. {_num(r.q95)}", "")
        console.print(table)
        console.print(words["used"].format(asof=f.asof, cal=f.calibration_file), highlight=False)
