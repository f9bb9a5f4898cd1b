"""Policy state as of a date: the events known then, turned into the model's policy inputs.

:func:`policy_state` combines :func:`~bubblemachine.calibrate.events.events_asof` with the
store (as known on the date) into a :class:`PolicyState`:

* the Fed's balance sheet: the regime in force and the changes already announced, as
  trading days after the as-of date; a runoff's daily pace is the measured fall of WALCL
  over the last 13 known weeks, capped by the announced caps (a cap announced for later
  applies from its date); purchases at the announced monthly pace, or measured from WALCL
  when the pace was "as needed";
* whether the government is shut down (a shutdown started and its end not yet known);
* Treasury's cash-balance target: the latest announced for a quarter end not yet past,
  else the TGA's median over the last 52 known weeks (data, not an announcement).

Units: USD billions, per trading day for flows (a month is 21 trading days).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bubblemachine.calibrate.events import Event, events_asof

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["DAYS_PER_MONTH", "BalanceSheetStep", "PolicyState", "policy_state"]

#: Trading days a month (converts the Fed's monthly paces and caps to daily flows).
DAYS_PER_MONTH = 21.0
#: Weeks of WALCL used to measure the pace of a runoff or of "as needed" purchases.
PACE_WEEKS = 13


@dataclass(frozen=True)
class BalanceSheetStep:
    """The Fed's securities policy from ``period`` on.

    Attributes:
        period: trading days after the as-of date (0: in force on the as-of date).
        date: the effective date.
        regime: ``purchases``, ``reinvest`` or ``runoff``.
        flow: USD bn a trading day: purchases (> 0) or runoff (> 0 means the balance sheet shrinks).
        event: the event id.
    """

    period: int
    date: str
    regime: str
    flow: float
    event: str


@dataclass(frozen=True)
class PolicyState:
    """The policy inputs of a model started on ``asof``.

    Attributes:
        asof: the as-of date.
        steps: balance-sheet policy, the one in force first, then the announced changes.
        shutdown: 1.0 while a shutdown has started and its end is not known, else 0.0.
        shutdown_event: id of that shutdown ('' when none).
        tga_target: USD bn; Treasury's cash-balance target.
        tga_target_source: the event id, or how it was measured.
        measured_runoff: USD bn a trading day, the measured fall of WALCL (13 weeks).
        events: ids of every event known on ``asof``.
    """

    asof: str
    steps: tuple[BalanceSheetStep, ...]
    shutdown: float
    shutdown_event: str
    tga_target: float
    tga_target_source: str
    measured_runoff: float
    events: tuple[str, ...]

    def step_at(self, period: int) -> BalanceSheetStep:
        """The balance-sheet step in force at ``period`` (trading days after asof)."""
        current = self.steps[0]
        for s in self.steps:
            if s.period <= period:
                current = s
        return current

    @property
    def qt_runoff_rate(self) -> float:
        """USD bn a trading day of runoff in force on the as-of date (0 unless a runoff)."""
        s = self.steps[0]
        return s.flow if s.regime == "runoff" else 0.0

    @property
    def qt_end_period(self) -> int:
        """Trading days until a runoff in force ends (0: none in force; a large number: no end announced)."""
        if self.steps[0].regime != "runoff":
            return 0
        for s in self.steps[1:]:
            if s.regime != "runoff":
                return s.period
        return 1_000_000

    @property
    def fed_purchases(self) -> float:
        """USD bn a trading day of purchases in force on the as-of date."""
        s = self.steps[0]
        return s.flow if s.regime == "purchases" else 0.0


def _walcl_pace(store, asof: pd.Timestamp) -> float:
    """Change of WALCL over the last :data:`PACE_WEEKS` known weeks, USD bn a trading day."""
    w = store.series("WALCL", asof=asof).dropna()
    if len(w) <= PACE_WEEKS:
        return 0.0
    return float(w.iloc[-1] - w.iloc[-1 - PACE_WEEKS]) / 1000.0 / (PACE_WEEKS * 5.0)


def _tga_fallback(store, asof: pd.Timestamp) -> tuple[float, str]:
    t = store.series("WTREGEN", asof=asof).dropna()
    if t.empty:
        return 0.0, "no TGA data"
    last = t.iloc[-52:]
    return float(last.median()) / 1000.0, f"median of WTREGEN over the {len(last)} weeks to {last.index[-1]:%Y-%m-%d}"


def policy_state(store, asof, *, events: tuple[Event, ...] | None = None) -> PolicyState:
    """The policy inputs known on ``asof`` (events announced by then, data known by then)."""
    import pandas as pd

    from bubblemachine.data.calendar import sessions_between

    ts = pd.Timestamp(asof).normalize()
    known = events_asof(ts, events)
    pace = _walcl_pace(store, ts)
    measured_runoff = max(0.0, -pace)

    def period_of(day) -> int:
        d = pd.Timestamp(day)
        return 0 if d <= ts else len(sessions_between(ts + pd.Timedelta(days=1), d))

    def flow(e: Event) -> float:
        if e.regime == "runoff":
            return min(measured_runoff, (e.runoff_cap or 0.0) / DAYS_PER_MONTH)
        if e.regime == "purchases":
            return e.per_month / DAYS_PER_MONTH if e.per_month is not None else max(0.0, pace)
        return 0.0

    bs = [e for e in known if e.kind == "balance_sheet"]
    in_force = [e for e in bs if pd.Timestamp(e.effective) <= ts]
    later = [e for e in bs if pd.Timestamp(e.effective) > ts]
    steps: list[BalanceSheetStep] = []
    if in_force:
        e = in_force[-1]
        steps.append(BalanceSheetStep(0, f"{e.effective}", e.regime, flow(e), e.id))
    else:
        steps.append(BalanceSheetStep(0, f"{ts:%Y-%m-%d}", "reinvest", 0.0, "none known"))
    for e in later:
        steps.append(BalanceSheetStep(period_of(e.effective), f"{e.effective}", e.regime, flow(e), e.id))

    starts = [e for e in known if e.kind == "shutdown" and pd.Timestamp(e.effective) <= ts]
    ends = [e for e in known if e.kind == "shutdown_end" and pd.Timestamp(e.effective) <= ts]
    shut = ""
    if starts and (not ends or starts[-1].effective > ends[-1].effective):
        shut = starts[-1].id

    targets = [e for e in known if e.kind == "tga_target" and pd.Timestamp(e.effective) >= ts]
    if targets:
        tga, tga_src = float(targets[0].value), targets[0].id
    else:
        tga, tga_src = _tga_fallback(store, ts)

    return PolicyState(
        asof=f"{ts:%Y-%m-%d}",
        steps=tuple(steps),
        shutdown=1.0 if shut else 0.0,
        shutdown_event=shut,
        tga_target=tga,
        tga_target_source=tga_src,
        measured_runoff=measured_runoff,
        events=tuple(e.id for e in known),
    )
