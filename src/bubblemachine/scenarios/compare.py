"""``scenario compare A B``: the change of every reported series over a horizon, A vs B.

Definitions:
    * change of a ``price`` series over the horizon ``H``: ``log(x_H) - log(x_0)`` per path;
      of a ``rate`` or ``level`` series: ``x_H - x_0`` (in its units). Series outside
      :data:`~bubblemachine.scenarios.series.SERIES` are treated as levels.
    * per scenario: the median and the 5% / 95% quantiles of the change over paths;
    * ``diff_median``: the median over paths of the path-wise difference ``change_B - change_A``.
      A and B run with the same seed (common random numbers), so each path of B sees the same
      noise draws as the same path of A and the difference isolates the scenario's effect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from bubblemachine.errors import ScenarioError
from bubblemachine.scenarios.series import REPORTED, SERIES


def kind_of(name: str) -> str:
    """``price`` (log change) or ``level`` (difference) for any variable name."""
    info = SERIES.get(name)
    return info.kind if info is not None else "level"


def change(arr: np.ndarray, name: str, horizon: int) -> np.ndarray:
    """Per-path change of ``name`` from period 0 to ``horizon``.

    Args:
        arr: array [path, period] with column 0 = period 0.
        name: variable name (decides log change vs difference).
        horizon: end period (1 <= horizon < arr.shape[1]).

    Returns:
        Array [path].
    """
    a0, ah = arr[:, 0], arr[:, horizon]
    if kind_of(name) == "price":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(ah) - np.log(a0)
    return ah - a0


def paired_difference(a: np.ndarray, b: np.ndarray, t: int, *, how: str = "diff") -> np.ndarray:
    """Per-path difference at period ``t`` of two runs with the same seed (common random numbers).

    Args:
        a, b: arrays [path, period] of one variable under two scenarios.
        t: the period.
        how: ``"log"`` (``log a_t - log b_t``), ``"diff"`` (``a_t - b_t``) or ``"sum"`` (the
            difference of the sums over periods 1..t: a flow's total).

    Returns:
        Array [path].
    """
    if how == "log":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(a[:, t]) - np.log(b[:, t])
    if how == "diff":
        return a[:, t] - b[:, t]
    if how == "sum":
        return a[:, 1:t + 1].sum(axis=1) - b[:, 1:t + 1].sum(axis=1)
    raise ValueError(f"how={how!r}: expected 'log', 'diff' or 'sum'")


@dataclass(frozen=True)
class Summary:
    """Median and 5% / 95% quantiles over paths."""

    median: float
    p05: float
    p95: float

    def to_dict(self) -> dict[str, float]:
        return {"median": self.median, "p05": self.p05, "p95": self.p95}


def summarize(x: np.ndarray) -> Summary:
    """Median, 5% and 95% of ``x`` over paths (NaN-aware)."""
    q = np.nanquantile(x, [0.5, 0.05, 0.95]) if np.isfinite(x).any() else [np.nan] * 3
    return Summary(float(q[0]), float(q[1]), float(q[2]))


@dataclass(frozen=True)
class Comparison:
    """Result of :func:`compare_arrays` / :func:`compare`.

    Attributes:
        a, b: scenario names.
        horizon: periods.
        paths: paths per scenario.
        seed: the common seed.
        rows: series -> {"a": Summary, "b": Summary, "diff_median": float, "kind": str}.
        set_a, set_b: the overrides each scenario ran with (validated; empty for none).
        asof: the AI model's start date (period 0), None for other models.
    """

    a: str
    b: str
    horizon: int
    paths: int
    seed: int | None
    rows: dict[str, dict] = field(default_factory=dict)
    set_a: Mapping[str, Any] = field(default_factory=dict)
    set_b: Mapping[str, Any] = field(default_factory=dict)
    asof: str | None = None

    def to_json(self) -> dict[str, dict]:
        """``{series: {"a": {"median","p05","p95"}, "b": {...}, "diff_median": x}}``."""
        return {
            s: {"a": r["a"].to_dict(), "b": r["b"].to_dict(), "diff_median": r["diff_median"]}
            for s, r in self.rows.items()
        }


def default_series(available: set[str] | frozenset[str]) -> list[str]:
    """The reported series the model defines (in report order); every variable if none."""
    out = [s for s in REPORTED if s in available]
    return out if out else sorted(available)


def check_series(series: Sequence[str], available, model: str) -> list[str]:
    """ScenarioError naming an unknown series and the valid choices."""
    avail = set(available)
    bad = [s for s in series if s not in avail]
    if bad:
        valid = default_series(avail)
        raise ScenarioError(
            f"model {model}: unknown series {', '.join(repr(b) for b in bad)}; valid series: {', '.join(valid)}"
        )
    return list(series)


def compare_arrays(
    a: Mapping[str, np.ndarray],
    b: Mapping[str, np.ndarray],
    *,
    series: Sequence[str],
    horizon: int,
    names: tuple[str, str] = ("a", "b"),
    paths: int | None = None,
    seed: int | None = None,
) -> Comparison:
    """Compare two sets of arrays (same paths, same seed) series by series.

    Args:
        a, b: variable -> array [path, period] (column 0 = period 0).
        series: the series to compare.
        horizon: end period.
        names: the two scenario names.
        paths: number of paths (for the record).
        seed: the common seed (for the record).
    """
    rows: dict[str, dict] = {}
    for s in series:
        ca, cb = change(a[s], s, horizon), change(b[s], s, horizon)
        if ca.shape != cb.shape:
            raise ScenarioError(f"series {s}: {ca.shape[0]} paths under {names[0]} but {cb.shape[0]} under {names[1]}")
        d = cb - ca
        rows[s] = {
            "a": summarize(ca),
            "b": summarize(cb),
            "diff_median": float(np.nanmedian(d)) if np.isfinite(d).any() else float("nan"),
            "kind": kind_of(s),
        }
    n = next(iter(a.values())).shape[0] if a else 0
    return Comparison(a=names[0], b=names[1], horizon=horizon, paths=paths or n, seed=seed, rows=rows)


def compare(
    a: str,
    b: str,
    *,
    paths: int | None = None,
    horizon: int | None = None,
    seed: int | None = None,
    series: Sequence[str] | None = None,
    set: Mapping[str, Any] | None = None,
    set_b: Mapping[str, Any] | None = None,
    progress: bool = False,
    asof: str | None = None,
) -> Comparison:
    """Run scenarios ``a`` and ``b`` with the same seed and compare their changes.

    Args:
        a, b: scenario names (bundled) or paths to scenario files.
        paths: Monte Carlo paths per scenario (1..1e6); default: A's scenario, else the
            model's ``[model] defaults`` (:func:`runner.run_settings`).
        horizon: periods after period 0 (252 business days ~ one year); default as ``paths``.
        seed: the common seed (common random numbers); default as ``paths``.
        series: series to report (default: every reported series the model defines).
        set: overrides ``{name: value}`` of parameters or exogenous inputs applied to both
            ``a`` and ``b`` (the same assumptions under both scenarios).
        set_b: overrides applied to ``b`` only, on top of ``set`` (a what-if: ``b`` with
            changed assumptions against ``a`` as it is). Both are checked against the model's
            names and ranges (:func:`bubblemachine.sfc.parameters.validate_overrides`).
        progress: progress bars.
        asof: the AI model's start date (default: the latest date the store supports).

    Returns:
        The :class:`Comparison`.
    """
    from bubblemachine.scenarios import runner

    paths, horizon, seed = runner.run_settings(a, paths=paths, horizon=horizon, seed=seed, asof=asof)
    runner.check_same_model(a, b)
    from bubblemachine.sfc.parameters import validate_overrides

    _, model_a, path_a = runner.load(a, asof=asof)
    _, model_b, path_b = runner.load(b, asof=asof)
    set_a = validate_overrides(model_a, set, origin="set") if set else {}
    set_bb = {**(validate_overrides(model_b, set, origin="set") if set else {}),
              **(validate_overrides(model_b, set_b, origin="set_b") if set_b else {})}
    avail = frozenset(model_a.equations) & frozenset(model_b.equations)
    chosen = check_series(series, avail, model_a.name) if series else default_series(avail)
    runner.check_memory([a, b], paths=paths, horizon=horizon, seed=seed, save=chosen, asof=asof)  # both held at once
    ra = runner.run(a, paths=paths, horizon=horizon, seed=seed, save=chosen, set=set_a or None, progress=progress,
                    asof=asof)
    rb = runner.run(b, paths=paths, horizon=horizon, seed=seed, save=chosen, set=set_bb or None, progress=progress,
                    asof=asof)
    res = compare_arrays(ra.arrays, rb.arrays, series=chosen, horizon=horizon,
                         names=(ra.scenario, rb.scenario), paths=paths, seed=seed)
    return replace(res, set_a=set_a, set_b=set_bb, asof=ra.asof)


def format_value(x: float, kind: str) -> str:
    """A change for people: prices as a simple percent change (``exp(log change) - 1``,
    ``-65.47%`` rather than 100 x log change ``-106.35%``); rates and levels as differences
    in their own units with 3 decimals."""
    if x != x:
        return "nan"
    if kind == "price":
        return f"{100 * np.expm1(x):+.2f}%"
    return f"{x:+.3f}"
