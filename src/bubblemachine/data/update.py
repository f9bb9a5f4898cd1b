"""Refreshing the store from live sources (``bubblemachine data update``).

Routing comes from the catalogue's ``live`` field: ``fred:<id>`` series go to FRED,
``yahoo:<symbol>`` series to Yahoo Finance; series with no live source (TGA_DAILY,
HYPERSCALER_CAPEX, SHILLER, CRYPTO_FNG, and anything imported by hand) are skipped with a
note. Each refreshed series is written to the user's store on its own (atomically), so an
interrupted update keeps every series it finished.

FRED series are refreshed from a look-back window before the last stored date (31 days
for daily, 92 weekly, 400 monthly, 800 quarterly) so recent revisions are picked up;
``full=True`` downloads whole histories. Yahoo series are refreshed by the tail with an
overlap check (see :mod:`bubblemachine.data.yahoo`).

When a source cannot be reached at all, the remaining series of that source are not
tried: the report says so in one line and the stored data stay in use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bubblemachine.data.catalog import catalog
from bubblemachine.data.fred import FredClient, SourceUnreachable
from bubblemachine.data.store import Store, open_store
from bubblemachine.errors import DataError, MissingDependencyError, NetworkError

if TYPE_CHECKING:
    import pandas as pd

    from bubblemachine.data.yahoo import YahooSource

SOURCES = ("fred", "yahoo")
FRED_LOOKBACK_DAYS = {"daily": 31, "weekly": 92, "monthly": 400, "quarterly": 800}


@dataclass
class SeriesUpdate:
    """What happened to one series.

    Attributes:
        id: series id.
        source: "fred", "yahoo" or "" (no live source).
        status: updated | unchanged | skipped | offline | failed.
        added: new dates.
        changed: dates whose values changed (revisions, re-adjusted history) or that
            disappeared from the source.
        last_before: last stored date before the update.
        last_after: last date after it.
        note: a short explanation (skipped, failed, full re-download).
    """

    id: str
    source: str
    status: str
    added: int = 0
    changed: int = 0
    last_before: str = ""
    last_after: str = ""
    note: str = ""


@dataclass
class UpdateReport:
    """The outcome of one ``update`` call.

    Attributes:
        results: one entry per series considered.
        offline: source name -> reason, for sources that could not be reached.
    """

    results: list[SeriesUpdate] = field(default_factory=list)
    offline: dict[str, str] = field(default_factory=dict)

    def by_status(self, status: str) -> list[SeriesUpdate]:
        return [r for r in self.results if r.status == status]

    @property
    def ok(self) -> bool:
        """True when every series that has a live source was refreshed (or was current)."""
        return not self.by_status("offline") and not self.by_status("failed")

    def offline_line(self) -> str:
        """One line naming every unreachable source and how old the data in use are ("" if none).

        Example: ``offline: FRED unreachable (ConnectError); using stored data to
        2025-04-01..2025-11-14 for 32 series``.
        """
        if not self.offline:
            return ""
        labels = {"fred": "FRED", "yahoo": "Yahoo"}
        why = "; ".join(f"{labels.get(src, src)} unreachable ({reason})" for src, reason in self.offline.items())
        rs = self.by_status("offline")
        lasts = sorted({r.last_before for r in rs if r.last_before})
        span = "n/a" if not lasts else lasts[0] if len(lasts) == 1 else f"{lasts[0]}..{lasts[-1]}"
        return f"offline: {why}; using stored data to {span} for {len(rs)} series"

    def to_dict(self) -> dict[str, Any]:
        return {"offline": dict(self.offline), "results": [r.__dict__ for r in self.results]}


def plan(store: Store, *, source: str | None = None, series: list[str] | None = None) -> list[tuple[str, str, str]]:
    """The ``(series_id, source, symbol)`` triples an update would consider.

    Series without a live source get ``source == ""``. Unknown ids raise DataError.
    """
    if source is not None and source not in SOURCES:
        raise DataError(f"--source: value {source!r} not one of {', '.join(SOURCES)}")
    ids = store.ids()
    if series:
        unknown = [s for s in series if s not in ids]
        if unknown:
            store.meta(unknown[0])  # raises with close matches
        ids = list(dict.fromkeys(series))
    cat = catalog()
    out = []
    for sid in ids:
        live = store.meta(sid).live or (cat[sid].live if sid in cat else "")
        src, _, symbol = live.partition(":")
        if source is not None and src != source:
            if series:  # asked for explicitly: say why it is left out
                out.append((sid, "", f"not a {source} series"))
            continue
        out.append((sid, src, symbol))
    return out


def update(
    *,
    store: Store | None = None,
    source: str | None = None,
    series: list[str] | None = None,
    full: bool = False,
    fred: FredClient | None = None,
    yahoo: YahooSource | None = None,
    progress: Callable[[str], None] | None = None,
) -> UpdateReport:
    """Refresh series from FRED and Yahoo into the user's store.

    Args:
        store: the store (default :func:`open_store`).
        source: only this source ("fred" or "yahoo"); default both.
        series: only these ids (default: every series with a live source).
        full: download whole histories instead of the recent window.
        fred: the FRED client (default :meth:`FredClient.from_env`).
        yahoo: the Yahoo source (default: yfinance; needs the ``market`` extra).
        progress: optional callable ``(series_id) -> None`` called before each series.

    Returns:
        An :class:`UpdateReport`; nothing is raised for an unreachable source.

    Raises:
        MissingDependencyError: ``source="yahoo"`` was asked for and yfinance is missing.
    """
    store = store if store is not None else open_store()
    report = UpdateReport()
    todo = plan(store, source=source, series=series)
    yahoo_missing = ""
    if yahoo is None and any(src == "yahoo" for _, src, _ in todo):
        try:
            from bubblemachine.errors import require

            require("yfinance", "market", "Yahoo Finance prices")
        except MissingDependencyError as exc:
            if source == "yahoo":
                raise
            yahoo_missing = str(exc)
    own_fred = fred is None
    for sid, src, symbol in todo:
        meta = store.meta(sid)
        result = SeriesUpdate(sid, src, "skipped", last_before=meta.last, last_after=meta.last)
        report.results.append(result)
        if not src:
            result.note = symbol or "no live source (changes only by `data import`)"
            continue
        if src in report.offline:
            result.status = "offline"
            continue
        if src == "yahoo" and yahoo_missing:
            result.note = "yfinance not installed: pip install 'bubblemachine[market]'"
            continue
        if progress:
            progress(sid)
        try:
            if src == "fred":
                if fred is None:
                    fred = FredClient.from_env()
                new, note = _refresh_fred(store, sid, symbol, fred, full=full)
            else:
                if yahoo is None:
                    from bubblemachine.data.yahoo import YahooSource

                    yahoo = YahooSource()
                new, note = _refresh_yahoo(store, sid, symbol, yahoo, full=full)
        except SourceUnreachable as exc:
            report.offline[src] = exc.reason
            result.status = "offline"
            continue
        except (NetworkError, DataError) as exc:
            result.status = "failed"
            result.note = str(exc)
            continue
        _apply(store, sid, src, symbol, new, note, result)
    if own_fred and fred is not None:
        fred.close()
    return report


def _apply(store: Store, sid: str, src: str, symbol: str, new: pd.DataFrame | None, note: str, result: SeriesUpdate) -> None:
    from bubblemachine.data.importer import diff_frames

    result.note = note
    old = store.frame(sid).reset_index()
    if new is None:
        result.status = "unchanged"
        return
    added, changed, removed = diff_frames(old, new)
    result.added, result.changed = added, changed + removed
    if added == changed == removed == 0:
        result.status = "unchanged"
        return
    meta = store.meta(sid).to_dict()
    label = {"fred": "FRED", "yahoo": "Yahoo Finance"}[src]
    meta.update(
        live=f"{src}:{symbol}",
        refreshed=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        source=_source_note(meta.get("source", ""), label),
    )
    (written,) = store.write([(new, meta)])
    result.status = "updated"
    result.last_after = written.last


def _source_note(source: str, label: str) -> str:
    suffix = f"; refreshed from {label}"
    base = source.split("; refreshed from ")[0]
    return base + suffix


def _refresh_fred(store: Store, sid: str, fred_id: str, client: FredClient, *, full: bool) -> tuple[pd.DataFrame | None, str]:
    import pandas as pd

    meta = store.meta(sid)
    old = store.frame(sid).reset_index()
    if "value" not in old.columns:
        raise DataError(f"series {sid}: stored columns {list(old.columns)} have no 'value' to refresh from FRED")
    lookback = FRED_LOOKBACK_DAYS.get(meta.frequency)
    if full or lookback is None:
        start = None
    else:
        start = (pd.Timestamp(meta.last) - timedelta(days=lookback)).date()
    got = client.observations(fred_id, start=start)
    # Like the snapshot, keep no rows without a value (FRED's "." on holidays).
    got = got.dropna(subset=["value"]).reset_index(drop=True)
    if got.empty:
        return None, "no observations returned"
    if start is None:
        return got, f"full history from FRED ({client.mode})"
    head = old.loc[old["date"] < got["date"].min(), ["date", "value"]]
    merged = pd.concat([head, got], ignore_index=True)
    return merged, ""


def _refresh_yahoo(store: Store, sid: str, symbol: str, yahoo: YahooSource, *, full: bool) -> tuple[pd.DataFrame | None, str]:
    old = store.frame(sid).reset_index()
    columns = [c for c in old.columns if c != "date"]
    r = yahoo.refresh(sid, symbol, None if full else old, columns)
    if r.mode == "unchanged":
        return None, ""
    return r.frame, r.note
