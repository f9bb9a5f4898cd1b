"""The reported series of the AI liquidity model: the one list (issue 4, item 6).

Every consumer (model tests, ``scenario compare``, ``explain``, the report's
"What if" section) imports the names from here.

Kinds:
    * ``price``: a price or level; changes are measured as log changes
      (``log(x_T) - log(x_0)``).
    * ``rate``: a rate, spread or percentage; changes are differences
      (``x_T - x_0``) in the series' own units (percentage points).
    * ``level``: a quantity that can be zero or negative in principle
      (balance-sheet items, flows); changes are differences in its units.

The mechanism groups of the attribution (``contrib_X_<group>``), their order and their labels
are declared by the model itself (its ``[attribution]`` table, read as ``model.attribution``);
nothing here repeats them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["price", "rate", "level"]


@dataclass(frozen=True)
class SeriesInfo:
    """One reported series.

    Attributes:
        name: variable name in the model.
        kind: ``price`` (log change), ``rate`` or ``level`` (difference).
        units: units of the level.
        label: short English description.
    """

    name: str
    kind: Kind
    units: str
    label: str


_SERIES: tuple[SeriesInfo, ...] = (
    SeriesInfo("spx", "price", "index points", "S&P 500"),
    SeriesInfo("ndx", "price", "index points", "Nasdaq-100"),
    SeriesInfo("m7", "price", "index (2025-11-14 = 100)", "Mega-cap AI basket"),
    SeriesInfo("chips", "price", "USD (SMH)", "Semiconductors (SMH)"),
    SeriesInfo("memory", "price", "USD (MU)", "Memory (Micron)"),
    SeriesInfo("midcap_ai", "price", "index (2025-11-14 = 100)", "Mid-cap AI/infra basket"),
    SeriesInfo("software", "price", "USD (IGV)", "Software (IGV)"),
    SeriesInfo("energy", "price", "index (2025-11-14 = 100)", "Energy/utilities (XLU+XLE)"),
    SeriesInfo("btc", "price", "USD", "Bitcoin"),
    SeriesInfo("eth", "price", "USD", "Ether"),
    SeriesInfo("ust2y", "rate", "percent", "2-year Treasury yield"),
    SeriesInfo("ust10y", "rate", "percent", "10-year Treasury yield"),
    SeriesInfo("ig_oas", "rate", "percent", "IG corporate OAS"),
    SeriesInfo("hy_oas", "rate", "percent", "HY corporate OAS"),
    SeriesInfo("net_liquidity", "level", "USD billions", "Net liquidity (Fed assets - TGA - ON RRP)"),
    SeriesInfo("tga", "level", "USD billions", "Treasury General Account"),
    SeriesInfo("reserves", "level", "USD billions", "Bank reserves"),
    SeriesInfo("on_rrp", "level", "USD billions", "ON reverse repo"),
    SeriesInfo("vix", "rate", "index points", "VIX"),
    SeriesInfo("spx_rvol", "rate", "percent (annualised)", "S&P 500 realised vol"),
    SeriesInfo("ai_capex", "level", "USD billions per quarter", "Hyperscaler capex run-rate"),
    SeriesInfo("gdp", "price", "USD billions (annual rate)", "Nominal GDP"),
    SeriesInfo("consumption_wage_earners", "price", "index (2025-11-14 = 100)", "Wage earners' consumption"),
    SeriesInfo("food", "price", "index (2025-11-14 = 100)", "Food and restaurant spending"),
    SeriesInfo("healthcare", "price", "index (2025-11-14 = 100)", "Healthcare spending"),
)

#: name -> SeriesInfo for every reported series.
SERIES: dict[str, SeriesInfo] = {s.name: s for s in _SERIES}

#: Reported series names, in order (issue 4 item 6, exact).
REPORTED: tuple[str, ...] = tuple(s.name for s in _SERIES)

#: Priced series with calibrated noise (``sigma_<s>``, ``noise_<s>``).
PRICED: tuple[str, ...] = (
    "spx", "ndx", "m7", "chips", "memory", "midcap_ai", "software", "energy",
    "btc", "eth", "ust2y", "ust10y", "ig_oas", "hy_oas", "vix",
)


def is_log(series: str) -> bool:
    """True where changes of ``series`` are log changes (kind ``price``)."""
    return SERIES[series].kind == "price"
