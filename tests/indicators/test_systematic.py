"""Vol targeting and EWMAC vs hand computation; flip levels plugged back in."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bubblemachine.indicators.systematic import (
    PUBLISHED_SCALARS,
    cta_signal,
    ewma,
    ewmac_forecast,
    flip_levels,
    flip_price,
    realised_vol,
    vol_target_exposure,
)


def _prices(values):
    return pd.Series(values, index=pd.bdate_range("2024-01-01", periods=len(values)), dtype=float)


def test_realised_vol_matches_hand_recursion():
    p = _prices([100.0, 101.0, 99.0, 102.0, 102.5])
    lam = 1 - 0.5 ** (1 / 20)  # EWMA weight for a 20-day half-life
    r = [math.log(101 / 100), math.log(99 / 101), math.log(102 / 99), math.log(102.5 / 102)]
    v = r[0] ** 2
    for x in r[1:]:
        v = (1 - lam) * v + lam * x**2
    got = realised_vol(p, half_life=20)
    assert got.iloc[-1] == pytest.approx(math.sqrt(252 * v), rel=1e-12)
    assert len(got) == 4


def test_vol_target_exposure_is_target_over_vol_and_capped():
    # constant 1% daily moves up and down: realised vol = sqrt(252) * 1% ~ 15.87%
    p = _prices(100 * np.exp(np.cumsum([0.0] + [0.01, -0.01] * 50)))
    e = vol_target_exposure(p, target_vol=0.10, half_life=20, cap=2.0)
    assert e.iloc[-1] == pytest.approx(0.10 / (0.01 * math.sqrt(252)), rel=1e-9)
    # very calm market -> capped at 2
    calm = _prices(100 * np.exp(np.cumsum([0.0] + [0.0005, -0.0005] * 50)))
    assert vol_target_exposure(calm, cap=2.0).iloc[-1] == 2.0
    assert vol_target_exposure(calm, cap=1.5).max() == 1.5


def test_ewma_recursion_by_hand():
    p = _prices([10.0, 12.0, 11.0])
    a = 2 / (3 + 1)
    f1 = a * 12 + (1 - a) * 10
    f2 = a * 11 + (1 - a) * f1
    assert ewma(p, 3).tolist() == pytest.approx([10.0, f1, f2], abs=1e-12)


def test_ewmac_forecast_sign_scale_and_cap():
    rng = np.random.default_rng(0)
    up = _prices(100 + np.cumsum(0.3 + rng.normal(0, 1, 400)))
    vol = pd.Series(1.0, index=up.index)  # price vol of 1 price unit a day: raw = fast - slow
    f = ewmac_forecast(up, 8, 32, vol=vol, cap=1e9)
    hand = (ewma(up, 8) - ewma(up, 32)) * PUBLISHED_SCALARS[(8, 32)]
    assert f.to_numpy() == pytest.approx(hand.to_numpy(), rel=1e-12)
    assert ewmac_forecast(up, 8, 32, vol=vol).abs().max() <= 20.0
    sig = cta_signal(up)
    assert sig["combined"].iloc[-1] > 0  # a steady uptrend is long
    assert sig["combined"].abs().max() <= 20.0
    down = _prices(500 - np.cumsum(0.3 + rng.normal(0, 1, 400)))
    assert cta_signal(down)["combined"].iloc[-1] < 0


@pytest.mark.parametrize("fast,slow", [(8, 32), (16, 64), (32, 128), (64, 256)])
def test_flip_price_plugged_back_in_makes_ewmas_equal(fast, slow):
    rng = np.random.default_rng(fast)
    p = _prices(4000 + np.cumsum(rng.normal(2, 30, 600)))
    level = flip_levels(p, speeds=[(fast, slow)])[f"ewmac{fast}_{slow}"]
    extended = pd.concat([p, pd.Series([level], index=[p.index[-1] + pd.offsets.BDay()])])
    f, s = ewma(extended, fast).iloc[-1], ewma(extended, slow).iloc[-1]
    assert f == pytest.approx(s, rel=1e-10, abs=1e-8)
    # a price above the flip level gives a long crossover tomorrow, below it a short one
    for bump, sign in ((+1.0, 1), (-1.0, -1)):
        ext = pd.concat([p, pd.Series([level + bump], index=extended.index[-1:])])
        assert np.sign(ewma(ext, fast).iloc[-1] - ewma(ext, slow).iloc[-1]) == sign


def test_flip_price_closed_form_by_hand():
    # F=110, S=100, spans 3 and 7: a_f = 0.5, a_s = 0.25 -> P* = (0.75*100 - 0.5*110)/0.25 = 80
    assert flip_price(110.0, 100.0, 3, 7) == pytest.approx(80.0)
    with pytest.raises(ValueError):
        flip_price(1.0, 1.0, 7, 3)
