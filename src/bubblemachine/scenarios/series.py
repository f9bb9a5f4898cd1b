"""The reported series of the AI liquidity model: the one list (issue 4, item 6).

Every consumer (model tests, ``scenario compare``, ``explain``, the report's
"What if" section) imports the names from here.

Kinds:
    * ``price``: a price or level; changes are measured as log changes
      (``log(x_T) - log(x_0)``) and attribution uses
      ``log(X) - log(X[-1]) == sum(contrib_X_<group>)``.
    * ``rate``: a rate, spread or percentage; changes are differences
      (``x_T - x_0``) in the series' own units (percentage points).
    * ``level``: a quantity that can be zero or negative in principle
      (balance-sheet items, flows); changes are differences in its units.
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
        attributed: whether the model defines ``contrib_<name>_<group>``.
    """

    name: str
    kind: Kind
    units: str
    label: str
    attributed: bool = False


#: Mechanism groups for attribution (``contrib_X_<group>``), in display order.
GROUPS: tuple[str, ...] = (
    "fiscal",
    "plumbing",
    "capex",
    "circular",
    "cascade",
    "voltarget",
    "cta",
    "buybacks",
    "hedging",
    "fundamentals",
    "noise",
)

#: Human labels for the groups.
GROUP_LABELS: dict[str, str] = {
    "fiscal": "Fiscal (TGA, deficits)",
    "plumbing": "Plumbing / monetary (Fed, RRP, reserves)",
    "capex": "Capex crowding-out",
    "circular": "Circular AI loop",
    "cascade": "Margin / capital-call cascade",
    "voltarget": "Vol-targeting funds",
    "cta": "CTA trend followers",
    "buybacks": "Buybacks",
    "hedging": "Dealer hedging",
    "fundamentals": "Fundamentals (earnings, rates)",
    "noise": "Noise (calibrated shocks)",
}

_SERIES: tuple[SeriesInfo, ...] = (
    SeriesInfo("spx", "price", "index points", "S&P 500", True),
    SeriesInfo("ndx", "price", "index points", "Nasdaq-100", True),
    SeriesInfo("m7", "price", "index (2025-11-14 = 100)", "Mega-cap AI basket", True),
    SeriesInfo("chips", "price", "USD (SMH)", "Semiconductors (SMH)", True),
    SeriesInfo("memory", "price", "USD (MU)", "Memory (Micron)", True),
    SeriesInfo("midcap_ai", "price", "index (2025-11-14 = 100)", "Mid-cap AI/infra basket", True),
    SeriesInfo("software", "price", "USD (IGV)", "Software (IGV)", True),
    SeriesInfo("energy", "price", "index (2025-11-14 = 100)", "Energy/utilities (XLU+XLE)", True),
    SeriesInfo("btc", "price", "USD", "Bitcoin", True),
    SeriesInfo("eth", "price", "USD", "Ether", True),
    SeriesInfo("ust2y", "rate", "percent", "2-year Treasury yield", True),
    SeriesInfo("ust10y", "rate", "percent", "10-year Treasury yield", True),
    SeriesInfo("ig_oas", "rate", "percent", "IG corporate OAS", True),
    SeriesInfo("hy_oas", "rate", "percent", "HY corporate OAS", True),
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

#: Series with ``contrib_<s>_<group>`` attribution variables.
ATTRIBUTED: tuple[str, ...] = tuple(s.name for s in _SERIES if s.attributed)

#: Attributed price series (log-change identity) and rate series (difference identity).
ATTRIBUTED_PRICES: tuple[str, ...] = tuple(s for s in ATTRIBUTED if SERIES[s].kind == "price")
ATTRIBUTED_RATES: tuple[str, ...] = tuple(s for s in ATTRIBUTED if SERIES[s].kind == "rate")


def contrib_name(series: str, group: str) -> str:
    """Name of the attribution variable of ``series`` for ``group``."""
    return f"contrib_{series}_{group}"


def is_log(series: str) -> bool:
    """True where changes of ``series`` are log changes (kind ``price``)."""
    return SERIES[series].kind == "price"
