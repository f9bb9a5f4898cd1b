"""Parameter sweeps: the Cartesian product of a grid, each point a Monte Carlo run, on disk.

``sweep(model, grid={"alpha1": [0.5, 0.6, 0.7], "theta": [0.15, 0.2]}, paths=100, out="sw/")``
runs ``simulate`` once per grid point (6 points here), spreads the points over a backend
(serial, processes, Ray), and streams each point's paths to its own Parquet shard, so a sweep
never holds more than a few points in memory. The directory it writes::

    out/
      points/point-000000.parquet   one shard per point: path, period, saved variables,
      points/point-000001.parquet   and the per-path draws of uncertain parameters
      ...                           (columns "uncertain.<name>")
      index.parquet                 one row per point: point, seed, grid values, shard, rows
      summary.parquet               per point and variable: mean, sd, quantiles of the
                                    final-period value over paths
      sweep.json                    the manifest, written LAST (atomically): model, scenario,
                                    grid, paths, periods, root seed, saved names, shards

A directory without ``sweep.json`` is an unfinished sweep (killed, or a point failed): no
manifest ever points at a shard that is missing, and :class:`SweepResult` refuses to open it.

Seeds: point ``i`` runs with the integer seed
``SeedSequence(seed).spawn(n_points)[i].generate_state(1, uint64)[0]`` (stored in the index), so
``simulate(model, scenario, set=point_params, seed=point_seed, ...)`` reproduces its shard
exactly. With ``common_seed=True`` every point uses the root seed itself (common random
numbers: differences between points are then due to the parameters alone).
"""

from __future__ import annotations

import itertools
import json
import math
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bubblemachine.errors import RunOptionError, ScenarioError, SimulationError
from bubblemachine.progress import ProgressLike, resolve_progress
from bubblemachine.sfc.memory import (
    Estimate,
    check_budget,
    estimate_run,
    format_bytes,
    resolve_budget,
)
from bubblemachine.sfc.spec import FailurePolicy, RunSpec, check_quantiles, resolve_run

__all__ = ["PointOutput", "PointTask", "SweepJob", "SweepPlan", "SweepResult", "parse_grid_spec", "plan_sweep",
           "point_seeds", "run_sweep", "sweep"]

MANIFEST = "sweep.json"
INDEX = "index.parquet"
SUMMARY = "summary.parquet"
POINTS_DIR = "points"
FORMAT_VERSION = 1
DEFAULT_QUANTILES = (0.05, 0.5, 0.95)
#: Most grid points in one sweep (checked before any list of points is built).
MAX_POINTS = 1_000_000
SWEEP_HINTS = ("run fewer paths per point (paths=, --paths), save fewer series (save=, --save), "
               "or fewer workers at once (workers=, --workers)")


# --------------------------------------------------------------------------- grid
def parse_grid_spec(spec: str) -> tuple[str, list[float]]:
    """Parse one ``--grid`` option.

    Forms: ``name=start:stop:n`` (``n`` evenly spaced values, both ends included),
    ``name=v1,v2,...`` (a list), ``name=v`` (one value). ``n`` is checked against
    :data:`MAX_POINTS` before any value is made.

    Raises:
        ScenarioError: naming the spec and what is wrong with it.
    """
    name, sep, body = spec.partition("=")
    name, body = name.strip(), body.strip()
    where = f"--grid {spec!r}"
    if not sep or not name or not body:
        raise ScenarioError(f"{where}: expected NAME=START:STOP:N or NAME=V1,V2,... (e.g. alpha1=0.5:0.7:5)")
    if ":" in body:
        parts = body.split(":")
        if len(parts) != 3:
            raise ScenarioError(f"{where}: a range is START:STOP:N (three numbers), got {body!r}")
        start, stop = (_float(p, where) for p in parts[:2])
        try:
            n = int(parts[2])
        except ValueError:
            raise ScenarioError(f"{where}: N in START:STOP:N must be a whole number of points, got {parts[2]!r}") from None
        if n < 1:
            raise ScenarioError(f"{where}: N in START:STOP:N must be >= 1, got {n}")
        if n > MAX_POINTS:
            raise ScenarioError(f"{where}: {n:,} points is more than a sweep may have ({MAX_POINTS:,}); use fewer")
        if n == 1:
            return name, [start]
        step = (stop - start) / (n - 1)
        return name, [start + i * step if i < n - 1 else stop for i in range(n)]
    values = [_float(p, where) for p in body.split(",") if p.strip()]
    if not values:
        raise ScenarioError(f"{where}: no values")
    return name, values


