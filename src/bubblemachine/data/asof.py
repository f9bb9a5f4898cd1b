"""As-of dates: parse a user's ``--asof`` and check it against what the store holds.

Every command and API that works "as of" a date validates the date here, once:
:func:`parse_asof` turns text into a ``Timestamp`` and, given the store (and optionally the
series a consumer reads), refuses a date before the earliest data or after the latest data
the store holds, with a named error (``--asof 1900-01-01`` and ``--asof 2999-01-01``).
:func:`latest_common_date` gives the default as-of of a consumer: the last date on which
every series it needs has an observation.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from bubblemachine.errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from bubblemachine.data.store import Store

__all__ = ["ASOF_GRACE_DAYS", "data_range", "latest_common_date", "parse_asof"]

#: How far past the store's last observation an as-of date may lie (weekends, holidays,
#: a store refreshed a few days ago). Later than that the answer would silently be the
#: answer of the last data date, so it is refused.
ASOF_GRACE_DAYS = 7


def _to_date(asof: str | date, option: str) -> pd.Timestamp:
    import pandas as pd

    if isinstance(asof, pd.Timestamp):
        return asof.normalize()
    if isinstance(asof, date):
        return pd.Timestamp(asof)
    try:
        return pd.Timestamp(date.fromisoformat(str(asof).strip()))
    except ValueError:
        raise DataError(f"{option}: {asof!r} is not a date; use YYYY-MM-DD, e.g. 2024-12-31") from None


def data_range(store: Store, series: Iterable[str] | None = None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(first, last) observation dates over ``series`` (default: every series of the store).

    ``first`` is the earliest first observation (the date from which something is known),
    ``last`` the latest last observation.
    """
    import pandas as pd

    ids = list(series) if series is not None else store.ids()
    if not ids:
        raise DataError("the data store holds no series")
    metas = [store.meta(s) for s in ids]
    return pd.Timestamp(min(m.first for m in metas)), pd.Timestamp(max(m.last for m in metas))


def parse_asof(
    asof: str | date | None,
    *,
    store: Store | None = None,
    series: Iterable[str] | None = None,
    option: str = "--asof",
) -> pd.Timestamp | None:
    """Validate an as-of date (``YYYY-MM-DD``); None stays None ("all the data").

    Args:
        asof: the date, as text or a date.
        store: when given, the date must lie within what the store holds: not before the
            earliest observation of ``series`` and not more than :data:`ASOF_GRACE_DAYS`
            after the latest.
        series: the series the caller reads (default: every series of the store).
        option: the option's name in error messages.

    Raises:
        DataError: naming the option, the value and the valid range.
    """
    if asof is None:
        return None
    ts = _to_date(asof, option)
    if store is None:
        return ts
    import pandas as pd

    first, last = data_range(store, series)
    if ts < first:
        raise DataError(
            f"{option} {ts:%Y-%m-%d}: before the earliest data in the store ({first:%Y-%m-%d}); "
            f"choose a date from {first:%Y-%m-%d} to {last:%Y-%m-%d}"
        )
    if ts > last + pd.Timedelta(days=ASOF_GRACE_DAYS):
        raise DataError(
            f"{option} {ts:%Y-%m-%d}: after the latest data in the store ({last:%Y-%m-%d}); "
            f"choose a date up to {last:%Y-%m-%d}, or bring newer data with "
            "`bubblemachine data update` / `data import`"
        )
    return ts


def latest_common_date(store: Store, series: Iterable[str]) -> pd.Timestamp:
    """The last date on which every one of ``series`` has an observation (their earliest ``last``)."""
    import pandas as pd

    ids = list(series)
    if not ids:
        raise DataError("latest_common_date: no series given")
    return pd.Timestamp(min(store.meta(s).last for s in ids))
