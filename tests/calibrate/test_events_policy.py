"""Events file, policy state as of a date, trading calendar, calibration files in the user's store."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from bubblemachine.calibrate.events import events_asof, load_events, shipped_path, user_path
from bubblemachine.calibrate.policy import DAYS_PER_MONTH, policy_state
from bubblemachine.data import open_store
from bubblemachine.errors import DataError


@pytest.fixture(scope="module")
def store():
    return open_store()


def test_shipped_events_are_valid_dated_and_sourced():
    events = load_events(user=False)
    assert len(events) >= 30
    for e in events:
        assert e.announced <= e.effective and e.source
    ids = {e.id for e in events}
    assert {"qt2_start", "qt2_end", "shutdown_2025", "shutdown_2025_end"} <= ids
    qt_end = next(e for e in events if e.id == "qt2_end")
    assert (qt_end.announced, qt_end.effective) == (date(2025, 10, 29), date(2025, 12, 1))


def test_events_are_read_as_of_the_announcement_date():
    before = {e.id for e in events_asof("2025-10-28")}
    after = {e.id for e in events_asof("2025-10-29")}
    assert "qt2_end" not in before and "qt2_end" in after


def test_policy_2025_11_14_qt_ends_on_december_1(store):
    p = policy_state(store, "2025-11-14")
    assert p.steps[0].regime == "runoff" and p.steps[0].event == "qt2_slow_2025"
    # trading days after Friday 2025-11-14 up to Monday 12-01: 10 (Thanksgiving 11-27 closed)
    assert p.qt_end_period == 10
    assert p.step_at(10).regime == "reinvest"
    # the measured runoff (13 weeks of WALCL, ~$20bn a month) within the $40bn-a-month cap
    assert 0.5 < p.qt_runoff_rate <= 40.0 / DAYS_PER_MONTH
    assert p.shutdown == 0.0  # the 2025 shutdown ended on 11-12
    assert p.tga_target == 850.0 and p.tga_target_source == "tga_2025q4"


def test_policy_2024_sees_qt_running_and_no_end(store):
    p = policy_state(store, "2024-11-15")
    assert p.steps[0].regime == "runoff" and len(p.steps) == 1
    assert p.qt_end_period == 1_000_000
    assert p.qt_runoff_rate <= 60.0 / DAYS_PER_MONTH + 1e-12
    assert "qt2_end" not in p.events
    # no Treasury announcement in the file for then: the TGA's 52-week median (data)
    t = store.series("WTREGEN", asof="2024-11-15").iloc[-52:]
    assert p.tga_target == pytest.approx(t.median() / 1000.0)


def test_policy_in_a_shutdown_and_in_qe(store):
    p = policy_state(store, "2025-10-15")
    assert p.shutdown == 1.0 and p.shutdown_event == "shutdown_2025"
    p = policy_state(store, "2013-10-08")
    assert p.shutdown == 1.0
    assert p.fed_purchases == pytest.approx(85.0 / DAYS_PER_MONTH)


def test_user_events_add_and_replace(tmp_path):
    user_path(tmp_path).write_text(
        '[[event]]\nid = "qt2_end"\nkind = "balance_sheet"\nannounced = 2025-10-29\neffective = 2026-01-02\n'
        'regime = "reinvest"\nsource = "what-if"\n', encoding="utf-8")
    e = next(x for x in load_events(tmp_path) if x.id == "qt2_end")
    assert e.effective == date(2026, 1, 2) and e.source == "what-if"


@pytest.mark.parametrize(
    "body, match",
    [
        ('id = "x"\nkind = "coup"\nannounced = 2020-01-01\neffective = 2020-01-01\nsource = "s"', "kind"),
        ('id = "x"\nkind = "shutdown"\nannounced = 2020-01-02\neffective = 2020-01-01\nsource = "s"', "before announced"),
        ('id = "x"\nkind = "shutdown"\nannounced = "2020-01-01"\neffective = 2020-01-01\nsource = "s"', "not a TOML date"),
        ('id = "x"\nkind = "shutdown"\nannounced = 2020-01-01\neffective = 2020-01-01', "source"),
        ('id = "x"\nkind = "balance_sheet"\nregime = "runoff"\nannounced = 2020-01-01\neffective = 2020-01-01\nsource = "s"', "treasury_cap"),
        ('id = "x"\nkind = "tga_target"\nvalue = -5\nannounced = 2020-01-01\neffective = 2020-01-01\nsource = "s"', "value"),
    ],
)
def test_bad_user_events_are_named_errors(tmp_path, body, match):
    user_path(tmp_path).write_text("[[event]]\n" + body + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=match) as info:
        load_events(tmp_path)
    assert "events.toml" in str(info.value)


def test_shipped_events_file_is_the_package_one():
    assert shipped_path().name == "events.toml" and shipped_path().is_file()


def test_trading_calendar_skips_exchange_holidays():
    from bubblemachine.data.calendar import next_sessions, previous_session, sessions_between

    days = next_sessions("2025-11-14", 10)
    assert pd.Timestamp("2025-11-27") not in days  # Thanksgiving
    assert days[-1] == pd.Timestamp("2025-12-01")
    assert previous_session("2025-04-18") == pd.Timestamp("2025-04-17")  # Good Friday (not a Fed holiday)
    assert previous_session("2025-01-09") == pd.Timestamp("2025-01-08")  # national day of mourning
    assert len(sessions_between("2024-01-01", "2024-12-31")) == 252


def test_calibrate_writes_to_the_users_store_never_the_package(tmp_path, store):
    from typer.testing import CliRunner

    from bubblemachine.calibrate import default_path
    from bubblemachine.cli import app

    before = default_path().read_bytes()
    r = CliRunner().invoke(app, ["--home", str(tmp_path), "calibrate", "--asof", "2024-11-15", "--years", "2"],
                           env={"COLUMNS": "300"})
    assert r.exit_code == 0, r.output
    written = list((tmp_path / "calibration" / "ai_liquidity").glob("2024-11-15-*.toml"))
    assert len(written) == 1 and "as of 2024-11-15" in r.output
    assert "runoff" in r.output and "qt2_slow_2024" in r.output
    assert default_path().read_bytes() == before


def test_default_asof_and_shipped_calibration_reuse(tmp_path, store):
    from bubblemachine.calibrate import calibrate, calibration_file, default_path
    from bubblemachine.calibrate.files import default_asof, model_dir

    assert default_asof(store) == "2025-11-14"
    cal = calibrate(store=store)
    assert cal.asof == "2025-11-14"
    assert calibration_file(cal, home=tmp_path) == default_path()  # the shipped one: same data
    other = calibrate(asof="2024-11-15", years=2, store=store)
    path = calibration_file(other, home=tmp_path)
    assert path.parent == tmp_path / "calibration" / "ai_liquidity"
    d = model_dir(path, home=tmp_path)
    assert (d / "calibration.toml").read_bytes() == path.read_bytes()
    assert (d / "model.toml").is_file() and model_dir(path, home=tmp_path) == d
    assert model_dir(default_path(), home=tmp_path) == default_path().parent
