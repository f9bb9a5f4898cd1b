"""The claims report section: keys in both languages, one chart a claim, catalogs in sync."""

from __future__ import annotations

import pytest

from bubblemachine.claims import registry
from bubblemachine.claims.report import claims_section
from bubblemachine.data import open_store
from bubblemachine.report import registry as report_registry
from bubblemachine.report.i18n import Catalog
from bubblemachine.report.sections import Chart, ReportContext, Table, Text

PROVIDER = claims_section
ASOF = "2023-12-29"


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load(report_registry.catalog_dirs([PROVIDER]))


@pytest.fixture(scope="module")
def section(catalog):
    import pandas as pd

    return claims_section(ReportContext(store=open_store(), asof=pd.Timestamp(ASOF), lang="ko", catalog=catalog))


def test_provider_is_registered():
    from bubblemachine.composition import REPORT_SECTIONS

    assert PROVIDER in REPORT_SECTIONS


def test_section_keys_exist_in_both_languages(section, catalog):
    assert section.order == 70 and section.title_key == "claims.section.title"
    assert catalog.missing(section.keys()) == {"ko": [], "en": []}
    assert catalog.t("claims.section.title", "ko") == "기사들은 맞았나?"
    assert {"WALCL", "SPX", "BTC", "HYPERSCALER_CAPEX", "VIX3M"} <= set(section.series)  # stamped in the header


def test_scoreboard_then_one_chart_and_two_sentences_per_claim(section):
    tables = [b for b in section.blocks if isinstance(b, Table)]
    assert tables[0].id == "claims_scoreboard" and len(tables[0].rows) == len(registry.load())
    charts = [b for b in section.blocks if isinstance(b, Chart)]
    assert len({c.id for c in charts}) == len(charts) >= 20
    for c in charts:
        assert len(c.refs) == 1 and c.refs[0] in registry.load() and c.data
    texts = [b.key for b in section.blocks if isinstance(b, Text)]
    assert sum(k.endswith(".statement") for k in texts) == len(registry.load())


def test_korean_prose_is_hangul(catalog):
    for k, v in catalog.messages["ko"].items():
        if k.startswith("claims.") and k.endswith((".title", ".caption", ".intro", ".statement")):
            assert any("\uac00" <= ch <= "\ud7a3" for ch in v), k
            assert not any("\uac00" <= ch <= "\ud7a3" for ch in catalog.messages["en"][k]), k
