"""Were the articles' positions any good? The seeds' trades as strategies (issue 12).

Strategies are data (``strategies/*.toml``, :mod:`.spec`); the historical backtest
(:mod:`.backtest`) trades them with no look-ahead and scores them (:mod:`.metrics`); the
scenario run (:mod:`.scenarios`) trades them on the AI model's simulated paths through the
instrument mapping (``mapping/<model>.toml``). One entry point for notebooks::

    import bubblemachine as bm
    p = bm.positions()                      # every shipped strategy on history
    p.metrics                               # DataFrame, one row per strategy
    p.equity                                # DataFrame of NAVs (columns = strategy ids)
    p = bm.positions(["crypto_young"], scenario="all", paths=200)
    p.wins                                  # strategies x scenarios, median excess return

Never advice: a test of the articles' ideas on the past and on the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bubblemachine.trades.spec import (
    Strategy,
    StrategyError,
    load_strategies,
    load_strategy,
    select,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from bubblemachine.trades.backtest import Backtest
    from bubblemachine.trades.scenarios import ScenarioRun

__all__ = ["Positions", "Strategy", "StrategyError", "load_strategies", "load_strategy", "positions", "resolve_scenarios"]


@dataclass(frozen=True)
class Positions:
    """What :func:`positions` returns: pandas tables plus the full results.

    Attributes:
        metrics: one row per strategy (index ``id``): the fields of ``--format json``
            (fractions, not percent).
        equity: NAV of each tested strategy after costs (columns = ids; dates as index).
        benchmark: NAV of each strategy's benchmark over the same dates.
        scenarios: one row per (strategy, scenario) with quantiles over paths (None unless
            ``scenario`` was given).
        wins: strategies x scenarios, median 12-month return over the benchmark (or None).
        backtest: the :class:`~bubblemachine.trades.backtest.Backtest`.
        scenario_run: the :class:`~bubblemachine.trades.scenarios.ScenarioRun` (or None).
    """

    metrics: pd.DataFrame
    equity: pd.DataFrame
    benchmark: pd.DataFrame
    backtest: Backtest = field(repr=False)
    scenarios: pd.DataFrame | None = None
    wins: pd.DataFrame | None = None
    scenario_run: ScenarioRun | None = field(default=None, repr=False)

    def _repr_html_(self) -> str:  # pragma: no cover - notebooks
        cols = ["title_en", "start", "end", "cagr", "vol", "sharpe", "max_drawdown", "benchmark_cagr", "alpha",
                "alpha_ci_low", "alpha_ci_high", "deflated_sharpe", "verdict"]  # fmt: skip
        html = self.metrics[[c for c in cols if c in self.metrics.columns]].to_html(float_format=lambda v: f"{v:.3f}")
        if self.wins is not None:
            html += self.wins.to_html(float_format=lambda v: f"{v:+.3f}")
        return html


def resolve_scenarios(names: list[str] | None) -> list[str]:
    """Scenario names; ``all`` (alone or in a list) means every bundled scenario."""
    from bubblemachine.scenarios import list_scenarios

    if not names:
        return []
    out: list[str] = []
    for n in names:
        out += list_scenarios() if n == "all" else [n]
    return list(dict.fromkeys(out))


def positions(
    ids: list[str] | str | None = None,
    *,
    start: Any = None,
    end: Any = None,
    scenario: list[str] | str | None = None,
    paths: int | None = None,
    seed: int | None = None,
    files: list[str] | None = None,
    store=None,
    progress=True,
) -> Positions:
    """Backtest the articles' positions on history and, optionally, under the model's scenarios.

    Args:
        ids: strategy ids to show (default: all); every strategy loaded counts as a trial.
        start, end: the historical window (YYYY-MM-DD; None: all data; nothing after
            ``end`` is read).
        scenario: a scenario name, a list, or ``"all"``: also run every strategy on the
            model's simulated paths.
        paths, seed: override the model's run defaults (``Model.run_defaults``).
        files: extra strategy files (added to the shipped ones).
        store: the data store (default: ``open_store()``).
        progress: progress bars (see :mod:`bubblemachine.progress`).

    Returns:
        :class:`Positions` (pandas tables and the full results).
    """
    from bubblemachine.trades.backtest import run_backtest

    id_list = [ids] if isinstance(ids, str) else list(ids) if ids else None
    strategies = load_strategies(files)
    chosen = select(strategies, id_list)
    bt = run_backtest(strategies, store=store, start=start, end=end, show=[s.id for s in chosen], progress=progress)
    out = dict(metrics=bt.metrics_frame(), equity=bt.equity_curves(), benchmark=bt.equity_curves(benchmark=True), backtest=bt)
    names = resolve_scenarios([scenario] if isinstance(scenario, str) else scenario)
    if names:
        from bubblemachine.trades.scenarios import run_scenarios

        run = run_scenarios(chosen, names, paths=paths, seed=seed, store=store, progress=progress)
        out.update(scenarios=run.table(), wins=run.wins(), scenario_run=run)
    return Positions(**out)
