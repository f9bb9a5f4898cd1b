"""The report's core sections: the monitor on real data (liquidity, rates, systematic, AI).

Each provider reads :meth:`ReportContext.monitor` (computed once) and returns a
:class:`Section` of plotly figure dicts. Figures are plain dicts (no ``plotly.graph_objects``
import), dates as ISO strings, values rounded, histories from ``CHART_START``.
"""

from __future__ import annotations

import math
from typing import Any

from bubblemachine.report.sections import Chart, Label, ReportContext, Section, Table, Text

CHART_START = "2015-01-01"
"""First date shown on long-history charts."""

FLIP_BAND = 0.30
"""Flip levels further than this fraction from the last price are listed but not drawn."""

SUMMARY_IDS: tuple[str, ...] = (
    "net_liquidity", "net_liquidity_chg4w", "tga", "on_rrp", "reserves",
    "ust10y", "ust2y", "real10y", "hy_oas", "ig_oas",
    "vix", "vix_vix3m_ratio", "vol_target_exposure", "cta_signal",
    "ai_vs_rsp", "btc", "hyperscaler_capex", "hyperscaler_capex_yoy",
)  # fmt: skip

UNITS_KEYS: dict[str, str] = {
    "USD billions": "units.usd_bn",
    "USD billions a quarter": "units.usd_bn_quarter",
    "percent": "units.percent",
    "percent a year": "units.percent_year",
    "index points": "units.index_points",
    "ratio": "units.ratio",
    "flag (1 = inverted)": "units.flag_inverted",
    "multiple of capital": "units.multiple",
    "forecast (-20..20)": "units.forecast",
    "USD": "units.usd",
    "correlation": "units.correlation",
}
"""Indicator units (as in :mod:`bubblemachine.indicators`) -> catalog key of their label."""

COLORS = ("#1f77b4", "#d62728", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b")


def _xy(s, *, start: str | None = CHART_START, digits: int = 4) -> dict[str, list]:
    import pandas as pd

    if start is not None:
        s = s.loc[pd.Timestamp(start) :]
    s = s.dropna()
    return {
        "x": [f"{d:%Y-%m-%d}" for d in s.index],
        "y": [round(float(v), digits) for v in s.to_numpy()],
    }


def _weekly(s, *, start: str | None = CHART_START):
    """Last observation of each week (weeks end on Friday), dated by its own date, never later."""
    import pandas as pd

    if start is not None and len(s):
        s = s.loc[pd.Timestamp(start) :]
    s = s.dropna()
    if s.empty:
        return s
    return s.groupby(s.index.to_period("W-FRI")).tail(1)


def _line(
    name_key: str, s, *, color: str, yaxis: str = "y", width: float = 1.6, digits: int = 4, **extra
) -> dict[str, Any]:
    return {"type": "scatter", "mode": "lines", "name": name_key, "yaxis": yaxis,
            "line": {"color": color, "width": width}, **_xy(s, start=None, digits=digits), **extra}  # fmt: skip


def _layout(**extra) -> dict[str, Any]:
    base: dict[str, Any] = {
        "margin": {"l": 70, "r": 70, "t": 20, "b": 40},
        "height": 380,
        "hovermode": "x unified",
        "legend": {"orientation": "h", "y": -0.15},
        "template": "plotly_white",
    }
    base.update(extra)
    return base


def units_label(units: str):
    """The catalog Label of an indicator's units (literal text if it has none)."""
    if units.startswith("index (100 = "):
        return Label("units.rebased")
    return Label(UNITS_KEYS[units]) if units in UNITS_KEYS else units


def window_start(ctx: ReportContext, default: str = CHART_START):
    """First date of a long-history chart: ``default``, or 8 years before an early ``asof``."""
    import pandas as pd

    start = pd.Timestamp(default)
    if ctx.asof is not None and ctx.asof < start + pd.DateOffset(years=3):
        return ctx.asof - pd.DateOffset(years=8)
    return start


def _num(v: float) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v), 4)


