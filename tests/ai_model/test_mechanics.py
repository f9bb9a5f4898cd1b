"""Hand-checks of single mechanisms on the baseline run: the rules do what the papers say."""

from __future__ import annotations

import numpy as np
import pytest
from tests.ai_model.conftest import run


def _p(name: str) -> float:
    import bubblemachine as bm

    return bm.load_model("ai_liquidity").parameters[name]


@pytest.mark.slow
def test_net_liquidity_is_fed_assets_minus_tga_minus_on_rrp():
    r = run("baseline")
    np.testing.assert_allclose(
        r["net_liquidity"], r["fed_assets"] - r["tga"] - r["on_rrp"], atol=1e-9
    )


def test_qt_ends_on_2025_12_01_then_fed_assets_are_flat():
    # issue 9: the runoff path comes from the events known on 2025-11-14 (QT ends 2025-12-01,
    # announced 2025-10-29): periods 1-9 run off (11-17 .. 11-28, Thanksgiving closed), period 10
    # is Monday 12-01; the pace is WALCL's measured 13-week fall, within the $40bn/month cap
    import bubblemachine as bm

    path = bm.load_model("ai_liquidity").exogenous["qt_runoff_path"]
    rate = path[1]
    assert 0.5 < rate <= 40.0 / 21.0
    r = run("baseline")
    # net of the balance sheet's calibrated day-to-day noise (second edition: fed_shock)
    shock = np.concatenate([[0.0], np.cumsum(r["fed_shock"][0, 1:])])
    fa = r["fed_assets"][0] - shock
    assert fa[9] == pytest.approx(fa[0] - 9 * rate, abs=1e-9)
    np.testing.assert_allclose(fa[10:], fa[9], atol=1e-9)
    assert 1.0 < float(np.std(r["fed_shock"][:, 1:])) < 30.0  # a measured band (USD bn a day)


def test_vol_target_exposure_is_target_over_ewma_vol():
    # Harvey et al. (2018): exposure = min(cap, target / sigma), sigma an EWMA with a 20-day
    # half-life of the model's own squared S&P 500 returns
    r = run("baseline")
    lam = _p("rvol_lambda")
    assert abs(lam**20 - 0.5) < 1e-4
    ret = np.diff(np.log(r["spx"]), axis=1)
    var = r["spx_var"]
    np.testing.assert_allclose(var[:, 1:], lam * var[:, :-1] + (1 - lam) * ret**2, rtol=1e-12)
    sigma = np.maximum(np.sqrt(252 * var[:, :-1]), _p("vt_vol_floor"))
    np.testing.assert_allclose(
        r["vt_expo"][:, 1:], np.minimum(_p("vt_cap"), _p("vt_target") / sigma), rtol=1e-12
    )


@pytest.mark.slow
def test_cta_forecast_is_capped_and_positions_bounded():
    r = run("vol_shock")
    assert np.abs(r["cta_forecast"]).max() <= _p("cta_cap") + 1e-12
    assert np.abs(r["cta_pos"]).max() <= _p("cta_leverage_cap") + 1e-12
    # the shock flips the trend: CTAs end up shorter than before it
    assert np.median(r["cta_pos"][:, 35] - r["cta_pos"][:, 19]) < 0


def test_buybacks_add_up_to_the_yearly_total_and_pause_in_blackouts():
    r = run("baseline")
    year = r["bb_flow"][:, 1:253].sum(axis=1)
    # ~$942.5bn a year, less the crowding-out by AI capex (claim 11), plus the damper
    assert 750.0 < np.median(year) < 1000.0
    black = r["blackout"][0, 1:] > 0
    assert 0.30 < black.mean() < 0.45  # ~4-5 weeks a quarter
    ratio = np.median(r["bb_flow"][:, 1:][:, black]) / np.median(r["bb_flow"][:, 1:][:, ~black])
    assert abs(ratio - _p("bb_blackout_share")) < 0.1


def test_flow_multiplier_matches_inelastic_markets():
    # Gabaix & Koijen: $1 into equities moves aggregate value by ~$5 (before the concavity and
    # the transient part): a $100bn buy on a ~$58tn market is ~+0.86% on the day
    r = run("baseline")
    imp = r["imp_vt"][:, 1:]
    flow = r["vt_flow"][:, 1:]
    mcap = _p("spx_mcap_per_point") * r["spx"][:, :-1]
    ratio = imp * mcap / np.where(flow == 0, np.nan, flow)
    m = np.nanmedian(ratio)
    assert 4.5 < m <= _p("flow_multiplier_equity") + 1e-9


