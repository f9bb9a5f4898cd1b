"""The AI machine: facts (F4.1, F4.2), the sell-off week (M4.4), capex against returns (M4.9),
software against AI (M4.10), forced-selling order (M5.1), the layoffs proxy (F7.1)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bubblemachine.claims import charts as G
from bubblemachine.claims import inputs as D
from bubblemachine.claims import stats as S
from bubblemachine.claims.rates import ARTICLE_001, FIGURE_TOL
from bubblemachine.claims.registry import Evidence, NotTestableYet, Thresholds, Window, register

ARTICLE_002 = "2025-11-14"  # seed 002 (undated): taken as of the snapshot's end, the week of the articles
ARTICLE_003 = "2025-11-13"  # seed 003: the newsletter of 2025-11-13 ("last week" = 2025-11-03..07)

# ------------------------------------------------------------------------------ F4.1
F41_START = "2022-11-30"  # ChatGPT launch (2022-11-30): the base date
APPROX_CAP_2022_11_30_USD_TN: dict[str, float] = {
    "AAPL": 2.35, "MSFT": 1.90, "GOOGL": 1.30, "AMZN": 0.98, "TSLA": 0.61, "NVDA": 0.42, "META": 0.31, "AVGO": 0.23,
}  # fmt: skip
"""Approximate market caps at the close of 2022-11-30 (USD tn, rounded; price x shares
outstanding from company filings; GOOGL includes all share classes). External inputs, not
from the shipped data."""
APPROX_SP500_CAP_2022_11_30_USD_TN = 34.0
"""Approximate total S&P 500 market cap at 2022-11-30 (USD tn; ~$32tn at end-2022 scaled by
the index level). External input."""


@register(
    id="F4.1", seed="002",
    statement_en="Since ChatGPT's launch (Nov 2022), AI-linked stocks made about 75% of S&P 500 returns.",
    statement_ko="2022년 11월 ChatGPT 출시 이후 S&P 500 지수 수익의 약 75%는 AI 관련 주식에서 나왔다",
    short_en="AI stocks ~75% of S&P 500 return", short_ko="S&P 500 수익 중 AI주 비중 약 75%",
    method_en="Buy-and-hold contribution of the 8 mega-cap AI names to the S&P 500 price return from 2022-11-30 to the article's week (2025-11-14): weight at the start from approximate market caps (basket $8.1tn of ~$34tn), each name grown by its own price; share = basket gain / index gain.",
    method_ko="2022-11-30부터 기사가 나온 주(2025-11-14)까지 대형 AI 8종목이 S&P 500 가격 수익에 기여한 몫을 매수 후 보유 방식으로 계산했습니다. 시작 비중은 근사 시가총액(바스켓 8.1조 달러, 지수 약 34조 달러)으로 정하고 이후에는 종목별 주가 변동을 그대로 반영했습니다. AI 비중은 바스켓의 이익을 지수의 이익으로 나눈 값입니다.",
    series=("SPX", *APPROX_CAP_2022_11_30_USD_TN), window=Window.fixed(F41_START, ARTICLE_002),
    units="percent of the S&P 500 price gain", units_ko="S&P 500 가격 상승분 중 비중(%)",
    thresholds=Thresholds(rule="figure", claimed=75.0, tolerance=FIGURE_TOL), group="facts",
    caveats=("Starting caps are approximate external inputs (sensitivity +/-20% in details).",
             "The articles' AI set (J.P. Morgan's ~40 names) is broader than our 8 names, so our share is a lower bound.",
             "The 80% of earnings growth, 90% of capex growth and the record top-7 weight are not testable (no earnings or share data)."),
)  # fmt: skip
def f4_1(ctx):
    spx = ctx.series("SPX", F41_START)
    if len(spx) < 2:
        raise NotTestableYet("no S&P 500 data after 2022-11-30 at this date")
    names = list(APPROX_CAP_2022_11_30_USD_TN)
    px = pd.DataFrame({t: ctx.series(t, F41_START) for t in names}).reindex(spx.index).ffill()
    growth = px / px.iloc[0]
    caps = growth.mul(pd.Series(APPROX_CAP_2022_11_30_USD_TN))
    basket_gain = caps.sum(axis=1) - sum(APPROX_CAP_2022_11_30_USD_TN.values())
    index_gain = APPROX_SP500_CAP_2022_11_30_USD_TN * (spx / spx.iloc[0] - 1.0)
    share = 100.0 * basket_gain / index_gain
    end_share = float(share.iloc[-1])
    w0 = sum(APPROX_CAP_2022_11_30_USD_TN.values()) / APPROX_SP500_CAP_2022_11_30_USD_TN
    chart = G.line_chart({"ai_share_of_spx_gain_pct": share.loc[pd.Timestamp("2023-06-01") :]}, y_title="% of S&P 500 gain", weekly=False)
    return Evidence(end_share, end_share, end_share, len(spx), D.day(spx.index[0]), D.day(spx.index[-1]), None,
                    {"start_weight": w0, "share_if_weight_minus20pct": 0.8 * end_share, "share_if_weight_plus20pct": 1.2 * end_share,
                     "spx_return_pct": float(100 * (spx.iloc[-1] / spx.iloc[0] - 1)), "basket_gain_usd_tn": float(basket_gain.iloc[-1]),
                     "index_gain_usd_tn": float(index_gain.iloc[-1])}, chart)  # fmt: skip


# ------------------------------------------------------------------------------ F4.2
BIG4 = ("AMZN", "GOOGL", "META", "MSFT")


def capex_quarters(ctx) -> pd.DataFrame:
    """Big-4 capex (USD bn) by calendar quarter (rows ``2024Q1``...), only quarters known at
    as-of (the store's filing rule: the first filing, at the latest the statutory deadline)."""
    panel = ctx.frame("HYPERSCALER_CAPEX")
    panel = panel[panel["company"].isin(BIG4)]
    return panel.pivot_table(index="calendar_quarter", columns="company", values="capex_usd", aggfunc="last") / 1e9


def _year_sum(q: pd.DataFrame, year: int, quarters: tuple[int, ...]) -> float:
    rows = [f"{year}Q{i}" for i in quarters]
    if not all(r in q.index for r in rows):
        raise NotTestableYet(f"capex for {', '.join(r for r in rows if r not in q.index)} not available at this date")
    sub = q.reindex(columns=list(BIG4)).loc[rows]
    if sub.isna().any().any():
        raise NotTestableYet(f"capex missing for some of {', '.join(BIG4)} in {year} at this date")
    return float(sub.to_numpy().sum())


def _capex_chart(q: pd.DataFrame) -> dict:
    tot = q.reindex(columns=list(BIG4)).sum(axis=1, min_count=4)
    return G.bar_chart({k: float(v) for k, v in tot.loc["2019Q1":].dropna().items()}, y_title="USD bn a quarter (big 4, excl. finance leases)")


_CAPEX_KW = dict(seed="002", series=("HYPERSCALER_CAPEX",), group="facts",
                 caveats=("Our series is cash capex (payments for PP&E) from SEC filings and excludes finance-lease additions (large for MSFT and AMZN), so it runs below the press figures.",))  # fmt: skip


@register(
    id="F4.2-2024", statement_en="The four largest hyperscalers spent about $230bn on capex in 2024.",
    statement_ko="4대 하이퍼스케일러의 2024년 자본지출은 약 2,300억 달러였다",
    short_en="Big-4 capex ~$230bn in 2024", short_ko="4대 하이퍼스케일러 2024년 자본지출 약 2,300억 달러",
    method_en="Sum of AMZN, GOOGL, META, MSFT capex over calendar 2024 (SEC XBRL, quarters mapped to calendar quarters).",
    method_ko="아마존, 알파벳, 메타, 마이크로소프트의 2024년(역년 기준) 자본지출을 합산했습니다(SEC XBRL 자료, 회계 분기를 역년 분기에 맞춤).",
    window=Window.fixed("2024-01-01", "2024-12-31"), units="USD bn", units_ko="십억 달러",
    thresholds=Thresholds(rule="figure", claimed=230.0, tolerance=FIGURE_TOL), **_CAPEX_KW,
)  # fmt: skip
def f4_2_2024(ctx):
    q = capex_quarters(ctx)
    v = _year_sum(q, 2024, (1, 2, 3, 4))
    by = {c: float(q.loc[[f"2024Q{i}" for i in range(1, 5)], c].sum()) for c in BIG4}
    return Evidence(v, v, v, 16, "2024-01-01", "2024-12-31", None, {f"capex_2024_{c}_usd_bn": x for c, x in by.items()}, _capex_chart(q))


@register(
    id="F4.2-growth", statement_en="Big-4 hyperscaler capex jumps from ~$230bn (2024) to ~$380bn (2025): about +65%.",
    statement_ko="4대 하이퍼스케일러의 자본지출은 2024년 약 2,300억 달러에서 2025년 약 3,800억 달러로 약 65% 늘어난다",
    short_en="Big-4 capex +65% in 2025", short_ko="4대 자본지출 2025년 +65%",
    method_en="Growth of big-4 capex in Q1-Q3 2025 over Q1-Q3 2024 (Q4 2025 was after the articles), compared with 380/230 - 1 = 65%.",
    method_ko="2025년 1~3분기 4대 하이퍼스케일러 자본지출의 전년 동기 대비 증가율을 구해 380/230 - 1 = 65%와 비교했습니다(2025년 4분기는 기사 이후의 일입니다).",
    window=Window.fixed("2024-01-01", "2025-09-30"), units="percent growth", units_ko="증가율(%)",
    thresholds=Thresholds(rule="figure", claimed=65.2, tolerance=FIGURE_TOL), **_CAPEX_KW,
)  # fmt: skip
def f4_2_growth(ctx):
    q = capex_quarters(ctx)
    a, b = _year_sum(q, 2024, (1, 2, 3)), _year_sum(q, 2025, (1, 2, 3))
    g = 100.0 * (b / a - 1.0)
    return Evidence(g, g, g, 24, "2024-01-01", "2025-09-30", None, {"q1q3_2024_usd_bn": a, "q1q3_2025_usd_bn": b, "annualised_2025_usd_bn": b * 4 / 3}, _capex_chart(q))


@register(
    id="F4.2-200bn", statement_en="Amazon, Meta, Google and Microsoft alone plan to invest more than $200bn in 2025.",
    statement_ko="아마존, 메타, 구글, 마이크로소프트 네 기업만 해도 2025년에 2,000억 달러 넘게 투자할 계획이다",
    short_en="Big-4 capex > $200bn in 2025", short_ko="4대 2025년 자본지출 2,000억 달러 초과",
    method_en="Big-4 capex in Q1-Q3 2025 alone (a lower bound for the year) against $200bn.",
    method_ko="2025년 1~3분기 4대 하이퍼스케일러 자본지출만으로(연간 금액의 하한) 2,000억 달러와 비교했습니다.",
    window=Window.fixed("2025-01-01", "2025-09-30"), units="USD bn", units_ko="십억 달러",
    thresholds=Thresholds(rule="figure", claimed=200.0, compare="at_least", tolerance=FIGURE_TOL), **_CAPEX_KW,
)  # fmt: skip
def f4_2_200(ctx):
    q = capex_quarters(ctx)
    v = _year_sum(q, 2025, (1, 2, 3))
    return Evidence(v, v, v, 12, "2025-01-01", "2025-09-30", None, {"q1q3_2025_usd_bn": v}, _capex_chart(q))


@register(
    id="F4.2-NDX2000", seed="002", statement_en="After the 2000 peak the Nasdaq lost two-thirds of its value.",
    statement_ko="거품이 꺼지면서 나스닥은 시가총액의 3분의 2를 잃었다",
    short_en="Nasdaq lost 2/3 after 2000", short_ko="2000년 이후 나스닥 3분의 2 손실",
    method_en="Nasdaq-100 peak close in 2000 to its lowest close through 2002 (the Composite is not in the data).",
    method_ko="나스닥100 지수의 2000년 최고 종가부터 2002년 말까지의 최저 종가까지 하락률을 계산했습니다(나스닥 종합지수는 자료에 없습니다).",
    series=("NDX",), window=Window.fixed("2000-01-01", "2002-12-31"), units="percent", units_ko="하락률(%)", group="facts",
    thresholds=Thresholds(rule="figure", claimed=-66.7, tolerance=FIGURE_TOL),
)  # fmt: skip
def f4_2_ndx(ctx):
    ndx = ctx.series("NDX", "2000-01-01")
    if ndx.empty:
        raise NotTestableYet("no NDX data for 2000-2002 at this date")
    peak = ndx.loc[:"2000-12-31"].idxmax()
    trough = ndx.loc[peak:].idxmin()
    v = 100.0 * (float(ndx[trough]) / float(ndx[peak]) - 1.0)
    return Evidence(v, v, v, len(ndx), D.day(ndx.index[0]), D.day(ndx.index[-1]), None, {"peak_date": D.day(peak), "trough_date": D.day(trough)},
                    G.line_chart({"NDX": ctx.series("NDX", "1998-01-01")}, y_title="index points"))  # fmt: skip


# ------------------------------------------------------------------------------ M4.9 capex and returns
CAPEX_MATERIAL_SLOPE = 0.2  # pp of capex growth per pp of trailing return: 10pp more return -> 2pp more capex growth


@register(
    id="M4.9-capex", seed="002",
    statement_en="AI capex is a race for dominance: hyperscalers' spending does not respond to their returns.",
    statement_ko="AI 자본지출은 패권 경쟁이어서 하이퍼스케일러의 투자는 수익률에 반응하지 않는다",
    short_en="Capex does not respond to returns", short_ko="수익률에 반응하지 않는 자본지출",
    method_en="Year-on-year growth of big-4 capex in each calendar quarter regressed on the big-4 equal-weight log return over the four quarters before it (capex known at first filing); HAC with lags >= 3 (overlapping years). Supported if the 95% CI of the slope lies inside +/-0.2.",
    method_ko="분기마다 4대 하이퍼스케일러 자본지출의 전년 동기 대비 증가율을, 그 직전 4개 분기 동안 4개사 주가(동일가중)의 로그수익률에 회귀했습니다(자본지출은 첫 공시 기준, 겹치는 연간 구간이므로 시차 3 이상의 HAC 표준오차). 기울기의 95% 신뢰구간이 ±0.2 안에 있으면 지지로 판정합니다.",
    series=("HYPERSCALER_CAPEX", *BIG4), window=Window.open("2014-01-01"), units="pp capex growth per pp trailing return",
    units_ko="자본지출 증가율(%p, 직전 1년 수익률 1%p당)",
    thresholds=Thresholds(rule="equivalence", materiality=CAPEX_MATERIAL_SLOPE), group="ai",
    caveats=("Four companies, one aggregate: the US-China race itself (subsidies, export controls) is not in the data.",),
)  # fmt: skip
def m4_9_capex(ctx):
    q = capex_quarters(ctx).reindex(columns=list(BIG4))
    tot = q.sum(axis=1, min_count=4).dropna()
    tot.index = pd.PeriodIndex(tot.index, freq="Q")
    tot = tot.reindex(pd.period_range(tot.index.min(), tot.index.max(), freq="Q"))
    growth = 100.0 * (tot / tot.shift(4) - 1.0)
    r = D.basket_returns(ctx, BIG4, "2013-01-01")
    rq = 100.0 * r.groupby(r.index.to_period("Q")).sum()
    trailing = rq.rolling(4).sum().shift(1)  # the four quarters before quarter q
    df = pd.DataFrame({"growth": growth, "ret": trailing.reindex(growth.index)}).dropna()
    if len(df) < 12:
        raise ValueError(f"only {len(df)} quarters with capex growth and returns at this date")
    df.index = df.index.to_timestamp(how="end").normalize()
    fit = S.hac_ols(df["growth"], df["ret"], horizon=4)
    chart = G.line_chart({"capex_growth_yoy_pct": df["growth"], "big4_trailing_return_pct": df["ret"]}, y_title="%", weekly=False)
    caveats = (f"{fit.n} quarters with all four companies ({D.day(df.index[0])}..{D.day(df.index[-1])}); overlapping years make them far fewer independent observations.",)
    return Evidence(fit.params["ret"], fit.ci_low["ret"], fit.ci_high["ret"], fit.n, D.day(df.index[0]), D.day(df.index[-1]), fit.pvalues["ret"],
                    {"hac_lags": fit.lags, "r2": fit.r2, "intercept_pp": fit.params["const"],
                     "latest_capex_growth_pct": float(df["growth"].iloc[-1])}, chart, caveats)  # fmt: skip


# ------------------------------------------------------------------------------ M4.10 software against AI
M410_START = F41_START


@register(
    id="M4.10-SaaS", seed="001",
    statement_en="AI turns on the incumbents: software (SaaS) faces a business-model transition crisis, and software stocks lag the market.",
    statement_ko="AI는 기존 강자를 위협하며, 사업모델 전환 위기에 처한 SaaS 소프트웨어 주식은 시장보다 뒤처진다",
    short_en="Software lags the market since ChatGPT", short_ko="ChatGPT 이후 소프트웨어주의 시장 대비 부진",
    method_en="Cumulative log return of the software ETF (IGV) minus the S&P 500 ETF (SPY, both with dividends) from ChatGPT's launch (2022-11-30) to the article's week (2025-11-14); moving-block bootstrap of the daily return differences.",
    method_ko="ChatGPT 출시일(2022-11-30)부터 기사가 나온 주(2025-11-14)까지 소프트웨어 ETF(IGV)의 누적 로그수익률에서 S&P 500 ETF(SPY, 둘 다 배당 포함)의 누적 로그수익률을 뺐고, 일간 수익률 차이를 이동 블록 부트스트랩으로 재표집해 신뢰구간을 구했습니다.",
    series=("IGV", "SPY"), window=Window.fixed(M410_START, ARTICLE_001), units="log return (IGV minus SPY)", units_ko="로그수익률(IGV - SPY)",
    thresholds=Thresholds(rule="effect", direction=-1, materiality=0.0), group="ai",
    caveats=("Agentic shopping against marketplaces and search ads is not testable (no marketplace or ad-revenue data).",),
)  # fmt: skip
def m4_10_saas(ctx):
    igv, spy = ctx.series("IGV", M410_START), ctx.series("SPY", M410_START)
    diff = (np.log(igv).diff() - np.log(spy).diff()).dropna()
    if len(diff) < 10:
        raise NotTestableYet("fewer than 10 trading days after 2022-11-30 at this date")
    boot = S.block_bootstrap(diff.to_numpy(), S.sum_stat, seed=ctx.seed)
    chart = G.line_chart({"IGV": 100 * igv / igv.iloc[0], "SPY": 100 * spy / spy.iloc[0]}, y_title="index (100 = 2022-11-30)", weekly=False)
    return Evidence(boot.estimate, boot.ci_low, boot.ci_high, len(diff), D.day(diff.index[0]), D.day(diff.index[-1]), boot.p_value,
                    {"igv_log_ret": float(np.log(igv.iloc[-1] / igv.iloc[0])), "spy_log_ret": float(np.log(spy.iloc[-1] / spy.iloc[0])),
                     "block": boot.block}, chart)  # fmt: skip


# ------------------------------------------------------------------------------ F7.1 layoffs proxy
@register(
    id="F7.1-claims", seed="003", statement_en="Layoffs are at their worst in 20 years.",
    statement_ko="감원 규모가 20년 만에 최악이다",
    short_en="Worst layoffs in 20 years (claims proxy)", short_ko="20년 만의 최악 감원(실업수당 청구 기준)",
    method_en="Percentile of the 4-week average of initial claims (ICSA) known at the article's date (2025-11-13) within all 4-week averages of the 20 years before it; 'worst in 20 years' means the 100th percentile.",
    method_ko="기사 날짜(2025-11-13)에 알려져 있던 신규 실업수당 청구 건수(ICSA) 4주 평균이 직전 20년 동안의 모든 4주 평균 가운데 몇 번째 백분위인지 계산했습니다. '20년 만의 최악'이라면 100번째 백분위여야 합니다.",
    series=("ICSA",), window=Window.fixed("2005-11-01", ARTICLE_003), units="percentile (0-100)", units_ko="백분위(0~100)", group="facts",
    thresholds=Thresholds(rule="figure", claimed=100.0, compare="at_least", tolerance=FIGURE_TOL),
    caveats=("The article means announced job cuts (Challenger), which are not in the data; claims measure actual filings.",),
)  # fmt: skip
def f7_1_claims(ctx):
    icsa = ctx.series("ICSA", "1985-01-01")
    roll = icsa.rolling("28D")
    ma = roll.mean().where(roll.count() == 4).dropna()  # four weekly readings within 28 days
    if ma.empty:
        raise NotTestableYet("no 4-week average of initial claims at this date")
    last = ma.index[-1]
    hist = ma.loc[last - pd.DateOffset(years=20) : last]
    pct = 100.0 * float((hist <= ma.iloc[-1]).mean())
    chart = G.line_chart({"icsa_4w_avg": D.cut(ma, "2015-01-01")}, y_title="claims a week")
    return Evidence(pct, pct, pct, len(hist), D.day(hist.index[0]), D.day(last), None, {"latest_4w_avg": float(ma.iloc[-1]), "max_20y": float(hist.max())}, chart)


# ------------------------------------------------------------------------------ M5.1 forced-selling order
EPISODES = (
    ("2022", "2022-01-03", "2022-10-12"),
    ("2024-08", "2024-07-16", "2024-08-05"),
    ("2025-04", "2025-04-02", "2025-04-08"),
    ("2025-11", "2025-10-28", "2025-11-14"),
)
"""Declared stress windows: S&P 500 closing peak to trough (Nov 2025: peak to the articles' week)."""
LOW_CONVICTION = ("BTC", "IGV")
OTHERS = ("SPX", "NDX", "IWM", "SMH", "GLD", "TLT")
RISK_ONLY = ("SPX", "NDX", "IWM", "SMH")  # sensitivity (added after the first run, reported in details only)
PEAK_LOOKBACK_BDAYS = 30  # business days before the window start searched for each asset's peak


def _episode_table(ctx) -> pd.DataFrame:
    spx = ctx.series("SPX", "2021-06-01")
    prices = {a: D.on_dates(ctx.series(a), spx.index) for a in (*LOW_CONVICTION, *OTHERS)}
    rows = []
    for label, start, end in EPISODES:
        i0 = int(spx.index.searchsorted(pd.Timestamp(start)))
        i1 = int(spx.index.searchsorted(pd.Timestamp(end), side="right")) - 1
        if i0 >= len(spx) or i1 <= i0:
            continue
        look0 = S.bday_offset(np.datetime64(start, "D"), -PEAK_LOOKBACK_BDAYS, roll="backward")
        for a, p in prices.items():
            w = p.iloc[i0 : i1 + 1]
            look = p.loc[pd.Timestamp(look0) : spx.index[i1]].dropna()
            peak = np.datetime64(look.idxmax().date(), "D")
            rows.append({"episode": label, "asset": a, "ret": 100.0 * float(np.log(w.iloc[-1] / w.iloc[0])),
                         "peak_pos": int(S.bday_count(look0, peak)), "start": D.day(spx.index[i0]), "end": D.day(spx.index[i1])})  # fmt: skip
    if not rows:
        raise NotTestableYet("no declared stress episode has data at this date")
    return pd.DataFrame(rows)


def _episode_caveats(n: int) -> tuple[str, ...]:
    return (f"{n} declared episode{'s' if n != 1 else ''} with data: the interval is a Student-t across episodes ({max(n - 1, 0)} degrees of freedom).",)


_FS_KW = dict(seed="001", series=("SPX", *LOW_CONVICTION, *OTHERS), window=Window.fixed("2022-01-03", "2025-11-14"), group="ai",
              caveats=("Peaks earlier than 30 business days before a window count as the first day of the lookback "
                       "(e.g. BTC's Nov 2021 peak for the 2022 episode), which favours 'fell first' for such assets.",))  # fmt: skip


@register(
    id="M5.1-most", statement_en="In stress, low-conviction holdings (bitcoin, software) are sold hardest.",
    statement_ko="스트레스 국면에서는 확신이 낮은 보유 자산(비트코인, 소프트웨어)이 가장 크게 매도된다",
    short_en="BTC and software fall most in stress", short_ko="스트레스 국면의 비트코인·소프트웨어 최대 하락",
    method_en="Per declared episode (2022, Aug 2024, Apr 2025, Nov 2025), mean log return of BTC and IGV minus the mean of SPX, NDX, IWM, SMH, GLD, TLT; averaged across episodes with a t interval.",
    method_ko="미리 정한 스트레스 국면(2022년, 2024년 8월, 2025년 4월, 2025년 11월)마다 BTC와 IGV의 평균 로그수익률에서 SPX, NDX, IWM, SMH, GLD, TLT의 평균을 뺐고, 국면 간 평균과 t 신뢰구간을 구했습니다.",
    units="pp log return (BTC & IGV minus others)", units_ko="로그수익률 차이(%p, BTC·IGV - 기타)",
    thresholds=Thresholds(rule="effect", direction=-1, materiality=0.0), **_FS_KW,
)  # fmt: skip
def m5_1_most(ctx):
    t = _episode_table(ctx)
    low = t[t["asset"].isin(LOW_CONVICTION)].groupby("episode", sort=False)["ret"].mean()
    oth = t[t["asset"].isin(OTHERS)].groupby("episode", sort=False)["ret"].mean()
    diff = low - oth
    m, lo, hi, p = S.t_interval(diff.to_numpy())
    ret = t.pivot(index="asset", columns="episode", values="ret")
    rank = ret.rank(ascending=True)  # 1 = biggest loss
    chart = G.group_chart({a: list(ret.loc[a]) for a in ret.index}, x=list(ret.columns), y_title="log return, %", digits=3)
    details = {f"diff_{k}": float(v) for k, v in diff.items()} | {f"rank_{a}_mean": float(rank.loc[a].mean()) for a in LOW_CONVICTION}
    risk = low - t[t["asset"].isin(RISK_ONLY)].groupby("episode", sort=False)["ret"].mean()
    rm, rlo, rhi, rp = S.t_interval(risk.to_numpy())
    details |= {"risk_only_effect": rm, "risk_only_ci_low": rlo, "risk_only_ci_high": rhi, "risk_only_p": rp}
    return Evidence(m, lo, hi, len(diff), t["start"].min(), t["end"].max(), p, details, chart, _episode_caveats(len(diff)))


@register(
    id="M5.1-first", statement_en="In stress, bitcoin and software are sold first (they peak before the rest).",
    statement_ko="스트레스 국면에서는 비트코인과 소프트웨어가 먼저 매도된다(다른 자산보다 먼저 고점을 찍는다)",
    short_en="BTC and software fall first", short_ko="먼저 하락하는 비트코인·소프트웨어",
    method_en="Per declared episode, the date of each asset's highest close in the window plus the 30 business days before it; effect = mean peak date of the others minus that of BTC and IGV, in business days (positive = they peaked earlier); t interval across episodes.",
    method_ko="미리 정한 국면마다(시작 30영업일 전부터) 자산별 최고 종가일을 찾았습니다. 효과는 기타 자산의 평균 고점일에서 BTC·IGV의 평균 고점일을 뺀 영업일 수(양수면 먼저 고점)이며, 국면 간 t 신뢰구간을 구했습니다.",
    units="business days earlier", units_ko="먼저 고점을 찍은 영업일 수",
    thresholds=Thresholds(rule="effect", direction=1, materiality=0.0), **_FS_KW,
)  # fmt: skip
def m5_1_first(ctx):
    t = _episode_table(ctx)
    low = t[t["asset"].isin(LOW_CONVICTION)].groupby("episode", sort=False)["peak_pos"].mean()
    oth = t[t["asset"].isin(OTHERS)].groupby("episode", sort=False)["peak_pos"].mean()
    lead = oth - low
    m, lo, hi, p = S.t_interval(lead.to_numpy())
    chart = G.bar_chart({k: float(v) for k, v in lead.items()}, y_title="days BTC & IGV peaked earlier")
    risk = t[t["asset"].isin(RISK_ONLY)].groupby("episode", sort=False)["peak_pos"].mean() - low
    rm, rlo, rhi, rp = S.t_interval(risk.to_numpy())
    details = {f"lead_{k}": float(v) for k, v in lead.items()} | {"risk_only_effect": rm, "risk_only_ci_low": rlo, "risk_only_ci_high": rhi, "risk_only_p": rp}
    return Evidence(m, lo, hi, len(lead), t["start"].min(), t["end"].max(), p, details, chart,
                    (*_episode_caveats(len(lead)),
                     "GLD and TLT are havens that often rise in stress, which pushes the comparison set's peaks later; "
                     "against risk assets only (SPX, NDX, IWM, SMH) the lead is in details (risk_only_*), reported as a "
                     "sensitivity added after the first run, not as the verdict."))  # fmt: skip


# ------------------------------------------------------------------------------ M4.4 the sell-off week (003)
def _move(ctx, ticker: str, start: str, end: str) -> Evidence:
    p = ctx.series(ticker)
    a, b = p.loc[: pd.Timestamp(start)], p.loc[: pd.Timestamp(end)]
    if a.empty or b.empty or b.index[-1] <= pd.Timestamp(start):
        raise NotTestableYet(f"{ticker} has no data for {start}..{end} at this date")
    v = 100.0 * (float(b.iloc[-1]) / float(a.iloc[-1]) - 1.0)
    win = p.loc[a.index[-1] : b.index[-1]]
    low = 100.0 * (float(win.min()) / float(a.iloc[-1]) - 1.0)
    chart = G.line_chart({f"{ticker}_rebased": 100 * win / win.iloc[0]}, y_title="index (100 = start)", weekly=False)
    return Evidence(v, v, v, len(win), D.day(a.index[-1]), D.day(b.index[-1]), None, {"worst_close_in_window_pct": low}, chart,
                    ("Closing prices; the article's figures may use intraday or different start dates.",))  # fmt: skip


_M44_KW = dict(seed="003", group="facts", units="percent (price return)", units_ko="주가 수익률(%)")


@register(
    id="M4.4-NVDA", statement_en="Nvidia fell 7% last week (the week before the article, WSJ).",
    statement_ko="지난주 엔비디아 주가는 7% 하락했다(월스트리트저널)",
    short_en="NVDA -7% in the week", short_ko="엔비디아 주간 -7%",
    method_en="NVDA close on 2025-10-31 to the close on 2025-11-07 (the week before the article of 2025-11-13).",
    method_ko="엔비디아의 2025-10-31 종가부터 2025-11-07 종가까지의 수익률을 계산했습니다(2025-11-13 기사 직전 주).",
    series=("NVDA",), window=Window.fixed("2025-10-31", "2025-11-07"), thresholds=Thresholds(rule="figure", claimed=-7.0, tolerance=FIGURE_TOL), **_M44_KW,
)  # fmt: skip
def m4_4_nvda(ctx):
    return _move(ctx, "NVDA", "2025-10-31", "2025-11-07")


@register(
    id="M4.4-META", statement_en="Meta plunged 17% despite a solid third quarter.",
    statement_ko="메타 플랫폼스 주가는 견고한 3분기 실적에도 17% 급락했다",
    short_en="META -17% after Q3 results", short_ko="메타 3분기 실적 발표 후 -17%",
    method_en="META close on 2025-10-29 (results released after that close) to the close on 2025-11-07; the worst close in the window is in details.",
    method_ko="메타의 2025-10-29 종가(실적은 장 마감 후 발표)부터 2025-11-07 종가까지의 수익률을 계산했습니다. 구간 안의 최저 종가는 세부 결과에 있습니다.",
    series=("META",), window=Window.fixed("2025-10-29", "2025-11-07"), thresholds=Thresholds(rule="figure", claimed=-17.0, tolerance=FIGURE_TOL), **_M44_KW,
)  # fmt: skip
def m4_4_meta(ctx):
    return _move(ctx, "META", "2025-10-29", "2025-11-07")


@register(
    id="M4.4-PLTR", statement_en="Palantir, past a P/E of 250, corrected 8%.",
    statement_ko="팔란티어 주가는 주가수익비율 250배를 넘어선 뒤 8% 조정을 받았다",
    short_en="PLTR -8% correction", short_ko="팔란티어 -8% 조정",
    method_en="PLTR close on 2025-10-31 to the close on 2025-11-07 (same week as the Nvidia figure); the P/E is not testable (no earnings data).",
    method_ko="팔란티어의 2025-10-31 종가부터 2025-11-07 종가까지의 수익률을 계산했습니다(엔비디아와 같은 주). 주가수익비율은 이익 자료가 없어 검증할 수 없습니다.",
    series=("PLTR",), window=Window.fixed("2025-10-31", "2025-11-07"), thresholds=Thresholds(rule="figure", claimed=-8.0, tolerance=FIGURE_TOL), **_M44_KW,
)  # fmt: skip
def m4_4_pltr(ctx):
    return _move(ctx, "PLTR", "2025-10-31", "2025-11-07")
