"""Liquidity claims: net liquidity and assets (C2.1), shutdowns (C1.1), TGA rebuilds (M1.2).

Net liquidity = WALCL - WTREGEN - RRPONTSYD (USD billions, weekly H.4.1 Wednesdays), from
:func:`bubblemachine.indicators.liquidity.net_liquidity`. Weekly asset returns are log
returns between the closes on or before consecutive Wednesdays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bubblemachine.claims import _data as D
from bubblemachine.claims import stats as S
from bubblemachine.claims.registry import CLAIMS, Evidence, Thresholds, register

NL_START = "2010-01-01"
BTC_START = "2015-01-01"
CRYPTO_START = "2017-11-15"  # ETH's weekly history is complete from here
RRP_DRAINED = "2025-01-01"  # declared break: ON RRP below ~$250bn outside quarter ends from early 2025
CORR_MATERIALITY = 0.10
SHUTDOWNS = (("2018-19", "2018-12-22", "2019-01-25"), ("2025", "2025-10-01", "2025-11-12"))
REOPEN_WEEKS = 4
DEBT_DEALS = (("2023-06 FRA", "2023-06-03", "2023-08-31"), ("2025-07 OBBBA", "2025-07-04", "2025-09-30"))
SENSITIVITY_ASSETS = ("BTC", "ETH", "NDX", "SPX", "IWM", "IGV", "SMH", "GLD", "TLT")
AI_BASKET = ("NVDA", "MSFT", "META", "GOOGL", "AMZN", "AAPL", "TSLA", "AVGO")


def corr_stat(a: np.ndarray) -> np.ndarray:
    """Pearson correlation of columns 0 and 1 for arrays (B, n, 2)."""
    x = a[..., 0] - a[..., 0].mean(axis=-1, keepdims=True)
    y = a[..., 1] - a[..., 1].mean(axis=-1, keepdims=True)
    return (x * y).sum(-1) / np.sqrt((x * x).sum(-1) * (y * y).sum(-1))


def _comove(store, asof, asset: str, start: str, claim_id: str) -> Evidence:
    panel = D.weekly_panel(store, asof, [asset], start).dropna()
    boot = S.block_bootstrap(panel[["dnl", asset]].to_numpy(), corr_stat, seed=CLAIMS[claim_id].rng_seed)
    fit = S.hac_ols(panel[asset], panel["dnl"])
    nl = D.cut(D.net_liquidity(store, asof), start)
    level = D.on_dates(store.series(asset, asof=asof), nl.index)
    chart = D.line_chart({"net_liquidity_rebased": 100 * nl / nl.iloc[0], f"{asset}_rebased": 100 * level / level.iloc[0]}, y_title="index (100 = start)")
    chart["log_y"] = True
    return Evidence(
        boot.estimate, boot.ci_low, boot.ci_high, len(panel), D.day(panel.index[0]), D.day(panel.index[-1]), boot.p_value,
        {"beta_pct_per_100bn": fit.params["dnl"], "beta_ci_low": fit.ci_low["dnl"], "beta_ci_high": fit.ci_high["dnl"],
         "beta_p_hac": fit.pvalues["dnl"], "hac_lags": fit.lags, "block": boot.block},
        chart,
    )  # fmt: skip


_COMOVE_KW = dict(
    seed="004",
    units="correlation (weekly)",
    thresholds=Thresholds(rule="effect", direction=1, materiality=CORR_MATERIALITY),
    group="liquidity",
    caveats=("Correlation of weekly changes, not levels: level correlations of trending series are spurious.",),
)


@register(
    id="C2.1", statement_en="Net liquidity (Fed assets - TGA - reverse repo) co-moves with equities (S&P 500).",
    statement_ko="순유동성(연준 자산 - TGA - 역레포)은 주식(S&P 500)과 함께 움직인다.",
    short_en="Net liquidity co-moves with SPX", short_ko="순유동성-S&P500 동조",
    method_en="Correlation of weekly changes in net liquidity with weekly S&P 500 log returns, 2010 onward; moving-block bootstrap CI.",
    method_ko="2010년 이후 순유동성 주간 변화와 S&P 500 주간 로그수익률의 상관계수, 이동블록 부트스트랩 신뢰구간.",
    series=("WALCL", "WTREGEN", "RRPONTSYD", "SPX"), sample=(NL_START, None), **_COMOVE_KW,
)  # fmt: skip
def c2_1_spx(store, asof):
    return _comove(store, asof, "SPX", NL_START, "C2.1")


@register(
    id="C2.1-NDX", statement_en="Net liquidity co-moves with the Nasdaq-100.",
    statement_ko="순유동성은 나스닥100과 함께 움직인다.",
    short_en="Net liquidity co-moves with NDX", short_ko="순유동성-나스닥100 동조",
    method_en="Correlation of weekly changes in net liquidity with weekly Nasdaq-100 log returns, 2010 onward; block bootstrap CI.",
    method_ko="2010년 이후 순유동성 주간 변화와 나스닥100 주간 로그수익률의 상관계수, 블록 부트스트랩 신뢰구간.",
    series=("WALCL", "WTREGEN", "RRPONTSYD", "NDX"), sample=(NL_START, None), **_COMOVE_KW,
)  # fmt: skip
def c2_1_ndx(store, asof):
    return _comove(store, asof, "NDX", NL_START, "C2.1-NDX")


@register(
    id="C2.1-BTC", statement_en="Net liquidity co-moves with crypto (bitcoin).",
    statement_ko="순유동성은 암호화폐(비트코인)와 함께 움직인다.",
    short_en="Net liquidity co-moves with BTC", short_ko="순유동성-비트코인 동조",
    method_en="Correlation of weekly changes in net liquidity with weekly bitcoin log returns, 2015 onward; block bootstrap CI.",
    method_ko="2015년 이후 순유동성 주간 변화와 비트코인 주간 로그수익률의 상관계수, 블록 부트스트랩 신뢰구간.",
    series=("WALCL", "WTREGEN", "RRPONTSYD", "BTC"), sample=(BTC_START, None), **_COMOVE_KW,
)  # fmt: skip
def c2_1_btc(store, asof):
    return _comove(store, asof, "BTC", BTC_START, "C2.1-BTC")


@register(
    id="C2.1-lead", seed="004",
    statement_en="Liquidity leads prices: this week's change in net liquidity predicts next week's S&P 500 return.",
    statement_ko="유동성이 가격을 선행한다: 이번 주 순유동성 변화가 다음 주 S&P 500 수익률을 예측한다.",
    short_en="Net liquidity leads SPX by a week", short_ko="순유동성이 S&P500을 1주 선행",
    method_en="Correlation of ΔNetLiq in week t-1 with the S&P 500 return in week t (lag 1), 2010 onward; block bootstrap CI; lags -4..4 charted.",
    method_ko="t-1주 순유동성 변화와 t주 S&P 500 수익률의 상관(시차 1), 2010년 이후, 블록 부트스트랩; 시차 -4..4 차트.",
    series=("WALCL", "WTREGEN", "RRPONTSYD", "SPX"), sample=(NL_START, None), units="correlation (weekly, lag 1)",
    thresholds=Thresholds(rule="effect", direction=1, materiality=CORR_MATERIALITY), group="liquidity",
)  # fmt: skip
def c2_1_lead(store, asof):
    panel = D.weekly_panel(store, asof, ["SPX"], NL_START)
    both = pd.DataFrame({"x": S.lagged(panel["dnl"], 1), "y": panel["SPX"]}).dropna()
    boot = S.block_bootstrap(both.to_numpy(), corr_stat, seed=CLAIMS["C2.1-lead"].rng_seed)
    ll = S.lead_lag(panel["dnl"], panel["SPX"], max_lag=4)
    chart = D.bar_chart({str(k): v for k, v in ll["corr"].items()}, y_title="corr(ΔNetLiq[t-k], SPX[t])")
    return Evidence(boot.estimate, boot.ci_low, boot.ci_high, len(both), D.day(both.index[0]), D.day(both.index[-1]), boot.p_value,
                    {f"corr_lag{k}": float(v) for k, v in ll["corr"].items()} | {"beta_lag1_p_hac": float(ll.loc[1, "p"])}, chart)  # fmt: skip


@register(
    id="C2.1-break", seed="001",
    statement_en="Once the reverse-repo buffer is drained (2025), net liquidity moves hit equities harder (slack funding exhausted).",
    statement_ko="역레포 완충이 소진된 뒤(2025) 순유동성 변화가 주식에 더 크게 작용한다(여유 자금 소진).",
    short_en="Stronger liquidity beta after RRP drained", short_ko="역레포 소진 후 유동성 민감도 상승",
    method_en="Weekly S&P 500 return on ΔNetLiq (per $100bn) with a slope change from the declared date 2025-01-01; HAC (Newey-West) test of the slope difference and a Chow test.",
    method_ko="S&P 500 주간 수익률을 순유동성 변화($1000억 단위)에 회귀, 선언된 2025-01-01부터의 기울기 변화를 HAC(뉴이-웨스트)와 Chow 검정.",
    series=("WALCL", "WTREGEN", "RRPONTSYD", "SPX"), sample=("2015-01-01", None), units="% SPX weekly return per $100bn (post minus pre)",
    thresholds=Thresholds(rule="effect", direction=1, materiality=0.0), group="liquidity",
    caveats=("The post-break sample is under a year of weekly data.",),
)  # fmt: skip
def c2_1_break(store, asof):
    panel = D.weekly_panel(store, asof, ["SPX"], "2015-01-01").dropna()
    br = S.break_test(panel["SPX"], panel["dnl"], RRP_DRAINED)
    rrp = D.cut(store.series("RRPONTSYD", asof=asof), "2015-01-01")
    chart = D.line_chart({"on_rrp_usd_bn": rrp}, y_title="USD bn")
    return Evidence(br.diff, br.diff_ci_low, br.diff_ci_high, br.n_pre + br.n_post, D.day(panel.index[0]), D.day(panel.index[-1]), br.diff_p,
                    {"slope_pre": br.slope_pre, "slope_post": br.slope_post, "chow_f": br.chow_f, "chow_p": br.chow_p,
                     "n_pre": br.n_pre, "n_post": br.n_post, "hac_lags": br.lags, "break_date": RRP_DRAINED}, chart)  # fmt: skip


def _betas(a: np.ndarray) -> np.ndarray:
    """OLS slopes of columns 1.. on column 0 for arrays (B, n, k): returns (B, k-1)."""
    x = a[..., 0] - a[..., 0].mean(axis=-1, keepdims=True)
    y = a[..., 1:] - a[..., 1:].mean(axis=-2, keepdims=True)
    return (x[..., None] * y).sum(-2) / (x * x).sum(-1)[..., None]


@register(
    id="C2.1-crypto", seed="001",
    statement_en="Crypto is the most liquidity-sensitive asset.",
    statement_ko="암호화폐는 유동성에 가장 민감한 자산이다.",
    short_en="Crypto most liquidity-sensitive", short_ko="암호화폐가 유동성에 가장 민감",
    method_en="Betas of weekly log returns on ΔNetLiq (per $100bn) for BTC, ETH, NDX, SPX, IWM, IGV, SMH, GLD, TLT since Nov 2017; effect = BTC beta minus the largest non-crypto beta; joint block bootstrap for the CI and the rank.",
    method_ko="2017년 11월 이후 BTC, ETH, NDX, SPX, IWM, IGV, SMH, GLD, TLT 주간 수익률의 순유동성 변화 베타; 효과 = BTC 베타 - 비암호화폐 최대 베타; 공동 블록 부트스트랩.",
    series=("WALCL", "WTREGEN", "RRPONTSYD", *SENSITIVITY_ASSETS), sample=(CRYPTO_START, None),
    units="% weekly return per $100bn (BTC minus best non-crypto)",
    thresholds=Thresholds(rule="effect", direction=1, materiality=0.0), group="liquidity",
    caveats=("Raw betas: crypto's higher volatility raises its beta even at equal correlation (correlations in details).",),
)  # fmt: skip
def c2_1_crypto(store, asof):
    panel = D.weekly_panel(store, asof, SENSITIVITY_ASSETS, CRYPTO_START).dropna()
    arr = panel[["dnl", *SENSITIVITY_ASSETS]].to_numpy()
    non_crypto = [i for i, a in enumerate(SENSITIVITY_ASSETS) if a not in ("BTC", "ETH")]

    def stat(a: np.ndarray) -> np.ndarray:
        b = _betas(a)
        return b[..., 0] - b[..., non_crypto].max(axis=-1)

    boot = S.block_bootstrap(arr, stat, seed=CLAIMS["C2.1-crypto"].rng_seed)
    idx = S.block_indices(len(arr), 1000, seed=CLAIMS["C2.1-crypto"].rng_seed.spawn(1)[0])
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
    chart = D.bar_chart(dict(zip(SENSITIVITY_ASSETS, point, strict=False)), y_title="% per $100bn",
                        low=dict(zip(SENSITIVITY_ASSETS, lo, strict=False)), high=dict(zip(SENSITIVITY_ASSETS, hi, strict=False)))  # fmt: skip
    return Evidence(boot.estimate, boot.ci_low, boot.ci_high, len(panel), D.day(panel.index[0]), D.day(panel.index[-1]), boot.p_value, details, chart)


# ------------------------------------------------------------------------- event windows on weekly NL
def _nl_window_test(store, asof, windows, claim_id: str, *, after_weeks: int | None = None) -> Evidence:
    nl = D.cut(D.net_liquidity(store, asof), NL_START)
    dates = nl.index
    vals = nl.to_numpy()
    idx = []
    labels = []
    for label, start, end in windows:
        i0 = int(dates.searchsorted(pd.Timestamp(start), side="right")) - 1  # last reading before the start
        if after_weeks is not None:
            i0 = int(dates.searchsorted(pd.Timestamp(end), side="right")) - 1
            i1 = i0 + after_weeks
        else:
            i1 = int(dates.searchsorted(pd.Timestamp(end), side="right")) - 1
        if i0 < 0 or i1 >= len(dates) or i1 <= i0:
            continue
        idx.append((i0, i1))
        labels.append(label)
    if not idx:
        raise ValueError("no declared window has net-liquidity data on both ends")
    effect, lo, hi, p, _ = S.random_window_test(lambda s, e: vals[e] - vals[s], len(vals), idx, seed=CLAIMS[claim_id].rng_seed,
                                                exclude=[(a - 13, b) for a, b in idx])  # fmt: skip
    details = {f"dNL_{lab}_usd_bn": float(vals[b] - vals[a]) for lab, (a, b) in zip(labels, idx, strict=False)}
    tga = store.series("WTREGEN", asof=asof) / 1000.0
    for lab, (a, b) in zip(labels, idx, strict=False):
        details[f"dTGA_{lab}_usd_bn"] = float(tga.get(dates[b], np.nan) - tga.get(dates[a], np.nan))
        details[f"window_{lab}"] = f"{D.day(dates[a])}..{D.day(dates[b])}"
    lo_d, hi_d = dates[max(idx[0][0] - 26, 0)], dates[min(idx[-1][1] + 8, len(dates) - 1)]
    chart = D.line_chart({"net_liquidity_usd_bn": nl.loc[lo_d:hi_d], "tga_usd_bn": tga.loc[lo_d:hi_d]}, y_title="USD bn", weekly=False)
    chart["shade"] = [[D.day(dates[a]), D.day(dates[b])] for a, b in idx]
    caveats = () if len(idx) == len(windows) else (f"only {len(idx)} of {len(windows)} declared windows have data (data end {D.day(dates[-1])})",)
    return Evidence(effect, lo, hi, len(idx), D.day(dates[idx[0][0]]), D.day(dates[idx[-1][1]]), p, details, chart, caveats)


_NL_EVENT_METHOD = " Effect = mean ΔNetLiq over the declared windows minus the mean over same-length random windows (2010 onward, events excluded); the interval is the random-window spread."
_NL_EVENT_METHOD_KO = " 효과 = 선언된 구간의 평균 순유동성 변화 - 같은 길이 무작위 구간 평균(2010년 이후, 사건 제외); 구간은 무작위 구간의 분포."


@register(
    id="C1.1a", seed="000",
    statement_en="Government shutdowns drain net liquidity (the TGA piles up).",
    statement_ko="정부 셧다운은 순유동성을 줄인다(TGA가 쌓인다).",
    short_en="Shutdowns drain net liquidity", short_ko="셧다운이 순유동성 축소",
    method_en="Net-liquidity change over the 2018-12-22..2019-01-25 and 2025-10-01..2025-11-12 shutdowns." + _NL_EVENT_METHOD,
    method_ko="2018-12-22..2019-01-25 및 2025-10-01..2025-11-12 셧다운 기간의 순유동성 변화." + _NL_EVENT_METHOD_KO,
    series=("WALCL", "WTREGEN", "RRPONTSYD"), sample=(NL_START, None), units="USD bn (vs random windows)",
    thresholds=Thresholds(rule="effect", direction=-1, materiality=0.0), group="liquidity",
    caveats=("Two events only.",),
)  # fmt: skip
def c1_1a(store, asof):
    return _nl_window_test(store, asof, SHUTDOWNS, "C1.1a")


@register(
    id="C1.1b", seed="000",
    statement_en="AI stocks underperform during shutdowns.",
    statement_ko="셧다운 기간에 AI 주식은 부진하다.",
    short_en="AI stocks lag during shutdowns", short_ko="셧다운 중 AI주 부진",
    method_en="Event study: cumulative abnormal log return of the equal-weight mega-cap AI basket (NVDA, MSFT, META, GOOGL, AMZN, AAPL, TSLA, AVGO) against an S&P 500 market model (estimation days -260..-11) over each shutdown.",
    method_ko="사건연구: 대형 AI 바스켓(동일가중 NVDA, MSFT, META, GOOGL, AMZN, AAPL, TSLA, AVGO)의 S&P 500 시장모형(추정 -260..-11일) 대비 셧다운 기간 누적초과수익.",
    series=("SPX", *AI_BASKET), sample=("2017-01-01", None), units="CAR (log return)",
    thresholds=Thresholds(rule="effect", direction=-1, materiality=0.0), group="liquidity",
    caveats=("Two events only.", "The basket is equal-weight, not cap-weight."),
)  # fmt: skip
def c1_1b(store, asof):
    r = D.basket_returns(store, AI_BASKET, asof, "2017-01-01")
    m = S.log_returns(D.px(store, "SPX", asof, "2017-01-01"))
    ev = S.event_study(r, [(lab, s, e) for lab, s, e in SHUTDOWNS if asof is None or pd.Timestamp(s) <= asof], market=m)
    chart = D.bar_chart(ev.car, y_title="CAR", low={k: ev.car[k] - 1.96 * ev.car_se[k] for k in ev.car}, high={k: ev.car[k] + 1.96 * ev.car_se[k] for k in ev.car})
    return Evidence(ev.mean_car, ev.ci_low, ev.ci_high, ev.n_events, ev.first_day, ev.last_day, ev.p_value,
                    {f"car_{k}": v for k, v in ev.car.items()} | {"event_days": ev.n_obs}, chart)  # fmt: skip


@register(
    id="C1.1c", seed="000",
    statement_en="The weeks after a shutdown ends see a liquidity rebound.",
    statement_ko="셧다운 해제 후 몇 주 동안 유동성이 반등한다.",
    short_en="Liquidity rebounds after reopening", short_ko="재개 후 유동성 반등",
    method_en="Net-liquidity change over the 4 weeks after each reopening (2019-01-25, 2025-11-12)." + _NL_EVENT_METHOD,
    method_ko="각 셧다운 해제(2019-01-25, 2025-11-12) 후 4주간 순유동성 변화." + _NL_EVENT_METHOD_KO,
    series=("WALCL", "WTREGEN", "RRPONTSYD"), sample=(NL_START, None), units="USD bn (vs random windows)",
    thresholds=Thresholds(rule="effect", direction=1, materiality=0.0), group="liquidity",
    caveats=("The data end on 2025-11-14, so the 2025 reopening's 4 weeks are not observed: one event.",),
)  # fmt: skip
def c1_1c(store, asof):
    return _nl_window_test(store, asof, SHUTDOWNS, "C1.1c", after_weeks=REOPEN_WEEKS)


@register(
    id="M1.2-TGA", seed="001",
    statement_en="TGA rebuilds after debt-ceiling deals drain net liquidity.",
    statement_ko="부채한도 합의 후 TGA 재건은 순유동성을 줄인다.",
    short_en="TGA rebuilds drain liquidity", short_ko="TGA 재건이 유동성 축소",
    method_en="Net-liquidity change from each deal to the declared window end (2023-06-03..2023-08-31, 2025-07-04..2025-09-30)." + _NL_EVENT_METHOD,
    method_ko="각 합의부터 선언된 구간 끝까지 순유동성 변화(2023-06-03..2023-08-31, 2025-07-04..2025-09-30)." + _NL_EVENT_METHOD_KO,
    series=("WALCL", "WTREGEN", "RRPONTSYD"), sample=(NL_START, None), units="USD bn (vs random windows)",
    thresholds=Thresholds(rule="effect", direction=-1, materiality=0.0), group="liquidity",
    caveats=("Two events only.", "RRP drawdowns offset part of the TGA rebuild (that is part of the test)."),
)  # fmt: skip
def m1_2_tga(store, asof):
    return _nl_window_test(store, asof, DEBT_DEALS, "M1.2-TGA")


@register(
    id="M1.2-TGA-SPX", seed="001",
    statement_en="TGA rebuilds after debt-ceiling deals hurt risk assets (S&P 500).",
    statement_ko="부채한도 합의 후 TGA 재건은 위험자산(S&P 500)에 악재다.",
    short_en="TGA rebuilds hurt SPX", short_ko="TGA 재건이 S&P500에 악재",
    method_en="Event study: S&P 500 cumulative log return over each TGA-rebuild window minus its mean over estimation days -260..-11 (mean model).",
    method_ko="사건연구: 각 TGA 재건 구간의 S&P 500 누적 로그수익률 - 추정기간(-260..-11일) 평균(평균 모형).",
    series=("SPX",), sample=("2022-01-01", None), units="CAR (log return)",
    thresholds=Thresholds(rule="effect", direction=-1, materiality=0.0), group="liquidity",
    caveats=("Two events only.",),
)  # fmt: skip
def m1_2_tga_spx(store, asof):
    spx = D.px(store, "SPX", asof, "2022-01-01")
    r = S.log_returns(spx)
    ev = S.event_study(r, [(lab, s, e) for lab, s, e in DEBT_DEALS if asof is None or pd.Timestamp(s) <= asof])
    chart = D.bar_chart(ev.car, y_title="CAR", low={k: ev.car[k] - 1.96 * ev.car_se[k] for k in ev.car}, high={k: ev.car[k] + 1.96 * ev.car_se[k] for k in ev.car})
    return Evidence(ev.mean_car, ev.ci_low, ev.ci_high, ev.n_events, ev.first_day, ev.last_day, ev.p_value,
                    {f"car_{k}": v for k, v in ev.car.items()} | {"event_days": ev.n_obs}, chart)  # fmt: skip
