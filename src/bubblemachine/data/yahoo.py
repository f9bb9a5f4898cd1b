"""Yahoo Finance source (optional extra ``market``: yfinance), refreshed by the tail.

Past dates are cached in the store; a refresh downloads only from the last stored date
minus a few days of overlap, and merges. Adjusted closes are rescaled by Yahoo on every
dividend or split, so the overlap must agree with what is stored (relative tolerance
:data:`RTOL`); when it does not, the whole history is downloaded again and replaces the
stored one. Only completed days are kept: a bar dated today (UTC) is dropped, since it
may be an intraday partial bar.

The downloader is injectable (``YahooSource(download=...)``) so tests need neither
yfinance nor the network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from bubblemachine.data.fred import SourceUnreachable
from bubblemachine.errors import DataError, NetworkError

if TYPE_CHECKING:
    import pandas as pd

#: Days of overlap re-downloaded before the last stored date.
OVERLAP_DAYS = 7
#: Relative tolerance for the overlap check (0.01%: below any dividend worth adjusting for).
RTOL = 1e-4
#: Store column -> Yahoo column.
COLUMNS = {
    "open": "Open",
    "high": "High",
    "low": "Low",
    "close": "Close",
    "adj_close": "Adj Close",
    "volume": "Volume",
    "value": "Close",
}
_OFFLINE_HINTS = (
    "could not resolve", "failed to connect", "connection", "name or service not known",
    "temporary failure in name resolution", "network is unreachable", "timed out",
)

Downloader = Callable[[str, "date | None"], "pd.DataFrame"]


@dataclass(frozen=True)
class Refresh:
    """The outcome of refreshing one series.

    Attributes:
        frame: the merged series (``date`` column plus the stored columns).
        mode: "tail" (overlap agreed, tail appended), "full" (history re-downloaded) or
            "unchanged" (no new rows).
        note: why a full download happened, if it did.
    """

    frame: pd.DataFrame
    mode: str
    note: str = ""


def yfinance_download(symbol: str, start: date | None) -> pd.DataFrame:
    """Daily bars of ``symbol`` from ``start`` (None: full history) via yfinance.

    Returns:
        yfinance's frame (Open, High, Low, Close, Adj Close, Volume; DatetimeIndex).
    """
    from bubblemachine.errors import require

    yf = require("yfinance", "market", "Yahoo Finance prices")
    import logging

    kwargs = {"period": "max"} if start is None else {"start": f"{start:%Y-%m-%d}"}
    log = logging.getLogger("yfinance")
    level = log.level
    log.setLevel(logging.CRITICAL)  # its own log lines would break our one-line reports
    try:
        return yf.Ticker(symbol).history(
            interval="1d", auto_adjust=False, actions=False, raise_errors=True, **kwargs
        )
    except Exception as exc:  # yfinance raises many types; classify by name and text
        text = f"{type(exc).__name__}: {exc}".lower()
        if any(h in text for h in _OFFLINE_HINTS):
            raise SourceUnreachable("Yahoo", type(exc).__name__) from None
        if "ratelimit" in text or "too many requests" in text:
            raise SourceUnreachable("Yahoo", "rate limited") from None
        raise NetworkError(f"Yahoo: download of {symbol} failed ({type(exc).__name__}: {str(exc)[:160]})") from None
    finally:
        log.setLevel(level)


class YahooSource:
    """Refresh stored Yahoo series by their tail.

    Args:
        download: ``(symbol, start_or_None) -> DataFrame`` (default: yfinance).
        overlap_days: calendar days re-downloaded before the last stored date.
        rtol: relative tolerance of the overlap check.
        today: the current date (UTC) for dropping partial bars (tests fix it).
    """

    def __init__(
        self,
        *,
        download: Downloader | None = None,
        overlap_days: int = OVERLAP_DAYS,
        rtol: float = RTOL,
        today: date | None = None,
    ) -> None:
        self.download = download or yfinance_download
        self.overlap_days = overlap_days
        self.rtol = rtol
        self.today = today

    def refresh(self, sid: str, symbol: str, stored: pd.DataFrame | None, columns: list[str]) -> Refresh:
        """Bring series ``sid`` (Yahoo ``symbol``) up to date.

        Args:
            sid: the series id (for messages).
            symbol: the Yahoo symbol (``^GSPC``, ``BTC-USD``, ``NVDA``).
            stored: the stored frame (``date`` column), or None for a first download.
            columns: the store columns to fill (keys of :data:`COLUMNS`).
        """
        unknown = [c for c in columns if c not in COLUMNS]
        if unknown:
            raise DataError(f"series {sid}: column(s) {unknown} have no Yahoo equivalent")
        if stored is None or stored.empty:
            return Refresh(self._fetch(sid, symbol, None, columns), "full", "first download")
        last = stored["date"].max().date()
        start = last - timedelta(days=self.overlap_days)
        tail = self._fetch(sid, symbol, start, columns)
        if tail.empty:
            return Refresh(stored, "unchanged")
        # Compare closing prices (what adjustments rescale); opens/highs/lows of an index
        # may come from another vendor in the snapshot and are simply replaced.
        check = [c for c in columns if c in ("adj_close", "close", "value")] or [c for c in columns if c != "volume"]
        mismatch = _overlap_mismatch(stored, tail, check, self.rtol)
        if mismatch:
            full = self._fetch(sid, symbol, None, columns)
            return Refresh(full, "full", f"overlap disagrees ({mismatch}): history re-downloaded")
        merged = _concat(stored[stored["date"] < tail["date"].min()], tail)
        if len(merged) == len(stored) and merged["date"].max() == stored["date"].max():
            same = _overlap_mismatch(stored, merged, columns, 0.0) == ""
            if same:
                return Refresh(stored, "unchanged")
        return Refresh(merged, "tail")

    def _fetch(self, sid: str, symbol: str, start: date | None, columns: list[str]) -> pd.DataFrame:
        import pandas as pd

        raw = self.download(symbol, start)
        if raw is None or len(raw) == 0:
            if start is None:
                raise NetworkError(f"Yahoo: no data for {symbol} (series {sid})")
            return pd.DataFrame({"date": pd.Series([], dtype="datetime64[ns]"), **{c: [] for c in columns}})
        missing = [COLUMNS[c] for c in columns if COLUMNS[c] not in raw.columns]
        if missing:
            raise NetworkError(f"Yahoo: answer for {symbol} lacks column(s) {missing}")
        idx = pd.DatetimeIndex(raw.index)
        if idx.tz is not None:
            idx = idx.tz_localize(None)
        out = pd.DataFrame({"date": idx.normalize()})
        for c in columns:
            out[c] = pd.to_numeric(pd.Series(raw[COLUMNS[c]].to_numpy()), errors="coerce").astype("float64")
        today = self.today or datetime.now(UTC).date()
        out = out[out["date"] < pd.Timestamp(today)]
        out = out.dropna(subset=[c for c in columns if c != "volume"], how="all")
        out = out.drop_duplicates("date", keep="last").sort_values("date").reset_index(drop=True)
        return out


def _overlap_mismatch(stored: pd.DataFrame, new: pd.DataFrame, columns: list[str], rtol: float) -> str:
    """'' when stored and new agree on their common dates, else a description of the worst gap."""
    import numpy as np

    a = stored.set_index("date")
    b = new.set_index("date")
    common = a.index.intersection(b.index)
    if len(common) == 0:
        return "no common dates"
    for c in columns:
        x = a.loc[common, c].to_numpy(dtype="float64")
        y = b.loc[common, c].to_numpy(dtype="float64")
        ok = np.isclose(x, y, rtol=rtol, atol=0.0, equal_nan=True)
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            return f"{c} on {common[i]:%Y-%m-%d}: stored {x[i]:.6g}, Yahoo {y[i]:.6g}"
    return ""


def _concat(head: pd.DataFrame, tail: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    cols = list(head.columns) if len(head.columns) else list(tail.columns)
    return pd.concat([head[cols], tail[cols]], ignore_index=True)
