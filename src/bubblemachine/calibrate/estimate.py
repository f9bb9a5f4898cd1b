"""Estimates of the AI model's behavioural parameters from the embedded history (issue 11, item 7).

Everything is read from the store **as known on the as-of date** (``Store.series(asof=)``), so
an estimate as of 2024-11-15 uses nothing published later. Each estimate is a frozen
:class:`Estimate`: the value in the parameter's own units, a 95% interval, the window and the
method, next to the model's current value, whether that value lies inside the interval, and,
where the claims test the same relation, the claim's verdict.

What is estimated (the defaults file names the parameter; ``docs/estimates.md`` has the table):

* **Liquidity betas** ``nlb_<asset>`` (C2.1): weekly log return on the weekly relative change of
  net liquidity (Fed assets - TGA - ON RRP, H.4.1 Wednesdays), OLS with Newey-West (HAC)
  errors. The claims C2.1 / C2.1-NDX / C2.1-BTC test the same co-movement.
* **Basket betas** ``beta_<basket>``: daily log return on the S&P 500's (the model passes
  systematic flows to baskets by these betas).
* **Spot-vol beta** ``vix_spot_beta``: daily dlog VIX on dlog S&P 500 (sign flipped).
* **High-yield beta** ``hy_beta_ig``: daily change of the HY OAS on the IG OAS's.
* **Transient price pressure** ``transient_share``, ``revert_speed``: after large S&P 500 days
  (beyond 2 standard deviations), the share of the move reversed over the next days, and the
  daily speed that fits the reversal profile.
* **Aggregate duration** ``dur_spx``: monthly dlog(price / trailing earnings) on the change of
  the long rate (Shiller), slope x -100.
* **Earnings and nominal GDP** ``earn_gdp_elasticity`` (second edition's earnings block):
  yearly log growth of S&P 500 trailing earnings on yearly nominal GDP growth.
* **Fed balance sheet and the 10-year** ``tp_qt``: weekly change of the 10-year yield on the
  weekly change of Fed assets (USD bn), sign flipped (pp per USD bn of run-off).
* **VIX3M on VIX** ``vix3m_beta``: daily dlog VIX3M on dlog VIX (the term structure block).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

#: Default estimation window (years before the as-of date) for daily and weekly relations.
YEARS = 10
#: Newey-West lags for weekly regressions (a month), daily (two weeks).
HAC_WEEKLY, HAC_DAILY, HAC_MONTHLY = 4, 10, 12
#: The model series whose liquidity beta is estimated, with the claim that tests it.
LIQUIDITY_ASSETS: dict[str, str | None] = {
    "spx": "C2.1", "m7": None, "chips": None, "memory": None, "midcap_ai": None,
    "software": None, "energy": None, "btc": "C2.1-BTC", "eth": None,
}
BASKET_BETAS = ("m7", "chips", "memory", "midcap_ai", "software", "energy", "btc", "eth")
#: Large-move threshold (standard deviations) and horizon (days) of the reversal estimate.
LARGE_MOVE_SD, REVERSAL_DAYS = 2.0, 10


@dataclass(frozen=True)
class Estimate:
    """One estimated parameter.

    Attributes:
        parameter: the model parameter it informs (an existing one, or a second-edition one).
        value: the estimate, in the parameter's units; ``se`` its standard error.
        ci_low, ci_high: 95% interval.
        n: observations; ``start``, ``end`` the window (dates of the first/last observation).
        method: how it was estimated (one line).
        model_value: the model's current value (None for a parameter not in the model yet).
        agrees: the model value lies inside the interval (None when there is none).
        claim, claim_verdict: the claim that tests the same relation and its verdict.
        note: what to read into it.
    """

    parameter: str
    value: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    start: str
    end: str
    method: str
    model_value: float | None = None
    agrees: bool | None = None
    claim: str | None = None
    claim_verdict: str | None = None
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in vars(self).items()}


@dataclass(frozen=True)
class EstimateSet:
    """Every estimate as of one date."""

    asof: str
    years: int
    estimates: tuple[Estimate, ...]
    skipped: dict[str, str] = field(default_factory=dict)

    def get(self, parameter: str) -> Estimate:
        for e in self.estimates:
            if e.parameter == parameter:
                return e
        raise KeyError(parameter)

    def to_json(self) -> dict[str, Any]:
        return {"asof": self.asof, "years": self.years, "estimates": [e.to_json() for e in self.estimates],
                "skipped": dict(self.skipped)}


# --------------------------------------------------------------------------- regressions
@dataclass(frozen=True)
class Fit:
    slope: float
    se: float
    n: int
    start: pd.Timestamp
    end: pd.Timestamp


def hac_slope(y: pd.Series, x: pd.Series, lags: int) -> Fit:
    """OLS slope of ``y`` on ``x`` (with a constant) and its Newey-West standard error."""
    import statsmodels.api as sm

    df = pd.concat([y.rename("y"), x.rename("x")], axis=1).replace([np.inf, -np.inf], np.nan).dropna()
    if len(df) < 20:
        raise ValueError(f"only {len(df)} observations")
    res = sm.OLS(df["y"].to_numpy(), sm.add_constant(df["x"].to_numpy())).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
    return Fit(float(res.params[1]), float(res.bse[1]), len(df), df.index[0], df.index[-1])


def _estimate(parameter: str, fit: Fit, *, scale: float = 1.0, method: str, model_value: float | None,
              claim: str | None = None, claim_verdict: str | None = None, note: str = "") -> Estimate:
    v, se = scale * fit.slope, abs(scale) * fit.se
    lo, hi = v - 1.96 * se, v + 1.96 * se
    agrees = None if model_value is None else bool(lo <= model_value <= hi)
    return Estimate(parameter=parameter, value=v, se=se, ci_low=lo, ci_high=hi, n=fit.n,
                    start=f"{fit.start:%Y-%m-%d}", end=f"{fit.end:%Y-%m-%d}", method=method,
                    model_value=model_value, agrees=agrees, claim=claim, claim_verdict=claim_verdict, note=note)


# --------------------------------------------------------------------------- data
def _level_index(changes: pd.Series) -> pd.Series:
    """Cumulative sum of daily changes (a log price index, or a rate level up to a constant)."""
    return changes.cumsum()


def _weekly_on(dates: pd.DatetimeIndex, daily_changes: pd.Series) -> pd.Series:
    """Weekly change between consecutive ``dates`` of a series given by its daily changes."""
    from bubblemachine.indicators.liquidity import asof_align

    return asof_align(_level_index(daily_changes), dates).diff()


def _net_liquidity(store, asof: str) -> pd.Series:
    from bubblemachine.indicators.liquidity import net_liquidity

    return net_liquidity(store.series("WALCL", asof=asof), store.series("WTREGEN", asof=asof),
                         store.series("RRPONTSYD", asof=asof))


# --------------------------------------------------------------------------- the estimates
def liquidity_betas(store, changes: pd.DataFrame, asof: str, start: pd.Timestamp, model, verdicts) -> list[Estimate]:
    nl = _net_liquidity(store, asof)
    nl = nl[nl.index >= start]
    rel = (nl / nl.shift(1) - 1.0).rename("dnl")
    out = []
    for s, claim in LIQUIDITY_ASSETS.items():
        y = _weekly_on(nl.index, changes[s])
        fit = hac_slope(y, rel, HAC_WEEKLY)
        out.append(_estimate(f"nlb_{s}", fit, method="weekly log return on dNL/NL, OLS, Newey-West 4 lags",
                             model_value=_param(model, f"nlb_{s}"), claim=claim,
                             claim_verdict=verdicts.get(claim) if claim else None,
                             note="net liquidity = Fed assets - TGA - ON RRP (H.4.1 Wednesdays)"))
    return out


def basket_betas(changes: pd.DataFrame, model) -> list[Estimate]:
    out = []
    for b in BASKET_BETAS:
        fit = hac_slope(changes[b], changes["spx"], HAC_DAILY)
        out.append(_estimate(f"beta_{b}", fit, method="daily log return on the S&P 500's, OLS, Newey-West 10 lags",
                             model_value=_param(model, f"beta_{b}"),
                             note="the model passes systematic flows (vol-target, CTA, buybacks, hedging) by this beta"))
    return out


def spot_vol_and_credit(changes: pd.DataFrame, model) -> list[Estimate]:
    vix = hac_slope(changes["vix"], changes["spx"], HAC_DAILY)
    hy = hac_slope(changes["hy_oas"], changes["ig_oas"], HAC_DAILY)
    return [
        _estimate("vix_spot_beta", vix, scale=-1.0, method="daily dlog VIX on dlog S&P 500, OLS (sign flipped)",
                  model_value=_param(model, "vix_spot_beta"),
                  note="all moves; the model applies it to structural (non-noise) moves only"),
        _estimate("hy_beta_ig", hy, method="daily change of HY OAS on IG OAS, OLS, Newey-West 10 lags",
                  model_value=_param(model, "hy_beta_ig")),
    ]


def reversal(changes: pd.DataFrame, model) -> list[Estimate]:
    """Transient share and reversion speed of large S&P 500 moves."""
    r = changes["spx"]
    sd = r.rolling(250, min_periods=60).std().shift(1)
    big = (r.abs() > LARGE_MOVE_SD * sd)
    cum = {k: r[::-1].rolling(k, min_periods=k).sum()[::-1].shift(-1) for k in range(1, REVERSAL_DAYS + 1)}
    betas, ses = [], []
    for k in range(1, REVERSAL_DAYS + 1):
        fit = hac_slope(cum[k][big], r[big], HAC_DAILY)
        betas.append(-fit.slope)
        ses.append(fit.se)
    betas = np.asarray(betas)
    # reversed share after k days = share x (1 - (1 - speed)^k): least squares on a grid of speeds
    speeds = np.linspace(0.02, 1.0, 99)
    best = None
    for s in speeds:
        shape = 1 - (1 - s) ** np.arange(1, REVERSAL_DAYS + 1)
        share = float(shape @ betas / (shape @ shape))
        sse = float(((betas - share * shape) ** 2).sum())
        if best is None or sse < best[0]:
            best = (sse, s, share)
    _, speed, share = best
    n = int(big.sum())
    fit_last = hac_slope(cum[REVERSAL_DAYS][big], r[big], HAC_DAILY)
    share_est = Estimate(
        parameter="transient_share", value=share, se=ses[-1], ci_low=share - 1.96 * ses[-1], ci_high=share + 1.96 * ses[-1],
        n=n, start=f"{fit_last.start:%Y-%m-%d}", end=f"{fit_last.end:%Y-%m-%d}",
        method=f"share of large S&P 500 days (> {LARGE_MOVE_SD:g} sd) reversed over {REVERSAL_DAYS} days, fitted profile",
        model_value=_param(model, "transient_share"), note="large days of all causes, not only flow-driven ones")
    share_est = Estimate(**{**vars(share_est), "agrees": None if share_est.model_value is None else
                            bool(share_est.ci_low <= share_est.model_value <= share_est.ci_high)})
    speed_est = Estimate(parameter="revert_speed", value=float(speed), se=math.nan, ci_low=math.nan, ci_high=math.nan,
                         n=n, start=share_est.start, end=share_est.end,
                         method="daily speed that best fits the reversal profile (grid least squares)",
                         model_value=_param(model, "revert_speed"),
                         note="point estimate only; weakly identified when the reversal is small")
    return [share_est, speed_est]


def shiller(store, asof: str, model) -> list[Estimate]:
    """Aggregate duration and the earnings-GDP elasticity from Shiller's monthly file."""
    df = store.frame("SHILLER", asof=asof)
    df = df.replace(0.0, np.nan)
    price = df["sp500"] if "sp500" in df else df.iloc[:, 0]
    earn = df["earnings"]
    rate = df["long_interest_rate"]
    sel = df.index >= pd.Timestamp("1990-01-01")
    pe = np.log(price / earn)[sel]
    dur = hac_slope(pe.diff(), rate[sel].diff(), HAC_MONTHLY)
    out = [_estimate("dur_spx", dur, scale=-100.0, method="monthly dlog(price / trailing earnings) on the change of the long rate (pp), x -100",
                     model_value=_param(model, "dur_spx"), note="Shiller monthly data from 1990; the rate column ends in 2023")]
    gdp = store.series("GDP", asof=asof).dropna()
    e_q = earn.dropna().resample("QS").last()
    y = np.log(e_q).diff(4)
    x = np.log(gdp.resample("QS").last()).diff(4)
    idx = y.index[y.index >= pd.Timestamp("1990-01-01")]
    fit = hac_slope(y.reindex(idx), x.reindex(idx), 8)
    out.append(_estimate("earn_gdp_elasticity", fit, method="yearly log growth of S&P 500 trailing earnings on nominal GDP's, quarterly, Newey-West 8 lags",
                         model_value=_param(model, "earn_gdp_elasticity"),
                         note="for the second edition's earnings block; earnings are far more cyclical than GDP"))
    return out


