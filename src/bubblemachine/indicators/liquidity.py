"""Liquidity plumbing: net liquidity and its components (mechanism M2.1, claim C2.1).

Units: FRED publishes WALCL, WTREGEN and WRESBAL in USD millions and RRPONTSYD in USD
billions. Every function here returns **USD billions**.
"""

from __future__ import annotations

import pandas as pd

MILLIONS_PER_BILLION = 1000.0


def net_liquidity(walcl: pd.Series, tga: pd.Series, rrp: pd.Series) -> pd.Series:
    """Net liquidity = Fed total assets - Treasury General Account - overnight reverse repo.

    Computed on the weekly H.4.1 dates of ``walcl`` (Wednesdays). ``tga`` is aligned on the
    same dates exactly (WTREGEN is published with WALCL); ``rrp`` is daily and aligned as-of
    (its last value on or before each Wednesday).

    Args:
        walcl: Fed total assets (FRED WALCL), USD millions, weekly.
        tga: Treasury General Account (FRED WTREGEN), USD millions, weekly.
        rrp: overnight reverse repo take-up (FRED RRPONTSYD), USD **billions**, daily.

    Returns:
        Net liquidity in USD billions on the WALCL dates where all three inputs exist,
        named ``net_liquidity``.
    """
    w = walcl.dropna().sort_index()
    t = tga.dropna().reindex(w.index)
    r = asof_align(rrp, w.index)
    out = (w - t) / MILLIONS_PER_BILLION - r
    out = out.dropna().rename("net_liquidity")
    out.attrs["units"] = "USD billions"
    return out


def asof_align(series: pd.Series, dates: pd.DatetimeIndex) -> pd.Series:
    """The last value of ``series`` on or before each of ``dates`` (NaN before its start)."""
    s = series.dropna().sort_index()
    if s.empty:
        return pd.Series(float("nan"), index=dates, name=series.name)
    pos = s.index.searchsorted(dates, side="right") - 1
    vals = s.to_numpy()[pos.clip(min=0)]
    out = pd.Series(vals, index=dates, name=series.name, dtype="float64")
    out[pos < 0] = float("nan")
    return out


def change(series: pd.Series, weeks: int) -> pd.Series:
    """Change over ``weeks`` observations of a weekly series (same units as the input)."""
    return series.diff(weeks).rename(f"{series.name}_chg{weeks}w")


def millions_to_billions(series: pd.Series) -> pd.Series:
    """Convert a USD-millions series (WALCL, WTREGEN, WRESBAL) to USD billions."""
    out = series / MILLIONS_PER_BILLION
    out.attrs["units"] = "USD billions"
    return out
