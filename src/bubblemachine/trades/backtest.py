"""The historical backtest of every strategy, with no look-ahead.

Timing: a decision on trading day ``t`` (the last day of each rebalancing period, or every
week for a signal) uses only data known at the close of ``t`` (prices to ``t``; indicators
from the point-in-time store as of ``t``); the trade is done at the close of the next trading
day ``t + 1``. The first decision is on the first day every input exists, so a strategy's NAV
starts on the day after (at 1 minus the cost of the initial purchase). The benchmark is
bought on the same day, without costs.

Multiple testing: every strategy loaded counts as one trial for the deflated Sharpe ratio
(``n_trials``), whichever ones are displayed; the variance of the trials' Sharpe ratios is
taken across the strategies that could be tested.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bubblemachine.progress import ProgressLike, resolve_progress
from bubblemachine.trades import metrics as mx
from bubblemachine.trades.engine import run_portfolio
from bubblemachine.trades.history import Panel, build_panel, decision_dates, year_fractions
from bubblemachine.trades.spec import Instruments, Strategy, load_instruments


@dataclass(frozen=True)
class AfterPublication:
    """Performance after the article appeared (the only truly out-of-sample window)."""

    start: str
    end: str
    days: int
    ret: float
    benchmark_ret: float


@dataclass(frozen=True)
class StrategyResult:
    """One strategy's backtest.

    Attributes:
        strategy: the strategy.
        verdict: worked | failed | inconclusive | not testable; reason: its code.
        metrics: the metrics (None when not testable).
        deflated_sharpe: P(true Sharpe > the best of ``n_trials`` lucky trials); NaN if undefined.
        sr_threshold: that threshold, annualised Sharpe.
        nav, benchmark_nav: NAV series (None when not testable).
        turnover: one-way turnover a year (excluding the initial purchase).
        costs: trading and borrow costs a year, fraction of NAV.
        time_on: for a signal, the share of decisions with the signal on.
        missing: store series that the strategy needs and the store lacks.
        note: why it is not testable (English), empty otherwise.
        after: performance after publication (None if the data end before it).
        caveats: short codes of known limitations (see docs/positions.md).
        n_trials: strategies tried (the deflated Sharpe's N).
    """

    strategy: Strategy
    verdict: str
    reason: str
    metrics: mx.Metrics | None = None
    deflated_sharpe: float = float("nan")
    sr_threshold: float = float("nan")
    nav: pd.Series | None = field(default=None, repr=False)
    benchmark_nav: pd.Series | None = field(default=None, repr=False)
    turnover: float = float("nan")
    costs: float = float("nan")
    time_on: float | None = None
    missing: tuple[str, ...] = ()
    note: str = ""
    after: AfterPublication | None = None
    caveats: tuple[str, ...] = ()
    n_trials: int = 0

    def to_json(self) -> dict[str, Any]:
        """A flat record (fractions, not percent; dates ISO; None where undefined)."""
        s, m = self.strategy, self.metrics

        def num(v: float | None) -> float | None:
            return None if v is None or not math.isfinite(v) else float(f"{float(v):.10g}")

        def day(v) -> str | None:
            return None if v is None else f"{pd.Timestamp(v):%Y-%m-%d}"

        rec: dict[str, Any] = {
            "id": s.id, "seed": s.seed, "title_en": s.title_en, "title_ko": s.title_ko,
            "statement_en": s.statement_en, "statement_ko": s.statement_ko, "rule_en": s.rule_en, "rule_ko": s.rule_ko,
            "refs": list(s.refs), "benchmark": s.benchmark, "rebalance": s.rebalance, "cost_bps": s.cost_bps,
            "borrow_bps": s.borrow_bps, "published": s.published, "verdict": self.verdict, "verdict_reason": self.reason,
            "note": self.note or None, "missing": list(self.missing), "caveats": list(self.caveats),
            "n_trials": self.n_trials,
        }  # fmt: skip
        keys = ("start", "end", "days", "cagr", "vol", "sharpe", "sortino", "max_drawdown", "max_drawdown_peak",
                "max_drawdown_trough", "max_drawdown_recovery", "calmar", "hit_rate", "months", "turnover", "costs",
                "time_on", "beta", "beta_ci_low", "beta_ci_high", "alpha", "alpha_ci_low", "alpha_ci_high", "alpha_p",
                "active_return", "active_ci_low", "active_ci_high", "tracking_error", "information_ratio", "psr",
                "deflated_sharpe", "deflated_sharpe_p", "sharpe_threshold", "hac_lags", "benchmark_cagr",
                "benchmark_vol", "benchmark_sharpe", "benchmark_max_drawdown", "after_publication")  # fmt: skip
        rec.update(dict.fromkeys(keys))
        if m is None:
            return rec
        rec.update({
            "start": day(m.start), "end": day(m.end), "days": m.n, "cagr": num(m.cagr), "vol": num(m.vol),
            "sharpe": num(m.sharpe), "sortino": num(m.sortino), "max_drawdown": num(m.drawdown.depth),
            "max_drawdown_peak": day(m.drawdown.peak), "max_drawdown_trough": day(m.drawdown.trough),
            "max_drawdown_recovery": day(m.drawdown.recovery), "calmar": num(m.calmar), "hit_rate": num(m.hit_rate),
            "months": m.months, "turnover": num(self.turnover), "costs": num(self.costs), "time_on": num(self.time_on),
            "beta": num(m.beta), "beta_ci_low": num(m.beta_ci_low), "beta_ci_high": num(m.beta_ci_high),
            "alpha": num(m.alpha), "alpha_ci_low": num(m.alpha_ci_low), "alpha_ci_high": num(m.alpha_ci_high),
            "alpha_p": num(m.alpha_p), "active_return": num(m.active), "active_ci_low": num(m.active_ci_low),
            "active_ci_high": num(m.active_ci_high), "tracking_error": num(m.tracking_error),
            "information_ratio": num(m.information_ratio), "psr": num(m.psr),
            "deflated_sharpe": num(self.deflated_sharpe),
            "deflated_sharpe_p": num(1.0 - self.deflated_sharpe) if math.isfinite(self.deflated_sharpe) else None,
            "sharpe_threshold": num(self.sr_threshold), "hac_lags": m.hac_lags, "benchmark_cagr": num(m.benchmark_cagr),
            "benchmark_vol": num(m.benchmark_vol), "benchmark_sharpe": num(m.benchmark_sharpe),
            "benchmark_max_drawdown": num(m.benchmark_drawdown.depth),
            "after_publication": None if self.after is None else {
                "start": self.after.start, "end": self.after.end, "days": self.after.days,
                "return": num(self.after.ret), "benchmark_return": num(self.after.benchmark_ret)},
        })  # fmt: skip
        return rec


@dataclass(frozen=True)
class Backtest:
    """Every strategy's backtest plus the multiple-testing context.

    Attributes:
        results: one per strategy displayed (in the order asked).
        n_trials: strategies tried (every strategy loaded).
        sr_variance: variance of the tested trials' per-period Sharpe ratios.
        start, end: the requested window (None: all data).
    """

    results: tuple[StrategyResult, ...]
    n_trials: int
    sr_variance: float
    start: str | None = None
    end: str | None = None

    def to_json(self) -> list[dict[str, Any]]:
        return [r.to_json() for r in self.results]

    def metrics_frame(self) -> pd.DataFrame:
        """One row per strategy (index ``id``), the JSON fields as columns (fractions)."""
        rows = [{k: v for k, v in r.to_json().items() if not isinstance(v, (list, dict))} for r in self.results]
        return pd.DataFrame(rows).set_index("id")

    def equity_curves(self, *, benchmark: bool = False) -> pd.DataFrame:
        """NAV of every tested strategy (columns = ids; each starts at 1 minus its entry cost).

        With ``benchmark=True``, the columns are the benchmarks' NAV over each strategy's window.
        """
        cols = {r.strategy.id: (r.benchmark_nav if benchmark else r.nav) for r in self.results if r.nav is not None}
        return pd.DataFrame(cols)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(mx.VERDICTS, 0)
        for r in self.results:
            out[r.verdict] += 1
        return out


# ----------------------------------------------------------------------------- one strategy
def benchmark_weights(inst: Instruments, name: str) -> tuple[tuple[tuple[str, float], ...], str, str]:
    """(weights, rebalance, label) of a benchmark id or of a plain instrument held alone."""
    b = inst.benchmarks.get(name)
    if b is not None:
        return b.weights, b.rebalance, b.label_en
    return ((name, 1.0),), "never", inst.label(name)


def _weights_vector(weights: tuple[tuple[str, float], ...], names: list[str]) -> np.ndarray:
    w = np.zeros(len(names))
    for n, v in weights:
        w[names.index(n)] = v
    return w


def expand_baskets(panel: Panel, inst: Instruments, names: list[str], tgt: np.ndarray,
                   dates: pd.DatetimeIndex) -> tuple[list[str], np.ndarray]:
    """Replace basket weights by their members' weights (equal shares of the members trading).

    A basket's weight on a decision date is split equally among the members that have a
    return that day (listed at least a day); the kernel then lets them drift and trades them
    back on the next rebalancing, with costs, like any holding.

    Returns:
        (concrete instrument names, targets ``[date, name]``).
    """
    out = list(dict.fromkeys(m for n in names for m in (inst.baskets[n].members if n in inst.baskets else (n,))))
    out = [n for n in out if n in panel.returns.columns]
    ctgt = np.zeros((len(dates), len(out)))
    for j, n in enumerate(names):
        if n not in inst.baskets:
            ctgt[:, out.index(n)] += tgt[:, j]
            continue
        members = [m for m in inst.baskets[n].members if m in out]
        avail = panel.returns.loc[dates, members].notna().to_numpy(dtype="float64")
        count = avail.sum(axis=1, keepdims=True)
        share = np.divide(avail, count, out=np.zeros_like(avail), where=count > 0)
        for k, m in enumerate(members):
            ctgt[:, out.index(m)] += tgt[:, j] * share[:, k]
    return out, ctgt


def _simulate(panel: Panel, dates: pd.DatetimeIndex, names: list[str], target_by_date: np.ndarray,
              decide: np.ndarray, *, cost_bps: float, borrow_bps: float):
    """Run the kernel on ``dates`` (decision on date i, trade on date i + 1)."""
    R = panel.returns.loc[dates, names].to_numpy(dtype="float64")[2:] if names else np.zeros((len(dates) - 2, 0))
    R = np.nan_to_num(R, nan=0.0)
    cash = np.nan_to_num(panel.cash.loc[dates].to_numpy(dtype="float64")[2:], nan=0.0)
    dt = year_fractions(dates)[2:]
    run = run_portfolio(R, cash, dt, target_by_date[0], target_by_date[1:-1], decide[1:-1],
                        cost_bps=cost_bps, borrow_bps=borrow_bps)  # fmt: skip
    nav = pd.Series(run.nav[0], index=dates[1:], name="nav")
    return nav, run


def _not_testable(s: Strategy, reason: str, note: str, missing: tuple[str, ...] = ()) -> StrategyResult:
    return StrategyResult(strategy=s, verdict="not testable", reason=reason, note=note, missing=missing)


def _caveats(s: Strategy, inst: Instruments) -> tuple[str, ...]:
    out = ["hindsight"]
    if any(n in inst.baskets for n in s.instruments):
        out.append("basket_selection")
    if s.has_shorts:
        out.append("short_borrow")
    if s.benchmark == "sp500_tr" or s.benchmark == "60_40":
        out.append("spy_total_return")
    return tuple(out)


def run_strategy(s: Strategy, panel: Panel, store, inst: Instruments, *, start: pd.Timestamp | None = None,
                 end: pd.Timestamp | None = None) -> StrategyResult:
    """Backtest one strategy on a prepared panel (the deflated Sharpe is filled in later)."""
    from bubblemachine.trades import signals

    bw, brebal, _ = benchmark_weights(inst, s.benchmark)
    names = list(s.instruments)
    bnames = [n for n, _ in bw]
    needed = list(dict.fromkeys(names + bnames))
    missing = tuple(dict.fromkeys(sid for n in needed for sid in panel.missing.get(n, ())))
    if s.signal is not None:
        missing += signals.missing_inputs(store, s.signal.when)
    if missing:
        return _not_testable(s, "missing_data", f"series not in the store: {', '.join(missing)}", missing)
    firsts, lasts = [], []
    for n in needed:
        sp = panel.span(n)
        if sp is None:
            return _not_testable(s, "no_overlap", f"{n} has no prices up to the end date")
        firsts.append(sp[0])
        lasts.append(sp[1])
    cash_ok = panel.cash.dropna()
    firsts.append(cash_ok.index[0])
    lasts.append(cash_ok.index[-1])
    if s.signal is not None:
        fc = signals.first_computable(store, s.signal.when, end)
        if fc is None:
            return _not_testable(s, "missing_data", "the signal's indicator has no data")
        firsts.append(fc)
    lo, hi = max(firsts), min(lasts)
    if start is not None:
        lo = max(lo, start)
    if end is not None:
        hi = min(hi, end)
    dates = panel.dates[(panel.dates >= lo) & (panel.dates <= hi)]
    if len(dates) - 2 < mx.MIN_DAYS:
        span = f"{lo:%Y-%m-%d}..{hi:%Y-%m-%d}" if lo <= hi else "none"
        return _not_testable(s, "too_short", f"common sample {span} has {max(len(dates) - 2, 0)} daily returns (need {mx.MIN_DAYS})")
    decide = decision_dates(dates, s.rebalance)
    time_on = None
    if s.signal is None:
        tgt = np.tile(_weights_vector(s.weights, names), (len(dates), 1))
    else:
        on, _ = signals.evaluate_history(store, s.signal.when, dates, decide, end=end)
        w_on, w_off = _weights_vector(s.signal.on, names), _weights_vector(s.signal.off, names)
        tgt = np.where(on[:, None], w_on, w_off)
        time_on = float(on[decide].mean())
    cnames, ctgt = expand_baskets(panel, inst, names, tgt, dates)
    nav, run = _simulate(panel, dates, cnames, ctgt, decide, cost_bps=s.cost_bps, borrow_bps=s.borrow_bps)
    bdec = decision_dates(dates, brebal)
    bcn, btgt = expand_baskets(panel, inst, bnames, np.tile(_weights_vector(bw, bnames), (len(dates), 1)), dates)
    bnav, _ = _simulate(panel, dates, bcn, btgt, bdec, cost_bps=0.0, borrow_bps=0.0)
    r = nav.pct_change().iloc[1:]
    b = bnav.pct_change().iloc[1:]
    rf = panel.cash.loc[r.index].fillna(0.0)
    m = mx.compute(r, b, rf, nav, bnav)
    years = len(r) / mx.TRADING_DAYS
    after = None
    if s.published is not None:
        pub = pd.Timestamp(s.published)
        if nav.index[-1] > pub and nav.index[0] <= pub:
            i0 = nav.index.searchsorted(pub, side="right") - 1
            after = AfterPublication(start=f"{nav.index[i0]:%Y-%m-%d}", end=f"{nav.index[-1]:%Y-%m-%d}",
                                     days=int(len(nav) - 1 - i0), ret=float(nav.iloc[-1] / nav.iloc[i0] - 1.0),
                                     benchmark_ret=float(bnav.iloc[-1] / bnav.iloc[i0] - 1.0))  # fmt: skip
    return StrategyResult(strategy=s, verdict="", reason="", metrics=m, nav=nav, benchmark_nav=bnav,
                          turnover=float(run.turnover[0] / years), costs=float(run.costs[0] / years), time_on=time_on,
                          after=after, caveats=_caveats(s, inst))  # fmt: skip


# ----------------------------------------------------------------------------- all strategies
def deflate(results: list[StrategyResult], n_trials: int) -> tuple[list[StrategyResult], float]:
    """Fill in the deflated Sharpe ratio and the verdict of every tested result."""
    import dataclasses

    srs = [r.metrics.sr_period for r in results if r.metrics is not None and math.isfinite(r.metrics.sr_period)]
    var = float(np.var(srs, ddof=1)) if len(srs) > 1 else 0.0
    sr0 = mx.expected_max_sharpe(n_trials, var)
    out = []
    for r in results:
        if r.metrics is None:
            out.append(dataclasses.replace(r, n_trials=n_trials))
            continue
        m = r.metrics
        dsr = mx.probabilistic_sharpe(m.sr_period, m.n, m.skew, m.kurt, sr0)
        v, why = mx.verdict(m, dsr)
        out.append(dataclasses.replace(r, deflated_sharpe=dsr, sr_threshold=sr0 * math.sqrt(mx.TRADING_DAYS),
                                       verdict=v, reason=why, n_trials=n_trials))  # fmt: skip
    return out, var


def run_backtest(strategies: list[Strategy], *, store=None, start=None, end=None, show: list[str] | None = None,
                 progress: ProgressLike = True) -> Backtest:
    """Backtest ``strategies`` on history.

    Args:
        strategies: every strategy tried (all count for the deflated Sharpe).
        store: the data store (default: ``open_store()``).
        start, end: the window (YYYY-MM-DD or dates; None: all data). Data after ``end`` are
            never read.
        show: ids of the strategies to return (default: all), in that order.
        progress: progress bar (see :mod:`bubblemachine.progress`).
    """
    from bubblemachine.data import open_store

    store = store if store is not None else open_store()
    ts_start, ts_end = _date_arg(start, "--start"), _date_arg(end, "--end", store)
    if ts_start is not None and ts_end is not None and ts_start >= ts_end:
        from bubblemachine.errors import BubbleMachineError

        raise BubbleMachineError(f"--start {ts_start:%Y-%m-%d} is not before --end {ts_end:%Y-%m-%d}")
    inst = load_instruments()
    names: list[str] = []
    for s in strategies:
        names += list(s.instruments) + [n for n, _ in benchmark_weights(inst, s.benchmark)[0]]
    panel = build_panel(store, inst, list(dict.fromkeys(names)), end=ts_end)
    results: list[StrategyResult] = []
    with resolve_progress(progress)("positions: backtest", total=len(strategies)) as bar:
        for k, s in enumerate(strategies, start=1):
            results.append(run_strategy(s, panel, store, inst, start=ts_start, end=ts_end))
            bar.update(k)
    results, var = deflate(results, len(strategies))
    if show:
        by_id = {r.strategy.id: r for r in results}
        results = [by_id[i] for i in show]
    return Backtest(results=tuple(results), n_trials=len(strategies), sr_variance=var,
                    start=None if ts_start is None else f"{ts_start:%Y-%m-%d}",
                    end=None if ts_end is None else f"{ts_end:%Y-%m-%d}")  # fmt: skip


def _date_arg(value, option: str, store=None) -> pd.Timestamp | None:
    """A validated date option (``--end`` also against what the store holds)."""
    from bubblemachine.data import parse_asof

    return parse_asof(value, store=store, option=option)
