"""The liquidity block's calendar and noise, from the data known on a date (issue 9, item 3).

The Treasury General Account moves with the tax calendar: corporate and estimated
individual taxes flow in around the 15th of April, June, September and December (about
+$180bn over three days in 2022-2025), benefit payments drain it in the first days of each
month, and month ends bring coupon settlements and receipts. :func:`fit_liquidity` measures
that pattern as the mean daily change of the TGA per day-of-month bucket, separately for tax
months and other months, from the Daily Treasury Statement when a year of daily closes is
known (from 2023), else from the H.4.1 weekly TGA (WTREGEN, from 2002; weekly averages
smooth the spike, so the pattern is flatter and the residual noise larger). The profile is
centred (its mean over a year is zero): the TGA's trend belongs to the model's deficit,
issuance and target pull. What is left is noise: the sd of the daily residual.

The same fit gives the noise of ON RRP (daily changes) and of the Fed's balance sheet
(weekly WALCL changes around their 13-week trend, per trading day), so the liquidity block's
bands are measured, not zero width. Money funds also move trillions between ON RRP and bills
without notice (2021's rise to $2.4tn, 2023's drain), so ON RRP's settling level follows a
random walk with the sd of its 21-day changes over two years (``rrp_level_sigma``). The Fed's
unannounced policy (QE3, the 2019 bill purchases, 2020) is not modelled as noise: the two
forms tried made the bands too wide to score (``docs/design/living-model.md``).

Units: USD billions per trading day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["BUCKETS", "TAX_MONTHS", "LiquidityFit", "fit_liquidity"]

#: Day-of-month buckets (upper bounds, inclusive): 1-5, 6-10, 11-14, 15-17, 18-20, 21-25, 26-31.
BUCKETS: tuple[int, ...] = (5, 10, 14, 17, 20, 25, 31)
#: Months with quarterly tax dates (estimated taxes due about the 15th).
TAX_MONTHS: tuple[int, ...] = (4, 6, 9, 12)
#: Daily closes needed before the Daily Treasury Statement is used instead of WTREGEN.
MIN_DAILY = 250
#: Years of history the profile is measured on.
YEARS = 5
#: ON RRP's settling level: years of history and the horizon (trading days) of its changes.
LEVEL_YEARS = 2
LEVEL_DAYS = 21


def _cell(dates: pd.DatetimeIndex) -> np.ndarray:
    """Index 0..13 of each date: bucket + 7 for tax months."""
    b = np.searchsorted(np.asarray(BUCKETS), np.asarray(dates.day), side="left")
    return b + 7 * np.isin(np.asarray(dates.month), TAX_MONTHS)


@dataclass(frozen=True)
class LiquidityFit:
    """Calendar and noise of the liquidity block as known on ``asof``.

    Attributes:
        asof: the date.
        profile: mean TGA change (USD bn a trading day) per cell (7 day-of-month buckets,
            other months then tax months), centred over a year.
        tga_sigma: sd of the TGA's shock per trading day around the profile, from 21-day sums
            (daily changes reverse within days), USD bn.
        rrp_sigma: sd of ON RRP's daily change over the last quarter (USD bn).
        rrp_level_sigma: sd per trading day of the random walk of ON RRP's settling level: sd of
            21-day changes over the last two years / sqrt(21) (USD bn).
        fed_sigma: sd of the Fed's balance sheet around its trend, per trading day (USD bn).
        source: what the TGA pattern was measured on.
    """

    asof: str
    profile: tuple[float, ...]
    tga_sigma: float
    rrp_sigma: float
    fed_sigma: float
    source: str
    rrp_level_sigma: float = 0.0

    def tga_seasonal(self, dates: pd.DatetimeIndex) -> np.ndarray:
        """Expected TGA change on each of ``dates`` (USD bn)."""
        return np.asarray(self.profile)[_cell(pd.DatetimeIndex(dates))]


def _profile(changes: pd.Series, per_day: float) -> tuple[np.ndarray, np.ndarray]:
    cells = _cell(pd.DatetimeIndex(changes.index))
    prof = np.array([changes[cells == c].mean() if np.any(cells == c) else 0.0 for c in range(14)]) / per_day
    return np.nan_to_num(prof), cells


def fit_liquidity(store, asof: str, *, years: int = YEARS) -> LiquidityFit:
    """Measure the TGA's calendar and the liquidity block's noise from data known on ``asof``."""
    from bubblemachine.data.calendar import sessions_between

    ts = pd.Timestamp(asof)
    start = ts - pd.DateOffset(years=years)
    daily = store.series("TGA_DAILY", asof=ts).dropna().loc[start:] / 1000.0 if store.has("TGA_DAILY") else pd.Series(dtype=float)
    if len(daily) >= MIN_DAILY:
        ch = daily.diff().dropna()
        prof, cells = _profile(ch, 1.0)
        source = f"Daily Treasury Statement closes {daily.index[0]:%Y-%m-%d}..{daily.index[-1]:%Y-%m-%d}"
        resid = pd.Series(ch.to_numpy() - prof[cells], index=ch.index)
        # daily changes reverse within days (settlement-day lumps): the sd of 21-day sums of
        # the residual, per sqrt(day), is the shock that accumulates over a forecast horizon
        month = resid.rolling(21).sum().dropna()
        tga_sigma = float(month.std(ddof=1) / np.sqrt(21.0)) if len(month) > 21 else float(resid.std(ddof=1))
    else:
        w = store.series("WTREGEN", asof=ts).dropna().loc[start:] / 1000.0
        ch = w.diff().dropna()
        prof, cells = _profile(ch, 5.0)
        source = f"H.4.1 weekly TGA (WTREGEN) {w.index[0]:%Y-%m-%d}..{w.index[-1]:%Y-%m-%d}" if len(w) else "no TGA data"
        resid = ch.to_numpy() / 5.0 - prof[cells] if len(ch) else np.array([0.0, 0.0])
        # resid is a weekly change / 5; iid daily changes of sd s give weekly changes of sd s * sqrt(5)
        tga_sigma = float(np.std(resid, ddof=1)) * np.sqrt(5.0) if len(ch) > 2 else 0.0
    # centre over a year of trading days: the pattern moves money in time, not in total
    year = sessions_between(ts, ts + pd.DateOffset(years=1))
    prof = prof - float(np.mean(prof[_cell(year)]))
    # ON RRP: the last quarter's daily changes (its volatility follows its level: tens of
    # billions a day at $2tn in 2022, a few near zero in 2025)
    rrp = store.series("RRPONTSYD", asof=ts).dropna().iloc[-64:]
    rrp_sigma = float(rrp.diff().dropna().std(ddof=1)) if len(rrp) > 20 else 0.0
    rrp2 = store.series("RRPONTSYD", asof=ts).dropna().loc[ts - pd.DateOffset(years=LEVEL_YEARS):]
    month = rrp2.diff(LEVEL_DAYS).dropna()
    rrp_level_sigma = float(month.std(ddof=1) / np.sqrt(LEVEL_DAYS)) if len(month) > LEVEL_DAYS else 0.0
    walcl = store.series("WALCL", asof=ts).dropna().loc[ts - pd.DateOffset(years=2):] / 1000.0
    wd = walcl.diff().dropna()
    fed_sigma = float((wd - wd.rolling(13, min_periods=4).mean()).dropna().std(ddof=1) / np.sqrt(5.0)) if len(wd) > 8 else 0.0
    return LiquidityFit(asof=f"{ts:%Y-%m-%d}", profile=tuple(float(x) for x in prof), tga_sigma=tga_sigma,
                        rrp_sigma=rrp_sigma, fed_sigma=fed_sigma, source=source,
                        rrp_level_sigma=rrp_level_sigma)
