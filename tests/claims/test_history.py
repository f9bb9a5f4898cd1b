"""Verdicts over time: point-in-time re-runs, the same numbers on every backend, the timeline
summary, and the cache the report reads."""

from __future__ import annotations

import pytest

from bubblemachine.claims import ClaimError, Verdict, claims_history, run_claims
from bubblemachine.claims.history import HistoryPoint, cached_history, history_dates, timeline
from bubblemachine.data import open_store

IDS = ["C3.1-TSLA-2010-15", "C6.2", "F4.2-2024"]


def _pt(label: str, verdict: Verdict) -> HistoryPoint:
    return HistoryPoint(label + "-12-31", label, verdict, None, None, None, 0, None, None, None)


@pytest.mark.parametrize(
    ("marks", "now", "since", "flip", "strip"),
    [
        ("..+++", Verdict.SUPPORTED, "2012", None, "..+++"),
        ("+?xx", Verdict.CONTRADICTED, "2012", "2012", "+?xx"),
        ("xx++x", Verdict.CONTRADICTED, "2014", "2014", "xx++x"),
        ("???", Verdict.INCONCLUSIVE, "2010", None, "???"),
        ("...", Verdict.NOT_TESTABLE, None, None, "..."),
    ],
)
def test_timeline_summary(marks, now, since, flip, strip):
    sym = {"+": Verdict.SUPPORTED, "x": Verdict.CONTRADICTED, "?": Verdict.INCONCLUSIVE, ".": Verdict.NOT_TESTABLE}
    tl = timeline(tuple(_pt(str(2010 + i), sym[m]) for i, m in enumerate(marks)))
    assert (tl.now, tl.since, tl.flipped, tl.strip) == (now, since, flip, strip)
    if since:
        assert tl.sentence().startswith(f"{now.value} since {since}") and tl.sentence_ko().startswith(f"{since}부터")


def test_history_dates():
    d = history_dates("year", "2019-06-30", "2021-11-14")
    assert [f"{x:%Y-%m-%d}" for x in d] == ["2019-12-31", "2020-12-31"]
    q = history_dates("quarter", "2025-01-15", "2025-11-14")
    assert [f"{x:%Y-%m-%d}" for x in q] == ["2025-03-31", "2025-06-30", "2025-09-30"]
    with pytest.raises(ClaimError, match="--every"):
        history_dates("week", "2020-01-01", "2021-01-01")


def test_each_date_equals_a_run_as_of_that_date():
    hist = claims_history(ids=IDS, start="2022-06-30", backend="serial")
    assert hist.dates == ("2022-12-31", "2023-12-31", "2024-12-31", "2025-11-14")
    assert hist.labels[-1] == "2025-11-14"
    at = run_claims(ids=IDS, asof="2023-12-31").by_id()
    for cid in IDS:
        p = hist.points[cid][1]
        e = at[cid].evidence
        assert p.verdict is at[cid].verdict
        assert (p.effect, p.ci_low, p.ci_high, p.n) == ((e.effect, e.ci_low, e.ci_high, e.n) if e else (None, None, None, 0))
    assert hist.points["F4.2-2024"][1].verdict is Verdict.NOT_YET  # 2024 capex is not known at the end of 2023
    assert hist.points["F4.2-2024"][-1].verdict is Verdict.SUPPORTED
    last = run_claims(ids=IDS).by_id()
    assert hist.points["C6.2"][-1].effect == last["C6.2"].evidence.effect


@pytest.mark.slow
def test_backends_give_identical_histories():
    a = claims_history(ids=IDS, start="2023-06-30", backend="serial")
    b = claims_history(ids=IDS, start="2023-06-30", backend="process", workers=2)
    assert b.backend == "process" and b.workers == 2
    assert a.to_json() == b.to_json()


def test_cache_is_reused_and_recomputed_when_damaged(tmp_path, monkeypatch):
    import bubblemachine.claims.history as H

    store = open_store(tmp_path)
    calls = []
    real = H.claims_history

    def counting(*args, **kwargs):
        calls.append(kwargs.get("asof"))
        return real(*args, **kwargs)

    monkeypatch.setattr(H, "claims_history", counting)
    a = cached_history(store, start="2023-06-30", asof="2024-12-31", ids=IDS)
    b = cached_history(store, start="2023-06-30", asof="2024-12-31", ids=IDS)
    assert len(calls) == 1 and a.to_json() == b.to_json()
    files = list((tmp_path / "cache" / "claims").glob("history-*.json"))
    assert len(files) == 1
    files[0].write_text("{damaged", encoding="utf-8")
    c = cached_history(store, start="2023-06-30", asof="2024-12-31", ids=IDS)
    assert len(calls) == 2 and c.to_json() == a.to_json()
    cached_history(store, start="2023-06-30", asof="2024-06-28", ids=IDS)  # other options: another key
    assert len(calls) == 3


def test_the_shipped_history_of_the_snapshot_is_current(tmp_path):
    """The report reads the yearly history shipped for the embedded snapshot (same key as a
    fresh store's): stale after a claim changes; `python -m bubblemachine.claims.history`."""
    import bubblemachine.claims.history as H

    store = open_store(tmp_path)
    ids = tuple(c.id for c in H.get(None))
    key = H.cache_key(store, every="year", start=H.DEFAULT_START, asof=None, ids=ids, seed=H.SEED)
    shipped = sorted(p.name for p in H.SHIPPED_DIR.glob("history-*.json"))
    assert shipped == [f"history-{key}.json"], "run `python -m bubblemachine.claims.history` and commit"
    hist = cached_history(store)  # no computation: read from the package
    assert hist.ids == ids and hist.dates[0] == "2005-12-31" and hist.dates[-1] == "2025-11-14"


@pytest.mark.slow
def test_a_fresh_history_reproduces_the_shipped_one(tmp_path):
    """Recomputed (all claims, every year): the same verdicts and numbers (a change in the
    indicators or the store that moves a claim shows here)."""
    import json

    import bubblemachine.claims.history as H

    shipped = H.load(next(H.SHIPPED_DIR.glob("history-*.json")).read_text(encoding="utf-8"))
    fresh = claims_history(open_store(tmp_path), every="year", start=H.DEFAULT_START, workers=2)
    a, b = shipped.to_json(), fresh.to_json()
    assert [(r["id"], r["asof"], r["verdict"], r["n"], r["sample_end"]) for r in a] == [(r["id"], r["asof"], r["verdict"], r["n"], r["sample_end"]) for r in b]
    for ra, rb in zip(a, b, strict=True):
        for k in ("effect", "ci_low", "ci_high", "p_value", "p_holm"):
            assert (ra[k] is None) == (rb[k] is None), (ra["id"], ra["asof"], k)
            if ra[k] is not None:
                assert rb[k] == pytest.approx(ra[k], rel=1e-6, abs=1e-9), (ra["id"], ra["asof"], k, json.dumps(ra))
