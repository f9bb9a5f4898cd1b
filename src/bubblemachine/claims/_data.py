"""Data access shared by the claim tests: prices, net liquidity, baskets, chart dicts.

Everything respects ``asof``: a series is cut at ``asof`` before any computation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from bubblemachine.data import Store


def cut(s: pd.Series, start: str | None = None, end: str | pd.Timestamp | None = None) -> pd.Series:
    """``s`` restricted to ``[start, end]`` (either may be None)."""
    return s.loc[pd.Timestamp(start) if start else None : pd.Timestamp(end) if end is not None else None]


def px(store: Store, sid: str, asof: pd.Timestamp | None, start: str | None = None) -> pd.Series:
    """A price/level series cut at ``asof`` (and from ``start``)."""
    return cut(store.series(sid, asof=asof), start)


def day(ts: pd.Timestamp) -> str:
    return f"{pd.Timestamp(ts):%Y-%m-%d}"


def net_liquidity(store: Store, asof: pd.Timestamp | None) -> pd.Series:
    """Weekly net liquidity (USD billions, H.4.1 Wednesdays) from the indicators module."""
    from bubblemachine.indicators.liquidity import net_liquidity as nl

    return nl(store.series("WALCL", asof=asof), store.series("WTREGEN", asof=asof), store.series("RRPONTSYD", asof=asof))


def on_dates(prices: pd.Series, dates: pd.DatetimeIndex) -> pd.Series:
    """Last price on or before each date (indicators.liquidity.asof_align)."""
    from bubblemachine.indicators.liquidity import asof_align

    return asof_align(prices, dates)


def weekly_panel(store: Store, asof: pd.Timestamp | None, assets: Iterable[str], start: str) -> pd.DataFrame:
    """Weekly (Wednesday) ΔNetLiq in USD 100bn (column ``dnl``) and assets' weekly log returns in %.

    The return of week t runs from the close on or before Wednesday t-1 to the close on or
    before Wednesday t, the same week as ΔNetLiq_t (both known at Wednesday t).
    """
    nl = cut(net_liquidity(store, asof), start)
    out = {"dnl": nl.diff() / 100.0}
    for a in assets:
        p = on_dates(store.series(a, asof=asof), nl.index)
        out[a] = 100.0 * np.log(p).diff()
    return pd.DataFrame(out, index=nl.index).iloc[1:]


def basket_returns(store: Store, tickers: Iterable[str], asof: pd.Timestamp | None, start: str | None = None) -> pd.Series:
    """Equal-weight daily log return of the members trading on each SPX date (rebalanced daily).

    Members enter when their history starts (a daily mean of available simple returns).
    """
    spx = px(store, "SPX", asof, start)
    rets = {t: px(store, t, asof, start).reindex(spx.index).pct_change(fill_method=None) for t in tickers}
    simple = pd.DataFrame(rets).mean(axis=1, skipna=True)
    return np.log1p(simple).iloc[1:].dropna()


def line_chart(series: Mapping[str, pd.Series], *, y_title: str, weekly: bool = True, digits: int = 4) -> dict[str, Any]:
    """A light chart spec: ``{"kind": "line", "x": [...], "series": {name: [...]}, "y_title"}``."""
    df = pd.DataFrame(dict(series))
    if weekly and len(df) > 600:
        df = df.resample("W-FRI").last()
    df = df.dropna(how="all")
    return {
        "kind": "line",
        "x": [day(d) for d in df.index],
        "series": {k: [None if not np.isfinite(v) else round(float(v), digits) for v in df[k].to_numpy()] for k in df.columns},
        "y_title": y_title,
    }


def clean_number(v: float, digits: int = 6) -> float | None:
    v = float(v)
    return round(v, digits) if np.isfinite(v) else None


def bar_chart(values: Mapping[str, float], *, y_title: str, low: Mapping[str, float] | None = None, high: Mapping[str, float] | None = None) -> dict[str, Any]:
    """A bar chart spec with optional error bars."""
    keys = list(values)
    spec: dict[str, Any] = {"kind": "bar", "x": keys, "series": {"value": [clean_number(values[k]) for k in keys]}, "y_title": y_title}
    if low is not None and high is not None:
        spec["low"] = [clean_number(low[k]) for k in keys]
        spec["high"] = [clean_number(high[k]) for k in keys]
    return spec


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
