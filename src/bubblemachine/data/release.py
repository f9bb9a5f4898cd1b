"""Release rules: when each observation of a series became KNOWN (point-in-time data).

A series' observation dated ``d`` (its observation date: a Wednesday balance sheet, a
month of CPI, a quarter of capex) becomes public on a later **knowledge date**. The
catalogue (``catalog.toml``) declares one rule per series as a ``release`` table; this
module parses it into a frozen rule object and computes knowledge dates for a whole frame
at once. :meth:`bubblemachine.data.Store.frame` with ``asof=`` keeps the rows whose
knowledge date is on or before ``asof``.

Rules (``rule = ...`` in the catalogue):

``same_day``
    Known on the observation date (market closes; ON RRP results, published at 13:15 ET
    the same day; administered rates set in advance).
``next_business_day``
    Known on the next Federal Reserve business day (FRED's daily H.15 rates, SOFR, ICE
    spreads, the Daily Treasury Statement: all published the morning or afternoon after).
``weekday``
    Known on the first given weekday strictly after the observation date, moved to the next
    business day if that is a holiday (H.4.1: Wednesday levels published Thursday 16:30 ET;
    NFCI: Friday weeks published Wednesday; jobless claims: Saturday weeks published Thursday).
``period_end``
    Known ``days`` calendar days after the end of the month or quarter the observation
    date opens (FRED dates monthly and quarterly data on the first day of the period),
    moved to the next business day (CPI about the 13th of the next month: 15 days; payrolls
    the first Friday: 7 days; PCE and M2 about four weeks; GDP's advance estimate 30 days
    after the quarter).
``filing``
    Company filings (SEC 10-Q/10-K): known on the earlier of the ``filed`` column and the
    statutory deadline after the period end (large accelerated filers: 40 days for a
    10-Q, 60 for a 10-K, i.e. fiscal Q4). The ``filed`` column of the snapshot's capex
    panel is the LATEST filing that reports the quarter (often next year's 10-Q, which
    repeats it as a comparative), so on its own it would date most quarters a year late;
    the first filing is no later than the deadline, and no later than ``filed``.

Business days are Federal Reserve business days (weekdays except US federal holidays:
pandas' ``USFederalHolidayCalendar``), the calendar of the agencies that publish. Market
trading days (an exchange calendar) are :mod:`bubblemachine.data.calendar`'s business.

Limits (documented in docs/design/point-in-time.md): the values are the latest vintage
(FRED and SEC revisions are not kept), so "known on" means "first published on"; the
revised value stands in for the first print.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from bubblemachine.errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = [
    "FilingRule",
    "NextBusinessDayRule",
    "PeriodEndRule",
    "ReleaseRule",
    "SameDayRule",
    "WeekdayRule",
    "fed_holidays",
    "parse_rule",
    "SAME_DAY",
]

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@cache
def fed_holidays() -> np.ndarray:
    """US federal holidays 1900-2100 as ``datetime64[D]`` (observed dates)."""
    import numpy as np
    from pandas.tseries.holiday import USFederalHolidayCalendar

    days = USFederalHolidayCalendar().holidays(start="1900-01-01", end="2100-12-31")
    return np.asarray(days.values.astype("datetime64[D]"))


def _roll_forward(days: np.ndarray) -> np.ndarray:
    """Each date, or the next Fed business day when it is a weekend or holiday."""
    import numpy as np

    return np.busday_offset(days, 0, roll="forward", holidays=fed_holidays())


def _as_days(dates: Any) -> np.ndarray:
    import numpy as np
    import pandas as pd

    return np.asarray(pd.DatetimeIndex(dates).values.astype("datetime64[D]"))


def _to_index(days: np.ndarray) -> pd.DatetimeIndex:
    import pandas as pd

    return pd.DatetimeIndex(days.astype("datetime64[ns]"), name="known")


@dataclass(frozen=True)
class ReleaseRule:
    """Base class: a rule that maps observation dates to knowledge dates."""

    note: str = ""
    name: ClassVar[str] = ""

    def known(self, frame: pd.DataFrame) -> pd.DatetimeIndex:
        """The knowledge date of each row of ``frame`` (indexed by observation date)."""
        raise NotImplementedError

    def describe(self) -> str:
        """A short description for people (``data info``, docs)."""
        return self.name


@dataclass(frozen=True)
class SameDayRule(ReleaseRule):
    """Known on the observation date (market closes)."""

    name: ClassVar[str] = "same_day"

    def known(self, frame: pd.DataFrame) -> pd.DatetimeIndex:
        return _to_index(_as_days(frame.index))

    def describe(self) -> str:
        return "known on the observation date"


@dataclass(frozen=True)
class NextBusinessDayRule(ReleaseRule):
    """Known on the next Fed business day after the observation date."""

    name: ClassVar[str] = "next_business_day"

    def known(self, frame: pd.DataFrame) -> pd.DatetimeIndex:
        import numpy as np

        days = _as_days(frame.index)
        # roll a weekend/holiday observation back to its business day, then one day on:
        # Friday, Saturday and Sunday values are all published on Monday.
        return _to_index(np.busday_offset(days, 1, roll="backward", holidays=fed_holidays()))

    def describe(self) -> str:
        return "known the next business day"


@dataclass(frozen=True)
class WeekdayRule(ReleaseRule):
    """Known on the first ``weekday`` strictly after the observation date (then a business day)."""

    weekday: str = "thu"
    name: ClassVar[str] = "weekday"

    def __post_init__(self) -> None:
        if self.weekday not in WEEKDAYS:
            raise DataError(f"release rule weekday: {self.weekday!r} is not one of {', '.join(WEEKDAYS)}")

    def known(self, frame: pd.DataFrame) -> pd.DatetimeIndex:

        days = _as_days(frame.index)
        dow = (days.astype("int64") - 4) % 7  # 1970-01-01 was a Thursday (index 3): Monday = 0
        target = WEEKDAYS.index(self.weekday)
        ahead = (target - dow - 1) % 7 + 1
        return _to_index(_roll_forward(days + ahead.astype("timedelta64[D]")))

    def describe(self) -> str:
        return f"known the next {self.weekday.capitalize()}"


@dataclass(frozen=True)
class PeriodEndRule(ReleaseRule):
    """Known ``days`` after the end of the month/quarter the observation date opens."""

    period: str = "month"
    days: int = 0
    name: ClassVar[str] = "period_end"

    def __post_init__(self) -> None:
        if self.period not in ("month", "quarter"):
            raise DataError(f"release rule period: {self.period!r} is not 'month' or 'quarter'")
        if not isinstance(self.days, int) or isinstance(self.days, bool) or not 0 <= self.days <= 1000:
            raise DataError(f"release rule days: {self.days!r} is not a whole number of days in 0..1000")

    def known(self, frame: pd.DataFrame) -> pd.DatetimeIndex:
        import numpy as np
        import pandas as pd

        idx = pd.DatetimeIndex(frame.index)
        end = idx.to_period("M" if self.period == "month" else "Q").to_timestamp(how="end")
        days = np.asarray(end.normalize().values.astype("datetime64[D]"))
        return _to_index(_roll_forward(days + np.timedelta64(self.days, "D")))

    def describe(self) -> str:
        return f"known {self.days} days after the {self.period} ends"


@dataclass(frozen=True)
class FilingRule(ReleaseRule):
    """SEC filings: the earlier of the ``filed`` column and the statutory deadline."""

    filed: str = "filed"
    fiscal_quarter: str = "fiscal_quarter"
    deadline_days: int = 40
    annual_deadline_days: int = 60
    name: ClassVar[str] = "filing"

    def __post_init__(self) -> None:
        for label, v in (("deadline_days", self.deadline_days), ("annual_deadline_days", self.annual_deadline_days)):
            if not isinstance(v, int) or isinstance(v, bool) or not 0 < v <= 400:
                raise DataError(f"release rule {label}: {v!r} is not a whole number of days in 1..400")

    def known(self, frame: pd.DataFrame) -> pd.DatetimeIndex:
        import numpy as np
        import pandas as pd

        days = _as_days(frame.index)
        annual = np.zeros(len(frame), dtype=bool)
        if self.fiscal_quarter in frame.columns:
            annual = (frame[self.fiscal_quarter].astype("string").str.upper() == "Q4").fillna(False).to_numpy(bool)
        deadline = days + np.where(annual, self.annual_deadline_days, self.deadline_days).astype("timedelta64[D]")
        if self.filed in frame.columns:
            filed = pd.to_datetime(frame[self.filed], format="%Y-%m-%d", errors="coerce")
            filed_days = np.asarray(filed.values.astype("datetime64[D]"))
            ok = ~np.isnat(filed_days)
            deadline = np.where(ok, np.minimum(deadline, np.where(ok, filed_days, deadline)), deadline)
            # a filing cannot precede the period end (a typo would otherwise leak the future)
            deadline = np.maximum(deadline, days)
        return _to_index(deadline)

    def describe(self) -> str:
        return (
            f"known at the first filing: the earlier of '{self.filed}' and the deadline "
            f"({self.deadline_days} days after the period end, {self.annual_deadline_days} for a 10-K)"
        )


SAME_DAY = SameDayRule(note="default for series without a declared rule")

_RULES: dict[str, type[ReleaseRule]] = {
    r.name: r for r in (SameDayRule, NextBusinessDayRule, WeekdayRule, PeriodEndRule, FilingRule)
}


def parse_rule(raw: Any, *, where: str) -> ReleaseRule:
    """A :class:`ReleaseRule` from a catalogue ``release`` value (a table or a rule name).

    Raises:
        DataError: naming ``where``, the field and the value.
    """
    if raw is None:
        return SAME_DAY
    if isinstance(raw, str):
        raw = {"rule": raw}
    if not isinstance(raw, dict):
        raise DataError(f"{where}: release: expected a table such as {{ rule = \"same_day\" }}, got {raw!r}")
    fields = dict(raw)
    name = fields.pop("rule", None)
    if name not in _RULES:
        raise DataError(f"{where}: release.rule: {name!r} is not one of {', '.join(_RULES)}")
    cls = _RULES[name]
    allowed = set(cls.__dataclass_fields__)
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise DataError(
            f"{where}: release: unknown field(s) {', '.join(unknown)} for rule {name!r} "
            f"(allowed: {', '.join(sorted(allowed))})"
        )
    try:
        return cls(**fields)
    except DataError as exc:
        raise DataError(f"{where}: {exc}") from None
