"""The report's "What if" section: fan charts and attribution under every scenario.

For the AI liquidity model, each bundled scenario is simulated with :data:`REPORT_PATHS`
paths over :data:`REPORT_HORIZON` business days (about 12 months) with one common seed
(common random numbers, so scenario minus baseline isolates the scenario). The section shows:

* one fan chart per reported series (5-95% and 25-75% bands, median), the baseline in grey
  and a scenario chosen from a drop-down in colour, sampled weekly;
* a table of the median change of key series, scenario minus baseline (path-wise), and a
  table of the trough and peak of the mean difference along the way (a shutdown's liquidity
  drain shows although it is repaid by the end of the year);
* attribution bars per scenario (mean contribution of each mechanism group to the change
  vs the baseline, adding up to the mean total difference) for a few series.

Results are cached in ``<home>/cache/whatif/<key>.json`` (written atomically), keyed by the
model digest, the scenario digest, the seed, the paths, the horizon and :data:`CACHE_VERSION`,
so a second ``bubblemachine run`` does not simulate again. The package also ships these
summaries for its bundled scenarios (:data:`SHIPPED_DIR`, regenerated with
``python -m bubblemachine.scenarios.report``): a fresh install finds them under the same keys
and does not simulate at all. Any change to the model, a scenario, the seed, the paths or the
horizon changes the key, so stale summaries are never used; a test checks that the shipped
ones are current and that a fresh simulation reproduces them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bubblemachine.scenarios.compare import change, kind_of
from bubblemachine.scenarios.series import REPORTED
from bubblemachine.sfc.attribution import Attribution, contrib_name

#: Paths per scenario in the report (stated in the chart captions).
REPORT_PATHS = 200
#: Horizon in business days (about 12 months).
REPORT_HORIZON = 252
#: The common seed of every scenario in the report.
REPORT_SEED = 20251114
#: The model's period 0 (the calibration's as-of date).
PERIOD0 = "2025-11-14"
#: Model of the section.
MODEL = "ai_liquidity"
#: Quantiles of the fan charts.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Weekly sampling of the fan charts (every 5th business day, plus the last).
STEP = 5
#: Series with attribution bars.
ATTRIBUTION_SERIES: tuple[str, ...] = ("spx", "btc", "ust10y")
#: Series in the summary table (median change vs baseline).
TABLE_SERIES: tuple[str, ...] = ("spx", "ndx", "m7", "midcap_ai", "memory", "btc", "eth",
                                 "ust10y", "hy_oas", "net_liquidity", "vix")
#: Series in the trough/peak table (lowest and highest point of the mean difference vs baseline).
EXTREMES_SERIES: tuple[str, ...] = ("net_liquidity", "spx", "ust10y", "hy_oas", "vix")
#: Display order of the scenarios (the seed stories), after the baseline.
SCENARIO_ORDER: tuple[str, ...] = (
    "shutdown", "reopening_wave", "reverse_qe", "capital_call_cascade", "hawkish_chair", "circular_unwind",
    "deepseek_shock", "vol_shock", "vol_shock_no_systematic", "buyback_blackout", "energy_cap", "glp1_shift",
)
#: Bump when the cached payload changes shape.
CACHE_VERSION = 2  # the cached payload (not the chart layout) defines the version

SCENARIO_COLOR = "#d62728"
BASE_COLOR = "#7f7f7f"
#: Colours of the attribution groups, by position in the model's group order (cycled).
GROUP_COLORS = ("#1f77b4", "#17becf", "#ff7f0e", "#9467bd", "#d62728", "#8c564b",
                "#e377c2", "#2ca02c", "#bcbd22", "#393b79", "#c7c7c7")


#: Summaries shipped with the package for the bundled scenarios (read-only, same keys).
SHIPPED_DIR = Path(__file__).with_name("whatif")

#: In-process memo of scenario summaries (same key as the disk cache).
_MEMO: dict[str, dict] = {}


def cache_dir() -> Path:
    from bubblemachine.paths import home

    return home() / "cache" / "whatif"


def cache_key(model_digest: str, scenario_digest: str, *, seed: int, paths: int, horizon: int) -> str:
    """Hex key of one cached scenario summary."""
    text = json.dumps([CACHE_VERSION, model_digest, scenario_digest, seed, paths, horizon])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def summarize_run(arrays: dict[str, np.ndarray], *, series: Sequence[str], attributed: Sequence[str],
                  table: Sequence[str], horizon: int, groups: Sequence[str]) -> dict[str, Any]:
    """Reduce one scenario's arrays to what the section draws (JSON-serialisable).

    ``groups`` are the model's attribution group ids (``model.attribution.group_ids``).

    Returns:
        ``{"fan": {s: [[q05...], [q25...], ...]}, "attr": {s: {group: mean sum}},
        "total": {s: mean change}, "changes": {s: [per-path change]},
        "mean_path": {s: [mean change from period 0 at t = 0..horizon]}}`` (changes are log
        changes for prices, differences otherwise; ``mean_path`` for the ``table`` series).
    """
    idx = list(range(0, horizon + 1, STEP))
    if idx[-1] != horizon:
        idx.append(horizon)
    fan = {}
    for s in series:
        q = np.quantile(arrays[s][:, idx], QUANTILES, axis=0)
        fan[s] = [[_r(v) for v in row] for row in q]
    attr, total = {}, {}
    for s in attributed:
        attr[s] = {g: float(np.mean(arrays[contrib_name(s, g)][:, 1:horizon + 1].sum(axis=1))) for g in groups}
        total[s] = float(np.mean(change(arrays[s], s, horizon)))
    changes = {s: [float(v) for v in change(arrays[s], s, horizon)] for s in table}
    mean_path = {s: [_r(v) for v in mean_change_path(arrays[s], s, horizon)] for s in table}
    return {"periods": idx, "fan": fan, "attr": attr, "total": total, "changes": changes, "mean_path": mean_path}


def mean_change_path(arr: np.ndarray, name: str, horizon: int) -> np.ndarray:
    """Mean over paths of the change from period 0 at every period 0..horizon (log for prices)."""
    a = arr[:, : horizon + 1]
    if kind_of(name) == "price":
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.log(a) - np.log(a[:, :1])
    else:
        d = a - a[:, :1]
    return np.nanmean(d, axis=0)


def scale_of(name: str) -> float:
    """Display scale of a change: 100 x log change for prices (about %), 1 otherwise."""
    return 100.0 if kind_of(name) == "price" else 1.0


def extremes(scen: dict, base: dict, series: str, *, start: str = PERIOD0) -> dict[str, Any]:
    """Trough and peak of the mean difference (scenario - baseline) along the horizon.

    Returns:
        ``{"trough": x, "trough_date": "YYYY-MM-DD", "peak": x, "peak_date": ...,
        "end": x}`` in display units (:func:`scale_of`); dates of business days from ``start``.
    """
    d = (np.asarray(scen["mean_path"][series]) - np.asarray(base["mean_path"][series])) * scale_of(series)
    i_lo, i_hi = int(np.nanargmin(d)), int(np.nanargmax(d))
    dates = _dates([i_lo, i_hi, len(d) - 1], start)
    return {"trough": round(float(d[i_lo]), 2) + 0.0, "trough_date": dates[0],
            "peak": round(float(d[i_hi]), 2) + 0.0, "peak_date": dates[1], "end": round(float(d[-1]), 2) + 0.0}


def _r(v: float) -> float:
    return float(f"{float(v):.5g}")


def scenario_summaries(*, paths: int = REPORT_PATHS, horizon: int = REPORT_HORIZON, seed: int = REPORT_SEED,
                       scenarios: Sequence[str] | None = None, use_cache: bool = True,
                       asof: str | None = None) -> dict[str, dict]:
    """Simulate (or read from the cache) every scenario of :data:`MODEL`; baseline first.

    Returns:
        scenario name -> summary (see :func:`summarize_run`) plus ``"series"``,
        ``"attributed"``, ``"table"`` and ``"groups"`` (the model's attribution group ids, in
        display order) lists under the key ``"_meta"``, with ``"asof"``: the AI model's start
        date (``asof``; default the latest date the store supports).
    """
    from bubblemachine._io import atomic_write_text
    from bubblemachine.scenarios import list_scenarios, runner
    from bubblemachine.scenarios.explain import attributed_series

    names = list(scenarios) if scenarios is not None else list_scenarios()
    out: dict[str, dict] = {}
    meta: dict[str, list[str]] = {}
    used = None
    for name in names:
        scen, model, spath = runner.load(name, asof=asof)
        used = runner.model_ref(scen.model, spath, asof)[1] or used
        avail = set(model.equations)
        series = [s for s in REPORTED if s in avail]
        attributed = [s for s in ATTRIBUTION_SERIES if s in attributed_series(model)]
        table = [s for s in TABLE_SERIES if s in avail]
        groups = list(model.attribution.group_ids)
        meta = {"series": series, "attributed": attributed, "table": table, "groups": groups}
        key = cache_key(model.digest, scen.digest(), seed=seed, paths=paths, horizon=horizon)
        path = cache_dir() / f"{key}.json"
        summary = _MEMO.get(key) if use_cache else None
        if summary is None and use_cache:
            summary = _read_summary(path) or _read_summary(SHIPPED_DIR / path.name)
        if summary is None:
            save = list(dict.fromkeys([*series, *table, *(v for s in attributed
                                                          for v in (s, *(contrib_name(s, g) for g in groups)))]))
            run = runner.run(name, paths=paths, horizon=horizon, seed=seed, save=save, asof=asof)
            summary = summarize_run(run.arrays, series=series, attributed=attributed, table=table, horizon=horizon,
                                    groups=groups)
            if use_cache:
                atomic_write_text(path, json.dumps(summary))
        if use_cache:
            _MEMO[key] = summary
        out[spath.stem] = summary
    out["_meta"] = {**meta, "asof": used or PERIOD0}
    return out


def _read_summary(path: Path) -> dict | None:
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_shipped(out: Path = SHIPPED_DIR) -> list[Path]:
    """Recompute every bundled scenario's summary and write them to ``out`` (the package's
    shipped cache), removing summaries that no longer match a current key."""
    from bubblemachine._io import atomic_write_text
    from bubblemachine.scenarios import list_scenarios, runner

    out.mkdir(parents=True, exist_ok=True)
    sums = scenario_summaries(use_cache=False)
    written = []
    for name in list_scenarios():
        scen, model, spath = runner.load(name)
        key = cache_key(model.digest, scen.digest(), seed=REPORT_SEED, paths=REPORT_PATHS, horizon=REPORT_HORIZON)
        target = out / f"{key}.json"
        atomic_write_text(target, json.dumps(sums[spath.stem], sort_keys=True))
        written.append(target)
    for stale in set(out.glob("*.json")) - set(written):
        stale.unlink()
    return written


def _dates(periods: Sequence[int], start: str = PERIOD0) -> list[str]:
    import pandas as pd

    d = pd.bdate_range(start, periods=max(periods) + 1)
    return [f"{d[p]:%Y-%m-%d}" for p in periods]



def fan_chart(s: str, sums: dict[str, dict], names: list[str], *, start: str = PERIOD0,
              caption_key: str = "whatif.fan_caption", chart_id: str | None = None):
    """Fan chart of series ``s``: the baseline (grey) and a drop-down-selected scenario.

    ``names[0]`` is the reference (baseline); with one other scenario there is no drop-down.
    Scenario names are catalog keys ``whatif.scen.<name>`` (legend and menu).
    """
    from bubblemachine.report.sections import Chart

    periods = sums[names[0]]["periods"]
    x = _dates(periods, start)
    data: list[dict[str, Any]] = []

    def band(q: list[list[float]], color: str, visible: bool, name_key: str | None, dash: str | None) -> list[dict]:
        rgba = _rgba(color)
        traces = [
            {"type": "scatter", "mode": "lines", "x": x, "y": q[0], "line": {"width": 0, "color": color},
             "showlegend": False, "hoverinfo": "skip", "visible": visible},
            {"type": "scatter", "mode": "lines", "x": x, "y": q[4], "line": {"width": 0, "color": color},
             "fill": "tonexty", "fillcolor": rgba(0.15), "showlegend": False, "hoverinfo": "skip", "visible": visible},
            {"type": "scatter", "mode": "lines", "x": x, "y": q[1], "line": {"width": 0, "color": color},
             "showlegend": False, "hoverinfo": "skip", "visible": visible},
            {"type": "scatter", "mode": "lines", "x": x, "y": q[3], "line": {"width": 0, "color": color},
             "fill": "tonexty", "fillcolor": rgba(0.30), "showlegend": False, "hoverinfo": "skip", "visible": visible},
            {"type": "scatter", "mode": "lines", "x": x, "y": q[2],
             "line": {"width": 2, "color": color, **({"dash": dash} if dash else {})}, "visible": visible},
        ]
        if name_key:
            traces[-1]["name"] = name_key
        return traces

    others = names[1:]
    for i, n in enumerate(others):
        data += band(sums[n]["fan"][s], SCENARIO_COLOR, i == 0, f"whatif.scen.{n}", None)
    # the baseline on top, as lines (5%, 25%, median, 75%, 95%), so it stays visible over the bands
    bq = sums[names[0]]["fan"][s]
    for k, q in enumerate(bq):
        line = {"width": 2 if k == 2 else 1, "color": BASE_COLOR, "dash": "dot" if k == 2 else "dash"}
        tr = {"type": "scatter", "mode": "lines", "x": x, "y": q, "line": line, "hoverinfo": "skip",
              "showlegend": k == 2}
        if k == 2:
            tr["name"] = f"whatif.scen.{names[0]}"
            tr.pop("hoverinfo")
        data.append(tr)
    buttons = []
    for i, n in enumerate(others):
        vis = [j == i for j in range(len(others)) for _ in range(5)] + [True] * 5
        buttons.append({"label": n, "method": "restyle", "args": [{"visible": vis}]})
    texts: dict[str, str | tuple[str, ...]] = {"yaxis.title.text": f"whatif.units.{s}"}
    if len(buttons) > 1:  # a drop-down only when there is something to choose
        texts |= {f"updatemenus[0].buttons[{i}].label": f"whatif.scen.{n}" for i, n in enumerate(others)}
    layout = {
        "margin": {"l": 60, "r": 20, "t": 40, "b": 40}, "height": 360, "template": "plotly_white",
        "hovermode": "x unified", "legend": {"orientation": "h", "y": -0.15},
        "updatemenus": [{"buttons": buttons, "direction": "down", "x": 0.0, "xanchor": "left",
                         "y": 1.15, "yanchor": "top", "showactive": True}] if len(buttons) > 1 else [],
    }
    if kind_of(s) == "price" and s not in ("gdp",):
        layout["yaxis"] = {"type": "log"}
    return Chart(id=chart_id or f"whatif-fan-{s}", title_key=f"whatif.series.{s}", caption_key=caption_key,
                 refs=_refs(s), data=data, layout=layout, axis_keys=texts)


def _rgba(hex_color: str):
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return lambda a: f"rgba({r},{g},{b},{a})"


_REFS = {
    "spx": ("M2.1", "M6.1", "M6.4"), "ndx": ("M3.1", "M4.1"), "m7": ("M1.4", "M4.1"), "chips": ("M4.1", "M4.5"),
    "memory": ("M3.1", "C3.2"), "midcap_ai": ("M1.4",), "software": ("M3.1", "M5.1"), "energy": ("M7.4",),
    "btc": ("C2.1", "M5.1"), "eth": ("M1.4", "C2.1"), "ust2y": ("M2.5", "M6.6"), "ust10y": ("M2.3", "C2.2"),
    "ig_oas": ("M2.3", "C2.2"), "hy_oas": ("M5.2",), "net_liquidity": ("M2.1", "C2.1"), "tga": ("M1.2", "M2.6"),
    "reserves": ("M2.1",), "on_rrp": ("M2.1",), "vix": ("M6.5",), "spx_rvol": ("M6.1",), "ai_capex": ("M2.2", "M4.3"),
    "gdp": ("M7.2",), "consumption_wage_earners": ("M7.1", "M7.3"), "food": ("M7.5",), "healthcare": ("M7.5",),
}


def _refs(s: str) -> tuple[str, ...]:
    return _REFS.get(s, ())


def attribution_chart(s: str, sums: dict[str, dict], names: list[str], groups: Sequence[str], *,
                      caption_key: str = "whatif.attr_caption", chart_id: str | None = None):
    """Stacked bars: per scenario, each group's mean contribution to the change vs the baseline.

    ``groups``: the model's attribution group ids in display order; each bar's name is the
    catalog key ``whatif.group.<id>`` (labels from the model, :func:`group_messages`).
    Scenario names are catalog keys ``whatif.scen.<name>`` (category tick labels).
    """
    from bubblemachine.report.sections import Chart

    base = sums[names[0]]
    others = names[1:]
    scale = 100.0 if kind_of(s) == "price" else 1.0
    data = []
    for i, g in enumerate(groups):
        color = GROUP_COLORS[i % len(GROUP_COLORS)]
        xs = [_r(scale * (sums[n]["attr"][s][g] - base["attr"][s][g])) for n in others]
        data.append({"type": "bar", "orientation": "h", "y": others, "x": xs, "name": f"whatif.group.{g}",
                     "marker": {"color": color}, "hoverinfo": "x+name"})
    tot = [_r(scale * (sums[n]["total"][s] - base["total"][s])) for n in others]
    data.append({"type": "scatter", "mode": "markers", "y": others, "x": tot, "name": "whatif.total",
                 "marker": {"color": "black", "symbol": "diamond", "size": 9}, "hoverinfo": "x+name"})
    layout = {"barmode": "relative", "margin": {"l": 20, "r": 20, "t": 20, "b": 40},
              "height": 150 + 28 * len(others), "template": "plotly_white",
              "legend": {"orientation": "h", "y": -0.25},
              "yaxis": {"autorange": "reversed", "automargin": True, "tickmode": "array", "tickvals": others}}
    unit_key = "whatif.axis.log_pct" if kind_of(s) == "price" else "whatif.axis.pp"
    texts: dict[str, str | tuple[str, ...]] = {"xaxis.title.text": unit_key,
                                                "yaxis.ticktext": tuple(f"whatif.scen.{n}" for n in others)}
    return Chart(id=chart_id or f"whatif-attr-{s}", title_key=f"whatif.attr.{s}", caption_key=caption_key,
                 refs=_refs(s), data=data, layout=layout, axis_keys=texts)


def summary_table(sums: dict[str, dict], names: list[str], table_series: list[str]):
    """Median (path-wise) change of key series, scenario minus baseline."""
    from bubblemachine.report.sections import Label, Table

    base = sums[names[0]]["changes"]
    rows = []
    for n in names[1:]:
        ch = sums[n]["changes"]
        row: list[Any] = [Label(f"whatif.scen.{n}")]
        for s in table_series:
            d = np.median(np.asarray(ch[s]) - np.asarray(base[s]))
            row.append(round(float(d) * scale_of(s), 2) + 0.0)  # no -0.0
        rows.append(tuple(row))
    return Table(id="whatif-table", title_key="whatif.table_title",
                 columns=("whatif.col.scenario", *(f"whatif.col.{s}" for s in table_series)),
                 rows=tuple(rows), refs=("M1.2", "M2.1", "M5.2", "M6.1"), caption_key="whatif.table_caption")


def extremes_table(sums: dict[str, dict], names: list[str], series: Sequence[str]):
    """Per scenario, the trough and peak of the mean difference vs the baseline of a few series."""
    from bubblemachine.report.sections import Label, Table

    base = sums[names[0]]
    rows = []
    for n in names[1:]:
        row: list[Any] = [Label(f"whatif.scen.{n}")]
        for s in series:
            e = extremes(sums[n], base, s)
            row += [e["trough"], e["peak"]]
        rows.append(tuple(row))
    cols = [c for s in series for c in (f"whatif.trough.{s}", f"whatif.peak.{s}")]
    return Table(id="whatif-extremes", title_key="whatif.extremes_title", columns=("whatif.col.scenario", *cols),
                 rows=tuple(rows), refs=("M1.2", "M1.3", "M2.1", "M6.1"), caption_key="whatif.extremes_caption")


def whatif_section(scenarios: Sequence[str], *, paths: int = REPORT_PATHS, horizon: int = REPORT_HORIZON,
                   seed: int = REPORT_SEED, use_cache: bool = True, asof: str | None = None):
    """The "What if" section for ``scenarios`` (the first is the reference, e.g. baseline),
    the AI model started on ``asof`` (default: the latest date the store supports)."""
    from bubblemachine.report.sections import Section, Text

    sums = scenario_summaries(scenarios=scenarios, paths=paths, horizon=horizon, seed=seed, use_cache=use_cache,
                              asof=asof)
    meta = sums.pop("_meta")
    names = list(sums)
    if len(names) > 2:  # reference first, then the contract's story order, then any others
        rank = {n: i for i, n in enumerate(SCENARIO_ORDER)}
        names = [names[0], *sorted(names[1:], key=lambda n: (rank.get(n, len(rank)), n))]
    blocks: list[Any] = [Text("whatif.how_to_read")]
    if len(names) > 1 and meta["table"]:
        blocks.append(summary_table(sums, names, meta["table"]))
        ext = [s for s in EXTREMES_SERIES if s in meta["table"]]
        if ext and all("mean_path" in sums[n] for n in names):
            blocks.append(extremes_table(sums, names, ext))
    blocks += [fan_chart(s, sums, names, start=meta.get("asof", PERIOD0)) for s in meta["series"]]
    if len(names) > 1:
        blocks += [attribution_chart(s, sums, names, meta["groups"]) for s in meta["attributed"]]
    # order 70 like claims: listed after claims in the registry, the section follows it
    return Section("whatif", "whatif.title", "whatif.intro", tuple(blocks), order=70)


def group_messages(attribution: Attribution) -> dict[str, dict[str, str]]:
    """Catalog entries ``whatif.group.<id>`` of a model's attribution groups, from the labels the
    model declares (``[attribution] groups``): ``{lang: {key: label}}``."""
    return {lang: {f"whatif.group.{g.id}": g.label(lang) for g in attribution.groups} for lang in ("en", "ko")}


def scenarios_section(ctx) -> Any:
    """Report provider: the "What if" section.

    None when the AI liquidity model or its baseline is absent. The model starts on the
    report's as-of date (calibrated on the data and events known then), or on the latest date
    the store supports when the report has none.
    """
    from bubblemachine.paths import package_dir
    from bubblemachine.scenarios import list_scenarios

    if not (package_dir() / "models" / MODEL / "model.toml").is_file():
        return None
    asof = getattr(ctx, "asof", None)
    asof = None if asof is None else f"{asof:%Y-%m-%d}" if hasattr(asof, "strftime") else str(asof)
    names = list_scenarios()
    if "baseline" not in names:
        return None
    from bubblemachine.scenarios import runner

    model = runner.load("baseline", asof=asof)[1]
    ctx.catalog.add(group_messages(model.attribution), source=f"model {model.name} [attribution]")
    return whatif_section(names, asof=asof)


if __name__ == "__main__":  # python -m bubblemachine.scenarios.report: refresh the shipped cache
    for p in write_shipped():
        print(p)
