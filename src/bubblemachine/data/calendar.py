"""Trading days: the New York Stock Exchange calendar (``exchange-calendars``, XNYS).

The model's periods are NYSE trading days, so a forecast's dates skip weekends and exchange
holidays (Good Friday, Juneteenth, Thanksgiving, ...) and special closures (national days
of mourning). Release days of government data use the Federal Reserve's business days
instead (:mod:`bubblemachine.data.release`).

Why ``exchange-calendars`` (not ``pandas-market-calendars``): it is the calendar library
that ``pandas-market-calendars`` itself builds on for exchanges, with fewer dependencies;
we need sessions only (no open/close times), which it gives as a plain ``DatetimeIndex``.
Building the calendar costs a second or two (importing the library is most of it), so its
sessions are cached once per library version as a small ``.npy`` file under the user's
home (``<home>/cache``) and read back in milliseconds.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from bubblemachine.errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = ["CALENDAR", "next_sessions", "previous_session", "sessions", "sessions_between"]

#: The exchange whose trading days are the model's periods.
CALENDAR = "XNYS"
_FIRST, _LAST = "1990-01-02", "2075-12-31"


def _build() -> np.ndarray:
    import warnings

    import numpy as np
    import pandas as pd

    with warnings.catch_warnings():  # the library's own pandas deprecation notices
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        import exchange_calendars as xc

        cal = xc.get_calendar(CALENDAR, start=_FIRST, end=_LAST)
    out = pd.DatetimeIndex(cal.sessions)
    if out.tz is not None:
        out = out.tz_localize(None)
    return np.asarray(out.values.astype("datetime64[D]"))


@cache
def sessions() -> pd.DatetimeIndex:
    """Every NYSE trading day from 1990-01-02 to 2075 (tz-naive, midnight)."""
    import contextlib
    import io
    from importlib.metadata import version

    import numpy as np
    import pandas as pd

    from bubblemachine import paths
    from bubblemachine._io import atomic_write_bytes

    cache_file = paths.home() / "cache" / f"sessions-{CALENDAR}-{version('exchange-calendars')}-{_FIRST}-{_LAST}.npy"
    days = None
    with contextlib.suppress(OSError, ValueError):
        days = np.load(cache_file, allow_pickle=False)
    if days is None or days.dtype != np.dtype("datetime64[D]"):
        days = _build()
        buf = io.BytesIO()
        np.save(buf, days, allow_pickle=False)
        with contextlib.suppress(OSError):  # a read-only home only costs the rebuild next time
            atomic_write_bytes(cache_file, buf.getvalue())
    return pd.DatetimeIndex(days.astype("datetime64[ns]"), name="date")


def _ts(day) -> pd.Timestamp:
    import pandas as pd

    ts = pd.Timestamp(day).normalize()
    if not pd.Timestamp(_FIRST) <= ts <= pd.Timestamp(_LAST):
        raise DataError(f"trading calendar: {ts:%Y-%m-%d} is outside {_FIRST}..{_LAST}")
    return ts


def previous_session(day) -> pd.Timestamp:
    """The last trading day on or before ``day``."""
    s = sessions()
    pos = s.searchsorted(_ts(day), side="right") - 1
    if pos < 0:
        raise DataError(f"trading calendar: no trading day on or before {day}")
    return s[pos]


def next_sessions(day, n: int) -> pd.DatetimeIndex:
    """The ``n`` trading days strictly after ``day`` (the dates of periods 1..n)."""
    s = sessions()
    pos = s.searchsorted(_ts(day), side="right")
    if pos + n > len(s):
        raise DataError(f"trading calendar: {n} trading days after {day} run past {_LAST}")
    return s[pos : pos + n]


def sessions_between(start, end) -> pd.DatetimeIndex:
    """Trading days in ``[start, end]``."""
    s = sessions()
    return s[(s >= _ts(start)) & (s <= _ts(end))]
