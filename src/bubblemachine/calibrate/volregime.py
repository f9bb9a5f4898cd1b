"""Volatility regime on the as-of date: each priced series' GARCH(1,1) variance forecast.

The noise window's sample sd (``sigma_s``, :mod:`bubblemachine.calibrate.fit`) is the
long-run level of each series' daily shock. On any given date the market is in a calmer or
a more turbulent regime than that: on 2012-03-30 the S&P 500's conditional vol was ~13% a
year against a 5-year (2007-2012) sd of ~26%. The model's noise therefore starts from the
as-of regime and decays to the window's level at the series' own persistence::

    noise_s(h) = sigma_s * sqrt(1 + (ratio_s - 1) * persist_s ** (h - 1)) * (correlated t draws)

which is the GARCH(1,1) variance forecast ``E[v(h)] = v_LR + (alpha + beta)^(h-1) (v(1) - v_LR)``
with ``v_LR`` the window's sample variance. ``ratio_s`` (one-day-ahead conditional variance
over the sample variance) and ``persist_s`` (``alpha + beta``) are fitted by quasi-maximum
likelihood (`arch`, Sheppard) on the window's own standardised daily changes, known on the
as-of date. A series too young for its own changes (a proxy fills it in), or whose fit fails
or does not converge, keeps ratio 1.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Bounds on the fitted ratio (a one-day-ahead variance 1/10 to 10x the window's).
RATIO_BOUNDS = (0.1, 10.0)
#: Bounds on the daily persistence alpha + beta (half-life ~7 days to ~3.8 years).
PERSIST_BOUNDS = (0.9, 0.9995)
#: Fewer changes than this in the window: no fit (ratio 1, persistence :data:`FALLBACK_PERSIST`).
MIN_OBS = 500
#: Persistence used where no fit is possible (a half-life of ~69 trading days).
FALLBACK_PERSIST = 0.99
#: Convergence tolerance of the quasi-likelihood fit (tight, so the 4 printed digits are stable:
#: the default's answers differ from it by up to 1.4e-4 relative over the backtest's origins).
FIT_TOL = 1e-8
#: SLSQP exit modes accepted: 0 converged; 8 "positive directional derivative in the line
#: search", which at this tolerance means no further improvement is possible (the answers
#: agree with the default tolerance's to 1e-5 where it happens: the 2-year in 2024-25).
CONVERGED = (0, 8)


@dataclass(frozen=True)
class VolRegime:
    """Fitted volatility regime of the priced series on the as-of date.

    Attributes:
        names: series, in the noise's order.
        ratio: one-day-ahead conditional variance / the window's sample variance, per series.
        persist: daily GARCH persistence alpha + beta, per series.
        fitted: whether each series was fitted (False: too few own changes, or the fit failed;
            ratio 1).
    """

    names: tuple[str, ...]
    ratio: np.ndarray
    persist: np.ndarray
    fitted: tuple[bool, ...]

    def half_life(self, name: str) -> float:
        """Trading days for the gap to the long-run variance to halve."""
        p = float(self.persist[self.names.index(name)])
        return float(np.log(0.5) / np.log(p))


def fit_one(x: pd.Series) -> tuple[float, float] | None:
    """``(ratio, persistence)`` of one series' daily changes, or None if it cannot be fitted.

    The changes are standardised by the window's mean and sd, so the sample variance is 1 and
    the ratio is the fitted one-day-ahead conditional variance itself.
    """
    from arch import arch_model

    x = x.dropna()
    if len(x) < MIN_OBS:
        return None
    sd = float(x.std(ddof=1))
    if not np.isfinite(sd) or sd <= 0:
        return None
    z = (x - float(x.mean())) / sd
    model = arch_model(z.to_numpy(dtype="float64"), mean="Zero", vol="GARCH", p=1, q=1, dist="normal",
                       rescale=False)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = model.fit(disp="off", show_warning=False, tol=FIT_TOL)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError):
        return None  # a degenerate window (e.g. a series that hardly moved): no regime
    if res.convergence_flag not in CONVERGED:
        return None
    alpha, beta = float(res.params["alpha[1]"]), float(res.params["beta[1]"])
    v1 = float(res.forecast(horizon=1, reindex=False).variance.to_numpy()[-1, 0])
    if not (np.isfinite(v1) and np.isfinite(alpha + beta)):
        return None
    # rounded to the 4 significant digits the calibration file writes (the file is the record):
    # an optimiser's last digits may differ between CPUs and BLAS builds, and `calibrate --check`
    # allows one unit in the last printed place
    ratio = float(f"{min(max(v1, RATIO_BOUNDS[0]), RATIO_BOUNDS[1]):.4g}")
    persist = float(f"{min(max(alpha + beta, PERSIST_BOUNDS[0]), PERSIST_BOUNDS[1]):.4g}")
    return ratio, persist


def fit_vol_regime(changes: pd.DataFrame, names: tuple[str, ...]) -> VolRegime:
    """The :class:`VolRegime` of ``names`` from the window's daily changes (columns of ``changes``).

    Only the window's own data (known on the as-of date) are used. A name without a column or
    with too few changes keeps ratio 1 and :data:`FALLBACK_PERSIST`.
    """
    ratio, persist, fitted = [], [], []
    for n in names:
        got = fit_one(changes[n]) if n in changes.columns else None
        if got is None:
            ratio.append(1.0)
            persist.append(FALLBACK_PERSIST)
            fitted.append(False)
        else:
            ratio.append(got[0])
            persist.append(got[1])
            fitted.append(True)
    return VolRegime(names=tuple(names), ratio=np.asarray(ratio), persist=np.asarray(persist), fitted=tuple(fitted))
