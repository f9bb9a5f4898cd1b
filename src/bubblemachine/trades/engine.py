"""The portfolio kernel: weights that drift with prices, trades on given days, costs.

One function serves the historical backtest (one path) and the model's scenarios (many paths,
common random numbers): :func:`run_portfolio` steps through time with arrays ``[path,
instrument]``, so its cost is ``O(periods x paths x instruments)`` with NumPy doing the inner
loops.

Accounting (fractions of net asset value, NAV):

* weights ``w_i`` of the instruments may be negative (shorts); the rest ``1 - sum(w)`` is cash,
  which earns the cash return (short proceeds included) or pays it when negative (leverage);
* over a period, ``NAV *= sum(w_i (1 + r_i)) + w_cash (1 + r_cash) - borrow x sum(max(-w_i, 0))
  x dt``; the weights drift to ``w_i (1 + r_i) / growth``;
* on a trade day, after that period's returns, the weights are reset to the target and
  ``NAV *= 1 - cost x sum|target_i - w_i|`` (cost per unit of traded notional; cash is not
  traded); one-way turnover adds ``(sum|dw_i| + |dw_cash|) / 2``;
* a NAV that reaches zero stays at zero (ruin; possible with shorts or leverage).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PortfolioRun:
    """The outcome of :func:`run_portfolio`.

    Attributes:
        nav: NAV ``[path, period + 1]``; column 0 is the NAV right after the initial trade
            (1 minus its cost).
        turnover: one-way turnover per path over all trades after the initial one
            (1.0 = the whole NAV traded once).
        costs: trading and borrow costs paid per path, each as a fraction of the NAV of the
            moment, summed.
        exposure: mean gross exposure ``sum|w_i|`` per path (time-average, before each period).
        ruined: per path, whether the NAV hit zero.
    """

    nav: np.ndarray
    turnover: np.ndarray
    costs: np.ndarray
    exposure: np.ndarray
    ruined: np.ndarray


def _as_paths(a: np.ndarray, paths: int, ndim: int) -> np.ndarray:
    a = np.asarray(a, dtype="float64")
    if a.ndim == ndim - 1:
        a = np.broadcast_to(a, (paths, *a.shape))
    return a


def run_portfolio(
    returns: np.ndarray,
    cash: np.ndarray,
    dt: np.ndarray,
    w0: np.ndarray,
    targets: np.ndarray,
    trade: np.ndarray,
    *,
    cost_bps: float = 0.0,
    borrow_bps: float = 0.0,
) -> PortfolioRun:
    """Step a portfolio through ``T`` periods on ``P`` paths at once.

    Args:
        returns: simple returns ``[P, T, N]`` (or ``[T, N]`` for one path) of the ``N``
            instruments over each period; must be finite where a weight can be non-zero.
        cash: cash return ``[P, T]`` (or ``[T]``) over each period.
        dt: year fraction of each period ``[T]`` (borrow fees accrue on it).
        w0: weights right after the initial trade ``[P, N]`` (or ``[N]``), bought from cash.
        targets: weights to trade to at the end of each period ``[P, T, N]`` (or ``[T, N]``);
            read only where ``trade`` is True.
        trade: ``[T]`` booleans: trade at the end of period t.
        cost_bps: cost per unit of traded notional, in basis points.
        borrow_bps: borrow fee on short notional, basis points a year.

    Returns:
        The :class:`PortfolioRun`.
    """
    R = np.asarray(returns, dtype="float64")
    if R.ndim == 2:
        R = R[None]
    P, T, N = R.shape
    C = _as_paths(cash, P, 2)
    W0 = _as_paths(w0, P, 2)
    TG = np.asarray(targets, dtype="float64")
    per_path_targets = TG.ndim == 3
    dt = np.asarray(dt, dtype="float64")
    trade = np.asarray(trade, dtype=bool)
    if C.shape != (P, T) or W0.shape != (P, N) or dt.shape != (T,) or trade.shape != (T,):
        raise ValueError(f"run_portfolio: shapes returns {R.shape}, cash {C.shape}, w0 {W0.shape}, dt {dt.shape}, trade {trade.shape}")
    if TG.shape[-2:] != (T, N):
        raise ValueError(f"run_portfolio: targets shape {TG.shape} does not match {(T, N)}")
    cost = cost_bps / 1e4
    borrow = borrow_bps / 1e4
    nav = np.empty((P, T + 1))
    traded0 = np.abs(W0).sum(axis=1)
    nav0 = 1.0 - cost * traded0
    costs = cost * traded0
    turnover = np.zeros(P)
    exposure = np.zeros(P)
    ruined = nav0 <= 0.0
    nav0 = np.where(ruined, 0.0, nav0)
    nav[:, 0] = nav0
    # Dollar holdings: v [P, N] in instruments, c [P] in cash.
    v = np.where(ruined[:, None], 0.0, W0 * nav0[:, None])
    c = nav0 - v.sum(axis=1)
    # Segments of periods between trades: a trade at the end of period t closes a segment.
    ends = np.flatnonzero(trade)
    bounds = [*(int(e) + 1 for e in ends if e < T - 1), T]
    a = 0
    for b in bounds:
        L = b - a
        growth = np.cumprod(1.0 + R[:, a:b, :], axis=1)  # [P, L, N]
        vt = v[:, None, :] * growth  # holdings at the end of each period
        before = np.concatenate([v[:, None, :], vt[:, :-1, :]], axis=1)  # at the start of each period
        if borrow:
            fee = borrow * dt[a:b][None, :] * np.maximum(-before, 0.0).sum(axis=2)  # [P, L]
        else:
            fee = np.zeros((P, L))
        G = np.cumprod(1.0 + C[:, a:b], axis=1)
        ct = G * (c[:, None] - np.cumsum(fee / G, axis=1))
        navs = vt.sum(axis=2) + ct  # [P, L]
        nav_before = np.concatenate([nav[:, a : a + 1], navs[:, :-1]], axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            exposure += np.where(nav_before > 0, np.abs(before).sum(axis=2) / nav_before, 0.0).sum(axis=1)
        bad = ~np.isfinite(navs) | (navs <= 0.0)
        if bad.any():
            dead_from = np.where(bad.any(axis=1), bad.argmax(axis=1), L)
            mask = np.arange(L)[None, :] >= dead_from[:, None]
            navs = np.where(mask, 0.0, navs)
            fee = np.where(mask, 0.0, fee)
            ruined |= dead_from < L
        with np.errstate(divide="ignore", invalid="ignore"):
            costs = costs + np.where(nav_before > 0, fee / nav_before, 0.0).sum(axis=1)
        nav[:, a + 1 : b + 1] = navs
        cur = navs[:, -1]
        v = np.where(ruined[:, None], 0.0, vt[:, -1, :])
        c = np.where(ruined, 0.0, ct[:, -1])
        t = b - 1
        if trade[t] and t < T:
            live = ~ruined & (cur > 0)
            safe = np.where(live, cur, 1.0)
            w = v / safe[:, None]
            tgt = TG[:, t, :] if per_path_targets else np.broadcast_to(TG[t], (P, N))
            dw = tgt - w
            traded = np.abs(dw).sum(axis=1)
            d_cash = np.abs(dw.sum(axis=1))
            turnover += np.where(live, 0.5 * (traded + d_cash), 0.0)
            cc = np.where(live, cost * traded, 0.0)
            costs = costs + cc
            cur = cur * (1.0 - cc)
            nav[:, b] = np.where(live, cur, nav[:, b])
            v = np.where(live[:, None], tgt * cur[:, None], 0.0)
            c = np.where(live, cur - v.sum(axis=1), 0.0)
        a = b
    return PortfolioRun(nav=nav, turnover=turnover, costs=costs, exposure=exposure / max(T, 1), ruined=ruined)
