"""Where calibrations live: the shipped one for the snapshot, the user's for any other date.

* The package ships ``models/ai_liquidity/calibration.toml``: the calibration as of the
  embedded snapshot's last date (2025-11-14). It is the default while the store holds
  nothing newer.
* Any other as-of date, or a store with newer or imported data, gets its own calibration,
  written to the user's store: ``<home>/calibration/ai_liquidity/<asof>-<key>.toml``, where
  ``key`` hashes the inputs (data checksums, window, the events known, this module's
  format). The same inputs reuse the file; new data give a new file. Never into the package.
* :func:`model_dir` materialises a model directory for a calibration (the shipped model
  files with that ``calibration.toml``) under ``<home>/models/``, so the engine loads an
  ordinary model directory and its digest names the calibration it ran with.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

from bubblemachine.errors import DataError


def default_path() -> Path:
    """The SHIPPED calibration: ``models/ai_liquidity/calibration.toml`` of the package
    (read-only for commands; ``calibrate`` writes to the user's store or ``--out``)."""
    from bubblemachine.paths import package_dir

    return package_dir() / "models" / "ai_liquidity" / "calibration.toml"


__all__ = [
    "MODEL", "calibration_inputs", "default_path", "is_shipped", "edition_digest", "calibration_key", "default_asof", "model_dir", "shipped_asof", "user_dir", "user_file",
]

#: The model these calibrations belong to.
MODEL = "ai_liquidity"
#: Bumped when the calibration's method or file layout changes (old cached files are ignored).
FORMAT = 7  # 3: Fed balance-sheet noise (fed_sigma), persistent rates' sigma from 21-day sums; 4: volatility regime (vratio_s, vpersist_s); 6: ON RRP's settling level a random walk (rrp_level_sigma); 7: the regime printed to 4 digits

_ASOF_LINE = re.compile(r"^# As-of date \(model period 0\): (\d{4}-\d{2}-\d{2})\s*$", re.M)


def user_dir(home: str | Path | None = None) -> Path:
    """``<home>/calibration/ai_liquidity``."""
    from bubblemachine import paths

    return (Path(home) if home is not None else paths.home()) / "calibration" / MODEL


def shipped_asof(path: str | Path | None = None) -> str:
    """The as-of date written in a calibration file's header (default: the shipped file)."""
    target = Path(path) if path is not None else default_path()
    try:
        text = target.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"{target}: cannot read the calibration file ({exc.strerror})") from None
    m = _ASOF_LINE.search(text)
    if not m:
        raise DataError(f"{target}: no '# As-of date (model period 0): YYYY-MM-DD' line in its header")
    return m.group(1)


def default_asof(store) -> str:
    """The latest date the store supports for the model: the last trading day on which every
    single-series market input (S&P 500, Nasdaq-100, SMH, MU, IGV, BTC, ETH, VIX) has a close."""
    from bubblemachine.calibrate.history import PRICE_SOURCES
    from bubblemachine.data import latest_common_date
    from bubblemachine.data.calendar import previous_session

    ids = sorted({s for s in PRICE_SOURCES.values() if s != "basket"})
    return f"{previous_session(latest_common_date(store, ids)):%Y-%m-%d}"


def calibration_key(cal) -> str:
    """A short hash of a calibration's inputs (as-of date, window, data vintage, events known)."""
    payload = {
        "format": FORMAT,
        "asof": cal.asof,
        "years": cal.years,
        "vintage": cal.vintage,
        "events": list(cal.policy.events) if cal.policy is not None else [],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:12]


def user_file(cal, *, home: str | Path | None = None) -> Path:
    """The user's-store file of a calibration: ``<home>/calibration/ai_liquidity/<asof>-<key>.toml``."""
    return user_dir(home) / f"{cal.asof}-{calibration_key(cal)}.toml"


def is_shipped(cal) -> bool:
    """Whether ``cal`` is the shipped calibration (same date, same data vintage)."""
    try:
        text = default_path().read_text(encoding="utf-8")
    except OSError:
        return False
    if shipped_asof() != cal.asof or f"--years {cal.years}" not in text:
        return False
    return all(f"{sid}={digest}" in text for sid, digest in cal.vintage.items())


def model_dir(calibration: str | Path, *, home: str | Path | None = None) -> Path:
    """A model directory: the shipped AI model files with ``calibration`` as calibration.toml.

    Returns the shipped directory itself for the shipped calibration.
    """
    from bubblemachine import paths
    from bubblemachine._io import atomic_write_bytes
    calibration = Path(calibration)
    shipped = default_path().parent
    if calibration.resolve() == default_path().resolve():
        return shipped
    files = sorted(p for p in shipped.glob("*.toml") if p.name != "calibration.toml")
    h = hashlib.sha256()
    for p in [*files, calibration]:
        h.update(p.name.encode() if p is not calibration else b"calibration.toml")
        h.update(p.read_bytes())
    root = (Path(home) if home is not None else paths.home()) / "models"
    target = root / f"{MODEL}-{h.hexdigest()[:16]}"
    if (target / "calibration.toml").is_file():
        return target
    staging = root / f".{target.name}.staging"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
        for p in files:
            atomic_write_bytes(staging / p.name, p.read_bytes())
        atomic_write_bytes(staging / "calibration.toml", calibration.read_bytes())
        try:
            staging.rename(target)
        except OSError:  # another process made it first
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise DataError(f"{target}: cannot write the model directory ({exc.strerror})") from None
    return target



def calibration_inputs() -> list[str]:
    """Store ids the calibration reads (a user's copy of any of them means a new calibration)."""
    from bubblemachine.calibrate.history import (
        BASKETS,
        LIQUIDITY_SOURCES,
        PRICE_SOURCES,
        RATE_SOURCES,
    )

    ids = {s for s in PRICE_SOURCES.values() if s != "basket"} | set(RATE_SOURCES.values())
    ids |= {sid for sid, _ in LIQUIDITY_SOURCES.values()} | {"HYPERSCALER_CAPEX", "TGA_DAILY"}
    ids |= {m for members in BASKETS.values() for m in members}
    return sorted(ids)


def edition_digest(directory: str | Path | None = None) -> str:
    """Digest of a model directory's files other than its calibration: the model's edition.

    Every start date of one edition has its own calibration (and model digest) but the same
    edition digest, which is what a backtest is the yardstick of.
    """
    d = Path(directory) if directory is not None else default_path().parent
    h = hashlib.sha256()
    for p in sorted(d.glob("*.toml")):
        if p.name == "calibration.toml":
            continue
        h.update(p.name.encode())
        h.update(b"\0")
        h.update(p.read_bytes())
    return h.hexdigest()
