"""Words of the claims section and command, in English and Korean.

The report renders only catalog keys, so every claim's texts (statement, short label,
method, units), every verdict, every deciding rule and every chart label become keys under
``claims.``. The committed files ``claims/i18n/en.toml`` and ``ko.toml`` are the output of
:func:`write_catalogs`; a test checks they match the registry, so they never drift.
Regenerate with::

    python -m bubblemachine.claims.i18n

Korean is written in one formal register (합니다체) throughout; the articles' statements are
quoted as they were made ("…"라고 주장합니다).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bubblemachine.claims.explain import REASON_GENERIC
from bubblemachine.claims.registry import Reason, Verdict

I18N_DIR = Path(__file__).with_name("i18n")

VERDICT_EN: dict[Verdict, str] = {v: v.value for v in Verdict}
VERDICT_KO: dict[Verdict, str] = {
    Verdict.SUPPORTED: "지지",
    Verdict.CONTRADICTED: "반박",
    Verdict.INCONCLUSIVE: "판단 보류",
    Verdict.NOT_TESTABLE: "검증 불가",
    Verdict.NOT_YET: "아직 검증 불가",
    Verdict.ERROR: "오류",
}
VERDICT_WORDS = {"en": VERDICT_EN, "ko": VERDICT_KO}

DECISIONS: tuple[tuple[Verdict, Reason], ...] = (
    (Verdict.SUPPORTED, Reason.CI_CLAIMED_SIDE), (Verdict.SUPPORTED, Reason.HARM_RULED_OUT),
    (Verdict.SUPPORTED, Reason.WITHIN_BAND), (Verdict.SUPPORTED, Reason.FIGURE_CLOSE), (Verdict.SUPPORTED, Reason.AT_LEAST_MET),
    (Verdict.CONTRADICTED, Reason.CI_WRONG_SIDE), (Verdict.CONTRADICTED, Reason.BELOW_MATERIALITY),
    (Verdict.CONTRADICTED, Reason.OUTSIDE_BAND), (Verdict.CONTRADICTED, Reason.FIGURE_FAR), (Verdict.CONTRADICTED, Reason.AT_LEAST_FAR),
    (Verdict.INCONCLUSIVE, Reason.SIGNIFICANT_IMMATERIAL), (Verdict.INCONCLUSIVE, Reason.CI_SPANS_ZERO),
    (Verdict.INCONCLUSIVE, Reason.HARM_NOT_RULED_OUT), (Verdict.INCONCLUSIVE, Reason.BAND_UNDECIDED),
    (Verdict.INCONCLUSIVE, Reason.FIGURE_ROUGH), (Verdict.INCONCLUSIVE, Reason.AT_LEAST_NEAR), (Verdict.INCONCLUSIVE, Reason.NOT_FINITE),
    (Verdict.NOT_TESTABLE, Reason.NOT_TESTABLE), (Verdict.NOT_TESTABLE, Reason.NO_DATA), (Verdict.NOT_YET, Reason.NOT_YET),
)  # fmt: skip
"""Every (verdict, reason) pair a rule can produce: one report sentence each."""

STATIC: dict[str, dict[str, str]] = {
    "en": {
        "claims.section.title": "Were the articles right?",
        "claims.section.intro": "Every testable claim of the five seed articles, checked on real history with a test, a sample and a verdict rule declared before any result was computed. Each claim also declares its window: a fixed window (a named period, or \"since X\" as of the article's date) gives the same answer when newer data arrive; an open window (a general regularity) runs to the end of the data, and its sample end moves with it.",
        "claims.scoreboard.title": "Scoreboard",
        "claims.scoreboard.caption": "One row per claim: the verdict, the effect with its 95% interval (figure checks show the computed number only), its units, and whether the result stays significant after the Holm correction for multiple testing.",
        "claims.rules.title": "How each verdict was decided",
        "claims.rules.caption": "The declared window (fixed or open), the sample the test used, the number of observations or events, the threshold written before the results, and the branch of the rule that decided the verdict.",
        "claims.multitest.title": "Multiple testing",
        "claims.multitest.caption": "A verdict reads each claim's own 95% interval against its declared rule, so a claim can be supported on its own and still fail the Holm correction, which asks whether the result stands out among all the tests run at once. Benjamini-Hochberg is the milder correction: it limits the expected share of false discoveries rather than the chance of any.",
        "claims.timeline.title": "Verdicts over time",
        "claims.timeline.caption": "Each claim re-run as of the end of every year with only the data known then (point in time), and finally on all data. The strip shows one mark per date from the first year to the last, in groups of five: + supported, x contradicted, ? inconclusive, . not testable (yet). \"Same since\" is the first year of the current verdict; \"last flip\" the latest year the verdict switched between supported and contradicted.",
        "claims.col.id": "Id",
        "claims.col.claim": "Claim",
        "claims.col.verdict": "Verdict",
        "claims.col.effect": "Effect [95% CI]",
        "claims.col.units": "Units",
        "claims.col.holm": "Survives Holm",
        "claims.col.window": "Window",
        "claims.col.sample": "Sample",
        "claims.col.n": "n",
        "claims.col.threshold": "Threshold",
        "claims.col.decided": "Decided by",
        "claims.col.quantity": "Quantity",
        "claims.col.count": "Count",
        "claims.col.now": "Verdict now",
        "claims.col.since": "Same since",
        "claims.col.flip": "Last flip",
        "claims.col.strip": "Timeline",
        "claims.mt.tests": "Tests with a p-value",
        "claims.mt.raw": "Significant at 5% before adjustment",
        "claims.mt.holm": "Significant at 5% after Holm",
        "claims.mt.bh": "Significant at 5% after Benjamini-Hochberg",
        "claims.holm.yes": "yes",
        "claims.holm.no": "no",
        "claims.holm.na": "no p-value",
        "claims.window.fixed": "fixed",
        "claims.window.open": "open",
    },
    "ko": {
        "claims.section.title": "기사들은 맞았나?",
        "claims.section.intro": "다섯 편의 기사에 담긴 주장 가운데 검증할 수 있는 것을 모두 실제 역사 자료로 확인했습니다. 검정 방법과 표본, 판정 규칙은 결과를 계산하기 전에 정해 두었습니다. 주장마다 표본 구간도 미리 선언했습니다. 고정 구간(특정 기간, 또는 기사 날짜 기준 '○○ 이후')은 새 자료가 들어와도 같은 답을 내고, 열린 구간(일반적인 규칙성)은 자료의 끝까지 이어지므로 표본이 끝나는 날짜도 함께 바뀝니다.",
        "claims.scoreboard.title": "판정표",
        "claims.scoreboard.caption": "주장마다 한 줄씩 판정, 효과와 95% 신뢰구간(수치 확인은 계산값만 표시), 단위, 그리고 다중검정에 대한 홀름 보정 뒤에도 결과가 유의한지를 보여 줍니다.",
        "claims.rules.title": "판정의 근거",
        "claims.rules.caption": "선언된 표본 구간(고정 또는 열린 구간), 검정에 쓴 표본 기간, 관측치 또는 사건의 수, 결과를 보기 전에 정한 판정 기준, 그리고 판정을 가른 규칙을 보여 줍니다.",
        "claims.multitest.title": "다중검정",
        "claims.multitest.caption": "판정은 주장마다 95% 신뢰구간을 미리 정한 규칙에 비추어 내리므로, 한 주장이 그 자체로는 지지되더라도 동시에 실행한 모든 검정 가운데서 두드러지는지를 묻는 홀름 보정은 통과하지 못할 수 있습니다. 벤저민-호크버그 보정은 이보다 완화된 방법으로, 거짓 발견이 하나라도 나올 확률 대신 거짓 발견의 기대 비율을 제한합니다.",
        "claims.timeline.title": "시간에 따른 판정 변화",
        "claims.timeline.caption": "매년 말 시점에 그때까지 알려진 자료만으로(시점 기준) 각 주장을 다시 검정하고, 마지막에는 모든 자료로 검정했습니다. 띠에는 첫해부터 마지막 날짜까지 날짜마다 기호를 하나씩 표시하고, 다섯 개씩 묶었습니다. +는 지지, x는 반박, ?는 판단 보류, .는 (아직) 검증 불가입니다. '마지막 반전 연도'는 판정이 지지와 반박 사이에서 마지막으로 바뀐 해입니다.",
        "claims.col.id": "번호",
        "claims.col.claim": "주장",
        "claims.col.verdict": "판정",
        "claims.col.effect": "효과 [95% 신뢰구간]",
        "claims.col.units": "단위",
        "claims.col.holm": "홀름 보정 후 유의",
        "claims.col.window": "구간",
        "claims.col.sample": "표본 기간",
        "claims.col.n": "관측 수",
        "claims.col.threshold": "판정 기준",
        "claims.col.decided": "판정 근거",
        "claims.col.quantity": "항목",
        "claims.col.count": "건수",
        "claims.col.now": "현재 판정",
        "claims.col.since": "현재 판정이 시작된 해",
        "claims.col.flip": "마지막 반전 연도",
        "claims.col.strip": "판정 띠",
        "claims.mt.tests": "p값이 있는 검정",
        "claims.mt.raw": "조정 전 5% 수준에서 유의",
        "claims.mt.holm": "홀름 보정 후 5% 수준에서 유의",
        "claims.mt.bh": "벤저민-호크버그 보정 후 5% 수준에서 유의",
        "claims.holm.yes": "예",
        "claims.holm.no": "아니요",
        "claims.holm.na": "p값 없음",
        "claims.window.fixed": "고정",
        "claims.window.open": "열림",
    },
}

VERDICT_SENTENCE = {
    "en": "Verdict: {verdict}. {reason}",
    "ko": "판정: {verdict}. {reason}",
}

TRACE_LABELS: dict[str, tuple[str, str]] = {
    "net_liquidity_usd_bn": ("Net liquidity (USD bn)", "순유동성(십억 달러)"),
    "net_liquidity_rebased": ("Net liquidity (start = 100)", "순유동성(시작 = 100)"),
    "tga_usd_bn": ("TGA (USD bn)", "재무부 일반계정(십억 달러)"),
    "on_rrp_usd_bn": ("ON RRP (USD bn)", "역레포(십억 달러)"),
    "value": ("Value", "값"),
    "vol_target_exposure": ("Vol-target exposure (x capital)", "변동성 타깃 익스포저(자본 배수)"),
    "realised_vol": ("Realised vol (fraction a year)", "실현 변동성(연율)"),
    "cta_combined_forecast": ("CTA combined forecast", "CTA 결합 신호"),
    "vix_over_vix3m": ("VIX / VIX3M", "VIX / VIX3M"),
    "icsa_4w_avg": ("Initial claims, 4-week average", "신규 실업수당 청구 4주 평균"),
    "ai_share_of_spx_gain_pct": ("AI basket share of the S&P 500 gain (%)", "S&P 500 상승분 중 AI 바스켓 몫(%)"),
    "long_duration_minus_spx_cum_pp": ("Long duration minus S&P 500, cumulative (pp)", "장기 듀레이션 - S&P 500 누적(%p)"),
    "cutting_month": ("Cutting month (x10)", "인하월(x10)"),
    "beta_adj_spread_cum_pct": ("Beta-adjusted long-minus-near spread, cumulative (%)", "베타 조정 장기-단기 스프레드 누적(%)"),
    "real10y_pct_x10": ("10-year real yield (% x10)", "10년 실질 금리(% x10)"),
    "corr_26w_d10y_digoas": ("26-week correlation of Δ10y and ΔIG OAS", "10년 금리와 IG 가산금리 변화의 26주 상관계수"),
    "open_window": ("Open window", "매입 가능 기간"),
    "blackout_window": ("Blackout", "블랙아웃"),
    "capex_growth_yoy_pct": ("Big-4 capex growth, y/y (%)", "4대 자본지출 증가율, 전년 대비(%)"),
    "big4_trailing_return_pct": ("Big-4 return over the previous year (%)", "4개사 직전 1년 수익률(%)"),
    "before_release": ("Before the release", "발표 전"),
    "after_release": ("After the release", "발표 후"),
    "dff_next_3m_pp": ("Fed funds change, next 3 months (pp)", "향후 3개월 연방기금금리 변화(%p)"),
    "unemployment_change_3m_pp": ("Unemployment change, last 3 months (pp)", "최근 3개월 실업률 변화(%p)"),
    "core_pce_gap_pp": ("Core PCE inflation minus 2% (pp)", "근원 PCE 물가상승률 - 2%(%p)"),
}
"""Readable (en, ko) labels of chart traces; ``<TICKER>_rebased`` and bare tickers are built below."""

AXIS_LABELS: dict[str, str] = {
    "index (100 = start)": "지수(시작 = 100)",
    "corr(ΔNetLiq[t-k], SPX[t])": "상관계수(ΔNetLiq[t-k], SPX[t])",
    "USD bn": "십억 달러",
    "% per $100bn": "1,000억 달러당 %",
    "CAR": "누적초과수익률",
    "correlation": "상관계수",
    "pp": "%p",
    "%": "%",
    "index (100 = 2024-12-31)": "지수(2024-12-31 = 100)",
    "index (100 = 2022-11-30)": "지수(2022-11-30 = 100)",
    "index (100 = 2025-11-14)": "지수(2025-11-14 = 100)",
    "% | pct x10": "% | % x10",
    "x capital | fraction": "자본 배수 | 비율",
    "forecast (-20..20)": "신호(-20~20)",
    "% a year (mean log return x 252)": "연율 %(평균 로그수익률 x 252)",
    "realised vol, % a year": "실현 변동성, 연율 %",
    "ratio": "비율",
    "% of S&P 500 gain": "S&P 500 상승분 중 %",
    "USD bn a quarter (big 4, excl. finance leases)": "분기당 십억 달러(4대 기업, 금융리스 제외)",
    "index points": "지수 포인트",
    "claims a week": "주간 청구 건수",
    "log return, %": "로그수익률, %",
    "days BTC & IGV peaked earlier": "BTC·IGV가 먼저 고점을 찍은 영업일 수",
    "sign-adjusted correlation": "부호 조정 상관계수",
}
"""Korean y-axis titles (the English title is the key)."""

UI: dict[str, dict[str, str]] = {
    "en": {
        "title": "Were the articles right?",
        "asof": "data known on {asof}",
        "col.claim": "claim · effect [95% CI] units · n · sample · rule",
        "col.verdict": "verdict",
        "holm.yes": "Holm: yes",
        "holm.no": "Holm: no",
        "window.fixed": "fixed window",
        "window.open": "open window",
        "claimed": "claimed",
        "counts": "{n} claims: {counts}.",
        "multitest": "Multiple testing: significant at 5%, {raw} before adjustment, {holm} after Holm, {bh} after Benjamini-Hochberg (of {tests} tests with a p-value). A verdict reads each claim's own 95% interval against its declared rule, so a claim can be supported on its own and still not survive Holm, which asks whether it stands out among all {tests} tests run at once.",
        "seed": "Bootstrap seed {seed}.",
        "history.title": "Verdicts over time ({every}, point in time)",
        "history.col.strip": "timeline {first}..{last}",
        "history.col.now": "now",
        "history.col.since": "since / last flip",
        "history.legend": "+ supported, x contradicted, ? inconclusive, . not testable (yet). Ran {n} dates on {backend} ({workers} workers).",
        "history.col.asof": "as of",
        "history.col.effect": "effect [95% CI]",
        "history.col.holm": "p (Holm)",
    },
    "ko": {
        "title": "기사들은 맞았나?",
        "asof": "{asof}에 알려진 자료",
        "col.claim": "주장 · 효과 [95% 신뢰구간] 단위 · 관측 수 · 표본 · 규칙",
        "col.verdict": "판정",
        "holm.yes": "홀름: 유의",
        "holm.no": "홀름: 비유의",
        "window.fixed": "고정 구간",
        "window.open": "열린 구간",
        "claimed": "기사 수치",
        "counts": "주장 {n}개: {counts}.",
        "multitest": "다중검정: p값이 있는 검정은 {tests}개이며, 조정 전 5% 수준에서 유의한 것은 {raw}개, 홀름 보정 후 {holm}개, 벤저민-호크버그 보정 후 {bh}개입니다. 판정은 주장마다 95% 신뢰구간을 미리 정한 규칙에 비추어 내리므로, 그 자체로는 지지되는 주장도 동시에 실행한 {tests}개 검정 가운데서 두드러지는지를 묻는 홀름 보정은 통과하지 못할 수 있습니다.",
        "seed": "부트스트랩 시드 {seed}.",
        "history.title": "시간에 따른 판정 변화({every}, 시점 기준)",
        "history.col.strip": "판정 띠 {first}..{last}",
        "history.col.now": "현재",
        "history.col.since": "유지 시작 / 마지막 반전",
        "history.legend": "+ 지지, x 반박, ? 판단 보류, . (아직) 검증 불가. 날짜 {n}개를 {backend} 백엔드(작업자 {workers}개)로 실행했습니다.",
        "history.col.asof": "기준일",
        "history.col.effect": "효과 [95% 신뢰구간]",
        "history.col.holm": "p(홀름)",
    },
}
"""Words of the ``claims`` command (tables for people)."""


def slug(text: str) -> str:
    """A catalog-safe key part: lower case, runs of other characters -> ``_``."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "x"


