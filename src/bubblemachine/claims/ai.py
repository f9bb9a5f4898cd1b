"""AI machine facts (F4.1, F4.2), forced-selling order (M5.1) and the K-economy facts (F7.1)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bubblemachine.claims import _data as D
from bubblemachine.claims import stats as S
from bubblemachine.claims.rates import FIGURE_TOL
from bubblemachine.claims.registry import Evidence, Thresholds, register

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
    statement_ko="2022년 11월 ChatGPT 출시 이후 AI 관련 주식은 S&P 500 지수 수익의 75%를 책임졌다.",
    short_en="AI stocks ~75% of S&P 500 return", short_ko="AI주가 S&P500 수익의 ~75%",
    method_en="Buy-and-hold contribution of the 8 mega-cap AI names to the S&P 500 price return since 2022-11-30: weight at the start from approximate market caps (basket $8.1tn of ~$34tn), each name grown by its own price; share = basket gain / index gain.",
    method_ko="2022-11-30 이후 대형 AI 8종목의 S&P 500 가격수익 기여(매수 후 보유): 시작 비중은 근사 시가총액(바스켓 8.1조달러 / 약 34조달러), 종목별 가격으로 성장; 비중 = 바스켓 이익 / 지수 이익.",
    series=("SPX", *APPROX_CAP_2022_11_30_USD_TN), sample=(F41_START, None), units="percent of the S&P 500 price gain",
    thresholds=Thresholds(rule="figure", claimed=75.0, tolerance=FIGURE_TOL), group="facts",
    caveats=("Starting caps are approximate external inputs (sensitivity +/-20% in details).",
             "The articles' AI set (J.P. Morgan's ~40 names) is broader than our 8 names, so our share is a lower bound.",
             "The 80% of earnings growth, 90% of capex growth and the record top-7 weight are not testable (no earnings or share data)."),
)  # fmt: skip
def f4_1(store, asof):
    spx = D.px(store, "SPX", asof, F41_START)
    if len(spx) < 2:
        raise ValueError("no S&P 500 data after 2022-11-30 at this asof")
    names = list(APPROX_CAP_2022_11_30_USD_TN)
    px = pd.DataFrame({t: D.px(store, t, asof, F41_START) for t in names}).reindex(spx.index).ffill()
    growth = px / px.iloc[0]
    caps = growth.mul(pd.Series(APPROX_CAP_2022_11_30_USD_TN))
    basket_gain = caps.sum(axis=1) - sum(APPROX_CAP_2022_11_30_USD_TN.values())
    index_gain = APPROX_SP500_CAP_2022_11_30_USD_TN * (spx / spx.iloc[0] - 1.0)
    share = 100.0 * basket_gain / index_gain
    end_share = float(share.iloc[-1])
    w0 = sum(APPROX_CAP_2022_11_30_USD_TN.values()) / APPROX_SP500_CAP_2022_11_30_USD_TN
    chart = D.line_chart({"ai_share_of_spx_gain_pct": share.loc[pd.Timestamp("2023-06-01") :]}, y_title="% of S&P 500 gain", weekly=False)
    return Evidence(end_share, end_share, end_share, len(spx), D.day(spx.index[0]), D.day(spx.index[-1]), None,
                    {"start_weight": w0, "share_if_weight_minus20pct": 0.8 * end_share, "share_if_weight_plus20pct": 1.2 * end_share,
                     "spx_return_pct": float(100 * (spx.iloc[-1] / spx.iloc[0] - 1)), "basket_gain_usd_tn": float(basket_gain.iloc[-1]),
                     "index_gain_usd_tn": float(index_gain.iloc[-1])}, chart)  # fmt: skip


# ------------------------------------------------------------------------------ F4.2
BIG4 = ("AMZN", "GOOGL", "META", "MSFT")
FILING_LAG_DAYS = 45  # a quarter's capex counts as known 45 days after its period end


def _capex(store, asof) -> pd.DataFrame:
    """Big-4 capex (USD bn) by calendar quarter, only quarters public by ``asof``."""
    panel = store.frame("HYPERSCALER_CAPEX")
    if asof is not None:
        panel = panel[panel.index + pd.Timedelta(days=FILING_LAG_DAYS) <= asof]
    panel = panel[panel["company"].isin(BIG4)]
    q = panel.pivot_table(index="calendar_quarter", columns="company", values="capex_usd", aggfunc="last") / 1e9
    return q


def _year_sum(q: pd.DataFrame, year: int, quarters: tuple[int, ...]) -> float:
    rows = [f"{year}Q{i}" for i in quarters]
    if not all(r in q.index for r in rows):
        raise ValueError(f"capex for {', '.join(r for r in rows if r not in q.index)} not available at this asof")
    sub = q.loc[rows, list(BIG4)]
    if sub.isna().any().any():
        raise ValueError(f"capex missing for some of {BIG4} in {year}")
    return float(sub.to_numpy().sum())


def _capex_chart(q: pd.DataFrame) -> dict:
    tot = q[list(BIG4)].sum(axis=1, min_count=4)
    return D.bar_chart({k: float(v) for k, v in tot.loc["2019Q1":].dropna().items()}, y_title="USD bn a quarter (big 4, excl. finance leases)")


_CAPEX_KW = dict(seed="002", series=("HYPERSCALER_CAPEX",), group="facts",
                 caveats=("Our series is cash capex (payments for PP&E) from SEC filings and excludes finance-lease additions (large for MSFT and AMZN), so it runs below the press figures.",))  # fmt: skip


@register(
    id="F4.2-2024", statement_en="The four largest hyperscalers spent about $230bn on capex in 2024.",
    statement_ko="4대 하이퍼스케일러의 2024년 자본지출은 약 2,300억 달러였다.",
    short_en="Big-4 capex ~$230bn in 2024", short_ko="4대 하이퍼스케일러 2024 자본지출 ~2300억$",
    method_en="Sum of AMZN, GOOGL, META, MSFT capex over calendar 2024 (SEC XBRL, quarters mapped to calendar quarters).",
    method_ko="AMZN, GOOGL, META, MSFT의 2024년(역년) 자본지출 합계(SEC XBRL, 역년 분기 기준).",
    sample=("2024-01-01", "2024-12-31"), units="USD bn", thresholds=Thresholds(rule="figure", claimed=230.0, tolerance=FIGURE_TOL), **_CAPEX_KW,
)  # fmt: skip
def f4_2_2024(store, asof):
    q = _capex(store, asof)
    v = _year_sum(q, 2024, (1, 2, 3, 4))
    by = {c: float(q.loc[[f"2024Q{i}" for i in range(1, 5)], c].sum()) for c in BIG4}
    return Evidence(v, v, v, 16, "2024-01-01", "2024-12-31", None, {f"capex_2024_{c}_usd_bn": x for c, x in by.items()}, _capex_chart(q))


@register(
    id="F4.2-growth", statement_en="Big-4 hyperscaler capex jumps from ~$230bn (2024) to ~$380bn (2025): about +65%.",
    statement_ko="4대 하이퍼스케일러 자본지출은 2024년 약 2,300억 달러에서 2025년 약 3,800억 달러로 약 65% 늘어난다.",
    short_en="Big-4 capex +65% in 2025", short_ko="4대 자본지출 2025 +65%",
    method_en="Growth of big-4 capex in Q1-Q3 2025 over Q1-Q3 2024 (Q4 2025 is after the data end), compared with 380/230 - 1 = 65%.",
    method_ko="2025년 1-3분기 4대 자본지출의 전년 동기 대비 증가율(2025년 4분기는 자료 이후), 380/230 - 1 = 65%와 비교.",
    sample=("2024-01-01", "2025-09-30"), units="percent growth", thresholds=Thresholds(rule="figure", claimed=65.2, tolerance=FIGURE_TOL), **_CAPEX_KW,
)  # fmt: skip
def f4_2_growth(store, asof):
    q = _capex(store, asof)
    a, b = _year_sum(q, 2024, (1, 2, 3)), _year_sum(q, 2025, (1, 2, 3))
    g = 100.0 * (b / a - 1.0)
    return Evidence(g, g, g, 24, "2024-01-01", "2025-09-30", None, {"q1q3_2024_usd_bn": a, "q1q3_2025_usd_bn": b, "annualised_2025_usd_bn": b * 4 / 3}, _capex_chart(q))


@register(
    id="F4.2-200bn", statement_en="Amazon, Meta, Google and Microsoft alone plan to invest more than $200bn in 2025.",
    statement_ko="아마존, 메타, 구글, 마이크로소프트 네 기업만 해도 2025년 2,000억 달러 이상을 투자할 계획이다.",
    short_en="Big-4 capex > $200bn in 2025", short_ko="4대 2025 자본지출 > 2000억$",
    method_en="Big-4 capex in Q1-Q3 2025 alone (a lower bound for the year) against $200bn.",
    method_ko="2025년 1-3분기 4대 자본지출만으로(연간의 하한) 2,000억 달러와 비교.",
    sample=("2025-01-01", "2025-09-30"), units="USD bn", thresholds=Thresholds(rule="figure", claimed=200.0, compare="at_least", tolerance=FIGURE_TOL), **_CAPEX_KW,
)  # fmt: skip
def f4_2_200(store, asof):
    q = _capex(store, asof)
    v = _year_sum(q, 2025, (1, 2, 3))
    return Evidence(v, v, v, 12, "2025-01-01", "2025-09-30", None, {"q1q3_2025_usd_bn": v}, _capex_chart(q))


@register(
    id="F4.2-NDX2000", seed="002", statement_en="After the 2000 peak the Nasdaq lost two-thirds of its value.",
    statement_ko="거품이 꺼지면서 나스닥은 시가총액의 3분의 2를 잃었다.",
    short_en="Nasdaq lost 2/3 after 2000", short_ko="2000년 이후 나스닥 2/3 손실",
    method_en="Nasdaq-100 peak close in 2000 to its lowest close through 2002 (the Composite is not in the data).",
    method_ko="나스닥100의 2000년 최고 종가부터 2002년까지의 최저 종가(종합지수는 자료에 없음).",
    series=("NDX",), sample=("2000-01-01", "2002-12-31"), units="percent", group="facts",
    thresholds=Thresholds(rule="figure", claimed=-66.7, tolerance=FIGURE_TOL),
)  # fmt: skip
def f4_2_ndx(store, asof):
    ndx = D.cut(store.series("NDX", asof=asof), "2000-01-01", "2002-12-31")
    if ndx.empty:
        raise ValueError("no NDX data for 2000-2002 at this asof")
    peak = ndx.loc[:"2000-12-31"].idxmax()
    trough = ndx.loc[peak:].idxmin()
    v = 100.0 * (float(ndx[trough]) / float(ndx[peak]) - 1.0)
    return Evidence(v, v, v, len(ndx), D.day(ndx.index[0]), D.day(ndx.index[-1]), None, {"peak_date": D.day(peak), "trough_date": D.day(trough)},
                    D.line_chart({"NDX": D.cut(store.series("NDX", asof=asof), "1998-01-01", "2004-12-31")}, y_title="index points"))  # fmt: skip


def _not_testable(store, asof) -> Evidence:
    nan = float("nan")
    return Evidence(nan, nan, nan, 0, "", "", None)


@register(
    id="F4.2-1999", seed="002", statement_en="US tech capex growth is approaching the 1999-2000 dot-com peak; 2025 data-centre capex ~$500bn (Dell'Oro).",
    statement_ko="미국 기술 산업의 자본지출 증가율은 1999~2000년 인터넷 거품의 정점에 근접; 2025년 데이터센터 자본지출 약 5,000억 달러(Dell'Oro).",
    short_en="Tech capex growth near the 1999-2000 peak", short_ko="기술 자본지출 증가율 1999-2000 정점 근접",
    method_en="Not testable with the shipped data: the capex panel starts in 2014 and there is no 1999-2000 tech-investment or Dell'Oro series.",
    method_ko="제공 자료로 검증 불가: 자본지출 패널은 2014년 시작이며 1999-2000년 기술투자나 Dell'Oro 자료가 없다.",
    series=(), sample=("1999-01-01", "2025-12-31"), units="-", group="facts", thresholds=Thresholds(rule="not_testable"),
)  # fmt: skip
def f4_2_1999(store, asof):
    return _not_testable(store, asof)


@register(
    id="F7.1", seed="003", statement_en="Berkshire has been a net seller 12 quarters in a row with $381.7bn cash; Chipotle -18%; households under $100k cut spending.",
    statement_ko="버크셔는 12분기 연속 순매도, 현금 3,817억 달러; 치폴레 -18%; 소득 10만 달러 이하 가구 소비 위축.",
    short_en="Berkshire, Chipotle, <$100k households", short_ko="버크셔·치폴레·저소득 가구",
    method_en="Not testable with the shipped data (no Berkshire filings, no CMG prices, no spending by income).",
    method_ko="제공 자료로 검증 불가(버크셔 공시, CMG 주가, 소득별 소비 자료 없음).",
    series=(), sample=("2022-01-01", "2025-12-31"), units="-", group="facts", thresholds=Thresholds(rule="not_testable"),
)  # fmt: skip
def f7_1(store, asof):
    return _not_testable(store, asof)


@register(
    id="F7.1-claims", seed="003", statement_en="Layoffs are at their worst in 20 years (checked with initial jobless claims as a proxy).",
    statement_ko="20년 만에 최악의 감원 수치(대리변수: 신규 실업수당 청구).",
    short_en="Worst layoffs in 20 years (claims proxy)", short_ko="20년 최악 감원(실업수당 대리)",
    method_en="Percentile of the latest 4-week average of initial claims (ICSA) within all 4-week averages of the previous 20 years; 'worst in 20 years' means the 100th percentile.",
    method_ko="최근 신규 실업수당 청구(ICSA) 4주 평균의 직전 20년 4주 평균 분포 내 백분위; '20년 최악'은 100분위.",
    series=("ICSA",), sample=("2005-11-01", None), units="percentile (0-100)", group="facts",
    thresholds=Thresholds(rule="figure", claimed=100.0, compare="at_least", tolerance=FIGURE_TOL),
    caveats=("The article means announced job cuts (Challenger), which are not in the data; claims measure actual filings.",),
)  # fmt: skip
def f7_1_claims(store, asof):
    icsa = store.series("ICSA", asof=asof)
    ma = icsa.rolling(4).mean().dropna()
    last = ma.index[-1]
    hist = ma.loc[last - pd.DateOffset(years=20) : last]
    pct = 100.0 * float((hist <= ma.iloc[-1]).mean())
    chart = D.line_chart({"icsa_4w_avg": D.cut(ma, "2015-01-01")}, y_title="claims a week")
    return Evidence(pct, pct, pct, len(hist), D.day(hist.index[0]), D.day(last), None, {"latest_4w_avg": float(ma.iloc[-1]), "max_20y": float(hist.max())}, chart)


# ------------------------------------------------------------------------------ M5.1 forced-selling order
EPISODES = (
    ("2022", "2022-01-03", "2022-10-12"),
    ("Aug 2024", "2024-07-16", "2024-08-05"),
    ("Apr 2025", "2025-04-02", "2025-04-08"),
    ("Nov 2025", "2025-10-28", "2025-11-14"),
)
"""Declared stress windows: S&P 500 closing peak to trough (Nov 2025: peak to the data end)."""
LOW_CONVICTION = ("BTC", "IGV")
OTHERS = ("SPX", "NDX", "IWM", "SMH", "GLD", "TLT")
RISK_ONLY = ("SPX", "NDX", "IWM", "SMH")  # sensitivity (added after the first run, reported in details only)
PEAK_LOOKBACK = 30  # trading days before the window start searched for each asset's peak


def _episode_table(store, asof) -> pd.DataFrame:
    spx = D.px(store, "SPX", asof, "2021-06-01")
    prices = {a: D.on_dates(store.series(a, asof=asof), spx.index) for a in (*LOW_CONVICTION, *OTHERS)}
    rows = []
    for label, start, end in EPISODES:
        i0 = int(spx.index.searchsorted(pd.Timestamp(start)))
        i1 = int(spx.index.searchsorted(pd.Timestamp(end), side="right")) - 1
        if i0 >= len(spx) or i1 <= i0:
            continue
        for a, p in prices.items():
            w = p.iloc[i0 : i1 + 1]
            look = p.iloc[max(i0 - PEAK_LOOKBACK, 0) : i1 + 1]
            rows.append({"episode": label, "asset": a, "ret": 100.0 * float(np.log(w.iloc[-1] / w.iloc[0])),
                         "peak_pos": int(np.argmax(look.to_numpy())), "start": D.day(spx.index[i0]), "end": D.day(spx.index[i1])})  # fmt: skip
    if not rows:
        raise ValueError("no declared stress episode has data at this asof")
    return pd.DataFrame(rows)


_FS_KW = dict(seed="001", series=("SPX", *LOW_CONVICTION, *OTHERS), sample=("2022-01-03", None), group="ai",
              caveats=("Four declared episodes: the interval is a Student-t across episodes (3 degrees of freedom).",
                       "Peaks earlier than 30 trading days before a window count as the first day of the lookback "
                       "(e.g. BTC's Nov 2021 peak for the 2022 episode), which favours 'fell first' for such assets."))  # fmt: skip


@register(
    id="M5.1-most", statement_en="In stress, low-conviction holdings (bitcoin, software) are sold hardest.",
    statement_ko="스트레스 국면에서 확신이 낮은 보유자산(비트코인, 소프트웨어)이 가장 크게 매도된다.",
    short_en="BTC and software fall most in stress", short_ko="스트레스 시 비트코인·소프트웨어 최대 하락",
    method_en="Per declared episode (2022, Aug 2024, Apr 2025, Nov 2025), mean log return of BTC and IGV minus the mean of SPX, NDX, IWM, SMH, GLD, TLT; averaged across episodes with a t interval.",
    method_ko="선언된 각 국면(2022, 2024년 8월, 2025년 4월, 2025년 11월)에서 BTC·IGV 평균 로그수익률 - SPX, NDX, IWM, SMH, GLD, TLT 평균; 국면 평균과 t 구간.",
    units="pp log return (BTC & IGV minus others)", thresholds=Thresholds(rule="effect", direction=-1, materiality=0.0), **_FS_KW,
)  # fmt: skip
def m5_1_most(store, asof):
    t = _episode_table(store, asof)
    low = t[t["asset"].isin(LOW_CONVICTION)].groupby("episode", sort=False)["ret"].mean()
    oth = t[t["asset"].isin(OTHERS)].groupby("episode", sort=False)["ret"].mean()
    diff = low - oth
    m, lo, hi, p = S.t_interval(diff.to_numpy())
    ret = t.pivot(index="asset", columns="episode", values="ret")
    rank = ret.rank(ascending=True)  # 1 = biggest loss
    chart = {"kind": "grouped_bar", "x": list(ret.columns), "series": {a: [D.clean_number(v, 3) for v in ret.loc[a]] for a in ret.index}, "y_title": "log return, %"}
    details = {f"diff_{k}": float(v) for k, v in diff.items()} | {f"rank_{a}_mean": float(rank.loc[a].mean()) for a in LOW_CONVICTION}
    risk = low - t[t["asset"].isin(RISK_ONLY)].groupby("episode", sort=False)["ret"].mean()
    rm, rlo, rhi, rp = S.t_interval(risk.to_numpy())
    details |= {"risk_only_effect": rm, "risk_only_ci_low": rlo, "risk_only_ci_high": rhi, "risk_only_p": rp}
    return Evidence(m, lo, hi, len(diff), t["start"].min(), t["end"].max(), p, details, chart)


@register(
    id="M5.1-first", statement_en="In stress, bitcoin and software are sold first (they peak before the rest).",
    statement_ko="스트레스 국면에서 비트코인과 소프트웨어가 먼저 매도된다(다른 자산보다 먼저 고점).",
    short_en="BTC and software fall first", short_ko="비트코인·소프트웨어 먼저 하락",
    method_en="Per declared episode, the trading day of each asset's highest close in the window plus 30 days before it; effect = mean peak day of the others minus that of BTC and IGV (positive = they peaked earlier); t interval across episodes.",
    method_ko="선언된 각 국면(시작 30일 전 포함)에서 자산별 최고 종가일; 효과 = 기타 자산 평균 고점일 - BTC·IGV 평균 고점일(양수 = 먼저 고점); 국면 간 t 구간.",
    units="trading days earlier", thresholds=Thresholds(rule="effect", direction=1, materiality=0.0), **_FS_KW,
)  # fmt: skip
def m5_1_first(store, asof):
    t = _episode_table(store, asof)
    low = t[t["asset"].isin(LOW_CONVICTION)].groupby("episode", sort=False)["peak_pos"].mean()
    oth = t[t["asset"].isin(OTHERS)].groupby("episode", sort=False)["peak_pos"].mean()
    lead = oth - low
    m, lo, hi, p = S.t_interval(lead.to_numpy())
    chart = D.bar_chart({k: float(v) for k, v in lead.items()}, y_title="days BTC & IGV peaked earlier")
    risk = t[t["asset"].isin(RISK_ONLY)].groupby("episode", sort=False)["peak_pos"].mean() - low
    rm, rlo, rhi, rp = S.t_interval(risk.to_numpy())
    details = {f"lead_{k}": float(v) for k, v in lead.items()} | {"risk_only_effect": rm, "risk_only_ci_low": rlo, "risk_only_ci_high": rhi, "risk_only_p": rp}
    return Evidence(m, lo, hi, len(lead), t["start"].min(), t["end"].max(), p, details, chart,
                    ("GLD and TLT are havens that often rise in stress, which pushes the comparison set's peaks later; "
                     "against risk assets only (SPX, NDX, IWM, SMH) the lead is in details (risk_only_*), reported as a "
                     "sensitivity added after the first run, not as the verdict.",))  # fmt: skip


# ------------------------------------------------------------------------------ M4.4 the sell-off week (003)
def _move(store, asof, ticker: str, start: str, end: str) -> Evidence:
    p = store.series(ticker, asof=asof)
    a, b = p.loc[: pd.Timestamp(start)], p.loc[: pd.Timestamp(end)]
    if a.empty or b.empty or b.index[-1] <= pd.Timestamp(start):
        raise ValueError(f"{ticker} has no data for {start}..{end} at this asof")
    v = 100.0 * (float(b.iloc[-1]) / float(a.iloc[-1]) - 1.0)
    win = p.loc[a.index[-1] : b.index[-1]]
    low = 100.0 * (float(win.min()) / float(a.iloc[-1]) - 1.0)
    chart = D.line_chart({f"{ticker}_rebased": 100 * win / win.iloc[0]}, y_title="index (100 = start)", weekly=False)
    return Evidence(v, v, v, len(win), D.day(a.index[-1]), D.day(b.index[-1]), None, {"worst_close_in_window_pct": low}, chart,
                    ("Closing prices; the article's figures may use intraday or different start dates.",))  # fmt: skip


_M44_KW = dict(seed="003", group="facts", units="percent (price return)")


@register(
    id="M4.4-NVDA", statement_en="Nvidia fell 7% last week (the week before the article, WSJ).",
    statement_ko="지난주 엔비디아는 7% 하락했다(월스트리트저널).",
    short_en="NVDA -7% in the week", short_ko="엔비디아 주간 -7%",
    method_en="NVDA close on 2025-10-31 to the close on 2025-11-07 (the week before the article of 2025-11-13).",
    method_ko="NVDA 2025-10-31 종가부터 2025-11-07 종가까지(2025-11-13 기사 직전 주).",
    series=("NVDA",), sample=("2025-10-31", "2025-11-07"), thresholds=Thresholds(rule="figure", claimed=-7.0, tolerance=FIGURE_TOL), **_M44_KW,
)  # fmt: skip
def m4_4_nvda(store, asof):
    return _move(store, asof, "NVDA", "2025-10-31", "2025-11-07")


@register(
    id="M4.4-META", statement_en="Meta plunged 17% despite a solid third quarter.",
    statement_ko="메타 플랫폼스는 견고한 3분기 실적에도 불구하고 17% 급락했다.",
    short_en="META -17% after Q3 results", short_ko="메타 3분기 실적 후 -17%",
    method_en="META close on 2025-10-29 (results released after that close) to the close on 2025-11-07; the worst close in the window is in details.",
    method_ko="META 2025-10-29 종가(실적은 장 마감 후 발표)부터 2025-11-07 종가까지; 구간 최저 종가는 상세에.",
    series=("META",), sample=("2025-10-29", "2025-11-07"), thresholds=Thresholds(rule="figure", claimed=-17.0, tolerance=FIGURE_TOL), **_M44_KW,
)  # fmt: skip
def m4_4_meta(store, asof):
    return _move(store, asof, "META", "2025-10-29", "2025-11-07")


@register(
    id="M4.4-PLTR", statement_en="Palantir, past a P/E of 250, corrected 8%.",
    statement_ko="팔란티어는 주가수익비율 250배를 돌파한 뒤 8% 조정을 받았다.",
    short_en="PLTR -8% correction", short_ko="팔란티어 -8% 조정",
    method_en="PLTR close on 2025-10-31 to the close on 2025-11-07 (same week as the Nvidia figure); the P/E is not testable (no earnings data).",
    method_ko="PLTR 2025-10-31 종가부터 2025-11-07 종가까지(엔비디아와 같은 주); 주가수익비율은 이익 자료가 없어 검증 불가.",
    series=("PLTR",), sample=("2025-10-31", "2025-11-07"), thresholds=Thresholds(rule="figure", claimed=-8.0, tolerance=FIGURE_TOL), **_M44_KW,
)  # fmt: skip
def m4_4_pltr(store, asof):
    return _move(store, asof, "PLTR", "2025-10-31", "2025-11-07")
