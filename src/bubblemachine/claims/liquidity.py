"""Liquidity claims: net liquidity and assets (C2.1), shutdowns (C1.1), TGA rebuilds (M1.2).

Net liquidity = WALCL - WTREGEN - RRPONTSYD (USD billions, weekly H.4.1 Wednesdays), from
:func:`bubblemachine.indicators.liquidity.net_liquidity`. Weekly asset returns are log
returns between the closes on or before consecutive Wednesdays. Event windows are dates and
calendar weeks; the random-window benchmark draws windows of the same calendar span.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bubblemachine.claims import charts as G
from bubblemachine.claims import inputs as D
from bubblemachine.claims import stats as S
from bubblemachine.claims.registry import Evidence, NotTestableYet, Thresholds, Window, register

NL_START = "2010-01-01"
BTC_START = "2015-01-01"
CRYPTO_START = "2017-11-15"  # ETH's weekly history is complete from here
RRP_DRAINED = "2025-01-01"  # declared break: ON RRP below ~$250bn outside quarter ends from early 2025
CORR_MATERIALITY = 0.10
SHUTDOWNS = (("2018-19", "2018-12-22", "2019-01-25"), ("2025", "2025-10-01", "2025-11-12"))
REOPEN_DAYS = 28  # "the weeks after a shutdown ends": four calendar weeks after each reopening
DEBT_DEALS = (("2023-06", "2023-06-03", "2023-08-31"), ("2025-07", "2025-07-04", "2025-09-30"))
"""TGA rebuilds after the Fiscal Responsibility Act (2023-06-03) and the One Big Beautiful Bill Act (2025-07-04)."""
EVENT_MARGIN_DAYS = 91  # random windows may not start within 13 weeks before an event window
SENSITIVITY_ASSETS = ("BTC", "ETH", "NDX", "SPX", "IWM", "IGV", "SMH", "GLD", "TLT")
AI_BASKET = ("NVDA", "MSFT", "META", "GOOGL", "AMZN", "AAPL", "TSLA", "AVGO")
NL_SERIES = ("WALCL", "WTREGEN", "RRPONTSYD")
CORR_UNITS = ("correlation (weekly)", "상관계수(주간)")


def _comove(ctx, asset: str, start: str) -> Evidence:
    panel = D.weekly_panel(ctx, [asset], start).dropna()
    boot = S.block_bootstrap(panel[["dnl", asset]].to_numpy(), S.corr_stat, seed=ctx.seed)
    fit = S.hac_ols(panel[asset], panel["dnl"])
    nl = D.cut(D.net_liquidity(ctx), start)
    level = D.on_dates(ctx.series(asset), nl.index)
    chart = G.line_chart({"net_liquidity_rebased": 100 * nl / nl.iloc[0], f"{asset}_rebased": 100 * level / level.iloc[0]}, y_title="index (100 = start)")
    chart["log_y"] = True
    return Evidence(
        boot.estimate, boot.ci_low, boot.ci_high, len(panel), D.day(panel.index[0]), D.day(panel.index[-1]), boot.p_value,
        {"beta_pct_per_100bn": fit.params["dnl"], "beta_ci_low": fit.ci_low["dnl"], "beta_ci_high": fit.ci_high["dnl"],
         "beta_p_hac": fit.pvalues["dnl"], "hac_lags": fit.lags, "block": boot.block},
        chart,
    )  # fmt: skip


_COMOVE_KW = dict(
    seed="004",
    units=CORR_UNITS[0], units_ko=CORR_UNITS[1],
    thresholds=Thresholds(rule="effect", direction=1, materiality=CORR_MATERIALITY),
    group="liquidity",
    caveats=("Correlation of weekly changes, not levels: level correlations of trending series are spurious.",),
)  # fmt: skip


@register(
    id="C2.1", statement_en="Net liquidity (Fed assets - TGA - reverse repo) co-moves with equities (S&P 500).",
    statement_ko="순유동성(연준 총자산 - 재무부 일반계정 - 역레포)은 주식(S&P 500)과 함께 움직인다",
    short_en="Net liquidity co-moves with SPX", short_ko="순유동성과 S&P 500의 동행",
    method_en="Correlation of weekly changes in net liquidity with weekly S&P 500 log returns, 2010 onward; moving-block bootstrap CI.",
    method_ko="2010년 이후 순유동성의 주간 변화와 S&P 500의 주간 로그수익률 사이의 상관계수를 구하고, 이동 블록 부트스트랩으로 95% 신뢰구간을 계산했습니다.",
    series=(*NL_SERIES, "SPX"), window=Window.open(NL_START), **_COMOVE_KW,
)  # fmt: skip
def c2_1_spx(ctx):
    return _comove(ctx, "SPX", NL_START)


@register(
    id="C2.1-NDX", statement_en="Net liquidity co-moves with the Nasdaq-100.",
    statement_ko="순유동성은 나스닥100 지수와 함께 움직인다",
    short_en="Net liquidity co-moves with NDX", short_ko="순유동성과 나스닥100의 동행",
    method_en="Correlation of weekly changes in net liquidity with weekly Nasdaq-100 log returns, 2010 onward; block bootstrap CI.",
    method_ko="2010년 이후 순유동성의 주간 변화와 나스닥100 지수의 주간 로그수익률 사이의 상관계수를 구하고, 블록 부트스트랩으로 신뢰구간을 계산했습니다.",
    series=(*NL_SERIES, "NDX"), window=Window.open(NL_START), **_COMOVE_KW,
)  # fmt: skip
def c2_1_ndx(ctx):
    return _comove(ctx, "NDX", NL_START)


@register(
    id="C2.1-BTC", statement_en="Net liquidity co-moves with crypto (bitcoin).",
    statement_ko="순유동성은 암호화폐(비트코인)와 함께 움직인다",
    short_en="Net liquidity co-moves with BTC", short_ko="순유동성과 비트코인의 동행",
    method_en="Correlation of weekly changes in net liquidity with weekly bitcoin log returns, 2015 onward; block bootstrap CI.",
    method_ko="2015년 이후 순유동성의 주간 변화와 비트코인의 주간 로그수익률 사이의 상관계수를 구하고, 블록 부트스트랩으로 신뢰구간을 계산했습니다.",
    series=(*NL_SERIES, "BTC"), window=Window.open(BTC_START), **_COMOVE_KW,
)  # fmt: skip
def c2_1_btc(ctx):
    return _comove(ctx, "BTC", BTC_START)


@register(
    id="C2.1-lead", seed="004",
    statement_en="Liquidity leads prices: this week's change in net liquidity predicts next week's S&P 500 return.",
    statement_ko="유동성은 가격보다 앞서 움직이며, 이번 주 순유동성 변화가 다음 주 S&P 500 수익률을 예측한다",
    short_en="Net liquidity leads SPX by a week", short_ko="S&P 500에 대한 순유동성의 1주 선행",
    method_en="Correlation of ΔNetLiq in week t-1 with the S&P 500 return in week t (lag 1), 2010 onward; block bootstrap CI; lags -4..4 charted.",
    method_ko="2010년 이후 자료로 t-1주의 순유동성 변화와 t주의 S&P 500 수익률 사이의 상관계수(시차 1주)를 구하고, 블록 부트스트랩으로 신뢰구간을 계산했습니다. 차트는 시차 -4주부터 4주까지의 상관계수를 보여 줍니다.",
    series=(*NL_SERIES, "SPX"), window=Window.open(NL_START), units="correlation (weekly, lag 1)", units_ko="상관계수(주간, 시차 1주)",
    thresholds=Thresholds(rule="effect", direction=1, materiality=CORR_MATERIALITY), group="liquidity",
)  # fmt: skip
def c2_1_lead(ctx):
    panel = D.weekly_panel(ctx, ["SPX"], NL_START)
    both = pd.DataFrame({"x": S.lagged(panel["dnl"], 1), "y": panel["SPX"]}).dropna()
    boot = S.block_bootstrap(both.to_numpy(), S.corr_stat, seed=ctx.seed)
    ll = S.lead_lag(panel["dnl"], panel["SPX"], max_lag=4)
    chart = G.bar_chart({str(k): v for k, v in ll["corr"].items()}, y_title="corr(ΔNetLiq[t-k], SPX[t])")
    return Evidence(boot.estimate, boot.ci_low, boot.ci_high, len(both), D.day(both.index[0]), D.day(both.index[-1]), boot.p_value,
                    {f"corr_lag{k}": float(v) for k, v in ll["corr"].items()} | {"beta_lag1_p_hac": float(ll.loc[1, "p"])}, chart)  # fmt: skip


@register(
    id="C2.1-break", seed="001",
    statement_en="Once the reverse-repo buffer is drained (2025), net liquidity moves hit equities harder (slack funding exhausted).",
    statement_ko="역레포 완충 자금이 소진된 뒤(2025년)에는 순유동성 변화가 주식에 더 크게 작용한다(여유 자금 고갈)",
    short_en="Stronger liquidity beta after RRP drained", short_ko="역레포 소진 후 유동성 민감도 상승",
    method_en="Weekly S&P 500 return on ΔNetLiq (per $100bn) with a slope change from the declared date 2025-01-01; HAC (Newey-West) test of the slope difference and a Chow test.",
    method_ko="S&P 500 주간 수익률을 순유동성 변화(1,000억 달러 단위)에 회귀하고, 미리 정한 2025-01-01 이후의 기울기 변화를 HAC(뉴이-웨스트) 검정과 Chow 검정으로 확인했습니다.",
    series=(*NL_SERIES, "SPX"), window=Window.open("2015-01-01"), units="% SPX weekly return per $100bn (post minus pre)",
    units_ko="S&P 500 주간 수익률(%, 1,000억 달러당, 이후 - 이전)",
    thresholds=Thresholds(rule="effect", direction=1, materiality=0.0), group="liquidity",
)  # fmt: skip
def c2_1_break(ctx):
    panel = D.weekly_panel(ctx, ["SPX"], "2015-01-01").dropna()
    br = S.break_test(panel["SPX"], panel["dnl"], RRP_DRAINED)
    rrp = ctx.series("RRPONTSYD", "2015-01-01")
    chart = G.line_chart({"on_rrp_usd_bn": rrp}, y_title="USD bn")
    caveats = (f"The post-break sample has {br.n_post} weeks ({RRP_DRAINED}..{D.day(panel.index[-1])}).",)
    return Evidence(br.diff, br.diff_ci_low, br.diff_ci_high, br.n_pre + br.n_post, D.day(panel.index[0]), D.day(panel.index[-1]), br.diff_p,
                    {"slope_pre": br.slope_pre, "slope_post": br.slope_post, "chow_f": br.chow_f, "chow_p": br.chow_p,
                     "n_pre": br.n_pre, "n_post": br.n_post, "hac_lags": br.lags, "break_date": RRP_DRAINED}, chart, caveats)  # fmt: skip


def _betas(a: np.ndarray) -> np.ndarray:
    """OLS slopes of columns 1.. on column 0 for arrays (B, n, k): returns (B, k-1)."""
    x = a[..., 0] - a[..., 0].mean(axis=-1, keepdims=True)
    y = a[..., 1:] - a[..., 1:].mean(axis=-2, keepdims=True)
    return (x[..., None] * y).sum(-2) / (x * x).sum(-1)[..., None]


@register(
    id="C2.1-crypto", seed="001",
    statement_en="Crypto is the most liquidity-sensitive asset.",
    statement_ko="암호화폐는 유동성에 가장 민감한 자산이다",
    short_en="Crypto most liquidity-sensitive", short_ko="유동성 민감도 1위는 암호화폐",
    method_en="Betas of weekly log returns on ΔNetLiq (per $100bn) for BTC, ETH, NDX, SPX, IWM, IGV, SMH, GLD, TLT since Nov 2017; effect = BTC beta minus the largest non-crypto beta; joint block bootstrap for the CI and the rank.",
    method_ko="2017년 11월 이후 BTC, ETH, NDX, SPX, IWM, IGV, SMH, GLD, TLT의 주간 로그수익률을 순유동성 변화(1,000억 달러당)에 회귀해 베타를 추정했습니다. 효과는 BTC의 베타에서 비암호화폐 자산 가운데 가장 큰 베타를 뺀 값이며, 신뢰구간과 순위는 공동 블록 부트스트랩으로 구했습니다.",
    series=(*NL_SERIES, *SENSITIVITY_ASSETS), window=Window.open(CRYPTO_START),
    units="% weekly return per $100bn (BTC minus best non-crypto)", units_ko="주간 수익률(%, 1,000억 달러당, BTC - 비암호화폐 최댓값)",
    thresholds=Thresholds(rule="effect", direction=1, materiality=0.0), group="liquidity",
    caveats=("Raw betas: crypto's higher volatility raises its beta even at equal correlation (correlations in details).",),
)  # fmt: skip
def c2_1_crypto(ctx):
    panel = D.weekly_panel(ctx, SENSITIVITY_ASSETS, CRYPTO_START).dropna()
    arr = panel[["dnl", *SENSITIVITY_ASSETS]].to_numpy()
    non_crypto = [i for i, a in enumerate(SENSITIVITY_ASSETS) if a not in ("BTC", "ETH")]

    def stat(a: np.ndarray) -> np.ndarray:
        b = _betas(a)
        return b[..., 0] - b[..., non_crypto].max(axis=-1)

    boot = S.block_bootstrap(arr, stat, seed=ctx.seed)
    idx = S.block_indices(len(arr), 1000, seed=ctx.seed.spawn(1)[0])
    bdraw = _betas(arr[idx])
    ranks = (-bdraw).argsort(axis=1).argsort(axis=1) + 1  # 1 = largest beta
    point = _betas(arr[None])[0]
    lo, hi = np.quantile(bdraw, [0.025, 0.975], axis=0)
    details = {f"beta_{a}": float(point[i]) for i, a in enumerate(SENSITIVITY_ASSETS)}
    details |= {f"corr_{a}": float(panel["dnl"].corr(panel[a])) for a in SENSITIVITY_ASSETS}
    details |= {"p_btc_rank1": float(np.mean(ranks[:, 0] == 1)), "btc_rank_ci_low": float(np.quantile(ranks[:, 0], 0.025)),
                "btc_rank_ci_high": float(np.quantile(ranks[:, 0], 0.975)), "p_crypto_top2": float(np.mean(np.minimum(ranks[:, 0], ranks[:, 1]) <= 2))}  # fmt: skip
    for i, a in enumerate(SENSITIVITY_ASSETS):  # bootstrap 95% interval of each asset's rank (1 = largest beta)
        details[f"rank_{a}_ci"] = f"{np.quantile(ranks[:, i], 0.025):.0f}-{np.quantile(ranks[:, i], 0.975):.0f}"
    vols = panel[list(SENSITIVITY_ASSETS)].std().to_numpy()
    rho, p_rho, _ = S.rank_corr(point, vols)
    details |= {"spearman_beta_vs_vol": rho, "spearman_beta_vs_vol_p": p_rho}
    chart = G.bar_chart(dict(zip(SENSITIVITY_ASSETS, point, strict=True)), y_title="% per $100bn",
                        low=dict(zip(SENSITIVITY_ASSETS, lo, strict=True)), high=dict(zip(SENSITIVITY_ASSETS, hi, strict=True)))  # fmt: skip
    return Evidence(boot.estimate, boot.ci_low, boot.ci_high, len(panel), D.day(panel.index[0]), D.day(panel.index[-1]), boot.p_value, details, chart)


# ------------------------------------------------------------------------- event windows on weekly NL
def nl_window_test(ctx, windows, *, after_days: int | None = None) -> Evidence:
    """Net-liquidity change over declared date windows against same-span random windows.

    Each window runs from the last H.4.1 reading on or before its start to the last on or
    before its end; with ``after_days`` it runs from the last reading on or before the end to
    the last on or before the end plus ``after_days`` calendar days (a window counts only
    once data reach its end). Random windows: same calendar span, from 2010, none starting
    within 13 weeks before an event window.
    """
    nl = D.cut(D.net_liquidity(ctx), NL_START)
    dates = nl.index
    vals = nl.to_numpy()
    idx, labels = [], []
    for label, start, end in windows:
        if after_days is None:
            a, b = pd.Timestamp(start), pd.Timestamp(end)
        else:
            a, b = pd.Timestamp(end), pd.Timestamp(end) + pd.Timedelta(days=after_days)
        if not ctx.covers(b, NL_SERIES):
            continue  # the window is not fully observed at this as-of
        i0 = int(dates.searchsorted(a, side="right")) - 1
        i1 = int(dates.searchsorted(b, side="right")) - 1
        if i0 < 0 or i1 <= i0:
            continue
        idx.append((i0, i1))
        labels.append(label)
    if not idx:
        raise NotTestableYet(f"no declared window is fully observed at this date (net liquidity ends {D.day(dates[-1])})")
    day_idx = dates.values.astype("datetime64[D]")
    exclude = [(int(np.searchsorted(day_idx, day_idx[a] - np.timedelta64(EVENT_MARGIN_DAYS, "D"))), b) for a, b in idx]
    effect, lo, hi, p, _ = S.random_window_test(lambda s, e: vals[e] - vals[s], len(vals), idx, seed=ctx.seed, exclude=exclude, dates=dates)
    details = {f"dNL_{lab}_usd_bn": float(vals[b] - vals[a]) for lab, (a, b) in zip(labels, idx, strict=True)}
    tga = ctx.series("WTREGEN") / 1000.0
    for lab, (a, b) in zip(labels, idx, strict=True):
        details[f"dTGA_{lab}_usd_bn"] = float(tga.get(dates[b], np.nan) - tga.get(dates[a], np.nan))
        details[f"window_{lab}"] = f"{D.day(dates[a])}..{D.day(dates[b])}"
    lo_d = dates[max(idx[0][0] - 26, 0)]
    hi_d = dates[min(idx[-1][1] + 8, len(dates) - 1)]
    chart = G.line_chart({"net_liquidity_usd_bn": nl.loc[lo_d:hi_d], "tga_usd_bn": tga.loc[lo_d:hi_d]}, y_title="USD bn", weekly=False)
    chart["shade"] = [[D.day(dates[a]), D.day(dates[b])] for a, b in idx]
    caveats = [f"{len(idx)} event window{'s' if len(idx) > 1 else ''}: the interval is the spread of random windows, wide by construction."]
    if len(idx) < len(windows):
        missing = [lab for lab, *_ in windows if lab not in labels]
        caveats.append(f"Only {len(idx)} of {len(windows)} declared windows are fully observed (net liquidity ends {D.day(dates[-1])}; "
                       f"not yet: {', '.join(missing)}).")  # fmt: skip
    return Evidence(effect, lo, hi, len(idx), D.day(dates[idx[0][0]]), D.day(dates[idx[-1][1]]), p, details, chart, tuple(caveats))


def event_car(ctx, returns: pd.Series, events, market: pd.Series | None) -> Evidence:
    """Mean CAR over declared event windows (events not started at as-of: not testable yet)."""
    last = returns.index[-1] if len(returns) else None
    started = [(lab, s, e) for lab, s, e in events if last is not None and pd.Timestamp(s) <= last]
    if not started:
        raise NotTestableYet("no declared event has started at this date")
    ev = S.event_study(returns, started, market=market)
    chart = G.bar_chart(ev.car, y_title="CAR", low={k: ev.car[k] - 1.96 * ev.car_se[k] for k in ev.car},
                        high={k: ev.car[k] + 1.96 * ev.car_se[k] for k in ev.car})  # fmt: skip
    caveats = [f"{ev.n_events} event{'s' if ev.n_events > 1 else ''}: the interval is wide by construction."]
    if ev.n_events < len(events):
        caveats.append(f"Only {ev.n_events} of {len(events)} declared events have data at this date.")
    return Evidence(ev.mean_car, ev.ci_low, ev.ci_high, ev.n_events, ev.first_day, ev.last_day, ev.p_value,
                    {f"car_{k}": v for k, v in ev.car.items()} | {"event_days": ev.n_obs}, chart, tuple(caveats))  # fmt: skip


_NL_EVENT_METHOD = " Effect = mean ΔNetLiq over the declared windows minus the mean over random windows of the same calendar span (2010 onward, events excluded); the interval is the random-window spread."
_NL_EVENT_METHOD_KO = " 효과는 선언된 구간의 평균 순유동성 변화에서 같은 달력 길이의 무작위 구간(2010년 이후, 사건 전후 제외)의 평균 변화를 뺀 값이며, 신뢰구간은 무작위 구간의 분포에서 구했습니다."
_NL_UNITS = dict(units="USD bn (vs random windows)", units_ko="십억 달러(무작위 구간 대비)")


@register(
    id="C1.1a", seed="000",
    statement_en="Government shutdowns drain net liquidity (the TGA piles up).",
    statement_ko="정부 셧다운은 순유동성을 줄인다(재무부 일반계정에 현금이 쌓인다)",
    short_en="Shutdowns drain net liquidity", short_ko="셧다운에 따른 순유동성 감소",
    method_en="Net-liquidity change over the 2018-12-22..2019-01-25 and 2025-10-01..2025-11-12 shutdowns." + _NL_EVENT_METHOD,
    method_ko="2018-12-22~2019-01-25와 2025-10-01~2025-11-12 두 차례 셧다운 기간의 순유동성 변화를 측정했습니다." + _NL_EVENT_METHOD_KO,
    series=NL_SERIES, window=Window.fixed(NL_START, "2025-11-12"), **_NL_UNITS,
    thresholds=Thresholds(rule="effect", direction=-1, materiality=0.0), group="liquidity",
)  # fmt: skip
def c1_1a(ctx):
    return nl_window_test(ctx, SHUTDOWNS)


@register(
    id="C1.1b", seed="000",
    statement_en="AI stocks underperform during shutdowns.",
    statement_ko="셧다운 기간에는 AI 주식이 부진하다",
    short_en="AI stocks lag during shutdowns", short_ko="셧다운 중 AI주 부진",
    method_en="Event study: cumulative abnormal log return of the equal-weight mega-cap AI basket (NVDA, MSFT, META, GOOGL, AMZN, AAPL, TSLA, AVGO) against an S&P 500 market model (estimated over business days -260..-11) over each shutdown.",
    method_ko="사건연구입니다. 대형 AI 바스켓(NVDA, MSFT, META, GOOGL, AMZN, AAPL, TSLA, AVGO 동일가중)의 셧다운 기간 누적초과수익률을 S&P 500 시장모형(추정 구간은 영업일 기준 -260일~-11일)으로 계산했습니다.",
    series=("SPX", *AI_BASKET), window=Window.fixed("2017-01-01", "2025-11-12"), units="CAR (log return)", units_ko="누적초과수익률(로그)",
    thresholds=Thresholds(rule="effect", direction=-1, materiality=0.0), group="liquidity",
    caveats=("The basket is equal-weight, not cap-weight.",),
)  # fmt: skip
def c1_1b(ctx):
    r = D.basket_returns(ctx, AI_BASKET, "2017-01-01")
    m = S.log_returns(ctx.series("SPX", "2017-01-01"))
    return event_car(ctx, r, SHUTDOWNS, m)


@register(
    id="C1.1c", seed="000",
    statement_en="The weeks after a shutdown ends see a liquidity rebound.",
    statement_ko="셧다운이 끝난 뒤 몇 주 동안 유동성이 반등한다",
    short_en="Liquidity rebounds after reopening", short_ko="셧다운 해제 후 유동성 반등",
    method_en="Net-liquidity change over the 4 calendar weeks (28 days) after each reopening (2019-01-25, 2025-11-12)." + _NL_EVENT_METHOD,
    method_ko="각 셧다운 해제일(2019-01-25, 2025-11-12) 이후 4주(28일) 동안의 순유동성 변화를 측정했습니다." + _NL_EVENT_METHOD_KO,
    series=NL_SERIES, window=Window.fixed(NL_START, "2025-12-10"), **_NL_UNITS,
    thresholds=Thresholds(rule="effect", direction=1, materiality=0.0), group="liquidity",
)  # fmt: skip
def c1_1c(ctx):
    return nl_window_test(ctx, SHUTDOWNS, after_days=REOPEN_DAYS)


@register(
    id="M1.2-TGA", seed="001",
    statement_en="TGA rebuilds after debt-ceiling deals drain net liquidity.",
    statement_ko="부채한도 합의 뒤 재무부 일반계정(TGA)을 다시 채우는 과정은 순유동성을 줄인다",
    short_en="TGA rebuilds drain liquidity", short_ko="TGA 재건에 따른 유동성 감소",
    method_en="Net-liquidity change from each deal to the declared window end (2023-06-03..2023-08-31, 2025-07-04..2025-09-30)." + _NL_EVENT_METHOD,
    method_ko="각 합의일부터 선언된 구간 끝까지(2023-06-03~2023-08-31, 2025-07-04~2025-09-30)의 순유동성 변화를 측정했습니다." + _NL_EVENT_METHOD_KO,
    series=NL_SERIES, window=Window.fixed(NL_START, "2025-09-30"), **_NL_UNITS,
    thresholds=Thresholds(rule="effect", direction=-1, materiality=0.0), group="liquidity",
    caveats=("RRP drawdowns offset part of the TGA rebuild (that is part of the test).",),
)  # fmt: skip
def m1_2_tga(ctx):
    return nl_window_test(ctx, DEBT_DEALS)


@register(
    id="M1.2-TGA-SPX", seed="001",
    statement_en="TGA rebuilds after debt-ceiling deals hurt risk assets (S&P 500).",
    statement_ko="부채한도 합의 뒤의 TGA 재건은 위험자산(S&P 500)에 악재다",
    short_en="TGA rebuilds hurt SPX", short_ko="TGA 재건이 S&P 500에 주는 악영향",
    method_en="Event study: S&P 500 cumulative log return over each TGA-rebuild window minus its mean over business days -260..-11 (mean model).",
    method_ko="사건연구입니다. 각 TGA 재건 구간의 S&P 500 누적 로그수익률에서 추정 구간(영업일 기준 -260일~-11일)의 평균 수익률을 뺐습니다(평균 모형).",
    series=("SPX",), window=Window.fixed("2022-01-01", "2025-09-30"), units="CAR (log return)", units_ko="누적초과수익률(로그)",
    thresholds=Thresholds(rule="effect", direction=-1, materiality=0.0), group="liquidity",
)  # fmt: skip
def m1_2_tga_spx(ctx):
    r = S.log_returns(ctx.series("SPX", "2022-01-01"))
    return event_car(ctx, r, DEBT_DEALS, None)
