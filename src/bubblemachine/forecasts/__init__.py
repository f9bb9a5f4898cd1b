"""Probabilistic forecasts of the AI liquidity model from any date the store reaches (issue 9, item 5).

``forecast(asof=...)`` calibrates the model on the data and events known on ``asof``
(:func:`start`), simulates a scenario (default the baseline) from there, and returns a
:class:`Forecast`: a long table with one row per trading day ahead and reported series,
holding the mean and 19 quantiles (5%, 10%, ..., 95%) of the simulated level.

Defaults (paths, horizon, seed) come from the model's ``[model] defaults``
(``Model.run_defaults``): an explicit argument wins, the scenario file's run settings do not
apply (a forecast is the model's, whatever scenario it runs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bubblemachine.errors import ForecastError  # noqa: F401 - re-exported (defined in errors.py)
from bubblemachine.forecasts.start import Start, model_dir_for, start

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from bubblemachine.progress import ProgressLike

__all__ = [
    "QUANTILES",
    "QUANTILE_COLUMNS",
    "SUMMARY_HORIZONS",
    "Forecast",
    "ForecastError",
    "Simulated",
    "Start",
    "forecast",
    "simulate_start",
    "model_dir_for",
    "start",
    "units_of",
]

#: The 19 quantile levels of a forecast (5%, 10%, ..., 95%).
QUANTILES: tuple[float, ...] = tuple(round(0.05 * k, 2) for k in range(1, 20))
#: Their column names: q05, q10, ..., q95.
QUANTILE_COLUMNS: tuple[str, ...] = tuple(f"q{round(q * 100):02d}" for q in QUANTILES)
#: Horizons (trading days) the table format shows: 1, 3, 6 and 12 months.
SUMMARY_HORIZONS: dict[str, int] = {"1m": 21, "3m": 63, "6m": 126, "12m": 252}


def _resolve_runs(model, paths, horizon, seed) -> tuple[int, int, int]:
    from bubblemachine.scenarios.runner import check_horizon, check_paths, check_seed

    d = model.run_defaults
    paths = paths if paths is not None else (d.paths or 1000)
    horizon = horizon if horizon is not None else (d.periods or 252)
    seed = seed if seed is not None else (d.seed or 0)
    return check_paths(paths), check_horizon(horizon), check_seed(seed)


@dataclass(frozen=True)
class Simulated:
    """Paths simulated from a start.

    Attributes:
        arrays: series -> ``[path, period]`` (column 0 = period 0); failed paths excluded
            (``on_failure="exclude"``) or NaN from their failing period (``"keep"``).
        failed: number of paths that failed to solve.
        first_failure: where the first failure happened (period, variable, reason), or ''.
    """

    arrays: dict[str, np.ndarray] = field(repr=False)
    failed: int = 0
    first_failure: str = ""


#: What a failing path does in forecasts and backtests (the engine's ``on_failure``):
#: excluded from the quantiles and counted; the report says how many.
ON_FAILURE = "exclude"


def simulate_start(
    st: Start,
    *,
    scenario: str = "baseline",
    paths: int | None = None,
    horizon: int | None = None,
    seed: int | None = None,
    save: list[str] | None = None,
    progress: ProgressLike = False,
    on_failure: str = ON_FAILURE,
) -> Simulated:
    """Simulate ``scenario`` from ``st``; arrays ``[path, period]`` with column 0 = period 0.

    A path that fails to solve does not discard the others: with ``on_failure="exclude"``
    (the default) it is dropped and counted, with ``"keep"`` it stays as NaN from its failing
    period, with ``"raise"`` the run stops.
    """
    import numpy as np

    import bubblemachine.sfc as sfc
    from bubblemachine.scenarios import scenario_path
    from bubblemachine.scenarios.runner import compiled
    from bubblemachine.scenarios.series import REPORTED

    paths, horizon, seed = _resolve_runs(st.model, paths, horizon, seed)
    names = list(save) if save is not None else list(REPORTED)
    unknown = [n for n in names if n not in st.model.equations]
    if unknown:
        raise ForecastError(f"--series: the model has no series {', '.join(unknown)} (choose from {', '.join(REPORTED)})")
    scen = sfc.load_scenario(scenario_path(scenario))
    res = sfc.simulate(compiled(st.model), scen, periods=horizon, paths=paths, seed=seed, save=names,
                       progress=progress not in (False, None), on_failure=on_failure)
    out = {}
    for n in names:
        arr = np.asarray(res[n], dtype="float64")
        if arr.ndim == 1:
            arr = arr[None, :]
        out[n] = arr
    fails = tuple(getattr(res, "failures", ()))
    first = ""
    if fails:
        f0 = min(fails, key=lambda f: (getattr(f, "period", 0), getattr(f, "path", 0)))
        first = str(getattr(f0, "message", f0))
    return Simulated(arrays=out, failed=len(fails), first_failure=first)


def units_of(series: str, asof: str) -> str:
    """Units of a reported series' level (baskets: ``index (<asof> = 100)``)."""
    import re

    from bubblemachine.scenarios.series import SERIES

    units = SERIES[series].units
    return re.sub(r"\d{4}-\d{2}-\d{2}", asof, units)


