"""The book's published numbers and experiments for the shipped models.

Book values are from Godley & Lavoie, *Monetary Economics* (2007), printed to one decimal
(tolerance 0.05 covers the rounding). Paths after a shock are checked against hand
computation (reduced forms) to 1e-9, and the end points against the closed-form steady states
of ``test_steady_states``.
"""

from __future__ import annotations

import numpy as np
import pytest

from ._shipped import requires_engine, run, series
from .test_steady_states import (
    bmw_steady_state,
    dis_steady_state,
    lp1_steady_state,
    pc_steady_state,
)

pytestmark = requires_engine

BOOK_TOL = 0.05  # the book prints one decimal


def test_sim_table_3_4():
    """G&L Table 3.4, 'the impact of $20 of government expenditures, with perfect foresight':
    periods 1, 2 and the steady state (column 'infinity') of G, Y, T, YD, C, dH and H."""
    r = run("sim", periods=400)
    book = {  # period: (G, Y, T, YD, C, dH, H)
        1: (20.0, 38.5, 7.7, 30.8, 18.5, 12.3, 12.3),
        2: (20.0, 47.9, 9.6, 38.3, 27.9, 10.4, 22.7),
        400: (20.0, 100.0, 20.0, 80.0, 80.0, 0.0, 80.0),
    }
    h = series(r, "Hh")
    for t, (g, y, tax, yd, c, dh, hh) in book.items():
        assert series(r, "Gs")[t] == pytest.approx(g, abs=BOOK_TOL)
        assert series(r, "Y")[t] == pytest.approx(y, abs=BOOK_TOL)
        assert series(r, "Ts")[t] == pytest.approx(tax, abs=BOOK_TOL)
        assert series(r, "YD")[t] == pytest.approx(yd, abs=BOOK_TOL)
        assert series(r, "Cd")[t] == pytest.approx(c, abs=BOOK_TOL)
        assert h[t] - h[t - 1] == pytest.approx(dh, abs=BOOK_TOL)
        assert h[t] == pytest.approx(hh, abs=BOOK_TOL)


def test_sim_first_period_by_hand():
    """Period 1 from zero: Y = G / (1 - alpha1 (1 - theta)) = 20 / 0.52 exactly."""
    r = run("sim", periods=3)
    assert series(r, "Y")[1] == pytest.approx(20 / 0.52, abs=1e-10)
    assert series(r, "Hh")[1] == pytest.approx(20 - 0.2 * 20 / 0.52, abs=1e-10)


def test_sim_government_spending_shock_follows_reduced_form():
    """Scenario sim_g_up: from the steady state, G goes 20 -> 25 in period 5. Reduced form:
    Y_t = (G_t + alpha2 H_{t-1}) / (1 - alpha1 (1 - theta)), H_t = H_{t-1} + G_t - theta Y_t;
    the new steady state is G / theta = 125 and H* = 100."""
    r = run("sim", periods=60, scenario="sim_g_up")
    y, h = series(r, "Y"), series(r, "Hh")
    assert y[0] == pytest.approx(100.0, abs=1e-8) and h[0] == pytest.approx(80.0, abs=1e-8)
    hh, expected = 80.0, [100.0]
    for t in range(1, 61):
        g = 25.0 if t >= 5 else 20.0
        yt = (g + 0.4 * hh) / (1 - 0.6 * 0.8)
        hh = hh + g - 0.2 * yt
        expected.append(yt)
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-9)
    assert y[5] == pytest.approx(57 / 0.52, abs=1e-9)
    long = run("sim", periods=400, scenario="sim_g_up")
    assert series(long, "Y")[-1] == pytest.approx(125.0, abs=1e-8)
    assert series(long, "Hh")[-1] == pytest.approx(100.0, abs=1e-8)


def test_simex_shock_expectations_lag_by_one_period():
    """Scenario simex_g_up: in the shock period households expect the old income (YDe = 80),
    so Y = G + alpha1 YDe + alpha2 H = 25 + 48 + 32 = 105 and planned money Hd stays 80 while
    realised money Hh absorbs the surprise (84)."""
    r = run("simex", periods=400, scenario="simex_g_up")
    assert series(r, "Y")[5] == pytest.approx(105.0, abs=1e-9)
    assert series(r, "Hd")[5] == pytest.approx(80.0, abs=1e-9)
    assert series(r, "Hh")[5] == pytest.approx(84.0, abs=1e-9)
    assert series(r, "Y")[-1] == pytest.approx(125.0, abs=1e-8)


