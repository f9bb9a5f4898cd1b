"""Scenario files and options: validation errors, steady start on a growing model, backends."""

from __future__ import annotations

import numpy as np
import pytest

import bubblemachine as bm
from bubblemachine.errors import ScenarioError, SimulationError
from bubblemachine.sfc import load_scenario, loads_model, scenario_from_dict


def test_scenario_file_round_trip(tmp_path, sim_path):
    p = tmp_path / "s.toml"
    p.write_text(f"""
[scenario]
name = "G up"
model = "{sim_path}"
periods = 30
paths = 4
seed = 5
[[shock]]
set = {{ Gd = 25 }}
start = 3
[uncertain]
alpha1 = {{ dist = "normal", mean = 0.6, sd = 0.01 }}
theta = {{ dist = "lognormal", mean = -1.6, sd = 0.05 }}
""")
    sc = load_scenario(p)
    assert sc.name == "G up" and sc.periods == 30 and sc.paths == 4 and sc.seed == 5
    r = bm.simulate(None, sc, progress=False)
    assert r.data.shape[:2] == (4, 31) and r.seed == 5 and r.scenario_name == "G up"
    assert np.all(r["Gd"][:, 3:] == 25) and np.all(r["Gd"][:, :3] == 20)
    th = r.param("theta")
    assert np.all((th > 0.15) & (th < 0.25))  # exp(-1.6) = 0.20


@pytest.mark.parametrize("data,needle", [
    ({"scenario": {"start": "later"}}, "start"),
    ({"scenario": {"paths": 0}}, "paths"),
    ({"shock": [{"set": {"Gd": 1}}]}, "start"),
    ({"shock": [{"set": {"Gd": "x"}, "start": 2}]}, "finite number"),
    ({"shock": [{"set": {"Gd": 1}, "start": 5, "end": 2}]}, "end"),
    ({"uncertain": {"theta": {"dist": "uniform", "low": 1, "high": 0}}}, "high"),
    ({"unknown": {}}, "unknown table"),
])
def test_scenario_validation_errors(data, needle):
    with pytest.raises(ScenarioError, match=needle):
        scenario_from_dict(data, "bad.toml")


def test_scenario_names_unknown_variable(sim_path):
    sc = scenario_from_dict({"uncertain": {"nope": {"dist": "normal", "mean": 0, "sd": 1}}}, "u.toml")
    with pytest.raises(ScenarioError, match=r"u.toml uncertain.nope: unknown name 'nope'"):
        bm.simulate(sim_path, sc, periods=3, progress=False)


def test_steady_start_on_a_growing_model_is_a_clear_error():
    m = loads_model('[model]\nname = "G"\n[equations]\nK = "1.01 * K[-1]"\n[initial]\nK = 1\n', "g.toml")
    with pytest.raises(ScenarioError, match="did not settle"):
        bm.simulate(m, scenario_from_dict({"scenario": {"start": "steady"}}), periods=3, progress=False)


def test_unknown_backend_and_bad_options(sim_path):
    with pytest.raises((SimulationError, ValueError, Exception), match="backend|unknown"):
        bm.simulate(sim_path, periods=3, paths=2, backend="no-such-backend", progress=False)
    with pytest.raises(SimulationError, match="periods"):
        bm.simulate(sim_path, periods=0, progress=False)
    with pytest.raises(SimulationError, match="unknown variable 'Q'"):
        bm.simulate(sim_path, periods=3, save=["Q"], progress=False)


def test_uncertain_draws_are_common_across_scenarios(models_dir):
    """[random] shocks do not depend on [uncertain] parameters: common random numbers."""
    a = bm.simulate(models_dir / "noisy.toml", periods=20, paths=3, seed=8, progress=False)
    sc = scenario_from_dict({"uncertain": {"g": {"dist": "uniform", "low": 0.0, "high": 0.02}}})
    b = bm.simulate(models_dir / "noisy.toml", sc, periods=20, paths=3, seed=8, progress=False)
    assert np.array_equal(a["eps"], b["eps"]) and not np.array_equal(a["K"], b["K"])
