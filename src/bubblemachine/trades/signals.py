"""Signals on monitor indicators, evaluated with what was known on each decision date.

On history an indicator observation counts only from its **knowledge date**: the date the
store's point-in-time view (``store.frame(sid, asof=d)``: what was known on ``d``) first
contains it. A derived indicator is known when its last input is (net liquidity on a
Wednesday: when the H.4.1 of that week and the ON RRP of that day were both public). The
strategy trades on the next trading day (:mod:`.backtest`).

A condition compares either the latest known level or its change over ``change_days``
calendar days: ``latest known value - the last value dated on or before d - change_days``,
both from what was known on ``d``.

The knowledge dates come from ``store.known(sid)`` when the store publishes them (one
vectorised pass); a store without them counts every row as known on its own date. Knowledge
dates that do not grow with the observation dates (revised or late rows) fall back to one
``store.series(sid, asof=d)`` call per decision date, the store's contract itself. A test
checks the fast path against that contract.

The same :func:`values_at` evaluates the model's simulated indicators (:mod:`.scenarios`): a
path's series is the real history known on the model's first day, then the path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bubblemachine.trades.spec import Condition

INPUTS: dict[str, tuple[str, ...]] = {
    "net_liquidity": ("WALCL", "WTREGEN", "RRPONTSYD"),
    "real10y": ("DFII10",),
    "ust10y": ("DGS10",),
    "ust2y": ("DGS2",),
    "hy_oas": ("BAMLH0A0HYM2",),
    "ig_oas": ("BAMLC0A0CM",),
    "vix": ("VIX",),
}
"""Store series each indicator is computed from (the monitor's definitions)."""


@dataclass(frozen=True)
class KnownSeries:
    """An indicator's observations with the date each became known.

    Attributes:
        values: observations (ascending observation dates, no NaN).
        obs: observation dates (``datetime64[ns]``).
        known: knowledge dates (``datetime64[ns]``), one per observation.
    """

    values: np.ndarray
    obs: np.ndarray
    known: np.ndarray

    @property
    def monotone(self) -> bool:
        """Whether knowledge dates never decrease (what is known on any date is a prefix)."""
        return bool(len(self.known) < 2 or np.all(np.diff(self.known) >= np.timedelta64(0, "ns")))

    def known_on(self, d: pd.Timestamp) -> KnownSeries:
        """The observations known on ``d``."""
        keep = self.known <= np.datetime64(d, "ns")
        return KnownSeries(self.values[keep], self.obs[keep], self.known[keep])


def _compute(indicator: str, parts: list[pd.Series]) -> pd.Series:
    if indicator == "net_liquidity":
        from bubblemachine.indicators.liquidity import net_liquidity

        return net_liquidity(*parts)
    return parts[0]


def _knowledge(store, sid: str, index: pd.DatetimeIndex) -> pd.Series:
    """Knowledge date (as int64 ns) of each row of ``sid`` on ``index`` (its own dates if no rule)."""
    fn = getattr(store, "known", None)
    if fn is None:
        k = pd.Series(index.values, index=index)
    else:
        k = fn(sid).reindex(index)
    return pd.Series(pd.DatetimeIndex(k.to_numpy()).as_unit("ns").asi8, index=index, name=sid).astype("float64")


def known_indicator(store, indicator: str, asof: pd.Timestamp | None) -> pd.Series:
    """The indicator's series as the store knew it on ``asof`` (the store's own contract)."""
    return _compute(indicator, [store.series(sid, asof=asof) for sid in INPUTS[indicator]])


def indicator_history(store, indicator: str, end: pd.Timestamp | None) -> KnownSeries:
    """Every observation of the indicator known by ``end``, with its knowledge date."""
    from bubblemachine.indicators.liquidity import asof_align

    parts = [store.series(sid, asof=end) for sid in INPUTS[indicator]]
    s = _compute(indicator, parts).dropna()
    if s.empty:
        e = np.array([], dtype="datetime64[ns]")
        return KnownSeries(np.array([]), e, e)
    when = np.full(len(s), -np.inf)
    for sid, part in zip(INPUTS[indicator], parts, strict=True):
        k = _knowledge(store, sid, part.dropna().index)
        # an observation of the indicator needs each input's last observation on or before its date
        when = np.maximum(when, asof_align(k, s.index).to_numpy())
    when = np.where(np.isfinite(when), when, float(np.iinfo("int64").max // 2))  # never known
    known = when.astype("int64").astype("datetime64[ns]")
    return KnownSeries(s.to_numpy(dtype="float64"), s.index.values.astype("datetime64[ns]"), known)


def values_at(ks: KnownSeries, dates: np.ndarray, change_days: int | None) -> np.ndarray:
    """The level or the ``change_days`` change known on each of ``dates`` (monotone knowledge).

    Args:
        ks: the series with knowledge dates (``ks.monotone`` must hold).
        dates: decision dates (``datetime64[ns]``).
        change_days: None for the level, else the change over that many calendar days.

    Returns:
        One value per date (NaN when nothing, or nothing early enough, was known).
    """
    d = np.asarray(dates, dtype="datetime64[ns]")
    latest = np.searchsorted(ks.known, d, side="right") - 1
    out = np.full(len(d), np.nan)
    ok = latest >= 0
    if not ok.any():
        return out
    last = np.where(ok, ks.values[np.clip(latest, 0, None)], np.nan)
    if change_days is None:
        return last
    ref = np.searchsorted(ks.obs, d - np.timedelta64(int(change_days), "D"), side="right") - 1
    ref = np.minimum(ref, latest)
    good = ok & (ref >= 0)
    out[good] = last[good] - ks.values[ref[good]]
    return out


def transformed(ks: KnownSeries, at: pd.Timestamp, change_days: int | None) -> float:
    """The level or change of the observations known on ``at`` (any knowledge dates)."""
    k = ks.known_on(at)
    if len(k.values) == 0:
        return float("nan")
    order = np.argsort(k.obs, kind="stable")
    vals, obs = k.values[order], k.obs[order]
    if change_days is None:
        return float(vals[-1])
    pos = int(np.searchsorted(obs, np.datetime64(at, "ns") - np.timedelta64(int(change_days), "D"), side="right")) - 1
    return float("nan") if pos < 0 else float(vals[-1] - vals[pos])


def evaluate_history(store, conditions: tuple[Condition, ...], dates: pd.DatetimeIndex, decide: np.ndarray,
                     *, end: pd.Timestamp | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Whether all conditions hold on each decision date, from what was known then.

    Args:
        store: the data store.
        conditions: the signal's conditions (all must hold).
        dates: the calendar; decide: booleans over it, where to evaluate.
        end: the last date of data to read (None: all).

    Returns:
        ``(on, values)``: booleans over ``dates`` (False where not evaluated) and each
        condition's transformed value ``[len(dates), len(conditions)]`` (NaN where not
        evaluated or not computable).
    """
    idx = np.flatnonzero(decide)
    at = dates.values[idx].astype("datetime64[ns]")
    values = np.full((len(dates), len(conditions)), np.nan)
    series: dict[str, KnownSeries] = {}
    for j, c in enumerate(conditions):
        if c.indicator not in series:
            series[c.indicator] = indicator_history(store, c.indicator, end)
        ks = series[c.indicator]
        if ks.monotone:
            values[idx, j] = values_at(ks, at, c.change_days)
        else:
            values[idx, j] = [transformed(ks, pd.Timestamp(a), c.change_days) for a in at]
    on = np.zeros(len(dates), dtype=bool)
    on[idx] = np.all([[c.holds(x) for x in values[idx, j]] for j, c in enumerate(conditions)], axis=0)
    return on, values


def first_computable(store, conditions: tuple[Condition, ...], end: pd.Timestamp | None) -> pd.Timestamp | None:
    """The earliest date on which every condition can be computed (knowledge + lookback)."""
    first: pd.Timestamp | None = None
    for c in conditions:
        ks = indicator_history(store, c.indicator, end)
        if len(ks.values) == 0:
            return None
        d = pd.Timestamp(max(ks.known.min(), ks.obs[0] + np.timedelta64(int(c.change_days or 0), "D")))
        first = d if first is None or d > first else first
    return first


def missing_inputs(store, conditions: tuple[Condition, ...]) -> tuple[str, ...]:
    """Store series the conditions need that the store lacks."""
    need = dict.fromkeys(sid for c in conditions for sid in INPUTS[c.indicator])
    return tuple(sid for sid in need if not store.has(sid))