def test_k_shape_asset_owners_gain_with_asset_prices():
    r = run("baseline")
    up = np.log(r["spx"][:, 200] / r["spx"][:, 0])
    cons_a = r["cons_a"][:, 200]
    # across paths, asset owners consume more where the S&P 500 rose more (wealth effect, M7.3)
    assert np.corrcoef(up, cons_a)[0, 1] > 0.9
    # The two arms of the K. First edition: wage earners consumed less where the boom was bigger
    # (displacement read the capex flow). Second edition (issue 11): their wage bill follows
    # their employment, which follows output (Okun) less displacement by the AI capital
    # stock, so a bigger boom lifts them a little through demand; asset owners gain over ten
    # times as much per log point of the S&P 500 (displacement: test_second_edition_prices.py,
    # ai_capex_stop and test_second_edition_blocks.py).
    slope = {v: float(np.polyfit(up, np.log(r[v][:, 200] / r[v][:, 1]), 1)[0]) for v in ("cons_a", "cons_w")}
    assert slope["cons_a"] > 0.1 and slope["cons_a"] > 10 * abs(slope["cons_w"])


@pytest.mark.slow
def test_predictable_systematic_flows_are_priced():
    # Second edition: vol is expected to revert from its as-of level (calibration.toml's GARCH
    # regime), so vol-target funds and CTAs trade predictably; prices move only by their flows
    # beyond the priced path (flows.toml *_p). The priced variance path is the mean of the
    # simulated one: averaged over paths and over the weeks around one month (days 11-31) and
    # over the second half-year (days 126-252), within 10% (the fat-tailed squared returns make
    # that average's own sd ~2.5% on 120 paths: 5 seeds gave -2.4% .. +4.0%); the funds really
    # trade (tens of USD bn over the year), yet their mean price effect over the year is within
    # +-0.5% (5 seeds: +0.11% .. +0.16%; it was -0.6% for the vol-target funds alone when the
    # reversion counted as news).
    r = run("baseline")
    for lo, hi in ((11, 32), (126, 253)):
        got = float(np.mean(r["spx_var"][:, lo:hi]))
        assert got == pytest.approx(float(np.mean(r["spx_var_p"][0, lo:hi])), rel=0.10), (lo, hi)
    np.testing.assert_allclose(r["spx_var_p"], np.broadcast_to(r["spx_var_p"][:1], r["spx_var_p"].shape), rtol=1e-12)  # a forecast: one path
    assert float(np.mean(r["vt_flow"][:, 1:].sum(axis=1))) < -20.0
    assert float(np.mean(r["vt_flow_p"][0, 1:].sum())) < -20.0
    for g in ("agg_voltarget", "agg_cta"):
        assert abs(float(np.mean(r[g][:, 1:].sum(axis=1)))) < 0.005, g


def test_on_rrp_follows_a_random_settling_level_that_is_not_priced():
    # ON RRP reverts (rrp_speed a day) to a settling level that follows a random walk of sd
    # rrp_level_sigma a day (money funds' unannounced shifts between ON RRP and bills); the
    # part of ON RRP's move that follows that walk (rrp_level_move) is not priced: the plumbing
    # channel's liquidity change leaves it out, like the Fed balance sheet's noise (by hand).
    import bubblemachine as bm

    r = run("baseline")
    model = bm.load_model("ai_liquidity")
    params = model.parameters
    k, target = params["rrp_speed"], model.exogenous["rrp_target"]
    steps = np.diff(r["rrp_level"][:, 1:], axis=1)
    free = r["rrp_level"][:, 2:] > 0  # the level is floored at zero
    assert float(np.std(steps[free])) == pytest.approx(params["rrp_level_sigma"], rel=0.1)
    move = r["rrp_level_move"]
    np.testing.assert_allclose(move[:, 2:], move[:, 1:-1] * (1 - k) + k * (r["rrp_level"][:, 2:] - target), rtol=1e-9, atol=1e-9)
    nl_prev = r["fed_assets"][:, :-1] - r["tga"][:, :-1] - r["on_rrp"][:, :-1]
    d = np.diff
    want = ((d(r["fed_assets"], axis=1) - r["fed_shock"][:, 1:])
            - (d(r["on_rrp"], axis=1) - d(move, axis=1))) / nl_prev
    np.testing.assert_allclose(r["liq_plumbing"][:, 2:], want[:, 1:], rtol=1e-9, atol=1e-12)
