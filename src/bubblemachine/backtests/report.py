"""Report section "How good are the forecasts?" / "예측은 얼마나 맞았나?" (backtest, order 85).

Reads the most recent backtest of the user (``<home>/backtest/latest``, written by
``bubblemachine backtest``) or, if there is none, the backtest shipped with the package for
the embedded snapshot (``backtest/shipped``): a backtest takes minutes, the report seconds.
Blocks: skill by horizon per group (chart and table, with block-bootstrap intervals),
coverage by horizon, PIT histograms per group, and a plain-words verdict per series.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bubblemachine.report.sections import Chart, Label, ReportContext, Section, Table, Text

GROUP_COLORS = {"prices": "#1f77b4", "rates": "#ff7f0e", "liquidity": "#2ca02c"}
#: Mechanisms whose forecasts the charts score: the liquidity plumbing (bathtub, Treasury
#: cash), discount rates and spreads, and the VIX.
REFS: tuple[str, ...] = ("M2.1", "M2.6", "M3.1", "M6.5")
#: The shipped backtest (the embedded snapshot, the shipped model).
SHIPPED = Path(__file__).with_name("shipped")


def _layout(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"margin": {"l": 60, "r": 30, "t": 20, "b": 40}, "height": 320,
                            "legend": {"orientation": "h", "y": -0.2}, "template": "plotly_white"}
    base.update(extra)
    return base


def latest_result():
    """The user's latest backtest, else the shipped one, else None."""
    from bubblemachine import paths
    from bubblemachine.backtests import read
    from bubblemachine.errors import BubbleMachineError

    for folder in (paths.home() / "backtest" / "latest", SHIPPED):
        if (folder / "backtest.json").is_file():
            try:
                return read(folder)
            except BubbleMachineError:
                continue
    return None


def _is_current(digest: str) -> str:
    """``yes`` when ``digest`` is the installed model's edition, else ``no``."""
    from bubblemachine.calibrate.files import edition_digest
    from bubblemachine.errors import BubbleMachineError

    try:
        return "yes" if edition_digest() == digest else "no"
    except (BubbleMachineError, OSError):
        return "no"


def _num(x: float) -> float | None:
    return None if x != x else round(float(x), 3)


def verdict_skill(rows) -> str:
    """beats / loses / tie against the 1-year random walk, from the intervals over horizons."""
    wins = sum(r.skill_rw1y_lo > 0 for r in rows.itertuples())
    losses = sum(r.skill_rw1y_hi < 0 for r in rows.itertuples())
    if wins > len(rows) / 2:
        return "beats"
    if losses > len(rows) / 2:
        return "loses"
    return "tie"


def verdict_bands(rows) -> str:
    """honest / narrow / wide from the 90% coverage pooled over horizons."""
    cov = float(rows["coverage90"].mean())
    if cov < 0.8:
        return "narrow"
    if cov > 0.97:
        return "wide"
    return "honest"


