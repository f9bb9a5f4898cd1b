"""Light chart specs of the claim tests (turned into plotly figures by the report section).

A spec is a plain dict: ``{"kind": "line"|"bar"|"grouped_bar", "x": [...], "series":
{name: [...]}, "y_title": ...}`` with optional ``low``/``high`` error bars, ``shade``
(date ranges) and ``log_y``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from bubblemachine.claims.inputs import day


def clean(v: float | None, digits: int = 6) -> float | None:
    """A float rounded for a chart, or None when missing or not finite."""
    if v is None:
        return None
    v = float(v)
    return round(v, digits) if np.isfinite(v) else None


def line_chart(series: Mapping[str, pd.Series], *, y_title: str, weekly: bool = True, digits: int = 4) -> dict[str, Any]:
    """A line chart spec (long daily histories thinned to Friday weeks)."""
    df = pd.DataFrame(dict(series))
    if weekly and len(df) > 600:
        df = df.resample("W-FRI").last()
    df = df.dropna(how="all")
    return {
        "kind": "line",
        "x": [day(d) for d in df.index],
        "series": {k: [clean(v, digits) for v in df[k].to_numpy()] for k in df.columns},
        "y_title": y_title,
    }


def bar_chart(values: Mapping[str, float], *, y_title: str, low: Mapping[str, float] | None = None, high: Mapping[str, float] | None = None) -> dict[str, Any]:
    """A bar chart spec with optional error bars."""
    keys = list(values)
    spec: dict[str, Any] = {"kind": "bar", "x": keys, "series": {"value": [clean(values[k]) for k in keys]}, "y_title": y_title}
    if low is not None and high is not None:
        spec["low"] = [clean(low[k]) for k in keys]
        spec["high"] = [clean(high[k]) for k in keys]
    return spec


def group_chart(series: Mapping[str, list[float]], *, x: list[str], y_title: str, digits: int = 6) -> dict[str, Any]:
    """A grouped bar chart spec: one trace per series (trace names are translated, x labels
    should be language-neutral: tickers, dates)."""
    return {"kind": "grouped_bar", "x": list(x), "series": {k: [clean(v, digits) for v in vs] for k, vs in series.items()}, "y_title": y_title}
