"""Performance metrics of a daily return series, against cash and a benchmark.

Conventions (declared once; docs/positions.md repeats them):

* **Returns** are daily simple returns on the NYSE calendar, total return (adjusted closes);
  **annualisation** uses 252 trading days: volatility ``x sqrt(252)``, mean returns ``x 252``.
* **CAGR** is the geometric growth rate with 252 trading days a year (empyrical's
  ``annual_return``): ``(NAV_end / NAV_start) ** (252 / n) - 1``.
* **Risk-free rate**: the 3-month T-bill, accrued daily (``instruments.toml`` ``[cash]``).
  Sharpe and Sortino are computed on **excess** returns ``r - rf`` (not on raw returns
  with a constant rate, a common QuantStats mistake); Sortino's downside deviation is
  ``sqrt(mean(min(r - rf, 0)^2))`` over all days (Sortino & Price 1994; empyrical).
* **Maximum drawdown** on the NAV with its peak, trough and recovery dates; **Calmar** =
  CAGR / |max drawdown| over the whole sample.
* **Hit rate**: the share of calendar months in which the strategy beat the benchmark.
* **Alpha and beta**: OLS of ``r - rf`` on ``r_bench - rf`` with Newey-West (HAC) standard
  errors (lag rule ``floor(4 (n/100)^(2/9))``, :func:`bubblemachine.claims.stats.nw_lags`);
  alpha annualised ``x 252`` with its 95% interval; **active return** = mean of
  ``r - r_bench`` ``x 252`` with a HAC interval; tracking error and information ratio.
* **PSR** (Bailey & Lopez de Prado 2012): the probability that the true Sharpe exceeds a
  threshold given the sample's length, skewness and kurtosis; **deflated Sharpe**
  (Bailey & Lopez de Prado 2014): the PSR against the Sharpe that the best of ``N``
  unskilled trials would reach by luck (:func:`expected_max_sharpe`), ``N`` = the number of
  strategies tried.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

TRADING_DAYS = 252
EULER_GAMMA = 0.5772156649015329


# ----------------------------------------------------------------------------- drawdown
@dataclass(frozen=True)
class Drawdown:
    """The deepest fall of a NAV from a running peak.

    Attributes:
        depth: the fall as a (negative) fraction, 0 if the NAV never fell.
        peak: date of the running peak before it.
        trough: date of the lowest point.
        recovery: first date the NAV regained the peak (None: not recovered by the end).
    """

    depth: float
    peak: pd.Timestamp | None
    trough: pd.Timestamp | None
    recovery: pd.Timestamp | None


def max_drawdown(nav: pd.Series) -> Drawdown:
    """Maximum drawdown of a NAV series (indexed by date) with its dates."""
    v = nav.to_numpy(dtype="float64")
    if len(v) == 0:
        return Drawdown(float("nan"), None, None, None)
    peak = np.maximum.accumulate(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        dd = np.where(peak > 0, v / peak - 1.0, -1.0)
    i = int(np.argmin(dd))
    depth = float(dd[i])
    if depth >= 0.0:
        return Drawdown(0.0, None, None, None)
    p = int(np.flatnonzero(v[: i + 1] == peak[i])[0])
    after = np.flatnonzero(v[i:] >= peak[i] * (1.0 - 1e-12))  # back at the peak (rounding aside)
    rec = nav.index[i + int(after[0])] if len(after) else None
    return Drawdown(depth, nav.index[p], nav.index[i], rec)


# ----------------------------------------------------------------------------- PSR / DSR
def sharpe_moments(excess: np.ndarray) -> tuple[float, float, float, int]:
    """Per-period Sharpe ratio, skewness and (non-excess) kurtosis of excess returns, and n.

    Sharpe = mean / standard deviation (ddof=1); NaN when the returns do not vary.
    """
    from scipy import stats

    x = np.asarray(excess, dtype="float64")
    x = x[np.isfinite(x)]
    n = len(x)
    if n < 3:
        return float("nan"), float("nan"), float("nan"), n
    sd = float(np.std(x, ddof=1))
    if not sd > 1e-15:
        return float("nan"), float("nan"), float("nan"), n
    sr = float(np.mean(x)) / sd
    skew = float(stats.skew(x, bias=False))
    kurt = float(stats.kurtosis(x, fisher=False, bias=False))
    return sr, skew, kurt, n


def probabilistic_sharpe(sr: float, n: int, skew: float, kurt: float, sr_star: float = 0.0) -> float:
    """PSR (Bailey & Lopez de Prado 2012, eq. 9): P(true Sharpe > ``sr_star``).

    ``Phi((sr - sr_star) sqrt(n - 1) / sqrt(1 - skew sr + (kurt - 1) / 4 sr^2))`` with
    per-period (not annualised) Sharpe ratios and ``kurt`` the non-excess kurtosis.
    """
    from scipy.stats import norm

    if not all(math.isfinite(v) for v in (sr, skew, kurt, sr_star)) or n < 2:
        return float("nan")
    var = 1.0 - skew * sr + (kurt - 1.0) / 4.0 * sr**2
    if var <= 0:
        return float("nan")
    return float(norm.cdf((sr - sr_star) * math.sqrt(n - 1) / math.sqrt(var)))


def expected_max_sharpe(n_trials: int, sr_variance: float) -> float:
    """Expected maximum Sharpe of ``n_trials`` unskilled trials (Bailey & Lopez de Prado 2014).

    ``sqrt(V) ((1 - gamma) Phi^-1(1 - 1/N) + gamma Phi^-1(1 - 1/(N e)))``, ``V`` the variance of
    the trials' (per-period) Sharpe ratios, ``gamma`` the Euler-Mascheroni constant. Zero
    for a single trial.
    """
    from scipy.stats import norm

    if n_trials <= 1 or not math.isfinite(sr_variance) or sr_variance <= 0:
        return 0.0
    a = norm.ppf(1.0 - 1.0 / n_trials)
    b = norm.ppf(1.0 - 1.0 / (n_trials * math.e))
    return float(math.sqrt(sr_variance) * ((1.0 - EULER_GAMMA) * a + EULER_GAMMA * b))


# ----------------------------------------------------------------------------- metrics
@dataclass(frozen=True)
class Metrics:
    """Every metric of one strategy over one sample (fractions, not percent).

    Attributes:
        n: daily returns used. start, end: first and last NAV dates.
        cagr, vol, sharpe, sortino, calmar: annualised (252 days); Sharpe/Sortino on excess returns.
        drawdown: the maximum drawdown with its dates.
        hit_rate: share of months beating the benchmark; months: how many.
        alpha, alpha_ci_low, alpha_ci_high, alpha_p: annualised HAC alpha vs the benchmark.
        beta, beta_ci_low, beta_ci_high: HAC beta.
        active, active_ci_low, active_ci_high: annualised mean of r - r_bench, HAC interval.
        tracking_error, information_ratio: annualised.
        sr_period, skew, kurt: per-period Sharpe, skewness, kurtosis (for PSR/DSR).
        psr: P(true Sharpe > 0).
        benchmark_cagr, benchmark_vol, benchmark_sharpe, benchmark_drawdown: the same for the benchmark.
        hac_lags: Newey-West lags used.
    """

    n: int
    start: pd.Timestamp
    end: pd.Timestamp
    cagr: float
    vol: float
    sharpe: float
    sortino: float
    calmar: float
    drawdown: Drawdown
    hit_rate: float
    months: int
    alpha: float
    alpha_ci_low: float
    alpha_ci_high: float
    alpha_p: float
    beta: float
    beta_ci_low: float
    beta_ci_high: float
    active: float
    active_ci_low: float
    active_ci_high: float
    tracking_error: float
    information_ratio: float
    sr_period: float
    skew: float
    kurt: float
    psr: float
    benchmark_cagr: float
    benchmark_vol: float
    benchmark_sharpe: float
    benchmark_drawdown: Drawdown
    hac_lags: int


def _f(x) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return float("nan")
    return v if math.isfinite(v) else float("nan")


def performance(returns: np.ndarray, rf: np.ndarray) -> tuple[float, float, float, float]:
    """CAGR, volatility, Sharpe and Sortino (annualised; Sharpe/Sortino on excess returns).

    Computed with empyrical-reloaded (``annual_return``, ``annual_volatility``,
    ``sharpe_ratio`` and ``sortino_ratio`` on ``r - rf``); NaN where undefined (e.g. a
    Sharpe of returns that never vary).
    """
    import empyrical as ep

    r = np.asarray(returns, dtype="float64")
    ex = r - np.asarray(rf, dtype="float64")
    cagr = _f(ep.annual_return(r, period="daily"))
    vol = _f(ep.annual_volatility(r, period="daily"))
    if np.nanstd(ex) < 1e-15:
        return cagr, vol, float("nan"), float("nan")
    sharpe = _f(ep.sharpe_ratio(ex, risk_free=0.0, period="daily"))
    sortino = _f(ep.sortino_ratio(ex, required_return=0.0, period="daily"))
    return cagr, vol, sharpe, sortino


def hit_rate(r: pd.Series, b: pd.Series) -> tuple[float, int]:
    """Share of calendar months in which ``r`` compounded to more than ``b`` (and the count)."""
    both = pd.concat([r.rename("r"), b.rename("b")], axis=1).dropna()
    if both.empty:
        return float("nan"), 0
    monthly = (1.0 + both).groupby(both.index.to_period("M")).prod() - 1.0
    return float((monthly["r"] > monthly["b"]).mean()), int(len(monthly))


def compute(r: pd.Series, b: pd.Series, rf: pd.Series, nav: pd.Series, bench_nav: pd.Series) -> Metrics:
    """All metrics of daily returns ``r`` against benchmark returns ``b`` and cash ``rf``.

    Args:
        r, b, rf: daily simple returns on the same dates (strategy, benchmark, cash).
        nav, bench_nav: the NAV series (one more date than the returns: the start).
    """
    from bubblemachine.claims.stats import hac_mean, hac_ols, nw_lags

    T = TRADING_DAYS
    rv, bv, fv = (np.asarray(x, dtype="float64") for x in (r, b, rf))
    cagr, vol, sharpe, sortino = performance(rv, fv)
    bcagr, bvol, bsharpe, _ = performance(bv, fv)
    dd, bdd = max_drawdown(nav), max_drawdown(bench_nav)
    calmar = cagr / abs(dd.depth) if dd.depth < 0 and math.isfinite(cagr) else float("nan")
    hr, months = hit_rate(r, b)
    y = pd.Series(rv - fv, index=r.index)
    x = pd.Series(bv - fv, index=r.index, name="bench")
    lags = nw_lags(len(y))
    nan = float("nan")
    alpha = alo = ahi = ap = beta = blo = bhi = nan
    if np.nanstd(y.to_numpy()) < 1e-15:
        # Returns that equal cash every day (cash itself): alpha and beta are exactly zero.
        alpha = alo = ahi = beta = blo = bhi = 0.0
        ap = 1.0
    else:
        try:
            fit = hac_ols(y, x, lags=lags)
            alpha, alo, ahi = (T * fit.params["const"], T * fit.ci_low["const"], T * fit.ci_high["const"])
            ap = fit.pvalues["const"]
            beta, blo, bhi = fit.params["bench"], fit.ci_low["bench"], fit.ci_high["bench"]
        except ValueError:
            pass
    diff = rv - bv
    act = alo_a = ahi_a = nan
    if np.nanstd(diff) < 1e-15:
        act = alo_a = ahi_a = float(np.nanmean(diff) * T)
    else:
        try:
            m = hac_mean(diff, lags=lags)
            act, alo_a, ahi_a = T * m.params["const"], T * m.ci_low["const"], T * m.ci_high["const"]
        except ValueError:
            pass
    te = float(np.nanstd(diff, ddof=1) * math.sqrt(T)) if len(diff) > 1 else nan
    ir = float(np.nanmean(diff) * T / te) if te and te > 1e-12 else nan
    sr_p, skew, kurt, n = sharpe_moments(rv - fv)
    return Metrics(
        n=len(rv), start=nav.index[0], end=nav.index[-1], cagr=cagr, vol=vol, sharpe=sharpe, sortino=sortino,
        calmar=calmar, drawdown=dd, hit_rate=hr, months=months, alpha=_f(alpha), alpha_ci_low=_f(alo),
        alpha_ci_high=_f(ahi), alpha_p=_f(ap), beta=_f(beta), beta_ci_low=_f(blo), beta_ci_high=_f(bhi),
        active=_f(act), active_ci_low=_f(alo_a), active_ci_high=_f(ahi_a), tracking_error=te, information_ratio=ir,
        sr_period=sr_p, skew=skew, kurt=kurt, psr=probabilistic_sharpe(sr_p, n, skew, kurt, 0.0),
        benchmark_cagr=bcagr, benchmark_vol=bvol, benchmark_sharpe=bsharpe, benchmark_drawdown=bdd, hac_lags=lags,
    )  # fmt: skip


# ----------------------------------------------------------------------------- verdict
VERDICTS: tuple[str, ...] = ("worked", "failed", "inconclusive", "not testable")
DSR_LEVEL = 0.95
"""A Sharpe ratio counts as skill when its deflated Sharpe ratio is at least this."""
MIN_DAYS = TRADING_DAYS
"""Fewest daily returns (one year) for a verdict."""


def verdict(m: Metrics, deflated: float) -> tuple[str, str]:
    """The verdict and its reason code, by rules declared before any result was seen.

    * ``worked``: alpha's 95% interval above zero, deflated Sharpe >= 0.95 (skill that
      survives the number of strategies tried) and no significant lag in raw return;
    * ``failed``: alpha's interval below zero, or the active return's interval below zero
      (it lost to the benchmark);
    * ``inconclusive``: otherwise (reason: a positive alpha that luck among the trials
      could explain, or no significant difference at all).
    """
    if m.n < MIN_DAYS:
        return "not testable", "too_short"
    a_pos = m.alpha_ci_low > 0
    a_neg = m.alpha_ci_high < 0
    act_neg = m.active_ci_high < 0
    if a_pos and math.isfinite(deflated) and deflated >= DSR_LEVEL and not act_neg:
        return "worked", "alpha_deflated"
    if a_neg:
        return "failed", "alpha_negative"
    if act_neg:
        return "failed", "lagged"
    if a_pos:
        return "inconclusive", "alpha_not_deflated"
    return "inconclusive", "no_difference"
