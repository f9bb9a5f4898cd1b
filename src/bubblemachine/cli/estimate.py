"""``bubblemachine estimate``: the AI model's behavioural parameters estimated from the history."""

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

#: Column headers and words, English and Korean.
WORDS = {
    "en": {"title": "Parameters estimated from the history known on {asof} ({years}-year window for daily/weekly relations)",
           "parameter": "parameter", "model": "model", "estimate": "estimate", "ci": "95% interval", "n": "n",
           "window": "window", "agrees": "model inside?", "claim": "claim (verdict)", "yes": "yes", "no": "no",
           "caption": "Estimates in the parameter's units; 'model inside?' says whether the model's current value lies in the 95% interval. Methods: docs/estimates.md.",
           "skipped": "not estimated"},
    "ko": {"title": "{asof}에 알려진 과거 자료로 추정한 매개변수 (일간/주간 관계는 {years}년 구간)",
           "parameter": "매개변수", "model": "모델 값", "estimate": "추정치", "ci": "95% 구간", "n": "관측 수",
           "window": "구간", "agrees": "모델 값이 구간 안?", "claim": "주장 (판정)", "yes": "예", "no": "아니오",
           "caption": "추정치는 매개변수 단위; '모델 값이 구간 안?'은 모델의 현재 값이 95% 구간 안에 있는지입니다. 방법: docs/estimates.md.",
           "skipped": "추정하지 못함"},
}


def register(app: typer.Typer) -> None:
    app.command("estimate")(estimate_cmd)


def estimate_cmd(
    asof: Annotated[str | None, typer.Option("--asof", help="Knowledge date YYYY-MM-DD: use only what was published by then [default: the latest the store supports].", show_default=False)] = None,
    years: Annotated[int, typer.Option("--years", help="Window of the daily and weekly relations, in years before --asof.")] = 10,
    claims: Annotated[bool, typer.Option("--claims/--no-claims", help="Attach the verdicts of the claims that test the same relations (C2.1).")] = True,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Estimate liquidity and basket betas, reversal, duration, credit and VIX relations; compare with the model."""
    from bubblemachine.calibrate.estimate import estimate_all
    from bubblemachine.cli._common import resolve_lang
    from bubblemachine.errors import ScenarioError

    if not 1 <= years <= 50:
        raise ScenarioError(f"--years must be between 1 and 50, got {years}")
    if progress_enabled() and fmt == OutputFormat.table:
        with console.status("estimating"):
            es = estimate_all(asof=asof, years=years, claims=claims)
    else:
        es = estimate_all(asof=asof, years=years, claims=claims)
    if fmt == OutputFormat.json:
        from bubblemachine.cli._common import print_json

        print_json(es.to_json())
        return
    if fmt == OutputFormat.csv:
        import csv
        import sys

        cols = ["parameter", "value", "se", "ci_low", "ci_high", "n", "start", "end", "model_value", "agrees",
                "claim", "claim_verdict", "method", "note"]
        w = csv.DictWriter(sys.stdout, fieldnames=cols, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        for e in es.estimates:
            w.writerow({k: ("" if v is None else v) for k, v in e.to_json().items()})
        return
    from rich.table import Table

    t = WORDS[resolve_lang(lang)]
    table = Table(title=t["title"].format(asof=es.asof, years=es.years), caption=t["caption"])
    for c in ("parameter", "model", "estimate", "ci", "n", "window", "agrees", "claim"):
        table.add_column(t[c], justify="left" if c in ("parameter", "window", "claim") else "right")
    for e in es.estimates:
        ci = "-" if e.ci_low != e.ci_low else f"{e.ci_low:.3g} .. {e.ci_high:.3g}"
        agrees = "-" if e.agrees is None else (t["yes"] if e.agrees else t["no"])
        claim = "" if e.claim is None else f"{e.claim} ({e.claim_verdict})"
        table.add_row(e.parameter, "-" if e.model_value is None else f"{e.model_value:.4g}", f"{e.value:.4g}", ci,
                      str(e.n), f"{e.start}..{e.end}", agrees, claim)
    console.print(table)
    for name, why in es.skipped.items():
        console.print(f"{t['skipped']}: {name}: {why}")
