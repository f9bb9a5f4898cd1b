"""Why a verdict: one sentence per branch of the declared rule, in English and Korean.

:func:`reason_text` fills the sentence with the claim's numbers (interval, materiality,
figure, tolerance) for the command line and JSON; :data:`REASON_GENERIC` holds the same
sentences without numbers for the report, whose tables show the numbers in their own
columns. :func:`num` is the one number format of the claims tables (3 significant figures,
readable for small effects).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from bubblemachine.claims.reasons import Reason

if TYPE_CHECKING:  # pragma: no cover
    from bubblemachine.claims.registry import ClaimResult


def num(v: float | None) -> str:
    """A number for a claims table: ``-`` when missing; 3 decimals under 10, 1 above, 3 significant
    figures when very large or small."""
    if v is None or not math.isfinite(v):
        return "-"
    a = abs(v)
    if a != 0 and (a >= 1e4 or a < 1e-3):
        return f"{v:.3g}"
    return f"{v:.3f}" if a < 10 else f"{v:.1f}"


def pct(v: float) -> str:
    """A share as a whole percent (``0.15`` -> ``15%``), one decimal when under 10%."""
    return f"{100 * v:.0f}%" if abs(v) >= 0.1 else f"{100 * v:.1f}%"


REASON_TEXT: dict[str, dict[Reason, str]] = {
    "en": {
        Reason.CI_CLAIMED_SIDE: "The 95% interval [{lo}, {hi}] lies entirely on the claimed side of 0{mat_en}.",
        Reason.CI_WRONG_SIDE: "The 95% interval [{lo}, {hi}] lies entirely on the opposite side of 0.",
        Reason.BELOW_MATERIALITY: "The 95% interval [{lo}, {hi}] stays below the materiality threshold {m}: a material effect in the claimed direction is ruled out.",
        Reason.SIGNIFICANT_IMMATERIAL: "The 95% interval [{lo}, {hi}] excludes 0, but the effect {e} is below the materiality threshold {m}.",
        Reason.CI_SPANS_ZERO: "The 95% interval [{lo}, {hi}] includes 0: the data cannot tell.",
        Reason.HARM_RULED_OUT: "The 95% interval [{lo}, {hi}] rules out an effect beyond {bound} against the claim.",
        Reason.HARM_NOT_RULED_OUT: "The 95% interval [{lo}, {hi}] does not rule out an effect beyond {bound} against the claim.",
        Reason.WITHIN_BAND: "The 95% interval [{lo}, {hi}] lies inside +/-{m}: any response is immaterial.",
        Reason.OUTSIDE_BAND: "The 95% interval [{lo}, {hi}] lies entirely beyond +/-{m}: a material response is established.",
        Reason.BAND_UNDECIDED: "The 95% interval [{lo}, {hi}] is neither inside +/-{m} nor entirely beyond it.",
        Reason.FIGURE_CLOSE: "The data give {e} against the article's {claimed} ({err} off): within the {tol} tolerance.",
        Reason.FIGURE_ROUGH: "The data give {e} against the article's {claimed} ({err} off): beyond the {tol} tolerance but within {tol2}.",
        Reason.FIGURE_FAR: "The data give {e} against the article's {claimed} ({err} off): beyond {tol2}.",
        Reason.AT_LEAST_MET: "The data give {e}, at least the article's {claimed}.",
        Reason.AT_LEAST_NEAR: "The data give {e}, below the article's {claimed} but within {tol}.",
        Reason.AT_LEAST_FAR: "The data give {e}, more than {tol} below the article's {claimed}.",
        Reason.NOT_FINITE: "The test gave no finite effect or interval.",
        Reason.NO_DATA: "The test could not run on the data known at this date.",
        Reason.NOT_YET: "The declared window has not started, or is not observed yet, at this date.",
        Reason.NOT_TESTABLE: "The shipped data cannot test it.",
    },
    "ko": {
        Reason.CI_CLAIMED_SIDE: "95% 신뢰구간([{lo}, {hi}]) 전체가 0을 기준으로 주장한 방향에 있습니다{mat_ko}.",
        Reason.CI_WRONG_SIDE: "95% 신뢰구간([{lo}, {hi}]) 전체가 0을 기준으로 주장과 반대 방향에 있습니다.",
        Reason.BELOW_MATERIALITY: "95% 신뢰구간([{lo}, {hi}]) 전체가 중요도 기준({m})에 못 미치므로, 주장한 방향의 의미 있는 효과는 배제됩니다.",
        Reason.SIGNIFICANT_IMMATERIAL: "95% 신뢰구간([{lo}, {hi}])은 0을 포함하지 않지만, 효과({e})가 중요도 기준({m})에 못 미칩니다.",
        Reason.CI_SPANS_ZERO: "95% 신뢰구간([{lo}, {hi}])이 0을 포함하므로 자료만으로는 판단할 수 없습니다.",
        Reason.HARM_RULED_OUT: "95% 신뢰구간([{lo}, {hi}])으로 볼 때, 주장과 반대 방향으로 {bound} 수준을 넘는 효과는 배제됩니다.",
        Reason.HARM_NOT_RULED_OUT: "95% 신뢰구간([{lo}, {hi}])으로는 주장과 반대 방향으로 {bound} 수준을 넘는 효과를 배제할 수 없습니다.",
        Reason.WITHIN_BAND: "95% 신뢰구간([{lo}, {hi}])이 ±{m} 범위 안에 있어, 반응이 있더라도 의미 있는 크기는 아닙니다.",
        Reason.OUTSIDE_BAND: "95% 신뢰구간([{lo}, {hi}]) 전체가 ±{m} 범위 밖에 있어, 의미 있는 반응이 확인됩니다.",
        Reason.BAND_UNDECIDED: "95% 신뢰구간([{lo}, {hi}])이 ±{m} 범위 안에 있지도, 완전히 벗어나 있지도 않습니다.",
        Reason.FIGURE_CLOSE: "자료로 계산한 값({e})은 기사의 수치({claimed})와 {err} 차이로, 허용오차 {tol} 안에 있습니다.",
        Reason.FIGURE_ROUGH: "자료로 계산한 값({e})은 기사의 수치({claimed})와 {err} 차이로, 허용오차 {tol}는 넘지만 그 두 배({tol2}) 안에 있습니다.",
        Reason.FIGURE_FAR: "자료로 계산한 값({e})은 기사의 수치({claimed})와 {err} 차이로, 허용오차의 두 배({tol2})를 넘습니다.",
        Reason.AT_LEAST_MET: "자료로 계산한 값({e})이 기사의 수치({claimed}) 이상입니다.",
        Reason.AT_LEAST_NEAR: "자료로 계산한 값({e})은 기사의 수치({claimed})에 못 미치지만, 차이가 {tol} 이내입니다.",
        Reason.AT_LEAST_FAR: "자료로 계산한 값({e})은 기사의 수치({claimed})보다 {tol} 넘게 작습니다.",
        Reason.NOT_FINITE: "검정에서 유한한 효과나 신뢰구간을 얻지 못했습니다.",
        Reason.NO_DATA: "이 날짜에 알려진 자료로는 검정을 실행할 수 없었습니다.",
        Reason.NOT_YET: "이 날짜에는 선언된 구간이 아직 시작되지 않았거나 관측되지 않았습니다.",
        Reason.NOT_TESTABLE: "제공된 자료로는 검증할 수 없습니다.",
    },
}
"""Per language and reason: the sentence with the numbers filled in (command line, JSON)."""

REASON_GENERIC: dict[str, dict[Reason, str]] = {
    "en": {
        Reason.CI_CLAIMED_SIDE: "The 95% interval lies entirely on the claimed side of 0 and the effect reaches the threshold.",
        Reason.CI_WRONG_SIDE: "The 95% interval lies entirely on the opposite side of 0.",
        Reason.BELOW_MATERIALITY: "The 95% interval stays below the materiality threshold: a material effect is ruled out.",
        Reason.SIGNIFICANT_IMMATERIAL: "The 95% interval excludes 0, but the effect is below the materiality threshold.",
        Reason.CI_SPANS_ZERO: "The 95% interval includes 0: the data cannot tell.",
        Reason.HARM_RULED_OUT: "The 95% interval rules out a material effect against the claim.",
        Reason.HARM_NOT_RULED_OUT: "The 95% interval does not rule out a material effect against the claim.",
        Reason.WITHIN_BAND: "The 95% interval lies inside the band: any response is immaterial.",
        Reason.OUTSIDE_BAND: "The 95% interval lies entirely outside the band: a material response is established.",
        Reason.BAND_UNDECIDED: "The 95% interval is neither inside the band nor entirely outside it.",
        Reason.FIGURE_CLOSE: "The computed figure is within the tolerance of the article's figure.",
        Reason.FIGURE_ROUGH: "The computed figure is beyond the tolerance but within twice of it.",
        Reason.FIGURE_FAR: "The computed figure is beyond twice the tolerance from the article's figure.",
        Reason.AT_LEAST_MET: "The computed figure reaches the article's figure.",
        Reason.AT_LEAST_NEAR: "The computed figure falls short of the article's figure, within the tolerance.",
        Reason.AT_LEAST_FAR: "The computed figure falls short of the article's figure by more than the tolerance.",
        Reason.NOT_FINITE: "The test gave no finite effect or interval.",
        Reason.NO_DATA: "The test could not run on the data known at this date.",
        Reason.NOT_YET: "The declared window is not observed yet.",
        Reason.NOT_TESTABLE: "The shipped data cannot test it.",
    },
    "ko": {
        Reason.CI_CLAIMED_SIDE: "95% 신뢰구간 전체가 0을 기준으로 주장한 방향에 있고, 효과도 판정 기준을 충족합니다.",
        Reason.CI_WRONG_SIDE: "95% 신뢰구간 전체가 0을 기준으로 주장과 반대 방향에 있습니다.",
        Reason.BELOW_MATERIALITY: "95% 신뢰구간 전체가 중요도 기준에 못 미치므로, 의미 있는 효과는 배제됩니다.",
        Reason.SIGNIFICANT_IMMATERIAL: "95% 신뢰구간은 0을 포함하지 않지만, 효과가 중요도 기준에 못 미칩니다.",
        Reason.CI_SPANS_ZERO: "95% 신뢰구간이 0을 포함하므로 자료만으로는 판단할 수 없습니다.",
        Reason.HARM_RULED_OUT: "95% 신뢰구간으로 볼 때, 주장에 반하는 의미 있는 효과는 배제됩니다.",
        Reason.HARM_NOT_RULED_OUT: "95% 신뢰구간으로는 주장에 반하는 의미 있는 효과를 배제할 수 없습니다.",
        Reason.WITHIN_BAND: "95% 신뢰구간이 허용 범위 안에 있어, 반응이 있더라도 의미 있는 크기는 아닙니다.",
        Reason.OUTSIDE_BAND: "95% 신뢰구간 전체가 허용 범위 밖에 있어, 의미 있는 반응이 확인됩니다.",
        Reason.BAND_UNDECIDED: "95% 신뢰구간이 허용 범위 안에 있지도, 완전히 벗어나 있지도 않습니다.",
        Reason.FIGURE_CLOSE: "자료로 계산한 수치가 기사 수치의 허용오차 안에 있습니다.",
        Reason.FIGURE_ROUGH: "자료로 계산한 수치가 허용오차는 넘지만 그 두 배 안에 있습니다.",
        Reason.FIGURE_FAR: "자료로 계산한 수치가 기사 수치와 허용오차의 두 배 넘게 차이 납니다.",
        Reason.AT_LEAST_MET: "자료로 계산한 수치가 기사 수치 이상입니다.",
        Reason.AT_LEAST_NEAR: "자료로 계산한 수치가 기사 수치에 못 미치지만, 차이가 허용오차 안에 있습니다.",
        Reason.AT_LEAST_FAR: "자료로 계산한 수치가 기사 수치보다 허용오차 넘게 작습니다.",
        Reason.NOT_FINITE: "검정에서 유한한 효과나 신뢰구간을 얻지 못했습니다.",
        Reason.NO_DATA: "이 날짜에 알려진 자료로는 검정을 실행할 수 없었습니다.",
        Reason.NOT_YET: "선언된 구간이 아직 관측되지 않았습니다.",
        Reason.NOT_TESTABLE: "제공된 자료로는 검증할 수 없습니다.",
    },
}
"""Per language and reason: the same sentence without numbers (the report's scoreboard)."""


def reason_text(result: ClaimResult, lang: str = "en") -> str:
    """The one sentence saying which branch of the declared rule decided ``result``'s verdict."""
    th, e, r = result.claim.thresholds, result.evidence, result.decision.reason
    template = REASON_TEXT["ko" if lang == "ko" else "en"][r]
    effect = e.effect if e is not None else float("nan")
    lo, hi = (e.ci_low, e.ci_high) if e is not None else (float("nan"), float("nan"))
    m = th.materiality
    claimed = th.claimed if th.claimed is not None else float("nan")
    err = abs(effect - claimed) / abs(claimed) if th.claimed and math.isfinite(effect) else float("nan")
    return template.format(
        lo=num(lo), hi=num(hi), e=num(effect), m=f"{m:g}", bound=f"{-th.direction * m:g}",
        claimed=f"{claimed:g}", err=pct(err) if math.isfinite(err) else "-", tol=pct(th.tolerance), tol2=pct(2 * th.tolerance),
        mat_en=f", and the effect {num(effect)} reaches the materiality threshold {m:g}" if m else "",
        mat_ko=f". 효과({num(effect)})도 중요도 기준({m:g}) 이상입니다" if m else "",
    )  # fmt: skip
