"""Data shared by the claim tests: prices, net liquidity, weekly panels, baskets, periods.

Every function reads through a :class:`~bubblemachine.claims.context.ClaimContext`, so it
sees only data known at the run's as-of date and, for a fixed window, observed on or before
the window's end. Weekly changes are taken only between observations exactly one week apart
(a gap in a weekly series never stretches a "weekly" change).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from bubblemachine.claims.context import ClaimContext


def cut(s, start: str | pd.Timestamp | None = None, end: str | pd.Timestamp | None = None):
    """``s`` restricted to ``[start, end]`` (either may be None)."""
    return s.loc[pd.Timestamp(start) if start is not None else None : pd.Timestamp(end) if end is not None else None]


def day(ts) -> str:
    """A date as ``YYYY-MM-DD``."""
    return f"{pd.Timestamp(ts):%Y-%m-%d}"


def net_liquidity(ctx: ClaimContext) -> pd.Series:
    """Weekly net liquidity (USD billions, H.4.1 Wednesdays) from the indicators module."""
    from bubblemachine.indicators.liquidity import net_liquidity as nl

    return nl(ctx.series("WALCL"), ctx.series("WTREGEN"), ctx.series("RRPONTSYD"))


def on_dates(prices: pd.Series, dates: pd.DatetimeIndex) -> pd.Series:
    """Last price on or before each date (indicators.liquidity.asof_align)."""
    from bubblemachine.indicators.liquidity import asof_align

    return asof_align(prices, dates)


def weekly_diff(s: pd.Series, *, days: int = 7) -> pd.Series:
    """Change since the previous observation, kept only where that observation is exactly
    ``days`` calendar days earlier (NaN across a gap)."""
    d = s.diff()
    gap = s.index.to_series().diff().dt.days
    return d.where(gap == days)


def weekly_panel(ctx: ClaimContext, assets: Iterable[str], start: str) -> pd.DataFrame:
    """Weekly (Wednesday) ΔNetLiq in USD 100bn (column ``dnl``) and assets' weekly log returns in %.

    The return of week t runs from the close on or before Wednesday t-1 to the close on or
    before Wednesday t, the same week as ΔNetLiq_t. Weeks whose previous H.4.1 reading is not
    exactly 7 days earlier are NaN.
    """
    nl = cut(net_liquidity(ctx), start)
    out = {"dnl": weekly_diff(nl) / 100.0}
    for a in assets:
        p = on_dates(ctx.series(a), nl.index)
        out[a] = 100.0 * weekly_diff(np.log(p))
    return pd.DataFrame(out, index=nl.index).iloc[1:]


def basket_returns(ctx: ClaimContext, tickers: Iterable[str], start: str | None = None) -> pd.Series:
    """Equal-weight daily log return of the members trading on each SPX date (rebalanced daily).

    Members enter when their history starts (a daily mean of available simple returns).
    """
    spx = ctx.series("SPX", start)
    rets = {t: ctx.series(t, start).reindex(spx.index).pct_change(fill_method=None) for t in tickers}
    simple = pd.DataFrame(rets).mean(axis=1, skipna=True)
    return np.log1p(simple).iloc[1:].dropna()


def per_period(s: pd.Series, freq: str, how: str = "last") -> pd.Series:
    """Aggregate ``s`` by period (``"W-WED"``, ``"W-FRI"``, ``"M"``) labelled by the period's end
    date, except the last (partial) period, labelled by the last observed date: no label lies
    after the data (a plain ``resample`` labels a partial period by its future end date).

    Args:
        s: a dated series. freq: pandas period frequency. how: ``"last"`` or ``"sum"``.
    """
    s = s.dropna()
    key = s.index.to_period(freq)
    g = s.groupby(key)
    vals = g.last() if how == "last" else g.sum()
    ends = vals.index.to_timestamp(how="end").normalize()
    ends = ends.where(ends <= s.index[-1], s.index[-1])
    return pd.Series(vals.to_numpy(), index=pd.DatetimeIndex(ends, name="date"), name=s.name)


def monthly_last(s: pd.Series) -> pd.Series:
    """Last value of each calendar month on a complete monthly PeriodIndex (missing months NaN),
    so ``diff(k)`` and ``shift(k)`` always mean k calendar months."""
    s = s.dropna()
    m = s.groupby(s.index.to_period("M")).last()
    return m.reindex(pd.period_range(m.index.min(), m.index.max(), freq="M"))
