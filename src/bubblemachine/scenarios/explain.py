"""``explain SCENARIO``: a series' change decomposed into mechanism groups.

The model declares its mechanism groups and, per attributed series ``X``, each group's term
(its ``[attribution]`` table, ``model.attribution``); the loader defines, every period ``t``,
variables ``contrib_X_<group>`` with (checked by the engine as a hidden identity)::

    log(X_t) - log(X_{t-1}) = sum_g contrib_X_<g>_t     (prices)
    X_t - X_{t-1}           = sum_g contrib_X_<g>_t     (rates, spreads)

Definition used here (exact by linearity):

    C_g(path)  = sum_{t=1..H} contrib_X_<g>_t(path)          group g's share of the path's change
    total(path) = sum_g C_g(path) = change of X over the horizon on that path
    reported contribution of g = mean over paths of C_g

so the reported contributions add up exactly (to rounding) to the mean total change. With
``--vs B`` the contribution is ``mean(C_g | scenario) - mean(C_g | B)`` with common random
numbers (same seed), which adds up to the difference of the mean total changes.
The median total is shown for reference; medians do not add up, means do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bubblemachine.errors import ScenarioError
from bubblemachine.sfc.attribution import Attribution, Group, contrib_name


@dataclass(frozen=True)
class Explanation:
    """Decomposition of one series' change.

    Attributes:
        scenario: scenario name.
        vs: the reference scenario, or None.
        series: the series explained.
        kind: ``price`` (log change) or ``rate`` (difference), from the model's attribution.
        horizon: periods.
        paths: paths.
        seed: the seed.
        contributions: group id -> mean contribution (minus the reference's with ``vs``), in
            the model's group order.
        total: mean total change (minus the reference's with ``vs``) == sum of contributions.
        median_total: median total change over paths (scenario only, or of the path-wise
            difference with ``vs``), for reference.
        residual: ``total`` minus the sum of contributions (0 up to rounding; the engine
            checks the identity every period).
        groups: the model's mechanism groups (id, English and Korean labels), in display order.
        set: the overrides the runs used (``{name: value}``; empty for none).
    """

    scenario: str
    vs: str | None
    series: str
    kind: str
    horizon: int
    paths: int
    seed: int | None
    contributions: dict[str, float]
    total: float
    median_total: float
    residual: float
    groups: tuple[Group, ...] = ()
    set: Mapping[str, Any] | None = None

    def label(self, group: str, lang: str = "en") -> str:
        """The label of ``group`` in ``lang`` (the id when the model gives none)."""
        for g in self.groups:
            if g.id == group:
                return g.label(lang)
        return group

    def to_json(self) -> dict:
        return {
            "scenario": self.scenario,
            "vs": self.vs,
            "series": self.series,
            "kind": self.kind,
            "horizon": self.horizon,
            "paths": self.paths,
            "seed": self.seed,
            "set": dict(self.set or {}),
            "definition": "mean over paths of each group's contribution summed over the horizon; adds up to the mean total change",
            "groups": [{"id": g.id, "en": g.en, "ko": g.ko} for g in self.groups],
            "contributions": dict(self.contributions),
            "total": self.total,
            "median_total": self.median_total,
            "residual": self.residual,
        }


def attributed_series(model) -> list[str]:
    """The series ``model`` attributes (its ``[attribution]`` tables), in declaration order."""
    return list(model.attribution.series_names)


def save_list(attribution: Attribution, series: str) -> list[str]:
    """Variables to record to explain ``series``."""
    return [series, *attribution.contrib_names(series)]


def group_sums(arrays: Mapping[str, np.ndarray], series: str, horizon: int,
               groups: Sequence[str]) -> dict[str, np.ndarray]:
    """Per path, each group's contribution summed over periods 1..horizon: group -> [path]."""
    return {g: arrays[contrib_name(series, g)][:, 1:horizon + 1].sum(axis=1) for g in groups}


def total_change(arr: np.ndarray, change: str, horizon: int) -> np.ndarray:
    """Per-path change from period 0 to ``horizon``: log change (``change="log"``) or difference."""
    a0, ah = arr[:, 0], arr[:, horizon]
    if change == "log":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(ah) - np.log(a0)
    return ah - a0


def explain_arrays(
    arrays: Mapping[str, np.ndarray],
    *,
    series: str,
    horizon: int,
    attribution: Attribution,
    reference: Mapping[str, np.ndarray] | None = None,
    scenario: str = "scenario",
    vs: str | None = None,
    seed: int | None = None,
    set: Mapping[str, Any] | None = None,
) -> Explanation:
    """Decompose ``series`` over ``horizon`` from recorded arrays (column 0 = period 0).

    Args:
        arrays: variable -> array [path, period] holding ``series`` and its contributions.
        series: an attributed series of ``attribution``.
        horizon: end period.
        attribution: the model's attribution (groups and how the series' change is measured).
        reference: the reference run's arrays (``vs``), same paths and seed.
    """
    change = attribution.get(series).change
    groups = attribution.group_ids
    sums = group_sums(arrays, series, horizon, groups)
    tot = total_change(arrays[series], change, horizon)
    if reference is not None:
        ref_sums = group_sums(reference, series, horizon, groups)
        ref_tot = total_change(reference[series], change, horizon)
        contrib = {g: float(np.mean(sums[g]) - np.mean(ref_sums[g])) for g in groups}
        total = float(np.mean(tot) - np.mean(ref_tot))
        median_total = float(np.median(tot - ref_tot))
    else:
        contrib = {g: float(np.mean(sums[g])) for g in groups}
        total = float(np.mean(tot))
        median_total = float(np.median(tot))
    residual = total - float(sum(contrib.values()))
    scale = max(1.0, abs(total), *(abs(v) for v in contrib.values()))
    if not abs(residual) <= 1e-6 * scale:
        raise ScenarioError(
            f"explain {scenario}: contributions of {series} do not add up to its change "
            f"(total {total:.6g}, sum {total - residual:.6g}); the model's contrib_{series}_* "
            f"variables break the contract identity"
        )
    return Explanation(scenario=scenario, vs=vs, series=series, kind="price" if change == "log" else "rate",
                       horizon=horizon, paths=int(arrays[series].shape[0]), seed=seed, contributions=contrib,
                       total=total, median_total=median_total, residual=residual,
                       groups=attribution.groups, set=dict(set or {}))


def explain(
    scenario: str,
    *,
    series: Sequence[str] | None = None,
    paths: int | None = None,
    horizon: int | None = None,
    seed: int | None = None,
    vs: str | None = None,
    set: Mapping[str, Any] | None = None,
    progress: bool = False,
    asof: str | None = None,
) -> list[Explanation]:
    """Decompose the change of each requested series under ``scenario``.

    Args:
        scenario: scenario name or path.
        series: series to explain (default: every series the model attributes).
        paths: Monte Carlo paths (1..1e6); default: the scenario's, else the model's
            ``[model] defaults`` (:func:`runner.run_settings`).
        horizon: periods after period 0; default as ``paths``.
        seed: the seed (shared with ``vs``: common random numbers); default as ``paths``.
        vs: a reference scenario (e.g. ``baseline``), or None.
        set: overrides ``{name: value}`` of parameters or exogenous inputs, applied to the
            scenario and to ``vs`` alike; checked against the model's names and ranges
            (:func:`bubblemachine.sfc.parameters.validate_overrides`).
        progress: progress bars.
        asof: the AI model's start date (default: the latest date the store supports).

    Returns:
        One :class:`Explanation` per series.
    """
    from bubblemachine.scenarios import runner
    from bubblemachine.sfc.parameters import validate_overrides

    paths, horizon, seed = runner.run_settings(scenario, paths=paths, horizon=horizon, seed=seed, asof=asof)
    if vs is not None:
        runner.check_same_model(scenario, vs)
    _, model, _ = runner.load(scenario, asof=asof)
    overrides = validate_overrides(model, set, origin="set") if set else {}
    avail = attributed_series(model)
    if not avail:
        raise ScenarioError(f"model {model.name} declares no [attribution]; nothing to explain")
    chosen = list(series) if series else avail
    bad = [s for s in chosen if s not in avail]
    if bad:
        raise ScenarioError(
            f"model {model.name}: cannot explain {', '.join(repr(b) for b in bad)}; valid series: {', '.join(avail)}"
        )
    save = [v for s in chosen for v in save_list(model.attribution, s)]
    run_s = runner.run(scenario, paths=paths, horizon=horizon, seed=seed, save=save, set=overrides or None,
                       progress=progress, asof=asof)
    run_r = None
    if vs is not None:
        run_r = runner.run(vs, paths=paths, horizon=horizon, seed=seed, save=save, set=overrides or None,
                           progress=progress, asof=asof)
    return [
        explain_arrays(run_s.arrays, series=s, horizon=horizon, attribution=model.attribution,
                       reference=run_r.arrays if run_r else None, scenario=run_s.scenario,
                       vs=run_r.scenario if run_r else None, seed=seed, set=overrides)
        for s in chosen
    ]


def chart_figure(explanations: Sequence[Explanation]):
    """A plotly figure: one horizontal bar chart of group contributions per series."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    n = len(explanations)
    fig = make_subplots(rows=n, cols=1, subplot_titles=[_title(e) for e in explanations],
                        vertical_spacing=min(0.08, 0.5 / max(n, 1)))
    for i, e in enumerate(explanations, start=1):
        scale = 100.0 if e.kind == "price" else 1.0
        labels = [e.label(g) for g in e.contributions] + ["Total (mean)"]
        vals = [v * scale for v in e.contributions.values()] + [e.total * scale]
        colors = ["#2a9d8f" if v >= 0 else "#e76f51" for v in vals[:-1]] + ["#264653"]
        fig.add_trace(go.Bar(x=vals, y=labels, orientation="h", marker_color=colors, showlegend=False,
                             hovertemplate="%{y}: %{x:.3f}<extra></extra>"), row=i, col=1)
        fig.update_yaxes(autorange="reversed", row=i, col=1)
        fig.update_xaxes(title_text="100 x log change" if e.kind == "price" else "change (percentage points)",
                         row=i, col=1)
    fig.update_layout(height=max(420, 380 * n), margin={"l": 260, "r": 30, "t": 60, "b": 40},
                      title="Attribution of the change by mechanism group (mean over paths; adds up to the mean total)")
    return fig


def _title(e: Explanation) -> str:
    vs = f" vs {e.vs}" if e.vs else ""
    return f"{e.series}: {e.scenario}{vs}, {e.horizon} periods, {e.paths} paths, seed {e.seed}"


def write_chart(explanations: Sequence[Explanation], path) -> None:
    """Write the attribution chart as one self-contained HTML file (plotly.js inlined), atomically."""
    from bubblemachine._io import atomic_write_text

    html = chart_figure(explanations).to_html(include_plotlyjs=True, full_html=True)
    atomic_write_text(path, html)
