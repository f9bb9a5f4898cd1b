"""``explain SCENARIO``: a series' change decomposed into mechanism groups.

The model defines, every period ``t`` and for each attributed series ``X``, variables
``contrib_X_<group>`` with (checked by the engine as a hidden identity)::

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

import numpy as np

from bubblemachine.errors import ScenarioError
from bubblemachine.scenarios.compare import change, kind_of
from bubblemachine.scenarios.series import ATTRIBUTED, GROUP_LABELS, GROUPS, contrib_name


@dataclass(frozen=True)
class Explanation:
    """Decomposition of one series' change.

    Attributes:
        scenario: scenario name.
        vs: the reference scenario, or None.
        series: the series explained.
        kind: ``price`` (log change) or ``rate`` (difference).
        horizon: periods.
        paths: paths.
        seed: the seed.
        contributions: group -> mean contribution (minus the reference's with ``vs``).
        total: mean total change (minus the reference's with ``vs``) == sum of contributions.
        median_total: median total change over paths (scenario only, or of the path-wise
            difference with ``vs``), for reference.
        residual: ``total`` minus the sum of contributions (0 up to rounding; the engine
            checks the identity every period).
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

    def to_json(self) -> dict:
        return {
            "scenario": self.scenario,
            "vs": self.vs,
            "series": self.series,
            "kind": self.kind,
            "horizon": self.horizon,
            "paths": self.paths,
            "seed": self.seed,
            "definition": "mean over paths of each group's contribution summed over the horizon; adds up to the mean total change",
            "contributions": dict(self.contributions),
            "total": self.total,
            "median_total": self.median_total,
            "residual": self.residual,
        }


def attributed_series(available) -> list[str]:
    """Series that have every ``contrib_X_<group>`` variable in ``available``."""
    avail = set(available)
    out = [s for s in ATTRIBUTED if s in avail and all(contrib_name(s, g) in avail for g in GROUPS)]
    # generic models: any X with contrib_X_<g> for all groups
    for name in sorted(avail):
        if name not in out and all(contrib_name(name, g) in avail for g in GROUPS):
            out.append(name)
    return out


def save_list(series: str) -> list[str]:
    """Variables to record to explain ``series``."""
    return [series, *(contrib_name(series, g) for g in GROUPS)]


def group_sums(arrays: Mapping[str, np.ndarray], series: str, horizon: int) -> dict[str, np.ndarray]:
    """Per path, each group's contribution summed over periods 1..horizon: group -> [path]."""
    return {g: arrays[contrib_name(series, g)][:, 1:horizon + 1].sum(axis=1) for g in GROUPS}


def explain_arrays(
    arrays: Mapping[str, np.ndarray],
    *,
    series: str,
    horizon: int,
    reference: Mapping[str, np.ndarray] | None = None,
    scenario: str = "scenario",
    vs: str | None = None,
    seed: int | None = None,
) -> Explanation:
    """Decompose ``series`` over ``horizon`` from recorded arrays (column 0 = period 0)."""
    sums = group_sums(arrays, series, horizon)
    tot = change(arrays[series], series, horizon)
    if reference is not None:
        ref_sums = group_sums(reference, series, horizon)
        ref_tot = change(reference[series], series, horizon)
        contrib = {g: float(np.mean(sums[g]) - np.mean(ref_sums[g])) for g in GROUPS}
        total = float(np.mean(tot) - np.mean(ref_tot))
        median_total = float(np.median(tot - ref_tot))
    else:
        contrib = {g: float(np.mean(sums[g])) for g in GROUPS}
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
    return Explanation(scenario=scenario, vs=vs, series=series, kind=kind_of(series), horizon=horizon,
                       paths=int(arrays[series].shape[0]), seed=seed, contributions=contrib,
                       total=total, median_total=median_total, residual=residual)


def explain(
    scenario: str,
    *,
    series: Sequence[str] | None = None,
    paths: int | None = None,
    horizon: int | None = None,
    seed: int | None = None,
    vs: str | None = None,
    progress: bool = False,
) -> list[Explanation]:
    """Decompose the change of each requested series under ``scenario``.

    Args:
        scenario: scenario name or path.
        series: series to explain (default: every attributed series the model defines).
        paths: Monte Carlo paths (1..1e6); default: the scenario's, else the model's
            ``[model] defaults`` (:func:`runner.run_settings`).
        horizon: periods after period 0; default as ``paths``.
        seed: the seed (shared with ``vs``: common random numbers); default as ``paths``.
        vs: a reference scenario (e.g. ``baseline``), or None.
        progress: progress bars.

    Returns:
        One :class:`Explanation` per series.
    """
    from bubblemachine.scenarios import runner

    paths, horizon, seed = runner.run_settings(scenario, paths=paths, horizon=horizon, seed=seed)
    if vs is not None:
        runner.check_same_model(scenario, vs)
    _, model, _ = runner.load(scenario)
    avail = attributed_series(model.equations)
    if not avail:
        raise ScenarioError(f"model {model.name} defines no contrib_<series>_<group> variables; nothing to explain")
    chosen = list(series) if series else avail
    bad = [s for s in chosen if s not in avail]
    if bad:
        raise ScenarioError(
            f"model {model.name}: cannot explain {', '.join(repr(b) for b in bad)}; valid series: {', '.join(avail)}"
        )
    save = [v for s in chosen for v in save_list(s)]
    run_s = runner.run(scenario, paths=paths, horizon=horizon, seed=seed, save=save, progress=progress)
    run_r = None
    if vs is not None:
        run_r = runner.run(vs, paths=paths, horizon=horizon, seed=seed, save=save, progress=progress)
    return [
        explain_arrays(run_s.arrays, series=s, horizon=horizon, reference=run_r.arrays if run_r else None,
                       scenario=run_s.scenario, vs=run_r.scenario if run_r else None, seed=seed)
        for s in chosen
    ]


def chart_figure(explanations: Sequence[Explanation]):
    """A plotly figure: one horizontal bar chart of group contributions per series."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    n = len(explanations)
    fig = make_subplots(rows=n, cols=1, subplot_titles=[_title(e) for e in explanations],
                        vertical_spacing=min(0.08, 0.5 / max(n, 1)))
    labels = [GROUP_LABELS[g] for g in GROUPS] + ["Total (mean)"]
    for i, e in enumerate(explanations, start=1):
        scale = 100.0 if e.kind == "price" else 1.0
        vals = [e.contributions[g] * scale for g in GROUPS] + [e.total * scale]
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
