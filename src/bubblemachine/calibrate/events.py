"""Policy events: dated, sourced announcements read as of a date (issue 9, item 2).

The shipped file ``events.toml`` (beside this module) lists the Fed's balance-sheet
decisions (purchases, reinvestment, runoff caps), government shutdowns and Treasury's
cash-balance assumptions, each with the date it was **announced**, the date it takes
**effect** and its source. A user's ``<home>/events.toml`` (same layout) adds events or
replaces shipped ones by id. :func:`events_asof` keeps the events announced on or before a
date: a start in 2024 sees QT running, a start on 2025-11-14 sees it end on 2025-12-01.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bubblemachine.errors import DataError

__all__ = ["KINDS", "REGIMES", "Event", "events_asof", "load_events", "shipped_path", "user_path"]

KINDS: tuple[str, ...] = ("balance_sheet", "shutdown", "shutdown_end", "tga_target")
REGIMES: tuple[str, ...] = ("purchases", "reinvest", "runoff")
_FIELDS = {
    "balance_sheet": {"regime", "per_month", "treasury_cap", "mbs_cap"},
    "shutdown": set(),
    "shutdown_end": set(),
    "tga_target": {"value"},
}
_COMMON = {"id", "kind", "announced", "effective", "source"}


@dataclass(frozen=True)
class Event:
    """One policy announcement.

    Attributes:
        id: unique name.
        kind: one of :data:`KINDS`.
        announced: the date it became known.
        effective: the date it takes effect (on or after ``announced``).
        source: who announced it, where.
        regime: balance_sheet only: ``purchases``, ``reinvest`` or ``runoff``.
        per_month: purchases, USD bn a month (None: "as needed", measured from data).
        treasury_cap, mbs_cap: runoff caps, USD bn a month.
        value: tga_target: USD bn at the quarter end ``effective``.
        origin: file it came from.
    """

    id: str
    kind: str
    announced: date
    effective: date
    source: str
    regime: str | None = None
    per_month: float | None = None
    treasury_cap: float | None = None
    mbs_cap: float | None = None
    value: float | None = None
    origin: str = ""

    @property
    def runoff_cap(self) -> float | None:
        """Total monthly runoff cap (USD bn), runoff events only."""
        if self.regime != "runoff":
            return None
        return float(self.treasury_cap or 0.0) + float(self.mbs_cap or 0.0)


def shipped_path() -> Path:
    return Path(__file__).with_name("events.toml")


def user_path(home: str | Path | None = None) -> Path:
    from bubblemachine import paths

    return (Path(home) if home is not None else paths.home()) / "events.toml"


def _number(raw: dict[str, Any], key: str, where: str) -> float | None:
    v = raw.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not (0 <= float(v) < 1e5):
        raise DataError(f"{where}: field {key!r}: value {v!r} is not a number in 0..100000 (USD bn)")
    return float(v)


def _event(raw: Any, where: str, origin: str) -> Event:
    if not isinstance(raw, dict):
        raise DataError(f"{where}: expected a table, got {raw!r}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise DataError(f"{where}: field 'kind': value {kind!r} is not one of {', '.join(KINDS)}")
    unknown = sorted(set(raw) - _COMMON - _FIELDS[kind])
    if unknown:
        raise DataError(f"{where}: unknown field(s) {', '.join(unknown)} for kind {kind!r}")
    eid = raw.get("id")
    if not isinstance(eid, str) or not eid:
        raise DataError(f"{where}: field 'id': missing or not text")
    where = f"{where} (id {eid!r})"
    for key in ("announced", "effective"):
        if not isinstance(raw.get(key), date):
            raise DataError(f"{where}: field {key!r}: value {raw.get(key)!r} is not a TOML date (YYYY-MM-DD)")
    if raw["effective"] < raw["announced"]:
        raise DataError(f"{where}: effective {raw['effective']} is before announced {raw['announced']}")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise DataError(f"{where}: field 'source': every event names its source")
    regime = raw.get("regime")
    if kind == "balance_sheet" and regime not in REGIMES:
        raise DataError(f"{where}: field 'regime': value {regime!r} is not one of {', '.join(REGIMES)}")
    if kind == "balance_sheet" and regime == "runoff" and raw.get("treasury_cap") is None:
        raise DataError(f"{where}: a runoff needs 'treasury_cap' (and 'mbs_cap'), USD bn a month")
    if kind == "tga_target" and raw.get("value") is None:
        raise DataError(f"{where}: a tga_target needs 'value' (USD bn)")
    return Event(
        id=eid, kind=kind, announced=raw["announced"], effective=raw["effective"], source=source.strip(),
        regime=regime, per_month=_number(raw, "per_month", where), treasury_cap=_number(raw, "treasury_cap", where),
        mbs_cap=_number(raw, "mbs_cap", where), value=_number(raw, "value", where), origin=origin,
    )


def _read(path: Path) -> list[Event]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read the events file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{path}: not valid TOML ({exc})") from None
    raw = doc.get("event", [])
    if not isinstance(raw, list):
        raise DataError(f"{path}: events are [[event]] tables")
    out = [_event(r, f"{path}: event {k + 1}", str(path)) for k, r in enumerate(raw)]
    seen: set[str] = set()
    for e in out:
        if e.id in seen:
            raise DataError(f"{path}: event id {e.id!r} defined twice")
        seen.add(e.id)
    return out


def load_events(home: str | Path | None = None, *, user: bool = True) -> tuple[Event, ...]:
    """Every event: the shipped file, then the user's (same id replaces), by effective date."""
    events = {e.id: e for e in _read(shipped_path())}
    if user:
        events.update({e.id: e for e in _read(user_path(home))})
    return tuple(sorted(events.values(), key=lambda e: (e.effective, e.announced, e.id)))


def events_asof(asof, events: tuple[Event, ...] | None = None) -> tuple[Event, ...]:
    """The events announced on or before ``asof`` (what was known then)."""
    import pandas as pd

    day = pd.Timestamp(asof).date()
    pool = load_events() if events is None else events
    return tuple(e for e in pool if e.announced <= day)
