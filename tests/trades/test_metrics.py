"""Metrics against hand computation on synthetic series (known CAGR, drawdown, alpha)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bubblemachine.trades import metrics as mx

DAYS = pd.bdate_range("2010-01-01", periods=3000)


def _nav(r: np.ndarray, dates=DAYS) -> pd.Series:
    return pd.Series(np.concatenate([[1.0], np.cumprod(1.0 + r)]), index=dates[: len(r) + 1])


def test_known_cagr_and_zero_vol():
    r = np.full(2519, 0.0004)
    cagr, vol, sharpe, _ = mx.performance(r, np.zeros_like(r))
    assert cagr == pytest.approx(1.0004**252 - 1.0, rel=1e-12)
    assert vol == pytest.approx(0.0, abs=1e-12)
    assert math.isnan(sharpe)  # returns that never vary have no Sharpe ratio


def test_sharpe_and_sortino_by_hand():
    rng = np.random.default_rng(7)
    r = rng.normal(0.0005, 0.01, 2000)
    rf = np.full(2000, 0.0001)
    ex = r - rf
    _, vol, sharpe, sortino = mx.performance(r, rf)
    assert vol == pytest.approx(np.std(r, ddof=1) * math.sqrt(252), rel=1e-12)
    assert sharpe == pytest.approx(ex.mean() / ex.std(ddof=1) * math.sqrt(252), rel=1e-12)
    downside = math.sqrt(np.mean(np.minimum(ex, 0.0) ** 2))
    assert sortino == pytest.approx(ex.mean() / downside * math.sqrt(252), rel=1e-10)


def test_known_drawdown_with_dates():
    # up 100% to day 100, down 40% to day 250, back above the peak on day 400
    up = np.full(100, 2.0 ** (1 / 100) - 1)
    down = np.full(150, 0.6 ** (1 / 150) - 1)
    back = np.full(200, (1 / 0.6) ** (1 / 150) - 1)
    nav = _nav(np.concatenate([up, down, back]))
    dd = mx.max_drawdown(nav)
    assert dd.depth == pytest.approx(-0.4, abs=1e-12)
    assert dd.peak == DAYS[100] and dd.trough == DAYS[250]
    assert dd.recovery == DAYS[400]
    assert mx.max_drawdown(nav.iloc[:300]).recovery is None


def test_planted_alpha_is_found():
    rng = np.random.default_rng(20251114)
    n = 2520
    rf = pd.Series(0.0001, index=DAYS[1 : n + 1])
    b = pd.Series(rng.normal(0.0004, 0.01, n), index=rf.index)
    alpha_daily = 0.0004  # ~10% a year
    r = rf + alpha_daily + 1.2 * (b - rf) + rng.normal(0, 0.004, n)
    m = mx.compute(r, b, rf, _nav(r.to_numpy()), _nav(b.to_numpy()))
    assert m.alpha_ci_low > 0
    assert m.alpha_ci_low < 252 * alpha_daily < m.alpha_ci_high
    assert m.beta == pytest.approx(1.2, abs=0.03)
    assert m.n == n and m.hac_lags == math.floor(4 * (n / 100) ** (2 / 9))


def test_no_alpha_found_where_none_planted():
    rng = np.random.default_rng(11)
    n = 2520
    rf = pd.Series(0.0001, index=DAYS[1 : n + 1])
    b = pd.Series(rng.normal(0.0004, 0.01, n), index=rf.index)
    r = rf + 0.8 * (b - rf) + rng.normal(0, 0.006, n)
    m = mx.compute(r, b, rf, _nav(r.to_numpy()), _nav(b.to_numpy()))
    assert m.alpha_ci_low < 0 < m.alpha_ci_high
    v, why = mx.verdict(m, mx.probabilistic_sharpe(m.sr_period, m.n, m.skew, m.kurt, 0.05))
    assert v == "inconclusive"


def test_deflated_sharpe_matches_the_paper():
    # Bailey & Lopez de Prado (2014), numerical example: SR 2.5 a year over 1,250 daily
    # returns, N = 100 trials with V[SR] = 1/2 (annualised), skew -3, kurtosis 10 ->
    # SR0 = 0.1132 (non-annualised) and DSR = 0.9004 (250 days a year in the paper).
    sr0 = mx.expected_max_sharpe(100, 0.5 / 250)
    assert sr0 == pytest.approx(0.1132, abs=5e-5)
    dsr = mx.probabilistic_sharpe(2.5 / math.sqrt(250), 1250, -3.0, 10.0, sr0)
    assert dsr == pytest.approx(0.9004, abs=5e-4)
    assert mx.expected_max_sharpe(1, 0.5) == 0.0


def test_psr_by_hand():
    from scipy.stats import norm

    sr, n, sk, ku = 0.1, 500, -0.5, 5.0
    z = sr * math.sqrt(n - 1) / math.sqrt(1 - sk * sr + (ku - 1) / 4 * sr**2)
    assert mx.probabilistic_sharpe(sr, n, sk, ku) == pytest.approx(norm.cdf(z), rel=1e-12)


def test_hit_rate_counts_months_beating_the_benchmark():
    idx = pd.bdate_range("2020-01-01", "2020-06-30")
    r = pd.Series(0.0, index=idx)
    b = pd.Series(0.0, index=idx)
    r[idx.month.isin([1, 2, 5])] = 0.001
    b[idx.month.isin([3])] = 0.001
    rate, months = mx.hit_rate(r, b)
    assert months == 6 and rate == pytest.approx(3 / 6)


def _metrics(**kw) -> mx.Metrics:
    base = dict(n=1000, start=DAYS[0], end=DAYS[1000], cagr=0.1, vol=0.2, sharpe=0.5, sortino=0.7, calmar=0.3,
                drawdown=mx.Drawdown(-0.3, None, None, None), hit_rate=0.5, months=48, alpha=0.0, alpha_ci_low=-0.01,
                alpha_ci_high=0.01, alpha_p=0.5, beta=1.0, beta_ci_low=0.9, beta_ci_high=1.1, active=0.0,
                active_ci_low=-0.01, active_ci_high=0.01, tracking_error=0.05, information_ratio=0.0, sr_period=0.03,
                skew=0.0, kurt=3.0, psr=0.8, benchmark_cagr=0.1, benchmark_vol=0.15, benchmark_sharpe=0.5,
                benchmark_drawdown=mx.Drawdown(-0.3, None, None, None), hac_lags=8)  # fmt: skip
    base.update(kw)
    return mx.Metrics(**base)


@pytest.mark.parametrize(
    ("kw", "dsr", "expected"),
    [
        ({"alpha_ci_low": 0.01, "alpha_ci_high": 0.05}, 0.97, ("worked", "alpha_deflated")),
        ({"alpha_ci_low": 0.01, "alpha_ci_high": 0.05}, 0.60, ("inconclusive", "alpha_not_deflated")),
        ({"alpha_ci_low": -0.05, "alpha_ci_high": -0.01}, 0.0, ("failed", "alpha_negative")),
        ({"active_ci_low": -0.06, "active_ci_high": -0.02}, 0.0, ("failed", "lagged")),
        ({}, 0.5, ("inconclusive", "no_difference")),
        ({"n": 100}, 0.99, ("not testable", "too_short")),
    ],
)
def test_verdict_rules(kw, dsr, expected):
    assert mx.verdict(_metrics(**kw), dsr) == expected
