"""One run specification: defaults in one order, one validation for every model, the memory
budget, warnings for inputs that do nothing."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import bubblemachine as bm
from bubblemachine.errors import (
    BubbleMachineWarning,
    MemoryBudgetError,
    ParameterError,
    RunOptionError,
    ScenarioError,
    SimulationError,
)
from bubblemachine.sfc import FailurePolicy, loads_model, resolve_run, scenario_from_dict
from bubblemachine.sfc.memory import (
    ENV_BUDGET,
    Budget,
    estimate_run,
    format_bytes,
    parse_budget,
    resolve_budget,
)

DEFAULTS = """
[model]
name = "D"
defaults = { periods = 7, paths = 3, seed = 11 }
[equations]
y = "y[-1] + e"
[random]
e = { dist = "normal", mean = 0, sd = 1 }
"""


def test_defaults_resolve_explicit_then_scenario_then_model_then_engine():
    m = loads_model(DEFAULTS)
    spec = resolve_run(m)
    assert (spec.periods, spec.paths, spec.seed) == (7, 3, 11)
    sc = scenario_from_dict({"scenario": {"periods": 5, "seed": 4}})
    spec = resolve_run(m, sc)
    assert (spec.periods, spec.paths, spec.seed) == (5, 3, 4)
    spec = resolve_run(m, sc, periods=2, paths=9, seed=0)
    assert (spec.periods, spec.paths, spec.seed) == (2, 9, 0)
    bare = loads_model('[model]\nname = "B"\n[equations]\ny = "1"\n')
    spec = resolve_run(bare)
    assert (spec.periods, spec.paths) == (100, 1) and spec.seed >= 0
    assert spec.on_failure is FailurePolicy.RAISE and spec.names == ("y",)


@pytest.mark.parametrize("model", ["sim", "ai_liquidity", DEFAULTS])
@pytest.mark.parametrize("seed", [-5, -1, 1.5, "3", True, None.__class__])
def test_seed_is_validated_the_same_for_every_model(model, seed):
    """A negative seed was a traceback for models with random draws and silently accepted
    for models without; now one error for all."""
    if seed is None.__class__:
        seed = [1]
    m = loads_model(model) if model.startswith("\n") else model
    with pytest.raises(RunOptionError, match=r"seed must be a non-negative integer, got"):
        bm.simulate(m, seed=seed, periods=2, progress=False)


@pytest.mark.parametrize(("option", "value", "match"), [
    ("periods", 0, "periods must be between 1 and 100,000, got 0"),
    ("periods", 100_001, "periods must be between 1 and 100,000"),
    ("periods", 2.5, "periods must be an integer"),
    ("paths", -3, "paths must be between 1 and 1,000,000"),
    ("paths", True, "paths must be an integer"),
    ("save", [], "save: no variables given"),
    ("save", ["Q"], "save: unknown variable 'Q'"),
    ("quantiles", [0.5, 1.5], r"quantiles: levels must be numbers in \[0, 1\]"),
    ("quantiles", [], "quantiles: expected at least one level"),
    ("on_failure", "ignore", "on_failure: expected one of raise, exclude, keep"),
])
def test_bad_options_are_one_named_error_everywhere(sim_path, option, value, match):
    # overrides go through the one validator of parameter values (ParameterError, which, like
    # RunOptionError, is a ScenarioError); every other option is a RunOptionError
    expected = ParameterError if option == "set" else RunOptionError
    with pytest.raises(expected, match=match):
        bm.simulate(sim_path, progress=False, **{option: value})
    if option in ("periods", "paths"):
        with pytest.raises(RunOptionError, match=match):  # the same class and words in a sweep
            bm.sweep(sim_path, {"alpha1": [0.6]}, progress=False, **{option: value})


@pytest.mark.parametrize(("value", "match"), [
    ({"Y": 1.0}, "set Y: 'Y' is an endogenous variable"),
    ({"Gd": float("nan")}, "set Gd: expected a finite number"),
    ({"Gd": 10**400}, "set Gd: expected a finite number"),
])
def test_overrides_go_through_the_one_validator(sim_path, value, match):
    from bubblemachine.errors import ParameterError

    with pytest.raises(ParameterError, match=match):
        bm.simulate(sim_path, progress=False, set=value)


def test_run_option_error_is_both_old_classes():
    """Callers that caught ScenarioError (sweep) or SimulationError (simulate) keep working."""
    assert issubclass(RunOptionError, ScenarioError) and issubclass(RunOptionError, SimulationError)


def test_a_shock_after_the_horizon_warns_naming_it(sim_path):
    sc = scenario_from_dict({"shock": [{"set": {"Gd": 25}, "start": 5}, {"set": {"Gd": 30}, "start": 50}]}, "late.toml")
    with pytest.warns(BubbleMachineWarning, match=r"late.toml shock #2 \(set Gd\) starts at period 50, after the last period 20"):
        bm.simulate(sim_path, sc, periods=20, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bm.simulate(sim_path, sc, periods=60, progress=False)  # in range: no warning


def test_the_cli_shows_a_warning_as_one_line(capsys):
    from bubblemachine.errors import show_warning

    show_warning(BubbleMachineWarning("shock #2 starts after the horizon"), BubbleMachineWarning, "x.py", 3)
    assert capsys.readouterr().err == "warning: shock #2 starts after the horizon\n"


def test_a_scenario_for_another_model_is_refused(models_dir, tmp_path):
    f = tmp_path / "s.toml"
    f.write_text('[scenario]\nname = "x"\nmodel = "sim"\n')
    with pytest.raises(RunOptionError, match=r"written for model 'SIM', but the run is of model 'NONLIN'"):
        bm.simulate(models_dir / "nonlinear.toml", f, periods=2, progress=False)
    r = bm.simulate("sim", f, periods=2, progress=False)  # the same model by name is fine
    assert r.model_name == "SIM"


# --------------------------------------------------------------------------- memory budget
@pytest.mark.parametrize(("text", "nbytes"), [("8G", 8 * 2**30), ("512MiB", 512 * 2**20), ("2.5e9", 2_500_000_000),
                                               ("64 kb", 64 * 1024), (1000, 1000)])
def test_budget_sizes(text, nbytes):
    assert parse_budget(text, "x").bytes == nbytes


@pytest.mark.parametrize("text", ["lots", "-1G", "0", "5X", "", True])
def test_bad_budgets_are_named(text):
    with pytest.raises(RunOptionError, match="x:"):
        parse_budget(text, "x")


def test_budget_default_is_half_the_machine_and_env_overrides(monkeypatch):
    monkeypatch.delenv(ENV_BUDGET, raising=False)
    b = resolve_budget()
    assert b.bytes is None or b.bytes > 0 and "50% of this machine" in b.source
    monkeypatch.setenv(ENV_BUDGET, "off")
    assert resolve_budget().bytes is None
    monkeypatch.setenv(ENV_BUDGET, "3G")
    assert resolve_budget() == Budget(3 * 2**30, ENV_BUDGET)
    assert resolve_budget("1G").bytes == 2**30  # the option wins
    monkeypatch.setenv(ENV_BUDGET, "banana")
    with pytest.raises(RunOptionError, match=f"{ENV_BUDGET}: 'banana' is not a size"):
        resolve_budget()


def test_a_run_too_big_is_refused_before_allocating(sim_path):
    """2,000,000 paths would be a NumPy traceback or the OOM killer; a million paths x 100,000
    periods are refused with the estimate and what to do."""
    with pytest.raises(MemoryBudgetError) as info:
        bm.simulate(sim_path, paths=1_000_000, periods=100_000, progress=False)
    msg = str(info.value)
    for needle in ("simulate SIM needs about", "TiB", "1,000,000 paths x 100,001 periods", "memory budget of",
                   "fewer paths", "--save", "quantiles=", ENV_BUDGET):
        assert needle in msg, msg


def test_small_budgets_refuse_and_off_allows(sim_path, monkeypatch):
    with pytest.raises(MemoryBudgetError, match="more than the memory budget of 64.0 KiB"):
        bm.simulate(sim_path, paths=100, periods=100, progress=False, memory_budget="64K")
    monkeypatch.setenv(ENV_BUDGET, "64K")
    with pytest.raises(MemoryBudgetError, match=ENV_BUDGET):
        bm.simulate(sim_path, paths=100, periods=100, progress=False)
    r = bm.simulate(sim_path, paths=100, periods=100, progress=False, memory_budget="off")
    assert r.data.shape[0] == 100


def test_quantiles_are_the_way_out(sim_path):
    """The estimate of a quantile run does not grow with the paths x periods product."""
    full = estimate_run(resolve_run(sim_path, paths=200_000, periods=2_000))
    q = estimate_run(resolve_run(sim_path, paths=200_000, periods=2_000, quantiles=[0.05, 0.5, 0.95]))
    assert full.bytes > 20 * q.bytes
    assert format_bytes(full.bytes).endswith("GiB")


def test_estimate_covers_what_a_run_holds(sim_path, models_dir):
    for path, kw in ((sim_path, {}), (models_dir / "noisy.toml", {"save": ["K"]})):
        spec = resolve_run(path, paths=500, periods=300, seed=1, **kw)
        r = bm.simulate(path, paths=500, periods=300, seed=1, progress=False, **kw)
        est = estimate_run(spec).bytes
        assert r.data.nbytes <= est <= r.data.nbytes + 3 * 64 * 2**20 + 10 * r.data.nbytes


def test_sweep_grid_is_sized_before_it_is_built(sim_path, tmp_path):
    from bubblemachine.sfc.sweeps import parse_grid_spec

    with pytest.raises(ScenarioError, match=r"100,000,000 points is more than a sweep may have \(1,000,000\)"):
        parse_grid_spec("alpha1=0.5:0.7:100000000")
    with pytest.raises(ScenarioError, match=r"grid: 1,000,000,000,000 points"):
        bm.sweep(sim_path, {"alpha1": range(10**6), "theta": range(10**6)}, out=tmp_path / "s", progress=False)
    assert not (tmp_path / "s").exists()


def test_sweep_memory_counts_points_held_at_once(sim_path, tmp_path):
    with pytest.raises(MemoryBudgetError, match=r"sweep SIM needs about .*\(1 point\(s\) at once"):
        bm.sweep(sim_path, {"alpha1": [0.5, 0.6]}, paths=1000, periods=200, out=tmp_path / "s",
                 progress=False, memory_budget="1M")
    assert not (tmp_path / "s").exists()  # refused before anything is written


def test_result_settings_record_the_spec(sim_path):
    r = bm.simulate(sim_path, periods=3, paths=2, seed=5, progress=False, set={"Gd": 25}, on_failure="keep")
    assert r.settings == {"set": {"Gd": 25.0}, "periods": 3, "paths": 2, "solver": "newton", "on_failure": "keep"}
    assert r.spec.seed == 5 and r.failures == () and r.failed_paths == 0
    assert np.array_equal(r.path_ids, [0, 1])


def test_scenario_compare_checks_the_memory_of_both_runs(monkeypatch):
    from bubblemachine.scenarios import runner
    from bubblemachine.scenarios.compare import compare

    monkeypatch.setenv(ENV_BUDGET, "1M")
    with pytest.raises(MemoryBudgetError, match=r"comparing 2 scenarios needs about .*2 scenarios x"):
        compare("baseline", "shutdown", paths=1000, horizon=252, seed=0)
    runner.check_memory(["baseline"], paths=10, horizon=5, memory_budget="off")