def _float(text: str, where: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise ScenarioError(f"{where}: {text.strip()!r} is not a number") from None
    if not math.isfinite(v):
        raise ScenarioError(f"{where}: {text.strip()!r} is not a finite number")
    return v


def _validate_grid(grid: Any, model) -> dict[str, list[float]]:
    from bubblemachine.sfc.parameters import validate_overrides

    if not isinstance(grid, Mapping) or not grid:
        raise ScenarioError(
            "grid: expected a non-empty mapping {name: values}, e.g. {'alpha1': [0.5, 0.6, 0.7]}"
        )
    sizes = {}
    for name, values in grid.items():
        try:
            sizes[name] = 1 if isinstance(values, (int, float, str)) else len(values)
        except TypeError:
            sizes[name] = 1  # validate_overrides names what is wrong with it
        if sizes[name] == 0:
            raise ScenarioError(f"grid {name}: expected a number or a non-empty list of finite numbers, got {values!r}")
    n = math.prod(sizes.values())
    if n > MAX_POINTS:  # before any list of values or points is built
        raise ScenarioError(f"grid: {n:,} points is more than a sweep may have ({MAX_POINTS:,}); split the sweep")
    checked = validate_overrides(
        model, {k: (list(v) if not isinstance(v, (int, float, str, bytes)) and hasattr(v, "__len__") else v)
                for k, v in grid.items()},
        origin="grid", alternatives=True)
    out: dict[str, list[float]] = {k: list(v) if isinstance(v, tuple) else [v] for k, v in checked.items()}
    return out


def point_seeds(seed: int, n_points: int) -> list[int]:
    """The integer seed of every point: child ``i`` of ``SeedSequence(seed)``, as a uint64."""
    import numpy as np

    return [int(c.generate_state(1, np.uint64)[0]) for c in np.random.SeedSequence(seed).spawn(n_points)]


# --------------------------------------------------------------------------- records
@dataclass(frozen=True)
class SweepJob:
    """What every worker of a sweep gets once: the base run and where shards go.

    Attributes:
        spec: the run at every point (the point's grid values and seed replace its overrides
            and seed).
        quantiles: levels of the final-period summary.
        out_dir: the sweep directory when workers write their own shards (same machine),
            else None (the driver writes the tables they return).
        root_seed: the sweep's root seed (stored in each shard's metadata).
    """

    spec: RunSpec
    quantiles: tuple[float, ...]
    out_dir: str | None
    root_seed: int


@dataclass(frozen=True)
class PointTask:
    """One grid point: its index, its grid values and its seed."""

    index: int
    params: tuple[tuple[str, float], ...]
    seed: int


@dataclass
class PointOutput:
    """What a worker returns for a point: its table (None if the worker wrote the shard), the
    number of rows, the summary rows, the saved names and how many paths failed."""

    index: int
    table: Any
    rows: int
    summary: list[dict[str, Any]]
    names: tuple[str, ...]
    uncertain_names: tuple[str, ...]
    failed: int


# --------------------------------------------------------------------------- worker
def run_point(job: SweepJob, task: PointTask) -> PointOutput:
    """Run one grid point; return its Arrow table (or write its shard) and its summary rows."""
    import numpy as np
    import pyarrow as pa

    from bubblemachine.sfc.backends import parent_alive
    from bubblemachine.sfc.simulation import run_spec

    overrides = dict(job.spec.overrides)
    overrides.update(task.params)
    spec = job.spec.replace(overrides=tuple(overrides.items()), seed=task.seed)
    r = run_spec(spec, progress=False, memory_budget="off")  # the driver checked the budget
    n, t1, k = r.data.shape
    cols: dict[str, Any] = {
        "path": np.repeat(np.asarray(r.path_ids, dtype=np.int32), t1),
        "period": np.tile(np.arange(t1, dtype=np.int32), n),
    }
    for j, name in enumerate(r.names):
        cols[name] = np.ascontiguousarray(r.data[:, :, j]).reshape(-1)
    for j, name in enumerate(r.uncertain_names):
        cols[f"uncertain.{name}"] = np.repeat(r.uncertain[:, j], t1)
    table = pa.table(cols)
    final = r.data[:, -1, :]
    import warnings

    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a column of failed paths is all NaN: NaN is the answer
        qs = np.nanquantile(final, job.quantiles, axis=0) if len(job.quantiles) else np.empty((0, k))
        means = np.nanmean(final, axis=0) if n else np.full(k, np.nan)
        sds = np.nanstd(final, axis=0, ddof=1) if n > 1 else np.zeros(k)
    summary = []
    for j, name in enumerate(r.names):
        row = {"point": task.index, "variable": name, "mean": float(means[j]), "sd": float(sds[j])}
        for qi, q in enumerate(job.quantiles):
            row[_qname(q)] = float(qs[qi, j])
        summary.append(row)
    rows = table.num_rows
    if job.out_dir is not None:  # a worker on this machine writes its shard itself (no transfer)
        if not parent_alive():  # the driver was killed: write nothing more
            raise SimulationError("sweep: the driver process is gone")
        _write_shard(Path(job.out_dir) / _shard_name(task.index), table, task, job.root_seed)
        table = None
    return PointOutput(task.index, table, rows, summary, tuple(r.names), tuple(r.uncertain_names), r.failed_paths)


def _shard_name(i: int) -> str:
    return f"{POINTS_DIR}/point-{i:06d}.parquet"


def _qname(q: float) -> str:
    return f"q{q * 100:g}".replace(".", "_")


# --------------------------------------------------------------------------- driver
@dataclass(frozen=True)
class SweepPlan:
    """A validated sweep, not run yet (:func:`plan_sweep`): everything a bad option can break.

    Attributes:
        spec: the run at every point (paths, periods, root seed, save, ...).
        grid: ``{name: values}``; the last name varies fastest.
        seeds: the seed of every point.
        quantiles: levels of the final-period summary.
        common_seed: every point runs with the root seed.
    """

    spec: RunSpec
    grid: dict[str, list[float]]
    seeds: tuple[int, ...]
    quantiles: tuple[float, ...]
    common_seed: bool

    @property
    def points(self) -> int:
        return len(self.seeds)

    def tasks(self) -> Iterator[PointTask]:
        """The grid points, in order (generated lazily)."""
        names = list(self.grid)
        for i, combo in enumerate(itertools.product(*self.grid.values())):
            yield PointTask(i, tuple(zip(names, combo, strict=True)), self.seeds[i])

    def estimate(self, concurrent: int) -> Estimate:
        """Peak memory with ``concurrent`` points in memory at once (a run, its table, its summary)."""
        run = estimate_run(self.spec)
        per_point = run.bytes + 8 * self.spec.paths * (self.spec.periods + 1) * (len(self.spec.names) + 2)
        return Estimate(per_point * concurrent, f"{concurrent} point(s) at once x {format_bytes(per_point)} "
                        f"({self.spec.paths:,} paths x {self.spec.periods + 1:,} periods x {len(self.spec.names):,} series, "
                        "the run and its table)")


def plan_sweep(
    model: Any,
    grid: Mapping[str, Any],
    *,
    scenario: Any = None,
    paths: int | None = None,
    periods: int | None = None,
    seed: int | None = None,
    save: Sequence[str] | None = None,
    common_seed: bool = False,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    check: bool = True,
    on_failure: FailurePolicy | str = FailurePolicy.RAISE,
    solver: Any = None,
) -> SweepPlan:
    """Validate a sweep's options (see :func:`sweep`) without running anything.

    Raises:
        ScenarioError (RunOptionError): a bad grid or option, naming it.
    """
    spec = resolve_run(model, scenario, periods=periods, paths=paths, seed=seed, save=save, solver=solver,
                       check=check, on_failure=on_failure)
    g = _validate_grid(grid, spec.model)
    try:
        qs = check_quantiles(quantiles, "sweep quantiles")
    except RunOptionError:
        raise RunOptionError(f"sweep quantiles: levels must lie in [0, 1], got {list(quantiles)!r}") from None
    n = math.prod(len(v) for v in g.values())
    seeds = (spec.seed,) * n if common_seed else tuple(point_seeds(spec.seed, n))
    return SweepPlan(spec, g, seeds, qs, bool(common_seed))


def sweep(
    model: Any,
    grid: Mapping[str, Any],
    *,
    scenario: Any = None,
    paths: int | None = None,
    periods: int | None = None,
    seed: int | None = None,
    save: Sequence[str] | None = None,
    out: str | Path | None = None,
    backend: Any = None,
    workers: int | None = None,
    progress: ProgressLike = True,
    overwrite: bool = False,
    common_seed: bool = False,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    check: bool = True,
    on_failure: FailurePolicy | str = FailurePolicy.RAISE,
    memory_budget: str | int | None = None,
) -> SweepResult:
    """Run ``model`` at every point of the Cartesian product of ``grid``; write shards to ``out``.

    Args:
        model: a model, compiled model, model path or shipped model name.
        grid: ``{name: values}``; each name a parameter or exogenous constant of the model
            (a grid value overrides the scenario's uncertain draw for that name). The last
            name varies fastest.
        scenario: a scenario (object or file) applied at every point, or None.
        paths: Monte Carlo paths per point (default: the scenario's, else the model's
            ``[model] defaults``, else 1).
        periods: solved periods (default: the scenario's, else the model's, else 100).
        seed: root seed (default: the scenario's, else the model's, else fresh entropy;
            stored in the manifest).
        save: variables to keep (default: every variable, as ``simulate``).
        out: output directory (default: ``<home>/sweeps/<model>-<UTC time>``). It must be
            new, empty, or hold an earlier sweep and ``overwrite=True``.
        backend: ``"serial"`` (default), ``"process"``, ``"ray"`` or a backend object; grid
            points are the tasks (each runs its paths vectorised).
        workers: processes / Ray CPUs for a backend given by name.
        progress: a progress bar over points (True, False or a progress factory).
        overwrite: replace an earlier (complete or unfinished) sweep in ``out``.
        common_seed: give every point the root seed (common random numbers) instead of its
            own spawned seed.
        quantiles: quantile levels of the final-period value stored in ``summary.parquet``.
        check: the engine's accounting checks every period.
        on_failure: what a path that fails to solve does at each point (as ``simulate``);
            ``index.parquet`` counts the failed paths per point.
        memory_budget: as ``simulate``; checked for the points held in memory at once.

    Returns:
        A :class:`SweepResult` over ``out`` (reads shards lazily).

    Raises:
        ScenarioError: a bad grid, option or output directory (naming it); nothing is written.
        SimulationError and subclasses: a point that cannot be solved; the shards written so
            far stay, the manifest is not written (with no shard written, nothing stays).
    """
    plan = plan_sweep(model, grid, scenario=scenario, paths=paths, periods=periods, seed=seed, save=save,
                      common_seed=common_seed, quantiles=quantiles, check=check, on_failure=on_failure)
    return run_sweep(plan, out=out, backend=backend, workers=workers, progress=progress, overwrite=overwrite,
                     memory_budget=memory_budget)


def run_sweep(
    plan: SweepPlan,
    *,
    out: str | Path | None = None,
    backend: Any = None,
    workers: int | None = None,
    progress: ProgressLike = True,
    overwrite: bool = False,
    memory_budget: str | int | None = None,
) -> SweepResult:
    """Run a planned sweep (:func:`plan_sweep`) on ``backend``; the arguments are those of :func:`sweep`."""
    from bubblemachine import __version__
    from bubblemachine._io import atomic_write_text
    from bubblemachine.sfc.backends import open_backend

    spec, m = plan.spec, plan.spec.model
    options = {"workers": workers} if backend is None or isinstance(backend, str) else {}
    with open_backend(backend, **options) as be:
        concurrent = 1 if be.name == "serial" else be.workers
        check_budget(plan.estimate(concurrent), resolve_budget(memory_budget), what=f"sweep {m.name}", hints=SWEEP_HINTS)
        if out is None:
            from bubblemachine.paths import home

            out = home() / "sweeps" / f"{m.name}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{spec.seed % 10**6:06d}"
        out = Path(out)
        _prepare_out(out, overwrite=overwrite)
        created = [p for p in (out, *out.parents) if not p.exists()]  # folders this sweep makes
        (out / POINTS_DIR).mkdir(parents=True, exist_ok=True)
        try:
            manifest = _execute(plan, be, out, progress)
        except BaseException:
            _clean_failed_start(out, created)
            raise
    manifest["bubblemachine"] = __version__
    atomic_write_text(out / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    return SweepResult(out)


def _execute(plan: SweepPlan, be: Any, out: Path, progress: ProgressLike) -> dict[str, Any]:
    """Run every point, write shards, the index and the summary; return the manifest (unwritten)."""
    spec, m = plan.spec, plan.spec.model
    job = SweepJob(spec, plan.quantiles, str(out) if be.local else None, spec.seed)
    names = list(plan.grid)
    params_of = {}
    index_rows: list[dict[str, Any]] = []
    summary_rows: list[dict[str, Any]] = []
    meta: dict[str, Any] = {}
    started = time.time()
    label = f"sweep {m.name}: {plan.points} points x {spec.paths} paths"
    bar_factory = resolve_progress(progress if plan.points > 1 else False)
    with bar_factory(label, total=plan.points) as bar:
        done = 0

        def advance(k: int) -> None:
            nonlocal done
            done += k
            bar.update(done)

        def tasks() -> Iterator[PointTask]:
            for t in plan.tasks():
                params_of[t.index] = (t.params, t.seed)
                yield t

        for i, res in be.map(run_point, tasks(), shared=job, progress=advance):
            shard = _shard_name(i)
            params, seed = params_of.pop(i)
            if res.table is not None:
                _write_shard(out / shard, res.table, PointTask(i, params, seed), spec.seed)
            index_rows.append({"point": i, "seed": seed, **dict(params), "shard": shard, "rows": res.rows,
                               "failed": res.failed})
            summary_rows.extend(res.summary)
            meta.setdefault("names", list(res.names))
            meta.setdefault("uncertain_names", list(res.uncertain_names))
    index_rows.sort(key=lambda r: r["point"])
    summary_rows.sort(key=lambda r: r["point"])
    _write_frame(out / INDEX, index_rows, ["point", "seed", *names, "shard", "rows", "failed"])
    _write_frame(out / SUMMARY, summary_rows, ["point", "variable", "mean", "sd", *map(_qname, plan.quantiles)])
    sc = spec.scenario
    return {
        "format": "bubblemachine-sweep",
        "format_version": FORMAT_VERSION,
        "model": m.name,
        "model_digest": m.digest,
        "scenario": sc.to_dict() if sc is not None else None,
        "scenario_name": sc.name if sc is not None else "baseline",
        "grid": plan.grid,
        "points": plan.points,
        "paths": spec.paths,
        "periods": spec.periods,
        "seed": spec.seed,
        "common_seed": plan.common_seed,
        "on_failure": spec.on_failure.value,
        "failed_paths": sum(r["failed"] for r in index_rows),
        "names": meta.get("names", []),
        "uncertain_names": meta.get("uncertain_names", []),
        "quantiles": list(plan.quantiles),
        "backend": getattr(be, "name", type(be).__name__),
        "shards": [r["shard"] for r in index_rows],
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "elapsed_s": round(time.time() - started, 3),
    }


def _clean_failed_start(out: Path, created: list[Path]) -> None:
    """A sweep that failed before writing any shard leaves nothing behind: no 'unfinished'
    folder, and none of the parent folders it made (``created``, innermost first)."""
    points = out / POINTS_DIR
    try:
        if points.is_dir() and not any(points.iterdir()):
            points.rmdir()
        for d in created:
            if d.is_dir() and not any(d.iterdir()):
                d.rmdir()
    except OSError:  # pragma: no cover - best effort: the original error matters more
        pass


def _prepare_out(out: Path, *, overwrite: bool) -> None:
    """Make ``out`` ready: new or empty, or an earlier sweep removed (manifest first)."""
    if out.exists() and not out.is_dir():
        raise ScenarioError(f"sweep out {out}: exists and is not a directory")
    if not out.exists() or not any(out.iterdir()):
        return
    is_sweep = (out / MANIFEST).exists() or (out / POINTS_DIR).is_dir()
    if not is_sweep:
        raise ScenarioError(f"sweep out {out}: directory is not empty and holds no sweep; choose a new directory")
    if not overwrite:
        state = "a sweep" if (out / MANIFEST).exists() else "an unfinished sweep"
        raise ScenarioError(f"sweep out {out}: already holds {state}; pass overwrite=True (CLI: --force) or choose a new directory")
    (out / MANIFEST).unlink(missing_ok=True)  # first: the directory stops being a valid sweep
    for name in (INDEX, SUMMARY):
        (out / name).unlink(missing_ok=True)
    if (out / POINTS_DIR).is_dir():
        shutil.rmtree(out / POINTS_DIR)


def _write_shard(path: Path, table, task: PointTask, root_seed: int) -> None:
    import pyarrow.parquet as pq

    from bubblemachine._io import atomic_path

    meta = dict(table.schema.metadata or {})
    meta[b"bubblemachine.sweep"] = json.dumps(
        {"point": task.index, "seed": task.seed, "root_seed": root_seed, "params": dict(task.params)}
    ).encode()
    # dictionary encoding only where values repeat (ids, per-path draws); float series get
    # byte-stream-split + zstd: ~1.5x faster to write and ~40% smaller than the defaults
    repeat = [c for c in table.column_names if c in ("path", "period") or c.startswith("uncertain.")]
    floats = [c for c in table.column_names if c not in repeat]
    with atomic_path(path) as tmp:
        pq.write_table(table.replace_schema_metadata(meta), tmp, compression="zstd",
                       use_dictionary=repeat, use_byte_stream_split=floats or False)


def _write_frame(path: Path, rows: list[dict[str, Any]], columns: list[str]) -> None:
    import pandas as pd

    from bubblemachine._io import atomic_path

    df = pd.DataFrame(rows, columns=columns)
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False)


# --------------------------------------------------------------------------- reading
@dataclass
class SweepResult:
    """A finished sweep on disk; shards are read only when asked for.

    Attributes:
        out: the sweep directory.
        manifest: the parsed ``sweep.json``.
    """

    out: Path
    manifest: dict[str, Any]

    def __init__(self, out: str | Path) -> None:
        self.out = Path(out)
        mf = self.out / MANIFEST
        if not mf.is_file():
            shards = len(list((self.out / POINTS_DIR).glob("point-*.parquet"))) if (self.out / POINTS_DIR).is_dir() else 0
            if shards:
                raise ScenarioError(
                    f"sweep {self.out}: no {MANIFEST}: the sweep did not finish ({shards} point shard(s) written); "
                    "run it again with overwrite=True (CLI: --force)"
                )
            raise ScenarioError(f"sweep {self.out}: no {MANIFEST}: not a sweep directory")
        try:
            self.manifest = json.loads(mf.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ScenarioError(f"sweep {mf}: unreadable manifest: {exc}") from None
        if self.manifest.get("format") != "bubblemachine-sweep":
            raise ScenarioError(f"sweep {mf}: not a Bubble Machine sweep manifest")
        missing = [s for s in self.manifest.get("shards", []) if not (self.out / s).is_file()]
        if missing:
            raise ScenarioError(f"sweep {self.out}: {len(missing)} shard(s) listed in {MANIFEST} are missing, e.g. {missing[0]}")

    # ------------------------------------------------------------------ metadata
    @property
    def grid(self) -> dict[str, list[float]]:
        return self.manifest["grid"]

    @property
    def seed(self) -> int:
        """The root seed of the sweep."""
        return int(self.manifest["seed"])

    @property
    def names(self) -> list[str]:
        """Saved variables (columns of every shard after ``path`` and ``period``)."""
        return list(self.manifest["names"])

    def __len__(self) -> int:
        return int(self.manifest["points"])

    def __repr__(self) -> str:
        m = self.manifest
        return (f"SweepResult({str(self.out)!r}: {m['model']}, {m['points']} points x {m['paths']} paths x "
                f"{m['periods']} periods, seed {m['seed']})")

    @property
    def points(self):
        """One row per point: ``point``, ``seed``, the grid values, ``shard``, ``rows`` (a copy)."""
        return self._index().copy()

    def _index(self):
        idx = self.__dict__.get("_index_df")
        if idx is None:
            import pandas as pd

            idx = pd.read_parquet(self.out / INDEX)
            self.__dict__["_index_df"] = idx
        return idx

    def shard_path(self, i: int) -> Path:
        return self.out / self._row(i)["shard"]

    def _row(self, i: int) -> dict[str, Any]:
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(self):
            raise ScenarioError(f"sweep point: expected 0 <= i < {len(self)}, got {i!r}")
        return self._index().iloc[i].to_dict()

    # ------------------------------------------------------------------ data
    def point(self, i: int, columns: Sequence[str] | None = None):
        """The paths of point ``i`` as a DataFrame (``path``, ``period``, variables)."""
        import pandas as pd

        cols = None if columns is None else ["path", "period", *columns]
        return pd.read_parquet(self.shard_path(i), columns=cols)

    def params(self, i: int) -> dict[str, float]:
        """The grid values of point ``i``."""
        row = self._row(i)
        return {k: float(row[k]) for k in self.grid}

    def point_seed(self, i: int) -> int:
        """The seed point ``i`` ran with (pass it to ``simulate`` to reproduce the shard)."""
        return int(self._row(i)["seed"])

    def iter_points(self, columns: Sequence[str] | None = None) -> Iterator[tuple[dict[str, Any], Any]]:
        """Yield ``(index row, DataFrame)`` point by point (one shard in memory at a time)."""
        for i in range(len(self)):
            yield self._row(i), self.point(i, columns)

    def to_pandas(self, columns: Sequence[str] | None = None):
        """Every shard in one DataFrame: ``point``, the grid values, ``path``, ``period``, variables.

        Reads everything into memory; for large sweeps pass ``columns`` or use
        :meth:`iter_points` / :meth:`dataset`.
        """
        import pandas as pd

        idx = self._index()
        frames = []
        for i in range(len(self)):
            df = self.point(i, columns)
            row = idx.iloc[i]
            df.insert(0, "point", int(row["point"]))
            for j, k in enumerate(self.grid, start=1):
                df.insert(j, k, float(row[k]))
            frames.append(df)
        return pd.concat(frames, ignore_index=True)

    def dataset(self):
        """A :class:`pyarrow.dataset.Dataset` over the shards (lazy scans and filters)."""
        import pyarrow.dataset as ds

        return ds.dataset([str(self.out / s) for s in self.manifest["shards"]], format="parquet")

    def summary(self, variable: str | None = None):
        """Per point (and variable): mean, sd and quantiles over paths of the final value.

        Args:
            variable: keep one variable (default: all, long format).
        """
        import pandas as pd

        s = pd.read_parquet(self.out / SUMMARY)
        if variable is not None:
            if variable not in self.names:
                raise ScenarioError(f"sweep summary: {variable!r} was not saved (saved: {', '.join(self.names)})")
            s = s[s["variable"] == variable]
        idx = self.points[["point", *self.grid]]
        return idx.merge(s, on="point").reset_index(drop=True)

    def check(self) -> None:
        """Re-read every shard and check it against the index (rows, point metadata)."""
        import pyarrow.parquet as pq

        idx = self.points
        for _, row in idx.iterrows():
            f = pq.ParquetFile(self.out / row["shard"])
            if f.metadata.num_rows != row["rows"]:
                raise SimulationError(f"sweep {self.out}: {row['shard']} has {f.metadata.num_rows} rows, index says {row['rows']}")
            meta = json.loads(f.schema_arrow.metadata[b"bubblemachine.sweep"])
            if meta["point"] != row["point"] or meta["seed"] != row["seed"]:
                raise SimulationError(f"sweep {self.out}: {row['shard']} belongs to point {meta['point']}, not {row['point']}")

