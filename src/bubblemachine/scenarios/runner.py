"""Run a scenario through the engine and hand back plain arrays.

The only place where ``scenario compare``, ``explain`` and the report's "What if" section
touch the engine. Arrays are ``[path, period]`` with column 0 = period 0 (the initial state)
and column ``h`` = the end of period ``h``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bubblemachine.errors import ScenarioError

#: Largest accepted number of paths (a named error beyond it).
MAX_PATHS = 1_000_000
#: Largest accepted horizon in periods.
MAX_HORIZON = 100_000


def check_paths(paths: int) -> int:
    """Validate ``--paths`` (1..1,000,000); ScenarioError naming the value otherwise."""
    if isinstance(paths, bool) or not isinstance(paths, (int, np.integer)):
        raise ScenarioError(f"--paths must be an integer, got {paths!r}")
    if not 1 <= int(paths) <= MAX_PATHS:
        raise ScenarioError(f"--paths must be between 1 and {MAX_PATHS:,}, got {paths}")
    return int(paths)


def check_horizon(horizon: int) -> int:
    """Validate ``--horizon`` (1..100,000 periods)."""
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)):
        raise ScenarioError(f"--horizon must be an integer number of periods, got {horizon!r}")
    if not 1 <= int(horizon) <= MAX_HORIZON:
        raise ScenarioError(f"--horizon must be between 1 and {MAX_HORIZON:,} periods, got {horizon}")
    return int(horizon)


def check_seed(seed: int) -> int:
    """Validate ``--seed`` (a non-negative integer, as numpy's SeedSequence requires)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or int(seed) < 0:
        raise ScenarioError(f"--seed must be a non-negative integer, got {seed!r}")
    return int(seed)


@dataclass(frozen=True)
class Run:
    """Arrays of one scenario run.

    Attributes:
        scenario: scenario name (or file stem).
        path: scenario file.
        model: model name.
        arrays: variable -> array [path, period] (column 0 = period 0).
        variables: every variable the model defines (equations).
        seed: the seed used.
        paths: number of paths.
        horizon: number of periods simulated after period 0.
    """

    scenario: str
    path: Path
    model: str
    arrays: dict[str, np.ndarray]
    variables: frozenset[str]
    seed: int
    paths: int
    horizon: int


def _engine():
    import bubblemachine.sfc as sfc

    return sfc


def load(name_or_path):
    """Load a scenario (name or path) and its model with the engine.

    Returns:
        (scenario object, model object, scenario file path).
    """
    from bubblemachine.scenarios import scenario_path

    path = scenario_path(name_or_path)
    sfc = _engine()
    scen = sfc.load_scenario(path)
    if not scen.model:
        raise ScenarioError(f"{path}: [scenario] model is missing")
    model = _load_model_cached(scen.model)
    return scen, model, path


def run_settings(name_or_path, *, paths: int | None = None, horizon: int | None = None,
                 seed: int | None = None) -> tuple[int, int, int]:
    """``(paths, horizon, seed)`` for running a scenario, each validated.

    The same rule as :func:`bubblemachine.simulate`: an explicit value, else the scenario's
    (``[scenario] paths/periods/seed``), else the model's ``[model] defaults``
    (``Model.run_defaults``), else 1,000 paths, 252 periods, seed 0. Every command that
    runs the AI model (``simulate``, ``scenario compare``, ``explain``) thus agrees.
    """
    scen, model, _ = load(name_or_path)
    d = model.run_defaults
    if paths is None:
        paths = scen.paths or d.paths or 1000
    if horizon is None:
        horizon = scen.periods or d.periods or 252
    if seed is None:
        seed = scen.seed if scen.seed is not None else (d.seed if d.seed is not None else 0)
    return check_paths(paths), check_horizon(horizon), check_seed(seed)


def check_same_model(a, b) -> None:
    """ScenarioError when scenarios ``a`` and ``b`` are written for different models."""
    _, model_a, path_a = load(a)
    _, model_b, path_b = load(b)
    if (model_a.digest or model_a.name) != (model_b.digest or model_b.name):
        raise ScenarioError(
            f"{path_b}: scenario is for model {model_b.name!r}, but {path_a.stem} is for model "
            f"{model_a.name!r}; compare scenarios of one model"
        )


_MODELS: dict[tuple, object] = {}


def _model_stamp(ref: str) -> tuple:
    """(ref, (file, mtime_ns, size) ...) of the model's files, to reuse a parsed model safely."""
    from bubblemachine.paths import package_dir

    p = Path(ref)
    if not p.exists():
        cand = package_dir() / "models" / ref
        p = cand if cand.exists() else package_dir() / "models" / f"{ref}.toml"
    files = sorted(p.glob("*.toml")) if p.is_dir() else [p]
    stamp = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        stamp.append((str(f), st.st_mtime_ns, st.st_size))
    return (str(ref), tuple(stamp))


def _load_model_cached(ref: str):
    """``sfc.load_model(ref)``, parsed once per process while its files are unchanged."""
    key = _model_stamp(ref)
    m = _MODELS.get(key)
    if m is None:
        m = _engine().load_model(ref)
        if len(_MODELS) > 8:
            _MODELS.clear()
        _MODELS[key] = m
    return m


_COMPILED: dict[str, object] = {}


def compiled(model):
    """The compiled model, compiled once per process (keyed by the model's digest)."""
    key = model.digest or str(id(model))
    cm = _COMPILED.get(key)
    if cm is None:
        cm = _engine().compile_model(model)
        _COMPILED.clear()  # keep one model: the AI model is large
        _COMPILED[key] = cm
    return cm


def run(name_or_path, *, paths: int, horizon: int, seed: int, save: list[str] | None = None,
        progress: bool = False) -> Run:
    """Simulate one scenario.

    Args:
        name_or_path: scenario name or file.
        paths: Monte Carlo paths (1..1e6).
        horizon: periods to simulate after period 0.
        seed: the seed (common random numbers: the same seed for every scenario compared).
        save: variables to record (None: every equation variable).
        progress: draw a progress bar.

    Returns:
        The :class:`Run`.
    """
    paths = check_paths(paths)
    horizon = check_horizon(horizon)
    seed = check_seed(seed)
    scen, model, path = load(name_or_path)
    variables = frozenset(model.equations)
    if save is not None:
        unknown = [s for s in save if s not in variables]
        if unknown:
            raise ScenarioError(f"{path}: model {model.name} has no variable(s) {', '.join(unknown)}")
    sfc = _engine()
    res = sfc.simulate(compiled(model), scen, periods=horizon, paths=paths, seed=seed,
                       save=list(save) if save is not None else None, progress=progress)
    names = save if save is not None else sorted(variables)
    arrays = {n: _with_period0(np.asarray(res[n], dtype="float64"), res, n, horizon) for n in names}
    return Run(scenario=path.stem, path=path, model=model.name, arrays=arrays, variables=variables,
               seed=seed, paths=paths, horizon=horizon)


def _with_period0(arr: np.ndarray, res, name: str, horizon: int) -> np.ndarray:
    """Return ``arr`` as [path, horizon + 1] with period 0 first."""
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.shape[1] == horizon + 1:
        return arr
    raise ScenarioError(
        f"engine returned {arr.shape[1]} periods for {name!r}; expected {horizon + 1} (period 0..{horizon})"
    )
