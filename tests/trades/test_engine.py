"""The portfolio kernel against a plain step-by-step reference and closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from bubblemachine.trades.engine import run_portfolio


def reference(R, cash, dt, w0, targets, trade, cost, borrow):
    """One path, one period at a time, in dollars: the accounting of the engine's docstring."""
    T, N = R.shape
    nav = [1.0 - cost * np.abs(w0).sum()]
    v = w0 * nav[0]
    c = nav[0] - v.sum()
    turnover = 0.0
    for t in range(T):
        fee = borrow * np.maximum(-v, 0).sum() * dt[t]
        v = v * (1 + R[t])
        c = c * (1 + cash[t]) - fee
        n = v.sum() + c
        if trade[t]:
            w = v / n
            dw = targets[t] - w
            turnover += 0.5 * (np.abs(dw).sum() + abs(dw.sum()))
            n *= 1 - cost * np.abs(dw).sum()
            v = targets[t] * n
            c = n - v.sum()
        nav.append(n)
    return np.array(nav), turnover


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matches_the_step_by_step_reference(seed):
    rng = np.random.default_rng(seed)
    T, N = 300, 4
    R = rng.normal(0.0003, 0.02, (T, N))
    cash = np.full(T, 0.0001)
    dt = np.full(T, 1 / 252)
    w0 = np.array([0.5, -0.3, 0.4, 0.0])
    targets = rng.normal(0, 0.5, (T, N))
    trade = rng.random(T) < 0.1
    nav, turn = reference(R, cash, dt, w0, targets, trade, 0.001, 0.02)
    run = run_portfolio(R, cash, dt, w0, targets, trade, cost_bps=10, borrow_bps=200)
    np.testing.assert_allclose(run.nav[0], nav, rtol=1e-12, atol=1e-14)
    assert run.turnover[0] == pytest.approx(turn, rel=1e-12)
    # many paths at once give each path's own answer
    R2 = np.stack([R, R[::-1]])
    run2 = run_portfolio(R2, np.broadcast_to(cash, (2, T)), dt, w0, targets, trade, cost_bps=10, borrow_bps=200)
    np.testing.assert_allclose(run2.nav[0], nav, rtol=1e-12)
    np.testing.assert_allclose(run2.nav[1], reference(R[::-1], cash, dt, w0, targets, trade, 0.001, 0.02)[0], rtol=1e-12)


def test_buy_and_hold_is_the_price_ratio_and_cash_compounds():
    p = np.array([100.0, 101.0, 99.0, 105.0, 110.0])
    R = (p[1:] / p[:-1] - 1)[:, None]
    rf = np.full(4, 0.001)
    run = run_portfolio(R, rf, np.full(4, 1 / 252), np.array([1.0]), np.zeros((4, 1)), np.zeros(4, bool))
    assert run.nav[0, -1] == pytest.approx(1.1, rel=1e-14)
    cash_only = run_portfolio(R, rf, np.full(4, 1 / 252), np.array([0.0]), np.zeros((4, 1)), np.zeros(4, bool))
    assert cash_only.nav[0, -1] == pytest.approx(1.001**4, rel=1e-14)


def test_switching_assets_costs_twice_the_rate_and_counts_one_turnover():
    R = np.zeros((3, 2))
    tg = np.tile([0.0, 1.0], (3, 1))
    run = run_portfolio(R, np.zeros(3), np.zeros(3), np.array([1.0, 0.0]), tg, np.array([False, True, False]), cost_bps=10)
    assert run.nav[0, 0] == pytest.approx(1 - 0.001)  # the initial purchase
    assert run.nav[0, -1] == pytest.approx((1 - 0.001) * (1 - 0.002))  # sell A, buy B
    assert run.turnover[0] == pytest.approx(1.0)


def test_a_short_that_triples_ruins_and_stays_ruined():
    R = np.array([[1.0], [1.0], [-0.5], [0.2]])  # the shorted asset doubles twice
    run = run_portfolio(R, np.zeros(4), np.zeros(4), np.array([-1.0]), np.zeros((4, 1)), np.zeros(4, bool))
    assert run.ruined[0]
    assert run.nav[0, 0] == 1.0 and run.nav[0, 1] == pytest.approx(0.0) and np.all(run.nav[0, 2:] == 0.0)


def test_borrow_fee_accrues_on_the_short_notional():
    R = np.zeros((252, 1))
    run = run_portfolio(R, np.zeros(252), np.full(252, 1 / 252), np.array([-0.5]), np.zeros((252, 1)),
                        np.zeros(252, bool), borrow_bps=100)  # fmt: skip
    assert run.nav[0, -1] == pytest.approx(1 - 0.5 * 0.01, rel=1e-12)
