"""Property tests: random parameters in economically valid ranges.

For every draw, the engine's own checks (matrices balance, hidden identities) pass, the
shared checker ``assert_stock_flow_consistent`` passes, and every stock equals its initial
value plus the cumulated flows that the book's equations say change it.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ._shipped import model_path, requires_engine, scenario_path, series

pytestmark = requires_engine

PERIODS = 40
SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def _model(stem):
    import bubblemachine as bm

    return bm.load_model(model_path(stem))


def _run(stem, params, periods=PERIODS):
    import bubblemachine as bm
    from bubblemachine.testing import assert_stock_flow_consistent

    result = bm.simulate(_model(stem), periods=periods, set=params, progress=False)
    assert_stock_flow_consistent(result)
    return result


def _cumulated(initial, flow):
    """initial + cumulative sum of flow over periods 1..N (flow[0] is ignored)."""
    out = np.empty_like(flow)
    out[0] = initial
    out[1:] = initial + np.cumsum(flow[1:])
    return out


def _close(a, b, scale):
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-8 * max(1.0, scale))


unit = st.floats


@SETTINGS
@given(alpha1=unit(0.3, 0.9), alpha2=unit(0.05, 0.6), theta=unit(0.05, 0.4), Gd=unit(1.0, 100.0))
def test_sim_stocks_are_cumulated_flows(alpha1, alpha2, theta, Gd):
    r = _run("sim", {"alpha1": alpha1, "alpha2": alpha2, "theta": theta, "Gd": Gd})
    hh, hs = series(r, "Hh"), series(r, "Hs")
    scale = float(np.max(np.abs(hh)))
    _close(hh, _cumulated(0.0, series(r, "YD") - series(r, "Cd")), scale)
    _close(hs, _cumulated(0.0, series(r, "Gs") - series(r, "Ts")), scale)
    _close(hh, hs, scale)
    # Y = G + C and YD = (1 - theta) Y every period
    _close(series(r, "Y")[1:], (series(r, "Gs") + series(r, "Cs"))[1:], scale)
    _close(series(r, "YD")[1:], (1 - theta) * series(r, "Y")[1:], scale)


@SETTINGS
@given(
    alpha1=unit(0.5, 0.8),
    alpha2=unit(0.1, 0.45),
    theta=unit(0.1, 0.3),
    G=unit(5.0, 50.0),
    rbar=unit(0.0, 0.08),
    lambda0=unit(0.4, 0.7),
    lambda1=unit(0.0, 8.0),
    lambda2=unit(0.0, 0.1),
)
def test_pc_stocks_are_cumulated_flows(alpha1, alpha2, theta, G, rbar, lambda0, lambda1, lambda2):
    params = dict(
        alpha1=alpha1,
        alpha2=alpha2,
        theta=theta,
        G=G,
        rbar=rbar,
        lambda0=lambda0,
        lambda1=lambda1,
        lambda2=lambda2,
    )
    r = _run("pc", params)
    v, bs, bh, bcb = (series(r, n) for n in ("V", "Bs", "Bh", "Bcb"))
    scale = float(np.max(np.abs(bs)))
    _close(v, _cumulated(0.0, series(r, "YD") - series(r, "C")), scale)
    rb = np.r_[0.0, series(r, "r")[:-1]]  # r_{t-1}
    deficit = G + rb * np.r_[0.0, bs[:-1]] - series(r, "T") - rb * np.r_[0.0, bcb[:-1]]
    _close(bs, _cumulated(0.0, deficit), scale)
    _close(bs, bh + bcb, scale)
    _close(series(r, "Hh"), series(r, "Hs"), scale)
    _close(v, series(r, "Hh") + bh, scale)


@SETTINGS
@given(
    rbar=unit(0.01, 0.06), pblbar=unit(12.0, 30.0), alpha1=unit(0.7, 0.9), theta=unit(0.15, 0.25)
)
def test_lp1_wealth_is_saving_plus_capital_gains(rbar, pblbar, alpha1, theta):
    r = _run("lp1", {"rbar": rbar, "pblbar": pblbar, "alpha1": alpha1, "theta": theta})
    v = series(r, "V")
    flow = series(r, "YDr") - series(r, "C") + series(r, "CG")
    _close(v, _cumulated(v[0], flow), float(np.max(np.abs(v))))
    _close(
        v, series(r, "Hh") + series(r, "Bh") + series(r, "pbl") * series(r, "BLh"), float(np.max(v))
    )


@SETTINGS
@given(
    alpha0=unit(15.0, 35.0),
    alpha1=unit(0.6, 0.8),
    alpha2=unit(0.03, 0.12),
    delta=unit(0.05, 0.15),
    gamma=unit(0.05, 0.3),
    kappa=unit(0.8, 1.3),
    rl_bar=unit(0.0, 0.08),
)
def test_bmw_stocks_are_cumulated_flows(alpha0, alpha1, alpha2, delta, gamma, kappa, rl_bar):
    params = dict(
        alpha0=alpha0,
        alpha1=alpha1,
        alpha2=alpha2,
        delta=delta,
        gamma=gamma,
        kappa=kappa,
        rl_bar=rl_bar,
    )
    r = _run("bmw", params)
    k, mh, ld = series(r, "K"), series(r, "Mh"), series(r, "Ld")
    scale = float(np.max(np.abs(k)))
    _close(k, _cumulated(200.0, series(r, "Id") - series(r, "DA")), scale)
    _close(ld, _cumulated(200.0, series(r, "Id") - series(r, "AF")), scale)
    _close(mh, _cumulated(200.0, series(r, "YD") - series(r, "Cd")), scale)
    _close(mh, series(r, "Ms"), scale)
    _close(ld, k, scale)  # loans finance all capital when they start equal (7.8 vs 7.17)


def test_sim_monte_carlo_steady_state_is_independent_of_alpha1(tmp_path):
    """Y* = G / theta does not depend on the propensity to consume: an ensemble with
    alpha1 ~ U(0.5, 0.7) ends at Y = 100 on every path, while H* = (1 - alpha1)/alpha2 YD* differs."""
    import bubblemachine as bm
    from bubblemachine.testing import assert_stock_flow_consistent

    scen = tmp_path / "mc.toml"
    scen.write_text(
        f'[scenario]\nname = "SIM MC"\nmodel = "{model_path("sim").as_posix()}"\n'
        "periods = 400\npaths = 16\nseed = 7\n\n"
        '[uncertain]\nalpha1 = { dist = "uniform", low = 0.5, high = 0.7 }\n',
        encoding="utf-8",
    )
    r = bm.simulate(_model("sim"), bm.load_scenario(scen), progress=False)
    assert_stock_flow_consistent(r)
    y = np.asarray(r["Y"], dtype=float)
    h = np.asarray(r["Hh"], dtype=float)
    assert y.shape == (16, 401)
    np.testing.assert_allclose(y[:, -1], 100.0, rtol=0, atol=1e-8)
    assert np.ptp(h[:, -1]) > 1.0  # wealth does depend on alpha1: H* = (1 - alpha1)/alpha2 YD*
    alpha1 = np.asarray(r.uncertain, dtype=float)[:, list(r.uncertain_names).index("alpha1")]
    assert np.all((alpha1 >= 0.5) & (alpha1 <= 0.7))
    np.testing.assert_allclose(h[:, -1], (1 - alpha1) / 0.4 * 80.0, rtol=0, atol=1e-7)
    assert np.ptp(y[:, 3]) > 0.1  # and so does the path to the steady state


def test_shipped_scenarios_load():
    import bubblemachine as bm

    for stem in ("sim_g_up", "pc_r_up", "lp1_rates_up", "bmw_alpha0_up"):
        bm.load_scenario(scenario_path(stem))


def test_sim_in_large_units_passes_the_accounting_checks():
    """SIM is scale-free: multiplying G by 1e6 multiplies every stock and flow by 1e6.

    Regression test: the accounting tolerance of a ``d(x)`` cell scales with |x|, so rounding
    in large units near a steady state is not reported as a leak.
    """
    import bubblemachine as bm

    r = bm.simulate(_model("sim"), periods=400, set={"Gd": 1e6}, progress=False)
    assert series(r, "Y")[-1] == pytest.approx(5e6, rel=1e-12)


REG_RANGES = {
    "alpha1N": (0.5, 0.8),
    "alpha1S": (0.5, 0.8),
    "alpha2N": (0.1, 0.45),
    "alpha2S": (0.1, 0.45),
    "muN": (0.05, 0.4),
    "muS": (0.05, 0.4),
    "theta": (0.1, 0.3),
    "rbar": (0.0, 0.06),
}


def _reg_parameters():
    from bubblemachine.testing import parameters

    return parameters(_model("reg"), REG_RANGES)


def _reg_shocks():
    from bubblemachine.testing import scenario_sets

    return scenario_sets(
        _model("reg"), {"muS": (0.05, 0.4), "GS": (5.0, 40.0), "rbar": (0.0, 0.06)}, periods=(1, 30)
    )


@SETTINGS
@given(params=st.deferred(_reg_parameters), shock=st.deferred(_reg_shocks))
def test_reg_regions_add_up_under_random_parameters_and_shocks(params, shock):
    """REG with random parameters (bubblemachine.testing.parameters) and one random mid-run
    shock (bubblemachine.testing.scenario_sets): each region's wealth is its cumulated saving,
    the two regions' trade balances are mirror images, and the change in household wealth in
    both regions together equals the government deficit."""
    import bubblemachine as bm
    from bubblemachine.sfc import scenario_from_dict
    from bubblemachine.testing import assert_stock_flow_consistent

    r = bm.simulate(
        _model("reg"), scenario_from_dict(shock), periods=PERIODS, set=params, progress=False
    )
    assert_stock_flow_consistent(r)
    vn, vs, bs = series(r, "VN"), series(r, "VS"), series(r, "Bs")
    scale = float(max(np.max(np.abs(vn)), np.max(np.abs(vs)), np.max(np.abs(bs))))
    _close(vn, _cumulated(vn[0], series(r, "YDN") - series(r, "CN")), scale)
    _close(vs, _cumulated(vs[0], series(r, "YDS") - series(r, "CS")), scale)
    _close(series(r, "XN") - series(r, "IMN"), -(series(r, "XS") - series(r, "IMS")), scale)
    _close(np.diff(vn + vs), np.diff(bs), scale)  # households' saving = the government's new debt


@SETTINGS
@given(
    alpha0=unit(5.0, 30.0),
    alpha1=unit(0.6, 0.85),
    alpha2=unit(0.02, 0.2),
    beta=unit(0.2, 1.0),
    eps=unit(0.2, 1.0),
    gamma=unit(0.1, 0.5),
    phi=unit(0.05, 0.5),
    sigmat=unit(0.05, 0.4),
    rl_bar=unit(0.0, 0.08),
)
def test_dis_stocks_are_cumulated_flows(
    alpha0, alpha1, alpha2, beta, eps, gamma, phi, sigmat, rl_bar
):
    params = dict(
        alpha0=alpha0,
        alpha1=alpha1,
        alpha2=alpha2,
        beta=beta,
        eps=eps,
        gamma=gamma,
        phi=phi,
        sigmat=sigmat,
        rl_bar=rl_bar,
    )
    r = _run("dis", params)
    mh, ink = series(r, "Mh"), series(r, "INk")
    scale = float(np.max(np.abs(mh)))
    _close(mh, _cumulated(mh[0], series(r, "YD") - series(r, "C")), scale)
    _close(ink, _cumulated(ink[0], series(r, "Yk") - series(r, "Sk")), float(np.max(ink)))
    _close(mh[1:], series(r, "IN")[1:], scale)  # deposits = loans = inventories at cost
    _close(series(r, "Ms"), mh, scale)
