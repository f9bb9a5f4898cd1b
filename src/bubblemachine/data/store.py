"""The data store: Parquet files plus a JSON manifest, layered over the embedded snapshot.

Layout of a store directory (the embedded snapshot uses the same layout)::

    manifest.json            {"format": 1, "series": {ID: {...metadata...}}}
    series/ID-<sha12>.parquet one file per series version, named by its content hash

A write puts the new Parquet file under a new content-addressed name first, then replaces
``manifest.json`` atomically, then removes the files no longer referenced. A process killed
at any moment leaves a manifest that points at complete files: readers see the previous
data or the new data, never a mix. Every read checks the file's SHA-256 against the
manifest.

Reads look in the user's store first (``<home>/store``) and fall back to the snapshot
shipped inside the package.

Point in time: ``frame(sid, asof=D)`` and ``series(sid, asof=D)`` return what was KNOWN on
``D``: the rows whose knowledge date (the series' release rule in the catalogue,
:mod:`bubblemachine.data.release`) is on or before ``D``, not the rows observed by ``D``.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bubblemachine import paths
from bubblemachine._io import atomic_write_bytes, atomic_write_text
from bubblemachine.data.catalog import UNIT_SCALES, primary_column, release_rule
from bubblemachine.errors import DataError, MissingFileError

if TYPE_CHECKING:
    import pandas as pd

MANIFEST = "manifest.json"
FORMAT = 1
SNAPSHOT_DIR = Path(__file__).with_name("snapshot")


@dataclass(frozen=True)
class SeriesMeta:
    """Description of one stored series (one manifest entry)."""

    id: str
    title: str
    units: str
    frequency: str
    publisher: str
    source: str
    licence: str
    first: str
    last: str
    rows: int
    columns: tuple[str, ...]
    primary: str
    checksum: str
    parquet: str
    keys: tuple[str, ...] = ()
    file: str = ""
    origin: str = "snapshot"
    updated: str = ""
    live: str = ""
    refreshed: str = ""

    @property
    def unit_scale(self) -> float | None:
        """Multiplier to plain USD for money units (``USD millions`` -> 1e6), else None."""
        return UNIT_SCALES.get(self.units.split(" (")[0])

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["columns"] = list(self.columns)
        d["keys"] = list(self.keys)
        d["unit_scale"] = self.unit_scale
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], *, origin: str) -> SeriesMeta:
        fields = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        fields["columns"] = tuple(fields.get("columns", ()))
        fields["keys"] = tuple(fields.get("keys", ()))
        fields["origin"] = origin
        return cls(**fields)


RESET_HINT = (
    "run `bubblemachine data verify` to see what is damaged and `bubblemachine data reset` "
    "to drop your store (the embedded snapshot stays; re-run `data import`/`data update`)"
)
SNAPSHOT_HINT = "the installed package is damaged: reinstall bubblemachine"

#: Test hook: seconds to sleep before each file a write puts in the store (crash tests).
ENV_WRITE_DELAY = "BUBBLEMACHINE_TEST_WRITE_DELAY"


def _read_manifest(root: Path, *, hint: str = RESET_HINT) -> dict[str, Any]:
    path = root / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {"format": FORMAT, "series": {}}
    except UnicodeDecodeError:
        raise DataError(f"{path}: the store manifest is corrupt (not UTF-8 text); {hint}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: the store manifest is corrupt (not valid JSON: {exc}); {hint}") from None
    if not isinstance(data, dict) or not isinstance(data.get("series"), dict):
        raise DataError(f"{path}: the store manifest is corrupt (no 'series' table); {hint}")
    for sid, entry in data["series"].items():
        missing = [k for k in ("units", "checksum", "parquet") if not isinstance(entry, dict) or k not in entry]
        if missing:
            raise DataError(
                f"{path}: the store manifest is corrupt (series {sid!r} lacks {', '.join(missing)}); {hint}"
            )
    if data.get("format", FORMAT) > FORMAT:
        raise DataError(
            f"{path}: store format {data['format']} is newer than this bubblemachine understands "
            f"({FORMAT}); upgrade bubblemachine"
        )
    return data


@cache
def snapshot_manifest() -> dict[str, Any]:
    return _read_manifest(SNAPSHOT_DIR, hint=SNAPSHOT_HINT)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Store:
    """The user's store layered over the embedded snapshot.

    Args:
        home: the Bubble Machine home directory (default: :func:`bubblemachine.paths.home`).
        snapshot: also serve the embedded snapshot (default True).
        point_in_time: ``asof`` filters by knowledge date (default True). False filters by
            observation date (each row counts as known the day it is dated): only for
            stores whose files were already cut by knowledge date (tests, replays).
    """

    def __init__(
        self,
        home: str | os.PathLike[str] | None = None,
        *,
        snapshot: bool = True,
        point_in_time: bool = True,
    ):
        self.home = Path(home) if home is not None else paths.home()
        self.root = self.home / "store"
        self.use_snapshot = snapshot
        self.point_in_time = point_in_time
        self._cache: dict[str, pd.DataFrame] = {}
        self._known: dict[str, pd.DatetimeIndex] = {}
        self._manifest_key: tuple[int, int, int] | None = None
        self._manifest: dict[str, Any] | None = None

    # ---------------------------------------------------------------- reading
    def _user_manifest(self) -> dict[str, Any]:
        """The user's manifest, re-read only when the file changed (inode, size, mtime)."""
        try:
            st = (self.root / MANIFEST).stat()
            key = (st.st_ino, st.st_size, st.st_mtime_ns)
        except FileNotFoundError:
            key = None
        if key is None or key != self._manifest_key or self._manifest is None:
            self._manifest = _read_manifest(self.root)
            self._manifest_key = key
        return self._manifest

    def _entries(self) -> dict[str, tuple[dict[str, Any], Path, str]]:
        out: dict[str, tuple[dict[str, Any], Path, str]] = {}
        if self.use_snapshot:
            for sid, e in snapshot_manifest()["series"].items():
                out[sid] = (e, SNAPSHOT_DIR, "snapshot")
        for sid, e in self._user_manifest()["series"].items():
            out[sid] = (e, self.root, "store")
        return out

    def ids(self) -> list[str]:
        """All series ids available (store and snapshot), sorted."""
        return sorted(self._entries())

    def has(self, sid: str) -> bool:
        return sid in self._entries()

    def metas(self) -> list[SeriesMeta]:
        return [SeriesMeta.from_dict(e, origin=o) for _, (e, _, o) in sorted(self._entries().items())]

    def meta(self, sid: str) -> SeriesMeta:
        """The metadata of series ``sid``; DataError naming close matches if unknown."""
        entries = self._entries()
        if sid not in entries:
            raise DataError(_unknown(sid, entries))
        e, _, origin = entries[sid]
        return SeriesMeta.from_dict(e, origin=origin)

    def frame(self, sid: str, *, asof: str | date | None = None) -> pd.DataFrame:
        """All columns of series ``sid`` indexed by date (panel data keep their key columns).

        Args:
            sid: series id (``store.ids()`` lists them).
            asof: keep only the rows KNOWN on this date (knowledge date on or before it,
                per the series' release rule; see :meth:`known`). None: every row.
        """
        import pandas as pd

        df, key = self._load(sid)
        if asof is None:
            return df
        cut = pd.Timestamp(asof)
        if not self.point_in_time:
            return df.loc[:cut]
        return df[self._known_for(sid, key, df) <= cut]

    def known(self, sid: str) -> pd.Series:
        """The knowledge date of each row of ``frame(sid)`` (same index), from its release rule."""
        import pandas as pd

        df, key = self._load(sid)
        dates = self._known_for(sid, key, df) if self.point_in_time else pd.DatetimeIndex(df.index)
        return pd.Series(dates, index=df.index, name="known")

    def release(self, sid: str):
        """The :class:`~bubblemachine.data.release.ReleaseRule` of series ``sid``."""
        self.meta(sid)  # unknown ids: the usual named error
        return release_rule(sid)

    def first_known(self, sid: str) -> pd.Timestamp | None:
        """The first date on which something of series ``sid`` was known (None if empty)."""
        k = self.known(sid)
        return k.min() if len(k) else None

    def last_known(self, sid: str) -> pd.Timestamp | None:
        """The date on which the latest row of series ``sid`` became known (None if empty)."""
        k = self.known(sid)
        return k.max() if len(k) else None

    def _known_for(self, sid: str, key: str, df: pd.DataFrame) -> pd.DatetimeIndex:
        known = self._known.get(key)
        if known is None:
            known = release_rule(sid).known(df)
            self._known[key] = known
        return known

    def _load(self, sid: str) -> tuple[pd.DataFrame, str]:
        entries = self._entries()
        if sid not in entries:
            raise DataError(_unknown(sid, entries))
        entry, root, origin = entries[sid]
        key = f"{origin}:{entry['checksum']}"
        df = self._cache.get(key)
        if df is None:
            hint = SNAPSHOT_HINT if origin == "snapshot" else _series_hint(sid)
            try:
                df = _read_parquet(root / entry["parquet"], entry["checksum"], hint=hint)
            except MissingFileError:
                # A concurrent write may have replaced the manifest and collected the file
                # between our two reads: read the new manifest once before giving up.
                self._manifest = None
                entry, root, origin = self._entries().get(sid, (entry, root, origin))
                key = f"{origin}:{entry['checksum']}"
                df = _read_parquet(root / entry["parquet"], entry["checksum"], hint=hint)
            df = df.set_index("date")
            self._cache[key] = df
        return df, f"{sid}:{key}"

    def series(
        self,
        sid: str,
        *,
        asof: str | date | None = None,
        column: str | None = None,
        dropna: bool = True,
    ) -> pd.Series:
        """One column of series ``sid`` as a float Series indexed by date, named ``sid``.

        Args:
            sid: series id.
            asof: keep only the observations KNOWN on this date (see :meth:`frame`).
            column: the column (default: the series' primary column: value/close/adj_close).
            dropna: drop missing observations (default True).
        """
        meta = self.meta(sid)
        df = self.frame(sid, asof=asof)
        col = column or meta.primary
        if col not in df.columns:
            raise DataError(f"series {sid}: no column {col!r} (columns: {', '.join(df.columns)})")
        s = df[col]
        if meta.keys:
            raise DataError(
                f"series {sid} is panel data (one row per {', '.join(meta.keys)}); use Store.frame()"
            )
        s = s.astype("float64").rename(sid)
        if dropna:
            s = s.dropna()
        s.attrs["units"] = meta.units
        return s

    def vintage(self, sids: list[str] | None = None) -> dict[str, str]:
        """Last observation date of each series (the data vintage a report stamps)."""
        return {m.id: m.last for m in self.metas() if sids is None or m.id in sids}

    # ---------------------------------------------------------------- writing
    def write(self, items: list[tuple[pd.DataFrame, dict[str, Any]]]) -> list[SeriesMeta]:
        """Write one or more series to the user's store atomically (manifest last).

        Args:
            items: pairs ``(frame, meta)``; ``frame`` has a ``date`` column (or index);
                ``meta`` has at least ``id``, ``title``, ``units``, ``frequency``.

        Returns:
            The new metadata of every series written.
        """
        prepared = [validate_frame(frame, meta) for frame, meta in items]
        series_dir = self.root / "series"
        series_dir.mkdir(parents=True, exist_ok=True)
        with _locked(self.root):
            manifest = copy.deepcopy(_read_manifest(self.root))
            written: list[SeriesMeta] = []
            for frame, meta in prepared:
                entry = _write_parquet(series_dir, frame, {**meta, "updated": _now()})
                manifest["series"][entry["id"]] = entry
                written.append(SeriesMeta.from_dict(entry, origin="store"))
            self._commit(manifest)
        return written

    def remove(self, sids: list[str] | None = None) -> list[str]:
        """Drop series from the user's store (reads fall back to the snapshot).

        Args:
            sids: the ids to drop; None drops the whole user store, even a corrupt one.

        Returns:
            The ids removed.
        """
        if sids is None:
            if not self.root.exists():
                return []
            with _locked(self.root):
                try:
                    removed = sorted(_read_manifest(self.root)["series"])
                except DataError:
                    removed = []
                try:
                    (self.root / MANIFEST).unlink(missing_ok=True)
                    if (self.root / "series").exists():
                        shutil.rmtree(self.root / "series")
                    for f in self.root.glob(f".{MANIFEST}.*.tmp"):
                        f.unlink()
                except OSError as exc:
                    from bubblemachine._io import path_error

                    raise path_error(exc, action="cannot remove") from None
            # everything the store owns is gone: its lock, then the folder itself if empty
            with contextlib.suppress(OSError):
                (self.root / ".lock").unlink()
                self.root.rmdir()
            self._forget()
            return removed
        with _locked(self.root):
            manifest = copy.deepcopy(_read_manifest(self.root))
            unknown = [s for s in sids if s not in manifest["series"]]
            if unknown:
                raise DataError(
                    f"series {', '.join(unknown)}: not in your store {self.root} "
                    "(only imported or updated series can be reset)"
                )
            for sid in sids:
                del manifest["series"][sid]
            self._commit(manifest)
        return list(sids)

    def verify(self) -> list[tuple[str, str, str]]:
        """Check every file of the user's store and of the snapshot against its checksum.

        Returns:
            One ``(series_id, origin, problem)`` per damaged series; empty when all is well.
            A corrupt manifest raises :class:`DataError` (with the recovery hint).
        """
        problems: list[tuple[str, str, str]] = []
        roots = [(self.root, "store", _read_manifest(self.root))]
        if self.use_snapshot:
            roots.append((SNAPSHOT_DIR, "snapshot", snapshot_manifest()))
        for root, origin, manifest in roots:
            for sid, entry in sorted(manifest["series"].items()):
                path = root / entry["parquet"]
                if not path.is_file():
                    problems.append((sid, origin, f"{path}: file missing"))
                elif sha256_file(path) != entry["checksum"]:
                    problems.append((sid, origin, f"{path}: checksum mismatch"))
        return problems

    def _commit(self, manifest: dict[str, Any]) -> None:
        """Replace the manifest atomically (the commit point), then collect garbage."""
        manifest["format"] = FORMAT
        manifest["updated"] = _now()
        _test_delay()
        atomic_write_text(self.root / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
        _collect_garbage(self.root, manifest)
        self._forget()

    def _forget(self) -> None:
        self._cache.clear()
        self._known.clear()
        self._manifest = None
        self._manifest_key = None


def open_store(home: str | os.PathLike[str] | None = None) -> Store:
    """The user's store (``BUBBLEMACHINE_HOME`` or the platform cache dir) over the snapshot."""
    return Store(home)


# -------------------------------------------------------------------- helpers
def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _unknown(sid: str, entries: dict[str, Any]) -> str:
    import difflib

    close = difflib.get_close_matches(sid.upper(), list(entries), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `bubblemachine data list` shows them"
    return f"unknown series {sid!r}{hint}"


def _series_hint(sid: str) -> str:
    return (
        f"run `bubblemachine data reset --series {sid}` to fall back to the snapshot "
        "(or `bubblemachine data verify` to check every file)"
    )


def _read_parquet(path: Path, checksum: str, *, hint: str = RESET_HINT) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise MissingFileError(f"{path}: file listed in the manifest is missing; {hint}") from None
    if hashlib.sha256(data).hexdigest() != checksum:
        raise DataError(f"{path}: checksum mismatch (the file is damaged or was changed outside bubblemachine); {hint}")
    try:
        return pq.read_table(pa.BufferReader(data)).to_pandas()
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"{path}: not a readable Parquet file ({exc}); {hint}") from None


def _test_delay() -> None:
    delay = os.environ.get(ENV_WRITE_DELAY)
    if delay:
        import time

        time.sleep(float(delay))


def validate_frame(frame: pd.DataFrame, meta: dict[str, Any]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Check a frame before it enters the store; returns ``(frame with a date column, meta)``.

    Checks: an id and declared units; a ``date`` column (or index) of parseable dates,
    unique (per key for panel data) and sorted; value columns numeric and finite (NaN is
    a missing value).

    Raises:
        DataError: naming the series, the column, the row and the value.
    """
    import numpy as np
    import pandas as pd

    from bubblemachine.data.catalog import check_units
    from bubblemachine.data.csvio import check_order

    sid = meta.get("id")
    if not sid or not isinstance(sid, str):
        raise DataError(f"series metadata {meta!r}: no 'id'")
    from bubblemachine.data.ids import check_series_id

    check_series_id(sid)  # an id names files in the store: never a path
    where = f"series {sid}"
    check_units(meta.get("units", ""), where=where)
    if "date" not in frame.columns:
        frame = frame.reset_index()
    if "date" not in frame.columns:
        raise DataError(f"{where}: frame has no 'date' column or index")
    if len(frame) == 0:
        raise DataError(f"{where}: no rows")
    frame = frame.reset_index(drop=True)
    dates = frame["date"]
    if not pd.api.types.is_datetime64_any_dtype(dates):
        parsed = pd.to_datetime(dates, format="%Y-%m-%d", errors="coerce")
        bad = np.flatnonzero(parsed.isna().to_numpy())
        if bad.size:
            i = int(bad[0])
            raise DataError(f"{where}: row {i + 1}: column 'date': value {dates.iloc[i]!r} is not a date")
        frame = frame.assign(date=parsed)
    elif getattr(dates.dt, "tz", None) is not None:
        frame = frame.assign(date=dates.dt.tz_localize(None))
    if frame["date"].isna().any():
        i = int(np.flatnonzero(frame["date"].isna().to_numpy())[0])
        raise DataError(f"{where}: row {i + 1}: column 'date': missing date")
    keys = tuple(meta.get("keys", ()))
    text = set(keys) | set(meta.get("text_columns", ()))
    for col in frame.columns:
        if col == "date" or col in text:
            continue
        values = frame[col]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            num = pd.to_numeric(values, errors="coerce")
            bad = np.flatnonzero((num.isna() & values.notna()).to_numpy())
            i = int(bad[0]) if bad.size else 0
            raise DataError(f"{where}: row {i + 1}: column {col!r}: value {values.iloc[i]!r} is not a number")
        arr = values.to_numpy(dtype="float64")
        inf = np.flatnonzero(np.isinf(arr))
        if inf.size:
            i = int(inf[0])
            raise DataError(f"{where}: row {i + 1}: column {col!r}: value {float(arr[i])!r} is not finite")
    check_order(frame, keys=keys, where=where, line_offset=1, label="row")
    return frame, meta


def frame_to_parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Deterministic Parquet bytes (zstd, no pandas index) for a frame with a ``date`` column."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(None)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", write_statistics=False)
    return sink.getvalue().to_pybytes()


def build_entry(frame: pd.DataFrame, meta: dict[str, Any], data: bytes, parquet: str) -> dict[str, Any]:
    cols = [c for c in frame.columns if c != "date"]
    keys = list(meta.get("keys", ()))
    value_cols = [c for c in cols if c not in keys and c not in meta.get("text_columns", ())]
    entry = {
        "id": meta["id"],
        "title": meta.get("title", meta["id"]),
        "units": meta["units"],
        "unit_scale": UNIT_SCALES.get(meta["units"].split(" (")[0]),
        "frequency": meta.get("frequency", ""),
        "publisher": meta.get("publisher", ""),
        "source": meta.get("source", ""),
        "licence": meta.get("licence", ""),
        "file": meta.get("file", ""),
        "columns": cols,
        "keys": keys,
        "primary": primary_column(value_cols, meta.get("primary")),
        "first": f"{frame['date'].min():%Y-%m-%d}",
        "last": f"{frame['date'].max():%Y-%m-%d}",
        "rows": int(len(frame)),
        "checksum": hashlib.sha256(data).hexdigest(),
        "parquet": parquet,
        "updated": meta.get("updated") or _now(),
    }
    for optional in ("live", "refreshed"):
        if meta.get(optional):
            entry[optional] = meta[optional]
    return entry


def _write_parquet(series_dir: Path, frame: pd.DataFrame, meta: dict[str, Any]) -> dict[str, Any]:
    if "date" not in frame.columns:
        frame = frame.reset_index()
    if "date" not in frame.columns:
        raise DataError(f"series {meta.get('id')}: frame has no 'date' column or index")
    data = frame_to_parquet_bytes(frame)
    digest = hashlib.sha256(data).hexdigest()
    name = f"series/{meta['id']}-{digest[:12]}.parquet"
    target = series_dir.parent / name
    # A file of that name left by an earlier, interrupted write is reused only if intact.
    if not (target.is_file() and sha256_file(target) == digest):
        _test_delay()
        atomic_write_bytes(target, data)
    return build_entry(frame, meta, data, name)


def _collect_garbage(root: Path, manifest: dict[str, Any]) -> None:
    keep = {e["parquet"] for e in manifest["series"].values()}
    for f in (root / "series").glob("*.parquet"):
        if f"series/{f.name}" not in keep:
            with contextlib.suppress(OSError):
                f.unlink()
    for f in [*(root / "series").glob(".*.tmp"), *root.glob(f".{MANIFEST}.*.tmp")]:
        with contextlib.suppress(OSError):
            f.unlink()


@contextlib.contextmanager
def _locked(root: Path):
    """An exclusive inter-process lock on ``root/.lock`` (flock on POSIX, msvcrt on Windows)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "a+b") as fh:
        try:
            import fcntl
        except ImportError:  # Windows
            import msvcrt

            fh.seek(0)
            while True:
                try:
                    msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK, 1)
                    break
                except OSError:  # LK_LOCK gives up after ~10 s; keep waiting
                    continue
            try:
                yield
            finally:
                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
            return
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
