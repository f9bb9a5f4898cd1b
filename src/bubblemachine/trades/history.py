"""Historical inputs of the backtest: returns on one trading calendar, cash, par bonds.

Everything is read from the store (``bubblemachine.data``), never from files directly, and
only data dated on or before ``end`` is used. Prices are known at their own close, so price
series are read once; indicators that signals use go through the point-in-time store one
decision date at a time (:mod:`bubblemachine.trades.signals`).

Conventions (docs/positions.md):

* the calendar is the trading days of ``instruments.toml`` ``[calendar] series`` (SPY);
* a price is sampled at its last observation on or before each calendar date and is missing
  when that observation is older than ``max_stale_days`` (crypto trades every day and is
  sampled at the NYSE dates);
* daily simple returns ``p_t / p_{t-1} - 1``; adjusted closes make them total returns;
* cash earns ``y_{t-1} / 100 x days / 365`` with ``y`` the 3-month bill yield (percent);
* a par bond's return is ``y_{t-1} dt - D dy + C dy^2 / 2`` (:func:`par_bond_return`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bubblemachine.trades.spec import Instruments


def par_bond_return(y_prev: np.ndarray, y_now: np.ndarray, dt: np.ndarray, maturity: float) -> np.ndarray:
    """Return of a constant-maturity par bond over one period (Swinkels 2019).

    A bond bought at par with coupon ``y_prev`` and ``maturity`` years left (semi-annual
    coupons) earns its carry ``y_prev x dt`` and a price change from the yield move
    ``dy = y_now - y_prev``: ``-D dy + C dy^2 / 2`` with the par bond's modified duration
    ``D = (1 - v) / y`` and convexity ``C = 2 (1 - v) / y^2 - 2 M / (y (1 + y/2)^(2M+1))``,
    ``v = (1 + y/2)^(-2M)``.

    Args:
        y_prev, y_now: yields in **percent** at the start and end of the period.
        dt: period length in years.
        maturity: years to maturity ``M``.

    Returns:
        Simple returns (fractions), same shape as the inputs.
    """
    y = np.asarray(y_prev, dtype="float64") / 100.0
    dy = np.asarray(y_now, dtype="float64") / 100.0 - y
    M = float(maturity)
    small = np.abs(y) < 1e-6
    ys = np.where(small, 1e-6, y)
    v = (1.0 + ys / 2.0) ** (-2.0 * M)
    D = np.where(small, M, (1.0 - v) / ys)
    C = np.where(small, M * (M + 0.5), 2.0 * (1.0 - v) / ys**2 - 2.0 * M / (ys * (1.0 + ys / 2.0) ** (2.0 * M + 1.0)))
    return y * np.asarray(dt, dtype="float64") - D * dy + 0.5 * C * dy**2


def sample_on(series: pd.Series, dates: pd.DatetimeIndex, *, max_stale_days: int) -> pd.Series:
    """The last value of ``series`` on or before each date; NaN when older than ``max_stale_days``."""
    s = series.dropna().sort_index()
    if s.empty:
        return pd.Series(np.nan, index=dates, name=series.name)
    pos = s.index.searchsorted(dates, side="right") - 1
    ok = pos >= 0
    vals = np.full(len(dates), np.nan)
    vals[ok] = s.to_numpy()[pos[ok]]
    age = np.full(len(dates), np.inf)
    age[ok] = (dates[ok] - s.index[pos[ok]]).days
    vals[age > max_stale_days] = np.nan
    return pd.Series(vals, index=dates, name=series.name)


def year_fractions(dates: pd.DatetimeIndex) -> np.ndarray:
    """Calendar days between consecutive dates / 365 (the first entry is 0)."""
    if len(dates) == 0:
        return np.zeros(0)
    days = np.diff(dates.values).astype("timedelta64[D]").astype("float64")
    return np.concatenate([[0.0], days / 365.0])


@dataclass
class Panel:
    """Returns of every requested instrument on one calendar.

    Attributes:
        dates: the trading calendar (ascending).
        returns: DataFrame [date, instrument]: the return from the previous calendar date to
            this one (NaN where the instrument has no price, and on the first date).
        cash: Series [date]: the cash (T-bill) return over the same periods.
        dt: year fraction of each period (first entry 0).
        missing: instrument -> the store series it needs that the store lacks.
        sources: instrument -> the store series it is built from.
    """

    dates: pd.DatetimeIndex
    returns: pd.DataFrame
    cash: pd.Series
    dt: np.ndarray
    missing: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def span(self, name: str) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """First date with a return and last date with a price of ``name`` (None if none).

        The first return is on the day after the first price, so the span starts there.
        """
        r = self.returns[name].dropna()
        if r.empty:
            return None
        return r.index[0], r.index[-1]


def build_panel(store, inst: Instruments, names: list[str], *, end: pd.Timestamp | None = None) -> Panel:
    """Daily returns of ``names`` (store series, baskets, bonds) on the calendar, up to ``end``.

    Args:
        store: a :class:`bubblemachine.data.Store`.
        inst: the instrument catalogue.
        names: instrument ids (the cash id is ignored: cash is always in the panel).
        end: last date of data to use (None: everything stored).
    """
    def has(sid: str) -> bool:
        return store.has(sid)

    if not has(inst.calendar):
        from bubblemachine.errors import DataError

        raise DataError(f"{inst.file}: calendar series {inst.calendar!r} is not in the store")
    dates = store.series(inst.calendar, asof=end).index
    dates = pd.DatetimeIndex(dates.unique().sort_values(), name="date")
    stale = inst.max_stale_days
    cache: dict[str, pd.Series] = {}

    def price_ret(sid: str) -> pd.Series:
        if sid not in cache:
            p = sample_on(store.series(sid, asof=end), dates, max_stale_days=stale)
            cache[sid] = (p / p.shift(1) - 1.0).rename(sid)
        return cache[sid]

    cols: dict[str, pd.Series] = {}
    missing: dict[str, tuple[str, ...]] = {}
    sources: dict[str, tuple[str, ...]] = {}
    dt = year_fractions(dates)
    for name in dict.fromkeys(names):
        if name == inst.cash_id:
            continue
        if name in inst.baskets:
            b = inst.baskets[name]
            sources[name] = b.members
            lack = tuple(m for m in b.members if not has(m))
            if lack:
                missing[name] = lack
            present = [m for m in b.members if has(m)]
            frame = pd.concat([price_ret(m) for m in present], axis=1) if present else pd.DataFrame(index=dates)
            count = frame.notna().sum(axis=1)
            r = frame.mean(axis=1, skipna=True).where(count >= b.min_members)
            cols[name] = r.rename(name)
            for m in present:  # the members too: a strategy holds them (see backtest.expand_baskets)
                cols.setdefault(m, price_ret(m))
        elif name in inst.bonds:
            bd = inst.bonds[name]
            sources[name] = (bd.yield_series,)
            if not has(bd.yield_series):
                missing[name] = (bd.yield_series,)
                cols[name] = pd.Series(np.nan, index=dates, name=name)
                continue
            y = sample_on(store.series(bd.yield_series, asof=end), dates, max_stale_days=stale).to_numpy()
            r = np.full(len(dates), np.nan)
            r[1:] = par_bond_return(y[:-1], y[1:], dt[1:], bd.maturity)
            cols[name] = pd.Series(r, index=dates, name=name)
        else:
            sources[name] = (name,)
            if not has(name):
                missing[name] = (name,)
                cols[name] = pd.Series(np.nan, index=dates, name=name)
            else:
                cols[name] = price_ret(name)
    if has(inst.cash_rate):
        y = sample_on(store.series(inst.cash_rate, asof=end), dates, max_stale_days=stale).to_numpy()
        cash = np.full(len(dates), np.nan)
        cash[1:] = y[:-1] / 100.0 * dt[1:]
    else:
        from bubblemachine.errors import DataError

        raise DataError(f"{inst.file}: cash rate series {inst.cash_rate!r} is not in the store")
    returns = pd.DataFrame(cols, index=dates) if cols else pd.DataFrame(index=dates)
    return Panel(dates=dates, returns=returns, cash=pd.Series(cash, index=dates, name=inst.cash_id), dt=dt,
                 missing=missing, sources=sources)  # fmt: skip


def decision_dates(dates: pd.DatetimeIndex, rebalance: str) -> np.ndarray:
    """Booleans over ``dates``: the rebalancing decision days (the last trading day of each
    week, month or quarter; every day for ``daily``; none for ``never``). The first date is
    always a decision (the initial allocation)."""
    n = len(dates)
    out = np.zeros(n, dtype=bool)
    if n == 0:
        return out
    if rebalance == "daily":
        out[:] = True
    elif rebalance != "never":
        freq = {"weekly": "W-FRI", "monthly": "M", "quarterly": "Q"}[rebalance]
        per = dates.to_period(freq)
        last = np.ones(n, dtype=bool)
        last[:-1] = per[1:] != per[:-1]
        out |= last
    out[0] = True
    return out
