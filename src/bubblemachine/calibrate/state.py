"""Everything dated the AI model needs, as known on the as-of date (issue 9, items 2-4).

:func:`model_state` turns the policy state (events file + data), the TGA's calendar and the
store into the values the model files used to hard-code for 2025-11-14: the quarter position,
net liquidity at period 0, the CTA's starting trend gaps, the Fed's balance-sheet path (runoff
and purchases by period, from the announcements known then), the shutdown state, the ON RRP
and TGA targets, the TGA's tax-date pattern as a path of daily flows, the liquidity block's
noise, and the bound on the fat-tailed shocks.

Units: USD billions (per trading day for flows); shares for the CTA gaps; standard deviations
for the shock bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["HORIZON", "ModelState", "model_state"]

#: Trading days the calendar paths cover (ten years); the last value holds afterwards.
HORIZON = 2520
#: Spans of the CTA's fast and slow EWMAs (the model's cta_alpha_fast / cta_alpha_slow).
CTA_SPANS = (16, 64)
#: Half-life in trading days of the realised-variance EWMA (the model's rvol_lambda = 0.5^(1/20)).
RVOL_HALF_LIFE = 20


@dataclass(frozen=True)
class ModelState:
    """Dated inputs of the AI model on ``asof``.

    Attributes:
        asof: the date (period 0).
        bdq: trading day of the quarter, 0-based (NYSE sessions of the quarter before asof).
        net_liquidity: Fed assets - TGA - ON RRP at period 0 (USD bn).
        cta_fast_gap0, cta_slow_gap0: 1 - EWMA / S&P 500 for spans 16 and 64 (share).
        spx_var: the S&P 500's realised variance on asof: EWMA (20-day half-life) of squared daily
            log returns, (log return)^2 per day (what vol-target funds, CTAs and VaR desks see).
        qt_runoff_path: Fed runoff per trading day, by period (USD bn/day).
        fed_purchases_path: Fed purchases per trading day, by period (USD bn/day).
        shutdown: 1.0 while a shutdown is under way on asof.
        rrp_target: ON RRP level the model reverts to (its level on asof: no drift, USD bn).
        tga_target: Treasury's cash target (USD bn).
        tga_seasonal: expected TGA flow of the tax calendar, by period (USD bn/day).
        tga_sigma, rrp_sigma, fed_sigma: sd of the daily TGA, ON RRP and Fed balance-sheet shocks (USD bn).
        rrp_level_sigma: sd of the daily step of ON RRP's settling level (a random walk, USD bn).
        eps_limit: bound on each unit-variance shock (the largest standardised daily change
            of the noise window, in standard deviations).
        notes: provenance, one line per item.
    """

    asof: str
    bdq: int
    net_liquidity: float
    cta_fast_gap0: float
    cta_slow_gap0: float
    spx_var: float
    qt_runoff_path: tuple[float, ...]
    fed_purchases_path: tuple[float, ...]
    shutdown: float
    rrp_target: float
    tga_target: float
    tga_seasonal: tuple[float, ...]
    tga_sigma: float
    rrp_sigma: float
    fed_sigma: float
    rrp_level_sigma: float
    eps_limit: float
    notes: dict[str, str]


def _flow_path(policy, regime: str) -> tuple[float, ...]:
    """Per-period flow of ``regime`` steps, up to the last announced change (then it holds)."""
    last = max(s.period for s in policy.steps)
    out = []
    for t in range(last + 1):
        st = policy.step_at(t)
        out.append(round(st.flow, 6) if st.regime == regime else 0.0)
    return tuple(out)


def _ewma_gap(spx: pd.Series, span: int) -> float:
    e = spx.ewm(span=span, adjust=False).mean()
    return float(1.0 - e.iloc[-1] / spx.iloc[-1])


def _ewma_var(spx: pd.Series, half_life: int = RVOL_HALF_LIFE) -> float:
    r2 = np.log(spx).diff().dropna() ** 2
    return float(r2.ewm(halflife=half_life, adjust=False).mean().iloc[-1])


def model_state(store, asof: str, *, policy, initial: dict[str, float], changes: pd.DataFrame) -> ModelState:
    """The dated inputs on ``asof`` (``initial``: the calibration's period-0 levels by name)."""
    from bubblemachine.calibrate.liquidity import fit_liquidity
    from bubblemachine.data.calendar import next_sessions, sessions_between

    ts = pd.Timestamp(asof)
    q_start = ts.to_period("Q").start_time
    bdq = max(0, len(sessions_between(q_start, ts)) - 1)
    nl = initial["fed_assets"] - initial["tga"] - initial["on_rrp"]
    spx = store.series("SPX", asof=ts).dropna().iloc[-400:]
    fast, slow = (_ewma_gap(spx, s) for s in CTA_SPANS)
    liq = fit_liquidity(store, asof)
    days = next_sessions(ts, HORIZON)
    seasonal = np.concatenate([[0.0], liq.tga_seasonal(days)])
    z = (changes - changes.mean()) / changes.std(ddof=1)
    eps_limit = float(np.nanmax(np.abs(z.to_numpy()))) if len(z) else 10.0
    notes = {
        "bdq": f"NYSE sessions of {ts.to_period('Q')} up to {asof}, 0-based",
        "spx_var": f"EWMA ({RVOL_HALF_LIFE}-day half-life) of squared daily log returns of SPX to {spx.index[-1]:%Y-%m-%d}",
        "cta": f"S&P 500 vs its {CTA_SPANS[0]}- and {CTA_SPANS[1]}-day EWMAs of closes to {spx.index[-1]:%Y-%m-%d}",
        "policy": "; ".join(f"{s.regime} {s.flow:.3f}/day from period {s.period} ({s.event})" for s in policy.steps),
        "tga": f"TGA calendar from {liq.source}; target {policy.tga_target:.1f} ({policy.tga_target_source})",
        "eps": f"largest |standardised daily change| of the noise window ({changes.index[0]:%Y-%m-%d}.."
               f"{changes.index[-1]:%Y-%m-%d})" if len(changes) else "default",
    }
    return ModelState(
        asof=f"{ts:%Y-%m-%d}", bdq=int(bdq), net_liquidity=float(nl), cta_fast_gap0=fast, cta_slow_gap0=slow,
        spx_var=_ewma_var(spx),
        qt_runoff_path=_flow_path(policy, "runoff"), fed_purchases_path=_flow_path(policy, "purchases"),
        shutdown=float(policy.shutdown), rrp_target=float(initial["on_rrp"]), tga_target=float(policy.tga_target),
        tga_seasonal=tuple(round(float(x), 3) for x in seasonal), tga_sigma=float(liq.tga_sigma),
        rrp_sigma=float(liq.rrp_sigma), fed_sigma=float(liq.fed_sigma), rrp_level_sigma=float(liq.rrp_level_sigma),
        eps_limit=eps_limit, notes=notes,
    )
