"""The claims report section: keys in both languages, verdict classes, integer counts, a
timeline per claim, one chart a claim, catalogs in sync."""

from __future__ import annotations

import re

import pytest

from bubblemachine.claims import Verdict, registry
from bubblemachine.claims.report import claims_section
from bubblemachine.data import open_store
from bubblemachine.report import registry as report_registry
from bubblemachine.report.i18n import Catalog
from bubblemachine.report.sections import TONES, Chart, Label, ReportContext, Table, Text

PROVIDER = claims_section
ASOF = "2023-12-29"


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load(report_registry.catalog_dirs([PROVIDER]))


@pytest.fixture(scope="module")
def section(catalog, tmp_path_factory):
    import pandas as pd

    from bubblemachine.claims import report

    store = open_store(tmp_path_factory.mktemp("home"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report, "HISTORY_START", "2014-12-31")  # a shorter history keeps the test quick
        return claims_section(ReportContext(store=store, asof=pd.Timestamp(ASOF), lang="ko", catalog=catalog))


def _table(section, tid):
    return next(b for b in section.blocks if isinstance(b, Table) and b.id == tid)


def test_provider_is_registered():
    from bubblemachine.composition import REPORT_SECTIONS

    assert PROVIDER in REPORT_SECTIONS


def test_section_keys_exist_in_both_languages(section, catalog):
    assert section.order == 70 and section.title_key == "claims.section.title"
    assert catalog.missing(section.keys()) == {"ko": [], "en": []}
    assert catalog.t("claims.section.title", "ko") == "기사들은 맞았나?"
    assert {"WALCL", "SPX", "BTC", "HYPERSCALER_CAPEX", "VIX3M", "PAYEMS"} <= set(section.series)  # stamped in the header


def test_verdicts_carry_a_semantic_tone(section):
    board = _table(section, "claims_scoreboard")
    assert len(board.rows) == len(registry.load())
    by_slug = {v.slug: v for v in Verdict}
    tones = set()
    for row in board.rows:
        verdict = by_slug[row[2].key.removeprefix("claims.verdict.")]
        assert row[2].tone == verdict.tone
        tones.add(row[2].tone)
    assert {"positive", "negative", "caution"} <= tones
    texts = [b for b in section.blocks if isinstance(b, Text) and b.key.startswith("claims.decision.")]
    assert len(texts) == len(registry.load()) and all(t.tone in TONES for t in texts)


def test_multiple_testing_counts_are_whole_numbers_and_no_row_is_blank(section):
    mt = _table(section, "claims_multitest")
    assert len(mt.rows) == 4
    for label, count in mt.rows:
        assert isinstance(label, Label) and isinstance(count, str) and count.isdigit()


def test_rules_table_names_window_threshold_and_reason(section, catalog):
    rules = _table(section, "claims_rules")
    by = {row[0]: row for row in rules.rows}
    assert by["C2.1"][1].key == "claims.window.open" and by["F4.1"][1].key == "claims.window.fixed"
    assert by["C2.1"][4] == "CI > 0, |e| >= 0.1"
    assert catalog.t(by["C2.1"][5].key, "ko").startswith("판정: ")


def test_timeline_has_one_row_a_claim(section):
    tl = _table(section, "claims_timeline")
    assert [r[0] for r in tl.rows] == list(registry.load())
    by = {r[0]: r for r in tl.rows}
    strip = by["C3.1-TSLA-2010-15"][4]
    assert strip == "2014 ?++++ +++++ 2023"  # one mark a year to the report's as-of; the 2010-15 window closed in 2015
    assert by["C3.1-TSLA-2010-15"][1].tone == "positive" and by["C3.1-TSLA-2010-15"][2] == "2015"


def test_scoreboard_then_one_chart_and_two_sentences_per_claim(section):
    charts = [b for b in section.blocks if isinstance(b, Chart)]
    assert len({c.id for c in charts}) == len(charts) >= 20
    for c in charts:
        assert len(c.refs) == 1 and c.refs[0] in registry.load() and c.data
    texts = [b.key for b in section.blocks if isinstance(b, Text)]
    assert sum(k.endswith(".statement") for k in texts) == len(registry.load())


def test_korean_prose_is_hangul_and_formal(catalog):
    for k, v in catalog.messages["ko"].items():
        if k.startswith("claims.") and k.endswith((".title", ".caption", ".intro", ".statement")):
            assert any("\uac00" <= ch <= "\ud7a3" for ch in v), k
            assert not any("\uac00" <= ch <= "\ud7a3" for ch in catalog.messages["en"][k]), k
        if k.startswith("claims.") and k.endswith((".caption", ".intro", ".statement")) or k.startswith("claims.decision."):
            core = re.sub(r"\([^()]*\)\.?$", "", v.rstrip().rstrip(".")).rstrip()
            assert core.endswith("니다"), (k, v)
