"""Report section "Were the articles' trades any good?" / "기사의 투자 아이디어는 통했나?" (order 75).

Blocks: the not-advice notice and the verdict rules; the metrics table; equity curves against
their benchmarks and drawdowns (monthly points, log scale); the strategies x scenarios heatmap
of the median 12-month return over the benchmark and a table with its 5% tail; then, for each
position, two paragraphs: what the article says and how it is traded here, and what came of
it (figures, verdict, best and worst scenario).

Per-strategy texts (titles, statements, figures) are made at report time from the strategy
files and the results: the provider adds them to the report's catalogue under
``positions.dyn.<id>.*`` in both languages, filled from the templates of ``i18n/*.toml``.

Scenario outcomes use :data:`REPORT_PATHS` paths with the model's seed and horizon; they are
cached in ``<home>/cache/positions/<key>.json`` (atomic writes), keyed by the digests of the
model, the scenarios, the strategies, the instrument files, the paths, seed and horizon, so
a second report does not simulate again and a change to any input is never served stale.
The package also ships the table for the bundled scenarios under the same key
(:data:`SHIPPED_DIR`, regenerated with ``python -m bubblemachine.trades.report`` after a
change to the model, a scenario, a strategy or a mapping); a stale one is simply not found
and the report simulates (about 10 s of CPU) and caches.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from bubblemachine.report.sections import Chart, Label, ReportContext, Section, Table, Text

#: Paths per scenario in the report (the command's default is the model's, 1,000).
REPORT_PATHS = 200
#: Bump when the cached payload changes shape.
CACHE_VERSION = 1
COLORS = ("#1f77b4", "#d62728", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
          "#17becf", "#393b79", "#637939")  # fmt: skip
LANGS = ("en", "ko")


#: Scenario tables shipped with the package for the bundled scenarios (read-only, same keys).
SHIPPED_DIR = Path(__file__).with_name("shipped")


def cache_dir() -> Path:
    from bubblemachine.paths import home

    return home() / "cache" / "positions"


def _add(ctx: ReportContext, key: str, texts: dict[str, str]) -> str:
    """Register a generated message in the report catalogue (both languages); returns the key."""
    for lang in LANGS:
        msgs = ctx.catalog.messages.setdefault(lang, {})
        if key in msgs and msgs[key] != texts[lang]:
            from bubblemachine.report.sections import ReportError

            raise ReportError(f"positions: catalogue key {key!r} is already defined differently")
        msgs[key] = texts[lang]
    return key


def _scenario_key(ctx: ReportContext, name: str) -> str:
    """The catalogue key naming a scenario: the What-if section's label when it is loaded,
    else the scenario's name in both languages."""
    key = f"whatif.scen.{name}"
    if all(key in ctx.catalog.messages.get(lg, {}) for lg in LANGS):
        return key
    from bubblemachine.scenarios import scenario_title

    return _add(ctx, f"positions.dyn.scen.{name}", {lg: scenario_title(name, lg) for lg in LANGS})


def _layout(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"margin": {"l": 70, "r": 30, "t": 20, "b": 40}, "height": 420, "hovermode": "closest",
                            "legend": {"orientation": "h", "y": -0.15}, "template": "plotly_white"}  # fmt: skip
    base.update(extra)
    return base


def _monthly(s):
    s = s.dropna()
    return s.groupby(s.index.to_period("M")).tail(1) if len(s) else s


def _xy(s, digits: int = 4) -> dict[str, list]:
    return {"x": [f"{d:%Y-%m-%d}" for d in s.index], "y": [round(float(v), digits) for v in s.to_numpy()]}


