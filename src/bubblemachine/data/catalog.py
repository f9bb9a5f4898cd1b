"""The series catalogue: id, file name, title, units, frequency, release rule, publisher, source, licence.

The catalogue (``catalog.toml`` beside this module) describes every series of the embedded
snapshot; files laid out like ``shared/data`` map to ids through :func:`series_id_for_file`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from bubblemachine.data.release import SAME_DAY, ReleaseRule, parse_rule
from bubblemachine.errors import DataError

PRIMARY_CANDIDATES = ("value", "close", "adj_close", "tga_close_today", "capex_usd")

#: Units a series may declare. "USD millions" means 1.0 = $1,000,000.
UNIT_SCALES = {
    "USD": 1.0,
    "USD thousands": 1e3,
    "USD millions": 1e6,
    "USD billions": 1e9,
    "USD trillions": 1e12,
}

_SPECIAL_IDS = {
    "idx_SPX_daily": "SPX",
    "idx_NDX_daily": "NDX",
    "idx_SP500TR_daily": "SP500TR",
    "crypto_BTC-USD": "BTC",
    "crypto_ETH-USD": "ETH",
    "crypto_fear_greed_index": "CRYPTO_FNG",
    "dts_tga_daily": "TGA_DAILY",
    "fund_hyperscaler_capex_quarterly": "HYPERSCALER_CAPEX",
    "skew_daily": "SKEW",
    "sp500_fred_daily": "SP500",
    "sp500_shiller_monthly": "SHILLER",
    "vix3m_daily": "VIX3M",
    "vix9d_daily": "VIX9D",
    "vix_daily": "VIX",
    "vvix_daily": "VVIX",
    "yf_IRX_13w_tbill_yield_daily": "IRX",
    "yf_TNX_10y_yield_daily": "TNX",
}


@dataclass(frozen=True)
class SeriesSpec:
    """How one series is read from its CSV file and described."""

    id: str
    file: str
    title: str
    units: str
    frequency: str
    publisher: str = ""
    source: str = ""
    licence: str = ""
    date_column: str = "date"
    keys: tuple[str, ...] = ()
    text_columns: tuple[str, ...] = ()
    primary: str | None = None
    live: str = ""
    release: ReleaseRule = SAME_DAY
    extra: dict = field(default_factory=dict)


def series_id_for_file(name: str) -> str:
    """Map a file name laid out like ``shared/data`` to its series id.

    ``fred_WALCL.csv`` -> ``WALCL``, ``px_NVDA.csv`` -> ``NVDA``, ``px_ohlcv_NVDA.csv`` ->
    ``NVDA_OHLCV``, ``idx_SPX_daily.csv`` -> ``SPX``; any other name -> its stem in upper case.
    """
    stem = Path(name).name
    if stem.lower().endswith(".csv"):
        stem = stem[:-4]
    if stem in _SPECIAL_IDS:
        return _SPECIAL_IDS[stem]
    for prefix, suffix in (("fred_", ""), ("px_ohlcv_", "_OHLCV"), ("px_", "")):
        if stem.startswith(prefix):
            return stem[len(prefix) :] + suffix
    sid = re.sub(r"[^A-Za-z0-9_.-]", "_", stem).upper()
    # a name of only symbols (e.g. a Korean or all-punctuation file name) gives no id
    return sid if re.search(r"[A-Z0-9]", sid) else ""


@cache
def catalog() -> dict[str, SeriesSpec]:
    """The packaged catalogue, keyed by series id."""
    path = Path(__file__).with_name("catalog.toml")
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    out: dict[str, SeriesSpec] = {}
    for sid, entry in raw["series"].items():
        entry = dict(entry)
        for key in ("keys", "text_columns"):
            entry[key] = tuple(entry.get(key, ()))
        if "release" not in entry:
            raise DataError(f"{path}: series {sid}: no 'release' rule (when its observations become known)")
        entry["release"] = parse_rule(entry["release"], where=f"{path}: series {sid}")
        out[sid] = SeriesSpec(id=sid, **entry)
    return out


def release_rule(sid: str) -> ReleaseRule:
    """The release rule of series ``sid`` (:data:`~bubblemachine.data.release.SAME_DAY` if uncatalogued)."""
    spec = catalog().get(sid)
    return spec.release if spec is not None else SAME_DAY


def spec_for_file(name: str) -> SeriesSpec | None:
    """The catalogue entry whose file name is ``name`` (or whose id it maps to)."""
    base = Path(name).name
    for spec in catalog().values():
        if spec.file == base:
            return spec
    return catalog().get(series_id_for_file(base))


def check_units(units: str, *, where: str) -> str:
    """Validate a units string (non-empty, and a known scale if it starts with USD)."""
    units = (units or "").strip()
    if not units:
        raise DataError(f"{where}: units not declared (e.g. 'USD millions', 'percent', 'index points')")
    if units.startswith("USD") and units.split(" (")[0] not in UNIT_SCALES:
        raise DataError(
            f"{where}: units {units!r} not understood; use one of {', '.join(UNIT_SCALES)}"
        )
    return units


def primary_column(columns: list[str], declared: str | None = None) -> str:
    """The column :meth:`Store.series` returns by default."""
    if declared:
        return declared
    for name in PRIMARY_CANDIDATES:
        if name in columns:
            return name
    values = [c for c in columns if c != "date"]
    if not values:
        raise DataError("no value column")
    return values[0]
