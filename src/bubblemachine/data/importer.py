"""Importing CSV files into the user's store (``bubblemachine data import PATH``).

A file (or every ``*.csv`` of a directory) laid out like ``shared/data`` is read, validated
and written to the user's store. File names map to series ids through
:func:`~bubblemachine.data.catalog.series_id_for_file` (``fred_WALCL.csv`` -> ``WALCL``).

Policy (see ``docs/design/data-store.md``): an imported file **replaces** that series in
the user's store as a whole (no row-by-row merge); the report counts the rows added,
changed and removed relative to what was visible before (the user's store or the
snapshot). A directory is imported all-or-nothing: every file is validated first and all
series are committed with one manifest replacement. Series identical to what is already
visible are not written again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bubblemachine.data.catalog import check_units, series_id_for_file, spec_for_file
from bubblemachine.data.csvio import read_csv
from bubblemachine.data.ids import check_series_id
from bubblemachine.data.store import Store, open_store, sha256_file
from bubblemachine.errors import DataError

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd

FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "annual", "irregular")

#: Units a user may declare for an imported series (an annotation in parentheses may follow,
#: e.g. ``USD billions (chained 2017)``). Anything else is a typo until proven otherwise.
KNOWN_UNITS = (
    "USD", "USD thousands", "USD millions", "USD billions", "USD trillions",
    "percent", "percentage points", "basis points", "index points", "index", "ratio",
    "number", "thousands", "millions", "billions", "persons", "shares", "contracts",
    "days", "years", "indicator (0/1)", "mixed (see columns)",
)


def check_import_units(units: str, *, where: str = "--units") -> str:
    """``units`` if it is one of :data:`KNOWN_UNITS` (plus an optional annotation); DataError listing them."""
    units = (units or "").strip()
    if not units:
        check_units(units, where=where)  # the "units not declared" message
    base = units if units in KNOWN_UNITS else units.split(" (")[0].strip()
    if base not in KNOWN_UNITS:
        raise DataError(f"{where}: {units!r} is not a known unit; use one of {', '.join(KNOWN_UNITS)}")
    return units


@dataclass(frozen=True)
class ImportResult:
    """What importing one file did.

    Attributes:
        id: the series id.
        file: the CSV file read.
        rows: rows in the imported file.
        added: dates (or date/key pairs) new relative to the previous version.
        changed: dates present before whose values differ.
        removed: dates present before and absent from the file.
        previous: where the previous version came from: "store", "snapshot" or "" (new).
        written: False when the file equals what was already visible (nothing written).
        units: the series' units.
    """

    id: str
    file: str
    rows: int
    added: int
    changed: int
    removed: int
    previous: str
    written: bool
    units: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def import_path(
    path: str | Path,
    *,
    store: Store | None = None,
    units: str | None = None,
    title: str | None = None,
    frequency: str | None = None,
    series_id: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[ImportResult]:
    """Import a CSV file or a directory of CSV files into the user's store.

    Args:
        path: a ``.csv`` file, or a directory whose ``*.csv`` files are all imported.
        store: the store to write (default :func:`open_store`).
        units: units of files that are neither in the catalogue nor already in the store
            (e.g. ``"USD millions"``, ``"percent"``); must match the catalogue if given for
            a catalogued series.
        title: title for such files (default: the series id).
        frequency: daily | weekly | monthly | quarterly | annual | irregular (default:
            inferred from the median spacing of dates).
        series_id: the id to store a single file under (default: from the file name).
        progress: optional callable ``(file name) -> None`` called per file read.

    Returns:
        One :class:`ImportResult` per file, sorted by file name.

    Raises:
        DataError: naming file, line, column and value for a bad file; nothing is written
            unless every file is valid.
    """
    src = Path(path).expanduser()
    if src.is_dir():
        files = sorted(p for p in src.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
        if not files:
            raise DataError(f"{src}: no .csv files in this folder")
        if series_id is not None:
            raise DataError(f"{src}: --id applies to a single file, not a folder")
    elif src.is_file():
        files = [src]
    elif src.exists():
        raise DataError(f"{src}: not a regular file (a CSV file or a folder of them is expected)")
    else:
        raise DataError(f"{src}: no such file or folder")
    if frequency is not None and frequency not in FREQUENCIES:
        raise DataError(f"--frequency: value {frequency!r} not one of {', '.join(FREQUENCIES)}")
    if units is not None:
        units = check_import_units(units, where="--units")
    if series_id is not None:
        check_series_id(series_id, where="--id")
    store = store if store is not None else open_store()

    planned: list[tuple[Path, pd.DataFrame, dict[str, Any]]] = []
    seen: dict[str, Path] = {}
    for f in files:
        if progress:
            progress(f.name)
        frame, meta = _read_one(f, store=store, units=units, title=title, frequency=frequency, series_id=series_id)
        if meta["id"] in seen:
            raise DataError(f"{f}: maps to series {meta['id']}, as does {seen[meta['id']].name}")
        seen[meta["id"]] = f
        planned.append((f, frame, meta))

    results: list[ImportResult] = []
    to_write: list[tuple[pd.DataFrame, dict[str, Any]]] = []
    for f, frame, meta in planned:
        sid = meta["id"]
        previous = store.meta(sid).origin if store.has(sid) else ""
        old = store.frame(sid).reset_index() if previous else None
        added, changed, removed = diff_frames(old, frame, keys=tuple(meta.get("keys", ())))
        same = old is not None and added == changed == removed == 0 and list(old.columns) == list(frame.columns)
        if not same:
            to_write.append((frame, meta))
        results.append(ImportResult(sid, str(f), len(frame), added, changed, removed, previous, not same, meta["units"]))
    if to_write:
        store.write(to_write)
    return results


def _read_one(
    f: Path, *, store: Store, units: str | None, title: str | None, frequency: str | None, series_id: str | None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    spec = spec_for_file(f.name) if series_id is None else None
    sid = series_id or (spec.id if spec else series_id_for_file(f.name))
    if series_id is None and spec is None:
        try:
            check_series_id(sid)
        except DataError:
            raise DataError(
                f"{f}: the file name gives no usable series id ({sid!r}); name the series with --id, "
                "e.g. --id MY_SERIES"
            ) from None
    if spec is not None:
        if units is not None and units != spec.units:
            raise DataError(
                f"{f}: series {sid} is catalogued in {spec.units!r}; --units {units!r} disagrees "
                "(convert the file, or import it under another id with --id)"
            )
        frame = read_csv(f, date_column=spec.date_column, keys=spec.keys, text_columns=spec.text_columns)
        if spec.keys:
            frame = frame.sort_values(["date", *spec.keys], kind="stable").reset_index(drop=True)
        if spec.primary and spec.primary not in frame.columns:
            raise DataError(f"{f}: line 1: missing column {spec.primary!r} (the primary column of {sid})")
        meta = {
            "id": sid, "title": title or spec.title, "units": spec.units,
            "frequency": frequency or spec.frequency, "publisher": spec.publisher,
            "licence": spec.licence, "keys": spec.keys, "text_columns": spec.text_columns,
            "primary": spec.primary, "live": spec.live,
        }
    else:
        frame = read_csv(f)
        known = store.meta(sid) if store.has(sid) else None
        if units is None and known is None:
            raise DataError(
                f"{f}: series {sid} is not in the catalogue: give its units with --units "
                "(e.g. 'USD millions', 'percent', 'index points')"
            )
        if units is not None and known is not None and units != known.units:
            raise DataError(f"{f}: series {sid} is stored in {known.units!r}; --units {units!r} disagrees")
        meta = {
            "id": sid, "title": title or (known.title if known else sid),
            "units": units or known.units,
            "frequency": frequency or (known.frequency if known else infer_frequency(frame["date"])),
            "publisher": known.publisher if known else "user import",
            "licence": known.licence if known else "",
            "live": known.live if known and known.live else _live_from_name(f.name, sid),
        }
    meta["file"] = f.name
    meta["source"] = f"imported from {f.resolve()} (sha256 {sha256_file(f)[:12]})"
    return frame, meta


def _live_from_name(name: str, sid: str) -> str:
    """A live source implied by a shared/data-style file name (fred_X.csv, px_X.csv), else ""."""
    if name.startswith("fred_"):
        return f"fred:{sid}"
    if name.startswith("px_ohlcv_"):
        return f"yahoo:{sid.removesuffix('_OHLCV')}"
    if name.startswith("px_"):
        return f"yahoo:{sid}"
    return ""


def infer_frequency(dates: pd.Series) -> str:
    """Guess daily/weekly/monthly/quarterly/annual/irregular from the median spacing of dates."""
    if len(dates) < 3:
        return "irregular"
    days = float(dates.sort_values().diff().dt.days.median())
    for limit, name in ((4, "daily"), (8, "weekly"), (35, "monthly"), (100, "quarterly"), (370, "annual")):
        if days <= limit:
            return name
    return "irregular"


def diff_frames(old: pd.DataFrame | None, new: pd.DataFrame, *, keys: tuple[str, ...] = ()) -> tuple[int, int, int]:
    """Rows added, changed and removed going from ``old`` to ``new`` (both with a date column).

    Rows are matched on the date (and key columns); a row is *changed* when a value column
    both frames share differs (two missing values are equal).
    """
    import numpy as np
    import pandas as pd

    if old is None:
        return len(new), 0, 0
    on = ["date", *keys]
    a = old.set_index(on)
    b = new.set_index(on)
    common = a.index.intersection(b.index)
    added = int(len(b.index.difference(a.index)))
    removed = int(len(a.index.difference(b.index)))
    ia = a.index.get_indexer(common)
    ib = b.index.get_indexer(common)
    changed_mask = np.zeros(len(common), dtype=bool)
    for c in (c for c in b.columns if c in a.columns):
        x = a[c].to_numpy()[ia]
        y = b[c].to_numpy()[ib]
        both_missing = pd.isna(x) & pd.isna(y)
        changed_mask |= ~(x == y) & ~both_missing
    return added, int(changed_mask.sum()), removed
