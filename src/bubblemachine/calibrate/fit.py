"""Noise fit: daily volatilities, correlation, Cholesky factor, pooled Student-t tails.

Model of the daily change of priced series ``s`` (see ``history.daily_changes``)::

    noise_s = sigma_s * sum_j chol[s, j] * eps_j,   eps_j ~ iid Student-t(nu), unit variance

so ``sd(noise_s) = sigma_s`` and ``corr(noise) = chol @ chol.T`` exactly; the first factor
(spx) is an exact Student-t, the others mixtures of independent t's (slightly thinner tails).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special

#: Bounds of the Student-t degrees of freedom search (variance must exist: nu > 2).
NU_BOUNDS = (2.05, 200.0)


@dataclass(frozen=True)
class NoiseFit:
    """Fitted noise of the priced series.

    Attributes:
        names: series in Cholesky order.
        sigma: daily sd of each series' change (log units or percentage points).
        mean: daily mean change (not used by the noise; reported for reference).
        corr: correlation matrix [n, n].
        chol: lower-triangular Cholesky factor of ``corr``.
        nu: pooled Student-t degrees of freedom (maximum likelihood).
        n_obs: number of daily observations.
        first: first date of the changes used.
        last: last date.
    """

    names: tuple[str, ...]
    sigma: np.ndarray
    mean: np.ndarray
    corr: np.ndarray
    chol: np.ndarray
    nu: float
    n_obs: int
    first: str
    last: str


def standardized_t_logpdf(z: np.ndarray, nu: float) -> np.ndarray:
    """Log density of a Student-t with ``nu`` degrees of freedom scaled to unit variance."""
    c = np.sqrt((nu - 2.0) / nu)
    x = z / c
    return (
        special.gammaln((nu + 1) / 2)
        - special.gammaln(nu / 2)
        - 0.5 * np.log(nu * np.pi)
        - (nu + 1) / 2 * np.log1p(x * x / nu)
        - np.log(c)
    )


def fit_nu(z: np.ndarray) -> float:
    """Maximum-likelihood degrees of freedom of a unit-variance Student-t for pooled ``z``.

    Args:
        z: standardised observations (mean 0, sd 1 per series), any shape.

    Returns:
        ``nu`` in :data:`NU_BOUNDS`.
    """
    zz = np.asarray(z, dtype="float64").ravel()
    zz = zz[np.isfinite(zz)]

    def nll(log_nu_minus_2: float) -> float:
        nu = 2.0 + np.exp(log_nu_minus_2)
        return -float(np.sum(standardized_t_logpdf(zz, nu)))

    lo, hi = np.log(NU_BOUNDS[0] - 2.0), np.log(NU_BOUNDS[1] - 2.0)
    res = optimize.minimize_scalar(nll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-8})
    return float(2.0 + np.exp(res.x))


def fit_noise(changes: pd.DataFrame) -> NoiseFit:
    """Fit sigma, correlation, Cholesky and pooled nu to daily changes.

    Args:
        changes: DataFrame [date, series] without missing values (``history.daily_changes``).

    Returns:
        The :class:`NoiseFit`.
    """
    x = changes.to_numpy(dtype="float64")
    mean = x.mean(axis=0)
    sigma = x.std(axis=0, ddof=1)
    z = (x - mean) / sigma
    corr = np.corrcoef(x, rowvar=False)
    corr = (corr + corr.T) / 2.0
    np.fill_diagonal(corr, 1.0)
    chol = np.linalg.cholesky(corr)
    nu = fit_nu(z)
    return NoiseFit(
        names=tuple(changes.columns),
        sigma=sigma,
        mean=mean,
        corr=corr,
        chol=chol,
        nu=nu,
        n_obs=int(x.shape[0]),
        first=f"{changes.index[0]:%Y-%m-%d}",
        last=f"{changes.index[-1]:%Y-%m-%d}",
    )


def with_proxies(fit: NoiseFit, names: tuple[str, ...], proxies: dict[str, tuple[str, float]]) -> NoiseFit:
    """``fit`` extended to every series of ``names``; a missing series borrows its proxy.

    A series too young for its own noise (ETH before 2017) gets its proxy's sigma and is
    modelled as ``rho * proxy + sqrt(1 - rho^2) * independent``: its correlation with the
    proxy is ``rho`` and with every other series ``rho`` times the proxy's, which keeps the
    matrix positive definite. Such series are simulated so the model runs, never scored.
    """
    have = list(fit.names)
    missing = [n for n in names if n not in have]
    if not missing:
        return fit
    order = list(have)
    sigma = list(fit.sigma)
    mean = list(fit.mean)
    k = len(names)
    corr = np.eye(k)
    corr[: len(have), : len(have)] = fit.corr
    pending = list(missing)
    while pending:
        progressed = False
        for n in list(pending):
            proxy, rho = proxies.get(n, ("spx", 0.5))
            if proxy not in order:
                continue
            j = order.index(proxy)
            i = len(order)
            order.append(n)
            sigma.append(sigma[j])
            mean.append(0.0)
            corr[i, :i] = rho * corr[j, :i]
            corr[:i, i] = corr[i, :i]
            corr[i, j] = corr[j, i] = rho
            pending.remove(n)
            progressed = True
        if not progressed:
            raise ValueError(f"no proxy chain for {', '.join(pending)}")
    perm = [order.index(n) for n in names]
    corr = corr[np.ix_(perm, perm)]
    chol = np.linalg.cholesky(corr)
    return NoiseFit(
        names=tuple(names), sigma=np.asarray(sigma)[perm], mean=np.asarray(mean)[perm], corr=corr,
        chol=chol, nu=fit.nu, n_obs=fit.n_obs, first=fit.first, last=fit.last,
    )


#: Rates and spreads whose model noise is a random walk (``rate_noise_speed`` 0): their daily
#: changes are autocorrelated (OAS indices most: 1997-2011 variance ratios of 252-day changes
#: ~8 for IG, ~5 for HY, ~1.7 for the 2-year), so the sd of one day understates the spread of
#: a month; their sigma is measured on :data:`PERSISTENCE_DAYS`-day sums instead.
PERSISTENT: tuple[str, ...] = ("ust2y", "ust10y", "ig_oas", "hy_oas")
PERSISTENCE_DAYS = 21


def with_persistence(fit: NoiseFit, changes: pd.DataFrame, *, names: tuple[str, ...] = PERSISTENT,
                     days: int = PERSISTENCE_DAYS) -> NoiseFit:
    """``fit`` with the sigma of ``names`` from the sd of ``days``-day sums of their daily changes / sqrt(days).

    Only the window's own data (``changes``, known on the as-of date) are used; the correlation,
    Cholesky factor and tail index stay those of daily changes. A series whose multi-day sd is
    below its daily sd (mean reversion within the month) keeps its daily sigma.
    """
    import dataclasses

    sigma = np.array(fit.sigma, dtype="float64")
    for n in names:
        if n not in fit.names or n not in changes.columns:
            continue
        i = fit.names.index(n)
        sums = changes[n].rolling(days).sum().dropna()
        if len(sums) > 2 * days:
            sigma[i] = max(sigma[i], float(sums.std(ddof=1)) / np.sqrt(days))
    return dataclasses.replace(fit, sigma=sigma)

