"""Cost of capital and duration: C2.2, C3.1 (incl. the TSLA figures), C3.2, M3.1."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bubblemachine.claims import _data as D
from bubblemachine.claims import stats as S
from bubblemachine.claims.liquidity import RRP_DRAINED, corr_stat
from bubblemachine.claims.registry import CLAIMS, Evidence, Thresholds, register

LONG_DURATION = ("IGV", "TSLA", "PLTR")
NEAR_CASH = ("MU", "XLE", "USMV")
AMPLE = ("2021-06-01", "2023-12-31")  # ON RRP above ~$1tn most of the time
CUT_RULE_PP = -0.20  # a month is "cutting" if DFF fell by >= 20bp over the previous 3 months
FIGURE_TOL = 0.15  # every figure check uses the same relative tolerance

# ------------------------------------------------------------------------------ C2.2


@register(
    id="C2.2", seed="001",
    statement_en="When funding demand exceeds supply, sovereign yields and credit spreads rise together.",
    statement_ko="자금 수요가 공급을 넘으면 국채금리와 신용스프레드가 함께 오른다.",
    short_en="Yields and credit spreads rise together when funding is scarce", short_ko="자금 부족 시 금리·스프레드 동반 상승",
    method_en="Correlation of weekly changes in the 10-year Treasury yield and the IG corporate OAS in the scarce-funding regime (from 2025-01-01, ON RRP drained) minus the ample regime (2021-06..2023-12, ON RRP > $1tn); independent block bootstraps.",
    method_ko="10년 국채금리와 IG 회사채 OAS의 주간 변화 상관: 자금 부족 국면(2025-01-01 이후, 역레포 소진) - 풍부 국면(2021-06..2023-12, 역레포 1조달러 이상); 독립 블록 부트스트랩.",
    series=("DGS10", "BAMLC0A0CM", "RRPONTSYD"), sample=(AMPLE[0], None), units="correlation difference (scarce minus ample)",
    thresholds=Thresholds(rule="effect", direction=1, materiality=0.10), group="rates",
    caveats=("ON RRP near zero is a proxy for 'funding demand exceeds supply'.",),
)  # fmt: skip
def c2_2(store, asof):
    y = D.per_period(store.series("DGS10", asof=asof), "W-WED")
    s = D.per_period(store.series("BAMLC0A0CM", asof=asof), "W-WED").reindex(y.index)
    df = pd.DataFrame({"dy": y.diff(), "ds": s.diff()}).dropna()
    ample = D.cut(df, *AMPLE)
    scarce = D.cut(df, RRP_DRAINED)
    if len(scarce) < 10 or len(ample) < 10:
        raise ValueError(f"too few weeks in a regime at this asof ({len(ample)} ample, {len(scarce)} scarce)")
    seed = CLAIMS["C2.2"].rng_seed.spawn(2)
    b1 = S.block_bootstrap(scarce[["dy", "ds"]].to_numpy(), corr_stat, seed=seed[0])
    b0 = S.block_bootstrap(ample[["dy", "ds"]].to_numpy(), corr_stat, seed=seed[1])
    diff = b1.draws[: min(len(b1.draws), len(b0.draws))] - b0.draws[: min(len(b1.draws), len(b0.draws))]
    lo, hi = np.quantile(diff, [0.025, 0.975])
    eff = b1.estimate - b0.estimate
    p = float(min(1.0, np.mean(np.abs(diff - diff.mean()) >= abs(eff))))
    roll = df["dy"].rolling(26).corr(df["ds"])
    chart = D.line_chart({"corr_26w_d10y_dIGOAS": D.cut(roll, "2015-01-01")}, y_title="correlation")
    return Evidence(eff, float(lo), float(hi), len(ample) + len(scarce), D.day(ample.index[0]), D.day(scarce.index[-1]), p,
                    {"corr_scarce": b1.estimate, "corr_ample": b0.estimate, "n_scarce": len(scarce), "n_ample": len(ample),
                     "corr_all_since_2010": float(D.cut(df, "2010-01-01")["dy"].corr(D.cut(df, "2010-01-01")["ds"]))}, chart)  # fmt: skip


# ------------------------------------------------------------------------------ TSLA figures
def _tsla_figure(store, asof, start: str, end: str, claim_id: str) -> Evidence:
    p = store.series("TSLA", asof=asof)
    a = p.loc[pd.Timestamp(start) :]
    b = p.loc[: pd.Timestamp(end)]
    if a.empty or b.empty or b.index[-1] <= a.index[0]:
        raise ValueError(f"TSLA has no data for {start}..{end} at this asof")
    d0, d1 = a.index[0], b.index[-1]
    ret = 100.0 * (float(b.iloc[-1]) / float(a.iloc[0]) - 1.0)
    win = p.loc[d0:d1]
    trough = win.idxmin()
    peak = win.loc[trough:].idxmax()
    tp = 100.0 * (float(win[peak]) / float(win[trough]) - 1.0)
    chart = D.line_chart({"TSLA_rebased": 100 * win / win.iloc[0]}, y_title="index (100 = start)")
    return Evidence(ret, ret, ret, len(win), D.day(d0), D.day(d1), None,
                    {"start_close": float(a.iloc[0]), "end_close": float(b.iloc[-1]), "trough_to_peak_pct": tp,
                     "trough_date": D.day(trough), "peak_date": D.day(peak), "claimed_pct": CLAIMS[claim_id].thresholds.claimed},
                    chart, ("Adjusted closes (split-adjusted; TSLA pays no dividend).",))  # fmt: skip


_TSLA_KW = dict(seed="003", units="percent (TSLA price return)", group="facts", series=("TSLA",))


@register(
    id="C3.1-TSLA-2010-15", statement_en="Tesla rose 1,031% in the 2010-2015 rate-cut period.",
    statement_ko="2010~2015년의 금리인하 시기, 테슬라는 1031%가 올랐다.",
    short_en="TSLA +1,031% in 2010-15", short_ko="테슬라 2010-15 +1031%",
    method_en="TSLA adjusted close from its first close (IPO, 2010-06-29) to the last close of 2015 (2015-12-31); trough-to-peak in details.",
    method_ko="TSLA 수정종가: 첫 종가(상장, 2010-06-29)부터 2015년 마지막 종가(2015-12-31)까지; 저점-고점은 상세에.",
    sample=("2010-06-29", "2015-12-31"), thresholds=Thresholds(rule="figure", claimed=1031.0, tolerance=FIGURE_TOL), **_TSLA_KW,
)  # fmt: skip
def tsla_1(store, asof):
    return _tsla_figure(store, asof, "2010-06-29", "2015-12-31", "C3.1-TSLA-2010-15")


@register(
    id="C3.1-TSLA-2019-21", statement_en="Tesla rose 2,461% in the 2019-2021 ultra-low-rate era.",
    statement_ko="2019~2021년 초저금리 시대에 테슬라는 2461% 폭등했다.",
    short_en="TSLA +2,461% in 2019-21", short_ko="테슬라 2019-21 +2461%",
    method_en="TSLA adjusted close from the last close of 2018 (2018-12-31) to the last close of 2021 (2021-12-31); trough-to-peak inside the window in details.",
    method_ko="TSLA 수정종가: 2018년 마지막 종가(2018-12-31)부터 2021년 마지막 종가(2021-12-31)까지; 구간 내 저점-고점은 상세에.",
    sample=("2018-12-31", "2021-12-31"), thresholds=Thresholds(rule="figure", claimed=2461.0, tolerance=FIGURE_TOL), **_TSLA_KW,
)  # fmt: skip
def tsla_2(store, asof):
    return _tsla_figure(store, asof, "2018-12-31", "2021-12-31", "C3.1-TSLA-2019-21")


@register(
    id="C3.1-TSLA-H2-2024", statement_en="Tesla is up 150% since H2 2024, when rate-cut expectations began.",
    statement_ko="테슬라는 금리인하 기대가 시작된 2024년 하반기 이후 150% 급등했다.",
    short_en="TSLA +150% since H2 2024", short_ko="테슬라 2024 하반기 이후 +150%",
    method_en="TSLA adjusted close from the last close of H1 2024 (2024-06-28) to the last close before the article (2025-11-12); the $1.45T market cap is not testable (no share count in the data).",
    method_ko="TSLA 수정종가: 2024년 상반기 마지막 종가(2024-06-28)부터 기사 전 마지막 종가(2025-11-12)까지; 시가총액 1.45조달러는 주식 수 자료가 없어 검증 불가.",
    sample=("2024-06-28", "2025-11-12"), thresholds=Thresholds(rule="figure", claimed=150.0, tolerance=FIGURE_TOL), **_TSLA_KW,
)  # fmt: skip
def tsla_3(store, asof):
    return _tsla_figure(store, asof, "2024-06-28", "2025-11-12", "C3.1-TSLA-H2-2024")


# ------------------------------------------------------------------------------ C3.1 cut cycles
def _monthly(prices: pd.Series) -> pd.Series:
    return 100.0 * np.log(D.per_period(prices, "M")).diff()


@register(
    id="C3.1", seed="003",
    statement_en="Rate-cut cycles lift the longest-duration growth names most (Tesla reacts mechanically to rates).",
    statement_ko="금리인하 사이클은 가장 긴 듀레이션의 성장주를 가장 많이 끌어올린다(테슬라는 금리에 기계적으로 반응).",
    short_en="Cut cycles lift long-duration names most", short_ko="인하 사이클에 장기 듀레이션주 최대 수혜",
    method_en="Monthly excess log return of a long-duration basket (IGV, TSLA, PLTR, equal weight) over the S&P 500, regressed on a cutting-month dummy known at the month's start (effective fed funds down >= 20bp over the previous 3 months); HAC.",
    method_ko="장기 듀레이션 바스켓(IGV, TSLA, PLTR 동일가중)의 S&P 500 대비 월간 초과 로그수익률을 월초에 알려진 인하월 더미(직전 3개월 실효 연방기금금리 20bp 이상 하락)에 회귀, HAC.",
    series=("DFF", "SPX", *LONG_DURATION), sample=("2010-07-01", None), units="pp a month (cutting minus other months)",
    thresholds=Thresholds(rule="effect", direction=1, materiality=0.0), group="rates",
    caveats=("2010-15 was a zero-rate period, not a cutting cycle: ZIRP months are compared in details.",),
)  # fmt: skip
def c3_1(store, asof):
    r = D.basket_returns(store, LONG_DURATION, asof, "2010-07-01")
    long_m = 100.0 * D.per_period(r, "M", "sum")
    spx_m = _monthly(D.px(store, "SPX", asof, "2010-06-01")).reindex(long_m.index)
    dff = D.per_period(store.series("DFF", asof=asof), "M").reindex(long_m.index, method="ffill")
    cutting = S.lagged((dff.diff(3) <= CUT_RULE_PP).astype(float), 1).rename("cutting")
    zirp = S.lagged((dff < 0.5).astype(float), 1)
    df = pd.DataFrame({"x": long_m - spx_m, "cutting": cutting, "zirp": zirp}).dropna()
    fit = S.hac_ols(df["x"], df["cutting"])
    fz = S.hac_ols(df["x"], df["zirp"])
    chart = D.line_chart({"long_duration_minus_spx_cum_pp": df["x"].cumsum(), "cutting_month": 10 * df["cutting"]}, y_title="pp", weekly=False)
    return Evidence(fit.params["cutting"], fit.ci_low["cutting"], fit.ci_high["cutting"], fit.n, D.day(df.index[0]), D.day(df.index[-1]),
                    fit.pvalues["cutting"], {"n_cutting_months": int(df["cutting"].sum()), "zirp_minus_other_pp": fz.params["zirp"],
                                             "zirp_p_hac": fz.pvalues["zirp"], "hac_lags": fit.lags}, chart)  # fmt: skip


# ------------------------------------------------------------------------------ C3.2
C32_START = "2024-12-31"


def _sum_stat(a: np.ndarray) -> np.ndarray:
    return a.sum(axis=-1) if a.ndim > 1 else a.sum()


@register(
    id="C3.2", seed="001",
    statement_en="In 2025 memory makers (MU) outperformed software and speculative growth as the cost of capital rose.",
    statement_ko="2025년 자본비용이 오르면서 메모리 반도체(MU)가 소프트웨어와 투기적 성장주를 앞섰다.",
    short_en="Memory beat software in 2025", short_ko="2025 메모리 > 소프트웨어",
    method_en="Cumulative log return of MU minus IGV from the last close of 2024 to the data end; moving-block bootstrap of the daily return differences; the 2025 change in 10-year nominal and real yields in details.",
    method_ko="2024년 마지막 종가부터 자료 끝까지 MU 누적 로그수익률 - IGV; 일간 수익률 차이의 이동블록 부트스트랩; 2025년 10년 명목·실질금리 변화는 상세에.",
    series=("MU", "IGV", "PLTR", "DGS10", "DFII10"), sample=(C32_START, None), units="log return (MU minus IGV)",
    thresholds=Thresholds(rule="effect", direction=1, materiality=0.0), group="rates",
)  # fmt: skip
def c3_2(store, asof):
    mu, igv, pltr = (D.px(store, t, asof, C32_START) for t in ("MU", "IGV", "PLTR"))
    diff = (np.log(mu).diff() - np.log(igv).diff()).dropna()
    if len(diff) < 10:
        raise ValueError("fewer than 10 trading days after 2024-12-31 at this asof")
    boot = S.block_bootstrap(diff.to_numpy(), _sum_stat, seed=CLAIMS["C3.2"].rng_seed)
    y10, r10 = (D.px(store, t, asof, C32_START) for t in ("DGS10", "DFII10"))
    caveats = ()
    dy = float(y10.iloc[-1] - y10.iloc[0])
    if dy < 0:
        caveats = (f"The 10-year yield fell {abs(dy):.2f} pp over the window: the 'as yields rose' premise does not hold in this sample.",)
    chart = D.line_chart({"MU": 100 * mu / mu.iloc[0], "IGV": 100 * igv / igv.iloc[0], "PLTR": 100 * pltr / pltr.iloc[0]}, y_title="index (100 = 2024-12-31)", weekly=False)
    return Evidence(boot.estimate, boot.ci_low, boot.ci_high, len(diff), D.day(diff.index[0]), D.day(diff.index[-1]), boot.p_value,
                    {"mu_log_ret": float(np.log(mu.iloc[-1] / mu.iloc[0])), "igv_log_ret": float(np.log(igv.iloc[-1] / igv.iloc[0])),
                     "pltr_log_ret": float(np.log(pltr.iloc[-1] / pltr.iloc[0])), "d10y_pp": dy, "dreal10y_pp": float(r10.iloc[-1] - r10.iloc[0])},
                    chart, caveats)  # fmt: skip


# ------------------------------------------------------------------------------ M3.1 real yields
@register(
    id="M3.1-real", seed="001",
    statement_en="Rising real yields hurt long-duration assets (software, unprofitable growth, TSLA) more than near-term cash-flow assets (memory, energy, low-vol), beyond market beta.",
    statement_ko="실질금리 상승은 장기 듀레이션 자산(소프트웨어, 적자 성장주, 테슬라)에 단기 현금흐름 자산(메모리, 에너지, 저변동)보다 더 큰 타격을 준다(시장 베타 통제).",
    short_en="Real-yield rises hit long duration more", short_ko="실질금리 상승 시 장기 듀레이션 더 타격",
    method_en="Weekly return of long-duration (IGV, TSLA, PLTR) minus near-cash (MU, XLE, USMV) equal-weight baskets regressed on the S&P 500 return and the change in the 10-year real yield (DFII10); effect = real-yield coefficient, % per +100bp; HAC.",
    method_ko="장기 듀레이션(IGV, TSLA, PLTR) - 단기 현금흐름(MU, XLE, USMV) 동일가중 바스켓의 주간 수익률을 S&P 500 수익률과 10년 실질금리(DFII10) 변화에 회귀; 효과 = 실질금리 계수(+100bp당 %); HAC.",
    series=("DFII10", "SPX", *LONG_DURATION, *NEAR_CASH), sample=("2011-11-01", None), units="% weekly spread return per +100bp real yield",
    thresholds=Thresholds(rule="effect", direction=-1, materiality=0.0), group="rates",
    caveats=("PLTR enters the long basket in Oct 2020; ARKK is not in the data.",),
)  # fmt: skip
def m3_1_real(store, asof):
    start = "2011-11-01"
    long_r = D.basket_returns(store, LONG_DURATION, asof, start)
    near_r = D.basket_returns(store, NEAR_CASH, asof, start)
    spx = S.log_returns(D.px(store, "SPX", asof, start))
    wk = lambda s: 100.0 * D.per_period(s, "W-FRI", "sum")  # noqa: E731
    ry = D.per_period(store.series("DFII10", asof=asof), "W-FRI").diff()
    df = pd.DataFrame({"spread": wk(long_r) - wk(near_r), "spx": wk(spx), "dry": ry, "long": wk(long_r), "near": wk(near_r)}).dropna()
    fit = S.hac_ols(df["spread"], df[["spx", "dry"]])
    fl = S.hac_ols(df["long"], df[["spx", "dry"]])
    fn = S.hac_ols(df["near"], df[["spx", "dry"]])
    cum = (df["spread"] - fit.params["spx"] * df["spx"]).cumsum()
    lvl = D.per_period(store.series("DFII10", asof=asof), "W-FRI").reindex(df.index)
    chart = D.line_chart({"beta_adj_spread_cum_pct": cum, "real10y_pct_x10": 10 * lvl}, y_title="% | pct x10", weekly=False)
    return Evidence(fit.params["dry"], fit.ci_low["dry"], fit.ci_high["dry"], fit.n, D.day(df.index[0]), D.day(df.index[-1]), fit.pvalues["dry"],
                    {"long_real_beta": fl.params["dry"], "near_real_beta": fn.params["dry"], "long_mkt_beta": fl.params["spx"],
                     "near_mkt_beta": fn.params["spx"], "spread_mkt_beta": fit.params["spx"], "hac_lags": fit.lags}, chart)  # fmt: skip