def trace_label(name: str) -> tuple[str, str]:
    """(en, ko) label of a chart trace: the table above, ``<TICKER>_rebased``, or the name itself."""
    if name in TRACE_LABELS:
        return TRACE_LABELS[name]
    if name.endswith("_rebased"):
        t = name[: -len("_rebased")]
        return f"{t} (start = 100)", f"{t}(시작 = 100)"
    return name.replace("_", " "), name.replace("_", " ")


def decision_key(verdict: Verdict, reason: Reason) -> str:
    return f"claims.decision.{verdict.slug}.{reason.value}"


def quoted_statement_ko(statement: str) -> str:
    """``기사는 “…”라고 주장합니다.`` (the statement is a plain-form proposition)."""
    return f"기사는 “{statement}”라고 주장합니다."


def catalog(traces: set[str] | None = None, axes: set[str] | None = None) -> dict[str, dict[str, str]]:
    """lang -> key -> text for the claims section: static texts, every claim, every decision,
    every chart label the claims draw (``traces``/``axes``; default: all known ones)."""
    from bubblemachine.claims import registry

    out = {lang: dict(STATIC[lang]) for lang in ("en", "ko")}
    for lang in ("en", "ko"):
        for v in Verdict:
            out[lang][f"claims.verdict.{v.slug}"] = VERDICT_WORDS[lang][v]
        for v, r in DECISIONS:
            out[lang][decision_key(v, r)] = VERDICT_SENTENCE[lang].format(verdict=VERDICT_WORDS[lang][v], reason=REASON_GENERIC[lang][r])
    for c in registry.load().values():
        s = slug(c.id)
        out["en"][f"claims.c.{s}.statement"] = f"The article: {c.statement_en}"
        out["ko"][f"claims.c.{s}.statement"] = quoted_statement_ko(c.statement_ko)
        for lang, short, method, units in (("en", c.short_en, c.method_en, c.units), ("ko", c.short_ko, c.method_ko, c.units_ko)):
            out[lang][f"claims.c.{s}.short"] = short
            out[lang][f"claims.c.{s}.title"] = f"{c.id}: {short}"
            out[lang][f"claims.c.{s}.caption"] = ("Test: " if lang == "en" else "검정 방법: ") + method
            out[lang][f"claims.c.{s}.units"] = units
    for name in sorted(TRACE_LABELS.keys() | (traces or set())):
        en, ko = trace_label(name)
        out["en"][f"claims.trace.{slug(name)}"] = en
        out["ko"][f"claims.trace.{slug(name)}"] = ko
    for name in sorted(AXIS_LABELS.keys() | (axes or set())):
        out["en"][f"claims.axis.{slug(name)}"] = name
        out["ko"][f"claims.axis.{slug(name)}"] = AXIS_LABELS.get(name, name)
    return out


def chart_labels(results) -> tuple[set[str], set[str]]:
    """Trace names and y-axis titles the charts of these results use."""
    traces: set[str] = set()
    axes: set[str] = set()
    for r in results:
        ch = r.evidence.chart if r.evidence is not None else None
        if ch:
            traces |= set(ch["series"])
            axes.add(ch["y_title"])
    return traces, axes


def render_toml(messages: dict[str, str], lang: str) -> str:
    """A flat TOML file: one quoted dotted key per line (sorted)."""
    head = f"# Generated by `python -m bubblemachine.claims.i18n` from the claim registry ({lang}). Do not edit by hand.\n"
    lines = [f"{json.dumps(k)} = {json.dumps(v, ensure_ascii=False)}" for k, v in sorted(messages.items())]
    return head + "\n".join(lines) + "\n"


def write_catalogs() -> list[Path]:
    """Regenerate ``claims/i18n/{en,ko}.toml`` (atomically) from the registry and a full run's charts."""
    from bubblemachine._io import atomic_write_text
    from bubblemachine.claims.run import run_claims

    traces, axes = chart_labels(run_claims(progress=False).results)
    cat = catalog(traces, axes)
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
