"""What happened: the realised level of each scored series on a target date, and the
random-walk benchmarks' scales as known at an origin.

Definitions match the calibration's period-0 values (``calibrate.history``), so a forecast
and its outcome measure the same thing:

* single series: the last observation on or before the target date (the final vintage);
* baskets (m7, midcap_ai, energy): 100 at the origin times the equal-weight, daily
  rebalanced basket's growth from the origin to the target date;
* liquidity (USD bn): fed_assets = WALCL, tga = WTREGEN, reserves = WRESBAL (H.4.1, /1000),
  on_rrp = RRPONTSYD, net_liquidity = fed_assets - tga - on_rrp, each on or before the date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bubblemachine.calibrate.history import (
    BASKETS,
    LIQUIDITY_SOURCES,
    PRICE_SOURCES,
    RATE_SOURCES,
    basket_log_changes,
    daily_changes,
)

__all__ = ["GROUPS", "LOG_SERIES", "SCORED", "Truth", "group_of", "rw_scales"]

#: Scored series by group (the issue's targets are per group).
GROUPS: dict[str, tuple[str, ...]] = {
    "prices": ("spx", "ndx", "m7", "chips", "memory", "midcap_ai", "software", "energy", "btc", "eth"),
    "rates": ("ust2y", "ust10y", "ig_oas", "hy_oas", "vix"),
    "liquidity": ("net_liquidity", "tga", "reserves", "on_rrp", "fed_assets"),
}
#: Every scored series, in display order.
SCORED: tuple[str, ...] = tuple(s for members in GROUPS.values() for s in members)
#: Series whose benchmark is log-normal (prices, baskets, VIX); the others are normal in levels.
LOG_SERIES: frozenset[str] = frozenset(GROUPS["prices"]) | {"vix"}

_WEEKLY = {"fed_assets": "WALCL", "tga": "WTREGEN", "reserves": "WRESBAL"}


def group_of(series: str) -> str:
    for g, members in GROUPS.items():
        if series in members:
            return g
    raise KeyError(series)


def _asof(s: pd.Series, day: pd.Timestamp) -> float:
    s = s.loc[:day].dropna()
    return float(s.iloc[-1]) if len(s) else float("nan")


@dataclass
class Truth:
    """Realised levels from the full store (final vintage), cached per series."""

    store: object

    def __post_init__(self) -> None:
        self._cache: dict[str, pd.Series] = {}

    def _s(self, sid: str) -> pd.Series:
        if sid not in self._cache:
            self._cache[sid] = self.store.series(sid)
        return self._cache[sid]

    def last_date(self, series: str) -> pd.Timestamp:
        """The last date with an observation of ``series`` (targets after it are not scored)."""
        if series in BASKETS:
            return min(self._s(m).index.max() for m in BASKETS[series] if self.store.has(m))
        if series == "net_liquidity":
            return min(self._s(s).index.max() for s in ("WALCL", "WTREGEN", "RRPONTSYD"))
        return self._s(self.source(series)).index.max()

    @staticmethod
    def source(series: str) -> str:
        if series in RATE_SOURCES:
            return RATE_SOURCES[series]
        if series in LIQUIDITY_SOURCES:
            return LIQUIDITY_SOURCES[series][0]
        return PRICE_SOURCES[series]

    def listed(self, series: str, origin: pd.Timestamp) -> bool:
        """Whether ``series`` had data at ``origin`` (a placeholder start is never scored)."""
        if series in BASKETS or series == "net_liquidity":
            return True
        s = self._s(self.source(series)).loc[:origin].dropna()
        return len(s) > 0 and (origin - s.index[-1]).days <= 14

    def value(self, series: str, origin: pd.Timestamp, target: pd.Timestamp) -> float:
        """The realised level of ``series`` on ``target`` (NaN when not observed)."""
        if series in BASKETS:
            from bubblemachine.data.calendar import sessions_between

            days = sessions_between(origin, target)
            if len(days) < 2:
                return 100.0
            ch = basket_log_changes(self.store, BASKETS[series], days, f"{self.last_date(series):%Y-%m-%d}")
            return float(100.0 * np.exp(ch.fillna(0.0).sum()))
        if series == "net_liquidity":
            return (_asof(self._s("WALCL"), target) - _asof(self._s("WTREGEN"), target)) / 1000.0 - _asof(
                self._s("RRPONTSYD"), target)
        if series in LIQUIDITY_SOURCES:
            sid, div = LIQUIDITY_SOURCES[series]
            return _asof(self._s(sid), target) / div
        return _asof(self._s(self.source(series)), target)


def _weekly_sigma(store, sid: str, origin: pd.Timestamp, weeks: int, div: float) -> float:
    """Sd per trading day of a weekly series' changes over ``weeks`` known weeks."""
    s = store.series(sid, asof=origin).dropna().iloc[-(weeks + 1):] / div
    d = s.diff().dropna()
    return float(d.std(ddof=1) / np.sqrt(5.0)) if len(d) > 4 else float("nan")


def _daily_sigma(store, sid: str, origin: pd.Timestamp, days: int) -> float:
    s = store.series(sid, asof=origin).dropna().iloc[-(days + 1):]
    d = s.diff().dropna()
    return float(d.std(ddof=1)) if len(d) > 20 else float("nan")


def rw_scales(store, origin: str, years: int) -> dict[str, float]:
    """Random-walk scale per trading day of each scored series, from ``years`` before ``origin``
    (data known then): sd of daily log changes (prices, baskets, VIX) or of daily changes in
    levels (rates, spreads: percentage points; liquidity: USD bn, from weekly changes)."""
    ts = pd.Timestamp(origin)
    ch = daily_changes(store, origin, years, complete=False)
    out: dict[str, float] = {s: float(ch[s].std(ddof=1)) if ch[s].notna().sum() > 20 else float("nan")
                             for s in ("spx", "ndx", "m7", "chips", "memory", "midcap_ai", "software", "energy",
                                       "btc", "eth", "ust2y", "ust10y", "ig_oas", "hy_oas", "vix")}
    weeks = 52 * years
    for name, sid in _WEEKLY.items():
        out[name] = _weekly_sigma(store, sid, ts, weeks, 1000.0)
    out["on_rrp"] = _daily_sigma(store, "RRPONTSYD", ts, 252 * years)
    # net liquidity: weekly changes of the H.4.1 combination
    w = store.series("WALCL", asof=ts).dropna()
    t = store.series("WTREGEN", asof=ts).dropna().reindex(w.index)
    r = store.series("RRPONTSYD", asof=ts).dropna()
    rr = r.reindex(r.index.union(w.index)).ffill().reindex(w.index)
    nl = ((w - t) / 1000.0 - rr).dropna().iloc[-(weeks + 1):]
    d = nl.diff().dropna()
    out["net_liquidity"] = float(d.std(ddof=1) / np.sqrt(5.0)) if len(d) > 4 else float("nan")
    return out
