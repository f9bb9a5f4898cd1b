"""Reading and validating time-series CSV files (the layout of ``shared/data``).

Every file has a date column (ISO ``YYYY-MM-DD``) and numeric value columns; empty cells
are missing values. Validation errors name the file, the line, the column and the value.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from bubblemachine.errors import DataError

#: Observation dates outside these years are refused (placeholders such as 9999-12-31).
FIRST_YEAR, LAST_YEAR = 1700, 2199
#: Longest cell text quoted in full in an error message (longer ones are shortened).
SHOWN_MAX = 60

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
    path = Path(path)
    text = _read_text(path)  # encoding, NUL bytes and the header first: no pandas needed to refuse those
    header = _header(path, text)

    import numpy as np
    import pandas as pd

    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.ParserError as exc:
        raise DataError(f"{path}: not a readable CSV file ({' '.join(str(exc).split())})") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty") from None
    raw.columns = header if len(header) == len(raw.columns) else [str(c).strip() for c in raw.columns]
    if date_column not in raw.columns:
        hint = ""
        if len(header) == 1 and any(sep in header[0] for sep in (";", "\t", "|")):
            sep = next(s for s in (";", "\t", "|") if s in header[0])
            hint = f"; the file seems separated by {sep!r}: Bubble Machine reads comma-separated files"
        elif any(c.lower() == date_column for c in header):
            hint = f"; column names are case-sensitive: rename it {date_column!r}"
        raise DataError(
            f"{path}: line 1: missing column {date_column!r} (columns: {', '.join(shown(c)[1:-1] for c in raw.columns)}){hint}"
        )
    missing_keys = [k for k in keys if k not in raw.columns]
    if missing_keys:
        raise DataError(f"{path}: line 1: missing key column(s) {missing_keys}")
    if len(raw) == 0:
        raise DataError(f"{path}: no data rows")

    dates = pd.to_datetime(raw[date_column].str.strip(), format="%Y-%m-%d", errors="coerce")
    years = dates.dt.year
    bad = np.flatnonzero((dates.isna() | (years < FIRST_YEAR) | (years > LAST_YEAR)).to_numpy())
    if bad.size:
        i = int(bad[0])
        value = raw[date_column].iloc[i]
        why = "is not a date (expected YYYY-MM-DD)"
        if not pd.isna(dates.iloc[i]):
            why = f"is outside {FIRST_YEAR}..{LAST_YEAR} (a placeholder or a typo?)"
        raise DataError(f"{path}: line {i + 2}: column {date_column!r}: value {shown(value)} {why}")
    out = {"date": dates}
    skip = {date_column, *keys, *text_columns}
    for key in (*keys, *text_columns):
        out[key] = raw[key].astype(str)
    for col in raw.columns:
        if col in skip:
            continue
        cells = raw[col].str.strip()
        cells = cells.mask(cells.isin(["", "."]))
        values = pd.to_numeric(cells, errors="coerce")
        bad = np.flatnonzero((values.isna() & cells.notna()).to_numpy())
        if bad.size:
            i = int(bad[0])
            raise DataError(
                f"{path}: line {i + 2}: column {col!r}: value {shown(raw[col].iloc[i])} is not a number"
            )
        values = values.astype("float64")
        inf = np.flatnonzero(np.isinf(values.to_numpy()))
        if inf.size:
            i = int(inf[0])
            raise DataError(
                f"{path}: line {i + 2}: column {col!r}: value {shown(raw[col].iloc[i])} is not finite "
                "(too large for a float, or infinite)"
            )
        out[col] = values
    frame = pd.DataFrame(out)
    value_cols = [c for c in frame.columns if c not in ("date", *keys, *text_columns)]
    if not value_cols:
        raise DataError(f"{path}: no value columns besides {date_column!r}")
    check_order(frame, keys=keys, where=str(path), line_offset=2)
    return frame


def shown(value: object) -> str:
    """``repr`` of a cell for an error message, shortened to :data:`SHOWN_MAX` characters."""
    text = str(value)
    if len(text) > SHOWN_MAX:
        return repr(text[: SHOWN_MAX - 3] + "...") + f" ({len(text):,} characters)"
    return repr(text)


def _read_text(path: Path) -> str:
    """The file's text: UTF-8 (a byte-order mark is fine); DataError naming the line otherwise."""
    try:
        if not path.exists():
            raise DataError(f"{path}: no such file or folder")
        if not path.is_file():
            raise DataError(f"{path}: not a regular file")
        data = path.read_bytes()
    except OSError as exc:
        from bubblemachine._io import describe

        raise DataError(describe(exc, path)) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(f"{path}: the file is UTF-16 text; save it as UTF-8 (CSV UTF-8)")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise DataError(f"{path}: line {line}: a NUL byte: this is a binary file, not CSV text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError(
            f"{path}: line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        ) from None


def _header(path: Path, text: str) -> list[str]:
    """The column names of line 1, stripped; DataError for an empty file, a nameless or repeated column."""
    first = next((ln for ln in text.splitlines() if ln.strip()), None)
    if first is None:
        raise DataError(f"{path}: the file is empty")
    names = [c.strip() for c in next(csv.reader([first], skipinitialspace=True))]
    seen: set[str] = set()
    for i, name in enumerate(names, start=1):
        if not name:
            raise DataError(f"{path}: line 1: column {i} has no name")
        if name in seen:
            raise DataError(f"{path}: line 1: column {name!r} appears twice")
        seen.add(name)
    return names


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
