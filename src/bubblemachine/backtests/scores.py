"""Scores of probabilistic forecasts: CRPS, PIT, coverage, skill with block-bootstrap intervals.

* CRPS of the model's ensemble: ``scoringrules.crps_ensemble`` (the fair estimator is not
  used: 500+ members make the difference negligible, and the plain one is what the benchmark's
  closed form matches). Benchmarks' CRPS in closed form: ``crps_normal`` (rates, spreads,
  liquidity in levels) and ``crps_lognormal`` (prices, baskets, VIX), both from scoringrules.
* PIT: the share of members below the outcome (ties count half).
* Coverage: the outcome inside the central 50% (q25..q75) and 90% (q05..q95) intervals.
* Skill: ``1 - mean CRPS_model / mean CRPS_benchmark`` over origins, with a moving-block
  bootstrap interval across origins (block length: the horizon in origin spacings, since
  forecasts whose horizons overlap share errors). Written here, not taken from ``arch``:
  ten lines of NumPy, seeded, vectorised over series, and no compiled dependency for it.
* PIT calibration test: Kolmogorov-Smirnov against the uniform (scipy). Overlapping
  horizons make PIT values dependent, so its p-values are optimistic; read them with the
  histogram.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["BOOTSTRAP", "block_indices", "crps_benchmark", "crps_model", "pit_value", "skill_table"]

#: Bootstrap resamples for the skill intervals.
BOOTSTRAP = 1000
#: Central interval of the skill bootstrap.
INTERVAL = (0.05, 0.95)


def crps_model(obs: float, members: np.ndarray) -> float:
    import scoringrules as sr

    return float(sr.crps_ensemble(np.float64(obs), np.asarray(members, dtype="float64")))


def crps_benchmark(obs: float, start: float, scale: float, *, log: bool) -> float:
    """CRPS of a zero-drift random walk after h days with ``scale = sigma * sqrt(h)``."""
    import scoringrules as sr

    if not (math.isfinite(scale) and scale > 0):
        return float("nan")
    if log:
        if not (obs > 0 and start > 0):
            return float("nan")
        return float(sr.crps_lognormal(np.float64(obs), np.float64(math.log(start)), np.float64(scale)))
    return float(sr.crps_normal(np.float64(obs), np.float64(start), np.float64(scale)))


def pit_value(obs: float, members: np.ndarray) -> float:
    m = np.asarray(members)
    return float(np.mean(m < obs) + 0.5 * np.mean(m == obs))


def block_indices(n: int, block: int, reps: int, rng: np.random.Generator) -> np.ndarray:
    """``reps`` moving-block bootstrap resamples of ``range(n)`` (rows), each of length ``n``."""
    block = max(1, min(block, n))
    k = math.ceil(n / block)
    starts = rng.integers(0, n - block + 1, size=(reps, k))
    idx = (starts[:, :, None] + np.arange(block)[None, None, :]).reshape(reps, k * block)
    return idx[:, :n]


def _skill(model: np.ndarray, bench: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1.0 - np.nanmean(model, axis=-2) / np.nanmean(bench, axis=-2)


def skill_table(scores: pd.DataFrame, *, group_of, seed: int = 0, spacing: float = 63.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per series and horizon, and per group and horizon: CRPS, skill with intervals, coverage, PIT test.

    Args:
        scores: one row per origin, series and horizon (``backtest`` rows).
        group_of: series -> group name.
        seed: bootstrap seed.
        spacing: median trading days between origins (sets the block length).

    Returns:
        (by_series, by_group) DataFrames.
    """
    from scipy import stats

    rng = np.random.default_rng(seed)
    series_rows, group_rows = [], []
    for h, sub in scores.groupby("horizon", sort=True):
        origins = sorted(sub["origin"].unique())
        names = list(dict.fromkeys(sub["series"]))
        n = len(origins)
        block = max(1, math.ceil(h / max(spacing, 1.0)))
        idx = block_indices(n, block, BOOTSTRAP, rng) if n > 1 else np.zeros((BOOTSTRAP, 1), dtype=int)
        mats = {c: sub.pivot(index="origin", columns="series", values=c).reindex(index=origins, columns=names)
                .to_numpy(dtype="float64") for c in ("crps_model", "crps_rw1y", "crps_rw5y")}
        boot = {b: _skill(mats["crps_model"][idx], mats[f"crps_{b}"][idx]) for b in ("rw1y", "rw5y")}  # [reps, series]
        point = {b: _skill(mats["crps_model"], mats[f"crps_{b}"]) for b in ("rw1y", "rw5y")}
        for j, s in enumerate(names):
            rows = sub[sub["series"] == s]
            pit = rows["pit"].to_numpy()
            ks = stats.kstest(pit, "uniform").pvalue if len(pit) >= 5 else float("nan")
            rec = {"series": s, "group": group_of(s), "horizon": int(h), "n": int(len(rows)),
                   "crps_model": rows["crps_model"].mean(), "crps_rw1y": rows["crps_rw1y"].mean(),
                   "crps_rw5y": rows["crps_rw5y"].mean(), "coverage50": rows["in50"].mean(),
                   "coverage90": rows["in90"].mean(), "pit_ks_p": ks}
            for b in ("rw1y", "rw5y"):
                lo, hi = np.nanquantile(boot[b][:, j], INTERVAL) if n > 1 else (np.nan, np.nan)
                rec[f"skill_{b}"], rec[f"skill_{b}_lo"], rec[f"skill_{b}_hi"] = point[b][j], lo, hi
            series_rows.append(rec)
        for g in dict.fromkeys(group_of(s) for s in names):
            cols = [j for j, s in enumerate(names) if group_of(s) == g]
            rows = sub[sub["series"].isin([names[j] for j in cols])]
            rec = {"group": g, "horizon": int(h), "n_series": len(cols), "n": int(len(rows)),
                   "coverage50": rows["in50"].mean(), "coverage90": rows["in90"].mean()}
            for b in ("rw1y", "rw5y"):
                rec[f"skill_{b}"] = float(np.nanmean(point[b][cols]))
                lo, hi = np.nanquantile(np.nanmean(boot[b][:, cols], axis=1), INTERVAL) if n > 1 else (np.nan, np.nan)
                rec[f"skill_{b}_lo"], rec[f"skill_{b}_hi"] = lo, hi
            group_rows.append(rec)
    return pd.DataFrame(series_rows), pd.DataFrame(group_rows)