# ------------------------------------------------------------------------------ summary
def summary_section(ctx: ReportContext) -> Section:
    """Today's monitor as one table (value, 4-week change, date)."""
    m = ctx.monitor()
    rows = []
    for iid in SUMMARY_IDS:
        ind = m[iid]
        rows.append(
            (
                Label(ind.label_key),
                _num(ind.value),
                units_label(ind.units),
                _num(ind.change(28)),
                ind.asof,
            )
        )
    table = Table(
        id="monitor",
        title_key="summary.table_title",
        columns=("col.indicator", "col.value", "col.units", "col.change_4w", "col.asof"),
        rows=tuple(rows),
        refs=("M2.1", "M3.1", "M6.1", "M6.2"),
    )
    return Section("summary", "summary.title", "summary.intro", (table,), order=10)


# ------------------------------------------------------------------------------ liquidity
def liquidity_section(ctx: ReportContext) -> Section:
    """Net liquidity with SPX and BTC; its components (M2.1, C2.1); crypto correlation."""

    from bubblemachine.indicators.ai import rebase
    from bubblemachine.indicators.liquidity import asof_align

    m = ctx.monitor()
    w0 = window_start(ctx)
    nl = m["net_liquidity"].history.loc[w0:]
    spx = m["spx"].history
    btc = m["btc"].history
    start = nl.index[0] if len(nl) else None
    spx_w = rebase(asof_align(spx, nl.index), start=start) if start is not None else spx.iloc[:0]
    btc_w = rebase(asof_align(btc, nl.index), start=start) if start is not None else btc.iloc[:0]
    net = Chart(
        id="net_liquidity",
        title_key="chart.net_liquidity.title",
        caption_key="chart.net_liquidity.caption",
        refs=("M2.1", "C2.1"),
        data=[
            _line("trace.net_liquidity", nl, color=COLORS[0], width=2.2, digits=1),
            _line("trace.spx_rebased", spx_w, color=COLORS[1], yaxis="y2", digits=2),
            _line("trace.btc_rebased", btc_w, color=COLORS[2], yaxis="y2", digits=2),
        ],
        layout=_layout(
            yaxis2={
                "overlaying": "y",
                "side": "right",
                "type": "log",
                "dtick": 1,
                "showgrid": False,
            }
        ),
        axis_keys={"yaxis.title.text": "axis.usd_bn", "yaxis2.title.text": "axis.rebased_log"},
    )
    comp_ids = (
        ("fed_assets", "trace.fed_assets"),
        ("tga", "trace.tga"),
        ("on_rrp", "trace.on_rrp"),
        ("reserves", "trace.reserves"),
    )
    comps = Chart(
        id="liquidity_components",
        title_key="chart.liquidity_components.title",
        caption_key="chart.liquidity_components.caption",
        refs=("M2.1", "M1.2", "M2.6"),
        data=[
            _line(key, _weekly(m[iid].history, start=w0), color=COLORS[i], digits=1)
            for i, (iid, key) in enumerate(comp_ids)
        ],
        layout=_layout(),
        axis_keys={"yaxis.title.text": "axis.usd_bn"},
    )
    corr = Chart(
        id="crypto_liquidity",
        title_key="chart.crypto_liquidity.title",
        caption_key="chart.crypto_liquidity.caption",
        refs=("C2.1",),
        data=[
            _line(
                "trace.btc_corr",
                m["btc_netliq_corr"].history.loc[w0:],
                color=COLORS[2],
                digits=3,
            ),
            _line(
                "trace.eth_corr",
                m["eth_netliq_corr"].history.loc[w0:],
                color=COLORS[4],
                digits=3,
            ),
        ],
        layout=_layout(yaxis={"range": [-1, 1], "zeroline": True}),
        axis_keys={"yaxis.title.text": "axis.correlation"},
    )
    return Section(
        "liquidity",
        "liquidity.title",
        "liquidity.intro",
        (net, comps, corr, Text("liquidity.note_units")),
        order=20,
    )


