"""Strategies on the model's simulated paths: "which position wins in which world".

Each scenario is simulated once with the model's run defaults (``Model.run_defaults``:
periods, paths, seed; an explicit ``paths``/``seed`` wins) through
:func:`bubblemachine.scenarios.runner.run`, with **one seed for every scenario** (common
random numbers: path ``k`` of every scenario sees the same noise draws, so differences
between scenarios are the scenarios' effects, not luck). Every strategy then runs on the same
paths through the same portfolio kernel as the history (:func:`.engine.run_portfolio`).

Instruments and indicators become model variables through ``mapping/<model>.toml``
(:mod:`.mapping`); a strategy holding anything the model cannot represent is reported as
not representable, naming it, and proxies are listed.

Timing: the position is held from period 0 (the model's first day, the articles' week),
allocated on what was known then; a decision on day ``t`` trades at the end of day ``t + 1``,
as on history. Signals read the simulated indicator, preceded by the real history known on
period 0 (so a 13-week change in the first weeks compares with real data). Outcomes per path
over the whole horizon (12 months for the AI model): the return (after costs, from the
capital before the first purchase), the maximum drawdown, and the return minus the
benchmark's on the same path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bubblemachine.progress import ProgressLike, resolve_progress
from bubblemachine.trades.backtest import benchmark_weights
from bubblemachine.trades.engine import run_portfolio
from bubblemachine.trades.history import decision_dates, par_bond_return, year_fractions
from bubblemachine.trades.mapping import Mapping, load_mapping
from bubblemachine.trades.spec import Strategy, load_instruments

QUANTILES = (0.05, 0.5, 0.95)


@dataclass(frozen=True)
class Outcome:
    """One strategy under one scenario.

    Attributes:
        strategy, scenario: ids.
        missing: what the model cannot represent (empty when it ran).
        proxies: ``"NVDA->chips"`` notes for what a proxy stands in for.
        ret: per path, the return over the horizon (after costs).
        drawdown: per path, the maximum drawdown (negative fraction).
        excess: per path, ``ret`` minus the benchmark's return.
        vs_baseline: per path, ``excess`` minus the same path's excess under the baseline
            (None when the baseline was not run).
    """

    strategy: str
    scenario: str
    missing: tuple[str, ...] = ()
    proxies: tuple[str, ...] = ()
    ret: np.ndarray | None = field(default=None, repr=False)
    drawdown: np.ndarray | None = field(default=None, repr=False)
    excess: np.ndarray | None = field(default=None, repr=False)
    vs_baseline: np.ndarray | None = field(default=None, repr=False)

    @property
    def representable(self) -> bool:
        return not self.missing

    def summary(self) -> dict[str, Any]:
        """Quantiles over paths (fractions): return, drawdown, excess, P(excess > 0)."""

        def q(x: np.ndarray | None) -> list[float | None]:
            if x is None:
                return [None] * len(QUANTILES)
            return [float(f"{v:.6g}") for v in np.nanquantile(x, QUANTILES)]

        r05, r50, r95 = q(self.ret)
        d05, d50, _ = q(self.drawdown)
        e05, e50, e95 = q(self.excess)
        b05, b50, b95 = q(self.vs_baseline)
        p_beat = None if self.excess is None else float(f"{np.mean(self.excess > 0):.4g}")
        return {"strategy": self.strategy, "scenario": self.scenario, "representable": self.representable,
                "missing": list(self.missing), "proxies": list(self.proxies),
                "return_median": r50, "return_p05": r05, "return_p95": r95,
                "drawdown_median": d50, "drawdown_p05": d05,
                "excess_median": e50, "excess_p05": e05, "excess_p95": e95, "p_beat_benchmark": p_beat,
                "vs_baseline_median": b50, "vs_baseline_p05": b05, "vs_baseline_p95": b95}  # fmt: skip


@dataclass(frozen=True)
class ScenarioRun:
    """Every strategy under every scenario.

    Attributes:
        model: the model's name. scenarios: names, in order. strategies: ids, in order.
        paths, horizon, seed: the run settings (one seed for all: common random numbers).
        period0: the model's first date. outcomes: (strategy, scenario) -> :class:`Outcome`.
        mapping: the mapping file used.
    """

    model: str
    scenarios: tuple[str, ...]
    strategies: tuple[str, ...]
    paths: int
    horizon: int
    seed: int
    period0: str
    outcomes: dict[tuple[str, str], Outcome]
    mapping: str

    def records(self) -> list[dict[str, Any]]:
        """One record per (strategy, scenario): :meth:`Outcome.summary` (None where undefined)."""
        return [self.outcomes[(s, c)].summary() for s in self.strategies for c in self.scenarios]

    def table(self) -> pd.DataFrame:
        """One row per (strategy, scenario) with the quantiles of :meth:`Outcome.summary`."""
        return pd.DataFrame(self.records())

    def wins(self, value: str = "excess_median") -> pd.DataFrame:
        """Strategies x scenarios: ``value`` (default the median excess return over the benchmark)."""
        t = self.table()
        return t.pivot(index="strategy", columns="scenario", values=value).loc[list(self.strategies), list(self.scenarios)]

    def winners(self) -> dict[str, str | None]:
        """For each scenario, the strategy with the highest median excess return (None if none ran)."""
        w = self.wins().astype("float64")
        return {c: (None if w[c].isna().all() else str(w[c].idxmax())) for c in w.columns}

    def to_json(self) -> dict[str, Any]:
        return {"model": self.model, "paths": self.paths, "horizon": self.horizon, "seed": self.seed,
                "period0": self.period0, "mapping": self.mapping, "scenarios": list(self.scenarios),
                "winners": self.winners(), "outcomes": self.records()}  # fmt: skip


# ----------------------------------------------------------------------------- building blocks
def model_dates(calendar: dict[str, Any] | None, horizon: int) -> pd.DatetimeIndex:
    """The dates of periods 0..horizon of a model calendar (``{"start", "freq"}``)."""
    cal = calendar or {}
    start = cal.get("start")
    if not start:
        from bubblemachine.errors import ScenarioError

        raise ScenarioError("the model has no calendar start date: strategies need dates (monthly rebalancing, signals)")
    return pd.date_range(start=start, periods=horizon + 1, freq=cal.get("freq", "B"))


def instrument_returns(arrays: dict[str, np.ndarray], mapping: Mapping, names: list[str], dt: np.ndarray) -> np.ndarray:
    """Returns ``[path, period, instrument]`` of mapped instruments from model arrays ``[path, period 0..H]``."""
    out = []
    for n in names:
        im = mapping.instruments[n]
        x = arrays[im.variable]
        if im.kind == "bond":
            r = par_bond_return(x[:, :-1], x[:, 1:], dt[None, :], im.maturity)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                r = x[:, 1:] / x[:, :-1] - 1.0 + im.income * dt[None, :]
        out.append(r)
    P, H = next(iter(arrays.values())).shape[0], len(dt)
    return np.stack(out, axis=2) if out else np.zeros((P, H, 0))


def signal_on(strategy: Strategy, arrays: dict[str, np.ndarray], mapping: Mapping, dates: pd.DatetimeIndex,
              decide: np.ndarray, history: dict[str, Any]) -> np.ndarray:
    """Per path and decision date, whether the strategy's conditions hold ``[path, date]``.

    A condition's level is the simulated value on the date; its change looks back
    ``change_days`` calendar days, into the real history (known on period 0) when that date
    precedes period 0.
    """
    P = next(iter(arrays.values())).shape[0]
    on = np.ones((P, len(dates)), dtype=bool)
    d64 = dates.values.astype("datetime64[ns]")
    for c in strategy.signal.when:
        im = mapping.indicators[c.indicator]
        x = arrays[im.variable]
        hv, ho = history[im.history]
        vals = np.full((P, len(dates)), np.nan)
        for i in np.flatnonzero(decide):
            latest = x[:, i]
            if c.change_days is None:
                vals[:, i] = latest
                continue
            ref = d64[i] - np.timedelta64(int(c.change_days), "D")
            if ref >= d64[0]:
                k = int(np.searchsorted(d64, ref, side="right")) - 1
                vals[:, i] = latest - x[:, k]
            else:
                k = int(np.searchsorted(ho, ref, side="right")) - 1
                vals[:, i] = latest - hv[k] if k >= 0 else np.nan
        with np.errstate(invalid="ignore"):
            holds = {">": vals > c.value, "<": vals < c.value, ">=": vals >= c.value, "<=": vals <= c.value}[c.op]
        on &= holds & np.isfinite(vals)
    return on


def _targets(strategy: Strategy, names: list[str], on: np.ndarray | None, P: int, n_dates: int) -> np.ndarray:
    def vec(weights):
        w = np.zeros(len(names))
        for n, v in weights:
            w[names.index(n)] = v
        return w

    if strategy.signal is None:
        return np.broadcast_to(vec(strategy.weights), (P, n_dates, len(names)))
    return np.where(on[:, :, None], vec(strategy.signal.on), vec(strategy.signal.off))


def portfolio_paths(R: np.ndarray, cash: np.ndarray, dt: np.ndarray, tgt: np.ndarray, decide: np.ndarray,
                    *, cost_bps: float, borrow_bps: float) -> tuple[np.ndarray, np.ndarray]:
    """(return, max drawdown) per path over the horizon; the position is held from period 0."""
    trade = decide[:-1].copy()  # decision on date t trades at the end of period t (date t + 1)
    trade[0] = False  # the initial allocation is the period-0 holding
    run = run_portfolio(R, cash, dt, tgt[:, 0, :], tgt[:, :-1, :], trade, cost_bps=cost_bps, borrow_bps=borrow_bps)
    nav = np.concatenate([np.ones((R.shape[0], 1)), run.nav], axis=1)
    peak = np.maximum.accumulate(nav, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        dd = np.where(peak > 0, nav / peak - 1.0, -1.0).min(axis=1)
    return nav[:, -1] - 1.0, dd


# ----------------------------------------------------------------------------- entry
def run_scenarios(strategies: list[Strategy], scenarios: list[str], *, paths: int | None = None,
                  seed: int | None = None, horizon: int | None = None, store=None, baseline: bool = True,
                  progress: ProgressLike = True) -> ScenarioRun:
    """Every strategy on every scenario's simulated paths, with common random numbers.

    Args:
        strategies: the strategies.
        scenarios: scenario names or files (all of one model).
        paths, seed, horizon: override the model's run defaults (``Model.run_defaults``).
        store: the data store for the real history before period 0 (default: ``open_store()``).
        baseline: also run the bundled ``baseline`` scenario (same seed) when it is not among
            ``scenarios``, for the path-wise comparison ``vs_baseline`` (it is not reported).
        progress: progress bar over the scenarios.

    Returns:
        The :class:`ScenarioRun`.
    """
    from bubblemachine.data import open_store
    from bubblemachine.errors import ScenarioError
    from bubblemachine.scenarios import runner
    from bubblemachine.trades import signals

    if not scenarios:
        raise ScenarioError("no scenario given")
    loaded = [runner.load(s) for s in scenarios]
    models = {m.name for _, m, _ in loaded}
    if len(models) > 1:
        raise ScenarioError(f"scenarios of different models ({', '.join(sorted(models))}): run them separately")
    model = loaded[0][1]
    names = [p.stem for _, _, p in loaded]
    runs = list(zip(scenarios, names, strict=True))
    if baseline and "baseline" not in names:
        try:
            _, bmodel, bpath = runner.load("baseline")
        except ScenarioError:
            bmodel = None
        if bmodel is not None and bmodel.name == loaded[0][1].name:
            runs.insert(0, (str(bpath), "baseline"))
    d = model.run_defaults
    H = runner.check_horizon(horizon if horizon is not None else (d.periods or 252))
    P = runner.check_paths(paths if paths is not None else (d.paths or 1000))
    sd = runner.check_seed(seed if seed is not None else (d.seed if d.seed is not None else 0))
    mapping = load_mapping(model.name)
    inst = load_instruments()
    dates = model_dates(model.calendar, H)
    dt = year_fractions(dates)[1:]
    store = store if store is not None else open_store()
    p0 = dates[0]

    plans = {}
    need_inst: list[str] = []
    need_ind: list[str] = []
    for s in strategies:
        bw, brebal, _ = benchmark_weights(inst, s.benchmark)
        held = list(s.instruments)
        bnames = [n for n, _ in bw]
        missing = mapping.missing(held + bnames, list(s.indicators))
        plans[s.id] = (s, held, bw, bnames, brebal, missing, mapping.proxies(held + bnames, list(s.indicators)))
        if not missing:
            need_inst += held + bnames
            need_ind += list(s.indicators)
    variables = mapping.variables(list(dict.fromkeys(need_inst)), list(dict.fromkeys(need_ind)))
    unknown = [v for v in variables if v not in model.equations]
    if unknown:
        raise ScenarioError(f"{mapping.file}: model {model.name} has no variable(s) {', '.join(unknown)}")
    history: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for ind in dict.fromkeys(need_ind):
        hname = mapping.indicators[ind].history
        if hname not in history:
            ks = signals.indicator_history(store, hname, p0).known_on(p0)
            history[hname] = (ks.values, ks.obs)

    outcomes: dict[tuple[str, str], Outcome] = {}
    base_excess: dict[str, np.ndarray] = {}
    with resolve_progress(progress)(f"positions: {len(runs)} scenarios x {P} paths", total=len(runs)) as bar:
        for k, (scen, name) in enumerate(runs, start=1):
            run = runner.run(scen, paths=P, horizon=H, seed=sd, save=variables, progress=False)
            arrays = run.arrays
            cash = arrays[mapping.cash.variable][:, :-1] / 100.0 * dt[None, :]
            for sid, (s, held, bw, bnames, brebal, missing, proxies) in plans.items():
                if missing:
                    outcomes[(sid, name)] = Outcome(sid, name, missing=missing, proxies=proxies)
                    continue
                decide = decision_dates(dates, s.rebalance)
                on = signal_on(s, arrays, mapping, dates, decide, history) if s.signal is not None else None
                R = instrument_returns(arrays, mapping, held, dt)
                ret, dd = portfolio_paths(R, cash, dt, _targets(s, held, on, P, len(dates)), decide,
                                          cost_bps=s.cost_bps, borrow_bps=s.borrow_bps)  # fmt: skip
                Rb = instrument_returns(arrays, mapping, bnames, dt)
                bt = np.broadcast_to(np.array([w for _, w in bw]), (P, len(dates), len(bnames)))
                bret, _ = portfolio_paths(Rb, cash, dt, bt, decision_dates(dates, brebal), cost_bps=0.0, borrow_bps=0.0)
                excess = ret - bret
                outcomes[(sid, name)] = Outcome(sid, name, proxies=proxies, ret=ret, drawdown=dd, excess=excess)
                if name == "baseline":
                    base_excess[sid] = excess
            bar.update(k)
    outcomes = {key: o for key, o in outcomes.items() if key[1] in names}
    if base_excess:
        import dataclasses

        for key, o in list(outcomes.items()):
            b = base_excess.get(o.strategy)
            if b is not None and o.excess is not None:
                outcomes[key] = dataclasses.replace(o, vs_baseline=o.excess - b)
    return ScenarioRun(model=model.name, scenarios=tuple(names), strategies=tuple(s.id for s in strategies),
                       paths=P, horizon=H, seed=sd, period0=f"{p0:%Y-%m-%d}", outcomes=outcomes,
                       mapping=Path(mapping.file).name)  # fmt: skip


def fmt_pct(v: float | None, *, sign: bool = True) -> str:
    """A fraction as a percent with one decimal (``+3.1%``); ``-`` when missing."""
    if v is None or not math.isfinite(v):
        return "-"
    return f"{100 * v:+.1f}%" if sign else f"{100 * v:.1f}%"