# ----------------------------------------------------------------------------- scenarios (cached)
def scenario_key(strategies, scenarios: list[str], *, paths: int, seed: int, horizon: int) -> str:
    """Hex key of one cached scenario table (every input's digest)."""
    from bubblemachine.scenarios import runner
    from bubblemachine.trades.mapping import load_mapping
    from bubblemachine.trades.spec import load_instruments

    parts = [f"v{CACHE_VERSION}", f"p{paths}", f"s{seed}", f"h{horizon}", load_instruments().digest]
    model = None
    for name in scenarios:
        scen, model, path = runner.load(name)
        parts.append(f"{path.stem}:{scen.digest()}")
    parts += [model.digest or "", load_mapping(model.name).digest]
    parts += [f"{s.id}:{s.digest}" for s in strategies]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def scenario_table(strategies, *, paths: int = REPORT_PATHS, scenarios: list[str] | None = None,
                   use_cache: bool = True) -> dict[str, Any]:
    """The scenario outcomes of the report (default: every bundled scenario), from the cache when current.

    Returns:
        ``ScenarioRun.to_json()`` of the run (``outcomes`` a list of records).
    """
    from bubblemachine._io import atomic_write_text
    from bubblemachine.scenarios import list_scenarios, runner
    from bubblemachine.trades.scenarios import run_scenarios

    names = list(scenarios) if scenarios else list_scenarios()
    _, model, _ = runner.load(names[0])
    d = model.run_defaults
    seed, horizon = d.seed if d.seed is not None else 0, d.periods or 252
    key = scenario_key(strategies, names, paths=paths, seed=seed, horizon=horizon)
    path = cache_dir() / f"{key}.json"
    if use_cache:
        for p in (path, SHIPPED_DIR / f"{key}.json"):
            try:
                return json.loads(p.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
    run = run_scenarios(strategies, names, paths=paths, seed=seed, horizon=horizon, progress=False)
    payload = run.to_json()
    payload = json.loads(json.dumps(payload, default=str))
    if use_cache:
        try:
            atomic_write_text(path, json.dumps(payload))
        except OSError:
            pass  # an unwritable cache only costs a re-run next time
    return payload


# ----------------------------------------------------------------------------- blocks
def _metrics_table(bt, ctx: ReportContext, titles: dict[str, str]) -> Table:
    from bubblemachine.trades import text

    rows = []
    for r in bt.results:
        m, s = r.metrics, r.strategy
        verdict = Label(f"positions.verdict.{text.verdict_key(r.verdict)}")
        if m is None:
            rows.append((Label(titles[s.id]), s.seed, None, None, None, None, None, None, None, None, verdict))
            continue
        alpha = f"{text.pct(m.alpha, sign=True)} [{text.pct(m.alpha_ci_low, sign=True)}, {text.pct(m.alpha_ci_high, sign=True)}]"
        rows.append((
            Label(titles[s.id]), s.seed, f"{m.start:%Y-%m} .. {m.end:%Y-%m}", text.pct(m.cagr), text.pct(m.vol),
            text.num(m.sharpe), text.pct(m.drawdown.depth), text.pct(m.benchmark_cagr), alpha,
            text.num(r.deflated_sharpe), verdict,
        ))  # fmt: skip
    cols = ("position", "seed", "sample", "cagr", "vol", "sharpe", "max_dd", "bench_cagr", "alpha_ci", "dsr", "verdict")
    refs = tuple(dict.fromkeys(ref for r in bt.results for ref in r.strategy.refs))
    return Table(id="positions_metrics", title_key="positions.metrics.title", columns=tuple(f"positions.col.{c}" for c in cols),
                 rows=tuple(rows), refs=refs, caption_key="positions.metrics.caption")  # fmt: skip


def _curves(bt, ctx: ReportContext, titles: dict[str, str]) -> tuple[Chart, Chart, Chart]:
    """Growth (each position starting on the S&P 500 line), growth relative to its own
    benchmark, and drawdowns; monthly points."""
    import pandas as pd

    tested = [r for r in bt.results if r.nav is not None]
    refs = tuple(dict.fromkeys(ref for r in tested for ref in r.strategy.refs))
    spx = _sp500_line(ctx, tested)
    growth, rel, dd = [], [], []
    if spx is not None:
        growth.append({"type": "scatter", "mode": "lines", "name": "positions.trace.sp500",
                       "line": {"color": "#222", "width": 1.4, "dash": "dash"}, **_xy(_monthly(spx))})  # fmt: skip
    for i, r in enumerate(tested):
        color = COLORS[i % len(COLORS)]
        sid = r.strategy.id
        base = float(spx.asof(r.nav.index[0])) if spx is not None else 1.0
        growth.append({"type": "scatter", "mode": "lines", "name": titles[sid], "line": {"color": color, "width": 1.5},
                       **_xy(_monthly(r.nav * base))})  # fmt: skip
        rel.append({"type": "scatter", "mode": "lines", "name": titles[sid], "line": {"color": color, "width": 1.5},
                    **_xy(_monthly(r.nav / r.benchmark_nav))})  # fmt: skip
        under = r.nav / r.nav.cummax() - 1.0
        low = under.groupby(under.index.to_period("M")).min()
        low.index = pd.DatetimeIndex([p.end_time.normalize() for p in low.index])
        dd.append({"type": "scatter", "mode": "lines", "name": titles[sid], "line": {"color": color, "width": 1.2},
                   **_xy(low.clip(upper=0.0))})  # fmt: skip
    log = {"type": "log", "dtick": 1}
    return (
        Chart(id="positions_growth", title_key="positions.curves.title", caption_key="positions.curves.caption",
              refs=refs, data=growth, layout=_layout(yaxis=log), axis_keys={"yaxis.title.text": "positions.axis.nav"}),
        Chart(id="positions_relative", title_key="positions.relative.title", caption_key="positions.relative.caption",
              refs=refs, data=rel, layout=_layout(yaxis={"type": "log"}), axis_keys={"yaxis.title.text": "positions.axis.relative"}),
        Chart(id="positions_drawdowns", title_key="positions.drawdowns.title", caption_key="positions.drawdowns.caption",
              refs=refs, data=dd, layout=_layout(yaxis={"tickformat": ".0%"}),
              axis_keys={"yaxis.title.text": "positions.axis.drawdown"}),
    )  # fmt: skip


def _sp500_line(ctx: ReportContext, tested) -> Any:
    """Growth of $1 in the S&P 500 total return (SPY) from the earliest position start."""
    from bubblemachine.trades.spec import load_instruments

    inst = load_instruments()
    if not tested or not ctx.store.has(inst.calendar):
        return None
    start = min(r.nav.index[0] for r in tested)
    end = max(r.nav.index[-1] for r in tested)
    p = ctx.store.series(inst.calendar, asof=ctx.asof).loc[start:end]
    return p / p.iloc[0] if len(p) else None


def _scenario_blocks(payload: dict[str, Any], ctx: ReportContext, order: list[str], titles: dict[str, str],
                     refs: tuple[str, ...]) -> list[Any]:
    from bubblemachine.trades import text

    recs = {(o["strategy"], o["scenario"]): o for o in payload["outcomes"]}
    scen = payload["scenarios"]
    z, tail = [], []
    for sid in order:
        zr, tr = [], []
        for c in scen:
            o = recs.get((sid, c))
            ok = o is not None and o["excess_median"] is not None
            zr.append(round(100 * o["excess_median"], 2) if ok else None)
            tr.append(round(100 * o["excess_p05"], 1) if ok else None)
        z.append(zr)
        tail.append(tr)
    heat = {"type": "heatmap", "z": z, "x": list(scen), "y": list(order), "customdata": tail, "colorscale": "RdBu",
            "zmid": 0, "hoverongaps": False, "colorbar": {"ticksuffix": "%"},
            "hovertemplate": "%{y} | %{x}<br>%{z:+.1f}% (5%: %{customdata:+.0f}%)<extra></extra>"}  # fmt: skip
    caption = _add(ctx, "positions.dyn.heatmap.caption",
                   {lg: text.t("heatmap.caption", lg, paths=payload["paths"], seed=payload["seed"]) for lg in LANGS})
    layout = _layout(height=140 + 28 * len(order), margin={"l": 230, "r": 30, "t": 20, "b": 130},
                     xaxis={"tickangle": -35, "tickmode": "array", "tickvals": list(scen)},
                     yaxis={"autorange": "reversed"}, plot_bgcolor="#d9d9d9")
    ticks = tuple(_scenario_key(ctx, c) for c in scen)  # scenario names in the reader's language
    axis_keys: dict[str, str | tuple[str, ...]] = {"xaxis.title.text": "positions.col.scenario", "xaxis.ticktext": ticks}
    chart = Chart(id="positions_heatmap", title_key="positions.heatmap.title", caption_key=caption, refs=refs,
                  data=[heat], layout=layout, axis_keys=axis_keys)
    rows = []
    for c in scen:
        ranked = sorted(((recs[(sid, c)]["excess_median"], sid) for sid in order
                         if (sid, c) in recs and recs[(sid, c)]["excess_median"] is not None), reverse=True)  # fmt: skip
        if not ranked:
            continue
        (bv, bs), (wv, ws) = ranked[0], ranked[-1]
        rows.append((Label(_scenario_key(ctx, c)), Label(titles[bs]),
                     f"{text.pct(bv, sign=True)} ({text.pct(recs[(bs, c)]['excess_p05'], sign=True, digits=0)})",
                     Label(titles[ws]), f"{text.pct(wv, sign=True)} ({text.pct(recs[(ws, c)]['excess_p05'], sign=True, digits=0)})"))  # fmt: skip
    table = Table(id="positions_winners", title_key="positions.heatmap.tail_title", refs=refs,
                  columns=("positions.col.scenario", "positions.col.best", "positions.col.best_value",
                           "positions.col.worst", "positions.col.best_value"),
                  rows=tuple(rows), caption_key="positions.heatmap.tail_caption")  # fmt: skip
    return [chart, table]


def _scenario_sentence(sid: str, payload: dict[str, Any] | None, ctx: ReportContext) -> dict[str, str] | None:
    from bubblemachine.trades import text

    if payload is None:
        return None
    outs = [o for o in payload["outcomes"] if o["strategy"] == sid]
    if not outs:
        return None
    if not outs[0]["representable"]:
        miss = ", ".join(outs[0]["missing"])
        return {lg: text.t("sentence.scenarios_none", lg, missing=miss) for lg in LANGS}
    vals = [(o["excess_median"], o["scenario"]) for o in outs if o["excess_median"] is not None]
    if not vals:
        return None
    best, worst = max(vals), min(vals)
    name = {c: _scenario_key(ctx, c) for _, c in (best, worst)}
    return {lg: text.t("sentence.scenarios", lg, best=ctx.catalog.t(name[best[1]], lg),
                       best_value=text.pct(best[0], sign=True), worst=ctx.catalog.t(name[worst[1]], lg),
                       worst_value=text.pct(worst[0], sign=True)) for lg in LANGS}  # fmt: skip


def _model_first_day():
    """The first date of the bundled scenarios' model (None when no scenario is installed)."""
    import pandas as pd

    from bubblemachine.scenarios import list_scenarios, runner

    names = list_scenarios()
    if not names:
        return None
    _, model, _ = runner.load(names[0])
    start = (model.calendar or {}).get("start")
    return pd.Timestamp(start) if start else None


def positions_section(ctx: ReportContext) -> Section | None:
    """The positions section (None when no strategy is shipped)."""
    from bubblemachine.trades import text
    from bubblemachine.trades.backtest import benchmark_weights, run_backtest
    from bubblemachine.trades.spec import load_instruments, load_strategies

    strategies = load_strategies()
    if not strategies:
        return None
    bt = run_backtest(strategies, store=ctx.store, end=ctx.asof, progress=False)
    inst = load_instruments()
    titles, benches = {}, {}
    for s in strategies:
        titles[s.id] = _add(ctx, f"positions.dyn.{s.id}.title", {"en": s.title_en, "ko": s.title_ko})
        b = inst.benchmarks.get(s.benchmark)
        blab = {"en": b.label_en, "ko": b.label_ko} if b else {lg: inst.label(s.benchmark, lg) for lg in LANGS}
        benches[s.id] = _add(ctx, f"positions.dyn.{s.id}.bench", blab)
    payload = None
    first_day = _model_first_day()
    if first_day is not None and (ctx.asof is None or ctx.asof >= first_day):
        payload = scenario_table(strategies)
    blocks: list[Any] = [Text("positions.section.not_advice"), Text("positions.section.method"),
                         _metrics_table(bt, ctx, titles)]  # fmt: skip
    blocks += list(_curves(bt, ctx, titles))
    order = [s.id for s in strategies]
    if payload is not None:
        refs = tuple(dict.fromkeys(r for s in strategies for r in s.refs))
        blocks += _scenario_blocks(payload, ctx, order, titles, refs)
    for r in bt.results:
        sid = r.strategy.id
        blocks.append(Text(_add(ctx, f"positions.dyn.{sid}.article", {lg: text.article_sentence(r, lg) for lg in LANGS})))
        res = {lg: text.result_sentence(r, lg, ctx.catalog.messages[lg][benches[sid]]) for lg in LANGS}
        extra = _scenario_sentence(sid, payload, ctx)
        if extra:
            res = {lg: f"{res[lg]} {extra[lg]}" for lg in LANGS}
        blocks.append(Text(_add(ctx, f"positions.dyn.{sid}.result", res)))
    used: set[str] = {inst.calendar, inst.cash_rate}
    for s in strategies:
        for n in list(s.instruments) + [n for n, _ in benchmark_weights(inst, s.benchmark)[0]]:
            if n in inst.baskets:
                used |= set(inst.baskets[n].members)
            elif n in inst.bonds:
                used.add(inst.bonds[n].yield_series)
            else:
                used.add(n)
        if s.signal is not None:
            from bubblemachine.trades.signals import INPUTS

            used |= {sid for c in s.signal.when for sid in INPUTS[c.indicator]}
    return Section("positions", "positions.section.title", "positions.section.intro", tuple(blocks), order=75,
                   series=tuple(sorted(used)))  # fmt: skip


def write_shipped(out: Path = SHIPPED_DIR) -> Path:
    """Simulate the report's scenario table for the shipped strategies and bundled scenarios
    and write it to ``out/<key>.json``, removing tables that no longer match."""
    from bubblemachine._io import atomic_write_text
    from bubblemachine.scenarios import list_scenarios, runner
    from bubblemachine.trades.spec import load_strategies

    strategies = load_strategies()
    names = list_scenarios()
    _, model, _ = runner.load(names[0])
    d = model.run_defaults
    key = scenario_key(strategies, names, paths=REPORT_PATHS, seed=d.seed if d.seed is not None else 0,
                       horizon=d.periods or 252)  # fmt: skip
    payload = scenario_table(strategies, use_cache=False)
    target = out / f"{key}.json"
    atomic_write_text(target, json.dumps(payload, sort_keys=True))
    for old in out.glob("*.json"):
        if old != target:
            old.unlink()
    return target


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    print(write_shipped())
