"""Static checks of the AI liquidity model files: mechanisms, names, defaults file, contract."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from bubblemachine.scenarios.series import PRICED, REPORTED, SERIES

MODEL_DIR = (
    Path(__file__).resolve().parents[2] / "src" / "bubblemachine" / "models" / "ai_liquidity"
)
SCEN_DIR = Path(__file__).resolve().parents[2] / "src" / "bubblemachine" / "scenarios"
MECHANISMS = [
    "M1.1",
    "M1.2",
    "M1.3",
    "M1.4",
    "M2.1",
    "M2.2",
    "M2.3",
    "M2.4",
    "M2.5",
    "M2.6",
    "M3.1",
    "M4.1",
    "M4.2",
    "M4.3",
    "M4.4",
    "M4.5",
    "M5.1",
    "M5.2",
    "M6.1",
    "M6.2",
    "M6.3",
    "M6.4",
    "M6.5",
    "M6.6",
    "M7.1",
    "M7.2",
    "M7.3",
    "M7.4",
    "M7.5",
    # second edition (issue 11)
    "M7.6",
    "M1.5",
    "M1.6",
    "M2.7",
    "M4.6",
    "M4.7",
    "M4.8",
    "M4.9",
    "M4.10",
    "M7.7",
]
SCENARIOS = [
    "baseline",
    "shutdown",
    "reopening_wave",
    "reverse_qe",
    "capital_call_cascade",
    "hawkish_chair",
    "circular_unwind",
    "deepseek_shock",
    "vol_shock",
    "vol_shock_no_systematic",
    "buyback_blackout",
    "energy_cap",
    "glp1_shift",
    # second edition (issue 11)
    "openai_funding_gap",
    "tariff_dividend",
    "qe_restart",
    "ai_capex_stop",
    "china_ai_race",
    "cost_of_living",
    "agi_euphoria",
]


@pytest.fixture(scope="module")
def model():
    import bubblemachine as bm

    return bm.load_model("ai_liquidity")


def _model_text() -> str:
    return "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted(MODEL_DIR.glob("*.toml"))
        if p.name != "calibration.toml"
    )


@pytest.mark.parametrize("mid", MECHANISMS)
def test_every_mechanism_is_a_commented_block_with_its_seed(mid):
    # "grep M4.1" finds the block, and the comment names the seed it comes from.
    lines = [ln for ln in _model_text().splitlines() if re.search(rf"#.*\b{re.escape(mid)}\b", ln)]
    assert lines, f"{mid} is not cited in any model file comment"
    assert any(re.search(r"seeds? 00[0-4]", ln) for ln in lines), (
        f"{mid}: no comment gives its seed: {lines[:2]}"
    )


def test_calendar_is_business_daily_from_the_data_vintage(model):
    assert model.calendar == {"start": "2025-11-14", "freq": "B"}


def test_reported_and_attribution_names_exist(model):
    names = set(model.equations)
    missing = [v for v in REPORTED if v not in names]
    assert not missing
    attr = model.attribution
    assert attr.group_ids == (
        "fiscal", "plumbing", "capex", "circular", "cascade", "voltarget", "cta", "buybacks", "hedging",
        "fundamentals", "noise",
    )
    assert all(g.en and g.ko and g.doc for g in attr.groups)
    assert set(attr.series_names) == {
        "spx", "ndx", "m7", "chips", "memory", "midcap_ai", "software", "energy", "btc", "eth",
        "ust2y", "ust10y", "ig_oas", "hy_oas",
        "rest_eq", "ndx_rest",  # second edition: the indices' unlisted rest (issue 11)
    }
    for s in attr.series:
        # the attribution's change agrees with the reported series' kind (log change vs difference)
        # (the indices' unlisted rest is a price, attributed but not a reported series)
        kind = SERIES[s.name].kind if s.name in SERIES else "price"
        assert (s.change == "log") == (kind == "price"), s.name
        for g in attr.group_ids:
            assert f"contrib_{s.name}_{g}" in names, f"contrib_{s.name}_{g}"
    # the model uses F2's calibrated noise for every priced series
    text = _model_text()
    for s in PRICED:
        assert f"noise_{s}" in text, s


def test_attribution_identities_are_declared_hidden(model):
    keys = set(model.hidden)
    for s in model.attribution.series:
        x = s.name
        assert (f"log({x}) - log({x}[-1])" if s.change == "log" else f"{x} - {x}[-1]") in keys
    # prices are built from their contributions by the loader; rates keep their own equation,
    # and so do the two indices (second edition: cap-weighted sums of their parts, whose
    # contributions are the parts' times the exact multipliers k_i)
    assert {s.name for s in model.attribution.series if s.generated_equation} == {
        s.name for s in model.attribution.series if s.change == "log"
    } - {"spx", "ndx"}
    # no hand-written contrib_* equation is left in the model files
    assert not re.search(r"^contrib_\w+\s*=", _model_text(), flags=re.M)


def test_model_does_not_define_calibration_names(model):
    cal = tomllib.loads((MODEL_DIR / "calibration.toml").read_text(encoding="utf-8"))
    own = {}
    for p in MODEL_DIR.glob("*.toml"):
        if p.name == "calibration.toml":
            continue
        data = tomllib.loads(p.read_text(encoding="utf-8"))
        for table in ("parameters", "initial", "random", "exogenous"):
            own.update({k: p.name for k in data.get(table, {})})
    for table in ("initial", "parameters", "random"):
        clash = set(cal.get(table, {})) & {k for k in own if k in cal.get(table, {})}
        assert not clash, (
            f"calibration.toml [{table}] names also defined by the model: {sorted(clash)}"
        )


def test_one_defaults_file_with_unit_source_and_range(model):
    # Every parameter and exogenous input of the model lives in parameters.toml (once, by
    # construction: a name defined twice is a load error), or in the generated
    # calibration.toml, as a record with unit, range, source and mechanism, machine-readable.
    from bubblemachine.sfc.parameters import CATALOGUE_ID
    from bubblemachine.sfc.units import UNITS

    for p in MODEL_DIR.glob("*.toml"):
        if p.name not in ("parameters.toml", "calibration.toml"):
            other = tomllib.loads(p.read_text(encoding="utf-8"))
            assert not other.get("parameters") and not other.get("exogenous"), p.name
    info = model.parameter_info
    assert set(info) == {*model.parameters, *model.exogenous}
    assert len(info) > 340
    groups = set(model.attribution.group_ids)
    for name, p in info.items():
        assert Path(p.file).name in ("parameters.toml", "calibration.toml"), name
        assert p.unit in UNITS, f"{name}: unit {p.unit!r} has no Korean label in bubblemachine.sfc.units"
        assert p.range is not None and p.range[0] < p.range[1], f"{name}: no range"
        values = p.value if isinstance(p.value, tuple) else (p.value,)  # exogenous paths: every value
        assert all(p.range[0] <= v <= p.range[1] for v in values), name
        assert p.source and p.doc, f"{name}: no source or doc"
        assert p.mechanism, f"{name}: no mechanism"
        for m in p.mechanism:
            # a mechanism of the catalogue the model implements, a claim, a fact (F: an anchor), or
            # an attribution group
            assert m in MECHANISMS or (CATALOGUE_ID.match(m) and m.startswith(("C", "F"))) or m in groups, (name, m)
    # calibration noise belongs to the noise group, the levers of the articles to their mechanisms
    assert info["sigma_spx"].mechanism == ("noise",) and info["shutdown"].mechanism == ("M1.2",)
    assert info["vt_target"].unit == "annual vol" and info["vt_target"].range == (0.05, 0.18)


def test_every_bundled_scenario_stays_in_the_declared_ranges(model):
    import bubblemachine as bm

    for name in SCENARIOS:
        bm.load_scenario(SCEN_DIR / f"{name}.toml").validate_against(model)  # raises ParameterError


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_files_exist_and_cite_mechanisms(name, model):
    import bubblemachine as bm

    path = SCEN_DIR / f"{name}.toml"
    text = path.read_text(encoding="utf-8")
    sc = bm.load_scenario(path)
    sc.validate_against(model)
    assert sc.model == "ai_liquidity" and sc.periods is None and sc.paths is None and sc.seed is None  # the model's defaults run it
    assert re.search(r"M\d\.\d", text), f"{name}: no mechanism cited"
    assert "predict" in text.lower(), f"{name}: does not say what the articles predict"


def test_the_list_is_every_bundled_scenario():
    from bubblemachine.scenarios import list_scenarios

    assert sorted(list_scenarios()) == sorted(SCENARIOS)


def test_baseline_has_no_shocks():
    import bubblemachine as bm

    assert bm.load_scenario(SCEN_DIR / "baseline.toml").shocks == []


def test_twin_differs_from_vol_shock_only_by_systematic_capital():
    import bubblemachine as bm

    a = bm.load_scenario(SCEN_DIR / "vol_shock.toml").shocks
    b = bm.load_scenario(SCEN_DIR / "vol_shock_no_systematic.toml").shocks
    assert set(a) <= set(b)
    extra = [s for s in b if s not in a]
    assert len(extra) == 1 and dict(extra[0].values) == {"vt_capital": 0.0, "cta_capital": 0.0}
    assert extra[0].start == 1 and extra[0].end is None


def test_model_is_lean(model):
    # performance budget (issue 4): a few hundred equations at most (second edition, issue 11:
    # ~660 acyclic equations with earnings priced and the macro core's priced path; the
    # 10,000 x 252 benchmark under 30 s is the real gate, at ~4 s)
    assert len(model.equations) < 720
