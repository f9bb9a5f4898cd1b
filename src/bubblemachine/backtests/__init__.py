"""Rolling-origin backtest of the AI model's forecasts against random walks (issue 9, item 6).

``backtest(start=..., end=..., every="quarter")`` picks origins (the first trading day of
each month or quarter in ``[start, end]``), and for each one, with only the data and events
known then: calibrates the model (:func:`bubblemachine.forecasts.start`), simulates it, and
scores every series with an outcome at each horizon against what happened (CRPS, PIT, 50% and
90% coverage), next to two zero-drift random walks whose volatility is the trailing 1-year
and 5-year one (log-normal for prices, baskets and VIX; normal in levels for rates, spreads
and liquidity). Origins run in parallel through the engine's backends (serial, process, Ray).

The result, :class:`BacktestResult`, holds typed tables (``scores``: one row per origin,
series and horizon; ``by_series`` and ``by_group``: skill with block-bootstrap intervals,
coverage, PIT test) that can be written, read back and compared with another model edition
(:func:`compare`), so the backtest is the yardstick of a model's next edition.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bubblemachine.forecasts import ForecastError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from bubblemachine.progress import ProgressLike

__all__ = ["DEFAULT_HORIZONS", "BacktestResult", "BacktestSpec", "backtest", "compare", "origins", "read"]

#: Horizons scored by default: 1, 3, 6 and 12 months of trading days.
DEFAULT_HORIZONS: tuple[int, ...] = (21, 63, 126, 252)
#: Columns of a compact scores table (what the report and :func:`compare` need).
COMPACT_COLUMNS: tuple[str, ...] = ("origin", "series", "group", "horizon", "pit", "in50", "in90",
                                    "crps_model", "crps_rw1y", "crps_rw5y")
#: Default window of origins.
DEFAULT_START, DEFAULT_END = "2012-01-01", "2025-11-14"


@dataclass(frozen=True)
class BacktestSpec:
    """What a backtest runs (validated by :func:`backtest`).

    Attributes:
        start, end: window of origins (dates).
        every: ``month`` or ``quarter``.
        paths: Monte Carlo paths per origin.
        horizons: trading days ahead to score.
        scenario: scenario simulated from every origin.
        seed: root seed (origin ``k`` uses ``seed + k``).
        years: calibration window (noise) in years.
        model: the model name (edition) whose files are run.
    """

    start: str
    end: str
    every: str
    paths: int
    horizons: tuple[int, ...]
    scenario: str
    seed: int
    years: int
    model: str = "ai_liquidity"


@dataclass(frozen=True)
class BacktestResult:
    """A finished backtest.

    Attributes:
        spec: the :class:`BacktestSpec`.
        origins: the origins run (trading days).
        failed: ``(origin, reason)`` of origins that could not be run (reported, not scored).
        scores: one row per origin, series and horizon: ``origin, series, group, horizon,
            target, start, outcome, mean, q05, q25, q50, q75, q95, pit, in50, in90,
            crps_model, crps_rw1y, crps_rw5y`` (levels in the series' units).
        by_series: per series and horizon: ``n``, mean CRPS (model, rw1y, rw5y), skill vs each
            random walk with its 90% block-bootstrap interval, coverage50/90, PIT KS p-value.
        by_group: per group (prices, rates, liquidity) and horizon: mean skill over the
            group's series with its interval, pooled coverage.
        failed_paths: origin -> number of simulated paths that failed to solve and were
            excluded from its scores (origins with none are left out).
        model_digest: the model's edition: digest of its files other than the calibration
            (:func:`bubblemachine.calibrate.files.edition_digest`), the same at every origin.
        elapsed_s: wall time.
    """

    spec: BacktestSpec
    origins: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]
    scores: pd.DataFrame = field(repr=False)
    by_series: pd.DataFrame = field(repr=False)
    by_group: pd.DataFrame = field(repr=False)
    model_digest: str = ""
    elapsed_s: float = 0.0
    failed_paths: dict[str, int] = field(default_factory=dict)

    def coverage90_priced(self) -> pd.Series:
        """90% coverage pooled over the priced series (prices, rates, spreads, VIX), by horizon."""
        s = self.scores[self.scores["group"].isin(["prices", "rates"])]
        return s.groupby("horizon")["in90"].mean()

    def write(self, folder: str | Path, *, compact: bool = False) -> Path:
        """Write ``scores.csv``, ``by_series.csv``, ``by_group.csv`` and ``backtest.json`` atomically.

        ``compact`` keeps only the scores' columns the report and :func:`compare` read (the
        shipped backtest), not the levels and quantiles.
        """
        from bubblemachine._io import atomic_write_text

        out = Path(folder)
        if out.exists() and not out.is_dir():
            raise ForecastError(f"--out {out}: exists and is not a folder")
        try:
            scores = self.scores[list(COMPACT_COLUMNS)] if compact else self.scores
            for name, df in (("scores", scores), ("by_series", self.by_series), ("by_group", self.by_group)):
                atomic_write_text(out / f"{name}.csv", df.to_csv(index=False, float_format="%.10g"))
            meta = {"spec": asdict(self.spec), "origins": list(self.origins), "failed": [list(f) for f in self.failed],
                    "model_digest": self.model_digest, "elapsed_s": round(self.elapsed_s, 1),
                    "failed_paths": self.failed_paths,
                    "coverage90_priced": {str(k): float(v) for k, v in self.coverage90_priced().items()}}
            atomic_write_text(out / "backtest.json", json.dumps(meta, indent=1))
        except OSError as exc:
            raise ForecastError(f"--out {out}: cannot write ({exc.strerror})") from None
        return out


def read(folder: str | Path) -> BacktestResult:
    """Read a :class:`BacktestResult` written by :meth:`BacktestResult.write`."""
    import pandas as pd

    d = Path(folder)
    try:
        meta = json.loads((d / "backtest.json").read_text(encoding="utf-8"))
        frames = {n: pd.read_csv(d / f"{n}.csv") for n in ("scores", "by_series", "by_group")}
    except (OSError, ValueError) as exc:
        raise ForecastError(f"{d}: not a backtest folder ({exc})") from None
    spec = meta["spec"]
    spec["horizons"] = tuple(spec["horizons"])
    return BacktestResult(spec=BacktestSpec(**spec), origins=tuple(meta["origins"]),
                          failed=tuple(tuple(f) for f in meta["failed"]), scores=frames["scores"],
                          by_series=frames["by_series"], by_group=frames["by_group"],
                          model_digest=meta.get("model_digest", ""), elapsed_s=float(meta.get("elapsed_s", 0.0)),
                          failed_paths={k: int(v) for k, v in meta.get("failed_paths", {}).items()})


def origins(start: str, end: str, every: str, *, last: str | None = None) -> list[str]:
    """The first trading day of each month or quarter in ``[start, end]`` (and not after ``last``)."""
    import pandas as pd

    from bubblemachine.data.calendar import sessions_between

    if every not in ("month", "quarter"):
        raise ForecastError(f"--every: {every!r} is not one of month, quarter")
    days = sessions_between(start, min(pd.Timestamp(end), pd.Timestamp(last)) if last else end)
    if len(days) == 0:
        raise ForecastError(f"--start {start} --end {end}: no trading day in between")
    key = days.to_period("M" if every == "month" else "Q")
    first = pd.Series(days, index=days).groupby(key).min()
    return [f"{d:%Y-%m-%d}" for d in first.to_numpy().astype("datetime64[ns]").astype("datetime64[D]").tolist()]


@dataclass(frozen=True)
class _Job:
    """What every origin's worker needs (pickled once per worker)."""

    spec: BacktestSpec
    home: str


