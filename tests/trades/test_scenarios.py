"""Strategies on the model's simulated paths: common random numbers, mapping, outcomes."""

from __future__ import annotations

import numpy as np
import pytest

from bubblemachine.trades.scenarios import run_scenarios
from bubblemachine.trades.spec import load_strategies, load_strategy

PATHS = 24


@pytest.fixture(scope="module")
def run():
    ss = [s for s in load_strategies() if s.id in ("dont_play_cash", "burry_short_nvda_pltr", "glp1_winners",
                                                     "crypto_out_when_funding_scarce", "ai_sellers_over_users")]  # fmt: skip
    return run_scenarios(ss, ["baseline", "circular_unwind"], paths=PATHS, progress=False)


def test_shapes_defaults_and_representability(run):
    from bubblemachine.scenarios import runner

    _, model, _ = runner.load("baseline")
    assert run.horizon == model.run_defaults.periods and run.seed == model.run_defaults.seed
    assert run.paths == PATHS and run.period0 == "2025-11-14"
    glp = run.outcomes[("glp1_winners", "baseline")]
    assert not glp.representable and glp.missing == ("GLP1",) and glp.ret is None
    burry = run.outcomes[("burry_short_nvda_pltr", "baseline")]
    assert set(burry.proxies) == {"NVDA->chips", "PLTR->software"}
    for (_sid, _), o in run.outcomes.items():
        if o.representable:
            assert o.ret.shape == (PATHS,) and np.isfinite(o.ret).all()
            assert (o.drawdown <= 0).all() and (o.drawdown >= -1).all()


def test_cash_earns_the_mapped_rate_and_baseline_differences_are_zero(run):
    from bubblemachine.scenarios import runner

    r = runner.run("baseline", paths=PATHS, horizon=run.horizon, seed=run.seed, save=["ust2y"])
    from bubblemachine.trades.history import year_fractions
    from bubblemachine.trades.scenarios import model_dates

    _, model, _ = runner.load("baseline")
    dt = year_fractions(model_dates(model.calendar, run.horizon))[1:]
    expected = np.prod(1 + r.arrays["ust2y"][:, :-1] / 100 * dt, axis=1) - 1
    np.testing.assert_allclose(run.outcomes[("dont_play_cash", "baseline")].ret, expected, rtol=1e-12)
    base = run.outcomes[("ai_sellers_over_users", "baseline")]
    assert np.all(base.vs_baseline == 0.0)


def test_common_random_numbers_isolate_the_scenario(run):
    # same seed, same paths: a second run reproduces every number; the circular unwind hits
    # the chips long of the sellers-over-users pair on (nearly) every path
    ss = [s for s in load_strategies() if s.id == "ai_sellers_over_users"]
    again = run_scenarios(ss, ["circular_unwind"], paths=PATHS, progress=False)
    a = again.outcomes[("ai_sellers_over_users", "circular_unwind")]
    b = run.outcomes[("ai_sellers_over_users", "circular_unwind")]
    # equal to rounding, not bit for bit: a run alone and a run next to the baseline (which then
    # ran behind the scenes) may save different variables, and the engine's kernel for each
    # may order a few floating-point operations differently (last-bit differences, seen with
    # the second edition's model)
    np.testing.assert_allclose(a.ret, b.ret, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a.vs_baseline, b.vs_baseline, rtol=0, atol=1e-12)
    assert np.mean(b.vs_baseline < 0) > 0.8
    assert run.winners()["circular_unwind"] is not None
    table = run.table()
    assert len(table) == 5 * 2 and set(table.columns) >= {"excess_median", "excess_p05", "return_p05", "drawdown_median"}


def test_signals_in_the_model_start_from_real_history(run):
    o = run.outcomes[("crypto_out_when_funding_scarce", "baseline")]
    assert o.representable and o.proxies == ()
    # bitcoin is the benchmark: excess returns are zero on paths where the signal stayed on
    assert np.isfinite(o.excess).all()


def test_an_unmapped_user_instrument_is_named(tmp_path):
    p = tmp_path / "gold.toml"
    p.write_text('[strategy]\nid = "gold"\nstatement_en = "Gold."\nstatement_ko = "금."\n[weights]\nGLD = 1.0\n',
                 encoding="utf-8")  # fmt: skip
    r = run_scenarios([load_strategy(p)], ["baseline"], paths=4, progress=False)
    assert r.outcomes[("gold", "baseline")].missing == ("GLD",)


def test_bad_options_are_named():
    from bubblemachine.errors import ScenarioError

    ss = load_strategies()[:1]
    with pytest.raises(ScenarioError, match="--paths must be between 1 and"):
        run_scenarios(ss, ["baseline"], paths=0, progress=False)
    with pytest.raises(ScenarioError, match="unknown scenario 'nope'"):
        run_scenarios(ss, ["nope"], progress=False)
