"""Report section "Were the articles right?" / "기사들은 맞았나?" (claims, order 70).

A scoreboard table, a multiple-testing table, then per claim: the article's statement, one
chart (with the test as its caption) and the verdict sentence. All texts are catalog keys
from ``claims/i18n/{en,ko}.toml`` (generated from the registry by :mod:`.i18n`).
"""

from __future__ import annotations

import math
from typing import Any

from bubblemachine.claims.i18n import slug, verdict_slug
from bubblemachine.report.sections import Chart, Label, ReportContext, Section, Table, Text

COLORS = ("#1f77b4", "#d62728", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


def _txt(v: float | None) -> str | None:
    """A number as text with 3 significant digits (the table keeps small effects readable)."""
    from bubblemachine.claims.markdown import fmt_number

    return None if v is None or not math.isfinite(v) else fmt_number(v)


def _layout(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"margin": {"l": 60, "r": 30, "t": 20, "b": 40}, "height": 340,
                            "legend": {"orientation": "h", "y": -0.18}, "template": "plotly_white"}  # fmt: skip
    base.update(extra)
    return base


def _trace_name(name: str, ctx: ReportContext) -> dict[str, str]:
    key = f"claims.trace.{slug(name)}"
    return {"name": key} if key in ctx.catalog.messages.get("en", {}) and key in ctx.catalog.messages.get("ko", {}) else {}


def chart_for(cid: str, spec: dict[str, Any], ctx: ReportContext) -> Chart:
    """Plotly figure dict of a claim's chart spec (line, bar with error bars, grouped bar)."""
    data: list[dict[str, Any]] = []
    kind = spec["kind"]
    for i, (name, ys) in enumerate(spec["series"].items()):
        base = {"x": spec["x"], "y": ys, **_trace_name(name, ctx)}
        if kind == "line":
            data.append({"type": "scatter", "mode": "lines", "line": {"color": COLORS[i % len(COLORS)], "width": 1.6}, **base})
        else:
            tr = {"type": "bar", "marker": {"color": COLORS[i % len(COLORS)]}, **base}
            if kind == "bar" and "low" in spec:
                tr["error_y"] = {"type": "data", "symmetric": False,
                                 "array": [None if h is None or v is None else h - v for h, v in zip(spec["high"], ys, strict=False)],
                                 "arrayminus": [None if lo is None or v is None else v - lo for lo, v in zip(spec["low"], ys, strict=False)]}  # fmt: skip
            data.append(tr)
    layout = _layout(barmode="group") if kind != "line" else _layout(hovermode="x unified")
    shapes = [{"type": "rect", "xref": "x", "yref": "paper", "x0": a, "x1": b, "y0": 0, "y1": 1, "fillcolor": "#999", "opacity": 0.2, "line": {"width": 0}}
              for a, b in spec.get("shade", [])]  # fmt: skip
    if shapes:
        layout["shapes"] = shapes
    if spec.get("log_y"):
        layout["yaxis"] = {"type": "log"}
    axis_key = f"claims.axis.{slug(spec['y_title'])}"
    axis = {"yaxis.title.text": axis_key} if axis_key in ctx.catalog.messages.get("en", {}) else {}
    s = slug(cid)
    return Chart(id=f"claim_{s}", title_key=f"claims.c.{s}.title", caption_key=f"claims.c.{s}.caption", refs=(cid,),
                 data=data, layout=layout, axis_keys=axis)  # fmt: skip


def claims_section(ctx: ReportContext) -> Section | None:
    """The claims section: scoreboard, multiple-testing counts, one chart + two sentences a claim."""
    from bubblemachine.claims import run_claims

    run = run_claims(ctx.store, asof=ctx.asof)
    if not run.results:
        return None
    rows = []
    for r in run.results:
        e, s = r.evidence, slug(r.claim.id)
        sample = f"{e.sample_start}..{e.sample_end}" if e is not None and e.sample_start else None
        fig = r.claim.thresholds.rule == "figure"
        rows.append((r.claim.id, Label(f"claims.c.{s}.short"), Label(f"claims.verdict.{verdict_slug(r.verdict)}"),
                     _txt(e.effect) if e else None, _txt(e.ci_low) if e and not fig else None,
                     _txt(e.ci_high) if e and not fig else None, Label(f"claims.c.{s}.units"),
                     str(e.n) if e else "0", sample))  # fmt: skip
    ids = tuple(r.claim.id for r in run.results)
    board = Table(id="claims_scoreboard", title_key="claims.scoreboard.title",
                  columns=("claims.col.id", "claims.col.claim", "claims.col.verdict", "claims.col.effect", "claims.col.ci_low",
                           "claims.col.ci_high", "claims.col.units", "claims.col.n", "claims.col.sample"),
                  rows=tuple(rows), refs=ids, caption_key="claims.scoreboard.caption")  # fmt: skip
    raw = [r.evidence.p_value for r in run.results if r.evidence is not None and r.p_holm is not None]
    mt = Table(id="claims_multitest", title_key="claims.multitest.title", columns=("claims.col.quantity", "claims.col.count"),
               rows=((Label("claims.mt.tests"), run.n_tests), (Label("claims.mt.raw"), sum(p < 0.05 for p in raw)),
                     (Label("claims.mt.holm"), sum(r.p_holm < 0.05 for r in run.results if r.p_holm is not None)),
                     (Label("claims.mt.bh"), sum(r.p_bh < 0.05 for r in run.results if r.p_bh is not None))),
               caption_key="claims.multitest.caption")  # fmt: skip
    blocks: list[Any] = [board, mt]
    for r in run.results:
        s = slug(r.claim.id)
        blocks.append(Text(f"claims.c.{s}.statement"))
        if r.evidence is not None and r.evidence.chart:
            blocks.append(chart_for(r.claim.id, r.evidence.chart, ctx))
        else:
            blocks.append(Text(f"claims.c.{s}.caption"))
        blocks.append(Text(f"claims.verdict_text.{verdict_slug(r.verdict)}"))
    used = tuple(sorted({sid for r in run.results for sid in r.claim.series}))
    return Section("claims", "claims.section.title", "claims.section.intro", tuple(blocks), order=70, series=used)
