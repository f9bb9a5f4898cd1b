"""Translation catalog of the claims report section, generated from the registry.

The report renders only catalog keys, so every claim's texts (statement, short label,
method, units) and every chart label become keys under ``claims.``. The committed files
``claims/i18n/en.toml`` and ``ko.toml`` are the output of :func:`write_catalogs`; a test
checks they match the registry, so they never drift. Regenerate with::

    python -m bubblemachine.claims.i18n
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from bubblemachine.claims import ClaimsRun

I18N_DIR = Path(__file__).with_name("i18n")

STATIC: dict[str, dict[str, str]] = {
    "en": {
        "claims.section.title": "Were the articles right?",
        "claims.section.intro": "Every testable claim of the five seed articles, checked on real history with a test, a sample and a verdict rule declared before the results were computed. A verdict applies the declared rule to the effect and its 95% interval: supported, contradicted, inconclusive, or not testable with the shipped data.",
        "claims.scoreboard.title": "Scoreboard",
        "claims.scoreboard.caption": "One row per claim: verdict, effect with its 95% interval (figure checks show the computed number and no interval), observations and sample.",
        "claims.multitest.title": "Multiple testing",
        "claims.multitest.caption": "Many tests raise the chance of a lucky result: the count of tests significant at 5% before and after Holm and Benjamini-Hochberg adjustment.",
        "claims.col.id": "Id",
        "claims.col.claim": "Claim",
        "claims.col.verdict": "Verdict",
        "claims.col.effect": "Effect",
        "claims.col.ci_low": "95% CI low",
        "claims.col.ci_high": "95% CI high",
        "claims.col.units": "Units",
        "claims.col.n": "n",
        "claims.col.sample": "Sample",
        "claims.col.quantity": "Quantity",
        "claims.col.count": "Count",
        "claims.mt.tests": "Tests with a p-value",
        "claims.mt.raw": "Significant at 5% (raw)",
        "claims.mt.holm": "Significant at 5% (Holm)",
        "claims.mt.bh": "Significant at 5% (Benjamini-Hochberg)",
        "claims.verdict.supported": "supported",
        "claims.verdict.contradicted": "contradicted",
        "claims.verdict.inconclusive": "inconclusive",
        "claims.verdict.not_testable": "not testable",
        "claims.verdict.error": "error",
        "claims.verdict_text.supported": "Verdict: supported: the effect has the claimed sign and its 95% interval excludes zero (or the figure is within the declared tolerance).",
        "claims.verdict_text.contradicted": "Verdict: contradicted: the interval excludes zero on the wrong side or rules out a material effect (or the figure is far from the data).",
        "claims.verdict_text.inconclusive": "Verdict: inconclusive: the data cannot tell (the interval spans zero, the sample is too small, or the figure is only roughly right).",
        "claims.verdict_text.not_testable": "Verdict: not testable with the shipped data.",
        "claims.verdict_text.error": "Verdict: the test could not run at this date.",
    },
    "ko": {
        "claims.section.title": "기사들은 맞았나?",
        "claims.section.intro": "다섯 편의 기사에서 검증 가능한 모든 주장을 실제 역사 자료로 확인했다. 검정, 표본, 판정 규칙은 결과를 계산하기 전에 선언했다. 판정은 효과와 95% 신뢰구간에 선언된 규칙을 적용한 것이다: 지지, 반박, 판단 보류, 또는 제공 자료로 검증 불가.",
        "claims.scoreboard.title": "판정표",
        "claims.scoreboard.caption": "주장마다 한 줄: 판정, 효과와 95% 신뢰구간(수치 확인은 계산값만 표시), 관측치 수와 표본 기간.",
        "claims.multitest.title": "다중검정",
        "claims.multitest.caption": "검정이 많을수록 우연한 유의 결과가 늘어난다: 조정 전과 홀름, 벤자미니-호크버그 조정 후 5%에서 유의한 검정의 수.",
        "claims.col.id": "번호",
        "claims.col.claim": "주장",
        "claims.col.verdict": "판정",
        "claims.col.effect": "효과",
        "claims.col.ci_low": "95% 하한",
        "claims.col.ci_high": "95% 상한",
        "claims.col.units": "단위",
        "claims.col.n": "n",
        "claims.col.sample": "표본",
        "claims.col.quantity": "항목",
        "claims.col.count": "수",
        "claims.mt.tests": "p값이 있는 검정",
        "claims.mt.raw": "5% 유의(조정 전)",
        "claims.mt.holm": "5% 유의(홀름)",
        "claims.mt.bh": "5% 유의(벤자미니-호크버그)",
        "claims.verdict.supported": "지지",
        "claims.verdict.contradicted": "반박",
        "claims.verdict.inconclusive": "판단 보류",
        "claims.verdict.not_testable": "검증 불가",
        "claims.verdict.error": "오류",
        "claims.verdict_text.supported": "판정: 지지. 효과의 부호가 주장과 같고 95% 신뢰구간이 0을 포함하지 않는다(또는 수치가 선언된 허용오차 안에 있다).",
        "claims.verdict_text.contradicted": "판정: 반박. 신뢰구간이 반대쪽에서 0을 배제하거나 의미 있는 크기의 효과를 배제한다(또는 수치가 자료와 크게 다르다).",
        "claims.verdict_text.inconclusive": "판정: 판단 보류. 자료로는 가릴 수 없다(신뢰구간이 0을 포함하거나 표본이 작거나 수치가 대략만 맞는다).",
        "claims.verdict_text.not_testable": "판정: 제공 자료로 검증 불가.",
        "claims.verdict_text.error": "판정: 이 날짜에는 검정을 실행할 수 없다.",
    },
}


TRACE_LABELS: dict[str, tuple[str, str]] = {
    "net_liquidity_usd_bn": ("Net liquidity (USD bn)", "순유동성(십억 달러)"),
    "net_liquidity_rebased": ("Net liquidity (100 = start)", "순유동성(시작 = 100)"),
    "tga_usd_bn": ("TGA (USD bn)", "TGA(십억 달러)"),
    "on_rrp_usd_bn": ("ON RRP (USD bn)", "역레포(십억 달러)"),
    "value": ("Value", "값"),
    "vol_target_exposure": ("Vol-target exposure (x capital)", "변동성타겟 익스포저(자본 배수)"),
    "realised_vol": ("Realised vol (fraction a year)", "실현 변동성(연율)"),
    "cta_combined_forecast": ("CTA combined forecast", "CTA 결합 신호"),
    "vix_over_vix3m": ("VIX / VIX3M", "VIX / VIX3M"),
    "icsa_4w_avg": ("Initial claims, 4-week average", "신규 실업수당 청구 4주 평균"),
    "ai_share_of_spx_gain_pct": ("AI basket share of the S&P 500 gain (%)", "S&P 500 상승분 중 AI 바스켓 비중(%)"),
    "long_duration_minus_spx_cum_pp": ("Long duration minus S&P 500, cumulative (pp)", "장기 듀레이션 - S&P 500 누적(pp)"),
    "cutting_month": ("Cutting month (x10)", "인하월(x10)"),
    "beta_adj_spread_cum_pct": ("Beta-adjusted long-minus-near spread, cumulative (%)", "베타 조정 장기-단기 스프레드 누적(%)"),
    "real10y_pct_x10": ("10-year real yield (% x10)", "10년 실질금리(% x10)"),
    "corr_26w_d10y_digoas": ("26-week corr. of Δ10y and ΔIG OAS", "10년물·IG OAS 변화의 26주 상관"),
}
"""Readable (en, ko) labels of chart traces; other names (tickers) are shown as they are."""


def slug(text: str) -> str:
    """A catalog-safe key part: lower case, runs of other characters -> ``_``."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "x"


