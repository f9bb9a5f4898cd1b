"""Statistics for the claim tests: HAC regressions, bootstrap, event studies, breaks.

Everything here is a thin, named wrapper around statsmodels and SciPy, so every claim test
reads the same way and every helper is tested on synthetic data with and without a planted
effect (``tests/claims/test_stats.py``).

Declared conventions (docs/claims.md repeats them):

- **HAC lag rule**: Newey-West (1994) plug-in ``floor(4 * (n / 100) ** (2 / 9))``; for
  regressions on overlapping h-period returns the lag is ``max(h - 1, plug-in)``.
  Bartlett kernel (statsmodels ``cov_type="HAC"``).
- **Block bootstrap**: moving blocks of length ``ceil(n ** (1 / 3))`` (at least 2) unless
  stated, percentile intervals, 1,000 draws, a fixed seed (numpy ``SeedSequence``).
- **Event studies**: market model fitted on an estimation window that ends before the
  event window begins; CAR variance from the estimation residuals with the parameter
  uncertainty term (MacKinlay 1997, eq. 19); mean CAR across events with variance
  ``sum(var_i) / N**2``.
- **Calendar time**: horizons and windows are business days (NYSE trading days, from the
  exchange calendar) or calendar days,
  never counts of observations, so a gap in a series never stretches a window:
  :func:`forward_return_bdays`, :func:`change_bdays`, the event study's estimation window and
  :func:`random_window_test` with ``dates``.
- **No look-ahead**: :func:`lagged` shifts a signal so the value used at date t was known at
  t - k; forward returns (:func:`forward_return`) start at the close of the signal date.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

LEVEL = 0.95
"""Default confidence level of every interval."""


# ----------------------------------------------------------------------------- helpers
def nw_lags(n: int, *, horizon: int = 1) -> int:
    """HAC lag rule: ``max(horizon - 1, floor(4 * (n / 100) ** (2 / 9)))``.

    Args:
        n: number of observations.
        horizon: overlap of the dependent variable in periods (1 = no overlap).
    """
    if n <= 0:
        return 0
    return int(max(horizon - 1, math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0))))


def block_length(n: int) -> int:
    """Moving-block length rule: ``max(2, ceil(n ** (1/3)))``."""
    return int(max(2, math.ceil(max(n, 1) ** (1.0 / 3.0))))


def lagged(signal: pd.Series, k: int = 1) -> pd.Series:
    """The signal known k periods earlier (value at t is ``signal[t - k]``): no look-ahead."""
    if k < 0:
        raise ValueError(f"lagged: k must be >= 0 (got {k}); a negative lag looks ahead")
    return signal.shift(k)


def forward_return(prices: pd.Series, h: int) -> pd.Series:
    """Log return from the close of t to the close of t + h (NaN for the last h dates)."""
    lp = np.log(prices.astype(float))
    return (lp.shift(-h) - lp).rename(f"fwd{h}")


def _days(index: pd.Index) -> np.ndarray:
    return np.asarray(pd.DatetimeIndex(index).values.astype("datetime64[D]"))


@functools.cache
def trading_calendar() -> np.busdaycalendar:
    """Business days of the claims: NYSE trading days (weekdays less the exchange's holidays,
    from :mod:`bubblemachine.data.calendar`, 1990 on; before 1990 every weekday counts)."""
    from bubblemachine.data.calendar import sessions

    s = np.asarray(sessions().values.astype("datetime64[D]"))
    weekdays = np.arange(s[0], s[-1] + np.timedelta64(1, "D"))
    weekdays = weekdays[np.is_busday(weekdays)]
    return np.busdaycalendar(holidays=np.setdiff1d(weekdays, s))


def bday_offset(days: np.ndarray, n, *, roll: str) -> np.ndarray:
    """``numpy.busday_offset`` on :func:`trading_calendar` (dates as ``datetime64[D]``)."""
    return np.busday_offset(days, n, roll=roll, busdaycal=trading_calendar())


def bday_count(start, end) -> np.ndarray:
    """Trading days in ``[start, end)`` (``numpy.busday_count`` on :func:`trading_calendar`)."""
    return np.busday_count(start, end, busdaycal=trading_calendar())


def value_after_bdays(s: pd.Series, bdays: int) -> pd.Series:
    """The last value of ``s`` on or before t + ``bdays`` business days, for each date t.

    Business days are NYSE trading days (a date off the calendar rolls to the next one). NaN where
    t + ``bdays`` lies after the last observation (the horizon is not observed yet).
    """
    if bdays < 1:
        raise ValueError(f"value_after_bdays: bdays must be >= 1 (got {bdays})")
    d = _days(s.index)
    v = s.to_numpy(dtype=float)
    if len(d) == 0:
        return s.astype(float)
    target = bday_offset(d, bdays, roll="forward")
    pos = np.searchsorted(d, target, side="right") - 1
    return pd.Series(np.where(target <= d[-1], v[pos], np.nan), index=s.index, name=s.name)


def forward_return_bdays(prices: pd.Series, bdays: int) -> pd.Series:
    """Log return from the close of t to the last close on or before t + ``bdays`` business
    days (NaN where that horizon is not observed yet)."""
    lp = np.log(prices.astype(float))
    return (value_after_bdays(lp, bdays) - lp).rename(f"fwd{bdays}b")


def change_bdays(s: pd.Series, bdays: int) -> pd.Series:
    """``s[t]`` minus its last value on or before t - ``bdays`` business days (NaN before the data)."""
    if bdays < 1:
        raise ValueError(f"change_bdays: bdays must be >= 1 (got {bdays})")
    d = _days(s.index)
    target = bday_offset(d, -bdays, roll="backward")
    pos = np.searchsorted(d, target, side="right") - 1
    v = s.to_numpy(dtype=float)
    out = np.where(pos >= 0, v - v[np.maximum(pos, 0)], np.nan)
    return pd.Series(out, index=s.index, name=s.name)


def log_returns(prices: pd.Series) -> pd.Series:
    """Daily (per-observation) log returns."""
    return np.log(prices.astype(float)).diff().dropna()


def z_crit(level: float = LEVEL) -> float:
    """Two-sided normal critical value."""
    from scipy import stats

    return float(stats.norm.ppf(0.5 + level / 2.0))


# ----------------------------------------------------------------------------- OLS + HAC
@dataclass(frozen=True)
class OLSResult:
    """An OLS fit with HAC (Newey-West) standard errors.

    Attributes:
        params, se, pvalues, ci_low, ci_high: by regressor name (``const`` for the intercept).
        n: observations used. lags: HAC lags. r2: R squared.
    """

    params: dict[str, float]
    se: dict[str, float]
    pvalues: dict[str, float]
    ci_low: dict[str, float]
    ci_high: dict[str, float]
    n: int
    lags: int
    r2: float
    ssr: float


def hac_ols(
    y: pd.Series,
    X: pd.DataFrame | pd.Series,
    *,
    lags: int | None = None,
    horizon: int = 1,
    const: bool = True,
    level: float = LEVEL,
) -> OLSResult:
    """OLS of ``y`` on ``X`` with HAC standard errors (rows with any NaN dropped).

    Args:
        y: dependent variable.
        X: regressors (a Series is one regressor named after it).
        lags: HAC lags (default :func:`nw_lags` with ``horizon``).
        horizon: overlap of ``y`` (h-period returns sampled daily: h).
        const: add an intercept named ``const``.
        level: confidence level of the intervals.
    """
    from statsmodels.regression.linear_model import OLS  # not statsmodels.api: 3x faster import

    if isinstance(X, pd.Series):
        X = X.to_frame(X.name or "x")
    df = pd.concat([y.rename("__y"), X], axis=1, join="inner").dropna()
    if len(df) < X.shape[1] + 3:
        raise ValueError(f"hac_ols: only {len(df)} complete observations")
    exog = df.drop(columns="__y")
    flat = [c for c in exog.columns if exog[c].nunique() < 2]
    if const and flat:
        raise ValueError(f"hac_ols: regressor {', '.join(map(str, flat))} does not vary in the sample")
    if const:
        exog = exog.copy()
        exog.insert(0, "const", 1.0)
    n = len(df)
    L = nw_lags(n, horizon=horizon) if lags is None else int(lags)
    fit = OLS(df["__y"].to_numpy(), exog).fit(cov_type="HAC", cov_kwds={"maxlags": L})
    ci = fit.conf_int(alpha=1.0 - level)
    names = list(exog.columns)
    return OLSResult(
        params={k: float(v) for k, v in zip(names, fit.params, strict=False)},
        se={k: float(v) for k, v in zip(names, fit.bse, strict=False)},
        pvalues={k: float(v) for k, v in zip(names, fit.pvalues, strict=False)},
        ci_low={k: float(v) for k, v in zip(names, np.asarray(ci)[:, 0], strict=False)},
        ci_high={k: float(v) for k, v in zip(names, np.asarray(ci)[:, 1], strict=False)},
        n=n,
        lags=L,
        r2=float(fit.rsquared),
        ssr=float(fit.ssr),
    )


def hac_mean(x: pd.Series | np.ndarray, *, lags: int | None = None, horizon: int = 1, level: float = LEVEL) -> OLSResult:
    """Mean of ``x`` with a HAC interval (OLS on a constant)."""
    s = pd.Series(np.asarray(x, dtype=float)).dropna().reset_index(drop=True)
    ones = pd.Series(1.0, index=s.index, name="const")
    return hac_ols(s, ones, lags=lags, horizon=horizon, const=False, level=level)


# ----------------------------------------------------------------------------- lead-lag
def lead_lag(
    x: pd.Series, y: pd.Series, *, max_lag: int = 4, level: float = LEVEL, ks: Sequence[int] | None = None
) -> pd.DataFrame:
    """Cross-correlations and HAC slopes of ``y_t`` on ``x_{t-k}`` for k = -max_lag..max_lag.

    Positive k: x leads y by k periods (x known before y). Negative k: y leads x.
    ``ks`` restricts the lags computed (default: all of -max_lag..max_lag).

    Returns:
        DataFrame indexed by k with ``corr``, ``beta``, ``ci_low``, ``ci_high``, ``p``, ``n``.
    """
    rows = []
    for k in range(-max_lag, max_lag + 1) if ks is None else ks:
        xk = x.shift(k).rename("x")
        both = pd.concat([y.rename("y"), xk], axis=1).dropna()
        fit = hac_ols(both["y"], both["x"], level=level)
        rows.append(
            {
                "k": k,
                "corr": float(both["y"].corr(both["x"])),
                "beta": fit.params["x"],
                "ci_low": fit.ci_low["x"],
                "ci_high": fit.ci_high["x"],
                "p": fit.pvalues["x"],
                "n": fit.n,
            }
        )
    return pd.DataFrame(rows).set_index("k")


# ----------------------------------------------------------------------------- statistics for the bootstrap
def corr_stat(a: np.ndarray) -> np.ndarray:
    """Pearson correlation of columns 0 and 1 for arrays ``(..., n, 2)`` (vectorised)."""
    x = a[..., 0] - a[..., 0].mean(axis=-1, keepdims=True)
    y = a[..., 1] - a[..., 1].mean(axis=-1, keepdims=True)
    return (x * y).sum(-1) / np.sqrt((x * x).sum(-1) * (y * y).sum(-1))


def sum_stat(a: np.ndarray) -> np.ndarray:
    """Sum over the last axis (a cumulative log-return difference)."""
    return a.sum(axis=-1) if a.ndim > 1 else a.sum()


# ----------------------------------------------------------------------------- bootstrap
def block_indices(n: int, n_boot: int, *, block: int | None = None, seed: int | np.random.SeedSequence = 0) -> np.ndarray:
    """Moving-block bootstrap indices, shape ``(n_boot, n)`` (Kunsch 1989).

    Each draw concatenates blocks ``[s, s + block)`` with uniformly drawn starts and is cut
    to length n.
    """
    b = block_length(n) if block is None else max(1, int(block))
    b = min(b, n)
    rng = np.random.default_rng(seed)
    n_blocks = -(-n // b)
    starts = rng.integers(0, n - b + 1, size=(n_boot, n_blocks))
    idx = (starts[:, :, None] + np.arange(b)[None, None, :]).reshape(n_boot, n_blocks * b)
    return idx[:, :n]


@dataclass(frozen=True)
class BootResult:
    """A statistic with a block-bootstrap percentile interval.

    Attributes:
        estimate: the statistic on the data. ci_low, ci_high: percentile interval.
        p_value: two-sided bootstrap p-value for ``estimate == 0`` (2 x the share of draws on
            the other side of zero, shifted to the null; capped at 1).
        draws: the bootstrap statistics (n_boot,). n: sample size. block: block length.
    """

    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    draws: np.ndarray = field(repr=False)
    n: int = 0
    block: int = 0


def block_bootstrap(
    data: np.ndarray | pd.Series | pd.DataFrame,
    statistic: Callable[[np.ndarray], np.ndarray | float],
    *,
    n_boot: int = 1000,
    block: int | None = None,
    seed: int | np.random.SeedSequence = 0,
    level: float = LEVEL,
    vectorized: bool = True,
) -> BootResult:
    """Moving-block bootstrap of a statistic of (possibly multivariate) time series.

    Args:
        data: array ``(n,)`` or ``(n, k)``; rows are resampled jointly (keeps cross-correlation).
        statistic: with ``vectorized=True`` maps ``(n_boot, n[, k])`` to ``(n_boot,)`` and also
            accepts ``(1, n[, k])`` for the point estimate; else maps ``(n[, k])`` to a float.
        n_boot: draws. block: block length (default :func:`block_length`). seed: RNG seed.
        level: confidence level.
    """
    arr = np.asarray(data, dtype=float)
    n = arr.shape[0]
    b = block_length(n) if block is None else int(block)
    idx = block_indices(n, n_boot, block=b, seed=seed)
    if vectorized:
        est = float(np.asarray(statistic(arr[None, ...])).reshape(-1)[0])
        draws = np.asarray(statistic(arr[idx]), dtype=float).reshape(-1)
    else:
        est = float(statistic(arr))
        draws = np.array([statistic(arr[i]) for i in idx], dtype=float)
    draws = draws[np.isfinite(draws)]
    a = (1.0 - level) / 2.0
    lo, hi = (float(v) for v in np.quantile(draws, [a, 1.0 - a]))
    centred = draws - draws.mean()
    p = float(min(1.0, np.mean(np.abs(centred) >= abs(est)) if len(draws) else float("nan")))
    return BootResult(est, lo, hi, p, draws, n, b)


# ----------------------------------------------------------------------------- event study
@dataclass(frozen=True)
class EventResult:
    """Cumulative abnormal returns around events.

    Attributes:
        car: CAR of each event (log-return units), by event label.
        car_se: its standard error. mean_car, mean_se, ci_low, ci_high, p_value: across events.
        n_events: events used. window: the event window (trading days, inclusive).
        model: "market" or "mean".
    """

    car: dict[str, float]
    car_se: dict[str, float]
    mean_car: float
    mean_se: float
    ci_low: float
    ci_high: float
    p_value: float
    n_events: int
    window: tuple[int, int]
    model: str
    n_obs: int
    first_day: str = ""
    last_day: str = ""


def event_study(
    returns: pd.Series,
    events: Sequence[tuple[str, str | pd.Timestamp, str | pd.Timestamp | None]],
    *,
    market: pd.Series | None = None,
    estimation: tuple[int, int] = (-260, -11),
    level: float = LEVEL,
) -> EventResult:
    """Event study with windows declared up front.

    Args:
        returns: daily log returns of the asset (trading days).
        events: ``(label, start, end)``: the event window runs from the first trading day on
            or after ``start`` to the last on or before ``end`` (inclusive). ``end=None`` is
            not allowed: declare the window.
        market: market log returns (market model); None uses the estimation-window mean.
        estimation: estimation window in business days (NYSE trading days) relative to the first
            trading day of the event window, both ends included (it must end before 0); an
            event whose estimation window starts before the data is skipped.
        level: confidence level.
    """
    from scipy import stats

    if estimation[1] >= 0:
        raise ValueError("event_study: the estimation window must end before the event window")
    r = returns.dropna()
    if market is not None:
        both = pd.concat([r.rename("r"), market.rename("m")], axis=1, join="inner").dropna()
    else:
        both = r.rename("r").to_frame()
    dates = both.index
    days = _days(dates)
    cars: dict[str, float] = {}
    ses: dict[str, float] = {}
    n_obs = 0
    lengths = []
    seen: list[pd.Timestamp] = []
    for label, start, end in events:
        if end is None:
            raise ValueError(f"event {label}: declare the end of its window")
        i0 = int(dates.searchsorted(pd.Timestamp(start), side="left"))
        i1 = int(dates.searchsorted(pd.Timestamp(end), side="right")) - 1
        if i1 < i0 or i0 >= len(dates):
            continue
        lo, hi = bday_offset(days[i0], [estimation[0], estimation[1]], roll="forward")
        if lo < days[0]:
            continue
        e0 = int(np.searchsorted(days, lo, side="left"))
        e1 = int(np.searchsorted(days, hi, side="right")) - 1
        if e1 - e0 < 20:
            continue
        est = both.iloc[e0 : e1 + 1]
        ev = both.iloc[i0 : i1 + 1]
        L = len(ev)
        T = len(est)
        if market is not None:
            m = est["m"].to_numpy()
            mbar = m.mean()
            sxx = float(((m - mbar) ** 2).sum())
            beta = float(((m - mbar) * (est["r"].to_numpy() - est["r"].mean())).sum() / sxx)
            alpha = float(est["r"].mean() - beta * mbar)
            resid = est["r"].to_numpy() - alpha - beta * m
            s2 = float((resid**2).sum() / (T - 2))
            ar = ev["r"].to_numpy() - alpha - beta * ev["m"].to_numpy()
            var = s2 * (L + L**2 / T + (float(ev["m"].sum()) - L * mbar) ** 2 / sxx)
        else:
            mu = float(est["r"].mean())
            s2 = float(est["r"].var(ddof=1))
            ar = ev["r"].to_numpy() - mu
            var = s2 * (L + L**2 / T)
        cars[label] = float(ar.sum())
        ses[label] = math.sqrt(var)
        n_obs += L
        lengths.append(L)
        seen += [ev.index[0], ev.index[-1]]
    N = len(cars)
    if N == 0:
        raise ValueError("event_study: no event has data for its windows")
    mean = float(np.mean(list(cars.values())))
    se = math.sqrt(sum(v**2 for v in ses.values())) / N
    z = z_crit(level)
    p = float(2 * stats.norm.sf(abs(mean / se))) if se > 0 else float("nan")
    return EventResult(cars, ses, mean, se, mean - z * se, mean + z * se, p, N, (0, max(lengths) - 1),
                       "market" if market is not None else "mean", n_obs, f"{min(seen):%Y-%m-%d}", f"{max(seen):%Y-%m-%d}")  # fmt: skip


# ----------------------------------------------------------------------------- random windows
def random_window_test(
    series_change: Callable[[np.ndarray, np.ndarray], np.ndarray],
    n_dates: int,
    windows: Sequence[tuple[int, int]],
    *,
    n_draws: int = 2000,
    seed: int | np.random.SeedSequence = 0,
    exclude: Sequence[tuple[int, int]] = (),
    level: float = LEVEL,
    dates: pd.DatetimeIndex | None = None,
) -> tuple[float, float, float, float, np.ndarray]:
    """Compare the mean change over declared windows with same-length random windows.

    Args:
        series_change: ``f(starts, ends) -> changes`` (vectorised over index arrays).
        n_dates: length of the series.
        windows: the declared event windows as ``(start_index, end_index)``.
        n_draws: random draws of a full set of windows (same lengths).
        seed: RNG seed. exclude: index ranges random windows may not overlap.
        level: confidence level.
        dates: the series' dates; when given, "same length" means the same calendar span (a
            random window ends at the last observation on or before its start plus the
            declared window's span), not the same number of observations.

    Returns:
        ``(effect, ci_low, ci_high, p_value, null_means)``: effect = observed mean change minus
        the mean of the null; the interval is the effect's sampling spread taken from the
        null (observed minus null quantiles); p two-sided.
    """
    rng = np.random.default_rng(seed)
    starts = np.array([w[0] for w in windows])
    ends = np.array([w[1] for w in windows])
    observed = float(np.mean(series_change(starts, ends)))
    lengths = ends - starts
    banned = np.zeros(n_dates, dtype=bool)
    for a, b in exclude:
        banned[max(a, 0) : b + 1] = True
    null = np.empty((n_draws, len(windows)))
    day = _days(dates) if dates is not None else None
    for j, L in enumerate(lengths):
        if day is None:
            s = rng.integers(0, n_dates - L, size=n_draws * 3)
            e = s + L
        else:
            span = day[ends[j]] - day[starts[j]]
            last_start = int(np.searchsorted(day, day[-1] - span, side="right"))
            s = rng.integers(0, max(last_start, 1), size=n_draws * 3)
            e = np.searchsorted(day, day[s] + span, side="right") - 1
        ok = ~(banned[s] | banned[np.minimum(e, n_dates - 1)]) & (e > s)
        s, e = s[ok][:n_draws], e[ok][:n_draws]
        if len(s) < n_draws:
            s, e = np.resize(s, n_draws), np.resize(e, n_draws)
        null[:, j] = series_change(s, e)
    null_means = null.mean(axis=1)
    effect, lo, hi, p = excess_over_null(observed, null_means, level=level)
    return effect, lo, hi, p, null_means


def excess_over_null(observed: float, null: np.ndarray, *, level: float = LEVEL) -> tuple[float, float, float, float]:
    """An observed value against draws of the same statistic under no effect.

    Returns:
        ``(effect, ci_low, ci_high, p)``: effect = observed minus the null mean; the interval
        is the effect's sampling spread taken from the null (observed minus its centred
        quantiles); p two-sided (twice the smaller tail share, capped at 1).
    """
    null = np.asarray(null, dtype=float)
    centre = float(null.mean())
    a = (1.0 - level) / 2.0
    q_lo, q_hi = np.quantile(null - centre, [a, 1.0 - a])
    effect = float(observed) - centre
    p = float(min(1.0, 2 * min(np.mean(null - centre >= effect), np.mean(null - centre <= effect))))
    return effect, float(effect - q_hi), float(effect - q_lo), p


# ----------------------------------------------------------------------------- breaks
@dataclass(frozen=True)
class BreakResult:
    """Structural break at a declared date.

    Attributes:
        chow_f, chow_p: Chow F test (homoskedastic) of all coefficients.
        slope_pre, slope_post: slope of y on x before and after.
        diff, diff_se, diff_ci_low, diff_ci_high, diff_p: post minus pre slope, HAC.
        n_pre, n_post: observations.
    """

    chow_f: float
    chow_p: float
    slope_pre: float
    slope_post: float
    diff: float
    diff_se: float
    diff_ci_low: float
    diff_ci_high: float
    diff_p: float
    n_pre: int
    n_post: int
    lags: int


def break_test(y: pd.Series, x: pd.Series, at: str | pd.Timestamp, *, level: float = LEVEL, horizon: int = 1) -> BreakResult:
    """Chow test at a declared date plus a HAC difference-in-slopes test.

    Model: ``y = a + b x + c D + d D x``, ``D = 1`` from ``at`` on; ``d`` is the slope change.
    """
    from scipy import stats

    df = pd.concat([y.rename("y"), x.rename("x")], axis=1).dropna()
    D = (df.index >= pd.Timestamp(at)).astype(float)
    n_post = int(D.sum())
    n_pre = len(df) - n_post
    if n_pre < 5 or n_post < 5:
        raise ValueError(f"break_test: too few observations on one side of {at} ({n_pre} before, {n_post} after)")
    X = pd.DataFrame({"x": df["x"], "D": D, "Dx": D * df["x"]}, index=df.index)
    full = hac_ols(df["y"], X, level=level, horizon=horizon)
    Z = np.column_stack([np.ones(len(df)), df["x"].to_numpy()])
    resid = df["y"].to_numpy() - Z @ np.linalg.lstsq(Z, df["y"].to_numpy(), rcond=None)[0]
    ssr_restricted = float(resid @ resid)
    k = 2
    n = len(df)
    F = ((ssr_restricted - full.ssr) / k) / (full.ssr / (n - 2 * k))
    p_f = float(stats.f.sf(F, k, n - 2 * k))
    b = full.params["x"]
    d = full.params["Dx"]
    return BreakResult(float(F), p_f, b, b + d, d, full.se["Dx"], full.ci_low["Dx"], full.ci_high["Dx"], full.pvalues["Dx"], n_pre, n_post, full.lags)


# ----------------------------------------------------------------------------- rank correlation
def rank_corr(x: Sequence[float] | pd.Series, y: Sequence[float] | pd.Series) -> tuple[float, float, int]:
    """Spearman rank correlation, its two-sided p-value (SciPy) and n (pairs with NaN dropped)."""
    from scipy import stats

    df = pd.DataFrame({"x": np.asarray(x, dtype=float), "y": np.asarray(y, dtype=float)}).dropna()
    res = stats.spearmanr(df["x"], df["y"])
    return float(res.statistic), float(res.pvalue), len(df)


# ----------------------------------------------------------------------------- multiple testing
def adjust_pvalues(pvalues: Sequence[float | None], *, method: str = "holm") -> list[float | None]:
    """Holm (``"holm"``) or Benjamini-Hochberg (``"fdr_bh"``) adjusted p-values (statsmodels).

    None/NaN entries (tests without a p-value) stay None and are not counted.
    """
    from statsmodels.stats.multitest import multipletests

    vals = [None if p is None or (isinstance(p, float) and math.isnan(p)) else float(p) for p in pvalues]
    pos = [i for i, v in enumerate(vals) if v is not None]
    out: list[float | None] = [None] * len(vals)
    if not pos:
        return out
    adj = multipletests([vals[i] for i in pos], method=method)[1]
    for i, a in zip(pos, adj, strict=False):
        out[i] = float(a)
    return out


def t_interval(values: Sequence[float], *, level: float = LEVEL) -> tuple[float, float, float, float]:
    """Mean of a few independent values with a Student-t interval: (mean, low, high, p)."""
    from scipy import stats

    v = np.asarray([x for x in values if x == x], dtype=float)
    n = len(v)
    m = float(v.mean())
    if n < 2:
        return m, float("nan"), float("nan"), float("nan")
    se = float(v.std(ddof=1) / math.sqrt(n))
    t = float(stats.t.ppf(0.5 + level / 2.0, n - 1))
    p = float(2 * stats.t.sf(abs(m / se), n - 1)) if se > 0 else float("nan")
    return m, m - t * se, m + t * se, p


def summary(d: dict[str, Any]) -> dict[str, Any]:
    """Round floats in a details dict for display/JSON (6 significant digits)."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, float):
            out[k] = float(f"{v:.6g}") if math.isfinite(v) else None
        else:
            out[k] = v
    return out