def _score_origin(job: _Job, task: tuple[int, str]) -> dict[str, Any]:
    """Calibrate, simulate and score one origin (runs in a worker)."""
    import numpy as np
    import pandas as pd

    from bubblemachine import paths
    from bubblemachine.backtests.scores import crps_benchmark, crps_model, pit_value
    from bubblemachine.backtests.truth import LOG_SERIES, SCORED, Truth, group_of, rw_scales
    from bubblemachine.data import Store
    from bubblemachine.data.calendar import next_sessions
    from bubblemachine.errors import BubbleMachineError
    from bubblemachine.forecasts import simulate_start, start

    k, origin = task
    spec = job.spec
    paths.set_home(job.home)  # a spawned worker does not inherit the driver's --home
    store = Store(job.home)
    try:
        st = start(origin, store=store, years=spec.years, home=job.home)
        sim = simulate_start(st, scenario=spec.scenario, paths=spec.paths, horizon=max(spec.horizons),
                             seed=spec.seed + k, save=list(SCORED))
        arrays = sim.arrays
        if not len(arrays[SCORED[0]]):
            raise FloatingPointError(f"every path failed: {sim.first_failure}")
    except (BubbleMachineError, FloatingPointError, np.linalg.LinAlgError) as exc:
        # the home folder is the user's: a result names it <home> (shareable, machine-independent)
        reason = f"{type(exc).__name__}: {exc}".replace(str(job.home), "<home>")
        return {"origin": origin, "rows": [], "error": reason, "digest": ""}
    truth = Truth(store)
    scales = {"rw1y": rw_scales(store, st.asof, 1), "rw5y": rw_scales(store, st.asof, 5)}
    dates = next_sessions(st.asof, max(spec.horizons))
    ts = pd.Timestamp(st.asof)
    qs = (0.05, 0.25, 0.5, 0.75, 0.95)
    rows = []
    for s in SCORED:
        if not truth.listed(s, ts):
            continue
        last = truth.last_date(s)
        for h in spec.horizons:
            target = dates[h - 1]
            if target > last:
                continue
            y = truth.value(s, ts, target)
            ens = arrays[s][:, h]
            if not (np.isfinite(y) and np.all(np.isfinite(ens))):
                continue
            x0 = float(arrays[s][0, 0])
            q = np.quantile(ens, qs)
            log = s in LOG_SERIES
            rows.append({
                "origin": st.asof, "series": s, "group": group_of(s), "horizon": h, "target": f"{target:%Y-%m-%d}",
                "start": x0, "outcome": y, "mean": float(ens.mean()), "q05": q[0], "q25": q[1], "q50": q[2],
                "q75": q[3], "q95": q[4], "pit": pit_value(y, ens),
                "in50": float(q[1] <= y <= q[3]), "in90": float(q[0] <= y <= q[4]),
                "crps_model": crps_model(y, ens),
                "crps_rw1y": crps_benchmark(y, x0, scales["rw1y"][s] * np.sqrt(h), log=log),
                "crps_rw5y": crps_benchmark(y, x0, scales["rw5y"][s] * np.sqrt(h), log=log),
            })
    from bubblemachine.calibrate.files import edition_digest

    return {"origin": st.asof, "rows": rows, "error": "", "digest": edition_digest(st.model_dir),
            "failed_paths": sim.failed, "first_failure": sim.first_failure.replace(str(job.home), "<home>")}


