"""Macro and policy claims added in the second catalogue (MECHANISMS.md section 9).

- C2.3: economic data lag asset prices (lead-lag around the point-in-time release dates);
- C2.4: the 2026 liquidity surge is not priced in (stated 2025-11-14; tested on 2026 data);
- M2.7 / M7.7: the Fed cuts when labour weakens, and inflation restrains it (one reaction
  function on unemployment and core inflation as released);
- M1.6: ETF approvals open a flow channel into ETH (event study against bitcoin).

Release dates come from the store's point-in-time rules (``ctx.known``): a macro value
counts from the day it was published, never from the period it describes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bubblemachine.claims import charts as G
from bubblemachine.claims import inputs as D
from bubblemachine.claims import stats as S
from bubblemachine.claims.liquidity import CORR_MATERIALITY, NL_SERIES, event_car
from bubblemachine.claims.registry import Evidence, NotTestableYet, Thresholds, Window, register

# ------------------------------------------------------------------------------ C2.3 data lag prices
C23_START = "1997-01-01"  # the HY spread starts 1996-12-31
MACRO = {
    "PAYEMS": ("payrolls", "diff"),  # thousands of jobs, month on month
    "ICSA": ("jobless claims", "logdiff"),  # % week on week
    "GDPC1": ("real GDP", "logdiff"),  # % quarter on quarter
    "CPIAUCSL": ("CPI", "logdiff"),  # % month on month
}
"""Macro series as released and how their released change is measured."""
ASSETS = {"SPX": "logdiff", "BAMLH0A0HYM2": "diff", "DGS2": "diff"}
"""Asset prices and how they change between releases (log return %, spread and yield in pp)."""
SIGNS: dict[tuple[str, str], int] = {
    ("SPX", "PAYEMS"): 1, ("SPX", "ICSA"): -1, ("SPX", "GDPC1"): 1,
    ("BAMLH0A0HYM2", "PAYEMS"): -1, ("BAMLH0A0HYM2", "ICSA"): 1, ("BAMLH0A0HYM2", "GDPC1"): -1,
    ("DGS2", "PAYEMS"): 1, ("DGS2", "ICSA"): -1, ("DGS2", "GDPC1"): 1, ("DGS2", "CPIAUCSL"): 1,
}  # fmt: skip
"""Declared sign of each (asset, macro) pair if markets price the news first: stronger activity
lifts stocks and the 2-year yield and narrows the HY spread; higher inflation lifts the 2-year
yield. Stocks and spreads against CPI have no declared sign: reported, not in the effect."""
SHORT = {"SPX": "SPX", "BAMLH0A0HYM2": "HY", "DGS2": "2y"}


def _change(s: pd.Series, how: str) -> pd.Series:
    return 100.0 * np.log(s).diff() if how == "logdiff" else s.diff()


def _release_panel(ctx, sid: str, how: str) -> pd.DataFrame:
    """One row per release of ``sid``: its knowledge date, the released change, and each asset's
    change before the release (close of the previous release day to the close of the day
    before this one) and after it (close of the day before to the close of the day before
    the next release)."""
    s = ctx.series(sid, "1994-01-01")
    known = ctx.known(sid, "1994-01-01").reindex(s.index)
    df = pd.DataFrame({"m": _change(s, how), "known": known}).dropna()
    df = df[df["known"] >= pd.Timestamp(C23_START)]
    k = pd.DatetimeIndex(df["known"])
    eve = k - pd.Timedelta(days=1)
    out = {"m": df["m"].to_numpy(), "known": k}
    for a, ahow in ASSETS.items():
        p = ctx.series(a, "1994-01-01")
        at_eve = D.on_dates(p, eve).to_numpy()
        at_day = D.on_dates(p, k).to_numpy()
        if ahow == "logdiff":
            at_eve, at_day = np.log(at_eve), np.log(at_day)
            scale = 100.0
        else:
            scale = 1.0
        pre = np.full(len(k), np.nan)
        post = np.full(len(k), np.nan)
        pre[1:] = scale * (at_eve[1:] - at_day[:-1])
        post[:-1] = scale * (at_eve[1:] - at_eve[:-1])
        out[f"pre_{a}"] = pre
        out[f"post_{a}"] = post
    return pd.DataFrame(out, index=df.index)


def _corr_cols(a: np.ndarray) -> np.ndarray:
    """Correlation of column 0 with each other column, for arrays ``(..., n, k)`` -> ``(..., k-1)``."""
    x = a[..., :, :1] - a[..., :, :1].mean(axis=-2, keepdims=True)
    y = a[..., :, 1:] - a[..., :, 1:].mean(axis=-2, keepdims=True)
    return (x * y).sum(-2) / np.sqrt((x * x).sum(-2) * (y * y).sum(-2))


@register(
    id="C2.3", seed="004",
    statement_en="Economic data have become lagging indicators of asset prices: markets move before the data are published.",
    statement_ko="경제 데이터는 자산 가격의 후행 지표가 되었으며, 시장은 데이터가 발표되기 전에 먼저 움직인다",
    short_en="Asset prices lead macro releases", short_ko="자산 가격의 경제지표 선행",
    method_en="For payrolls, jobless claims, real GDP and CPI, each value is dated at its point-in-time release date. For the S&P 500, the HY spread and the 2-year yield, the change between the previous release and the eve of each release is correlated with the change the release reports. Effect = mean of the 10 correlations with a declared sign (stronger activity: stocks and the 2-year yield up, HY spread down; higher CPI: 2-year yield up), sign-adjusted; block bootstrap over releases. The same correlations after each release are in details.",
    method_ko="비농업 고용, 신규 실업수당 청구, 실질 GDP, 소비자물가지수의 각 값을 시점 기준 발표일에 놓았습니다. 그리고 S&P 500, 하이일드 가산금리, 2년 만기 국채 금리가 직전 발표일부터 이번 발표 전날까지 움직인 폭과 이번 발표가 알린 변화 사이의 상관계수를 구했습니다. 효과는 부호를 미리 정한 10개 조합(경기가 강하면 주가와 2년 금리는 오르고 하이일드 가산금리는 내리며, 물가가 오르면 2년 금리가 오른다)의 부호 조정 상관계수 평균이며, 발표 단위 블록 부트스트랩으로 신뢰구간을 구했습니다. 발표 이후 구간의 상관계수는 세부 결과에 있습니다.",
    series=(*MACRO, *ASSETS), window=Window.open(C23_START), units="correlation (mean of 10 sign-adjusted pairs)",
    units_ko="상관계수(부호 조정 10개 조합 평균)",
    thresholds=Thresholds(rule="effect", direction=1, materiality=CORR_MATERIALITY), group="macro",
    caveats=("Values are the latest vintage dated at their first release (revisions are not kept), so released changes include later revisions.",
             "Policy tone and positioning, the other leads the article names, are not in the data (see C2.3-tone); the liquidity lead is C2.1-lead."),
)  # fmt: skip
def c2_3(ctx):
    panels = {sid: _release_panel(ctx, sid, how) for sid, (_, how) in MACRO.items()}
    details: dict[str, float | int | str] = {}
    draws, point, labels, post_point = [], [], [], []
    rng_seeds = ctx.seed.spawn(len(MACRO))
    n_total = 0
    first, last = [], []
    for (sid, panel), seed in zip(panels.items(), rng_seeds, strict=True):
        pairs = [a for a in ASSETS if (a, sid) in SIGNS]
        for a in ASSETS:
            both = panel[["m", f"pre_{a}", f"post_{a}"]].dropna()
            details[f"corr_pre_{SHORT[a]}_{sid}"] = float(both["m"].corr(both[f"pre_{a}"]))
            details[f"corr_post_{SHORT[a]}_{sid}"] = float(both["m"].corr(both[f"post_{a}"]))
        if not pairs:
            continue
        cols = ["m", *(f"pre_{a}" for a in pairs)]
        data = panel[cols].dropna()
        if len(data) < 24:
            raise ValueError(f"only {len(data)} releases of {sid} with asset data at this date")
        sign = np.array([SIGNS[(a, sid)] for a in pairs], dtype=float)
        arr = data.to_numpy()
        point.append(sign * _corr_cols(arr[None])[0])
        idx = S.block_indices(len(arr), 1000, seed=seed)
        draws.append(sign * _corr_cols(arr[idx]))
        post = panel[["m", *(f"post_{a}" for a in pairs)]].dropna().to_numpy()
        post_point.append(sign * _corr_cols(post[None])[0])
        labels += [f"{SHORT[a]}~{sid}" for a in pairs]
        details[f"n_releases_{sid}"] = len(data)
        n_total += len(data)
        first.append(panel.loc[data.index, "known"].min())
        last.append(panel.loc[data.index, "known"].max())
    est = float(np.mean(np.concatenate(point)))
    dist = np.concatenate(draws, axis=1).mean(axis=1)
    lo, hi = (float(v) for v in np.quantile(dist, [0.025, 0.975]))
    p = float(min(1.0, np.mean(np.abs(dist - dist.mean()) >= abs(est))))
    post_mean = float(np.mean(np.concatenate(post_point)))
    details |= {"mean_signed_corr_after_release": post_mean, "lead_minus_lag": est - post_mean}
    chart = G.group_chart({"before_release": list(np.concatenate(point)), "after_release": list(np.concatenate(post_point))}, x=labels,
                          y_title="sign-adjusted correlation", digits=3)  # fmt: skip
    return Evidence(est, lo, hi, n_total, D.day(min(first)), D.day(max(last)), p, details, chart)


# ------------------------------------------------------------------------------ C2.4 the 2026 surge
C24_STATED = "2025-11-14"
C24_END = "2026-12-31"
C24_NULL_START = "2010-01-01"


@register(
    id="C2.4", seed="004",
    statement_en="Liquidity is expected to surge in 2026 (reopening, the end of QT, Treasury-led liquidity), and the market has not priced it in yet (as of November 2025).",
    statement_ko="2026년에는 유동성이 급증할 것으로 예상되지만(셧다운 해제, 양적 긴축 종료, 재무부 주도의 유동성), 시장 컨센서스는 아직 이를 가격에 반영하지 않았다(2025년 11월 기준)",
    short_en="2026 liquidity surge not priced in", short_ko="가격에 아직 반영되지 않은 2026년 유동성 급증",
    method_en="Declared on 2025-11-14, tested once the store holds 2026 data: the S&P 500 log return from the close of 2025-11-14 to the latest close up to 2026-12-31, minus the mean return of random windows of the same calendar span from 2010 to 2025-11-14 (the interval is their spread). If the surge was not priced in, risk assets beat their usual return as it arrives. The change in net liquidity over the window (the premise), and BTC and NDX, are in details.",
    method_ko="2025-11-14에 미리 정해 둔 검정이며, 저장소에 2026년 자료가 들어오면 자동으로 실행됩니다. 2025-11-14 종가부터 2026-12-31 이전 마지막 종가까지의 S&P 500 로그수익률에서 2010년부터 2025-11-14까지 같은 달력 길이의 무작위 구간 수익률 평균을 뺐습니다(신뢰구간은 무작위 구간의 분포). 급증이 가격에 반영되지 않았다면 유동성이 실제로 늘 때 위험자산이 평소보다 높은 수익을 내야 합니다. 같은 기간 순유동성 변화(전제 조건)와 비트코인, 나스닥100 수익률은 세부 결과에 있습니다.",
    series=("SPX", "NDX", "BTC", *NL_SERIES), window=Window.fixed(C24_STATED, C24_END),
    units="log return % (vs random windows of the same span)", units_ko="로그수익률(%, 같은 길이 무작위 구간 대비)",
    thresholds=Thresholds(rule="effect", direction=1, materiality=0.0), group="macro",
)  # fmt: skip
def c2_4(ctx):
    spx = ctx.series("SPX", C24_NULL_START)
    stated = pd.Timestamp(C24_STATED)
    inside = spx.loc[stated:]
    if inside.empty or inside.index[-1] < pd.Timestamp("2026-01-01"):
        raise NotTestableYet("tested once the store holds S&P 500 closes from 2026 (declared 2025-11-14)")
    base = spx.loc[:stated]
    t0, t1 = base.index[-1], inside.index[-1]
    observed = 100.0 * float(np.log(inside.iloc[-1] / base.iloc[-1]))
    span = (t1 - t0).days
    lp = np.log(base)
    days = base.index.values.astype("datetime64[D]")
    last_start = int(np.searchsorted(days, days[-1] - np.timedelta64(span, "D"), side="right"))
    if last_start < 250:
        raise ValueError("too little S&P 500 history before 2025-11-14 for the random windows")
    starts = ctx.rng().integers(0, last_start, size=2000)
    ends = np.searchsorted(days, days[starts] + np.timedelta64(span, "D"), side="right") - 1
    null = 100.0 * (lp.to_numpy()[ends] - lp.to_numpy()[starts])
    effect, lo, hi, p = S.excess_over_null(observed, null)
    nl = D.net_liquidity(ctx)
    nl0 = nl.loc[:stated]
    d_nl = float(nl.iloc[-1] - nl0.iloc[-1]) if len(nl0) and nl.index[-1] > stated else float("nan")
    details: dict[str, float | str] = {"spx_log_ret_pct": observed, "null_mean_pct": float(null.mean()), "window_days": span,
                                       "d_net_liquidity_usd_bn": d_nl}  # fmt: skip
    for t in ("NDX", "BTC"):
        s = ctx.series(t, "2025-01-01")
        if len(s.loc[:stated]) and s.index[-1] > stated:
            details[f"{t.lower()}_log_ret_pct"] = 100.0 * float(np.log(s.iloc[-1] / s.loc[:stated].iloc[-1]))
    caveats = []
    if not d_nl > 0:
        caveats.append(f"Net liquidity changed by {d_nl:+.0f} bn USD over the window so far: the premised surge has not (yet) happened.")
    chart = G.line_chart({"SPX_rebased": 100 * spx.loc[t0:] / base.iloc[-1], "net_liquidity_rebased": 100 * nl.loc[nl0.index[-1] :] / nl0.iloc[-1]},
                         y_title="index (100 = 2025-11-14)", weekly=False)  # fmt: skip
    return Evidence(effect, lo, hi, len(inside), D.day(t0), D.day(t1), p, details, chart, tuple(caveats))


# ------------------------------------------------------------------------------ M2.7 / M7.7 the Fed's reaction
FED_START = "1990-01-01"
FED_HORIZON_MONTHS = 3
INFLATION_TARGET = 2.0


def _fed_panel(ctx) -> pd.DataFrame:
    """Month-end decision points: the fed funds change over the next 3 months, and the latest
    unemployment and core-PCE readings KNOWN at each month end (by their release dates)."""
    ff = ctx.series("DFF", "1988-01-01")
    ffm = ff.groupby(ff.index.to_period("M")).mean()
    ffm = ffm.reindex(pd.period_range(ffm.index.min(), ffm.index.max(), freq="M"))
    dff_next = ffm.shift(-FED_HORIZON_MONTHS) - ffm  # average of month t+3 minus average of month t
    ends = ffm.index.to_timestamp(how="end").normalize()

    def latest_known(sid: str, transform) -> pd.Series:
        s = transform(ctx.series(sid, "1985-01-01"))
        k = ctx.known(sid, "1985-01-01").reindex(s.index)
        df = pd.DataFrame({"v": s, "k": k}).dropna().sort_values("k")
        pos = np.searchsorted(df["k"].to_numpy(), ends.to_numpy(), side="right") - 1
        vals = np.where(pos >= 0, df["v"].to_numpy()[np.maximum(pos, 0)], np.nan)
        return pd.Series(vals, index=ffm.index)

    du = latest_known("UNRATE", lambda u: u - u.shift(3))  # 3-month change of the latest released rate
    infl = latest_known("PCEPILFE", lambda p: 100.0 * (p / p.shift(12) - 1.0)) - INFLATION_TARGET
    df = pd.DataFrame({"dff_next": dff_next, "du3": du, "core_gap": infl}, index=ffm.index).dropna()
    df = df[df.index >= pd.Period(FED_START, "M")]
    df.index = df.index.to_timestamp(how="end").normalize()
    return df


def _fed_fit(ctx):
    df = _fed_panel(ctx)
    if len(df) < 36:
        raise ValueError(f"only {len(df)} months with fed funds, unemployment and inflation at this date")
    return df, S.hac_ols(df["dff_next"], df[["du3", "core_gap"]], horizon=FED_HORIZON_MONTHS)


_FED_KW = dict(series=("DFF", "UNRATE", "PCEPILFE"), window=Window.open(FED_START), group="macro",
               caveats=("Values are the latest vintage dated at their first release (revisions are not kept).",
                        "The effective fed funds rate stands in for the policy rate; the zero-bound years cannot show cuts."))  # fmt: skip
_FED_METHOD = "At each month end from 1990, the change in the average effective fed funds rate over the next 3 months is regressed on the 3-month change in the unemployment rate and core PCE inflation (y/y) minus 2%, both the latest readings known at that date (point-in-time release dates); HAC with lags >= 2 (overlapping horizons)."
_FED_METHOD_KO = "1990년 이후 매월 말 시점마다, 향후 3개월 동안의 실효 연방기금금리(월평균) 변화를 최근 3개월 실업률 변화와 근원 PCE 물가상승률(전년 대비)에서 2%를 뺀 값에 회귀했습니다. 두 설명변수는 모두 그 시점에 발표되어 있던 최신 값(시점 기준 발표일)이며, 예측 구간이 겹치므로 시차 2 이상의 HAC 표준오차를 썼습니다."


@register(
    id="M2.7", seed="004",
    statement_en="The Fed cuts because labour weakens: policy reacts to the K-shaped labour market.",
    statement_ko="연준은 노동시장이 약해지기 때문에 금리를 내리며, 통화정책은 K자형 노동시장에 반응한다",
    short_en="The Fed cuts when unemployment rises", short_ko="실업률 상승 시 연준의 금리 인하",
    method_en=_FED_METHOD + " Effect = the unemployment coefficient (pp of fed funds per +1pp of unemployment).",
    method_ko=_FED_METHOD_KO + " 효과는 실업률 계수(실업률 1%p 상승당 연방기금금리 변화, %p)입니다.",
    units="pp fed funds over 3 months per +1pp unemployment", units_ko="3개월 연방기금금리 변화(%p, 실업률 +1%p당)",
    thresholds=Thresholds(rule="effect", direction=-1, materiality=0.0), **_FED_KW,
)  # fmt: skip
def m2_7(ctx):
    df, fit = _fed_fit(ctx)
    chart = G.line_chart({"dff_next_3m_pp": df["dff_next"], "unemployment_change_3m_pp": df["du3"]}, y_title="pp", weekly=False)
    return Evidence(fit.params["du3"], fit.ci_low["du3"], fit.ci_high["du3"], fit.n, D.day(df.index[0]), D.day(df.index[-1]), fit.pvalues["du3"],
                    {"core_gap_coef": fit.params["core_gap"], "core_gap_p": fit.pvalues["core_gap"], "r2": fit.r2, "hac_lags": fit.lags}, chart)  # fmt: skip


@register(
    id="M7.7", seed="003",
    statement_en="Inflation and the cost of living constrain the Fed: with inflation above target it cuts less.",
    statement_ko="인플레이션과 생활비 부담은 연준을 제약하며, 물가가 목표를 웃돌면 연준은 금리를 덜 내린다",
    short_en="Inflation above target restrains cuts", short_ko="목표를 웃도는 물가에 따른 금리 인하 제약",
    method_en=_FED_METHOD + " Effect = the inflation coefficient (pp of fed funds per +1pp of core inflation above 2%).",
    method_ko=_FED_METHOD_KO + " 효과는 물가 계수(근원 물가상승률이 2%를 1%p 웃돌 때의 연방기금금리 변화, %p)입니다.",
    units="pp fed funds over 3 months per +1pp core inflation gap", units_ko="3개월 연방기금금리 변화(%p, 물가 격차 +1%p당)",
    thresholds=Thresholds(rule="effect", direction=1, materiality=0.0), **_FED_KW,
)  # fmt: skip
def m7_7(ctx):
    df, fit = _fed_fit(ctx)
    chart = G.line_chart({"dff_next_3m_pp": df["dff_next"], "core_pce_gap_pp": df["core_gap"]}, y_title="pp", weekly=False)
    return Evidence(fit.params["core_gap"], fit.ci_low["core_gap"], fit.ci_high["core_gap"], fit.n, D.day(df.index[0]), D.day(df.index[-1]),
                    fit.pvalues["core_gap"], {"unemployment_coef": fit.params["du3"], "unemployment_p": fit.pvalues["du3"], "r2": fit.r2,
                                              "hac_lags": fit.lags}, chart)  # fmt: skip


# ------------------------------------------------------------------------------ M1.6 ETH and ETF approvals
ETH_ETF_EVENTS = (("2024-05", "2024-05-20", "2024-05-24"), ("2024-07", "2024-07-22", "2024-07-26"))
"""Spot ether ETFs: the week the SEC approved the exchanges' 19b-4 filings (2024-05-23, after
the surprise of 2024-05-20) and the week trading began (2024-07-23)."""


@register(
    id="M1.6-ETF", seed="000",
    statement_en="With staking-ETF approvals opening a new flow channel, ether is the asset that benefits most directly from digital liquidity.",
    statement_ko="스테이킹 ETF 승인 흐름이 맞물리면서 이더리움은 디지털 유동성의 수혜를 가장 직접적으로 받는 자산이 된다",
    short_en="ETF approvals lift ETH", short_ko="ETF 승인에 따른 이더리움 상승",
    method_en="Event study on the spot-ether ETF, the nearest analogue in the data: ETH's cumulative abnormal log return against a bitcoin market model (estimated over business days -260..-11) in the approval week (2024-05-20..24) and the launch week (2024-07-22..26).",
    method_ko="자료 안에서 가장 가까운 사례인 이더리움 현물 ETF로 사건연구를 했습니다. 승인 주간(2024-05-20~24)과 상장 주간(2024-07-22~26)에 이더리움이 비트코인 시장모형(추정 구간은 영업일 기준 -260일~-11일) 대비 거둔 누적초과 로그수익률을 계산했습니다.",
    series=("ETH", "BTC"), window=Window.fixed("2023-01-01", "2024-07-26"), units="CAR (log return)", units_ko="누적초과수익률(로그)",
    thresholds=Thresholds(rule="effect", direction=1, materiality=0.0), group="liquidity",
    caveats=("Spot-ETF approval stands in for the staking-ETF approvals the article means (not dated in the data); ETF flows themselves are not in the data.",),
)  # fmt: skip
def m1_6_etf(ctx):
    eth = S.log_returns(ctx.series("ETH", "2023-01-01"))
    btc = S.log_returns(ctx.series("BTC", "2023-01-01"))
    return event_car(ctx, eth, ETH_ETF_EVENTS, btc)
