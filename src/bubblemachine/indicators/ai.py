"""AI vs the rest (M1.4, M3.1), crypto vs liquidity (C2.1) and hyperscaler capex (F4.2)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

AI_BASKET: tuple[str, ...] = ("NVDA", "MSFT", "META", "GOOGL", "AMZN", "AAPL", "TSLA", "AVGO")
"""The mega-cap AI basket (equal weight, rebalanced daily)."""


def equal_weight_index(prices: Mapping[str, pd.Series], *, base: float = 100.0) -> pd.Series:
    """Equal-weight, daily-rebalanced total index of several price series.

    The index return each day is the arithmetic mean of the members' simple returns; it
    starts (at ``base``) on the first date when every member has a price, and uses only
    dates where all members trade.

    Args:
        prices: ticker -> adjusted close.
        base: starting level.
    """
    frame = pd.DataFrame(dict(prices)).dropna()
    if frame.empty:
        return pd.Series(dtype="float64", name="ai_basket")
    rets = frame.pct_change().iloc[1:]
    level = base * (1.0 + rets.mean(axis=1)).cumprod()
    first = pd.Series([base], index=frame.index[:1])
    return pd.concat([first, level]).rename("ai_basket")


def relative(a: pd.Series, b: pd.Series, *, base: float = 100.0) -> pd.Series:
    """Ratio a / b rebased to ``base`` on the first common date (rising = a outperforms)."""
    both = pd.concat([a, b], axis=1, join="inner").dropna()
    if both.empty:
        return pd.Series(dtype="float64", name=f"{a.name}_vs_{b.name}")
    ratio = both.iloc[:, 0] / both.iloc[:, 1]
    return (base * ratio / ratio.iloc[0]).rename(f"{a.name}_vs_{b.name}")


def rebase(
    series: pd.Series, *, base: float = 100.0, start: pd.Timestamp | None = None
) -> pd.Series:
    """``series`` rebased to ``base`` at ``start`` (default: its first observation)."""
    s = series.dropna()
    if start is not None:
        s = s.loc[start:]
    if s.empty:
        return s.astype("float64")
    return base * s / s.iloc[0]


def weekly_corr(asset: pd.Series, liquidity: pd.Series, *, window: int = 52) -> pd.Series:
    """Rolling correlation of weekly log changes of ``asset`` with weekly changes of liquidity.

    The asset is sampled as-of (last close on or before) each liquidity date (Wednesdays).

    Args:
        asset: daily prices (e.g. BTC in USD).
        liquidity: weekly net liquidity (USD billions).
        window: rolling window in weeks.

    Returns:
        Correlation (between -1 and 1) on the liquidity dates.
    """
    from bubblemachine.indicators.liquidity import asof_align

    px = asof_align(asset, liquidity.index)
    a = np.log(px).diff()
    b = liquidity.diff()
    return a.rolling(window, min_periods=window).corr(b).rename(f"corr_{asset.name}_netliq")


def capex_by_quarter(panel: pd.DataFrame) -> pd.DataFrame:
    """Hyperscaler capex summed across companies by calendar quarter.

    Args:
        panel: the ``HYPERSCALER_CAPEX`` frame (columns ``company``, ``calendar_quarter``,
            ``capex_usd`` in USD).

    Returns:
        DataFrame indexed by calendar quarter (``2025Q3``) with ``capex_bn`` (USD billions),
        ``n_companies``, ``missing`` (comma-separated companies that had reported before but
        not this quarter; empty if complete), ``complete`` (bool) and ``yoy`` (like-for-like growth vs four
        quarters earlier, as a fraction, over the companies reporting in both quarters;
        NaN unless both quarters are complete).
    """
    df = panel[["company", "calendar_quarter", "capex_usd"]].dropna(subset=["capex_usd"])
    df = df.drop_duplicates(["company", "calendar_quarter"], keep="last")
    quarters = sorted(df["calendar_quarter"].unique())
    first = df.groupby("company")["calendar_quarter"].min()
    rows = []
    for q in quarters:
        sub = df[df["calendar_quarter"] == q]
        expected = {c for c, q0 in first.items() if q0 <= q}
        missing = sorted(expected - set(sub["company"]))
        rows.append(
            {
                "quarter": q,
                "capex_bn": sub["capex_usd"].sum() / 1e9,
                "n_companies": len(sub),
                "missing": ",".join(missing),
                "complete": not missing,
            }
        )
    out = pd.DataFrame(rows).set_index("quarter")
    # like-for-like growth: the companies present in both quarters, both quarters complete
    wide = df.pivot(index="calendar_quarter", columns="company", values="capex_usd").reindex(
        out.index
    )
    year_back = (pd.PeriodIndex(out.index, freq="Q") - 4).astype(str)
    yoy = []
    for q, qb in zip(out.index, year_back, strict=True):
        if qb not in out.index or not (out.at[q, "complete"] and out.at[qb, "complete"]):
            yoy.append(np.nan)
            continue
        now, before = wide.loc[q], wide.loc[qb]
        common = now.notna() & before.notna()
        yoy.append(now[common].sum() / before[common].sum() - 1.0 if common.any() else np.nan)
    out["yoy"] = yoy
    return out
