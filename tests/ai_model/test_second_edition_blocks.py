"""The second edition's new blocks of the AI model (issue 11; docs/design/ai-model-2.md):
earnings, macro, energy, VIX term structure and stop-losses, portfolio (slack pools).

Both matrices must balance every period (the engine checks every run), and the new quantities
must move the way the design says, paired against the baseline with common random numbers.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

PATHS, T, SEED = 24, 252, 11


def _compiled():
    from tests.ai_model.conftest import compiled

    return compiled()


@functools.cache
def _run(**set_):
    import bubblemachine as bm

    return bm.simulate(_compiled(), None, periods=T, paths=PATHS, seed=SEED, set=dict(set_) or None, progress=False)


def _diff(var: str, t: int = T, **set_) -> float:
    a, b = _run(**set_)[var], _run()[var]
    return float(np.median(np.log(a[:, t]) - np.log(b[:, t])))


def test_staged_blocks_load_and_keep_the_matrices_balanced():
    r = _run()  # check=True: every matrix row and column, every period
    for v in ("e_chips", "e_memory", "e_m7", "e_software", "e_energy", "e_midcap", "e_rest", "e_food", "e_health", "k_ai"):
        a = r[v]
        assert np.isfinite(a).all() and (a[:, 1:] > 0).all(), v
    # period-1 levels: the S&P 500's parts (chips outside the M7 basket) earn ~$2.1tn a year
    # (S&P 500 earnings 2025: ~$2.2tn)
    med = {v: float(np.median(r[v][:, 1])) for v in ("e_m7", "e_chips", "e_memory", "e_software", "e_energy", "e_rest")}
    share = _compiled().model.parameters["m7_chips_share"]
    total = med["e_m7"] + (1 - share) * med["e_chips"] + med["e_memory"] + med["e_software"] + med["e_energy"] + med["e_rest"]
    assert 1800 < total < 2800


def test_sellers_book_the_capex_users_carry_its_depreciation():
    # M4.4: faster capex raises the sellers' earnings and lowers the users' (depreciation)
    kw = {"capex_growth": 0.6}
    assert _diff("e_chips", **kw) > 0.02
    assert _diff("e_memory", **kw) > _diff("e_chips", **kw)  # memory margins are cyclical
    assert _diff("e_m7", **kw) < _diff("e_chips", **kw)
    assert _diff("e_software", **kw) < 0.0  # agentic AI substitutes software seats


def test_glp1_moves_earnings_from_food_to_healthcare():
    kw = {"glp1_adoption_target": 0.15}
    assert _diff("e_food", **kw) < -0.01
    assert _diff("e_health", **kw) > 0.005


def test_slower_capex_costs_wage_earners_jobs_and_lowers_inflation():
    # seed 004: AI holds GDP up. Capex growing at the bottom of its range (0.15 instead of 0.35
    # log/yr) lowers output, wage earners' employment and inflation, and the Taylor news says cut.
    # (In the first edition wage earners' consumption rose when capex fell; the prototype's wages
    # follow this employment: tests/ai_model/test_second_edition_prices.py, ai_capex_stop.)
    kw = {"capex_growth": 0.15}
    r, b = _run(**kw), _run()
    d = lambda v: float(np.median(r[v][:, T] - b[v][:, T]))  # noqa: E731
    assert d("output_gap") < -0.0005
    assert d("emp_w") < -0.0001
    assert d("unemployment") > 0.005
    assert d("inflation") < 0.0 and d("taylor_news") < 0.0


def test_cost_push_squeezes_wage_earners_real_consumption():
    r, b = _run(cost_push=2.0), _run()
    # the cost push itself, plus a little demand from the backlash transfers it provokes (M7.6)
    assert float(np.median(r["inflation"][:, T] - b["inflation"][:, T])) == pytest.approx(2.0, abs=0.05)
    assert float(np.median(np.log(r["real_cons_w"][:, T] / b["real_cons_w"][:, T]))) < -0.015
    assert float(np.median(r["taylor_news"][:, T] - b["taylor_news"][:, T])) > 0.9  # the Fed cannot cut


def test_the_baseline_output_gap_is_measured_against_the_priced_path():
    # the gap is output against the path priced on the as-of date (the components' priced
    # paths: wages at wage_growth with employment 1, planned outlays incl. the backlog release,
    # asset owners' trend, guided capex, other investment): nothing is news in the first period,
    # and over the year the baseline's mean gap, unemployment, inflation and the policy news
    # stay near their as-of values (the first edition's fixed 4.5% trend from period-0 output
    # left a -3.6% gap, unemployment 6.4% and a Taylor news of -2.5pp at a year)
    b = _run()
    p = _compiled().model.parameters
    assert float(np.max(np.abs(b["output_gap"][:, 1]))) < 1e-12
    mean = lambda v: b[v][:, 1:].mean(axis=0)  # noqa: E731  (over paths, every period)
    assert float(np.max(np.abs(mean("output_gap")))) < 0.005  # 0.5% of output
    assert float(np.max(np.abs(mean("unemployment") - p["unemployment0"]))) < 0.3  # pp
    assert float(np.max(np.abs(mean("inflation") - p["inflation_anchor"]))) < 0.2  # pp
    assert float(np.max(np.abs(mean("taylor_news")))) < 0.2  # pp
    # the 2-year's policy component (its noise aside) stays within 10bp of the priced path
    assert float(np.max(np.abs(mean("c2_plumbing")))) < 0.1


def test_a_capex_stop_lowers_the_two_year_through_the_taylor_news():
    # M2.7 wired: halving the capex plan opens a negative gap, wage earners lose jobs, inflation
    # falls, and the 2-year prices taylor_pass of the Fed's news; pinned, it does not move
    kw = {"capex_plan_mult": 0.5}
    r, b = _run(**kw), _run()
    d = lambda x, y, v: float(np.median(x[v][:, T] - y[v][:, T]))  # noqa: E731
    assert d(r, b, "output_gap") < -0.005
    assert d(r, b, "unemployment") > 0.2
    assert d(r, b, "inflation") < -0.2 and d(r, b, "taylor_news") < -0.3
    assert d(r, b, "ust2y") < -0.2
    assert d(r, b, "ust10y") < 0.0  # pass_2y_10y of the 2-year's move
    rp, bp = _run(policy_endogenous=0.0, **kw), _run(policy_endogenous=0.0)
    assert float(np.max(np.abs(rp["ust2y"] - bp["ust2y"]))) < 1e-12


def test_cost_push_raises_the_two_year_through_the_taylor_news():
    # cost_of_living: inflation up, the Fed cannot cut; the 2-year moves towards taylor_pass x
    # the Taylor news at ust2y_speed
    r, b = _run(cost_push=2.0), _run()
    p = _compiled().model.parameters
    dn = float(np.median(r["taylor_news"][:, T] - b["taylor_news"][:, T]))
    d2 = float(np.median(r["ust2y"][:, T] - b["ust2y"][:, T]))
    assert d2 > 0.4
    assert d2 == pytest.approx(p["taylor_pass"] * dn, rel=0.15)


def test_pinned_policy_takes_the_policy_shift_path_and_no_taylor_news():
    # policy_endogenous = 0: the 2-year's policy component is the priced path plus policy_shift
    # (moved to at ust2y_speed), whatever the Taylor news says (here a cost push)
    r = _run(cost_push=2.0, policy_shift=0.5, policy_endogenous=0.0)
    p = _compiled().model.parameters
    assert float(np.median(r["taylor_news"][:, T])) > 0.5  # the news is there...
    want = 0.5 * (1 - (1 - p["ust2y_speed"]) ** np.arange(T + 1))
    np.testing.assert_allclose(r["c2_plumbing"], np.broadcast_to(want, r["c2_plumbing"].shape), rtol=0, atol=1e-12)
    np.testing.assert_allclose(r["ust2y"][:, 1:], (r["ust2y_anchor"] + want + r["c2_noise"])[:, 1:], rtol=0, atol=1e-12)


def test_grid_build_out_sets_the_power_cap_and_the_electricity_price():
    r, b = _run(grid_build_gw=0.0), _run()
    # less build-out: less capex can be powered, power dearer
    assert float(np.median(r["capex_power_cap"][:, T] - b["capex_power_cap"][:, T])) < -10.0
    assert float(np.median(r["p_elec"][:, T] - b["p_elec"][:, T])) > 1.0
    # 2025-11-14: ~19 GW of data-centre load (LBNL: ~20 GW average in 2023-24), not binding
    assert 12 < float(np.median(b["gw_dc"][:, 1])) < 30
    assert float(np.max(b["power_binds"][:, 1:60])) == 0.0


def test_the_power_cap_limits_capex():
    # M7.4 (seed 004), wired: with no grid build-out and no spare grid, the hyperscalers want more
    # capex than can be powered; capex stays at or under the cap, the shortfall is priced as the
    # energy basket's scarcity rent, and chip vendors sell less
    r, b = _run(grid_build_gw=0.0, grid_headroom0=0.0), _run()
    assert float(np.mean(r["power_binds"][:, 1:])) > 0.5
    assert np.all(r["ai_capex"][:, 1:] <= r["capex_power_cap"][:, 1:] * (1 + 1e-12))
    assert float(np.median(r["ai_capex"][:, T] - b["ai_capex"][:, T])) < -20.0
    assert float(np.median(r["energy_shortfall"][:, T])) > 0.1
    assert float(np.median(r["contrib_energy_capex"][:, 1:].sum(axis=1) - b["contrib_energy_capex"][:, 1:].sum(axis=1))) > 0.0
    assert float(np.median(r["vendor_rev"][:, T] - b["vendor_rev"][:, T])) < 0.0


def test_hedging_demand_inverts_the_vix_curve_without_a_price_move():
    path = [0.0] * 20 + [3.0] * 3 + [0.0] * (T - 22)
    r, b = _run(hedge_demand=tuple(path)), _run()
    assert 0.8 < float(np.median(b["vix_ratio"][:, 1:21])) < 0.95  # contango in normal times
    assert float(np.median(r["vix_ratio"][:, 23])) > 1.0  # inverted
    assert float(np.median(r["vix_ratio"][:, 23] - b["vix_ratio"][:, 23])) > 0.1
    # no material price move (only dealers' gamma reacts to the higher VIX: a few basis points)
    assert float(np.max(np.abs(np.log(r["spx"][:, 23] / b["spx"][:, 23])))) < 0.002


def test_stop_losses_sell_after_a_close_through_a_level():
    b = _run()
    flow, spx, lvl = b["stop_flow"], b["spx"], b["stop_level"]
    crossed = spx[:, 1:-1] < lvl[:, 1:-1]
    assert crossed.any()
    assert np.all(flow[:, 2:][crossed] < 0)  # the day after a close below the level: selling
    assert np.all(np.diff(lvl[:, 1:], axis=1) % 100 == 0)  # levels move in whole steps


def test_stop_loss_selling_is_priced_in_the_cta_group():
    # M6.3 (seed 004), wired: the stop flow's price impact is the aggregate CTA term's, exactly,
    # and a fall through the levels falls further with the stops than without
    r = _run(spx_shock=(0.0,) * 20 + (-0.02,) * 5 + (0.0,) * (T - 24))
    none = _run(spx_shock=(0.0,) * 20 + (-0.02,) * 5 + (0.0,) * (T - 24), stop_size=0.0, stop_size_short=0.0)
    p = _compiled().model.parameters
    impact = p["flow_multiplier_equity"] * r["conc"][:, 1:] * r["stop_flow"][:, 1:] / (p["spx_mcap_per_point"] * r["spx"][:, :-1])
    np.testing.assert_allclose(r["imp_stop"][:, 1:], impact, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(r["agg_cta"][:, 1:], r["imp_cta"][:, 1:] + r["imp_stop"][:, 1:]
                               - p["revert_speed"] * (r["tp_cta"][:, :-1] + r["tp_stop"][:, :-1]), rtol=1e-9, atol=1e-12)
    # all of the stops' pressure is transient: it has reverted a quarter later
    assert abs(float(np.median(np.log(r["spx"][:, 120] / none["spx"][:, 120])))) < 0.002
    assert float(np.min(r["stop_flow"][:, 21:30])) < 0.0
    assert float(np.median(np.log(r["spx"][:, 30] / none["spx"][:, 30]))) < -0.0005


def test_reverse_qe_regime_emerges_from_the_slack_pools():
    # M2.3: the same surge of bond-financed AI capex and coupons (M2.6) crowds out far more when
    # the pools are dry; the yields take it (wired, no shadow): the 10-year's and the IG spread's
    # supply components
    surge = {"capex_growth": 0.6, "bond_share": 1.0, "bill_share": 0.3}
    wet = _run(**surge, m_star_share0=0.10)   # ~$2tn of idle money
    dry = _run(**surge, m_star_share0=0.13)   # none
    base = _run()
    assert float(np.median(wet["slack_pools"][:, 1])) > 1000 > float(np.median(dry["slack_pools"][:, 1]))

    def supply_tp(r):
        return r["c10_fiscal"][:, T] + r["c10_capex"][:, T]

    tp_dry = float(np.median(supply_tp(dry) - supply_tp(base)))
    tp_wet = float(np.median(supply_tp(wet) - supply_tp(base)))
    assert tp_dry > 0.05 and tp_dry > 3 * max(tp_wet, 0.0)
    assert float(np.median(dry["ust10y"][:, T] - wet["ust10y"][:, T])) > 0.05
    assert float(np.median(dry["cig_capex"][:, T])) > float(np.median(wet["cig_capex"][:, T])) + 0.01
    assert float(np.median(dry["ig_oas"][:, T] - wet["ig_oas"][:, T])) > 0.01
    # the yields' supply components are the Tobin clearing of what the pools left, exactly
    p = _compiled().model.parameters
    v = dry["v_open"][:, 1:]
    np.testing.assert_allclose(np.diff(dry["c10_capex"], axis=1),
                               p["lambda_cross"] * dry["r_credit"][:, 1:] / (p["lambda_bb"] * v), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(np.diff(dry["cig_capex"], axis=1), dry["r_credit"][:, 1:] / (p["lambda_cc"] * v),
                               rtol=1e-9, atol=1e-12)

    # where there is excess supply on the day: the dry pools leave most of it to prices, the wet
    # ones absorb it at unchanged yields (the regime switch of seed 001, from the balance sheets)
    def share(r, t):
        pos = r["x_total"][:, t] > 0
        assert pos.sum() > 5
        return float(np.median(r["crowd_share"][:, t][pos]))

    assert share(dry, 63) > 0.5 > 0.1 > share(wet, 63)
    assert share(dry, T) > 0.5 > 0.1 > share(wet, T)
    # absorbing the surge moves the balance sheets: asset owners' idle money falls (they pay
    # from deposits and MMF shares); the baseline priced its own pace: no supply premium to
    # speak of (on the paths where a rally dries the pools, the TGA's pull moves it a little)
    assert float(np.median(wet["money_a"][:, T] - base["money_a"][:, T])) < -100.0
    assert float(np.median(wet["slack_hh"][:, T])) < 0.85 * float(np.median(wet["slack_hh"][:, 63]))
    assert abs(float(np.median(supply_tp(base)))) < 0.005 and float(np.max(np.abs(supply_tp(base)))) < 0.1


def test_extra_bills_drain_on_rrp_first_then_reserves():
    # M2.6: with money funds' cash at the Fed (ON RRP ~$500bn, as in 2024), more bills than
    # priced are bought with it: ON RRP falls and reserves do not (net liquidity is unchanged by
    # the mix); with ON RRP empty (as on 2025-11-14) the same bills are paid from deposits and
    # reserves fall. Coupons instead of bills add duration: the 10-year's supply premium.
    full = {"rrp_target": 500.0, "m_star_share0": 0.13}
    b_full, bills_full = _run(**full), _run(**full, bill_share=0.8)
    b_dry, bills_dry = _run(m_star_share0=0.13), _run(m_star_share0=0.13, bill_share=0.8)

    def d(a, b, var):
        return float(np.median(a[var][:, T] - b[var][:, T]))

    assert d(bills_full, b_full, "on_rrp") < -100.0
    assert d(bills_full, b_full, "reserves") > 100.0
    assert d(bills_full, b_full, "rrp_draw_cum") > 100.0
    assert abs(d(bills_dry, b_dry, "on_rrp")) < 5.0
    assert d(bills_dry, b_dry, "reserves") < d(bills_full, b_full, "reserves") - 100.0
    # fewer coupons than priced: the 10-year's supply premium falls when the pools are dry
    assert d(bills_dry, b_dry, "c10_fiscal") < -0.02


def test_a_cost_of_living_squeeze_brings_transfers_to_wage_earners():
    # M7.6: a squeeze of real wage-earner consumption beyond the threshold brings transfers
    # (Treasury -> wage earners, financed by issuance); the baseline's does not reach it
    r, b = _run(cost_push=4.0), _run()
    assert float(np.max(b["backlash_transfer"])) == 0.0
    paid = r["backlash_transfer"][:, 1:].sum(axis=1)
    assert float(np.median(paid)) > 5.0  # USD bn over the year
    p = _compiled().model.parameters
    squeeze = np.maximum(0.0, -np.log(r["real_cons_w_s"][:, :-1] / 100) - p["backlash_threshold"])
    np.testing.assert_allclose(r["backlash_transfer"][:, 1:], p["backlash_k"] * squeeze * r["cons_w_anchor"][:, :-1],
                               rtol=1e-12, atol=1e-12)
    assert float(np.median(r["outlays"][:, T] - b["outlays"][:, T])) > 0.0



def test_ballooning_marks_raise_no_more_than_exists():
    # M4.1/M4.6/M4.8: belief +3% a day for 12 weeks balloons the labs' marks. A day's rounds are
    # bounded by raise_cap_share of asset owners' money (the LPs), and the drain on other
    # sectors' investment by that investment: output stays positive and every price finite
    # (unbounded, the rounds reached trillions a day and a sensitivity sample sent output
    # negative)
    r = _run(belief_shock=(0.0,) * 20 + (0.03,) * 60 + (0.0,) * (T - 79), vc_drain_k=1.0, raise_speed=0.05)
    p = _compiled().model.parameters
    cap = p["raise_cap_share"] * r["money_open"][:, 1:]
    assert np.all(r["lab_raise"][:, 1:] <= cap + 1e-9)
    assert np.any(r["lab_raise"][:, 1:] >= cap - 1e-9)  # the cap binds
    assert np.all(r["vc_drain"][:, 1:] <= r["other_invest"][:, 1:] + 1e-12)
    assert np.any(r["vc_drain"][:, 1:] >= r["other_invest"][:, 1:] - 1e-12)  # so does the bound
    assert np.all(r["output"][:, 1:] > 0) and np.all(np.isfinite(r["output_gap"][:, 1:]))
    for v in ("spx", "eth", "btc", "ust10y", "ig_oas"):
        assert np.all(np.isfinite(r[v])), v
