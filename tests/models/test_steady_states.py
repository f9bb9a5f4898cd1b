"""Analytic steady states of the shipped Godley & Lavoie models, to 1e-8.

Each model is run long enough from the book's starting point (geometric convergence) and the
last period is compared with the closed form derived in the test's docstring.
"""

from __future__ import annotations

import numpy as np
import pytest

from ._shipped import model_path, requires_engine, run, series

pytestmark = requires_engine

TOL = 1e-8


def test_sim_steady_state():
    """SIM (G&L ch. 3). Stationary when Hh is constant: YD = Cd and government balanced, G = T.

    G = theta * Y  =>  Y* = G / theta = 20 / 0.2 = 100;  YD* = (1 - theta) Y* = 80;
    Cd = alpha1 YD + alpha2 H = YD  =>  H* = (1 - alpha1) / alpha2 * YD* = 0.4 / 0.4 * 80 = 80.
    """
    r = run("sim", periods=400)
    assert series(r, "Y")[-1] == pytest.approx(100.0, abs=TOL)
    assert series(r, "YD")[-1] == pytest.approx(80.0, abs=TOL)
    assert series(r, "Cd")[-1] == pytest.approx(80.0, abs=TOL)
    assert series(r, "Hh")[-1] == pytest.approx(80.0, abs=TOL)
    assert series(r, "Hs")[-1] == pytest.approx(80.0, abs=TOL)
    assert series(r, "Td")[-1] == pytest.approx(20.0, abs=TOL)


def test_simex_steady_state_equals_sim():
    """SIMEX has SIM's steady state (expectations are right in a steady state): Y* = 100, H* = 80,
    and planned money Hd equals realised money Hh."""
    r = run("simex", periods=400)
    assert series(r, "Y")[-1] == pytest.approx(100.0, abs=TOL)
    assert series(r, "Hh")[-1] == pytest.approx(80.0, abs=TOL)
    assert series(r, "Hd")[-1] == pytest.approx(80.0, abs=TOL)
    assert series(r, "YDe")[-1] == pytest.approx(80.0, abs=TOL)


def pc_steady_state(G=20.0, theta=0.2, alpha1=0.6, alpha2=0.4, l0=0.635, l1=5.0, l2=0.01, r=0.025):
    """Closed-form steady state of PC (derivation in test_pc_steady_state)."""
    b = (1 - alpha1) / alpha2 * (l0 + l1 * r) - l2  # Bh = b * YD
    yd = (1 - theta) * G / (theta - (1 - theta) * r * b)
    v = (1 - alpha1) / alpha2 * yd
    bh = b * yd
    return {"Y": yd + G, "YD": yd, "V": v, "Bh": bh, "Hh": v - bh, "T": G + r * bh}


def test_pc_steady_state():
    """PC (G&L ch. 4). In a steady state V is constant, so C = YD and (4.5) gives
    V* = (1 - alpha1)/alpha2 * YD*; the government budget (4.8) balances: T = G + r Bh.
    With (4.2) YD = Y - T + r Bh = Y - G, and (4.3) T = theta (Y + r Bh):
        G + r Bh = theta (YD + G + r Bh)  =>  theta YD = (1 - theta)(G + r Bh).
    Portfolio (4.7): Bh = V (lambda0 + lambda1 r) - lambda2 YD = b YD,
        b = (1 - alpha1)/alpha2 (lambda0 + lambda1 r) - lambda2 = 0.75 at r = 2.5%.
    Hence YD* = (1 - theta) G / (theta - (1 - theta) r b) = 16 / 0.185 = 86.4865 and
    Y* = YD* + G = 106.4865, Bh* = 64.8649, Hh* = V* - Bh* = 21.6216.
    """
    r = run("pc", periods=500)
    expected = pc_steady_state()
    assert expected["Y"] == pytest.approx(106.48648648648648, abs=1e-12)
    for name, value in expected.items():
        assert series(r, name)[-1] == pytest.approx(value, abs=TOL), name
    assert series(r, "Hs")[-1] == pytest.approx(expected["Hh"], abs=TOL)


def lp1_steady_state(G=20.0, theta=0.1938, alpha1=0.8, alpha2=0.2, r=0.03, pbl=20.0):
    """Closed-form steady state of LP1 (derivation in test_lp1_steady_state)."""
    rbl = 1 / pbl
    b = 0.44196 + 1.1 * r - 1.0 * rbl - 0.03  # Bh / YDr
    bl = 0.3997 - 1.0 * r + 1.1 * rbl - 0.03  # pbl BLh / YDr
    ydr = (1 - theta) * G / (theta - (1 - theta) * (r * b + bl / pbl))
    v = (1 - alpha1) / alpha2 * ydr
    return {
        "YDr": ydr,
        "Y": ydr + G,
        "V": v,
        "Bh": b * ydr,
        "BLh": bl * ydr / pbl,
        "Hh": v - b * ydr - bl * ydr,
    }