def verdict_slug(verdict: str) -> str:
    return slug(verdict)


def chart_labels(run: ClaimsRun) -> tuple[set[str], set[str]]:
    """Trace names and y-axis titles used by the charts of a run."""
    traces: set[str] = set()
    axes: set[str] = set()
    for r in run.results:
        ch = r.evidence.chart if r.evidence is not None else None
        if ch:
            traces |= set(ch["series"])
            axes.add(ch["y_title"])
    return traces, axes


def catalog(run: ClaimsRun) -> dict[str, dict[str, str]]:
    """lang -> key -> text for the claims section (static texts, every claim, chart labels)."""
    from bubblemachine.claims import registry

    out = {lang: dict(STATIC[lang]) for lang in ("en", "ko")}
    for c in registry.load().values():
        s = slug(c.id)
        for lang, statement, short, method in (("en", c.statement_en, c.short_en, c.method_en), ("ko", c.statement_ko, c.short_ko, c.method_ko)):
            out[lang][f"claims.c.{s}.statement"] = ("The article: " if lang == "en" else "기사: ") + statement
            out[lang][f"claims.c.{s}.short"] = short
            out[lang][f"claims.c.{s}.title"] = f"{c.id}: {short}"
            out[lang][f"claims.c.{s}.caption"] = ("Test: " if lang == "en" else "검정: ") + method
            out[lang][f"claims.c.{s}.units"] = c.units
    traces, axes = chart_labels(run)
    for name in sorted(traces):
        en, ko = TRACE_LABELS.get(name, (name.replace("_", " "), name.replace("_", " ")))
        out["en"][f"claims.trace.{slug(name)}"] = en
        out["ko"][f"claims.trace.{slug(name)}"] = ko
    for name in sorted(axes):
        for lang in ("en", "ko"):
            out[lang][f"claims.axis.{slug(name)}"] = name
    return out


def render_toml(messages: dict[str, str], lang: str) -> str:
    """A flat TOML file: one quoted dotted key per line (sorted)."""
    head = f"# Generated by `python -m bubblemachine.claims.i18n` from the claim registry ({lang}). Do not edit by hand.\n"
    lines = [f"{json.dumps(k)} = {json.dumps(v, ensure_ascii=False)}" for k, v in sorted(messages.items())]
    return head + "\n".join(lines) + "\n"


def write_catalogs(run: ClaimsRun | None = None) -> list[Path]:
    """Regenerate ``claims/i18n/{en,ko}.toml`` (atomically)."""
    from bubblemachine._io import atomic_write_text
    from bubblemachine.claims import run_claims

    run = run if run is not None else run_claims()
    cat = catalog(run)
    I18N_DIR.mkdir(exist_ok=True)
    paths = []
    for lang in ("en", "ko"):
        p = I18N_DIR / f"{lang}.toml"
        atomic_write_text(p, render_toml(cat[lang], lang))
        paths.append(p)
    return paths


if __name__ == "__main__":  # pragma: no cover
    for p in write_catalogs():
        print(p)
