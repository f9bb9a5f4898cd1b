"""Systematic flows that ignore fundamentals: vol targeting (M6.1) and CTA trend (M6.2).

Vol targeting follows Harvey, Hoyle, Korgaonkar, Rattray, Sargaison & Van Hemert, "The
Impact of Volatility Targeting", JPM 45(1), 2018 (research/finance-anchors.md section 2):
exposure = min(cap, target vol / realised vol), realised vol an EWMA of squared daily
returns with a 20-day half-life, 10% target.

The trend signal follows the public pysystemtrade conventions (research/finance-anchors.md
section 3): EWMAC raw forecast = (EWMA_fast - EWMA_slow) / daily price volatility in price
units (35-day EWM std of price changes, floored at its 5% quantile over 500 days), scaled by
the **published fixed forecast scalars** (ewmac8_32 5.3, ewmac16_64 3.75, ewmac32_128 2.65,
ewmac64_256 1.87; futuresconfig.yaml) so the average |forecast| is about 10, each capped at
+/-20, combined with equal weights (no diversification multiplier), capped again at +/-20.

EWMAs here use the recursive form (pandas ``adjust=False``), so the flip level of each
crossover has an exact closed form (:func:`flip_price`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

TRADING_DAYS = 252
DEFAULT_SPEEDS: tuple[tuple[int, int], ...] = ((8, 32), (16, 64), (32, 128), (64, 256))
PUBLISHED_SCALARS: dict[tuple[int, int], float] = {
    (2, 8): 10.6,
    (4, 16): 7.5,
    (8, 32): 5.3,
    (16, 64): 3.75,
    (32, 128): 2.65,
    (64, 256): 1.87,
}
"""pysystemtrade's fixed forecast scalars for EWMAC (futuresconfig.yaml)."""


def realised_vol(prices: pd.Series, *, half_life: float = 20.0) -> pd.Series:
    """Annualised realised volatility: sqrt(252 * EWMA of squared daily log returns).

    Args:
        prices: daily closes (any price units).
        half_life: EWMA half-life in trading days (Harvey et al. 2018: 20).

    Returns:
        Volatility as a fraction per year (0.15 = 15%), from the second price on.
    """
    r = np.log(prices.dropna()).diff().dropna()
    var = (r**2).ewm(halflife=half_life, adjust=False).mean()
    return np.sqrt(TRADING_DAYS * var).rename("realised_vol")


def vol_target_exposure(
    prices: pd.Series,
    *,
    target_vol: float = 0.10,
    half_life: float = 20.0,
    cap: float = 2.0,
) -> pd.Series:
    """Equity exposure of a volatility-targeting fund: min(cap, target_vol / realised vol).

    Args:
        prices: daily closes of the risky asset (e.g. SPX).
        target_vol: annual volatility target as a fraction (0.10 = 10%).
        half_life: EWMA half-life of the variance estimate, trading days.
        cap: maximum leverage (exposure as a multiple of capital).

    Returns:
        Exposure as a multiple of capital (1.0 = fully invested), daily.
    """
    vol = realised_vol(prices, half_life=half_life)
    exposure = (target_vol / vol).clip(upper=cap)
    return exposure.rename("vol_target_exposure")


def price_vol(
    prices: pd.Series, *, span: int = 35, floor_quantile: float = 0.05, floor_window: int = 500
) -> pd.Series:
    """Daily price volatility in price units (pysystemtrade ``robust_vol_calc``).

    EWM standard deviation of daily price changes (span 35 days, at least 10 observations),
    floored at its rolling ``floor_quantile`` over ``floor_window`` days (at least 100).
    """
    d = prices.diff()
    vol = d.ewm(span=span, adjust=True, min_periods=10).std()
    floor = vol.rolling(floor_window, min_periods=100).quantile(floor_quantile)
    return vol.where(~(vol < floor), floor).clip(lower=1e-10).rename("price_vol")


def ewma(prices: pd.Series, span: int) -> pd.Series:
    """Recursive EWMA with alpha = 2 / (span + 1) (pandas ``adjust=False``)."""
    return prices.ewm(span=span, adjust=False).mean()


def ewmac_forecast(
    prices: pd.Series,
    fast: int,
    slow: int,
    *,
    scalar: float | None = None,
    cap: float = 20.0,
    vol: pd.Series | None = None,
) -> pd.Series:
    """Scaled, capped EWMAC forecast (dimensionless; average |forecast| about 10).

    Args:
        prices: daily closes.
        fast, slow: EWMA spans in days.
        scalar: forecast scalar (default: the published pysystemtrade scalar).
        cap: absolute cap on the scaled forecast.
        vol: daily price volatility in price units (default :func:`price_vol`).
    """
    if scalar is None:
        if (fast, slow) not in PUBLISHED_SCALARS:
            raise ValueError(f"no published forecast scalar for ewmac{fast}_{slow}; pass scalar=")
        scalar = PUBLISHED_SCALARS[(fast, slow)]
    vol = price_vol(prices) if vol is None else vol
    raw = (ewma(prices, fast) - ewma(prices, slow)) / vol
    return (raw * scalar).clip(-cap, cap).rename(f"ewmac{fast}_{slow}")


def cta_signal(
    prices: pd.Series,
    *,
    speeds: Sequence[tuple[int, int]] = DEFAULT_SPEEDS,
    cap: float = 20.0,
) -> pd.DataFrame:
    """CTA trend signal: each EWMAC forecast and their equal-weight combination.

    Returns:
        DataFrame with one column per speed (``ewmac8_32`` ...) and ``combined`` (mean of the
        capped forecasts, capped again at +/-``cap``); dimensionless, +10 = average long.
    """
    prices = prices.dropna()
    vol = price_vol(prices)
    cols = {f"ewmac{f}_{s}": ewmac_forecast(prices, f, s, cap=cap, vol=vol) for f, s in speeds}
    out = pd.DataFrame(cols)
    out["combined"] = out.mean(axis=1, skipna=False).clip(-cap, cap)
    return out.dropna(how="all")


def flip_price(fast_ewma: float, slow_ewma: float, fast: int, slow: int) -> float:
    """Tomorrow's price at which the fast and slow EWMAs become equal (the signal flips).

    With alpha = 2/(span+1), tomorrow F' = a_f P + (1 - a_f) F and S' = a_s P + (1 - a_s) S;
    F' = S' gives P* = ((1 - a_s) S - (1 - a_f) F) / (a_f - a_s).

    Args:
        fast_ewma, slow_ewma: today's EWMAs (price units).
        fast, slow: their spans in days (fast < slow).

    Returns:
        The price level (price units). Above it the crossover is long tomorrow, below short.
    """
    if fast >= slow:
        raise ValueError(f"fast span ({fast}) must be shorter than slow span ({slow})")
    a_f = 2.0 / (fast + 1.0)
    a_s = 2.0 / (slow + 1.0)
    return ((1.0 - a_s) * slow_ewma - (1.0 - a_f) * fast_ewma) / (a_f - a_s)


def flip_levels(
    prices: pd.Series, *, speeds: Sequence[tuple[int, int]] = DEFAULT_SPEEDS
) -> dict[str, float]:
    """The next-day flip price of each EWMAC crossover, from the last observation of ``prices``."""
    prices = prices.dropna()
    out: dict[str, float] = {}
    for f, s in speeds:
        out[f"ewmac{f}_{s}"] = flip_price(
            float(ewma(prices, f).iloc[-1]), float(ewma(prices, s).iloc[-1]), f, s
        )
    return out