# ------------------------------------------------------------------------------ rates
def rates_section(ctx: ReportContext) -> Section:
    """Yields and credit spreads (M3.1, C2.2)."""
    m = ctx.monitor()
    w0 = window_start(ctx)
    ids = (
        ("ust10y", "trace.ust10y"),
        ("ust2y", "trace.ust2y"),
        ("real10y", "trace.real10y"),
        ("hy_oas", "trace.hy_oas"),
        ("ig_oas", "trace.ig_oas"),
    )
    chart = Chart(
        id="rates_credit",
        title_key="chart.rates_credit.title",
        caption_key="chart.rates_credit.caption",
        refs=("M3.1", "C2.2"),
        data=[
            _line(key, _weekly(m[iid].history, start=w0), color=COLORS[i], digits=3)
            for i, (iid, key) in enumerate(ids)
        ],
        layout=_layout(),
        axis_keys={"yaxis.title.text": "axis.percent"},
    )
    return Section("rates", "rates.title", "rates.intro", (chart,), order=30)


# ------------------------------------------------------------------------------ systematic
def systematic_section(ctx: ReportContext) -> Section:
    """VIX curve (C6.3, M6.5), vol-target exposure (M6.1), CTA signal and flip levels (M6.2)."""
    import pandas as pd

    m = ctx.monitor()
    start = window_start(ctx)
    ratio = m["vix_vix3m_ratio"].history.loc[start:]
    vix = Chart(
        id="vix_ratio",
        title_key="chart.vix_ratio.title",
        caption_key="chart.vix_ratio.caption",
        refs=("C6.3", "M6.5"),
        data=[_line("trace.vix_ratio", ratio, color=COLORS[4], width=1.2)],
        layout=_layout(
            shapes=[
                {
                    "type": "line",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "y0": 1,
                    "y1": 1,
                    "line": {"color": "#d62728", "dash": "dash", "width": 1},
                }
            ]
        ),  # fmt: skip
        axis_keys={"yaxis.title.text": "axis.ratio"},
    )
    vol = Chart(
        id="vol_target",
        title_key="chart.vol_target.title",
        caption_key="chart.vol_target.caption",
        refs=("M6.1", "C6.1"),
        data=[
            _line(
                "trace.exposure",
                m["vol_target_exposure"].history.loc[start:],
                color=COLORS[0],
                width=1.4,
                digits=3,
            ),
            _line(
                "trace.realised_vol",
                m["realised_vol"].history.loc[start:],
                color=COLORS[1],
                yaxis="y2",
                width=1.0,
                digits=2,
            ),
        ],
        layout=_layout(yaxis2={"overlaying": "y", "side": "right", "showgrid": False}),
        axis_keys={"yaxis.title.text": "axis.exposure", "yaxis2.title.text": "axis.vol_pct"},
    )
    cta_ids = [k for k in m if k.startswith("cta_ewmac")]
    cta = Chart(
        id="cta_signal",
        title_key="chart.cta_signal.title",
        caption_key="chart.cta_signal.caption",
        refs=("M6.2",),
        data=[
            _line(
                "trace.cta_combined",
                m["cta_signal"].history.loc[window_start(ctx, "2018-01-01") :],
                color="#000000",
                width=2.0,
                digits=2,
            )
        ]
        + [
            _line(
                f"trace.{iid}",
                m[iid].history.loc[window_start(ctx, "2018-01-01") :],
                color=COLORS[i],
                width=0.8,
                digits=2,
                visible="legendonly",
            )
            for i, iid in enumerate(cta_ids)
        ],
        layout=_layout(yaxis={"range": [-21, 21]}),
        axis_keys={"yaxis.title.text": "axis.forecast"},
    )
    # flip levels: the last year of SPX with each reachable one-day flip level
    spx = m["spx"].history
    last = float(spx.iloc[-1]) if len(spx) else float("nan")
    recent = spx.loc[spx.index[-1] - pd.Timedelta(days=365) :] if len(spx) else spx
    flip_ids = [k for k in m if k.startswith("cta_flip_")]
    rows = []
    flip_traces = [_line("trace.spx", recent, color="#000000", digits=2)]
    for i, iid in enumerate(flip_ids):
        level = m[iid].value
        dist = level / last - 1.0 if last == last else float("nan")
        reachable = level > 0 and abs(dist) <= FLIP_BAND
        speed = iid.removeprefix("cta_flip_")
        fc = m[f"cta_ewmac{speed}"].value
        rows.append((Label(f"trace.cta_ewmac{speed}"), _num(fc), _num(level) if level > 0 else None,
                     _num(100 * dist) if level > 0 else None, Label("flip.reachable" if reachable else "flip.unreachable")))  # fmt: skip
        if reachable and len(recent):  # a dotted horizontal line across the last year
            flip_traces.append({"type": "scatter", "mode": "lines", "name": f"trace.flip_{speed}",
                                "x": [f"{recent.index[0]:%Y-%m-%d}", f"{recent.index[-1]:%Y-%m-%d}"],
                                "y": [round(level, 2)] * 2, "line": {"color": COLORS[i], "dash": "dot", "width": 1.5}})  # fmt: skip
    flips = Chart(
        id="cta_flip_levels",
        title_key="chart.cta_flip_levels.title",
        caption_key="chart.cta_flip_levels.caption",
        refs=("M6.2", "M6.3"),
        data=flip_traces,
        layout=_layout(),
        axis_keys={"yaxis.title.text": "axis.index_points"},
    )
    table = Table(
        id="cta_flip_table",
        title_key="table.flip.title",
        columns=(
            "col.crossover",
            "col.forecast",
            "col.flip_level",
            "col.distance_pct",
            "col.reachable",
        ),
        rows=tuple(rows),
        refs=("M6.2",),
        caption_key="table.flip.caption",
    )
    return Section(
        "systematic",
        "systematic.title",
        "systematic.intro",
        (vix, vol, cta, flips, table),
        order=40,
    )


