"""The volatility regime of the calibration (GARCH(1,1) on the window's own changes)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bubblemachine.calibrate.volregime import (
    FALLBACK_PERSIST,
    PERSIST_BOUNDS,
    RATIO_BOUNDS,
    VolRegime,
    fit_vol_regime,
)


def garch_path(n: int, *, omega: float, alpha: float, beta: float, seed: int, v0: float | None = None):
    """A simulated GARCH(1,1) series and its next-day conditional variance (by hand)."""
    rng = np.random.default_rng(seed)
    v = omega / (1 - alpha - beta) if v0 is None else v0
    x = np.empty(n)
    for t in range(n):
        x[t] = np.sqrt(v) * rng.standard_normal()
        v = omega + alpha * x[t] ** 2 + beta * v
    return x, v


def test_recovers_persistence_and_regime_of_a_simulated_garch():
    # 5,000 days of GARCH(1,1) with alpha + beta = 0.98: the fit recovers the persistence to
    # 0.01 and the next-day variance over the sample variance to 20%.
    omega, alpha, beta = 0.02, 0.08, 0.90
    x, v_next = garch_path(5000, omega=omega, alpha=alpha, beta=beta, seed=3)
    vr = fit_vol_regime(pd.DataFrame({"a": x}), ("a",))
    assert vr.fitted == (True,)
    assert vr.persist[0] == pytest.approx(alpha + beta, abs=0.01)
    assert vr.ratio[0] == pytest.approx(v_next / np.var(x, ddof=1), rel=0.2)


def test_calm_and_turbulent_endings_give_ratios_below_and_above_one():
    omega, alpha, beta = 0.02, 0.08, 0.90
    x, _ = garch_path(3000, omega=omega, alpha=alpha, beta=beta, seed=11)
    calm = np.concatenate([x, 0.3 * np.random.default_rng(1).standard_normal(60)])
    wild = np.concatenate([x, 3.0 * np.random.default_rng(1).standard_normal(60)])
    vr = fit_vol_regime(pd.DataFrame({"calm": calm, "wild": wild}), ("calm", "wild"))
    assert vr.ratio[0] < 0.6
    assert vr.ratio[1] > 2.0
    assert all(RATIO_BOUNDS[0] <= r <= RATIO_BOUNDS[1] for r in vr.ratio)
    assert all(PERSIST_BOUNDS[0] <= p <= PERSIST_BOUNDS[1] for p in vr.persist)


def test_series_without_enough_own_changes_keep_the_window_level():
    x, _ = garch_path(2000, omega=0.02, alpha=0.08, beta=0.90, seed=5)
    df = pd.DataFrame({"old": x, "young": np.r_[np.full(1800, np.nan), x[:200]]})
    vr = fit_vol_regime(df, ("old", "young", "absent"))
    assert vr.fitted == (True, False, False)
    assert vr.ratio[1] == 1.0 and vr.ratio[2] == 1.0
    assert vr.persist[1] == FALLBACK_PERSIST


def test_shipped_calibration_writes_the_regime_and_the_as_of_realised_variance():
    import tomllib

    from bubblemachine.calibrate import default_path

    doc = tomllib.loads(default_path().read_text(encoding="utf-8"))
    params, initial, eqs = doc["parameters"], doc["initial"], doc["equations"]
    for s in ("spx", "chips", "btc", "ust10y", "vix"):
        r = params[f"vratio_{s}"]["value"]
        assert RATIO_BOUNDS[0] <= r <= RATIO_BOUNDS[1]
        assert initial[f"vgap_{s}"] == pytest.approx(r - 1, abs=1e-6)
        assert f"vscale_{s}" in eqs[f"noise_{s}"]
    # 2025-11-14: the S&P 500's 20-day-half-life EWMA vol was 12.7% a year (the first edition's constant)
    assert np.sqrt(252 * initial["spx_var"]) == pytest.approx(0.1273, abs=0.001)
    assert initial["spx_rvol"] == pytest.approx(100 * np.sqrt(252 * initial["spx_var"]), rel=1e-5)


def test_half_life_by_hand():
    # a gap that halves in 20 trading days has persistence 0.5^(1/20) = 0.96594 a day
    vr = VolRegime(names=("a", "b"), ratio=np.array([2.0, 1.0]), persist=np.array([0.5 ** (1 / 20), 0.99]),
                   fitted=(True, False))
    assert vr.half_life("a") == pytest.approx(20.0, rel=1e-12)
    assert vr.half_life("b") == pytest.approx(68.97, abs=0.01)  # ln 0.5 / ln 0.99


def test_a_degenerate_window_keeps_the_window_level():
    # a series that never moves cannot be fitted: ratio 1, no error
    df = pd.DataFrame({"flat": np.zeros(800)})
    vr = fit_vol_regime(df, ("flat",))
    assert vr.fitted == (False,) and vr.ratio[0] == 1.0
