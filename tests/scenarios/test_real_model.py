"""compare / explain / list on the shipped AI liquidity model (skipped where it is absent)."""

from __future__ import annotations

import pytest

from bubblemachine.paths import package_dir
from bubblemachine.scenarios import list_scenarios, scenario_description
from bubblemachine.scenarios.compare import compare
from bubblemachine.scenarios.explain import explain
from bubblemachine.scenarios.series import REPORTED

MODEL = package_dir() / "models" / "ai_liquidity" / "model.toml"
pytestmark = pytest.mark.skipif(not MODEL.is_file(), reason="AI liquidity model not present")

CONTRACT = ["baseline", "shutdown", "reopening_wave", "reverse_qe", "capital_call_cascade", "hawkish_chair",
            "circular_unwind", "deepseek_shock", "vol_shock", "vol_shock_no_systematic", "buyback_blackout",
            "energy_cap", "glp1_shift"]


def test_every_contract_scenario_is_listed_with_a_description():
    names = list_scenarios()
    assert names[0] == "baseline"
    assert set(CONTRACT) <= set(names)
    for n in names:
        assert scenario_description(n), n


def test_ai_scenarios_leave_run_settings_to_the_model_defaults():
    """One set of run defaults for the AI model (issue 8): ``[model] defaults`` of model.toml.
    A scenario file that set periods/paths/seed would make `simulate --scenario X` differ from
    `scenario compare`, `explain`, `forecast` and the report."""
    import tomllib

    from bubblemachine.scenarios import scenario_path
    from bubblemachine.sfc.spec import resolve_run

    for n in list_scenarios():
        head = tomllib.loads(scenario_path(n).read_text(encoding="utf-8"))["scenario"]
        assert not {"periods", "paths", "seed"} & set(head), (n, head)
    spec = resolve_run(None, scenario=scenario_path("shutdown"))
    d = spec.compiled.model.run_defaults
    assert (spec.periods, spec.paths, spec.seed) == (d.periods, d.paths, d.seed) == (252, 1000, 20251114)


def test_compare_reports_every_series_and_crn_makes_a_b_identical_at_period_zero():
    c = compare("baseline", "baseline", paths=16, horizon=20, seed=3)
    assert list(c.rows) == list(REPORTED)
    assert all(r["diff_median"] == 0.0 for r in c.rows.values())


def test_explain_adds_up_on_the_real_model():
    out = explain("capital_call_cascade", vs="baseline", series=["spx", "btc", "hy_oas"], paths=24, horizon=60, seed=1)
    assert [e.series for e in out] == ["spx", "btc", "hy_oas"]
    from bubblemachine.scenarios import runner

    groups = runner.load("baseline")[1].attribution.group_ids
    for e in out:
        assert tuple(e.contributions) == groups
        assert sum(e.contributions.values()) == pytest.approx(e.total, abs=1e-9)
    # the cascade scenario moves btc through the cascade group (M5.1: bitcoin sold first)
    btc = out[1]
    assert btc.contributions["cascade"] < 0


def test_every_attributed_series_is_explainable():
    from bubblemachine.scenarios import runner
    from bubblemachine.scenarios.explain import attributed_series

    _, model, _ = runner.load("baseline")
    assert set(attributed_series(model)) == {"spx", "ndx", "m7", "chips", "memory", "midcap_ai", "software", "energy",
                                             "btc", "eth", "ust2y", "ust10y", "ig_oas", "hy_oas",
                                             "rest_eq", "ndx_rest"}  # the indices' rest (second edition)
