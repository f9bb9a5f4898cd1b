"""Every claim runs on the embedded snapshot and returns a well-formed, honest result."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from bubblemachine.claims import VERDICTS, ClaimError, Thresholds, registry, run_claims
from bubblemachine.data import open_store

ASOF = "2020-06-30"


@pytest.fixture(scope="module")
def full():
    return run_claims()


@pytest.fixture(scope="module")
def early():
    return run_claims(asof=ASOF)


def test_registry_covers_every_c_item():
    ids = set(registry.load())
    for c in ("C1.1a", "C1.1b", "C1.1c", "C2.1", "C2.2", "C3.1", "C3.2", "C6.1", "C6.2", "C6.3"):
        assert c in ids
    for extra in ("C2.1-BTC", "C2.1-lead", "C2.1-break", "C2.1-crypto", "M1.2-TGA", "M3.1-real", "M6.2-CTA",
                  "M5.1-most", "M5.1-first", "F4.1", "F4.2-2024", "F4.2-growth", "F7.1", "C3.1-TSLA-2010-15"):  # fmt: skip
        assert extra in ids
    assert len(ids) >= 30


def test_every_claim_is_declared_data():
    for c in registry.load().values():
        assert dataclasses.is_dataclass(c.thresholds) and isinstance(c.thresholds, Thresholds)
        assert c.seed in ("000", "001", "002", "003", "004")
        assert c.statement_ko and c.statement_en and c.method_en and c.method_ko
        with pytest.raises(dataclasses.FrozenInstanceError):
            c.thresholds.materiality = 99.0  # type: ignore[misc]


def test_every_claim_runs_and_is_well_formed(full):
    assert len(full.results) == len(registry.load())
    for r in full.results:
        assert r.error is None, (r.claim.id, r.error)  # every declared sample has data in the snapshot
        assert r.verdict in VERDICTS
        if r.verdict == "not testable":
            continue
        e = r.evidence
        assert e.n > 0, r.claim.id
        assert math.isfinite(e.effect) and e.ci_low <= e.ci_high, r.claim.id
        assert e.sample_start <= e.sample_end <= "2025-11-14", r.claim.id
        assert e.chart is not None and e.chart["x"], r.claim.id
        if r.claim.thresholds.rule != "figure":
            assert 0.0 <= e.p_value <= 1.0, r.claim.id
    counts = full.counts()
    assert sum(counts.values()) == len(full.results)
    assert full.n_tests >= 20


def test_adjusted_pvalues_dominate_raw(full):
    for r in full.results:
        if r.p_holm is not None:
            assert r.p_holm >= r.evidence.p_value - 1e-12
            assert r.p_bh >= r.evidence.p_value - 1e-12
            assert r.p_holm >= r.p_bh - 1e-12


def test_asof_restricts_every_sample(early):
    for r in early.results:
        if r.evidence is not None and r.evidence.sample_end:
            assert r.evidence.sample_end <= ASOF, (r.claim.id, r.evidence.sample_end)
    by = {r.claim.id: r for r in early.results}
    # claims about later events have no data at that asof: not testable, with the reason stated
    assert by["F4.2-2024"].verdict == "not testable" and "not available" in by["F4.2-2024"].error
    assert by["M5.1-most"].verdict == "not testable" and by["M5.1-most"].evidence is None
    assert by["C2.1"].evidence.n > 400


def test_tsla_figures_against_the_raw_series(full):
    tsla = open_store().series("TSLA")
    by = {r.claim.id: r for r in full.results}
    for cid, d0, d1 in (("C3.1-TSLA-2010-15", "2010-06-29", "2015-12-31"), ("C3.1-TSLA-2019-21", "2018-12-31", "2021-12-31"),
                        ("C3.1-TSLA-H2-2024", "2024-06-28", "2025-11-12")):  # fmt: skip
        expected = 100.0 * (tsla[pd.Timestamp(d1)] / tsla[pd.Timestamp(d0)] - 1.0)
        assert by[cid].evidence.effect == pytest.approx(expected, rel=1e-12)
        assert (by[cid].evidence.sample_start, by[cid].evidence.sample_end) == (d0, d1)
    assert by["C3.1-TSLA-2010-15"].evidence.effect == pytest.approx(904.6, abs=0.5)


def test_capex_2024_against_the_raw_panel(full):
    panel = open_store().frame("HYPERSCALER_CAPEX")
    sel = panel[panel["company"].isin(["AMZN", "GOOGL", "META", "MSFT"]) & panel["calendar_quarter"].str.startswith("2024")]
    assert len(sel) == 16
    by = {r.claim.id: r for r in full.results}
    assert by["F4.2-2024"].evidence.effect == pytest.approx(sel["capex_usd"].sum() / 1e9)


def test_vix_inversion_share_matches_published_order(full):
    by = {r.claim.id: r for r in full.results}
    share = by["C6.3"].evidence.details["share_inverted_days"]
    assert 0.05 < share < 0.11  # published: ~7.8% of days since 2010 (research/finance-anchors.md)


def test_blackout_calendar_declared_rule():
    from bubblemachine.claims.systematic import blackout_calendar

    days = pd.DatetimeIndex(["2024-03-15", "2024-03-18", "2024-04-17", "2024-04-18", "2024-05-15", "2024-12-17", "2025-01-10"])
    assert blackout_calendar(days).tolist() == [0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("th", "eff", "lo", "hi", "verdict"),
    [
        (Thresholds(direction=1), 0.5, 0.1, 0.9, "supported"),
        (Thresholds(direction=1), -0.5, -0.9, -0.1, "contradicted"),
        (Thresholds(direction=1), 0.1, -0.2, 0.4, "inconclusive"),
        (Thresholds(direction=-1), -0.5, -0.9, -0.1, "supported"),
        (Thresholds(direction=1, materiality=0.1), 0.05, 0.01, 0.09, "contradicted"),
        (Thresholds(direction=1, materiality=0.1), 0.15, 0.05, 0.25, "supported"),
        (Thresholds(direction=1, materiality=0.1), 0.08, 0.01, 0.20, "inconclusive"),
        (Thresholds(rule="no_harm", materiality=1.0), 0.5, -0.5, 1.5, "supported"),
        (Thresholds(rule="no_harm", materiality=1.0), -0.5, -1.5, 0.5, "inconclusive"),
        (Thresholds(rule="no_harm", materiality=1.0), -2.0, -3.0, -1.0, "contradicted"),
        (Thresholds(rule="figure", claimed=100.0), 110.0, 110.0, 110.0, "supported"),
        (Thresholds(rule="figure", claimed=100.0), 125.0, 125.0, 125.0, "inconclusive"),
        (Thresholds(rule="figure", claimed=100.0), 140.0, 140.0, 140.0, "contradicted"),
        (Thresholds(rule="figure", claimed=200.0, compare="at_least"), 190.0, 190.0, 190.0, "inconclusive"),
        (Thresholds(rule="not_testable"), float("nan"), float("nan"), float("nan"), "not testable"),
    ],
)
def test_verdict_rules(th, eff, lo, hi, verdict):
    assert th.verdict(eff, lo, hi) == verdict


def test_bad_thresholds_name_the_field():
    with pytest.raises(ClaimError, match="direction"):
        Thresholds(direction=0)
    with pytest.raises(ClaimError, match="claimed"):
        Thresholds(rule="figure")


def test_unknown_id_lists_valid_ids():
    with pytest.raises(ClaimError) as exc:
        run_claims(ids=["C9.9"])
    assert "C9.9" in str(exc.value) and "C2.1" in str(exc.value) and "C6.3" in str(exc.value)


def test_bootstrap_is_reproducible():
    a = run_claims(ids=["C2.1"]).results[0].evidence
    b = run_claims(ids=["C2.1"]).results[0].evidence
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)


def test_claim_ignores_data_after_asof():
    """A claim computed at asof equals the same claim on a store that lacks later data."""
    from bubblemachine.claims.registry import CLAIMS

    store = open_store()

    class Cut:
        def __init__(self, s, end):
            self.s, self.end = s, pd.Timestamp(end)

        def series(self, sid, asof=None, **kw):
            x = self.s.series(sid, asof=self.end, **kw)
            return x if asof is None else x.loc[: pd.Timestamp(asof)]

        def frame(self, sid, asof=None):
            return self.s.frame(sid, asof=self.end if asof is None else min(self.end, pd.Timestamp(asof)))

    for cid in ("C6.1", "M6.2-CTA", "C2.1-lead"):
        a = CLAIMS[cid].test(store, pd.Timestamp(ASOF))
        b = CLAIMS[cid].test(Cut(store, ASOF), None)
        assert a.effect == pytest.approx(b.effect, rel=1e-9) and a.n == b.n, cid
    assert np.isfinite(a.effect)


def test_committed_catalogs_match_the_registry(full):
    from bubblemachine.claims import i18n

    cat = i18n.catalog(full)
    for lang in ("en", "ko"):
        committed = (i18n.I18N_DIR / f"{lang}.toml").read_text(encoding="utf-8")
        assert committed == i18n.render_toml(cat[lang], lang), "run `python -m bubblemachine.claims.i18n` and commit"


def test_seed_moves_intervals_not_effects():
    a = run_claims(ids=["C2.1"], seed=1).results[0].evidence
    b = run_claims(ids=["C2.1"], seed=2).results[0].evidence
    c = run_claims(ids=["C2.1"]).results[0]
    assert a.effect == b.effect and (a.ci_low, a.ci_high) != (b.ci_low, b.ci_high)
    assert run_claims(ids=["C2.1"], seed=1).seed == 1 and c.claim.rng_seed.entropy[0] == registry.SEED  # reset after a run


def test_event_claims_report_their_event_days(full):
    by = {r.claim.id: r for r in full.results}
    assert by["C1.1b"].evidence.sample_start == "2018-12-24"  # first trading day of the 2018-19 shutdown
    assert by["M1.2-TGA-SPX"].evidence.sample_end == "2025-09-30"