# ------------------------------------------------------------------------------ AI
def ai_section(ctx: ReportContext) -> Section:
    """AI vs the rest (M1.4, M3.1, C3.2) and hyperscaler capex (F4.2, M2.2)."""
    m = ctx.monitor()
    rel = Chart(
        id="ai_vs_rest",
        title_key="chart.ai_vs_rest.title",
        caption_key="chart.ai_vs_rest.caption",
        refs=("M1.4", "M3.1", "C3.2", "M4.4"),
        data=[
            _line(
                "trace.ai_vs_rsp",
                _weekly(m["ai_vs_rsp"].history, start=None),
                color=COLORS[0],
                digits=2,
            ),
            _line(
                "trace.smh_vs_igv",
                _weekly(m["smh_vs_igv"].history, start=None),
                color=COLORS[1],
                digits=2,
            ),
            _line(
                "trace.mu_vs_igv",
                _weekly(m["mu_vs_igv"].history, start=None),
                color=COLORS[3],
                digits=2,
            ),
        ],
        layout=_layout(yaxis={"type": "log"}),
        axis_keys={"yaxis.title.text": "axis.relative"},
    )
    capex = m["hyperscaler_capex"].history
    yoy = m["hyperscaler_capex_yoy"].history

    capex = capex.loc[window_start(ctx, "2018-01-01") :]
    yoy = yoy.loc[window_start(ctx, "2018-01-01") :]
    cap = Chart(
        id="hyperscaler_capex",
        title_key="chart.hyperscaler_capex.title",
        caption_key="chart.hyperscaler_capex.caption",
        refs=("F4.2", "M2.2", "M2.3"),
        data=[
            {
                "type": "bar",
                "name": "trace.capex",
                "marker": {"color": COLORS[0]},
                **_xy(capex, start=None, digits=2),
            },
            _line(
                "trace.capex_yoy", yoy, color=COLORS[1], yaxis="y2", digits=1, mode="lines+markers"
            ),
        ],
        layout=_layout(
            yaxis2={"overlaying": "y", "side": "right", "showgrid": False}, hovermode="x"
        ),
        axis_keys={"yaxis.title.text": "axis.usd_bn_quarter", "yaxis2.title.text": "axis.yoy_pct"},
    )
    return Section("ai", "ai.title", "ai.intro", (rel, cap, Text("ai.note_basket")), order=50)