def backtest(
    *,
    start: str = DEFAULT_START,
    end: str = DEFAULT_END,
    every: str = "quarter",
    paths: int = 500,
    horizons: tuple[int, ...] | list[int] = DEFAULT_HORIZONS,
    scenario: str = "baseline",
    seed: int | None = None,
    years: int | None = None,
    backend: Any = None,
    workers: int | None = None,
    store=None,
    progress: ProgressLike = True,
) -> BacktestResult:
    """Score the model's forecasts from rolling origins against random walks.

    Args:
        start, end: window of origins (``YYYY-MM-DD``); origins whose horizon runs past the
            data are still run, and scored at the horizons that have an outcome.
        every: ``month`` or ``quarter``.
        paths: Monte Carlo paths per origin (default 500).
        horizons: trading days ahead (default 21, 63, 126, 252).
        scenario: the scenario run from every origin.
        seed: root seed (default the model's); origin ``k`` uses ``seed + k``.
        years: calibration window in years (default 5).
        backend: ``None``/``"serial"``, ``"process"``, ``"ray"`` or a backend object: origins
            are its tasks.
        workers: processes or Ray CPUs.
        store: the data store (its home is what workers open).
        progress: progress bar over origins.

    Returns:
        The :class:`BacktestResult`.
    """
    from bubblemachine import paths as bm_paths
    from bubblemachine.backtests.scores import skill_table
    from bubblemachine.backtests.truth import group_of
    from bubblemachine.calibrate import WINDOW_YEARS
    from bubblemachine.calibrate.files import default_asof
    from bubblemachine.data import open_store, parse_asof
    from bubblemachine.progress import resolve_progress
    from bubblemachine.scenarios.runner import check_horizon, check_paths, check_seed
    from bubblemachine.sfc import load_model
    from bubblemachine.sfc.backends import open_backend

    t0 = time.perf_counter()
    store = store if store is not None else open_store()
    hs = tuple(sorted({check_horizon(int(h)) for h in horizons}))
    if not hs:
        raise ForecastError("--horizons: give at least one horizon")
    s0 = parse_asof(start, store=store, series=["SPX"], option="--start")
    s1 = parse_asof(end, store=store, series=["SPX"], option="--end")
    if s1 < s0:
        raise ForecastError(f"--end {end} is before --start {start}")
    if seed is None:
        seed = load_model("ai_liquidity").run_defaults.seed or 0
    spec = BacktestSpec(start=f"{s0:%Y-%m-%d}", end=f"{s1:%Y-%m-%d}", every=every, paths=check_paths(paths),
                        horizons=hs, scenario=str(scenario), seed=check_seed(seed), years=years or WINDOW_YEARS)
    days = origins(spec.start, spec.end, every, last=default_asof(store))
    job = _Job(spec=spec, home=str(getattr(store, "home", bm_paths.home())))
    results: list[dict] = []
    # a backend named here is closed when the origins are done (its workers exit)
    with open_backend(backend, workers=workers) as be, resolve_progress(progress)("backtest origins", total=len(days)) as bar:
        done = 0

        def tick(k: int = 1) -> None:
            nonlocal done
            done += k
            bar.update(done)

        for _, res in be.map(_score_origin, list(enumerate(days)), shared=job, progress=tick):
            results.append(res)
    import pandas as pd

    results.sort(key=lambda r: r["origin"])
    rows = [row for r in results for row in r["rows"]]
    failed = tuple((r["origin"], r["error"]) for r in results if r["error"])
    if not rows:
        detail = f"; first failure: {failed[0][0]}: {failed[0][1]}" if failed else ""
        raise ForecastError(f"backtest {spec.start}..{spec.end}: nothing could be scored{detail}")
    scores = pd.DataFrame(rows)
    spacing = 21.0 if every == "month" else 63.0
    by_series, by_group = skill_table(scores, group_of=group_of, seed=spec.seed, spacing=spacing)
    digest = next((r["digest"] for r in reversed(results) if r["digest"]), "")
    paths_failed = {r["origin"]: int(r.get("failed_paths", 0)) for r in results if r.get("failed_paths")}
    return BacktestResult(spec=spec, origins=tuple(r["origin"] for r in results), failed=failed, scores=scores,
                          by_series=by_series, by_group=by_group, model_digest=digest,
                          elapsed_s=time.perf_counter() - t0, failed_paths=paths_failed)


def compare(a: BacktestResult, b: BacktestResult) -> pd.DataFrame:
    """Two backtests (e.g. two model editions) side by side per group and horizon:
    skill vs the 1-year random walk and 90% coverage of each, and their differences."""
    cols = ["group", "horizon", "skill_rw1y", "skill_rw5y", "coverage90"]
    out = a.by_group[cols].merge(b.by_group[cols], on=["group", "horizon"], suffixes=("_a", "_b"))
    for c in ("skill_rw1y", "skill_rw5y", "coverage90"):
        out[f"{c}_diff"] = out[f"{c}_b"] - out[f"{c}_a"]
    return out