def backtest_section(ctx: ReportContext) -> Section | None:
    """Skill, coverage and PIT of the model's forecasts against random walks."""
    import numpy as np

    r = latest_result()
    if r is None or r.by_group.empty:
        return None
    bg = r.by_group
    groups = [g for g in ("prices", "rates", "liquidity") if g in set(bg["group"])]
    horizons = sorted(int(h) for h in bg["horizon"].unique())
    skill_traces, cov_traces = [], []
    for g in groups:
        sub = bg[bg["group"] == g].sort_values("horizon")
        skill_traces.append({
            "type": "scatter", "mode": "lines+markers", "name": f"backtest.group.{g}",
            "x": [int(h) for h in sub["horizon"]], "y": [_num(v) for v in sub["skill_rw1y"]],
            "line": {"color": GROUP_COLORS[g]},
            "error_y": {"type": "data", "symmetric": False,
                        "array": [_num(h - v) for h, v in zip(sub["skill_rw1y_hi"], sub["skill_rw1y"], strict=True)],
                        "arrayminus": [_num(v - lo) for lo, v in zip(sub["skill_rw1y_lo"], sub["skill_rw1y"], strict=True)]},
        })
        cov_traces.append({"type": "scatter", "mode": "lines+markers", "name": f"backtest.group.{g}",
                           "x": [int(h) for h in sub["horizon"]], "y": [_num(v) for v in sub["coverage90"]],
                           "line": {"color": GROUP_COLORS[g]}})
    zero = {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 0, "y1": 0, "line": {"color": "#999", "dash": "dot"}}
    ninety = {**zero, "y0": 0.9, "y1": 0.9}
    skill = Chart(id="backtest_skill", title_key="backtest.skill.title", caption_key="backtest.skill.caption",
                  refs=REFS, data=skill_traces, layout=_layout(shapes=[zero], xaxis={"type": "log", "tickvals": horizons}),
                  axis_keys={"xaxis.title.text": "backtest.axis.days", "yaxis.title.text": "backtest.axis.skill"})
    cover = Chart(id="backtest_coverage", title_key="backtest.coverage.title", caption_key="backtest.coverage.caption",
                  refs=REFS, data=cov_traces,
                  layout=_layout(shapes=[ninety], yaxis={"range": [0, 1.02]}, xaxis={"type": "log", "tickvals": horizons}),
                  axis_keys={"xaxis.title.text": "backtest.axis.days", "yaxis.title.text": "backtest.axis.coverage"})
    bins = np.linspace(0, 1, 11)
    pit_traces = []
    for g in groups:
        pit = r.scores.loc[r.scores["group"] == g, "pit"].to_numpy(dtype="float64")
        counts, _ = np.histogram(pit, bins=bins)
        dens = counts / max(1, len(pit)) * 10.0
        pit_traces.append({"type": "bar", "name": f"backtest.group.{g}", "x": [round(b + 0.05, 2) for b in bins[:-1]],
                           "y": [round(float(d), 3) for d in dens], "marker": {"color": GROUP_COLORS[g]}})
    one = {**zero, "y0": 1, "y1": 1}
    pit = Chart(id="backtest_pit", title_key="backtest.pit.title", caption_key="backtest.pit.caption", refs=REFS,
                data=pit_traces, layout=_layout(barmode="group", shapes=[one]),
                axis_keys={"xaxis.title.text": "backtest.axis.pit", "yaxis.title.text": "backtest.axis.density"})
    rows = []
    for g in bg.itertuples(index=False):
        rows.append((Label(f"backtest.group.{g.group}"), str(int(g.horizon)), _num(g.skill_rw1y), _num(g.skill_rw1y_lo),
                     _num(g.skill_rw1y_hi), _num(g.skill_rw5y), _num(g.coverage50), _num(g.coverage90)))
    table = Table(id="backtest_groups", title_key="backtest.table.title",
                  columns=("backtest.col.group", "backtest.col.horizon", "backtest.col.skill1", "backtest.col.lo",
                           "backtest.col.hi", "backtest.col.skill5", "backtest.col.cov50", "backtest.col.cov90"),
                  rows=tuple(rows), caption_key="backtest.table.caption")
    vrows = []
    for s, sub in r.by_series.groupby("series", sort=False):
        by_h = dict(zip(sub["horizon"].astype(int), sub["skill_rw1y"], strict=True))
        vrows.append((s, Label(f"backtest.group.{sub['group'].iloc[0]}"),
                      *(_num(by_h.get(h, float("nan"))) for h in (21, 63, 126, 252)),
                      Label(f"backtest.verdict.{verdict_skill(sub)}"), Label(f"backtest.bands.{verdict_bands(sub)}")))
    verdicts = Table(id="backtest_verdicts", title_key="backtest.verdicts.title",
                     columns=("backtest.col.series", "backtest.col.group", "backtest.col.h21", "backtest.col.h63",
                              "backtest.col.h126", "backtest.col.h252", "backtest.col.verdict", "backtest.col.bands"),
                     rows=tuple(vrows), caption_key="backtest.verdicts.caption")
    spec = r.spec
    about = Table(id="backtest_about", title_key="backtest.about.title",
                  columns=("backtest.col.item", "backtest.col.value"),
                  rows=((Label("backtest.about.window"), f"{spec.start} .. {spec.end}"),
                        (Label("backtest.about.every"), Label(f"backtest.every.{spec.every}")),
                        (Label("backtest.about.origins"), str(len(r.origins) - len(r.failed))),
                        (Label("backtest.about.failed"), str(len(r.failed))),
                        (Label("backtest.about.paths"), f"{spec.paths:,}"),
                        (Label("backtest.about.scenario"), spec.scenario),
                        (Label("backtest.about.model"), r.model_digest[:12]),
                        (Label("backtest.about.current"), Label(f"backtest.current.{_is_current(r.model_digest)}"))))
    blocks = (about, Text("backtest.how"), skill, table, cover, pit, verdicts, Text("backtest.limits"))
    return Section("backtest", "backtest.section.title", "backtest.section.intro", blocks, order=85, series=())
