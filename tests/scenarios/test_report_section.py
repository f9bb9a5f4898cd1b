"""The report's "What if" section on the tiny model: blocks, keys, cache, captions."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from bubblemachine.report.i18n import Catalog
from bubblemachine.report.sections import Chart, Table
from bubblemachine.scenarios import report as R
from bubblemachine.sfc import load_model

GROUPS = load_model(str(Path(__file__).parent / "models" / "tiny")).attribution.group_ids

I18N = Path(R.__file__).parent / "i18n"


def test_section_on_tiny_model(tiny_base, tiny_qe, monkeypatch):
    calls = []
    from bubblemachine.scenarios import runner

    orig = runner.run

    def counting(*a, **k):
        calls.append(a[0])
        return orig(*a, **k)

    monkeypatch.setattr(runner, "run", counting)
    sec = R.whatif_section([tiny_base, tiny_qe], paths=30, horizon=20, seed=1)
    assert len(calls) == 2
    fans = [b for b in sec.blocks if isinstance(b, Chart) and b.id.startswith("whatif-fan-")]
    assert [c.id for c in fans] == ["whatif-fan-spx", "whatif-fan-ust10y", "whatif-fan-net_liquidity"]
    liq = next(c for c in fans if c.id.endswith("net_liquidity"))
    # 5 traces for the one scenario (bands + median), then 5 baseline lines (5/25/50/75/95%);
    # the median of the QE scenario ends 100 bn above the baseline's
    assert len(liq.data) == 10
    assert liq.data[4]["y"][-1] == pytest.approx(5700.0) and liq.data[7]["y"][-1] == pytest.approx(5600.0)
    assert liq.data[4]["name"] == "whatif.scen.tiny_qe" and liq.data[7]["name"] == "whatif.scen.tiny_base"
    assert liq.data[0]["x"][0] == "2025-11-14" and liq.data[0]["x"][-1] == "2025-12-12"  # 20 business days
    # quantile bands are ordered: q05 <= q25 <= median <= q75 <= q95
    spx = fans[0]
    ys = np.array([spx.data[i]["y"] for i in (5, 6, 7, 8, 9)])
    assert np.all(np.diff(ys, axis=0) >= -1e-9)
    ys = np.array([spx.data[i]["y"] for i in (0, 2, 4, 3, 1)])
    assert np.all(np.diff(ys, axis=0) >= -1e-9)
    attr = [b for b in sec.blocks if isinstance(b, Chart) and b.id.startswith("whatif-attr-")]
    assert [c.id for c in attr] == ["whatif-attr-spx", "whatif-attr-ust10y"]
    ust = attr[1]
    bars = {t["name"]: t["x"][0] for t in ust.data}
    assert bars["whatif.group.plumbing"] == pytest.approx(-0.02, abs=1e-9)
    assert sum(bars[f"whatif.group.{g}"] for g in GROUPS) == pytest.approx(bars["whatif.total"], abs=1e-6)
    table = next(b for b in sec.blocks if isinstance(b, Table))
    assert table.columns[0] == "whatif.col.scenario"
    row = table.rows[0]
    assert row[table.columns.index("whatif.col.net_liquidity")] == pytest.approx(100.0)
    assert row[table.columns.index("whatif.col.ust10y")] == pytest.approx(-0.02)
    # second build: everything comes from the cache (no simulation)
    calls.clear()
    R._MEMO.clear()
    again = R.whatif_section([tiny_base, tiny_qe], paths=30, horizon=20, seed=1)
    assert calls == [] and again == sec
    assert len(list(R.cache_dir().glob("*.json"))) == 2
    # a different seed is a different cache entry
    R.whatif_section([tiny_base, tiny_qe], paths=30, horizon=20, seed=2)
    assert len(calls) == 2


def test_catalogs_cover_every_key(tiny_base, tiny_qe):
    cat = Catalog.load([I18N, Path(R.__file__).parents[1] / "report" / "i18n"])
    sec = R.whatif_section([tiny_base, tiny_qe], paths=10, horizon=20, seed=1, use_cache=False)
    used = {k for k in sec.keys() if not k.startswith("whatif.scen.tiny_")}  # test scenarios have no labels
    assert len(used) > 20
    # the group labels are not in the catalog files: they come from the model's [attribution]
    group_keys = {k for k in used if k.startswith("whatif.group.")}
    assert group_keys == {f"whatif.group.{g}" for g in GROUPS}
    assert cat.missing(used) == {"ko": sorted(group_keys), "en": sorted(group_keys)}
    tiny = load_model(str(Path(__file__).parent / "models" / "tiny"))
    cat.add(R.group_messages(tiny.attribution), source="tiny [attribution]")
    assert cat.missing(used) == {"ko": [], "en": []}
    assert cat.t("whatif.group.plumbing", "ko") == "배관 / 통화"
    cat.add(R.group_messages(tiny.attribution), source="again")  # the same labels twice: fine
    from bubblemachine.report.sections import ReportError

    with pytest.raises(ReportError, match="already defined"):
        cat.add({"en": {"whatif.group.plumbing": "Pipes"}}, source="other model")
    en = tomllib.loads((I18N / "en.toml").read_text(encoding="utf-8"))
    ko = tomllib.loads((I18N / "ko.toml").read_text(encoding="utf-8"))
    assert set(en["whatif"]) == set(ko["whatif"])
    assert "group" not in en["whatif"] and "group" not in ko["whatif"]
    for sub in ("series", "units", "scen", "col", "attr", "axis"):
        assert set(en["whatif"][sub]) == set(ko["whatif"][sub]), sub
    # every contract scenario and every reported series has a label in both languages
    from bubblemachine.scenarios.series import REPORTED

    assert set(REPORTED) <= set(en["whatif"]["series"])
    contract = {"baseline", "shutdown", "reopening_wave", "reverse_qe", "capital_call_cascade", "hawkish_chair",
                "circular_unwind", "deepseek_shock", "vol_shock", "vol_shock_no_systematic", "buyback_blackout",
                "energy_cap", "glp1_shift"}
    assert contract <= set(en["whatif"]["scen"])
    # the captions state the number of paths the report really uses
    assert f"{R.REPORT_PATHS} " in en["whatif"]["fan_caption"] and f"{R.REPORT_PATHS}" in ko["whatif"]["fan_caption"]
    assert f"{R.REPORT_HORIZON} " in en["whatif"]["fan_caption"]


def test_no_look_ahead_a_report_as_of_an_earlier_date_starts_the_model_then(monkeypatch, tmp_path):
    # issue 9: the model starts on the report's as-of date, calibrated on what was known then
    from types import SimpleNamespace

    import pandas as pd

    from bubblemachine.calibrate import default_path
    from bubblemachine.report.i18n import Catalog
    from bubblemachine.scenarios import runner

    seen = {}
    monkeypatch.setattr(R, "whatif_section", lambda names, **kw: seen.update(kw) or "section")
    ctx = SimpleNamespace(asof=pd.Timestamp("2024-12-31"), catalog=Catalog.load([I18N]))
    assert R.scenarios_section(ctx) == "section" and seen["asof"] == "2024-12-31"
    ref, used = runner.model_ref("ai_liquidity", "baseline", "2024-12-31")
    assert used == "2024-12-31" and Path(ref) != default_path().parent
    cal = (Path(ref) / "calibration.toml").read_text(encoding="utf-8")
    assert "# As-of date (model period 0): 2024-12-31" in cal
