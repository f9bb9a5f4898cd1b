"""Figures: from a :class:`~bubblemachine.report.sections.Chart` to what plotly.js draws.

One place turns a chart (plotly dicts whose texts are catalog keys) into

* the per-language payload the report and the web app embed (:func:`figure_payload`);
* a plotly figure dict in one language (:func:`figure_dict`), which a notebook wraps in a
  ``plotly.graph_objects.Figure``;

and checks what the vendored plotly.js bundle can draw (:data:`TRACE_TYPES`). Dual-axis
charts get aligned, round ticks on both axes (:func:`align_dual_axes`).

The bundle is plotly's published *cartesian* partial bundle (``plotly-cartesian.min.js``,
the same plotly.js version as the plotly Python package), 1.5 MB instead of the full 4.8 MB.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bubblemachine.report.sections import Chart, ReportError

if TYPE_CHECKING:  # pragma: no cover
    from bubblemachine.report.i18n import Catalog

STATIC_DIR = Path(__file__).parent / "static"
"""Vendored scripts and styles shared by the report and the web app."""

PLOTLY_BUNDLE = STATIC_DIR / "plotly-cartesian.min.js"
"""plotly.js cartesian partial bundle (MIT; see NOTICE.md)."""

TRACE_TYPES: frozenset[str] = frozenset(
    {"bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour",
     "image", "pie", "scatter", "scatterternary", "violin"}
)  # fmt: skip
"""Trace types the cartesian bundle contains (a chart with another type fails the build)."""

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def static_text(name: str) -> str:
    """The text of a vendored static file, safe to inline in a ``<script>`` or ``<style>``."""
    path = STATIC_DIR / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"cannot read {path}: {exc.strerror or exc}; reinstall bubblemachine") from None
    return text.replace("</script", "<\\/script").replace("</style", "<\\/style")


def check_traces(chart: Chart) -> None:
    """ReportError naming the chart and trace if the bundle cannot draw one of its traces."""
    for i, t in enumerate(chart.data):
        kind = t.get("type", "scatter")
        if kind not in TRACE_TYPES:
            raise ReportError(
                f"chart {chart.id!r}: trace {i} has type {kind!r}, which the report's plotly bundle "
                f"(cartesian) does not include; use one of {', '.join(sorted(TRACE_TYPES))}"
            )


# ------------------------------------------------------------------------------ ticks
def nice_step(span: float, n: int) -> float:
    """The smallest 'round' step (1, 2, 2.5, 5 x 10^k) with ``n`` steps covering ``span``."""
    if not span > 0 or not math.isfinite(span):
        return 1.0
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= raw * (1 - 1e-9):
            return m * mag
    return 10 * mag  # pragma: no cover


def _values(traces: Iterable[dict[str, Any]]) -> tuple[float, float] | None:
    lo, hi = math.inf, -math.inf
    for t in traces:
        ys = [v for v in t.get("y") or () if isinstance(v, int | float) and math.isfinite(v)]
        if t.get("type") == "bar":
            ys.append(0.0)  # bars start at zero
        if ys:
            lo, hi = min(lo, *ys), max(hi, *ys)
    return (lo, hi) if lo <= hi else None


def align_dual_axes(data: Sequence[dict[str, Any]], layout: dict[str, Any], *, n: int = 5) -> dict[str, Any]:
    """A layout where ``yaxis`` and ``yaxis2`` share the same gridlines at round values.

    Applies to charts with a linear ``yaxis2`` overlaying ``y`` and no explicit range or tick
    settings on either axis (log axes and hand-set ranges are left alone). Each axis gets a
    round step (1, 2, 2.5 or 5 x 10^k); both have the same number of steps, and zero sits on
    the same gridline when both ranges span it, so no axis shows values like -16.3, 1.2, 18.7.
    """
    y1, y2 = dict(layout.get("yaxis") or {}), dict(layout.get("yaxis2") or {})
    if not y2 or y2.get("overlaying") != "y":
        return layout
    if any(ax.get("type") in ("log", "date", "category") or {"range", "dtick", "tickvals"} & set(ax) for ax in (y1, y2)):
        return layout
    r1 = _values(t for t in data if t.get("yaxis", "y") == "y")
    r2 = _values(t for t in data if t.get("yaxis") == "y2")
    if r1 is None or r2 is None:
        return layout
    best = None
    for k in (n - 1, n, n + 1):
        fit = []  # per axis: (step, lowest tick index, highest tick index); ticks at index * step
        for lo, hi in (r1, r2):
            step = nice_step(hi - lo if hi > lo else abs(hi) or 1.0, k)
            fit.append((step, math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)))
        (s1, l1, h1), (s2, l2, h2) = fit
        if l1 <= 0 <= h1 and l2 <= 0 <= h2:  # both span zero: zero on the same gridline
            lo_i, hi_i = min(l1, l2), max(h1, h2)
            idx = ((lo_i, hi_i), (lo_i, hi_i))
        else:
            steps = max(h1 - l1, h2 - l2)
            idx = ((l1, l1 + steps), (l2, l2 + steps))
        ranges = ((idx[0][0] * s1, idx[0][1] * s1), (idx[1][0] * s2, idx[1][1] * s2))
        steps = idx[0][1] - idx[0][0]
        waste = sum((r[1] - r[0]) / max(hi - lo, 1e-12) for r, (lo, hi) in zip(ranges, (r1, r2), strict=True))
        cand = (waste + 0.05 * abs(steps - n), steps, ranges, (s1, s2))
        if best is None or cand[0] < best[0]:
            best = cand
    _, steps, ranges, (s1, s2) = best
    pad = 0.02
    out = dict(layout)
    for key, ax, (lo, hi), step in (("yaxis", y1, ranges[0], s1), ("yaxis2", y2, ranges[1], s2)):
        span = hi - lo
        out[key] = {**ax, "range": [lo - pad * span, hi + pad * span], "tick0": 0, "dtick": step,
                    "tickmode": "linear", "zeroline": True}
    out["yaxis2"]["showgrid"] = False
    return out


# ------------------------------------------------------------------------------ payloads
def _clean_layout(chart: Chart) -> dict[str, Any]:
    layout = align_dual_axes(chart.data, copy.deepcopy(chart.layout))
    return layout


def _texts(chart: Chart, catalog: Catalog, lang: str) -> dict[str, Any]:
    return {
        path: catalog.t(key, lang) if isinstance(key, str) else [catalog.t(k, lang) for k in key]
        for path, key in chart.axis_keys.items()
    }


def figure_payload(chart: Chart, catalog: Catalog, langs: Sequence[str]) -> dict[str, Any]:
    """What the page's script draws: data and layout once, texts per language.

    ``{"data": [...], "layout": {...}, "dates": bool, "labels": {lang: {"names": [...],
    "layout": {path: text | [texts]}}}}``; trace names and layout texts are set by the
    script for the page's current language (so the data is embedded once).
    """
    check_traces(chart)
    data = [{k: v for k, v in t.items() if k != "name"} for t in chart.data]
    labels = {
        lang: {
            "names": [catalog.t(t["name"], lang) if t.get("name") else "" for t in chart.data],
            "layout": _texts(chart, catalog, lang),
        }
        for lang in langs
    }
    dates = any(isinstance(t.get("x"), list) and t["x"] and isinstance(t["x"][0], str) and _DATE.match(t["x"][0])
                for t in chart.data)  # fmt: skip
    return {"data": data, "layout": _clean_layout(chart), "dates": dates, "labels": labels}


def set_path(obj: dict[str, Any], path: str, value: Any) -> None:
    """Set ``obj[a][b][0][c] = value`` for ``path == "a.b[0].c"``, creating dicts and lists."""
    parts: list[str | int] = []
    for part in path.split("."):
        m = re.fullmatch(r"([^\[\]]+)((?:\[\d+\])*)", part)
        if m is None:
            raise ReportError(f"layout path {path!r}: cannot parse {part!r}")
        parts.append(m.group(1))
        parts += [int(i) for i in re.findall(r"\[(\d+)\]", m.group(2))]
    cur: Any = obj
    for here, nxt in zip(parts, parts[1:], strict=False):
        blank: Any = [] if isinstance(nxt, int) else {}
        if isinstance(here, int):
            while len(cur) <= here:
                cur.append(copy.copy(blank))
            if cur[here] is None:
                cur[here] = blank
            cur = cur[here]
        else:
            cur = cur.setdefault(here, blank)
    last = parts[-1]
    if isinstance(last, int):
        while len(cur) <= last:
            cur.append(None)
    cur[last] = value


def figure_dict(chart: Chart, catalog: Catalog, lang: str) -> dict[str, Any]:
    """A plain plotly figure ``{"data", "layout"}`` with every text in ``lang``."""
    check_traces(chart)
    data = copy.deepcopy(chart.data)
    for t in data:
        if t.get("name"):
            t["name"] = catalog.t(t["name"], lang)
    layout = _clean_layout(chart)
    for path, text in _texts(chart, catalog, lang).items():
        set_path(layout, path, text)
    return {"data": data, "layout": layout}


# ------------------------------------------------------------------------------ fan charts
FAN_QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
"""Quantiles of a fan chart: outer band, inner band, median."""

_FAN_TEXT = {
    "en": {"median": "median", "inner": "25-75%", "outer": "5-95%", "period": "period", "date": "date"},
    "ko": {"median": "중앙값", "inner": "25-75%", "outer": "5-95%", "period": "기간", "date": "날짜"},
}
_FAN_COLORS = ("#d62728", "#7f7f7f", "#1f77b4", "#2ca02c", "#9467bd")


def rgba(hex_color: str, alpha: float) -> str:
    """``#rrggbb`` with an opacity, as plotly's ``rgba(r,g,b,a)``."""
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def fan_traces(x: Sequence[Any], q: Sequence[Sequence[float]], *, color: str, name: str,
               show_bands_in_legend: bool = False, texts: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Plotly traces of one fan: 5-95% and 25-75% bands and the median line.

    Args:
        x: the x values (dates as ISO strings or periods).
        q: five rows, the 5%, 25%, 50%, 75% and 95% quantiles at each x.
        color: ``#rrggbb``.
        name: legend name of the median line (a text, not a key).
    """
    texts = texts or _FAN_TEXT["en"]
    band = {"type": "scatter", "mode": "lines", "x": list(x), "line": {"width": 0, "color": color}, "hoverinfo": "skip"}
    return [
        {**band, "y": list(q[0]), "showlegend": False, "legendgroup": name},
        {**band, "y": list(q[4]), "fill": "tonexty", "fillcolor": rgba(color, 0.15), "legendgroup": name,
         "name": f"{name} {texts['outer']}", "showlegend": show_bands_in_legend},
        {**band, "y": list(q[1]), "showlegend": False, "legendgroup": name},
        {**band, "y": list(q[3]), "fill": "tonexty", "fillcolor": rgba(color, 0.30), "legendgroup": name,
         "name": f"{name} {texts['inner']}", "showlegend": show_bands_in_legend},
        {"type": "scatter", "mode": "lines", "x": list(x), "y": list(q[2]), "legendgroup": name,
         "line": {"width": 2, "color": color}, "name": f"{name} ({texts['median']})"},
    ]


def result_fan_figure(result: Any, series: str | Sequence[str], *, baseline: Any = None, lang: str = "en"):
    """A ``plotly.graph_objects.Figure``: fan chart(s) of ``series`` over the result's paths.

    Args:
        result: a :class:`bubblemachine.sfc.Result` with several paths (or quantiles saved
            at 5/25/50/75/95%).
        series: one saved variable, or several (one fan each, one colour each).
        baseline: another Result (e.g. the baseline scenario) drawn in grey behind, for the
            first series.
        lang: "en" or "ko" for the legend and axis texts.
    """
    import numpy as np
    import plotly.graph_objects as go

    texts = _FAN_TEXT.get(lang, _FAN_TEXT["en"])
    names = [series] if isinstance(series, str) else list(series)
    if not names:
        raise ReportError("plot: name at least one series")
    idx = result.index()
    x = [f"{d:%Y-%m-%d}" for d in idx] if result.calendar else list(range(len(idx)))

    def quantiles(res: Any, s: str) -> list[list[float]]:
        arr = res[s]
        if res.quantile_levels is not None:
            levels = [float(v) for v in res.quantile_levels]
            missing = [q for q in FAN_QUANTILES if not any(abs(q - v) < 1e-9 for v in levels)]
            if missing:
                raise ReportError(f"plot {s!r}: this result holds quantiles {levels}; a fan chart needs {list(FAN_QUANTILES)}")
            rows = [arr[next(i for i, v in enumerate(levels) if abs(v - q) < 1e-9)] for q in FAN_QUANTILES]
        else:
            rows = list(np.nanquantile(arr, FAN_QUANTILES, axis=0))
        return [[float(v) for v in r] for r in rows]

    data: list[dict[str, Any]] = []
    if baseline is not None:
        data += fan_traces(x, quantiles(baseline, names[0]), color="#7f7f7f",
                           name=str(baseline.scenario_name or "baseline"), texts=texts)
    for i, s in enumerate(names):
        label = s if len(names) > 1 or baseline is not None else str(result.scenario_name or s)
        if baseline is not None:
            label = str(result.scenario_name or s)
        data += fan_traces(x, quantiles(result, s), color=_FAN_COLORS[(i if baseline is None else 0) % len(_FAN_COLORS)],
                           name=label, texts=texts)
    title = ", ".join(names)
    layout = {"template": "plotly_white", "hovermode": "x unified", "height": 420,
              "margin": {"l": 60, "r": 20, "t": 50, "b": 40},
              "title": {"text": f"{title}: {result.model_name} / {result.scenario_name}, {result.paths or ''} paths, seed {result.seed}"},
              "xaxis": {"title": {"text": texts["date" if result.calendar else "period"]}},
              "yaxis": {"title": {"text": title}},
              "legend": {"orientation": "h", "y": -0.15}}
    return go.Figure(data=data, layout=layout)
