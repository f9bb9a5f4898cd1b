"""Statistics helpers: each finds a planted effect and keeps its nominal size without one.

Size checks run 200 simulations with a fixed seed and assert the rejection count stays
within a binomial tolerance: at most the 99.9% quantile of Binomial(200, 0.05) (= 21).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from bubblemachine.claims import stats as S

SIMS = 200
MAX_REJECT = int(stats.binom.ppf(0.999, SIMS, 0.05))
MIN_REJECT = int(stats.binom.ppf(0.001, SIMS, 0.05))


def ar1(rng, n, rho, size=None):
    e = rng.standard_normal((n,) if size is None else (size, n))
    x = np.empty_like(e)
    x[..., 0] = e[..., 0] / np.sqrt(1 - rho**2)
    for t in range(1, n):
        x[..., t] = rho * x[..., t - 1] + e[..., t]
    return x


def idx(n):
    return pd.bdate_range("2000-01-03", periods=n)


def test_rules_stated():
    assert S.nw_lags(100) == 4
    assert S.nw_lags(1000) == 6  # floor(4 * 10 ** (2/9)) = floor(6.67)
    assert S.nw_lags(100, horizon=20) == 19
    assert S.block_length(1000) == 10
    assert S.block_length(1) == 2


def test_hac_ols_finds_planted_slope():
    rng = np.random.default_rng(1)
    n = 300
    x = pd.Series(ar1(rng, n, 0.5), index=idx(n), name="x")
    y = 0.3 * x + pd.Series(ar1(rng, n, 0.5), index=idx(n))
    fit = S.hac_ols(y, x)
    assert fit.pvalues["x"] < 0.01
    assert fit.ci_low["x"] < 0.3 < fit.ci_high["x"]
    assert fit.lags == S.nw_lags(n)


@pytest.mark.slow
def test_hac_ols_size_with_overlapping_returns():
    rng = np.random.default_rng(2)
    n, h = 400, 5
    rejects = 0
    for _ in range(SIMS):
        e, u = rng.standard_normal(n + h), rng.standard_normal(n + h)
        y = pd.Series(np.convolve(e, np.ones(h), "valid")[:n], index=idx(n))  # overlapping h-sums
        x = pd.Series(np.convolve(u, np.ones(h), "valid")[:n], index=idx(n), name="x")
        rejects += S.hac_ols(y, x, horizon=h).pvalues["x"] < 0.05
    assert MIN_REJECT <= rejects <= MAX_REJECT, rejects


def test_hac_mean_matches_plain_mean():
    x = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    fit = S.hac_mean(x, lags=0)
    assert fit.params["const"] == pytest.approx(4.0)


def test_lead_lag_locates_the_lead():
    rng = np.random.default_rng(3)
    n = 500
    x = pd.Series(rng.standard_normal(n), index=idx(n))
    y = 0.8 * x.shift(2) + 0.6 * pd.Series(rng.standard_normal(n), index=idx(n))
    ll = S.lead_lag(x, y, max_lag=4)
    assert ll["corr"].abs().idxmax() == 2
    assert ll.loc[2, "p"] < 1e-6
    assert abs(ll.loc[-2, "corr"]) < 0.15


def mean_stat(a):
    return a.mean(axis=-1)


def test_block_bootstrap_finds_planted_mean():
    rng = np.random.default_rng(4)
    x = 0.5 + ar1(rng, 300, 0.3)
    b = S.block_bootstrap(x, mean_stat, seed=0)
    assert b.ci_low > 0 and b.p_value < 0.01
    assert b.estimate == pytest.approx(x.mean())


def test_block_bootstrap_size():
    rng = np.random.default_rng(5)
    xs = ar1(rng, 300, 0.3, size=SIMS)
    rejects = 0
    for i in range(SIMS):
        b = S.block_bootstrap(xs[i], mean_stat, n_boot=400, seed=i)
        rejects += not (b.ci_low <= 0 <= b.ci_high)
    assert rejects <= MAX_REJECT, rejects


def test_block_indices_are_contiguous_blocks():
    ix = S.block_indices(100, 5, block=10, seed=0)
    assert ix.shape == (5, 100)
    assert (np.diff(ix[:, :10], axis=1) == 1).all()
    assert ix.min() >= 0 and ix.max() < 100


def make_market(rng, n):
    m = pd.Series(0.01 * rng.standard_normal(n), index=idx(n))
    r = 0.0002 + 1.2 * m + pd.Series(0.01 * rng.standard_normal(n), index=idx(n))
    return r, m


EVENTS = [("a", "2001-06-01", "2001-06-14"), ("b", "2002-03-01", "2002-03-14"), ("c", "2003-01-06", "2003-01-17")]


def test_event_study_finds_planted_car():
    rng = np.random.default_rng(6)
    r, m = make_market(rng, 1000)
    for _, s, e in EVENTS:
        r.loc[s:e] += 0.01  # +1% a day abnormal (10-day windows: CAR 0.10)
    ev = S.event_study(r, EVENTS, market=m)
    assert ev.n_events == 3
    assert ev.ci_low > 0 and ev.p_value < 0.01
    assert ev.mean_car == pytest.approx(0.10, abs=0.06)  # 3 sd of the mean CAR


def test_event_study_size():
    rng = np.random.default_rng(7)
    rejects = 0
    for _ in range(SIMS):
        r, m = make_market(rng, 1000)
        ev = S.event_study(r, EVENTS, market=m)
        rejects += ev.p_value < 0.05
    assert MIN_REJECT <= rejects <= MAX_REJECT, rejects


def test_event_study_mean_model_and_declared_windows():
    rng = np.random.default_rng(8)
    r = pd.Series(0.01 * rng.standard_normal(1000), index=idx(1000))
    ev = S.event_study(r, EVENTS)
    assert ev.model == "mean"
    with pytest.raises(ValueError):
        S.event_study(r, [("x", "2001-06-01", None)])
    with pytest.raises(ValueError):
        S.event_study(r, EVENTS, estimation=(-100, 0))


def test_break_test_finds_planted_slope_change():
    rng = np.random.default_rng(9)
    n = 400
    x = pd.Series(rng.standard_normal(n), index=idx(n))
    post = (x.index >= idx(n)[250]).astype(float)
    y = 0.2 * x + 0.6 * post * x + pd.Series(rng.standard_normal(n), index=idx(n))
    br = S.break_test(y, x, idx(n)[250])
    assert br.diff_ci_low > 0 and br.chow_p < 0.001
    assert br.diff == pytest.approx(0.6, abs=0.3)
    assert (br.n_pre, br.n_post) == (250, 150)


@pytest.mark.slow
def test_break_test_size():
    rng = np.random.default_rng(10)
    n = 300
    rej_hac = rej_chow = 0
    for _ in range(SIMS):
        x = pd.Series(rng.standard_normal(n), index=idx(n))
        y = 0.3 * x + pd.Series(rng.standard_normal(n), index=idx(n))
        br = S.break_test(y, x, idx(n)[200])
        rej_hac += br.diff_p < 0.05
        rej_chow += br.chow_p < 0.05
    assert rej_hac <= MAX_REJECT and MIN_REJECT <= rej_chow <= MAX_REJECT, (rej_hac, rej_chow)


def test_rank_corr_planted_and_size():
    rng = np.random.default_rng(11)
    x = rng.standard_normal(50)
    rho, p, n = S.rank_corr(x, np.exp(x) + 0.1 * rng.standard_normal(50))
    assert rho > 0.9 and p < 1e-6 and n == 50
    rejects = sum(S.rank_corr(rng.standard_normal(40), rng.standard_normal(40))[1] < 0.05 for _ in range(SIMS))
    assert MIN_REJECT <= rejects <= MAX_REJECT, rejects


def test_adjust_pvalues_by_hand():
    p = [0.01, 0.04, None, 0.03]
    holm = S.adjust_pvalues(p, method="holm")
    # sorted 0.01, 0.03, 0.04 -> x3, x2, x1 with monotonicity: 0.03, 0.06, 0.06
    assert holm[0] == pytest.approx(0.03) and holm[3] == pytest.approx(0.06) and holm[1] == pytest.approx(0.06)
    assert holm[2] is None
    bh = S.adjust_pvalues(p, method="fdr_bh")
    # BH: 0.01*3/1 = 0.03, 0.03*3/2 = 0.045, 0.04*3/3 = 0.04 -> monotone: 0.03, 0.04, 0.04
    assert bh[0] == pytest.approx(0.03) and bh[3] == pytest.approx(0.04) and bh[1] == pytest.approx(0.04)


def test_random_window_test_finds_planted_drop():
    rng = np.random.default_rng(12)
    n = 800
    level = np.cumsum(rng.standard_normal(n))
    level[400:] -= 15.0  # a planted drop inside window (395, 405)
    level[600:] -= 15.0  # and inside (595, 605)
    eff, lo, hi, p, _ = S.random_window_test(lambda s, e: level[e] - level[s], n, [(395, 405), (595, 605)], seed=0, exclude=[(380, 420), (580, 620)])
    assert hi < 0 and p < 0.01 and eff == pytest.approx(-15.0, abs=6.0)


def test_t_interval_by_hand():
    m, lo, hi, p = S.t_interval([1.0, 2.0, 3.0])
    half = stats.t.ppf(0.975, 2) * 1.0 / np.sqrt(3)
    assert m == 2.0 and lo == pytest.approx(2 - half) and hi == pytest.approx(2 + half)


def test_lagged_has_no_look_ahead():
    prices = pd.Series(np.arange(1.0, 11.0), index=idx(10))
    sig = S.lagged(prices.pct_change(), 1)
    changed = prices.copy()
    changed.iloc[6:] *= 3.0  # change the future from date 6 on
    sig2 = S.lagged(changed.pct_change(), 1)
    pd.testing.assert_series_equal(sig.iloc[:7], sig2.iloc[:7])  # values up to t=6 use data up to t-1
    with pytest.raises(ValueError):
        S.lagged(prices, -1)


def test_forward_return_starts_at_close():
    p = pd.Series([100.0, 110.0, 121.0], index=idx(3))
    f = S.forward_return(p, 1)
    assert f.iloc[0] == pytest.approx(np.log(1.1)) and np.isnan(f.iloc[-1])


@pytest.mark.slow
def test_lead_lag_size():
    rng = np.random.default_rng(13)
    n = 200
    rejects = 0
    for _ in range(SIMS):
        x = pd.Series(rng.standard_normal(n), index=idx(n))
        y = pd.Series(rng.standard_normal(n), index=idx(n))
        rejects += S.lead_lag(x, y, ks=[1]).loc[1, "p"] < 0.05
    assert MIN_REJECT <= rejects <= MAX_REJECT, rejects


def test_random_window_test_size():
    rng = np.random.default_rng(14)
    n = 600
    rejects = 0
    for i in range(SIMS):
        level = np.cumsum(rng.standard_normal(n))
        s0 = int(rng.integers(50, 500))
        _, lo, hi, p, _ = S.random_window_test(lambda s, e, lv=level: lv[e] - lv[s], n, [(s0, s0 + 10)], n_draws=500, seed=i)
        rejects += not (lo <= 0 <= hi)
    assert rejects <= MAX_REJECT, rejects


# ----------------------------------------------------------------------------- calendar time
def test_forward_return_bdays_counts_business_days_not_rows():
    days = pd.bdate_range("2024-03-04", periods=18)  # NYSE trading days up to Thursday 2024-03-28 (Good Friday after)
    p = pd.Series(np.exp(np.arange(18) / 100.0), index=days)
    gap = p.drop(days[6:9])  # three missing rows
    f = S.forward_return_bdays(gap, 5)
    # from day 4 (Fri 8 Mar): 5 trading days later is Fri 15 Mar = day 9 (present), log step 0.01 a day
    assert f.loc[days[4]] == pytest.approx(0.05)
    # a row-count horizon would have gone to day 12 instead
    assert S.forward_return(gap, 5).loc[days[4]] == pytest.approx(0.08)
    assert np.isnan(f.iloc[-1]) and np.isnan(f.loc[days[-5]])  # horizon not observed yet


def test_value_after_and_change_bdays():
    days = pd.bdate_range("2024-03-04", periods=10)  # NYSE trading days (no holiday in these two weeks)
    s = pd.Series(np.arange(10.0), index=days)
    assert S.value_after_bdays(s, 2).iloc[0] == 2.0
    assert S.change_bdays(s, 3).iloc[5] == 3.0 and np.isnan(S.change_bdays(s, 3).iloc[1])
    with pytest.raises(ValueError):
        S.forward_return_bdays(s + 1.0, 0)


def test_event_study_estimation_window_is_business_days():
    rng = np.random.default_rng(21)
    r = pd.Series(0.01 * rng.standard_normal(1000), index=idx(1000))
    est_start = np.busday_offset(np.datetime64("2001-06-01"), -260, roll="forward")
    i = int(r.index.searchsorted(pd.Timestamp(est_start)))
    gappy = r.drop(r.index[i - 30 : i - 10])  # 20 rows missing just before event "a"'s estimation window
    a = S.event_study(r, EVENTS[:1])
    b = S.event_study(gappy, EVENTS[:1])
    assert a.car == b.car  # the estimation window is dates, so the same rows: counting rows would have shifted it


def test_random_window_test_with_dates_uses_calendar_spans():
    n = 400
    dates = pd.bdate_range("2010-01-01", periods=n)
    level = np.arange(n, dtype=float)  # +1 a business day
    eff, lo, hi, p, null = S.random_window_test(lambda s, e: level[e] - level[s], n, [(100, 110)], seed=3, dates=dates, n_draws=200)
    assert np.allclose(null, 10.0)  # every random window spans the same 14 calendar days = 10 business days
    assert eff == pytest.approx(0.0)


def test_excess_over_null_by_hand():
    null = np.arange(-50, 51, dtype=float)
    eff, lo, hi, p = S.excess_over_null(60.0, null)
    assert eff == 60.0 and lo == pytest.approx(60.0 - np.quantile(null, 0.975)) and p == 0.0
    assert S.excess_over_null(0.0, null)[3] == pytest.approx(1.0)
