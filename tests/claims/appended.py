"""A store with synthetic rows appended after the snapshot's end (2025-11-14), built the way a
user would: CSV files laid out like the shipped data, imported with ``data import``.

Every series a claim reads gets rows after its last observation up to ``END`` at its own
frequency (business days for markets, every day for crypto, Wednesdays/Saturdays for weekly
series, month and quarter starts for macro data, one capex row per company and quarter).
Values continue the last observation with a small seeded random walk, so nothing before the
snapshot's end changes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

END = "2026-06-30"
FIRST_NEW = "2025-11-15"


def _future_dates(index: pd.DatetimeIndex, end: pd.Timestamp) -> pd.DatetimeIndex:
    idx = pd.DatetimeIndex(index).unique().sort_values()
    last = idx[-1]
    step = pd.Series(idx[-30:]).diff().median()
    if step <= pd.Timedelta(days=1):
        weekends = (idx[-60:].day_of_week >= 5).any()
        return pd.date_range(last + pd.Timedelta(days=1), end, freq="D" if weekends else "B")
    if step <= pd.Timedelta(days=8):
        return pd.date_range(last + pd.Timedelta(days=7), end, freq="7D")
    if step <= pd.Timedelta(days=32):
        return pd.date_range(last + pd.DateOffset(months=1), end, freq="MS")
    return pd.date_range(last + pd.DateOffset(months=3), end, freq="QS")


def _extend(frame: pd.DataFrame, end: pd.Timestamp, rng: np.random.Generator) -> pd.DataFrame:
    new = _future_dates(frame.index, end)
    last = frame.iloc[-1]
    rows = []
    level = 1.0
    for _ in new:
        level *= float(np.exp(0.01 * rng.standard_normal()))
        rows.append({c: (float(last[c]) * level if pd.api.types.is_number(last[c]) and pd.notna(last[c]) else last[c]) for c in frame.columns})
    ext = pd.DataFrame(rows, index=pd.DatetimeIndex(new, name="date"), columns=frame.columns)
    return pd.concat([frame, ext])


def _extend_capex(panel: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    rows = []
    for _, g in panel.groupby("company"):
        last = g.sort_index().iloc[-1]
        q = pd.Period(last["calendar_quarter"], freq="Q")
        for k in range(1, 4):
            qq = q + k
            day = qq.to_timestamp(how="end").normalize()
            if day > end:
                break
            row = last.copy()
            row["calendar_quarter"] = str(qq)
            row["period_start"] = f"{qq.to_timestamp(how='start'):%Y-%m-%d}"
            row["filed"] = f"{day + pd.Timedelta(days=30):%Y-%m-%d}"
            row["capex_usd"] = float(last["capex_usd"]) * (1.0 + 0.05 * k)
            rows.append(row.rename(day))
    ext = pd.DataFrame(rows)
    ext.index.name = "date"
    return pd.concat([panel, ext])


def build(home: Path, series: set[str], *, end: str = END, seed: int = 7) -> Path:
    """Write extended copies of ``series`` as CSV files under ``home/csv`` and import them into
    the store at ``home``; returns the CSV folder."""
    from bubblemachine.data import Store
    from bubblemachine.data.catalog import spec_for_file
    from bubblemachine.data.importer import import_path

    snap = Store(home)
    rng = np.random.default_rng(seed)
    out = home / "csv"
    out.mkdir(parents=True, exist_ok=True)
    stop = pd.Timestamp(end)
    for sid in sorted(series):
        meta = snap.meta(sid)
        frame = snap.frame(sid)
        ext = _extend_capex(frame, stop) if meta.keys else _extend(frame, stop, rng)
        date_column = spec_for_file(meta.file).date_column
        ext.rename_axis(date_column).reset_index().to_csv(out / meta.file, index=False, date_format="%Y-%m-%d")
    import_path(out, store=snap)
    return out
