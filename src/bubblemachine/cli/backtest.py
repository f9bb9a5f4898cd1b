"""``bubblemachine backtest``: rolling-origin scores of the model's forecasts against random walks."""

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
    "en": {"title": "Backtest {start}..{end} every {every}: {n} origins, {paths} paths ({secs:.0f} s)",
           "group": "group", "h": "days", "skill1": "skill, RW 1y", "skill5": "skill, RW 5y", "cov": "cov50/90",
           "failed": "{n} origin(s) could not be run: {first}", "wrote": "wrote", "pooled": "90% coverage pooled over priced series",
           "note": "skill = 1 - CRPS(model)/CRPS(random walk with 1y or 5y vol): > 0 beats it; (90% block-bootstrap interval). rates = rates, spreads and VIX",
           "prices": "prices", "rates": "rates", "liquidity": "liquidity"},
    "ko": {"title": "백테스트 {start}..{end} ({every}마다): 기준일 {n}개, 경로 {paths}개 ({secs:.0f}초)",
           "group": "그룹", "h": "거래일", "skill1": "기술점수 RW 1년", "skill5": "기술점수 RW 5년", "cov": "포함률50/90",
           "failed": "실행하지 못한 기준일 {n}개: {first}", "wrote": "저장", "pooled": "가격 시리즈 전체의 90% 구간 포함률",
           "note": "기술점수 = 1 - CRPS(모형)/CRPS(변동성 1년·5년 랜덤워크): 0보다 크면 랜덤워크보다 낫다; (90% 블록 부트스트랩 구간). 금리 = 금리·스프레드·VIX",
           "prices": "가격", "rates": "금리", "liquidity": "유동성"},
}


def _iv(x: float, lo: float, hi: float) -> str:
    if x != x:
        return "-"
    return f"{x:+.2f} ({lo:+.2f},{hi:+.2f})" if lo == lo else f"{x:+.2f}"


def register(app: typer.Typer) -> None:
    @app.command("backtest")
    def backtest_cmd(
        start: Annotated[str, typer.Option("--start", help="First origin window date YYYY-MM-DD.")] = "2012-01-01",
        end: Annotated[str, typer.Option("--end", help="Last origin window date YYYY-MM-DD.")] = "2025-11-14",
        every: Annotated[str, typer.Option("--every", help="Origin spacing: month or quarter.")] = "quarter",
        paths: Annotated[int, typer.Option("--paths", help="Monte Carlo paths per origin.")] = 500,
        horizons: Annotated[list[str] | None, typer.Option("--horizons", help="Trading days ahead to score (comma list). [default: 21,63,126,252]", show_default=False)] = None,
        scenario: Annotated[str, typer.Option("--scenario", help="Scenario run from every origin.")] = "baseline",
        seed: Annotated[int | None, typer.Option("--seed", min=0, help="Root seed, >= 0 (origin k uses seed + k). [default: the model's]", show_default=False)] = None,
        backend: Annotated[str, typer.Option("--backend", help="Run origins on: serial, process or ray.")] = "process",
        workers: Annotated[int | None, typer.Option("--workers", help="Processes or Ray CPUs. [default: usable cores]", show_default=False)] = None,
        fmt: FormatOption = OutputFormat.table,
        lang: LangOption = None,
        out: Annotated[str | None, typer.Option("--out", help="Folder for scores.csv, by_series.csv, by_group.csv, backtest.json. [default: <home>/backtest/latest]", show_default=False)] = None,
    ) -> None:
        """Score the model's forecasts from rolling origins (data known then only) against random walks: CRPS, skill, coverage, PIT."""
        from bubblemachine.backtests import backtest
        from bubblemachine.cli._common import resolve_lang, split_list
        from bubblemachine.errors import BubbleMachineError

        if every not in ("month", "quarter"):
            raise BubbleMachineError(f"--every: {every!r} is not one of month, quarter")
        hs = split_list(horizons, option="--horizons")
        try:
            hz = tuple(int(h) for h in hs) if hs else (21, 63, 126, 252)
        except ValueError:
            raise BubbleMachineError(f"--horizons: {','.join(hs)!r} is not a list of whole numbers of trading days") from None
        words = _WORDS[resolve_lang(lang)]
        r = backtest(start=start, end=end, every=every, paths=paths, horizons=hz, scenario=scenario, seed=seed,
                     backend=backend, workers=workers, progress=progress_enabled())
        from bubblemachine import paths as bm_paths

        folder = r.write(out if out is not None else bm_paths.home() / "backtest" / "latest")
        if fmt == OutputFormat.csv:
            import sys

            r.by_series.to_csv(sys.stdout, index=False, float_format="%.10g")
            return
        if fmt == OutputFormat.json:
            import math

            from bubblemachine.cli._common import print_json

            def clean(rows):
                return [{k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in d.items()} for d in rows]

            print_json({"spec": {**r.spec.__dict__, "horizons": list(r.spec.horizons)}, "origins": list(r.origins),
                        "failed": [list(f) for f in r.failed], "folder": str(folder),
                        "by_group": clean(r.by_group.to_dict("records")), "by_series": clean(r.by_series.to_dict("records"))})
            return
        from rich.table import Table

        every_word = {"ko": {"month": "월", "quarter": "분기"}}.get(resolve_lang(lang), {}).get(r.spec.every, r.spec.every)
        table = Table(title=words["title"].format(start=r.spec.start, end=r.spec.end, every=every_word,
                                                  n=len(r.origins), paths=r.spec.paths, secs=r.elapsed_s),
                      title_justify="left", caption=words["note"], caption_justify="left")
        for c, j in ((words["group"], "left"), (words["h"], "right"), (words["skill1"], "right"),
                     (words["skill5"], "right"), (words["cov"], "right")):
            table.add_column(c, justify=j, no_wrap=True)
        for g in r.by_group.itertuples(index=False):
            table.add_row(words.get(g.group, g.group), str(g.horizon), _iv(g.skill_rw1y, g.skill_rw1y_lo, g.skill_rw1y_hi),
                          _iv(g.skill_rw5y, g.skill_rw5y_lo, g.skill_rw5y_hi), f"{g.coverage50:.2f}/{g.coverage90:.2f}")
        console.print(table)
        pooled = ", ".join(f"{h}: {v:.2f}" for h, v in r.coverage90_priced().items())
        console.print(f"{words['pooled']}: {pooled}", highlight=False)
        if r.failed:
            console.print(words["failed"].format(n=len(r.failed), first=f"{r.failed[0][0]}: {r.failed[0][1]}"), highlight=False)
        console.print(f"{words['wrote']} {folder}", highlight=False)
