"""Systematic flows: vol targeting (C6.1), CTA flips (M6.2), buyback blackouts (C6.2), VIX curve (C6.3).

The vol-target exposure, realised vol, CTA signal and VIX ratio come from
:mod:`bubblemachine.indicators.systematic` / :mod:`bubblemachine.indicators.market`. Every
signal is known at the close of its date; forward returns start at that close.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bubblemachine.claims import _data as D
from bubblemachine.claims import stats as S
from bubblemachine.claims.registry import Evidence, Thresholds, register

VT_START = "1990-01-01"
CTA_START = "1990-01-01"
BUYBACK_START = "2000-01-01"
CTA_US_EXPOSURE_BN = 50.0  # USD bn of US equity futures at an average (|10|) forecast; Goldman quoted ~$53bn US
BLACKOUT_BEFORE_QE_DAYS = 14
BLACKOUT_END_DAY = 17  # ~2 trading days after the big banks report (~14th-15th of the month after quarter end)
VIX_MATERIAL_LOSS_PCT = 1.0
FWD = 20


def _spx(store, asof, start):
    return D.px(store, "SPX", asof, start)


def _vt_evidence(store, asof, h: int) -> Evidence:
    from bubblemachine.indicators.systematic import realised_vol, vol_target_exposure

    spx = _spx(store, asof, VT_START)
    e = vol_target_exposure(spx)
    de = 10.0 * e.diff(h)  # change over the last h days, per 0.1 of capital, known at close t
    fwd = 100.0 * S.forward_return(spx, h)
    df = pd.DataFrame({"fwd": fwd, "de": de}).dropna()
    fit = S.hac_ols(df["fwd"], df["de"], horizon=h)
    vol = realised_vol(spx)
    chart = D.line_chart({"vol_target_exposure": D.cut(e, "2015-01-01"), "realised_vol": D.cut(vol, "2015-01-01")}, y_title="x capital | fraction")
    spikes = vol.pct_change(h) > 0.5
    return Evidence(fit.params["de"], fit.ci_low["de"], fit.ci_high["de"], fit.n, D.day(df.index[0]), D.day(df.index[-1]), fit.pvalues["de"],
                    {"hac_lags": fit.lags, "r2": fit.r2, "corr_dE_dvol": float(e.diff(h).corr(vol.diff(h))),
                     "mean_dE_after_vol_spike": float(e.diff(h)[spikes].mean()), "n_vol_spike_days": int(spikes.sum())}, chart)  # fmt: skip


_VT_KW = dict(seed="004", series=("SPX",), sample=(VT_START, None), group="systematic",
              thresholds=Thresholds(rule="effect", direction=1, materiality=0.0),
              caveats=("A replicated 10%-target, 20-day half-life exposure (Harvey et al. 2018), not actual fund positions.",))  # fmt: skip


@register(
    id="C6.1", statement_en="Vol-target exposure falls after volatility spikes and the mechanical selling pushes the index further (next week).",
    statement_ko="변동성 급등 후 변동성 타겟 익스포저가 줄고, 기계적 매도가 지수를 더 밀어낸다(다음 주).",
    short_en="Vol-target cuts predict next-week weakness", short_ko="변동성타겟 축소가 다음주 약세 예측",
    method_en="Next-5-day S&P 500 log return regressed on the past-5-day change in replicated vol-target exposure (per 0.1 of capital), 1990 onward; HAC with lags >= 4 (overlapping returns).",
    method_ko="향후 5일 S&P 500 로그수익률을 복제한 변동성타겟 익스포저의 직전 5일 변화(자본 0.1당)에 회귀, 1990년 이후; 중첩 수익률에 HAC(시차 4 이상).",
    units="% next-week SPX return per +0.1 exposure change", **_VT_KW,
)  # fmt: skip
def c6_1(store, asof):
    return _vt_evidence(store, asof, 5)


@register(
    id="C6.1-1d", statement_en="Vol-target exposure changes predict the next day's S&P 500 move (amplification).",
    statement_ko="변동성타겟 익스포저 변화가 다음 날 S&P 500 움직임을 예측한다(증폭).",
    short_en="Vol-target changes predict next day", short_ko="변동성타겟 변화가 다음날 예측",
    method_en="Next-day S&P 500 log return regressed on today's change in replicated vol-target exposure (per 0.1 of capital), 1990 onward; HAC.",
    method_ko="다음 날 S&P 500 로그수익률을 오늘의 변동성타겟 익스포저 변화(자본 0.1당)에 회귀, 1990년 이후; HAC.",
    units="% next-day SPX return per +0.1 exposure change", **_VT_KW,
)  # fmt: skip
def c6_1_1d(store, asof):
    return _vt_evidence(store, asof, 1)


@register(
    id="M6.2-CTA", seed="004",
    statement_en="CTAs buy above and sell below preset trend levels: after a signal flip the move continues.",
    statement_ko="CTA는 추세 수준 위에서 사고 아래에서 판다: 신호 전환 후 움직임이 이어진다.",
    short_en="Moves continue after CTA flips", short_ko="CTA 신호 전환 후 추세 지속",
    method_en="Mean 20-day S&P 500 log return after buy flips minus after sell flips of the combined EWMAC trend signal (8/32..64/256, pysystemtrade scalars), 1990 onward; HAC across flips; implied flows at $50bn per average forecast in details.",
    method_ko="결합 EWMAC 추세신호(8/32..64/256, pysystemtrade 스칼라)의 매수 전환 후 20일 S&P 500 로그수익률 평균 - 매도 전환 후, 1990년 이후; HAC; 평균 예측치당 500억달러 가정의 암묵 흐름은 상세에.",
    series=("SPX",), sample=(CTA_START, None), units="pp over 20 days (after buy flips minus after sell flips)",
    thresholds=Thresholds(rule="effect", direction=1, materiality=0.0), group="systematic",
    caveats=("Flows assume a $50bn US-equity CTA book at an average forecast (Goldman's ~$53bn); a scale, not a measurement.",),
)  # fmt: skip
def m6_2_cta(store, asof):
    from bubblemachine.indicators.systematic import cta_signal

    spx = _spx(store, asof, CTA_START)
    sig = cta_signal(spx)["combined"].dropna()
    sgn = np.sign(sig)
    flip = (sgn != sgn.shift(1)) & sgn.shift(1).notna() & (sgn != 0)
    fwd = 100.0 * S.forward_return(spx, FWD).reindex(sig.index)
    flows = (sig.shift(-FWD) - sig) / 10.0 * CTA_US_EXPOSURE_BN
    df = pd.DataFrame({"fwd": fwd[flip], "buy": (sgn[flip] > 0).astype(float), "flow": flows[flip]}).dropna()
    fit = S.hac_ols(df["fwd"], df["buy"], horizon=1)
    chart = D.line_chart({"cta_combined_forecast": D.cut(sig, "2015-01-01")}, y_title="forecast (-20..20)")
    return Evidence(fit.params["buy"], fit.ci_low["buy"], fit.ci_high["buy"], fit.n, D.day(df.index[0]), D.day(df.index[-1]), fit.pvalues["buy"],
                    {"n_buy_flips": int(df["buy"].sum()), "n_sell_flips": int((1 - df["buy"]).sum()),
                     "mean_fwd20_after_sell_pct": float(df.loc[df["buy"] == 0, "fwd"].mean()),
                     "mean_fwd20_after_buy_pct": float(df.loc[df["buy"] == 1, "fwd"].mean()),
                     "median_flow_20d_after_sell_usd_bn": float(df.loc[df["buy"] == 0, "flow"].median()),
                     "median_flow_20d_after_buy_usd_bn": float(df.loc[df["buy"] == 1, "flow"].median())}, chart)  # fmt: skip


def blackout_calendar(index: pd.DatetimeIndex) -> pd.Series:
    """1.0 on days inside the approximate buyback blackout, else 0.0 (declared calendar rule).

    Blackout runs from ``BLACKOUT_BEFORE_QE_DAYS`` (14) calendar days before each quarter end
    to day ``BLACKOUT_END_DAY`` (17) of the month after it (about two trading days after the
    big banks open the earnings season), i.e. about 4.5 weeks a quarter. An approximation of
    company-specific windows, not a measured calendar.
    """
    idx = pd.DatetimeIndex(index)
    qe = idx.to_period("Q").end_time.normalize()
    before = (qe - idx).days <= BLACKOUT_BEFORE_QE_DAYS
    after = idx.month.isin([1, 4, 7, 10]) & (idx.day <= BLACKOUT_END_DAY)
    return pd.Series((before | after).astype(float), index=index, name="blackout")


def _blackout_frame(store, asof):
    spx = _spx(store, asof, BUYBACK_START)
    r = 100.0 * S.log_returns(spx)
    return pd.DataFrame({"r": r, "absr": r.abs(), "blackout": blackout_calendar(r.index)})


_BB_KW = dict(seed="004", series=("SPX",), sample=(BUYBACK_START, None), group="systematic",
              caveats=("Blackout windows are a calendar approximation (quarter end - 14 days .. the 17th of the next month), not company filings.",
                       "10b5-1 plans keep buying during blackouts."))  # fmt: skip


@register(
    id="C6.2", statement_en="Returns in buyback blackout windows are weaker than in open windows.",
    statement_ko="자사주 매입 블랙아웃 기간의 수익률은 매입 가능 기간보다 약하다.",
    short_en="Weaker returns in buyback blackouts", short_ko="블랙아웃 기간 수익률 약세",
    method_en="Daily S&P 500 log return regressed on a blackout-calendar dummy, 2000 onward; effect in % a day (blackout minus open); HAC.",
    method_ko="2000년 이후 S&P 500 일간 로그수익률을 블랙아웃 달력 더미에 회귀; 효과 = 하루 %(블랙아웃 - 개방); HAC.",
    units="% a day (blackout minus open)", thresholds=Thresholds(rule="effect", direction=-1, materiality=0.0), **_BB_KW,
)  # fmt: skip
def c6_2(store, asof):
    df = _blackout_frame(store, asof)
    fit = S.hac_ols(df["r"], df["blackout"])
    ann = df.groupby("blackout")["r"].mean() * 252
    chart = D.bar_chart({"open": float(ann.get(0.0, np.nan)), "blackout": float(ann.get(1.0, np.nan))}, y_title="% a year (mean log return x 252)")
    return Evidence(fit.params["blackout"], fit.ci_low["blackout"], fit.ci_high["blackout"], fit.n, D.day(df.index[0]), D.day(df.index[-1]),
                    fit.pvalues["blackout"], {"share_blackout_days": float(df["blackout"].mean()), "ann_open_pct": float(ann.get(0.0, np.nan)),
                                              "ann_blackout_pct": float(ann.get(1.0, np.nan)), "hac_lags": fit.lags}, chart)  # fmt: skip


@register(
    id="C6.2-vol", statement_en="Without the buyback bid (blackouts) the market is more volatile: buybacks damp volatility.",
    statement_ko="자사주 매입이 멈추는 블랙아웃 기간에는 변동성이 커진다: 자사주 매입은 변동성을 누른다.",
    short_en="Higher volatility in buyback blackouts", short_ko="블랙아웃 기간 변동성 확대",
    method_en="Daily absolute S&P 500 log return regressed on the blackout-calendar dummy, 2000 onward; effect in % a day (blackout minus open); HAC.",
    method_ko="2000년 이후 S&P 500 일간 절대 로그수익률을 블랙아웃 달력 더미에 회귀; 효과 = 하루 %(블랙아웃 - 개방); HAC.",
    units="% a day, mean |return| (blackout minus open)", thresholds=Thresholds(rule="effect", direction=1, materiality=0.0), **_BB_KW,
)  # fmt: skip
def c6_2_vol(store, asof):
    df = _blackout_frame(store, asof)
    fit = S.hac_ols(df["absr"], df["blackout"])
    vol = df.groupby("blackout")["r"].std() * np.sqrt(252)
    chart = D.bar_chart({"open": float(vol.get(0.0, np.nan)), "blackout": float(vol.get(1.0, np.nan))}, y_title="realised vol, % a year")
    return Evidence(fit.params["blackout"], fit.ci_low["blackout"], fit.ci_high["blackout"], fit.n, D.day(df.index[0]), D.day(df.index[-1]),
                    fit.pvalues["blackout"], {"vol_open_pct": float(vol.get(0.0, np.nan)), "vol_blackout_pct": float(vol.get(1.0, np.nan)), "hac_lags": fit.lags}, chart)  # fmt: skip


@register(
    id="C6.3", seed="004",
    statement_en="VIX-curve inversions (VIX above 3-month VIX) reflect short-term hedging, not panic: they are not reliably followed by further losses.",
    statement_ko="VIX 곡선 역전(VIX > 3개월 VIX)은 패닉이 아닌 단기 헤지 불균형이다: 역전 뒤 추가 손실이 확실히 이어지지 않는다.",
    short_en="VIX inversions not followed by losses", short_ko="VIX 역전 후 추가 손실 없음",
    method_en="Mean 20-day S&P 500 log return after the first day of each inversion episode (VIX/VIX3M crosses above 1), 2009 onward; HAC interval across episodes; supported if the CI rules out a mean loss beyond 1%.",
    method_ko="2009년 이후 각 역전 구간 첫날(VIX/VIX3M이 1을 넘음) 후 20일 S&P 500 로그수익률 평균; 구간 간 HAC; 신뢰구간이 1% 초과 평균 손실을 배제하면 지지.",
    series=("VIX", "VIX3M", "SPX"), sample=("2009-09-18", None), units="% over 20 days after inversion starts",
    thresholds=Thresholds(rule="no_harm", direction=1, materiality=VIX_MATERIAL_LOSS_PCT), group="systematic",
)  # fmt: skip
def c6_3(store, asof):
    from bubblemachine.indicators.market import vix_ratio

    ratio = vix_ratio(store.series("VIX", asof=asof), store.series("VIX3M", asof=asof)).dropna()
    spx = _spx(store, asof, "2008-01-01")
    inv = ratio > 1.0
    start = inv & ~inv.shift(1, fill_value=False)
    fwd = (100.0 * S.forward_return(spx, FWD)).reindex(ratio.index)
    fwd5 = (100.0 * S.forward_return(spx, 5)).reindex(ratio.index)
    high = spx.rolling(252, min_periods=200).max().reindex(ratio.index)
    near_high = (spx.reindex(ratio.index) >= 0.95 * high)
    x = fwd[start].dropna()
    fit = S.hac_mean(x)
    ep_id = start.cumsum()[inv]
    lengths = ep_id.value_counts()
    chart = D.line_chart({"vix_over_vix3m": D.cut(ratio, "2015-01-01")}, y_title="ratio")
    return Evidence(fit.params["const"], fit.ci_low["const"], fit.ci_high["const"], fit.n, D.day(x.index[0]), D.day(ratio.index[-1]), fit.pvalues["const"],
                    {"share_inverted_days": float(inv.mean()), "n_episodes": int(start.sum()), "median_episode_days": float(lengths.median()),
                     "share_starts_within_5pct_of_52w_high": float(near_high[start].mean()), "mean_fwd5_after_start_pct": float(fwd5[start].mean()),
                     "mean_fwd20_all_days_pct": float(fwd.mean()), "share_starts_followed_by_loss": float((x < 0).mean())}, chart)  # fmt: skip
