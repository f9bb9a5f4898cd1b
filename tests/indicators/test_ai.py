"""AI vs the rest, crypto vs liquidity and hyperscaler capex vs hand computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bubblemachine.indicators.ai import capex_by_quarter, equal_weight_index, relative, weekly_corr


def test_equal_weight_index_daily_rebalanced():
    idx = pd.bdate_range("2024-01-01", periods=3)
    a = pd.Series([10.0, 11.0, 11.0], index=idx)  # +10%, 0%
    b = pd.Series([20.0, 20.0, 18.0], index=idx)  # 0%, -10%
    out = equal_weight_index({"A": a, "B": b})
    # day 1: 100 * (1 + (0.10 + 0)/2) = 105; day 2: 105 * (1 + (0 - 0.10)/2) = 99.75
    assert out.tolist() == pytest.approx([100.0, 105.0, 99.75])


def test_relative_rebased():
    idx = pd.bdate_range("2024-01-01", periods=2)
    r = relative(
        pd.Series([2.0, 3.0], index=idx, name="a"), pd.Series([4.0, 4.0], index=idx, name="b")
    )
    assert r.tolist() == pytest.approx([100.0, 150.0])


def test_weekly_corr_perfect_comovement():
    weds = pd.date_range("2024-01-03", periods=12, freq="7D")
    rng = np.random.default_rng(1)
    dl = rng.normal(0, 10, 12)
    liq = pd.Series(5000 + np.cumsum(dl), index=weds)
    # asset log change = 0.001 * liquidity change -> correlation exactly 1
    asset = pd.Series(100 * np.exp(0.001 * np.cumsum(dl)), index=weds - pd.Timedelta(days=1))
    c = weekly_corr(asset, liq, window=8)
    assert c.dropna().iloc[-1] == pytest.approx(1.0, abs=1e-9)


def test_capex_by_quarter_sums_flags_and_yoy():
    rows = []
    for q, vals in {
        "2023Q1": {"A": 10e9, "B": 5e9},
        "2023Q2": {"A": 11e9, "B": 5e9},
        "2023Q3": {"A": 12e9, "B": 6e9},
        "2023Q4": {"A": 13e9, "B": 6e9},
        "2024Q1": {"A": 15e9, "B": 7.5e9},
        "2024Q2": {"A": 20e9},  # B missing
    }.items():
        for c, v in vals.items():
            rows.append({"company": c, "calendar_quarter": q, "capex_usd": v})
    out = capex_by_quarter(pd.DataFrame(rows))
    assert out.loc["2023Q1", "capex_bn"] == pytest.approx(15.0)
    assert out.loc["2024Q1", "yoy"] == pytest.approx(22.5 / 15.0 - 1)  # 0.5
    assert out.loc["2024Q2", "missing"] == "B" and not out.loc["2024Q2", "complete"]
    assert np.isnan(out.loc["2024Q2", "yoy"])
    assert np.isnan(out.loc["2023Q4", "yoy"])  # no year-earlier quarter


def test_capex_yoy_is_like_for_like_when_a_company_enters():
    rows = [
        {"company": "A", "calendar_quarter": "2017Q1", "capex_usd": 10e9},
        {"company": "A", "calendar_quarter": "2018Q1", "capex_usd": 12e9},
        {"company": "C", "calendar_quarter": "2018Q1", "capex_usd": 30e9},  # C's first quarter
    ]
    out = capex_by_quarter(pd.DataFrame(rows))
    assert out.loc["2018Q1", "capex_bn"] == pytest.approx(42.0)
    assert out.loc["2018Q1", "complete"]  # C had not reported before, so nothing is missing
    assert out.loc["2018Q1", "yoy"] == pytest.approx(0.2)  # A only: 12 / 10 - 1, not 42 / 10 - 1
