"""The "What if" summaries shipped with the package are current and reproducible."""

from __future__ import annotations

import json

import numpy as np

from bubblemachine.scenarios import list_scenarios, report, runner


def _key(name: str) -> str:
    scen, model, _ = runner.load(name)
    return report.cache_key(
        model.digest, scen.digest(), seed=report.REPORT_SEED, paths=report.REPORT_PATHS, horizon=report.REPORT_HORIZON
    )


def test_every_bundled_scenario_has_a_current_shipped_summary_and_nothing_stale():
    keys = {_key(name) for name in list_scenarios()}
    shipped = {p.stem for p in report.SHIPPED_DIR.glob("*.json")}
    missing = keys - shipped
    assert not missing, "shipped What-if summaries are stale: run `python -m bubblemachine.scenarios.report`"
    assert shipped == keys


def _flatten(obj, prefix=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _flatten(v, f"{prefix}/{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _flatten(v, f"{prefix}[{i}]")
    else:
        yield prefix, obj


def test_a_fresh_simulation_reproduces_the_shipped_baseline_summary():
    fresh = report.scenario_summaries(scenarios=["baseline"], use_cache=False)["baseline"]
    shipped = json.loads((report.SHIPPED_DIR / f"{_key('baseline')}.json").read_text())
    a, b = dict(_flatten(fresh)), dict(_flatten(shipped))
    assert a.keys() == b.keys()
    nums = [k for k, v in a.items() if isinstance(v, float)]
    assert len(nums) > 1000
    # the summaries are rounded to 5 significant digits; allow one unit in the last digit
    x, y = np.array([a[k] for k in nums]), np.array([b[k] for k in nums])
    np.testing.assert_allclose(x, y, rtol=2e-4, atol=1e-9)


def test_fresh_home_uses_shipped_summaries_without_simulating(monkeypatch):
    report._MEMO.clear()

    def boom(*args, **kwargs):
        raise AssertionError("simulated although a shipped summary exists")

    monkeypatch.setattr(runner, "run", boom)
    sums = report.scenario_summaries()
    assert set(list_scenarios()) <= set(sums)


def test_other_paths_or_horizon_are_simulated_not_served_from_the_shipped_cache(monkeypatch):
    report._MEMO.clear()
    calls = []
    real_run = runner.run

    def counting(name, **kwargs):
        calls.append(name)
        return real_run(name, **kwargs)

    monkeypatch.setattr(runner, "run", counting)
    report.scenario_summaries(scenarios=["baseline"], paths=20, horizon=30)
    assert calls == ["baseline"]  # other paths/horizon -> another key -> simulated
