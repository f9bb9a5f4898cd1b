"""Build the embedded snapshot (``bubblemachine data build-snapshot SRC_DIR``).

Reads every CSV of the catalogue from ``SRC_DIR`` (laid out like ``shared/data``),
validates it, and writes one Parquet file per series plus ``manifest.json``. The output is
deterministic: the same CSV files give byte-identical Parquet files and manifest (for one
pyarrow version); the manifest also records each source CSV's SHA-256.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bubblemachine._io import atomic_write_bytes, atomic_write_text
from bubblemachine.data.catalog import catalog, check_units
from bubblemachine.data.csvio import read_csv
from bubblemachine.data.store import (
    MANIFEST,
    SNAPSHOT_DIR,
    build_entry,
    frame_to_parquet_bytes,
    sha256_file,
)
from bubblemachine.errors import DataError


def build_snapshot(src_dir: str | Path, out_dir: str | Path | None = None, *, progress=None) -> dict:
    """Rebuild the snapshot from ``src_dir``; returns the manifest written.

    Args:
        src_dir: folder with the CSV files named as in the catalogue.
        out_dir: where to write (default: the package's ``data/snapshot``).
        progress: optional callable ``(series_id) -> None`` called per series.
    """
    src = Path(src_dir)
    out = Path(out_dir) if out_dir is not None else SNAPSHOT_DIR
    if not src.is_dir():
        raise DataError(f"{src}: not a directory")
    specs = catalog()
    missing = [s.file for s in specs.values() if not (src / s.file).is_file()]
    if missing:
        raise DataError(f"{src}: missing {len(missing)} file(s) of the catalogue: {', '.join(missing[:8])}")
    staging = out.with_name(out.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "series").mkdir(parents=True)
    series = {}
    for sid, spec in sorted(specs.items()):
        if progress:
            progress(sid)
        path = src / spec.file
        check_units(spec.units, where=f"catalog entry {sid}")
        frame = read_csv(path, date_column=spec.date_column, keys=spec.keys, text_columns=spec.text_columns)
        if spec.keys:
            frame = frame.sort_values(["date", *spec.keys], kind="stable").reset_index(drop=True)
        data = frame_to_parquet_bytes(frame)
        name = f"series/{sid}.parquet"
        atomic_write_bytes(staging / name, data)
        meta = {
            "id": sid, "title": spec.title, "units": spec.units, "frequency": spec.frequency,
            "publisher": spec.publisher, "source": spec.source, "licence": spec.licence,
            "file": spec.file, "keys": spec.keys, "text_columns": spec.text_columns,
            "primary": spec.primary, "updated": "snapshot",
        }
        entry = build_entry(frame, meta, data, name)
        entry["source_sha256"] = sha256_file(path)
        series[sid] = entry
    manifest = {"format": 1, "cutoff": max(e["last"] for e in series.values()), "series": series}
    atomic_write_text(staging / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
    backup = out.with_name(out.name + ".old")
    shutil.rmtree(backup, ignore_errors=True)
    if out.exists():
        out.rename(backup)
    staging.rename(out)
    shutil.rmtree(backup, ignore_errors=True)
    from bubblemachine.data import store as _store

    _store.snapshot_manifest.cache_clear()
    return manifest
