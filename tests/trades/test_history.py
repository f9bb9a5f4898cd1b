"""Historical inputs and the backtest: bonds, calendars, a real buy-and-hold against the CSV,
and no look-ahead."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bubblemachine.data import open_store
from bubblemachine.trades.backtest import run_backtest
from bubblemachine.trades.history import decision_dates, par_bond_return, sample_on
from bubblemachine.trades.spec import load_strategies, load_strategy

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _price(y: float, coupon: float, years: float) -> float:
    """Exact price of a semi-annual bond (coupon and yield as fractions) with whole periods."""
    n = int(round(2 * years))
    c = coupon / 2
    return sum(c / (1 + y / 2) ** k for k in range(1, n + 1)) + 1 / (1 + y / 2) ** n


@pytest.mark.parametrize(("y0", "dy"), [(4.0, 0.10), (4.0, -0.25), (1.0, 0.05), (7.5, 0.5)])
def test_par_bond_return_matches_exact_repricing(y0, dy):
    exact = _price((y0 + dy) / 100, y0 / 100, 10) - 1.0  # price change of a par bond, no carry
    approx = par_bond_return(np.array([y0]), np.array([y0 + dy]), np.array([0.0]), 10.0)[0]
    # duration + convexity: the error is third order in dy
    assert approx == pytest.approx(exact, abs=2e-5 * (abs(dy) / 0.1) ** 3 + 1e-9)
    carry = par_bond_return(np.array([y0]), np.array([y0]), np.array([0.5]), 10.0)[0]
    assert carry == pytest.approx(y0 / 100 * 0.5, rel=1e-12)


def test_sample_on_respects_staleness():
    s = pd.Series([1.0, 2.0], index=pd.to_datetime(["2024-01-01", "2024-01-10"]))
    dates = pd.to_datetime(["2024-01-05", "2024-01-09", "2024-01-10", "2024-01-20"])
    got = sample_on(s, pd.DatetimeIndex(dates), max_stale_days=7).to_numpy()
    assert got[0] == 1.0 and math.isnan(got[1]) and got[2] == 2.0 and math.isnan(got[3])


def test_decision_dates_are_period_ends():
    d = pd.bdate_range("2024-01-01", "2024-03-31")
    m = d[decision_dates(d, "monthly")]
    assert list(m.strftime("%m-%d")) == ["01-01", "01-31", "02-29", "03-29"]
    assert decision_dates(d, "never").sum() == 1
    assert decision_dates(d, "daily").all()
    assert (d[decision_dates(d, "weekly")][1:].day_of_week == 4).all()


def _spy_strategy(tmp_path) -> Path:
    p = tmp_path / "spy.toml"
    p.write_text(
        '[strategy]\nid = "spy_hold"\nseed = "user"\nstatement_en = "Hold SPY."\nstatement_ko = "SPY 보유."\n'
        'rebalance = "never"\ncost_bps = 0\n[weights]\nSPY = 1.0\n',
        encoding="utf-8",
    )
    return p


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data (the source CSV files) not present")
def test_real_buy_and_hold_matches_an_independent_computation_from_the_csv(tmp_path):
    s = load_strategy(_spy_strategy(tmp_path))
    bt = run_backtest([s], start="2005-01-03", end="2024-12-31", progress=False)
    r = bt.results[0]
    with open(SHARED / "px_SPY.csv", newline="") as fh:
        rows = [(row["date"], float(row["adj_close"])) for row in csv.DictReader(fh) if row["adj_close"]]
    px = {d: v for d, v in rows if "2005-01-03" <= d <= "2024-12-31"}
    days = sorted(px)
    # bought at the close of the day after the first decision (2005-01-03), held to the end
    first, last = days[1], days[-1]
    assert f"{r.nav.index[0]:%Y-%m-%d}" == first and f"{r.nav.index[-1]:%Y-%m-%d}" == last
    total = px[last] / px[first]
    assert r.nav.iloc[-1] == pytest.approx(total, rel=1e-12)
    n = len(days) - 2
    cagr = total ** (252 / n) - 1
    assert r.metrics.cagr == pytest.approx(cagr, rel=1e-10)
    # against its own benchmark (SPY too) the alpha is exactly zero and beta one
    assert r.metrics.beta == pytest.approx(1.0, abs=1e-9) and abs(r.metrics.alpha) < 1e-9


def test_no_look_ahead_results_to_a_date_do_not_depend_on_later_data():
    strategies = [s for s in load_strategies() if s.id in ("midcap_eth_on_liquidity", "memory_software_real_yields")]
    short = run_backtest(strategies, end="2022-06-30", progress=False)
    full = run_backtest(strategies, progress=False)
    for a, b in zip(short.results, full.results, strict=True):
        common = a.nav.index
        assert common[-1] <= pd.Timestamp("2022-06-30")
        np.testing.assert_allclose(a.nav.to_numpy(), b.nav.loc[common].to_numpy(), rtol=1e-12)


def test_the_signal_trades_the_day_after_it_is_known(tmp_path):
    s = next(s for s in load_strategies() if s.id == "crypto_out_when_funding_scarce")
    bt = run_backtest([s], progress=False)
    r = bt.results[0]
    from bubblemachine.trades import signals
    from bubblemachine.trades.history import build_panel
    from bubblemachine.trades.spec import load_instruments

    store = open_store()
    panel = build_panel(store, load_instruments(), ["BTC"])
    dates = panel.dates[(panel.dates >= r.nav.index[0] - pd.Timedelta(days=10)) & (panel.dates <= r.nav.index[-1])]
    dates = dates[dates.searchsorted(r.nav.index[0]) - 1 :]
    decide = decision_dates(dates, "weekly")
    on, _ = signals.evaluate_history(store, s.signal.when, dates, decide)
    # the day after a decision to go to cash, the position earns exactly the cash return
    btc = panel.returns["BTC"].loc[dates]
    cash = panel.cash.loc[dates]
    ret = r.nav.pct_change()
    checked = 0
    for i in np.flatnonzero(decide)[:-2]:
        if i + 2 >= len(dates):
            break
        day = dates[i + 2]  # decided on i, traded at the close of i + 1, so day i + 2 is the new position
        if day in ret.index and not np.isnan(ret.loc[day]):
            expected = btc.loc[day] if on[i] else cash.loc[day]
            assert ret.loc[day] == pytest.approx(expected, rel=1e-9, abs=1e-12)
            checked += 1
    assert checked > 100


def test_shipped_strategies_run_and_glp1_is_not_testable_on_the_snapshot():
    bt = run_backtest(load_strategies(), progress=False)
    by = {r.strategy.id: r for r in bt.results}
    assert by["glp1_winners"].verdict == "not testable" and set(by["glp1_winners"].missing) == {"LLY", "NVO"}
    assert by["dont_play_cash"].metrics.alpha == 0.0
    tested = [r for r in bt.results if r.metrics is not None]
    assert len(tested) >= 10 and bt.n_trials == len(bt.results)
    for r in tested:
        assert r.verdict in ("worked", "failed", "inconclusive")
        assert r.metrics.alpha_ci_low <= r.metrics.alpha <= r.metrics.alpha_ci_high
        assert r.metrics.n >= 252


def test_glp1_becomes_testable_once_its_prices_are_imported(tmp_path):
    from bubblemachine.data.importer import import_path
    from bubblemachine.trades.spec import load_strategies

    days = pd.bdate_range("2019-01-02", "2025-11-14")
    rng = np.random.default_rng(3)
    src = tmp_path / "px"
    src.mkdir()
    for tick, drift in (("LLY", 0.0009), ("NVO", 0.0004)):
        px = 100 * np.cumprod(1 + rng.normal(drift, 0.015, len(days)))
        lines = ["date,adj_close"] + [f"{d:%Y-%m-%d},{v:.6f}" for d, v in zip(days, px, strict=True)]
        (src / f"px_{tick}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = open_store()
    import_path(src, store=store, units="USD")
    s = next(s for s in load_strategies() if s.id == "glp1_winners")
    bt = run_backtest([s], store=store, progress=False)
    r = bt.results[0]
    assert r.verdict != "not testable" and r.missing == ()
    assert r.nav.index[0] == pd.Timestamp("2019-01-04")  # first decision on the first day both trade + 1
    # the basket is 50/50 rebalanced monthly: its growth sits between the two stocks'
    lly, nvo = (store.series(t).loc[r.nav.index[0] : r.nav.index[-1]] for t in ("LLY", "NVO"))
    g = [float(x.iloc[-1] / x.iloc[0]) for x in (lly, nvo)]
    assert min(g) < r.nav.iloc[-1] < max(g)
