"""Systematic flows: vol targeting (C6.1), CTA flips (M6.2), buyback blackouts (C6.2), VIX curve (C6.3).

The vol-target exposure, realised vol, CTA signal and VIX ratio come from
:mod:`bubblemachine.indicators.systematic` / :mod:`bubblemachine.indicators.market`. Every
signal is known at the close of its date; forward returns start at that close and run a
declared number of business days (a week = 5, a month = 20), never a count of observations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bubblemachine.claims import charts as G
from bubblemachine.claims import inputs as D
from bubblemachine.claims import stats as S
from bubblemachine.claims.registry import Evidence, Thresholds, Window, register

VT_START = "1990-01-01"
CTA_START = "1990-01-01"
BUYBACK_START = "2000-01-01"
CTA_US_EXPOSURE_BN = 50.0  # USD bn of US equity futures at an average (|10|) forecast; Goldman quoted ~$53bn US
BLACKOUT_BEFORE_QE_DAYS = 14
BLACKOUT_END_DAY = 17  # ~2 trading days after the big banks report (~14th-15th of the month after quarter end)
VIX_MATERIAL_LOSS_PCT = 1.0
FWD_BDAYS = 20  # "the next month": 20 business days


def _vt_evidence(ctx, h: int) -> Evidence:
    from bubblemachine.indicators.systematic import realised_vol, vol_target_exposure

    spx = ctx.series("SPX", VT_START)
    e = vol_target_exposure(spx)
    de_raw = S.change_bdays(e, h)  # change over the last h business days, known at close t
    de = 10.0 * de_raw  # per 0.1 of capital
    fwd = 100.0 * S.forward_return_bdays(spx, h)
    df = pd.DataFrame({"fwd": fwd, "de": de}).dropna()
    fit = S.hac_ols(df["fwd"], df["de"], horizon=h)
    vol = realised_vol(spx)
    dvol = S.change_bdays(vol, h)
    chart = G.line_chart({"vol_target_exposure": D.cut(e, "2015-01-01"), "realised_vol": D.cut(vol, "2015-01-01")}, y_title="x capital | fraction")
    spikes = (dvol / (vol - dvol)) > 0.5
    return Evidence(fit.params["de"], fit.ci_low["de"], fit.ci_high["de"], fit.n, D.day(df.index[0]), D.day(df.index[-1]), fit.pvalues["de"],
                    {"hac_lags": fit.lags, "r2": fit.r2, "corr_dE_dvol": float(de_raw.corr(dvol)),
                     "mean_dE_after_vol_spike": float(de_raw[spikes.reindex(de_raw.index, fill_value=False)].mean()),
                     "n_vol_spike_days": int(spikes.sum())}, chart)  # fmt: skip


_VT_KW = dict(seed="004", series=("SPX",), window=Window.open(VT_START), group="systematic",
              thresholds=Thresholds(rule="effect", direction=1, materiality=0.0),
              caveats=("A replicated 10%-target, 20-day half-life exposure (Harvey et al. 2018), not actual fund positions.",))  # fmt: skip


@register(
    id="C6.1", statement_en="Vol-target exposure falls after volatility spikes and the mechanical selling pushes the index further (next week).",
    statement_ko="변동성이 급등하면 변동성 타깃 펀드의 익스포저가 줄고, 그 기계적 매도가 다음 주 지수를 더 밀어낸다",
    short_en="Vol-target cuts predict next-week weakness", short_ko="변동성 타깃 축소 뒤 다음 주 약세",
    method_en="S&P 500 log return over the next 5 business days regressed on the change in replicated vol-target exposure over the past 5 business days (per 0.1 of capital), 1990 onward; HAC with lags >= 4 (overlapping returns).",
    method_ko="1990년 이후 자료로, 향후 5영업일 동안의 S&P 500 로그수익률을 직전 5영업일 동안 복제한 변동성 타깃 익스포저의 변화(자본의 0.1당)에 회귀했습니다. 수익률 구간이 겹치므로 시차 4 이상의 HAC 표준오차를 썼습니다.",
    units="% next-week SPX return per +0.1 exposure change", units_ko="다음 주 S&P 500 수익률(%, 익스포저 +0.1당)", **_VT_KW,
)  # fmt: skip
def c6_1(ctx):
    return _vt_evidence(ctx, 5)


@register(
    id="C6.1-1d", statement_en="Vol-target exposure changes predict the next day's S&P 500 move (amplification).",
    statement_ko="변동성 타깃 펀드의 익스포저 변화가 다음 날 S&P 500의 움직임을 예측한다(변동 증폭)",
    short_en="Vol-target changes predict next day", short_ko="변동성 타깃 변화에 따른 다음 날 움직임",
    method_en="S&P 500 log return over the next business day regressed on today's change in replicated vol-target exposure (per 0.1 of capital), 1990 onward; HAC.",
    method_ko="1990년 이후 자료로, 다음 영업일의 S&P 500 로그수익률을 당일 복제한 변동성 타깃 익스포저의 변화(자본의 0.1당)에 회귀했습니다(HAC 표준오차).",
    units="% next-day SPX return per +0.1 exposure change", units_ko="다음 날 S&P 500 수익률(%, 익스포저 +0.1당)", **_VT_KW,
)  # fmt: skip
def c6_1_1d(ctx):
    return _vt_evidence(ctx, 1)


@register(
    id="M6.2-CTA", seed="004",
    statement_en="CTAs buy above and sell below preset trend levels: after a signal flip the move continues.",
    statement_ko="CTA는 미리 정한 추세 수준 위에서 사고 아래에서 팔며, 신호가 바뀐 뒤에는 그 방향의 움직임이 이어진다",
    short_en="Moves continue after CTA flips", short_ko="CTA 신호 전환 후 추세 지속",
    method_en="Mean S&P 500 log return over the 20 business days after buy flips minus after sell flips of the combined EWMAC trend signal (8/32..64/256, pysystemtrade scalars), 1990 onward; HAC across flips; implied flows at $50bn per average forecast in details.",
    method_ko="1990년 이후 결합 EWMAC 추세 신호(8/32~64/256, pysystemtrade 스칼라)가 매수로 바뀐 뒤 20영업일 동안의 S&P 500 로그수익률 평균에서 매도로 바뀐 뒤의 평균을 뺐습니다(HAC 표준오차). 평균 예측치당 500억 달러를 가정한 추정 매매 규모는 세부 결과에 있습니다.",
    series=("SPX",), window=Window.open(CTA_START), units="pp over 20 business days (after buy flips minus after sell flips)",
    units_ko="20영업일 수익률 차이(%p, 매수 전환 후 - 매도 전환 후)",
    thresholds=Thresholds(rule="effect", direction=1, materiality=0.0), group="systematic",
    caveats=("Flows assume a $50bn US-equity CTA book at an average forecast (Goldman's ~$53bn); a scale, not a measurement.",),
)  # fmt: skip
def m6_2_cta(ctx):
    from bubblemachine.indicators.systematic import cta_signal

    spx = ctx.series("SPX", CTA_START)
    sig = cta_signal(spx)["combined"].dropna()
    sgn = np.sign(sig)
    flip = (sgn != sgn.shift(1)) & sgn.shift(1).notna() & (sgn != 0)
    fwd = 100.0 * S.forward_return_bdays(spx, FWD_BDAYS).reindex(sig.index)
    flows = (S.value_after_bdays(sig, FWD_BDAYS) - sig) / 10.0 * CTA_US_EXPOSURE_BN  # forecast change over the horizon, USD bn
    df = pd.DataFrame({"fwd": fwd[flip], "buy": (sgn[flip] > 0).astype(float), "flow": flows[flip]}).dropna()
    fit = S.hac_ols(df["fwd"], df["buy"], horizon=1)
    chart = G.line_chart({"cta_combined_forecast": D.cut(sig, "2015-01-01")}, y_title="forecast (-20..20)")
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


def _blackout_frame(ctx):
    spx = ctx.series("SPX", BUYBACK_START)
    r = 100.0 * S.log_returns(spx)
    return pd.DataFrame({"r": r, "absr": r.abs(), "blackout": blackout_calendar(r.index)})


_BB_KW = dict(seed="004", series=("SPX",), window=Window.open(BUYBACK_START), group="systematic",
              caveats=("Blackout windows are a calendar approximation (quarter end - 14 days .. the 17th of the next month), not company filings.",
                       "10b5-1 plans keep buying during blackouts."))  # fmt: skip
_BB_METHOD_KO = " 블랙아웃 기간은 분기 말 14일 전부터 다음 달 17일까지로 잡은 달력 근사입니다."


@register(
    id="C6.2", statement_en="Returns in buyback blackout windows are weaker than in open windows.",
    statement_ko="자사주 매입 블랙아웃 기간의 수익률은 매입이 가능한 기간보다 약하다",
    short_en="Weaker returns in buyback blackouts", short_ko="블랙아웃 기간의 수익률 약세",
    method_en="Daily S&P 500 log return regressed on a blackout-calendar dummy, 2000 onward; effect in % a day (blackout minus open); HAC.",
    method_ko="2000년 이후 S&P 500 일간 로그수익률을 블랙아웃 달력 더미에 회귀했습니다. 효과는 하루 평균 수익률 차이(블랙아웃 - 매입 가능 기간, %)이며 HAC 표준오차를 썼습니다." + _BB_METHOD_KO,
    units="% a day (blackout minus open)", units_ko="일간 수익률 차이(%, 블랙아웃 - 매입 가능 기간)",
    thresholds=Thresholds(rule="effect", direction=-1, materiality=0.0), **_BB_KW,
)  # fmt: skip
def c6_2(ctx):
    df = _blackout_frame(ctx)
    fit = S.hac_ols(df["r"], df["blackout"])
    ann = df.groupby("blackout")["r"].mean() * 252
    chart = G.group_chart({"open_window": [ann.get(0.0, np.nan)], "blackout_window": [ann.get(1.0, np.nan)]}, x=["SPX"], y_title="% a year (mean log return x 252)")
    return Evidence(fit.params["blackout"], fit.ci_low["blackout"], fit.ci_high["blackout"], fit.n, D.day(df.index[0]), D.day(df.index[-1]),
                    fit.pvalues["blackout"], {"share_blackout_days": float(df["blackout"].mean()), "ann_open_pct": float(ann.get(0.0, np.nan)),
                                              "ann_blackout_pct": float(ann.get(1.0, np.nan)), "hac_lags": fit.lags}, chart)  # fmt: skip


@register(
    id="C6.2-vol", statement_en="Without the buyback bid (blackouts) the market is more volatile: buybacks damp volatility.",
    statement_ko="자사주 매입이 멈추는 블랙아웃 기간에는 변동성이 커지며, 자사주 매입은 변동성을 누른다",
    short_en="Higher volatility in buyback blackouts", short_ko="블랙아웃 기간의 변동성 확대",
    method_en="Daily absolute S&P 500 log return regressed on the blackout-calendar dummy, 2000 onward; effect in % a day (blackout minus open); HAC.",
    method_ko="2000년 이후 S&P 500 일간 로그수익률의 절댓값을 블랙아웃 달력 더미에 회귀했습니다. 효과는 하루 평균 절대수익률 차이(블랙아웃 - 매입 가능 기간, %)이며 HAC 표준오차를 썼습니다." + _BB_METHOD_KO,
    units="% a day, mean |return| (blackout minus open)", units_ko="일간 평균 절대수익률 차이(%, 블랙아웃 - 매입 가능 기간)",
    thresholds=Thresholds(rule="effect", direction=1, materiality=0.0), **_BB_KW,
)  # fmt: skip
def c6_2_vol(ctx):
    df = _blackout_frame(ctx)
    fit = S.hac_ols(df["absr"], df["blackout"])
    vol = df.groupby("blackout")["r"].std() * np.sqrt(252)
    chart = G.group_chart({"open_window": [vol.get(0.0, np.nan)], "blackout_window": [vol.get(1.0, np.nan)]}, x=["SPX"], y_title="realised vol, % a year")
    return Evidence(fit.params["blackout"], fit.ci_low["blackout"], fit.ci_high["blackout"], fit.n, D.day(df.index[0]), D.day(df.index[-1]),
                    fit.pvalues["blackout"], {"vol_open_pct": float(vol.get(0.0, np.nan)), "vol_blackout_pct": float(vol.get(1.0, np.nan)), "hac_lags": fit.lags}, chart)  # fmt: skip


@register(
    id="C6.3", seed="004",
    statement_en="VIX-curve inversions (VIX above 3-month VIX) reflect short-term hedging, not panic: they are not reliably followed by further losses.",
    statement_ko="VIX 곡선 역전(VIX가 3개월 VIX보다 높은 상태)은 공황이 아니라 단기 헤지 수요의 불균형이며, 역전 뒤에 추가 손실이 뒤따른다고 볼 근거는 없다",
    short_en="VIX inversions not followed by losses", short_ko="VIX 역전 뒤 추가 손실 없음",
    method_en="Mean S&P 500 log return over the 20 business days after the first day of each inversion episode (VIX/VIX3M crosses above 1), 2009 onward; HAC interval across episodes; supported if the CI rules out a mean loss beyond 1%.",
    method_ko="2009년 이후 역전 국면이 시작된 날(VIX/VIX3M이 1을 넘은 날)마다 이후 20영업일 동안의 S&P 500 로그수익률을 구해 평균했습니다(HAC 신뢰구간). 신뢰구간이 1%를 넘는 평균 손실을 배제하면 지지로 판정합니다.",
    series=("VIX", "VIX3M", "SPX"), window=Window.open("2009-09-18"), units="% over 20 business days after inversion starts",
    units_ko="역전 시작 후 20영업일 수익률(%)",
    thresholds=Thresholds(rule="no_harm", direction=1, materiality=VIX_MATERIAL_LOSS_PCT), group="systematic",
)  # fmt: skip
def c6_3(ctx):
    from bubblemachine.indicators.market import vix_ratio

    ratio = vix_ratio(ctx.series("VIX"), ctx.series("VIX3M")).dropna()
    spx = ctx.series("SPX", "2008-01-01")
    inv = ratio > 1.0
    start = inv & ~inv.shift(1, fill_value=False)
    fwd = (100.0 * S.forward_return_bdays(spx, FWD_BDAYS)).reindex(ratio.index)
    fwd5 = (100.0 * S.forward_return_bdays(spx, 5)).reindex(ratio.index)
    high = spx.rolling("365D", min_periods=200).max().reindex(ratio.index)
    near_high = spx.reindex(ratio.index) >= 0.95 * high
    x = fwd[start].dropna()
    fit = S.hac_mean(x)
    ep_id = start.cumsum()[inv]
    lengths = ep_id.value_counts()
    chart = G.line_chart({"vix_over_vix3m": D.cut(ratio, "2015-01-01")}, y_title="ratio")
    return Evidence(fit.params["const"], fit.ci_low["const"], fit.ci_high["const"], fit.n, D.day(x.index[0]), D.day(ratio.index[-1]), fit.pvalues["const"],
                    {"share_inverted_days": float(inv.mean()), "n_episodes": int(start.sum()), "median_episode_days": float(lengths.median()),
                     "share_starts_within_5pct_of_52w_high": float(near_high[start].mean()), "mean_fwd5_after_start_pct": float(fwd5[start].mean()),
                     "mean_fwd20_all_days_pct": float(fwd.mean()), "share_starts_followed_by_loss": float((x < 0).mean())}, chart)  # fmt: skip