def fed_and_term(store, asof: str, start: pd.Timestamp, model) -> list[Estimate]:
    fa = store.series("WALCL", asof=asof).dropna() / 1000.0
    fa = fa[fa.index >= start]
    from bubblemachine.indicators.liquidity import asof_align

    y10 = asof_align(store.series("DGS10", asof=asof).dropna(), fa.index)
    fit = hac_slope(y10.diff(), fa.diff(), HAC_WEEKLY)
    return [_estimate("tp_qt", fit, scale=-1.0, method="weekly change of the 10-year yield (pp) on the weekly change of Fed assets (USD bn), sign flipped",
                      model_value=_param(model, "tp_qt"),
                      note="weekly co-movement, not an event study: announcements move yields before purchases")]


def vix_term(store, asof: str, start: pd.Timestamp, model) -> list[Estimate]:
    v = store.series("VIX", asof=asof).dropna()
    v3 = store.series("VIX3M", asof=asof).dropna()
    df = pd.concat([np.log(v).diff().rename("v"), np.log(v3).diff().rename("v3")], axis=1).dropna()
    df = df[df.index >= start]
    fit = hac_slope(df["v3"], df["v"], HAC_DAILY)
    ratio = (v / v3).dropna()
    ratio = ratio[ratio.index >= start]
    inv = float((ratio > 1).mean())
    return [_estimate("vix3m_beta", fit, method="daily dlog VIX3M on dlog VIX, OLS, Newey-West 10 lags",
                      model_value=_param(model, "vix3m_beta"),
                      note=f"VIX above VIX3M on {100 * inv:.1f}% of days in the window (finance anchors: ~8% since 2010)")]


