"""Point-in-time store: each release rule by hand, the catalogue, as-of validation, and every
consumer (monitor, calibration) equal to the same consumer on files cut by knowledge date."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from pandas.tseries.holiday import USFederalHolidayCalendar
from typer.testing import CliRunner

from bubblemachine.cli import app
from bubblemachine.data import Store, open_store, parse_asof
from bubblemachine.data.catalog import catalog
from bubblemachine.data.release import (
    FilingRule,
    NextBusinessDayRule,
    PeriodEndRule,
    SameDayRule,
    WeekdayRule,
    parse_rule,
)
from bubblemachine.errors import DataError

runner = CliRunner()


@pytest.fixture(scope="module")
def store():
    return open_store()


def _known(rule, dates, **cols):
    frame = pd.DataFrame(cols, index=pd.DatetimeIndex(pd.to_datetime(dates), name="date"))
    return [f"{d:%Y-%m-%d}" for d in rule.known(frame)]


# ------------------------------------------------------------------ one test per rule (by hand)
def test_same_day_market_close():
    assert _known(SameDayRule(), ["2025-11-14", "2025-11-15"]) == ["2025-11-14", "2025-11-15"]


def test_next_business_day_fred_rates():
    got = _known(
        NextBusinessDayRule(),
        [
            "2025-11-13",  # Thursday -> Friday
            "2025-11-14",  # Friday -> Monday
            "2025-11-15",  # Saturday (DFF has weekend rows) -> Monday
            "2025-07-03",  # Thursday before Independence Day (Friday 07-04) -> Monday 07-07
            "2025-09-01",  # Labor Day (a holiday observation) -> Tuesday
            "2025-11-10",  # Monday before Veterans Day (Tuesday 11-11, a Fed holiday) -> Wednesday
        ],
    )
    assert got == ["2025-11-14", "2025-11-17", "2025-11-17", "2025-07-07", "2025-09-02", "2025-11-12"]


def test_weekday_h41_thursday_after_wednesday():
    got = _known(WeekdayRule(weekday="thu"), ["2025-11-12", "2024-11-27", "2025-12-24"])
    # Thanksgiving Thursday 2024-11-28 and Christmas 2025-12-25 move the release to Friday
    assert got == ["2025-11-13", "2024-11-29", "2025-12-26"]


def test_weekday_rules_of_other_weekly_series():
    assert _known(WeekdayRule(weekday="wed"), ["2025-11-07"]) == ["2025-11-12"]  # NFCI: Fri -> Wed
    assert _known(WeekdayRule(weekday="thu"), ["2025-11-08"]) == ["2025-11-13"]  # claims: Sat -> Thu
    assert _known(WeekdayRule(weekday="mon"), ["2025-11-10", "2025-11-14"]) == ["2025-11-17", "2025-11-17"]


def test_period_end_monthly_and_quarterly():
    # CPI for September 2025 (dated 09-01): 15 days after 09-30 = Wednesday 10-15
    assert _known(PeriodEndRule(period="month", days=15), ["2025-09-01"]) == ["2025-10-15"]
    # payrolls for May 2025: 06-07 is a Saturday -> Monday 06-09
    assert _known(PeriodEndRule(period="month", days=7), ["2025-05-01"]) == ["2025-06-09"]
    # GDP 2025Q2 (dated 04-01): 30 days after 06-30 = 07-30
    assert _known(PeriodEndRule(period="quarter", days=30), ["2025-04-01"]) == ["2025-07-30"]


def test_filing_first_filing_not_the_restatement():
    rule = FilingRule(deadline_days=40, annual_deadline_days=60)
    got = _known(
        rule,
        ["2025-09-30", "2024-09-30", "2024-12-31", "2025-08-31"],
        filed=["2025-10-31", "2025-10-31", "2026-02-06", "2026-09-11"],
        fiscal_quarter=["Q3", "Q3", "Q4", "Q1"],
    )
    # AMZN 2025Q3 first filed 2025-10-31; AMZN 2024Q3's 'filed' is next year's 10-Q: the
    # 10-Q deadline (40 days) dates it; a fiscal Q4 comes with the 10-K (60 days); ORCL's
    # quarter to 2025-08-31 by its deadline 2025-10-10 (not 2026-09-11).
    assert got == ["2025-10-31", "2024-11-09", "2025-03-01", "2025-10-10"]


def test_every_catalogued_series_declares_a_rule_and_bad_rules_are_named():
    for sid, spec in catalog().items():
        assert spec.release.name in {"same_day", "next_business_day", "weekday", "period_end", "filing"}, sid
    assert isinstance(catalog()["WALCL"].release, WeekdayRule)
    assert isinstance(catalog()["DGS10"].release, NextBusinessDayRule)
    assert isinstance(catalog()["HYPERSCALER_CAPEX"].release, FilingRule)
    with pytest.raises(DataError, match=r"catalog.toml: series X: release.rule: 'soon'"):
        parse_rule({"rule": "soon"}, where="catalog.toml: series X")
    with pytest.raises(DataError, match="weekday: 'thursday'"):
        parse_rule({"rule": "weekday", "weekday": "thursday"}, where="X")
    with pytest.raises(DataError, match="unknown field"):
        parse_rule({"rule": "same_day", "lag": 3}, where="X")


# ------------------------------------------------------------------ the store's as-of
def test_store_frame_asof_is_knowledge_date(store):
    # the Wednesday 2025-11-12 balance sheet is not known on that Wednesday, only on Thursday
    assert store.series("WALCL", asof="2025-11-12").index[-1] == pd.Timestamp("2025-11-05")
    assert store.series("WALCL", asof="2025-11-13").index[-1] == pd.Timestamp("2025-11-12")
    assert store.series("SPX", asof="2025-11-14").index[-1] == pd.Timestamp("2025-11-14")
    assert store.series("DGS10", asof="2025-11-14").index[-1] == pd.Timestamp("2025-11-13")
    cpi = store.series("CPIAUCSL", asof="2025-10-14")
    assert cpi.index[-1] == pd.Timestamp("2025-08-01")
    assert store.release("WALCL").weekday == "thu"
    naive = Store(point_in_time=False)
    assert naive.series("WALCL", asof="2025-11-12").index[-1] == pd.Timestamp("2025-11-12")


def test_monitor_asof_shows_the_quarter_filed_by_then(tmp_path):
    r = runner.invoke(app, ["--home", str(tmp_path), "monitor", "--asof", "2025-11-14", "--format", "json"])
    assert r.exit_code == 0, r.output
    capex = json.loads(r.output)["hyperscaler_capex"]
    assert capex["value"] == pytest.approx(105.773, abs=1e-9)  # 2025Q3, all five filed in Oct 2025
    assert capex["asof"] == "2025-09-30"
    r = runner.invoke(app, ["--home", str(tmp_path), "monitor", "--asof", "2024-12-31", "--format", "json"])
    capex = json.loads(r.output)["hyperscaler_capex"]
    assert capex["asof"] == "2024-09-30"  # 2024Q3: Q4 is filed in Feb 2025
    assert capex["value"] == pytest.approx(61.165, abs=1e-9)


@pytest.mark.parametrize("bad", ["1900-01-01", "2999-01-01"])
def test_asof_outside_the_store_is_a_named_error(tmp_path, bad):
    import os
    import subprocess
    import sys

    r = subprocess.run(
        [sys.executable, "-m", "bubblemachine", "--home", str(tmp_path), "monitor", "--asof", bad],
        capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "300"},
    )
    assert r.returncode == 2, r.stderr
    assert f"--asof {bad}" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_parse_asof_bounds(store):
    assert parse_asof("2025-11-21", store=store) == pd.Timestamp("2025-11-21")  # a week of grace
    with pytest.raises(DataError, match="after the latest data"):
        parse_asof("2025-11-22", store=store)
    with pytest.raises(DataError, match="before the earliest data"):
        parse_asof("1920-01-01", store=store, series=["SPX"])
    with pytest.raises(DataError, match="not a date"):
        parse_asof("2024-13-01")
    assert parse_asof(None, store=store) is None


# ------------------------------------------------------------------ consumers vs truncated files
_HOLIDAYS = {d.date() for d in USFederalHolidayCalendar().holidays("1900-01-01", "2100-12-31")}


def _bday(d: date) -> bool:
    return d.weekday() < 5 and d not in _HOLIDAYS


def _roll(d: date) -> date:
    while not _bday(d):
        d += timedelta(days=1)
    return d


def _oracle(rule, d: date, row) -> date:
    """Knowledge date of one row, written out day by day (independent of the vectorised code)."""
    if isinstance(rule, SameDayRule):
        return d
    if isinstance(rule, NextBusinessDayRule):
        base = d
        while not _bday(base):
            base -= timedelta(days=1)
        nxt = base + timedelta(days=1)
        return _roll(nxt)
    if isinstance(rule, WeekdayRule):
        target = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].index(rule.weekday)
        k = d + timedelta(days=1)
        while k.weekday() != target:
            k += timedelta(days=1)
        return _roll(k)
    if isinstance(rule, PeriodEndRule):
        months = 1 if rule.period == "month" else 3 - (d.month - 1) % 3
        y, m = d.year + (d.month - 1 + months) // 12, (d.month - 1 + months) % 12 + 1
        end = date(y, m, 1) - timedelta(days=1)
        return _roll(end + timedelta(days=rule.days))
    if isinstance(rule, FilingRule):
        q4 = str(row[rule.fiscal_quarter]).upper() == "Q4"
        deadline = d + timedelta(days=rule.annual_deadline_days if q4 else rule.deadline_days)
        filed = row.get(rule.filed)
        if isinstance(filed, str) and filed:
            deadline = min(deadline, date.fromisoformat(filed))
        return max(deadline, d)
    raise AssertionError(rule)


def _truncated_store(src: Store, ids, asof: str, home) -> Store:
    cut = date.fromisoformat(asof)
    items = []
    for sid in ids:
        frame = src.frame(sid)
        rule = src.release(sid)
        keep = [
            _oracle(rule, ts.date(), row) <= cut
            for ts, row in zip(frame.index, frame.to_dict("records"), strict=True)
        ]
        part = frame[np.asarray(keep, dtype=bool)]
        if part.empty:
            continue
        m = src.meta(sid)
        items.append((part, {"id": sid, "title": m.title, "units": m.units, "frequency": m.frequency,
                             "keys": m.keys, "text_columns": catalog()[sid].text_columns}))
    out = Store(home, snapshot=False, point_in_time=False)
    out.write(items)
    return out


def _same_indicators(a, b):
    assert set(a) == set(b)
    for iid in a:
        x, y = a[iid], b[iid]
        assert x.asof == y.asof, iid
        assert (x.value != x.value and y.value != y.value) or x.value == pytest.approx(y.value, rel=1e-12, abs=1e-12), iid
        if x.history is not None:
            pd.testing.assert_series_equal(x.history, y.history, check_names=False, check_freq=False, rtol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("asof", ["2025-11-14", "2024-11-28", "2020-03-18"])
def test_monitor_equals_monitor_on_files_cut_by_knowledge_date(store, tmp_path, asof):
    from bubblemachine.indicators import SERIES_USED, compute_monitor

    cut = _truncated_store(store, SERIES_USED, asof, tmp_path)
    _same_indicators(compute_monitor(store, asof=asof), compute_monitor(cut, asof=asof))


@pytest.mark.slow
@pytest.mark.parametrize("asof", ["2025-11-14", "2024-11-29"])
def test_calibration_equals_calibration_on_files_cut_by_knowledge_date(store, tmp_path, asof):
    from bubblemachine.calibrate import calibrate
    from bubblemachine.calibrate.history import (
        BASKETS,
        LIQUIDITY_SOURCES,
        PRICE_SOURCES,
        RATE_SOURCES,
    )

    ids = {s for s in PRICE_SOURCES.values() if s != "basket"} | set(RATE_SOURCES.values())
    ids |= {sid for sid, _ in LIQUIDITY_SOURCES.values()} | {"HYPERSCALER_CAPEX"}
    ids |= {m for members in BASKETS.values() for m in members}
    cut = _truncated_store(store, sorted(ids), asof, tmp_path)
    a, b = calibrate(asof=asof, years=2, store=store), calibrate(asof=asof, years=2, store=cut)
    assert [(o.name, o.source) for o in a.initial] == [(o.name, o.source) for o in b.initial]
    np.testing.assert_allclose([o.value for o in a.initial], [o.value for o in b.initial], rtol=1e-12)
    np.testing.assert_allclose(a.noise.sigma, b.noise.sigma, rtol=1e-12)
    np.testing.assert_allclose(a.noise.corr, b.noise.corr, rtol=1e-10, atol=1e-12)
    assert (a.noise.first, a.noise.last, a.noise.n_obs) == (b.noise.first, b.noise.last, b.noise.n_obs)
