"""Reading and validating time-series CSV files (the layout of ``shared/data``).

Every file has a date column (ISO ``YYYY-MM-DD``) and numeric value columns; empty cells
are missing values. Validation errors name the file, the line, the column and the value.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bubblemachine.errors import DataError

if TYPE_CHECKING:
    import pandas as pd


def read_csv(
    path: str | Path,
    *,
    date_column: str = "date",
    keys: tuple[str, ...] = (),
    text_columns: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Read and validate one CSV file.

    Args:
        path: the CSV file.
        date_column: the column holding the observation date (renamed ``date``).
        keys: extra key columns for panel data (several rows per date, one per key).
        text_columns: non-numeric columns kept as text (besides ``keys``).

    Returns:
        A DataFrame with a ``date`` column (datetime64), the key and text columns, and
        float64 value columns, sorted by date (and keys).

    Raises:
        DataError: naming the file, line, column and value of the first problem found.
    """
    import numpy as np
    import pandas as pd

    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not a readable CSV file ({exc})") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    if date_column not in raw.columns:
        raise DataError(
            f"{path}: line 1: missing column {date_column!r} (columns: {', '.join(raw.columns)})"
        )
    missing_keys = [k for k in keys if k not in raw.columns]
    if missing_keys:
        raise DataError(f"{path}: line 1: missing key column(s) {missing_keys}")
    if len(raw) == 0:
        raise DataError(f"{path}: no data rows")

    dates = pd.to_datetime(raw[date_column].str.strip(), format="%Y-%m-%d", errors="coerce")
    bad = np.flatnonzero(dates.isna().to_numpy())
    if bad.size:
        i = int(bad[0])
        raise DataError(
            f"{path}: line {i + 2}: column {date_column!r}: value {raw[date_column].iloc[i]!r} "
            "is not a date (expected YYYY-MM-DD)"
        )
    out = {"date": dates}
    skip = {date_column, *keys, *text_columns}
    for key in (*keys, *text_columns):
        out[key] = raw[key].astype(str)
    for col in raw.columns:
        if col in skip:
            continue
        text = raw[col].str.strip()
        text = text.mask(text.isin(["", "."]))
        values = pd.to_numeric(text, errors="coerce")
        bad = np.flatnonzero((values.isna() & text.notna()).to_numpy())
        if bad.size:
            i = int(bad[0])
            raise DataError(
                f"{path}: line {i + 2}: column {col!r}: value {raw[col].iloc[i]!r} is not a number"
            )
        out[col] = values.astype("float64")
    frame = pd.DataFrame(out)
    value_cols = [c for c in frame.columns if c not in ("date", *keys, *text_columns)]
    if not value_cols:
        raise DataError(f"{path}: no value columns besides {date_column!r}")
    check_order(frame, keys=keys, where=str(path), line_offset=2)
    return frame


def check_order(
    frame: pd.DataFrame,
    *,
    keys: tuple[str, ...] = (),
    where: str,
    line_offset: int = 2,
    label: str = "line",
) -> None:
    """Raise DataError unless dates are sorted (within each key) and unique (per key).

    Args:
        frame: a frame with a ``date`` column (and ``keys`` columns), default index.
        keys: key columns of panel data (dates are checked per key).
        where: the file or series named in the message.
        line_offset: added to the row position to give the line (2 for a CSV with header).
        label: "line" (files) or "row" (frames).
    """
    import numpy as np

    if keys:
        dup = frame.duplicated(subset=["date", *keys]).to_numpy()
    else:
        dup = frame["date"].duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise DataError(
            f"{where}: {label} {i + line_offset}: column 'date': value "
            f"{frame['date'].iloc[i]:%Y-%m-%d} is duplicated"
        )
    groups = frame.groupby(list(keys), sort=False) if keys else [((), frame)]
    for _, g in groups:
        d = g["date"].to_numpy()
        back = np.flatnonzero(d[1:] < d[:-1])
        if back.size:
            i = int(g.index[back[0] + 1])
            raise DataError(
                f"{where}: {label} {i + line_offset}: column 'date': value "
                f"{frame['date'].iloc[i]:%Y-%m-%d} is earlier than the row before (dates must be sorted)"
            )