@dataclass(frozen=True)
class Forecast:
    """A probabilistic forecast.

    Attributes:
        asof: period 0 (a trading day): the data and events known then.
        scenario: the scenario simulated.
        paths, horizon, seed: the run (seed: root of the per-path random streams).
        model_digest: the digest of the model directory run (names its calibration).
        calibration_file: the calibration used.
        table: long table ``date, horizon, series, units, mean, q05 .. q95``.
        start: level of each series at period 0.
        failed_paths: paths that failed to solve, excluded from the table.
        first_failure: where the first failure happened ('' when none).
    """

    asof: str
    scenario: str
    paths: int
    horizon: int
    seed: int
    model_digest: str
    calibration_file: str
    table: pd.DataFrame = field(repr=False)
    start: dict[str, float] = field(default_factory=dict)
    failed_paths: int = 0
    first_failure: str = ""

    def summary(self, horizons: dict[str, int] | None = None) -> pd.DataFrame:
        """Rows of :attr:`table` at 1, 3, 6 and 12 months (those within the horizon)."""
        chosen = {k: h for k, h in (horizons or SUMMARY_HORIZONS).items() if h <= self.horizon}
        if not chosen:
            chosen = {f"{self.horizon}d": self.horizon}
        rows = self.table[self.table["horizon"].isin(list(chosen.values()))].copy()
        label = {h: k for k, h in chosen.items()}
        rows.insert(0, "ahead", rows["horizon"].map(label))
        return rows.reset_index(drop=True)

    def write(self, path: str | Path) -> Path:
        """Write :attr:`table` to ``.csv`` or ``.parquet`` atomically."""
        from bubblemachine._io import atomic_write_bytes

        target = Path(path)
        suffix = target.suffix.lower()
        if suffix not in (".csv", ".parquet"):
            raise ForecastError(f"--out {target}: use a .csv or .parquet file name")
        if target.is_dir():
            raise ForecastError(f"--out {target}: is a folder; give a file name ending .csv or .parquet")
        if suffix == ".csv":
            data = self.table.to_csv(index=False, date_format="%Y-%m-%d", float_format="%.10g").encode()
        else:
            import io

            buf = io.BytesIO()
            self.table.to_parquet(buf, index=False)
            data = buf.getvalue()
        try:
            atomic_write_bytes(target, data)
        except OSError as exc:
            raise ForecastError(f"--out {target}: cannot write ({exc.strerror})") from None
        return target


def quantile_table(arrays: dict[str, np.ndarray], dates: pd.DatetimeIndex, asof: str) -> pd.DataFrame:
    """The long forecast table from arrays ``[path, period]`` (period 0 excluded)."""
    import numpy as np
    import pandas as pd

    frames = []
    horizon = len(dates)
    for name, arr in arrays.items():
        x = arr[:, 1 : horizon + 1]
        q = np.quantile(x, QUANTILES, axis=0)  # [19, H]
        df = pd.DataFrame(q.T, columns=list(QUANTILE_COLUMNS))
        df.insert(0, "mean", x.mean(axis=0))
        df.insert(0, "units", units_of(name, asof))
        df.insert(0, "series", name)
        df.insert(0, "horizon", np.arange(1, horizon + 1))
        df.insert(0, "date", dates)
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def forecast(
    *,
    asof: str | None = None,
    scenario: str = "baseline",
    paths: int | None = None,
    horizon: int | None = None,
    seed: int | None = None,
    series: list[str] | None = None,
    store=None,
    progress: ProgressLike = True,
) -> Forecast:
    """The model's probabilistic forecast from ``asof``.

    Args:
        asof: the as-of date (default: the latest date the store supports).
        scenario: scenario name or file (default ``baseline``).
        paths, horizon, seed: default ``Model.run_defaults`` (1,000 paths, 252 trading days,
            seed 20251114 for the AI model).
        series: reported series to keep (default every one of ``scenarios.series.REPORTED``).
        store: the data store.
        progress: progress bars (True, False or a factory).

    Returns:
        The :class:`Forecast`.
    """
    from bubblemachine.data.calendar import next_sessions

    st = start(asof, store=store)
    paths, horizon, seed = _resolve_runs(st.model, paths, horizon, seed)
    sim = simulate_start(st, scenario=scenario, paths=paths, horizon=horizon, seed=seed, save=series,
                         progress=progress)
    arrays = sim.arrays
    dates = next_sessions(st.asof, horizon)
    table = quantile_table(arrays, dates, st.asof)
    return Forecast(
        asof=st.asof, scenario=str(scenario), paths=paths, horizon=horizon, seed=seed,
        model_digest=st.model.digest or "", calibration_file=str(st.calibration_file), table=table,
        start={n: float(a[0, 0]) for n, a in arrays.items()},
        failed_paths=sim.failed, first_failure=sim.first_failure,
    )
