"""Declared windows honoured when data grow (issue 14, item 1).

A store gets synthetic rows after the snapshot's end (2025-11-14 -> 2026-06-30), imported as
a user would (``data import``). Every claim whose fixed window ends on or before 2025-11-14
must give byte-identical evidence (effect, interval, n, sample end, p-value) and verdict;
every open claim must report its new sample end; C1.1c's second reopening and C2.4 (about
2026) become testable.
"""

from __future__ import annotations

import pandas as pd
import pytest

from bubblemachine.claims import Verdict, registry, run_claims
from bubblemachine.data import Store

from . import appended

pytestmark = pytest.mark.slow
SNAPSHOT_END = "2025-11-14"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("base")
    grown = tmp_path_factory.mktemp("grown")
    used = {s for c in registry.load().values() for s in c.series}
    appended.build(grown, used)
    return run_claims(Store(base)).by_id(), run_claims(Store(grown)).by_id()


def _key(r):
    e = r.evidence
    return None if e is None else (e.effect, e.ci_low, e.ci_high, e.n, e.sample_start, e.sample_end, e.p_value)


def test_the_fixture_really_grew(tmp_path):
    appended.build(tmp_path, {"SPX", "WALCL", "HYPERSCALER_CAPEX"})
    s = Store(tmp_path)
    assert s.meta("SPX").last == appended.END and s.meta("WALCL").last > SNAPSHOT_END
    assert s.meta("HYPERSCALER_CAPEX").last > "2025-09-30"
    old = Store(tmp_path / "none").series("SPX")
    pd.testing.assert_series_equal(s.series("SPX").loc[:SNAPSHOT_END], old)  # the past is untouched


def test_fixed_windows_are_byte_identical_after_appending(runs):
    before, after = runs
    checked = 0
    for cid, r in before.items():
        w = r.claim.window
        if w.kind != "fixed" or w.end > SNAPSHOT_END:
            continue
        assert _key(r) == _key(after[cid]), cid
        assert r.verdict is after[cid].verdict and r.decision == after[cid].decision, cid
        checked += r.evidence is not None
    assert checked >= 20


def test_open_windows_report_their_new_sample_end(runs):
    before, after = runs
    moved = 0
    for cid, r in before.items():
        if r.claim.window.kind != "open" or r.evidence is None:
            continue
        assert after[cid].evidence is not None, cid
        assert after[cid].evidence.sample_end > r.evidence.sample_end, cid
        assert after[cid].evidence.sample_end > SNAPSHOT_END, cid
        moved += 1
    assert moved >= 15


def test_windows_not_closed_at_the_snapshot_complete_when_data_arrive(runs):
    before, after = runs
    a, b = before["C1.1c"], after["C1.1c"]
    assert (a.evidence.n, a.complete) == (1, False)
    assert (b.evidence.n, b.complete) == (2, True) and b.evidence.sample_end == "2025-12-10"  # reopening + 28 days
    assert not any("Only" in x for x in b.caveats())  # the computed caveat went away with the data


def test_c2_4_is_tested_automatically_on_2026_data(runs):
    before, after = runs
    assert before["C2.4"].verdict is Verdict.NOT_YET
    r = after["C2.4"]
    assert r.verdict in (Verdict.SUPPORTED, Verdict.CONTRADICTED, Verdict.INCONCLUSIVE), r.error
    e = r.evidence
    assert (e.sample_start, e.sample_end) == (SNAPSHOT_END, appended.END)
    assert e.ci_low <= e.effect <= e.ci_high and 0 <= e.p_value <= 1
    assert r.complete is False  # the window runs to 2026-12-31
    assert "d_net_liquidity_usd_bn" in e.details and e.details["window_days"] == (pd.Timestamp(appended.END) - pd.Timestamp(SNAPSHOT_END)).days
    # the observed return is the SPX log return over the window; the effect subtracts the random-window mean
    assert e.details["spx_log_ret_pct"] - e.details["null_mean_pct"] == pytest.approx(e.effect, rel=1e-12)


def test_weekly_windows_are_calendar_weeks_not_observations(tmp_path):
    """Three missing H.4.1 weeks after the 2019 reopening do not stretch C1.1c's 4-week window."""
    s = Store(tmp_path)
    meta = s.meta("WALCL")
    frame = s.frame("WALCL")
    gap = frame.drop(pd.DatetimeIndex(["2019-01-30", "2019-02-06", "2019-02-13"]))
    from bubblemachine.data.catalog import spec_for_file
    from bubblemachine.data.importer import import_path

    out = tmp_path / "csv"
    out.mkdir()
    gap.rename_axis(spec_for_file(meta.file).date_column).reset_index().to_csv(out / meta.file, index=False, date_format="%Y-%m-%d")
    import_path(out, store=s)
    r = run_claims(Store(tmp_path), ids=["C1.1c"]).results[0]
    assert r.evidence.details["window_2018-19"] == "2019-01-23..2019-02-20"  # still reopening + 28 days
    full = run_claims(Store(tmp_path / "none"), ids=["C1.1c"]).results[0]
    assert full.evidence.details["window_2018-19"] == "2019-01-23..2019-02-20"
