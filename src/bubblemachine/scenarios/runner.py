"""Run a scenario through the engine and hand back plain arrays.

The only place where ``scenario compare``, ``explain`` and the report's "What if" section
touch the engine. Arrays are ``[path, period]`` with column 0 = period 0 (the initial state)
and column ``h`` = the end of period ``h``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bubblemachine.errors import ScenarioError
from bubblemachine.sfc.cache import ModelCache
from bubblemachine.sfc.spec import MAX_PATHS, MAX_PERIODS, check_count
from bubblemachine.sfc.spec import check_seed as _check_seed_value

#: Largest accepted horizon in periods (and MAX_PATHS paths).
MAX_HORIZON = MAX_PERIODS

#: The models the scenario commands parse and compile, kept while their files are unchanged
#: (one process-wide cache, explicit: ``MODEL_CACHE.clear()``, or pass ``cache=`` to :func:`run`).
MODEL_CACHE = ModelCache(size=4)


def check_paths(paths: int) -> int:
    """Validate ``--paths`` (1..1,000,000); RunOptionError (a ScenarioError) naming the value otherwise."""
    return check_count(paths, "--paths", high=MAX_PATHS)


def check_horizon(horizon: int) -> int:
    """Validate ``--horizon`` (1..100,000 periods)."""
    return check_count(horizon, "--horizon", high=MAX_HORIZON)


def check_seed(seed: int) -> int:
    """Validate ``--seed`` (a non-negative integer, as numpy's SeedSequence requires)."""
    return _check_seed_value(seed, "--seed")


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
        asof: the AI model's start date (period 0); None for other models.
        failures: paths that failed to solve (``on_failure="exclude"``: not in ``arrays``;
            ``"keep"``: NaN from their failing period).
    """

    scenario: str
    path: Path
    model: str
    arrays: dict[str, np.ndarray]
    variables: frozenset[str]
    seed: int
    paths: int
    horizon: int
    asof: str | None = None
    failures: tuple = ()


#: The shipped model that starts from any date (``asof``).
AI_MODEL = "ai_liquidity"


def model_ref(scen_model: str, path, asof: str | None) -> tuple[str, str | None]:
    """The model a scenario runs: the AI model started on ``asof`` (default: the latest date
    the store supports), or the scenario's own model. Returns ``(reference, as-of used)``."""
    if scen_model == AI_MODEL:
        from bubblemachine.forecasts.start import model_dir_for

        mdir, used = model_dir_for(asof)
        return str(mdir), used
    if asof is not None:
        raise ScenarioError(f"{path}: --asof applies to the AI liquidity model only, not to {scen_model}")
    return scen_model, None


def load(name_or_path, *, cache: ModelCache | None = None, asof: str | None = None):
    """Load a scenario (name or path) and its model with the engine.

    Args:
        name_or_path: scenario name or file.
        asof: the AI model's start date (default: the latest date the store supports);
            other models take none.

    Returns:
        (scenario object, model object, scenario file path).
    """
    from bubblemachine.scenarios import scenario_path
    from bubblemachine.sfc.scenario import load_scenario

    path = scenario_path(name_or_path)
    scen = load_scenario(path)
    if not scen.model:
        raise ScenarioError(f"{path}: [scenario] model is missing")
    ref, _ = model_ref(scen.model, path, asof)
    model = (cache or MODEL_CACHE).load(ref)
    return scen, model, path


def run_settings(name_or_path, *, paths: int | None = None, horizon: int | None = None,
                 seed: int | None = None, cache: ModelCache | None = None,
                 asof: str | None = None) -> tuple[int, int, int]:
    """``(paths, horizon, seed)`` a run of this scenario uses: explicit values, else the
    scenario's, else the model's ``[model] defaults`` (the engine's rule,
    :func:`bubblemachine.sfc.spec.resolve_run`). ``scenario compare`` and ``explain`` resolve
    them once, from the first scenario, and pass them to every run they compare (same seed:
    common random numbers)."""
    from bubblemachine.sfc.spec import resolve_run

    paths = check_paths(paths) if paths is not None else None
    horizon = check_horizon(horizon) if horizon is not None else None
    seed = check_seed(seed) if seed is not None else None
    import warnings

    scen, model, _ = load(name_or_path, cache=cache, asof=asof)
    with warnings.catch_warnings():  # the run itself warns (late shocks): once is enough
        warnings.simplefilter("ignore")
        spec = resolve_run(compiled(model, cache=cache), scen, periods=horizon, paths=paths, seed=seed)
    return spec.paths, spec.periods, spec.seed


def check_same_model(a, b, *, cache: ModelCache | None = None) -> None:
    """ScenarioError when scenarios ``a`` and ``b`` are written for different models."""
    _, model_a, path_a = load(a, cache=cache)
    _, model_b, path_b = load(b, cache=cache)
    if (model_a.digest or model_a.name) != (model_b.digest or model_b.name):
        raise ScenarioError(
            f"{path_b}: scenario is for model {model_b.name!r}, but {path_a.stem} is for model "
            f"{model_a.name!r}; compare scenarios of one model"
        )


def compiled(model, *, cache: ModelCache | None = None):
    """The compiled model, compiled once per process (keyed by the model's digest)."""
    return (cache or MODEL_CACHE).compiled(model)


def run(name_or_path, *, paths: int | None = None, horizon: int | None = None, seed: int | None = None,
        save: list[str] | None = None, set: Mapping[str, Any] | None = None, progress: bool = False,
        cache: ModelCache | None = None, asof: str | None = None, on_failure: str = "raise") -> Run:
    """Simulate one scenario.

    Args:
        name_or_path: scenario name or file.
        paths: Monte Carlo paths (1..1e6; default: the scenario's, else the model's defaults).
        horizon: periods to simulate after period 0 (default: the scenario's, else the model's).
        seed: the seed (common random numbers: the same seed for every scenario compared;
            default: the scenario's, else the model's).
        save: variables to record (None: every equation variable).
        set: overrides ``{name: value}`` of parameters or exogenous inputs on top of the
            scenario; the engine checks names and ranges
            (:func:`bubblemachine.sfc.parameters.validate_overrides`).
        progress: draw a progress bar.
        cache: the model cache (default :data:`MODEL_CACHE`).
        asof: the AI model's start date (default: the latest date the store supports).
        on_failure: ``"raise"`` (default), ``"exclude"`` or ``"keep"``: what a path that fails
            to solve does (``simulate``'s option); ``Run.failures`` lists them.

    Returns:
        The :class:`Run`.
    """
    from bubblemachine.scenarios import scenario_path
    from bubblemachine.sfc.simulation import run_spec
    from bubblemachine.sfc.spec import resolve_run

    paths = check_paths(paths) if paths is not None else None
    horizon = check_horizon(horizon) if horizon is not None else None
    seed = check_seed(seed) if seed is not None else None
    scen, model, path = load(name_or_path, cache=cache, asof=asof)
    used = model_ref(scen.model, scenario_path(name_or_path), asof)[1]
    variables = frozenset(model.equations)
    if save is not None:
        unknown = [s for s in save if s not in variables]
        if unknown:
            raise ScenarioError(f"{path}: model {model.name} has no variable(s) {', '.join(unknown)}")
    spec = resolve_run(compiled(model, cache=cache), scen, periods=horizon, paths=paths, seed=seed,
                       set=dict(set) if set else None, save=list(save) if save is not None else None,
                       on_failure=on_failure)
    res = run_spec(spec, progress=progress)
    names = save if save is not None else sorted(variables)
    arrays = {n: _with_period0(np.asarray(res[n], dtype="float64"), res, n, spec.periods) for n in names}
    return Run(scenario=path.stem, path=path, model=model.name, arrays=arrays, variables=variables,
               seed=spec.seed, paths=spec.paths, horizon=spec.periods, asof=used, failures=res.failures)


def check_memory(names: list, *, paths: int | None = None, horizon: int | None = None, seed: int | None = None,
                 save: list[str] | None = None, memory_budget: str | int | None = None,
                 cache: ModelCache | None = None, asof: str | None = None) -> None:
    """MemoryBudgetError if running every scenario of ``names`` and holding all their arrays
    at once (as ``scenario compare`` does) would exceed the memory budget."""
    from bubblemachine.sfc.memory import Estimate, check_budget, estimate_run, resolve_budget
    from bubblemachine.sfc.spec import resolve_run

    total, detail = 0, ""
    for name in names:
        scen, model, _ = load(name, cache=cache, asof=asof)
        spec = resolve_run(compiled(model, cache=cache), scen, periods=horizon, paths=paths, seed=seed,
                           save=list(save) if save is not None else list(model.equations))
        est = estimate_run(spec)
        total += est.bytes
        detail = est.detail
    check_budget(Estimate(total, f"{len(names)} scenarios x ({detail})"), resolve_budget(memory_budget),
                 what=f"comparing {len(names)} scenarios",
                 hints="run fewer paths (--paths), a shorter horizon (--horizon) or fewer series (--series)")


def _with_period0(arr: np.ndarray, res, name: str, horizon: int) -> np.ndarray:
    """Return ``arr`` as [path, horizon + 1] with period 0 first."""
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.shape[1] == horizon + 1:
        return arr
    raise ScenarioError(
        f"engine returned {arr.shape[1]} periods for {name!r}; expected {horizon + 1} (period 0..{horizon})"
    )
