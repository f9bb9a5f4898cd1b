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
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bubblemachine import paths
from bubblemachine._io import atomic_write_bytes, atomic_write_text
from bubblemachine.data.catalog import UNIT_SCALES, primary_column
from bubblemachine.errors import DataError

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


def _read_manifest(root: Path) -> dict[str, Any]:
    path = root / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {"format": FORMAT, "series": {}}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: the store manifest is not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("series"), dict):
        raise DataError(f"{path}: the store manifest has no 'series' table")
    return data


@cache
def _snapshot_manifest() -> dict[str, Any]:
    return _read_manifest(SNAPSHOT_DIR)


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
    """

    def __init__(self, home: str | os.PathLike[str] | None = None, *, snapshot: bool = True):
        self.home = Path(home) if home is not None else paths.home()
        self.root = self.home / "store"
        self.use_snapshot = snapshot
        self._cache: dict[str, pd.DataFrame] = {}

    # ---------------------------------------------------------------- reading
    def _user_manifest(self) -> dict[str, Any]:
        return _read_manifest(self.root)

    def _entries(self) -> dict[str, tuple[dict[str, Any], Path, str]]:
        out: dict[str, tuple[dict[str, Any], Path, str]] = {}
        if self.use_snapshot:
            for sid, e in _snapshot_manifest()["series"].items():
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
            asof: keep only rows dated on or before this date.
        """
        import pandas as pd

        entries = self._entries()
        if sid not in entries:
            raise DataError(_unknown(sid, entries))
        entry, root, origin = entries[sid]
        key = f"{origin}:{entry['checksum']}"
        df = self._cache.get(key)
        if df is None:
            df = _read_parquet(root / entry["parquet"], entry["checksum"])
            df = df.set_index("date")
            self._cache[key] = df
        if asof is not None:
            df = df.loc[: pd.Timestamp(asof)]
        return df

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
            asof: keep only observations dated on or before this date.
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
        series_dir = self.root / "series"
        series_dir.mkdir(parents=True, exist_ok=True)
        with _locked(self.root):
            manifest = self._user_manifest()
            written: list[SeriesMeta] = []
            for frame, meta in items:
                entry = _write_parquet(series_dir, frame, meta)
                manifest["series"][entry["id"]] = entry
                written.append(SeriesMeta.from_dict(entry, origin="store"))
            manifest["format"] = FORMAT
            manifest["updated"] = _now()
            atomic_write_text(self.root / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
            _collect_garbage(self.root, manifest)
        self._cache.clear()
        return written


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


def _read_parquet(path: Path, checksum: str) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: file listed in the manifest is missing") from None
    if hashlib.sha256(data).hexdigest() != checksum:
        raise DataError(
            f"{path}: checksum mismatch (the file was changed outside bubblemachine); "
            "re-import or delete the store to fall back to the snapshot"
        )
    return pq.read_table(pa.BufferReader(data)).to_pandas()


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
    if not target.exists():
        atomic_write_bytes(target, data)
    return build_entry(frame, meta, data, name)


def _collect_garbage(root: Path, manifest: dict[str, Any]) -> None:
    keep = {e["parquet"] for e in manifest["series"].values()}
    for f in (root / "series").glob("*.parquet"):
        if f"series/{f.name}" not in keep:
            with contextlib.suppress(OSError):
                f.unlink()
    for f in (root / "series").glob(".*.tmp"):
        with contextlib.suppress(OSError):
            f.unlink()


@contextlib.contextmanager
def _locked(root: Path):
    import fcntl

    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