@pytest.mark.parametrize(("r", "pbl"), [(0.03, 20.0), (0.04, 15.0)])
def test_lp1_steady_state(r, pbl):
    """LP1 (G&L ch. 5). With constant prices there are no capital gains, expectations are met
    (YDEr = YDr, Ve = V, ERrbl = rbl = 1/pbl), and C = YDr, so V* = (1 - alpha1)/alpha2 YDr* = YDr*.
    Portfolio (5.10, 5.11): Bh = b YDr with b = lambda20 + lambda22 r + lambda23 rbl + lambda24,
    pbl BLh = l YDr with l = lambda30 + lambda32 r + lambda33 rbl + lambda34.
    Budget balanced (5.14): T = G + r Bh + BLh, and (5.2, 5.3) give theta YDr = (1 - theta)
    (G + r Bh + BLh), hence YDr* = (1 - theta) G / (theta - (1 - theta)(r b + l / pbl)).
    """
    res = run("lp1", periods=800, set={"rbar": r, "pblbar": pbl})
    for name, value in lp1_steady_state(r=r, pbl=pbl).items():
        assert series(res, name)[-1] == pytest.approx(value, abs=TOL), name


def bmw_steady_state(alpha0=25.0, alpha1=0.75, alpha2=0.10, delta=0.10, kappa=1.0, rl=0.04):
    """Closed-form steady state of BMW (derivation in test_bmw_steady_state)."""
    y = alpha0 / ((1 - alpha1) * (1 - delta * kappa) - alpha2 * kappa)
    k = kappa * y
    return {
        "Y": y,
        "K": k,
        "Mh": k,
        "Ld": k,
        "YD": y - delta * k,
        "Cd": y - delta * k,
        "Id": delta * k,
        "W": 1 - rl * kappa - delta * kappa,
    }


@pytest.mark.parametrize("alpha0", [25.0, 28.0])
def test_bmw_steady_state(alpha0):
    """BMW (G&L ch. 7). In a steady state K = KT = kappa Y (7.19, 7.20), investment replaces
    depreciation, Id = delta K, loans equal capital (7.8 with Ld0 = K0) and deposits equal loans
    (7.4, 7.11). Disposable income (7.6, 7.9, 7.12): YD = WB + rm M = Y - rl L - delta K + rl M
    = Y - delta kappa Y. Constant deposits mean Cd = YD, so (7.16)
        (1 - alpha1) YD = alpha0 + alpha2 kappa Y
        =>  Y* = alpha0 / ((1 - alpha1)(1 - delta kappa) - alpha2 kappa) = 25 / 0.125 = 200.
    The wage rate is W* = (Y - rl K - delta K) / Y = 1 - (rl + delta) kappa = 0.86.
    """
    r = run("bmw", periods=1000, set={"alpha0": alpha0})
    for name, value in bmw_steady_state(alpha0=alpha0).items():
        assert series(r, name)[-1] == pytest.approx(value, abs=TOL), name


def test_bmw_stays_at_new_steady_state_for_2000_periods_after_a_shock():
    """After the autonomous-consumption shock, BMW settles at Y = K = 224 and stays there to
    period 2000 (rounding errors do not compound; see the header of bmw.toml)."""
    r = run("bmw", periods=2000, scenario="bmw_alpha0_up")
    for name, value in bmw_steady_state(alpha0=28.0).items():
        x = series(r, name)
        assert np.max(np.abs(x[600:] - value)) < TOL, name
    assert np.max(np.abs(series(r, "Mh") - series(r, "Ms"))) < 1e-9


def test_bmw_book_form_of_7_9_compounds_rounding_errors():
    """Why bmw.toml writes rm[-1] * Ms[-1] in 7.9: with the book's rm[-1] * Mh[-1], a gap
    e = Mh - Ms of 1e-8 in period 0 grows by (1 + rl) = 1.04 per period (interest that no bank
    pays) and the engine's accounting checks stop the run; with Ms[-1] the gap stays 1e-8."""
    import bubblemachine as bm
    from bubblemachine.errors import AccountingError
    from bubblemachine.sfc import loads_model

    text = model_path("bmw").read_text(encoding="utf-8")
    perturbed = text.replace("Mh = 200\n", "Mh = 200.00000001\n")
    assert perturbed != text
    ours = bm.simulate(loads_model(perturbed, "bmw-perturbed.toml"), periods=1000, progress=False)
    gap = series(ours, "Mh") - series(ours, "Ms")
    assert np.max(np.abs(gap - 1e-8)) < 1e-11
    assert np.max(np.abs(series(ours, "Y") - 200.0)) < 1e-7
    book = perturbed.replace('YD  = "WBs + rm[-1] * Ms[-1]"', 'YD  = "WBs + rm[-1] * Mh[-1]"')
    assert book != perturbed
    with pytest.raises(AccountingError, match="does not add up"):
        bm.simulate(loads_model(book, "bmw-book-form.toml"), periods=1000, progress=False)


def test_bmw_does_not_drift_over_long_runs():
    """From the book's steady state, 3000 periods of BMW stay at Y = K = 200 (no numerical drift)."""
    r = run("bmw", periods=3000)
    for name, value in bmw_steady_state().items():
        x = series(r, name)
        assert np.max(np.abs(x[1:] - value)) < TOL, name


