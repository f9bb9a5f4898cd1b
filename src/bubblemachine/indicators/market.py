"""Rates, credit and the VIX curve (mechanisms M3.1, M6.5; claim C6.3).

Rates and spreads are quoted by FRED in percent; VIX and VIX3M in index points
(annualised implied volatility, percent).
"""

from __future__ import annotations

import pandas as pd

RATE_SERIES: dict[str, str] = {
    "ust10y": "DGS10",
    "ust2y": "DGS2",
    "real10y": "DFII10",
    "t10y2y": "T10Y2Y",
    "hy_oas": "BAMLH0A0HYM2",
    "ig_oas": "BAMLC0A0CM",
}
"""Indicator id -> FRED series id; all in percent."""


def vix_ratio(vix: pd.Series, vix3m: pd.Series) -> pd.Series:
    """VIX / VIX3M on the dates both exist (dimensionless; > 1 means an inverted curve).

    Args:
        vix: CBOE VIX close, index points.
        vix3m: CBOE VIX3M close, index points.
    """
    both = pd.concat([vix.rename("vix"), vix3m.rename("vix3m")], axis=1, join="inner").dropna()
    return (both["vix"] / both["vix3m"]).rename("vix_vix3m_ratio")


def vix_inverted(ratio: pd.Series) -> pd.Series:
    """True where the VIX curve is inverted (VIX / VIX3M > 1)."""
    return (ratio > 1.0).rename("vix_inverted")