def _param(model, name: str) -> float | None:
    if model is None:
        return None
    v = model.parameters.get(name)
    return None if v is None else float(v)


def _claim_verdicts(store, asof: str, ids: Sequence[str]) -> dict[str, str]:
    from bubblemachine.claims import run_claims

    run = run_claims(store, ids=list(ids), asof=asof)
    return {r.claim.id: r.verdict for r in run.results}


def estimate_all(store=None, *, asof: str | None = None, years: int = YEARS, model: Any = "ai_liquidity",
                 claims: bool = True) -> EstimateSet:
    """Every estimate as of ``asof`` (default: the latest date the store supports).

    Args:
        store: the data store (default: ``open_store()``).
        asof: knowledge date (YYYY-MM-DD); nothing published after it is used.
        years: window of the daily and weekly relations (Shiller's relations use 1990 on).
        model: the model whose current values are shown (a name, a Model, or None).
        claims: run the claims that test the same relations and attach their verdicts.

    Returns:
        An :class:`EstimateSet`; an estimate that cannot be made at this date (too little
        data) is listed in ``skipped`` with the reason, not raised.
    """
    from bubblemachine.calibrate.history import daily_changes
    from bubblemachine.data import open_store, parse_asof

    if store is None:
        store = open_store()
    day = f"{parse_asof(asof, store=store, series=['SPX']):%Y-%m-%d}" if asof is not None else f"{store.last_known('SPX'):%Y-%m-%d}"
    if isinstance(model, str):
        from bubblemachine.sfc import load_model

        model = load_model(model)
    start = pd.Timestamp(day) - pd.DateOffset(years=years)
    changes = daily_changes(store, day, years)
    verdicts = _claim_verdicts(store, day, [c for c in LIQUIDITY_ASSETS.values() if c]) if claims else {}
    out: list[Estimate] = []
    skipped: dict[str, str] = {}
    steps = (
        ("liquidity betas", lambda: liquidity_betas(store, changes, day, start, model, verdicts)),
        ("basket betas", lambda: basket_betas(changes, model)),
        ("spot-vol and credit betas", lambda: spot_vol_and_credit(changes, model)),
        ("reversal of large moves", lambda: reversal(changes, model)),
        ("Shiller duration and earnings", lambda: shiller(store, day, model)),
        ("Fed assets and the 10-year", lambda: fed_and_term(store, day, start, model)),
        ("VIX term structure", lambda: vix_term(store, day, start, model)),
    )
    for name, step in steps:
        try:
            out.extend(step())
        except (KeyError, ValueError, IndexError) as exc:
            skipped[name] = f"{type(exc).__name__}: {exc}"
    return EstimateSet(asof=day, years=years, estimates=tuple(out), skipped=skipped)