def reg_steady_state(muN=0.18781, muS=0.18781, G=(20.0, 20.0), theta=0.2, r=0.025):
    """Closed-form steady state of REG (derivation in test_reg_steady_state)."""
    b = {
        "N": (1 - 0.6) / 0.4 * (0.635 + 5.0 * r) - 0.01,
        "S": (1 - 0.7) / 0.3 * (0.67 + 6.0 * r) - 0.07,
    }
    c = {k: (1 - theta) / (1 - (1 - theta) * r * bk) for k, bk in b.items()}  # YD / Y
    a = np.array([[1 + muN - c["N"], -muS], [-muN, 1 + muS - c["S"]]])
    yn, ys = np.linalg.solve(a, np.array(G))
    return {
        "YN": yn,
        "YS": ys,
        "YDN": c["N"] * yn,
        "YDS": c["S"] * ys,
        "BhN": b["N"] * c["N"] * yn,
        "BhS": b["S"] * c["S"] * ys,
        "XN": muS * ys,
        "IMN": muN * yn,
    }


@pytest.mark.parametrize("muS", [0.18781, 0.20781])
def test_reg_steady_state(muS):
    """REG (G&L ch. 6). In a steady state each region's wealth is constant, so C = YD, and with
    (6.13, 6.14) V = (1 - alpha1)/alpha2 YD = YD in both regions (the book's parameters make the
    ratio 1 in both). Portfolio (6.17, 6.18): Bh = b YD with b = V/YD (lambda0 + lambda1 r) - lambda2
    = 0.75 in both regions. (6.7, 6.9): YD = (1 - theta)(Y + r b YD), so YD = c Y with
    c = (1 - theta) / (1 - (1 - theta) r b). Income (6.1-6.6) then gives two linear equations
        (1 + muN - cN) YN - muS YS = GN,    -muN YN + (1 + muS - cS) YS = GS,
    and the government budget balances by adding the two households' budgets. With equal
    propensities both regions sit at PC's steady state, Y = 106.4865; a higher muS moves
    income from South to North.
    """
    r = run("reg", periods=800, set={"muS": muS})
    expected = reg_steady_state(muS=muS)
    for name, value in expected.items():
        assert series(r, name)[-1] == pytest.approx(value, abs=TOL), name
    if muS == 0.18781:
        assert expected["YN"] == pytest.approx(pc_steady_state()["Y"], abs=1e-9)
        assert expected["YS"] == pytest.approx(pc_steady_state()["Y"], abs=1e-9)
    else:
        assert expected["YN"] > 110 > 103 > expected["YS"]


def dis_steady_state(
    alpha0=15.0, alpha1=0.8, alpha2=0.1, sigmat=0.15, phi=0.25, rl=0.04, W=0.86, pr=1.0
):
    """Closed-form stationary state of DIS (derivation in test_dis_steady_state)."""
    uc = W / pr
    p = (1 + phi) * (1 + sigmat * rl) * uc
    ck = alpha0 / (1 - alpha1 - alpha2 * sigmat * uc / p)
    inv = sigmat * ck * uc
    return {
        "UC": uc,
        "P": p,
        "Ck": ck,
        "Yk": ck,
        "Sk": ck,
        "YDkhs": ck,
        "INk": sigmat * ck,
        "IN": inv,
        "Mh": inv,
        "Ld": inv,
        "C": ck * p,
        "YD": ck * p,
    }


@pytest.mark.parametrize("params", [{}, {"phi": 0.30}, {"sigmat": 0.25}])
def test_dis_steady_state(params):
    """DIS (G&L ch. 9). In a stationary state expectations are met (Ske = Sk, YDkhse = YDkhs),
    inventories are at target, INk = sigmat Sk (9.2-9.4), and output equals sales (9.1).
    Unit cost is constant, UC = W / pr (9.7-9.9), so (9.13) NHUC = (1 + sigmat rl) UC and (9.12)
    P = (1 + phi)(1 + sigmat rl) UC. Deposits equal loans equal inventories at cost (9.15-9.17),
    Mh = sigmat Ck UC, so real wealth is Mhk = sigmat Ck UC / P; with YDkhs = Ck (9.23),
    (9.26) gives Ck* = alpha0 / (1 - alpha1 - alpha2 sigmat UC / P) = 79.7569 at the book's values.
    Nominal income equals nominal consumption: YD = P Ck (9.21 with 9.14, 9.20).
    """
    r = run("dis", periods=1500, set=params)
    for name, value in dis_steady_state(**params).items():
        assert series(r, name)[-1] == pytest.approx(value, abs=TOL), name


def test_dis_stays_at_its_stationary_state():
    """From the book's stationary state DIS stays put for 3000 periods (periods 1..3000)."""
    r = run("dis", periods=3000)
    for name, value in dis_steady_state().items():
        assert np.max(np.abs(series(r, name)[1:] - value)) < TOL, name