def test_pc_interest_rate_rise():
    """Scenario pc_r_up: rbar 2.5% -> 3.5% in period 5. Income does not move in the shock period
    (interest is paid on last period's bills), but the portfolio shifts at once:
    Bh_5 = V_4 (lambda0 + lambda1 0.035) - lambda2 YD_5 = 86.4865 * 0.81 - 0.864865.
    Then Y rises to the new steady state (closed form, 110.0901)."""
    r = run("pc", periods=600, scenario="pc_r_up")
    before = pc_steady_state()
    after = pc_steady_state(r=0.035)
    y, bh = series(r, "Y"), series(r, "Bh")
    assert y[4] == pytest.approx(before["Y"], abs=1e-8)
    assert y[5] == pytest.approx(before["Y"], abs=1e-8)
    assert bh[5] == pytest.approx(before["V"] * 0.81 - 0.01 * before["YD"], abs=1e-8)
    assert np.all(np.diff(y[5:]) > -1e-12)  # income rises monotonically after the rise
    for name, value in after.items():
        assert series(r, name)[-1] == pytest.approx(value, abs=1e-8), name
    assert after["Y"] == pytest.approx(110.0901, abs=1e-4)


def test_lp1_rates_rise_capital_loss_then_higher_wealth():
    """Scenario lp1_rates_up: bill rate 3% -> 4% and bond price 20 -> 15 in period 5.
    Households take a capital loss CG_5 = (15 - 20) BLh_4 on their bonds, so wealth falls in
    period 5; in the long run wealth and income end higher (closed form at r = 4%, pbl = 15)."""
    r = run("lp1", periods=800, scenario="lp1_rates_up")
    cg, blh, v = series(r, "CG"), series(r, "BLh"), series(r, "V")
    assert cg[5] == pytest.approx(-5.0 * blh[4], abs=1e-10)
    assert v[5] < v[4] - 9.0
    assert series(r, "rbl")[5] == pytest.approx(1 / 15, abs=1e-12)
    end = lp1_steady_state(r=0.04, pbl=15.0)
    for name, value in end.items():
        assert series(r, name)[-1] == pytest.approx(value, abs=1e-8), name
    assert end["V"] > v[4]


@pytest.mark.parametrize(
    ("scenario", "y5", "params"),
    [
        # Y_5 = alpha0' + alpha1 (Y_5 - 20) + alpha2 200 + 20: investment is still 20 in period 5
        ("bmw_alpha0_up", 212.0, {"alpha0": 28.0}),
        ("bmw_thrift", 50.2 / 0.26, {"alpha1": 0.74}),
    ],
)
def test_bmw_book_experiments(scenario, y5, params):
    """Scenarios bmw_alpha0_up (autonomous consumption 25 -> 28, G&L Figures 7.1-7.2) and
    bmw_thrift (alpha1 0.75 -> 0.74, Figure 7.3, the paradox of thrift) from the book's steady state.
    In the shock period investment still replaces depreciation only (KT uses Y_{t-1}) and
    YD = Y - delta K, which gives Y_5 by hand; the end point is the closed form."""
    r = run("bmw", periods=800, scenario=scenario)
    y = series(r, "Y")
    assert np.max(np.abs(y[:5] - 200.0)) < 1e-9
    assert y[5] == pytest.approx(y5, abs=1e-9)
    for name, value in bmw_steady_state(**params).items():
        assert series(r, name)[-1] == pytest.approx(value, abs=1e-8), name


def test_dis_markup_rise():
    """Scenario dis_markup_up (G&L Figure 9.1): phi 0.25 -> 0.30 in period 5. The price jumps at
    once, P_5 = 1.30 NHUC* (unit costs do not move), while real consumption does not react until
    period 6 (it depends on expected income and last period's real wealth); the new stationary
    state has a higher price and slightly lower real consumption (closed form)."""
    r = run("dis", periods=1500, scenario="dis_markup_up")
    before, after = dis_steady_state(), dis_steady_state(phi=0.30)
    assert series(r, "P")[5] == pytest.approx(1.30 * 1.006 * 0.86, abs=1e-12)
    assert series(r, "Ck")[5] == pytest.approx(before["Ck"], abs=1e-9)
    assert series(r, "Ck")[6] < before["Ck"] - 0.2
    for name, value in after.items():
        assert series(r, name)[-1] == pytest.approx(value, abs=1e-8), name
    assert after["Ck"] < before["Ck"]


def test_dis_inventory_target_rise():
    """Scenario dis_inventories_up (G&L Figures 9.2-9.3): sigmat 0.15 -> 0.25 in period 5. Firms
    produce to close a quarter (gamma) of the new inventory gap at once:
    Yk_5 = Ske + gamma (0.25 - 0.15) Ske = 1.025 Ck*. Real consumption and income end higher."""
    r = run("dis", periods=1500, scenario="dis_inventories_up")
    before, after = dis_steady_state(), dis_steady_state(sigmat=0.25)
    assert series(r, "Yk")[5] == pytest.approx(1.025 * before["Ck"], abs=1e-9)
    assert series(r, "Ck")[5] == pytest.approx(before["Ck"], abs=1e-9)
    for name, value in after.items():
        assert series(r, name)[-1] == pytest.approx(value, abs=1e-8), name
    assert after["Ck"] > before["Ck"]
