"""Historical inputs of the calibration: initial levels and daily changes.

Everything here reads the data store as of a date (default 2025-11-14) and returns plain
pandas objects, so each number in ``calibration.toml`` can be recomputed by hand. "As of"
means KNOWN on that date (the store's release rules): on 2025-11-14 the latest FRED yields
are those of 2025-11-13 (published the next business day).

Definitions (documented in ``docs/design/calibration.md``):

* Trading calendar: the dates of the S&P 500 index (``SPX``) inside the window.
  Every series is aligned as-of onto those dates (last value on or before the date),
  so a bitcoin "daily" change on a Monday includes the weekend.
* Prices and levels (``spx ndx m7 chips memory midcap_ai software energy btc eth vix``):
  daily log change. Rates and spreads (``ust2y ust10y ig_oas hy_oas``): daily
  difference in percentage points.
* Baskets: equal-weight, rebalanced daily; the basket's daily log change is
  ``log(mean_i(P_i,t / P_i,t-1))`` over the constituents that have both prices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Default as-of date of the model's period 0.
ASOF = "2025-11-14"

#: Default fitting window in years before ``asof``.
WINDOW_YEARS = 5

#: Baskets: name -> constituent tickers (equal weight, rebalanced daily).
BASKETS: dict[str, tuple[str, ...]] = {
    "m7": ("AAPL", "MSFT", "NVDA", "GOOGL", "AMZN", "META", "TSLA"),
    "midcap_ai": ("ANET", "VST", "CEG", "DELL", "SMCI", "CORZ", "NBIS", "CRWV"),
    "energy": ("XLU", "XLE"),
}

#: Priced series -> store id (single-series ones) or basket name.
PRICE_SOURCES: dict[str, str] = {
    "spx": "SPX",
    "ndx": "NDX",
    "m7": "basket",
    "chips": "SMH",
    "memory": "MU",
    "midcap_ai": "basket",
    "software": "IGV",
    "energy": "basket",
    "btc": "BTC",
    "eth": "ETH",
    "vix": "VIX",
}

#: Rate/spread series -> FRED id (percent).
RATE_SOURCES: dict[str, str] = {
    "ust2y": "DGS2",
    "ust10y": "DGS10",
    "ig_oas": "BAMLC0A0CM",
    "hy_oas": "BAMLH0A0HYM2",
}

#: Order of the noise factors (Cholesky order): spx first, so its noise is an exact t.
NOISE_ORDER: tuple[str, ...] = (
    "spx", "ndx", "m7", "chips", "memory", "midcap_ai", "software", "energy",
    "btc", "eth", "ust2y", "ust10y", "ig_oas", "hy_oas", "vix",
)

#: Liquidity levels -> (store id, divisor to USD billions).
LIQUIDITY_SOURCES: dict[str, tuple[str, float]] = {
    "fed_assets": ("WALCL", 1000.0),
    "tga": ("WTREGEN", 1000.0),
    "reserves": ("WRESBAL", 1000.0),
    "on_rrp": ("RRPONTSYD", 1.0),
}

#: Level of a priced series not listed yet on the as-of date (simulated, never scored).
PLACEHOLDER_LEVEL = 100.0
#: Capex run-rate (USD bn a quarter) when no filing is known yet on the as-of date.
PLACEHOLDER_CAPEX = 10.0
#: A series with fewer daily changes than this in the window borrows its proxy's noise.
MIN_CHANGES = 250
#: Proxies for series too young for their own noise: (proxy, correlation with it).
PROXIES: dict[str, tuple[str, float]] = {
    "eth": ("btc", 0.8), "btc": ("ndx", 0.3), "midcap_ai": ("chips", 0.8), "memory": ("chips", 0.8),
    "chips": ("ndx", 0.8), "software": ("ndx", 0.8), "m7": ("ndx", 0.9), "energy": ("spx", 0.6),
    "ndx": ("spx", 0.9),
}

#: Companies summed for the hyperscaler capex run-rate.
CAPEX_COMPANIES: tuple[str, ...] = ("AMZN", "GOOGL", "META", "MSFT", "ORCL")


@dataclass(frozen=True)
class Observation:
    """One initial value with its provenance.

    Attributes:
        name: model variable.
        value: level in the model's units.
        units: units of ``value``.
        source: how it was obtained (store ids and dates).
    """

    name: str
    value: float
    units: str
    source: str


def _last(store, sid: str, asof: str) -> tuple[pd.Timestamp, float]:
    s = store.series(sid, asof=asof).dropna()
    if s.empty:
        from bubblemachine.errors import DataError

        raise DataError(f"series {sid} has no data on or before {asof}")
    return s.index[-1], float(s.iloc[-1])


def initial_levels(store, asof: str = ASOF) -> list[Observation]:
    """Observable state at ``asof`` (the model's period 0).

    Args:
        store: a data store (``bubblemachine.data.open_store()``).
        asof: date ``YYYY-MM-DD``.

    Returns:
        Observations in the contract's order: prices, rates, vix, liquidity, ai_capex.
    """
    out: list[Observation] = []
    for name, sid in PRICE_SOURCES.items():
        if name == "vix":
            continue
        if sid == "basket":
            members = ", ".join(BASKETS[name])
            out.append(Observation(name, 100.0, f"index ({asof} = 100)",
                                   f"equal-weight basket of {members}, rebased to 100 at {asof}"))
        else:
            units = "USD" if sid in ("BTC", "ETH", "SMH", "MU", "IGV") else "index points"
            if store.series(sid, asof=asof).dropna().empty:  # not listed yet (ETH before 2017)
                out.append(Observation(name, PLACEHOLDER_LEVEL, units,
                                       f"{sid} not listed on {asof}: placeholder level, not scored"))
                continue
            d, v = _last(store, sid, asof)
            out.append(Observation(name, v, units, f"{sid} close {d:%Y-%m-%d}"))
    for name, sid in RATE_SOURCES.items():
        d, v = _last(store, sid, asof)
        out.append(Observation(name, v, "percent", f"FRED {sid} {d:%Y-%m-%d}"))
    d, v = _last(store, "VIX", asof)
    out.append(Observation("vix", v, "index points", f"VIX close {d:%Y-%m-%d}"))
    for name, (sid, div) in LIQUIDITY_SOURCES.items():
        d, v = _last(store, sid, asof)
        unit_note = f"USD millions / {div:g}" if div != 1.0 else "USD billions"
        out.append(Observation(name, v / div, "USD billions", f"FRED {sid} {d:%Y-%m-%d} ({unit_note})"))
    capex, quarter_note = capex_run_rate(store, asof)
    if capex <= 0.0:  # no filing known yet (before mid-2014)
        capex, quarter_note = PLACEHOLDER_CAPEX, f"no capex filing known on {asof}: placeholder, not scored"
    out.append(Observation("ai_capex", capex, "USD billions per quarter", quarter_note))
    return out


def capex_run_rate(store, asof: str = ASOF) -> tuple[float, str]:
    """Hyperscaler capex run-rate: each company's latest quarter on or before ``asof``, summed.

    Returns:
        (USD billions per quarter, provenance text).
    """
    f = store.frame("HYPERSCALER_CAPEX", asof=asof)
    parts = []
    total = 0.0
    for c in CAPEX_COMPANIES:
        rows = f[f["company"] == c].sort_index()
        if rows.empty:
            continue
        last = rows.iloc[-1]
        total += float(last["capex_usd"]) / 1e9
        parts.append(f"{c} {last['calendar_quarter']}")
    return total, "HYPERSCALER_CAPEX latest quarter per company: " + ", ".join(parts)


def window_start(asof: str = ASOF, years: int = WINDOW_YEARS) -> pd.Timestamp:
    """First date of the fitting window (``years`` calendar years before ``asof``)."""
    return pd.Timestamp(asof) - pd.DateOffset(years=years)


def trading_days(store, asof: str = ASOF, years: int = WINDOW_YEARS) -> pd.DatetimeIndex:
    """S&P 500 trading dates in ``[window_start, asof]`` (the calibration calendar)."""
    spx = store.series("SPX", asof=asof).dropna()
    idx = spx.index[spx.index >= window_start(asof, years)]
    return pd.DatetimeIndex(idx, name="date")


def _aligned(store, sid: str, dates: pd.DatetimeIndex, asof: str) -> pd.Series:
    # a basket constituent the store does not hold, or holds nothing of yet, is not listed yet
    s = store.series(sid, asof=asof).dropna().sort_index() if store.has(sid) else pd.Series(dtype="float64")
    if s.empty:  # not listed yet at ``asof``
        return pd.Series(np.nan, index=dates, name=sid, dtype="float64")
    pos = s.index.searchsorted(dates, side="right") - 1
    vals = s.to_numpy(dtype="float64")[np.clip(pos, 0, None)]
    out = pd.Series(vals, index=dates, name=sid)
    out[pos < 0] = np.nan
    # a constituent that has not started yet (listing) has no price: mark NaN before its first date
    out[dates < s.index[0]] = np.nan
    return out


def basket_log_changes(store, members: tuple[str, ...], dates: pd.DatetimeIndex, asof: str) -> pd.Series:
    """Daily log change of an equal-weight, daily-rebalanced basket on ``dates``.

    The first date has no change (dropped). Constituents without a price on both days are
    left out of that day's mean.
    """
    gross = pd.DataFrame({m: _aligned(store, m, dates, asof) for m in members})
    ratio = gross / gross.shift(1)
    return np.log(ratio.mean(axis=1, skipna=True)).iloc[1:]


def _single_sources() -> list[str]:
    """Store ids of the noise series that are single series (not baskets)."""
    return [RATE_SOURCES[n] if n in RATE_SOURCES else PRICE_SOURCES[n]
            for n in NOISE_ORDER if n in RATE_SOURCES or PRICE_SOURCES[n] != "basket"]


def daily_changes(store, asof: str = ASOF, years: int = WINDOW_YEARS, *, complete: bool = True) -> pd.DataFrame:
    """Daily changes of the priced series on the calibration calendar.

    Returns:
        DataFrame indexed by date (first window date dropped), columns in
        :data:`NOISE_ORDER`: log changes for prices and VIX, differences (percentage
        points) for rates and spreads. Rows with any missing value are dropped, after
        dropping the columns of series with fewer than :data:`MIN_CHANGES` changes in the
        window (too young: :func:`bubblemachine.calibrate.fit.with_proxies` fills them in).
        ``complete=False`` keeps every row and column (NaN where a series has no change).
    """
    dates = trading_days(store, asof, years)
    # Point in time: series published a day later (FRED's H.15 yields, ICE spreads) are not
    # known yet on the last day(s); carrying them forward would add artificial zero changes,
    # so the window ends on the last date every single-series input is known for.
    ends = [store.series(sid, asof=asof).index.max() for sid in _single_sources()]
    ends = [e for e in ends if e is not pd.NaT and e == e]
    if ends:
        dates = dates[dates <= min(ends)]
    cols: dict[str, pd.Series] = {}
    for name in NOISE_ORDER:
        if name in RATE_SOURCES:
            cols[name] = _aligned(store, RATE_SOURCES[name], dates, asof).diff().iloc[1:]
        elif PRICE_SOURCES[name] == "basket":
            cols[name] = basket_log_changes(store, BASKETS[name], dates, asof)
        else:
            cols[name] = np.log(_aligned(store, PRICE_SOURCES[name], dates, asof)).diff().iloc[1:]
    df = pd.DataFrame(cols)
    if not complete:
        return df
    young = [c for c in df.columns if df[c].notna().sum() < MIN_CHANGES]
    return df.drop(columns=young).dropna(how="any")
