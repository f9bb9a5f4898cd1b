"""The report section "Were the articles' trades any good?" in both languages, and the API."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bubblemachine.trades import report as prep

I18N = Path(prep.__file__).with_name("i18n")


def _flat(d, prefix=""):
    out = {}
    for k, v in d.items():
        out.update(_flat(v, f"{prefix}{k}.")) if isinstance(v, dict) else out.__setitem__(f"{prefix}{k}", v)
    return out


def test_every_key_in_both_languages_and_same_placeholders():
    import string

    en = _flat(tomllib.loads((I18N / "en.toml").read_text(encoding="utf-8")))
    ko = _flat(tomllib.loads((I18N / "ko.toml").read_text(encoding="utf-8")))
    assert set(en) == set(ko)
    for k in en:
        fields = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}  # noqa: E731
        assert fields(en[k]) == fields(ko[k]), k
        assert ko[k].strip(), k


@pytest.fixture
def small(monkeypatch):
    monkeypatch.setattr(prep, "REPORT_PATHS", 6)
    import inspect

    sig = inspect.signature(prep.scenario_table)
    default = sig.parameters["paths"].default
    orig = prep.scenario_table

    def table(strategies, *, paths=default, scenarios=None, use_cache=True):
        return orig(strategies, paths=6, scenarios=scenarios, use_cache=use_cache)

    monkeypatch.setattr(prep, "scenario_table", table)


def test_section_renders_in_both_languages(tmp_path, small):
    from bubblemachine.data import open_store
    from bubblemachine.report.core import summary_section
    from bubblemachine.report.render import build_report
    from bubblemachine.trades.report import positions_section

    res = build_report(open_store(), out_dir=tmp_path, lang="ko", providers=[summary_section, positions_section])
    html = res.path.read_text(encoding="utf-8")
    assert 'id="sec-positions"' in html
    assert "기사의 투자 아이디어는 통했나?" in html and "Were the articles&#39; trades any good?" in html
    assert "투자 권유가 아닙니다" in html and "Not investment advice" in html
    sec = next(s for s in res.sections if s.id == "positions")
    ids = {getattr(b, "id", None) for b in sec.blocks}
    assert {"positions_metrics", "positions_growth", "positions_relative", "positions_drawdowns", "positions_heatmap",
            "positions_winners"} <= ids  # fmt: skip
    heat = next(b for b in sec.blocks if getattr(b, "id", None) == "positions_heatmap")
    ticks = heat.axis_keys["xaxis.ticktext"]  # scenario names in the reader's language, one per column
    assert [k.rsplit(".", 1)[1] for k in ticks] == heat.data[0]["x"]
    assert ticks[heat.data[0]["x"].index("shutdown")] == "positions.dyn.scen.shutdown"  # no What-if section here
    from bubblemachine.scenarios import scenario_title

    assert scenario_title("shutdown", "ko") == "정부 셧다운" and scenario_title("shutdown", "en") == "Government shutdown"
    # two paragraphs per position, with the figures in both languages
    assert "positions.dyn.crypto_young.result" in {getattr(b, "key", None) for b in sec.blocks}
    assert "SPY" in sec.series and "WALCL" in sec.series


def test_no_scenario_heatmap_before_the_models_first_day(tmp_path, small):
    from bubblemachine.data import open_store
    from bubblemachine.report.core import summary_section
    from bubblemachine.report.render import build_report
    from bubblemachine.trades.report import positions_section

    res = build_report(open_store(), out_dir=tmp_path, lang="en", asof="2023-06-30",
                       providers=[summary_section, positions_section])
    sec = next(s for s in res.sections if s.id == "positions")
    ids = {getattr(b, "id", None) for b in sec.blocks}
    assert "positions_heatmap" not in ids and "positions_metrics" in ids


def test_scenario_table_is_cached_and_keyed_by_inputs(monkeypatch):
    from bubblemachine.trades.spec import load_strategies

    ss = [s for s in load_strategies() if s.id == "dont_play_cash"]
    two = ["baseline", "shutdown"]
    first = prep.scenario_table(ss, paths=3, scenarios=two)
    files = list(prep.cache_dir().glob("*.json"))
    assert len(files) == 1

    def boom(*a, **k):
        raise AssertionError("simulated again")

    monkeypatch.setattr("bubblemachine.trades.scenarios.run_scenarios", boom)
    assert prep.scenario_table(ss, paths=3, scenarios=two) == first
    assert first["scenarios"] == two and first["paths"] == 3
    key3 = prep.scenario_key(ss, two, paths=3, seed=20251114, horizon=252)
    assert key3 != prep.scenario_key(ss, two, paths=4, seed=20251114, horizon=252)
    assert key3 != prep.scenario_key(ss, ["baseline"], paths=3, seed=20251114, horizon=252)
    assert files[0].stem == key3


def test_python_api_returns_pandas():
    import pandas as pd

    import bubblemachine as bm

    p = bm.positions(["crypto_young", "dont_play_cash"], scenario="baseline", paths=4, progress=False)
    assert isinstance(p.metrics, pd.DataFrame) and list(p.metrics.index) == ["crypto_young", "dont_play_cash"]
    assert isinstance(p.equity, pd.DataFrame) and set(p.equity.columns) == {"crypto_young", "dont_play_cash"}
    assert p.equity["crypto_young"].first_valid_index() == pd.Timestamp("2017-11-13")
    assert p.wins.shape == (2, 1) and p.scenarios is not None
    assert "positions" in dir(bm) or hasattr(bm, "positions")


def test_the_shipped_scenario_table_is_reproducible_when_current():
    import json
    import math

    from bubblemachine.scenarios import list_scenarios, runner
    from bubblemachine.trades.spec import load_strategies

    files = list(prep.SHIPPED_DIR.glob("*.json"))
    assert len(files) <= 1
    ss = load_strategies()
    _, model, _ = runner.load("baseline")
    d = model.run_defaults
    key = prep.scenario_key(ss, list_scenarios(), paths=prep.REPORT_PATHS, seed=d.seed, horizon=d.periods)
    shipped = prep.SHIPPED_DIR / f"{key}.json"
    assert shipped.is_file(), ("the shipped scenario table is stale (model, scenario or strategy changed): "
                               "regenerate with `python -m bubblemachine.trades.report`")
    old = json.loads(shipped.read_text(encoding="utf-8"))
    new = prep.scenario_table(ss, use_cache=False)
    assert old["scenarios"] == new["scenarios"] and old["winners"] == new["winners"]
    for a, b in zip(old["outcomes"], new["outcomes"], strict=True):
        for k, v in a.items():
            if isinstance(v, float) and math.isfinite(v):
                assert b[k] == pytest.approx(v, rel=1e-4, abs=1e-9), (a["strategy"], a["scenario"], k)
            else:
                assert b[k] == v, (a["strategy"], a["scenario"], k)
