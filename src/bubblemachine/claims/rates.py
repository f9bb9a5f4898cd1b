"""Cost of capital and duration: C2.2, C3.1 (incl. the TSLA figures), C3.2, M3.1."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bubblemachine.claims import charts as G
from bubblemachine.claims import inputs as D
from bubblemachine.claims import stats as S
from bubblemachine.claims.liquidity import RRP_DRAINED
from bubblemachine.claims.registry import Evidence, NotTestableYet, Thresholds, Window, register

LONG_DURATION = ("IGV", "TSLA", "PLTR")
NEAR_CASH = ("MU", "XLE", "USMV")
AMPLE = ("2021-06-01", "2023-12-31")  # ON RRP above ~$1tn most of the time
CUT_RULE_PP = -0.20  # a month is "cutting" if DFF fell by >= 20bp over the previous 3 months
FIGURE_TOL = 0.15  # every figure check uses the same relative tolerance
ARTICLE_001 = "2025-11-14"  # seed 001 (undated in its text) is taken as of the snapshot's end, the week of the articles

# ------------------------------------------------------------------------------ C2.2


@register(
    id="C2.2", seed="001",
    statement_en="When funding demand exceeds supply, sovereign yields and credit spreads rise together.",
    statement_ko="자금 수요가 공급을 넘어서면 국채 금리와 신용 스프레드가 함께 오른다",
    short_en="Yields and credit spreads rise together when funding is scarce", short_ko="자금 부족 시 금리와 스프레드의 동반 상승",
    method_en="Correlation of weekly changes in the 10-year Treasury yield and the IG corporate OAS in the scarce-funding regime (from 2025-01-01, ON RRP drained) minus the ample regime (2021-06..2023-12, ON RRP > $1tn); independent block bootstraps.",
    method_ko="10년 만기 국채 금리와 투자등급 회사채 가산금리(OAS)의 주간 변화 사이 상관계수를 자금 부족 국면(2025-01-01 이후, 역레포 소진)과 자금 풍부 국면(2021년 6월~2023년 12월, 역레포 1조 달러 이상)에서 각각 구해 그 차이를 효과로 삼았습니다. 두 국면은 서로 독립인 블록 부트스트랩으로 추정했습니다.",
    series=("DGS10", "BAMLC0A0CM", "RRPONTSYD"), window=Window.open(AMPLE[0]), units="correlation difference (scarce minus ample)",
    units_ko="상관계수 차이(부족 - 풍부)",
    thresholds=Thresholds(rule="effect", direction=1, materiality=0.10), group="rates",
    caveats=("ON RRP near zero is a proxy for 'funding demand exceeds supply'.",),
)  # fmt: skip
def c2_2(ctx):
    y = D.per_period(ctx.series("DGS10"), "W-WED")
    s = D.per_period(ctx.series("BAMLC0A0CM"), "W-WED").reindex(y.index)
    df = pd.DataFrame({"dy": D.weekly_diff(y), "ds": D.weekly_diff(s)}).dropna()
    ample = D.cut(df, *AMPLE)
    scarce = D.cut(df, RRP_DRAINED)
    if len(scarce) < 10 or len(ample) < 10:
        raise ValueError(f"too few weeks in a regime at this date ({len(ample)} ample, {len(scarce)} scarce)")
    seed = ctx.seed.spawn(2)
    b1 = S.block_bootstrap(scarce[["dy", "ds"]].to_numpy(), S.corr_stat, seed=seed[0])
    b0 = S.block_bootstrap(ample[["dy", "ds"]].to_numpy(), S.corr_stat, seed=seed[1])
    k = min(len(b1.draws), len(b0.draws))
    diff = b1.draws[:k] - b0.draws[:k]
    lo, hi = np.quantile(diff, [0.025, 0.975])
    eff = b1.estimate - b0.estimate
    p = float(min(1.0, np.mean(np.abs(diff - diff.mean()) >= abs(eff))))
    roll = df["dy"].rolling(26).corr(df["ds"])
    chart = G.line_chart({"corr_26w_d10y_dIGOAS": D.cut(roll, "2015-01-01")}, y_title="correlation")
    since = D.cut(df, "2010-01-01")
    return Evidence(eff, float(lo), float(hi), len(ample) + len(scarce), D.day(ample.index[0]), D.day(scarce.index[-1]), p,
                    {"corr_scarce": b1.estimate, "corr_ample": b0.estimate, "n_scarce": len(scarce), "n_ample": len(ample),
                     "corr_all_since_2010": float(since["dy"].corr(since["ds"]))}, chart,
                    (f"The scarce regime has {len(scarce)} weeks of data.",))  # fmt: skip


# ------------------------------------------------------------------------------ TSLA figures
def _tsla_figure(ctx, start: str, end: str) -> Evidence:
    p = ctx.series("TSLA")
    a = p.loc[pd.Timestamp(start) :]
    b = p.loc[: pd.Timestamp(end)]
    if a.empty:
        raise NotTestableYet(f"TSLA has no close on or after {start} at this date")
    if b.empty or b.index[-1] <= a.index[0]:
        raise NotTestableYet(f"TSLA has no data for {start}..{end} at this date")
    d0, d1 = a.index[0], b.index[-1]
    ret = 100.0 * (float(b.iloc[-1]) / float(a.iloc[0]) - 1.0)
    win = p.loc[d0:d1]
    trough = win.idxmin()
    peak = win.loc[trough:].idxmax()
    tp = 100.0 * (float(win[peak]) / float(win[trough]) - 1.0)
    chart = G.line_chart({"TSLA_rebased": 100 * win / win.iloc[0]}, y_title="index (100 = start)")
    return Evidence(ret, ret, ret, len(win), D.day(d0), D.day(d1), None,
                    {"start_close": float(a.iloc[0]), "end_close": float(b.iloc[-1]), "trough_to_peak_pct": tp,
                     "trough_date": D.day(trough), "peak_date": D.day(peak)},
                    chart, ("Adjusted closes (split-adjusted; TSLA pays no dividend).",))  # fmt: skip


_TSLA_KW = dict(seed="003", units="percent (TSLA price return)", units_ko="테슬라 주가 수익률(%)", group="facts", series=("TSLA",))


@register(
    id="C3.1-TSLA-2010-15", statement_en="Tesla rose 1,031% in the 2010-2015 rate-cut period.",
    statement_ko="2010~2015년의 금리 인하 시기에 테슬라 주가는 1,031% 올랐다",
    short_en="TSLA +1,031% in 2010-15", short_ko="테슬라 2010~15년 +1,031%",
    method_en="TSLA adjusted close from its first close (IPO, 2010-06-29) to the last close of 2015 (2015-12-31); trough-to-peak in details.",
    method_ko="테슬라 수정종가의 상장 첫 종가(2010-06-29)부터 2015년 마지막 종가(2015-12-31)까지의 수익률을 계산했습니다. 구간 안의 저점 대비 고점 상승률은 세부 결과에 있습니다.",
    window=Window.fixed("2010-06-29", "2015-12-31"), thresholds=Thresholds(rule="figure", claimed=1031.0, tolerance=FIGURE_TOL), **_TSLA_KW,
)  # fmt: skip
def tsla_1(ctx):
    return _tsla_figure(ctx, "2010-06-29", "2015-12-31")


@register(
    id="C3.1-TSLA-2019-21", statement_en="Tesla rose 2,461% in the 2019-2021 ultra-low-rate era.",
    statement_ko="2019~2021년 초저금리 시대에 테슬라 주가는 2,461% 폭등했다",
    short_en="TSLA +2,461% in 2019-21", short_ko="테슬라 2019~21년 +2,461%",
    method_en="TSLA adjusted close from the last close of 2018 (2018-12-31) to the last close of 2021 (2021-12-31); trough-to-peak inside the window in details.",
    method_ko="테슬라 수정종가의 2018년 마지막 종가(2018-12-31)부터 2021년 마지막 종가(2021-12-31)까지의 수익률을 계산했습니다. 구간 안의 저점 대비 고점 상승률은 세부 결과에 있습니다.",
    window=Window.fixed("2018-12-31", "2021-12-31"), thresholds=Thresholds(rule="figure", claimed=2461.0, tolerance=FIGURE_TOL), **_TSLA_KW,
)  # fmt: skip
def tsla_2(ctx):
    return _tsla_figure(ctx, "2018-12-31", "2021-12-31")


@register(
    id="C3.1-TSLA-H2-2024", statement_en="Tesla is up 150% since H2 2024, when rate-cut expectations began.",
    statement_ko="테슬라 주가는 금리 인하 기대가 시작된 2024년 하반기 이후 150% 급등했다",
    short_en="TSLA +150% since H2 2024", short_ko="테슬라 2024년 하반기 이후 +150%",
    method_en="TSLA adjusted close from the last close of H1 2024 (2024-06-28) to the last close before the article (2025-11-12); the $1.45T market cap is not testable (no share count in the data).",
    method_ko="테슬라 수정종가의 2024년 상반기 마지막 종가(2024-06-28)부터 기사 직전 종가(2025-11-12)까지의 수익률을 계산했습니다. 시가총액 1조 4,500억 달러는 주식 수 자료가 없어 검증할 수 없습니다.",
    window=Window.fixed("2024-06-28", "2025-11-12"), thresholds=Thresholds(rule="figure", claimed=150.0, tolerance=FIGURE_TOL), **_TSLA_KW,
)  # fmt: skip
def tsla_3(ctx):
    return _tsla_figure(ctx, "2024-06-28", "2025-11-12")


# ------------------------------------------------------------------------------ C3.1 cut cycles
@register(
    id="C3.1", seed="003",
    statement_en="Rate-cut cycles lift the longest-duration growth names most (Tesla reacts mechanically to rates).",
    statement_ko="금리 인하 사이클은 듀레이션이 가장 긴 성장주를 가장 많이 끌어올린다(테슬라는 금리에 기계적으로 반응한다)",
    short_en="Cut cycles lift long-duration names most", short_ko="금리 인하기 장기 듀레이션주의 초과 상승",
    method_en="Monthly excess log return of a long-duration basket (IGV, TSLA, PLTR, equal weight) over the S&P 500, regressed on a cutting-month dummy known at the month's start (effective fed funds down >= 20bp over the previous 3 calendar months); HAC.",
    method_ko="장기 듀레이션 바스켓(IGV, TSLA, PLTR 동일가중)의 S&P 500 대비 월간 초과 로그수익률을, 월초에 이미 알려진 인하월 더미(직전 3개월 동안 실효 연방기금금리가 20bp 이상 하락)에 회귀했습니다(HAC 표준오차).",
    series=("DFF", "SPX", *LONG_DURATION), window=Window.open("2010-07-01"), units="pp a month (cutting minus other months)",
    units_ko="월간 초과수익률 차이(%p, 인하월 - 기타 월)",
    thresholds=Thresholds(rule="effect", direction=1, materiality=0.0), group="rates",
    caveats=("2010-15 was a zero-rate period, not a cutting cycle: ZIRP months are compared in details.",),
)  # fmt: skip
def c3_1(ctx):
    r = D.basket_returns(ctx, LONG_DURATION, "2010-07-01")
    long_m = 100.0 * D.per_period(r, "M", "sum")
    month = long_m.index.to_period("M")
    spx = D.monthly_last(ctx.series("SPX", "2010-06-01"))
    spx_m = (100.0 * np.log(spx).diff()).reindex(month)
    dff = D.monthly_last(ctx.series("DFF", "2009-01-01")).ffill()
    cutting = (dff.diff(3) <= CUT_RULE_PP).astype(float).where(dff.diff(3).notna()).shift(1).reindex(month)
    zirp = (dff < 0.5).astype(float).shift(1).reindex(month)
    df = pd.DataFrame({"x": long_m.to_numpy() - spx_m.to_numpy(), "cutting": cutting.to_numpy(), "zirp": zirp.to_numpy()}, index=long_m.index).dropna()
    fit = S.hac_ols(df["x"], df["cutting"])
    fz = S.hac_ols(df["x"], df["zirp"])
    chart = G.line_chart({"long_duration_minus_spx_cum_pp": df["x"].cumsum(), "cutting_month": 10 * df["cutting"]}, y_title="pp", weekly=False)
    return Evidence(fit.params["cutting"], fit.ci_low["cutting"], fit.ci_high["cutting"], fit.n, D.day(df.index[0]), D.day(df.index[-1]),
                    fit.pvalues["cutting"], {"n_cutting_months": int(df["cutting"].sum()), "zirp_minus_other_pp": fz.params["zirp"],
                                             "zirp_p_hac": fz.pvalues["zirp"], "hac_lags": fit.lags}, chart)  # fmt: skip


# ------------------------------------------------------------------------------ C3.2
C32_START = "2024-12-31"


@register(
    id="C3.2", seed="001",
    statement_en="In 2025 memory makers (MU) outperformed software and speculative growth as the cost of capital rose.",
    statement_ko="2025년 자본 비용이 오르면서 메모리 반도체(마이크론)가 소프트웨어와 투기적 성장주를 앞섰다",
    short_en="Memory beat software in 2025", short_ko="2025년 메모리의 소프트웨어 대비 강세",
    method_en="Cumulative log return of MU minus IGV from the last close of 2024 to the article's week (2025-11-14); moving-block bootstrap of the daily return differences; the change in 10-year nominal and real yields over the window in details.",
    method_ko="2024년 마지막 종가부터 기사가 나온 주(2025-11-14)까지 마이크론(MU)의 누적 로그수익률에서 소프트웨어 ETF(IGV)의 누적 로그수익률을 뺐고, 일간 수익률 차이를 이동 블록 부트스트랩으로 재표집해 신뢰구간을 구했습니다. 같은 기간 10년 명목·실질 금리 변화는 세부 결과에 있습니다.",
    series=("MU", "IGV", "PLTR", "DGS10", "DFII10"), window=Window.fixed(C32_START, ARTICLE_001), units="log return (MU minus IGV)",
    units_ko="로그수익률(MU - IGV)",
    thresholds=Thresholds(rule="effect", direction=1, materiality=0.0), group="rates",
)  # fmt: skip
def c3_2(ctx):
    mu, igv, pltr = (ctx.series(t, C32_START) for t in ("MU", "IGV", "PLTR"))
    diff = (np.log(mu).diff() - np.log(igv).diff()).dropna()
    if len(diff) < 10:
        raise NotTestableYet("fewer than 10 trading days after 2024-12-31 at this date")
    boot = S.block_bootstrap(diff.to_numpy(), S.sum_stat, seed=ctx.seed)
    y10, r10 = (ctx.series(t, C32_START) for t in ("DGS10", "DFII10"))
    caveats = ()
    dy = float(y10.iloc[-1] - y10.iloc[0])
    if dy < 0:
        caveats = (f"The 10-year yield fell {abs(dy):.2f} pp over the window: the 'as yields rose' premise does not hold in this sample.",)
    chart = G.line_chart({"MU": 100 * mu / mu.iloc[0], "IGV": 100 * igv / igv.iloc[0], "PLTR": 100 * pltr / pltr.iloc[0]}, y_title="index (100 = 2024-12-31)", weekly=False)
    return Evidence(boot.estimate, boot.ci_low, boot.ci_high, len(diff), D.day(diff.index[0]), D.day(diff.index[-1]), boot.p_value,
                    {"mu_log_ret": float(np.log(mu.iloc[-1] / mu.iloc[0])), "igv_log_ret": float(np.log(igv.iloc[-1] / igv.iloc[0])),
                     "pltr_log_ret": float(np.log(pltr.iloc[-1] / pltr.iloc[0])), "d10y_pp": dy, "dreal10y_pp": float(r10.iloc[-1] - r10.iloc[0])},
                    chart, caveats)  # fmt: skip


# ------------------------------------------------------------------------------ M3.1 real yields
@register(
    id="M3.1-real", seed="001",
    statement_en="Rising real yields hurt long-duration assets (software, unprofitable growth, TSLA) more than near-term cash-flow assets (memory, energy, low-vol), beyond market beta.",
    statement_ko="실질 금리 상승은 장기 듀레이션 자산(소프트웨어, 적자 성장주, 테슬라)에 단기 현금흐름 자산(메모리, 에너지, 저변동성주)보다 더 큰 타격을 준다(시장 베타 통제 후)",
    short_en="Real-yield rises hit long duration more", short_ko="실질 금리 상승이 장기 듀레이션 자산에 주는 타격",
    method_en="Weekly return of long-duration (IGV, TSLA, PLTR) minus near-cash (MU, XLE, USMV) equal-weight baskets regressed on the S&P 500 return and the change in the 10-year real yield (DFII10); effect = real-yield coefficient, % per +100bp; HAC.",
    method_ko="장기 듀레이션 바스켓(IGV, TSLA, PLTR)과 단기 현금흐름 바스켓(MU, XLE, USMV, 모두 동일가중)의 주간 수익률 차이를 S&P 500 수익률과 10년 실질 금리(DFII10) 변화에 회귀했습니다. 효과는 실질 금리 계수(+100bp당 %)이며 HAC 표준오차를 썼습니다.",
    series=("DFII10", "SPX", *LONG_DURATION, *NEAR_CASH), window=Window.open("2011-11-01"), units="% weekly spread return per +100bp real yield",
    units_ko="주간 스프레드 수익률(%, 실질 금리 +100bp당)",
    thresholds=Thresholds(rule="effect", direction=-1, materiality=0.0), group="rates",
    caveats=("PLTR enters the long basket in Oct 2020; ARKK is not in the data.",),
)  # fmt: skip
def m3_1_real(ctx):
    start = "2011-11-01"
    long_r = D.basket_returns(ctx, LONG_DURATION, start)
    near_r = D.basket_returns(ctx, NEAR_CASH, start)
    spx = S.log_returns(ctx.series("SPX", start))
    wk = lambda s: 100.0 * D.per_period(s, "W-FRI", "sum")  # noqa: E731
    ry_level = D.per_period(ctx.series("DFII10"), "W-FRI")
    ry = D.weekly_diff(ry_level)
    df = pd.DataFrame({"spread": wk(long_r) - wk(near_r), "spx": wk(spx), "dry": ry, "long": wk(long_r), "near": wk(near_r)}).dropna()
    fit = S.hac_ols(df["spread"], df[["spx", "dry"]])
    fl = S.hac_ols(df["long"], df[["spx", "dry"]])
    fn = S.hac_ols(df["near"], df[["spx", "dry"]])
    cum = (df["spread"] - fit.params["spx"] * df["spx"]).cumsum()
    lvl = ry_level.reindex(df.index)
    chart = G.line_chart({"beta_adj_spread_cum_pct": cum, "real10y_pct_x10": 10 * lvl}, y_title="% | pct x10", weekly=False)
    return Evidence(fit.params["dry"], fit.ci_low["dry"], fit.ci_high["dry"], fit.n, D.day(df.index[0]), D.day(df.index[-1]), fit.pvalues["dry"],
                    {"long_real_beta": fl.params["dry"], "near_real_beta": fn.params["dry"], "long_mkt_beta": fl.params["spx"],
                     "near_mkt_beta": fn.params["spx"], "spread_mkt_beta": fit.params["spx"], "hac_lags": fit.lags}, chart)  # fmt: skip
