"""The second edition's price block, loops and new scenarios (issue 11; docs/design/ai-model-2.md).

The S&P 500 and the Nasdaq-100 are cap-weighted sums of their parts with an exact log
attribution: the engine checks every period that each index's log change equals the sum of
its groups' contributions, which are the parts' contributions times the exact multipliers k_i.
Then the loops (section 3), the first edition's scenario directions, and the new scenarios.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

PATHS, T, SEED = 40, 252, 7
PARTS = ("m7", "chips", "memory", "software", "energy", "rest")


def _compiled():
    from tests.ai_model.conftest import compiled

    return compiled()


@functools.cache
def _run(name: str):
    import bubblemachine as bm
    from bubblemachine.scenarios import scenario_path

    return bm.simulate(_compiled(), bm.load_scenario(scenario_path(name)), periods=T, paths=PATHS, seed=SEED,
                       progress=False)


def test_the_index_is_the_cap_weighted_sum_of_its_parts_exactly():
    r = _run("circular_unwind")
    log_r = np.diff(np.log(r["spx"]), axis=1)
    parts = sum(r[f"k_{p}"][:, 1:] * r[f"x_{p}"][:, 1:] for p in PARTS)
    assert np.max(np.abs(log_r - parts)) < 1e-12
    # the level identity: R = sum_i w_i exp(x_i) with yesterday's weights, which add up to one
    w = sum(r[f"w_{p}"] for p in PARTS)
    assert np.max(np.abs(w[:, 1:] - 1)) < 1e-12
    # ... and the attribution of the index adds up to its log change (the groups of the parts)
    total = sum(r[f"contrib_spx_{g}"][:, 1:] for g in _compiled().model.attribution.group_ids)
    assert np.max(np.abs(total - log_r)) < 1e-12


def test_circular_unwind_moves_the_index_by_its_parts_weights():
    c, b = _run("circular_unwind"), _run("baseline")
    d = {v: np.log(c[v][:, T]) - np.log(b[v][:, T]) for v in ("spx", "chips", "m7", "software")}
    # chips lose the labs' orders and the capex built for them: -5% or more at a constant multiple
    assert float(np.median(d["chips"])) < -0.05
    # a buy-and-hold cap-weighted index: its gross return over the year is exactly the as-of
    # weighted mean of its parts' gross returns, path by path, under both scenarios
    w0 = _compiled().model.parameters
    names = {"rest": "rest_eq"}
    for r in (c, b):
        gross = sum((w0[f"w0_{p}"] if p != "rest" else 1 - sum(w0[f"w0_{q}"] for q in PARTS[:-1]))
                    * r[names.get(p, p)][:, T] / r[names.get(p, p)][:, 0] for p in PARTS)
        assert np.max(np.abs(gross - r["spx"][:, T] / r["spx"][:, 0])) < 1e-10
    assert float(np.median(d["chips"])) < float(np.median(d["spx"])) < 0.0


def test_the_indices_keep_their_calibrated_volatility():
    b = _run("baseline")
    params = _compiled().model.parameters
    for s in ("spx", "ndx"):
        vol = float(np.diff(np.log(b[s]), axis=1).std() * np.sqrt(252))
        assert vol == pytest.approx(params[f"sigma_{s}"] * np.sqrt(252), rel=0.1), s


def test_deepseek_day_still_hits_chips_far_more_than_the_index():
    d, b = _run("deepseek_shock"), _run("baseline")
    chips = float(np.median(np.log(d["chips"][:, 30]) - np.log(b["chips"][:, 30])))
    spx = float(np.median(np.log(d["spx"][:, 30]) - np.log(b["spx"][:, 30])))
    assert -0.25 < chips < -0.08 and chips < spx < 0.0


# --------------------------------------------------------------------------- loops (section 3)
@functools.cache
def _run_set(**set_):
    import bubblemachine as bm

    return bm.simulate(_compiled(), None, periods=T, paths=PATHS, seed=SEED, set=dict(set_) or None, progress=False)


def _path(value: float, start: int, n: int) -> tuple[float, ...]:
    return tuple([0.0] * start + [value] * n + [0.0] * (T + 1 - start - n))


def test_a_one_trillion_call_runs_without_nan_and_the_floors_hold():
    r = _run_set(call_shock=_path(30.0, 20, 34))  # ~$1tn over 34 days (30/day: the lever's ceiling)
    p = _compiled().model.parameters
    for h, floor, sale in (("backers_btc", "btc_floor", "sell_btc"), ("backers_sw", "sw_floor", "sell_sw"),
                           ("backers_m7", "m7_floor", "sell_m7"), ("backers_hf", "hf_stake_floor", "redeem_hf_b")):
        assert np.isfinite(r[h]).all() and (r[h] >= 0).all(), h
        # the SaaS and M7 floors are shares of the as-of stakes (variables); the others parameters
        lvl = r[floor][:, :-1] if floor in ("sw_floor", "m7_floor") else p[floor]
        at_floor = r[h][:, :-1] <= lvl
        assert np.all(r[sale][:, 1:][at_floor] == 0.0), sale  # nothing sold at or below the floor
    # what could not be raised stays due, and the labs get only what was raised
    assert float(np.median(r["call_arrears"][:, 60])) > 200.0
    assert np.all(r["call_paid"] <= r["call_due"] + 1e-9)
    assert (r["hf_eq"] > -1e-9).all()  # hedge funds cannot sell what they do not hold


def test_the_circular_loop_inflates_under_rising_marks():
    b = _run_set()
    r = _run_set(belief_shock=_path(0.01, 20, 40))  # M4.6: belief lifts the marks 1%/day for 8 weeks
    d = {v: float(np.median(r[v][:, T] - b[v][:, T])) for v in ("lab_mark", "dep_lab", "lab_spend", "ai_capex")}
    assert float(np.median(r["lab_raise"][:, 20:80].sum(axis=1))) > 50.0  # rounds at rising marks
    assert d["lab_mark"] > 0 and d["dep_lab"] > 0 and d["lab_spend"] > 0 and d["ai_capex"] > 5.0
    assert float(np.median(np.log(r["chips"][:, T] / b["chips"][:, T]))) > 0.1
    # bounded by the commitments
    assert float(np.max(r["lab_extra"])) <= _compiled().model.parameters["commit_cap"] - 1 + 1e-12
    assert float(np.max(b["lab_raise"][:, :20])) == 0.0  # no rounds without a run-up


def test_the_var_rule_makes_forced_selling_nonlinear():
    one = _run_set(spx_shock=_path(-0.03, 20, 3))
    two = _run_set(spx_shock=_path(-0.06, 20, 3))
    s1 = float(np.median(one["hf_delever"][:, 20:60].sum(axis=1)))
    s2 = float(np.median(two["hf_delever"][:, 20:60].sum(axis=1)))
    assert s2 > 2.5 * max(s1, 1e-9) and s2 > 20.0


# --------------------------------------------------------------------------- new scenarios (item 6)
@functools.cache
def _scen(name: str):
    return _run(name)


def _d(name: str, var: str, *, log: bool = True, t: int = T) -> float:
    a, b = _scen(name)[var][:, t], _run("baseline")[var][:, t]
    return float(np.median(np.log(a) - np.log(b) if log else a - b))


def test_new_scenarios_move_the_way_their_articles_predict():
    # openai_funding_gap (M4.3): the machine runs backwards
    assert _d("openai_funding_gap", "chips") < -0.1 and _d("openai_funding_gap", "spx") < 0.0
    assert _d("openai_funding_gap", "ai_capex", log=False) < -20.0
    assert _d("openai_funding_gap", "chips") < _d("openai_funding_gap", "m7") < 0.0
    # ai_capex_stop (seed 004): AI held GDP up; wage earners lose jobs and income
    assert _d("ai_capex_stop", "gdp") < -0.01
    assert _d("ai_capex_stop", "unemployment", log=False) > 0.2
    assert _d("ai_capex_stop", "consumption_wage_earners") < 0.0
    assert _d("ai_capex_stop", "chips") < -0.1 and _d("ai_capex_stop", "memory") < -0.1
    # qe_restart (M2.1, M2.4): more water: reserves and net liquidity up, the 10-year down, crypto up most
    assert _d("qe_restart", "reserves", log=False) > 500.0
    assert _d("qe_restart", "ust10y", log=False) < -0.05
    assert _d("qe_restart", "btc") > _d("qe_restart", "spx") > 0.0
    # tariff_dividend (M1.3, M7.3): consumption up, households' crypto (ETH) up, issuance lifts the 10-year a little
    assert _d("tariff_dividend", "consumption_wage_earners", t=80) > 0.005
    assert _d("tariff_dividend", "eth") > 0.0
    assert 0.0 < _d("tariff_dividend", "ust10y", log=False) < 0.2
    # china_ai_race (M4.9): chips hit, capex keeps going
    assert _d("china_ai_race", "chips", t=30) < -0.08 and _d("china_ai_race", "chips") < 0.0
    assert abs(_d("china_ai_race", "ai_capex", log=False)) < 10.0
    # cost_of_living (M7.7): wage earners' real consumption squeezed, yields up
    assert _d("cost_of_living", "real_cons_w") < -0.01
    assert _d("cost_of_living", "ust2y", log=False) > 0.3
    # agi_euphoria (M4.6): the loop inflates
    assert _d("agi_euphoria", "lab_mark") > 0.3 and _d("agi_euphoria", "chips") > 0.2
    assert _d("agi_euphoria", "ai_capex", log=False) > 20.0


def test_the_section_nine_mechanisms_act():
    b = _run_set()
    # M1.5: the state takes stakes (10% of the strategic sectors): strategic baskets re-rate
    r = _run_set(state_stakes=_path(0.1, 20, T + 1 - 20))
    for s in ("chips", "midcap_ai", "energy"):
        assert float(np.median(np.log(r[s][:, 25] / b[s][:, 25]))) == pytest.approx(0.05, abs=0.02), s
    # M1.6: staking ETFs open: flows into ether, which rises against the baseline
    e = _run_set(eth_etf_open=_path(1.0, 20, T + 1 - 20))
    assert float(np.median(e["eth_etf_filled"][:, T])) > 10.0
    assert float(np.median(np.log(e["eth"][:, T] / b["eth"][:, T]))) > 0.02
    # M4.7: enterprise AI spending running ahead of its guided growth (more compute per unit of
    # output) lifts the AI-announcing rest of the index, and half of it is wasted
    w = _run_set(compute_intensity=tuple([1.0] * 20 + [1.2] * (T + 1 - 20)))
    assert float(np.median(w["ai_wash_premium"][:, 20:].sum(axis=1))) > 0.01
    assert float(np.median(w["contrib_rest_eq_circular"][:, 20:].sum(axis=1) - b["contrib_rest_eq_circular"][:, 20:].sum(axis=1))) > 0.01
    assert float(np.median(w["ai_wash_waste"][:, T] - b["ai_wash_waste"][:, T])) > 0.0
    # M4.8: the labs' fundraising under euphoria starves other investment (output net of the drain)
    u = _run_set(belief_shock=_path(0.01, 20, 40))
    assert float(np.median(u["vc_drain"][:, 20:120].sum(axis=1))) > 5.0


def _sum_groups(r, var: str, groups: tuple[str, ...]) -> np.ndarray:
    return sum(r[f"contrib_{var}_{g}"][:, 1:T + 1] for g in groups).sum(axis=1)


@pytest.mark.parametrize("name", ["circular_unwind", "ai_capex_stop", "openai_funding_gap", "deepseek_shock"])
def test_ai_sellers_prices_follow_their_earnings_at_a_constant_multiple(name):
    # Prices from cash flows (issue 11, section 1): the AI news moves a seller's price by its
    # earnings elasticity (earnings.toml, el_*), so over a year the price move of the capex and
    # circular groups is the move of the basket's earnings run rate, scenario vs baseline, path
    # by path (to first order: the elasticities are today's shares, the run rate is a level).
    s, b = _run(name), _run("baseline")
    for basket, flow in (("chips", "e_chips_flow"), ("memory", "e_memory_flow"), ("midcap_ai", "e_midcap_flow")):
        price = _sum_groups(s, basket, ("capex", "circular")) - _sum_groups(b, basket, ("capex", "circular"))
        earn = np.log(s[flow][:, T] / b[flow][:, T])
        p, e = float(np.median(price)), float(np.median(earn))
        assert e < -0.05, (basket, e)  # every one of these stories costs the sellers revenue
        assert abs(p - e) <= 0.2 * abs(e) + 0.01, (basket, p, e)


def test_fundamentals_move_with_real_economy_earnings_news():
    # "Fundamentals" is no longer a constant drift: a transfer raises consumption above its
    # priced path, estimates follow over a quarter, and the rest of the index takes the news
    # with its operating leverage (earnings.toml: el_demand_rest ~ rest_op_leverage).
    s, b = _run("tariff_dividend"), _run("baseline")
    t = 100
    news = float(np.median(s["demand_news_s"][:, t] - b["demand_news_s"][:, t]))
    fund = float(np.median(s["contrib_rest_eq_fundamentals"][:, 1:t + 1].sum(axis=1)
                           - b["contrib_rest_eq_fundamentals"][:, 1:t + 1].sum(axis=1)))
    lev = _compiled().model.parameters["rest_op_leverage"]
    assert news > 0.002
    assert fund == pytest.approx(lev * news, rel=0.25)
