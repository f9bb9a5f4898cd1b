"""The SFC engine: a modelling language for stock-flow-consistent models and its solver.

``load_model(path)`` parses a model (TOML file, directory, or shipped model name);
``load_scenario(path)`` a scenario; ``simulate(model, scenario, ...)`` runs it and returns a
:class:`Result`. ``sweep`` (parameter sweeps) lives in :mod:`bubblemachine.sfc.sweeps`.
See ``docs/model-language.md`` and ``docs/design/sfc-engine.md``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from bubblemachine.errors import ScenarioError, SimulationError
from bubblemachine.sfc.model import Model, load_model, loads_model
from bubblemachine.sfc.result import Result
from bubblemachine.sfc.scenario import Scenario, load_scenario, scenario_from_dict
from bubblemachine.sfc.sweeps import sweep

__all__ = ["Model", "Result", "Scenario", "compile_model", "load_model", "loads_model", "load_scenario",
           "scenario_from_dict", "simulate", "sweep", "run_paths"]


def compile_model(model, **options):
    from bubblemachine.sfc.compiler import compile_model as _c

    return _c(model, **options)


def run_paths(*args, **kwargs):
    from bubblemachine.sfc.run import run_paths as _r

    return _r(*args, **kwargs)


def _compiled(model, solver: str | None):
    from bubblemachine.sfc.compiler import CompiledModel

    if isinstance(model, CompiledModel):
        if solver is not None and solver != model.solver:
            return compile_model(model.model, solver=solver)
        return model
    if not isinstance(model, Model):
        model = load_model(model)
    return compile_model(model, solver=solver or "newton")


def scenario_hash(model: Model, scenario: Scenario | None, *, periods: int, paths: int, seed: int, set: dict | None, save: Sequence[str] | None) -> str:
    """sha256 over the model files, scenario, overrides, periods, paths and seed."""
    payload = {
        "model": model.digest, "scenario": scenario.to_dict() if scenario else None,
        "periods": periods, "paths": paths, "seed": str(seed),
        "set": {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in sorted((set or {}).items())},
        "save": list(save) if save is not None else None,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def simulate(
    model: Any,
    scenario: Any = None,
    *,
    periods: int | None = None,
    paths: int | None = None,
    seed: int | None = None,
    set: dict[str, Any] | None = None,
    save: Sequence[str] | None = None,
    quantiles: Sequence[float] | None = None,
    backend: Any = None,
    progress: bool = True,
    solver: str | None = None,
    check: bool = True,
) -> Result:
    """Simulate a model (optionally under a scenario) over ``periods`` periods and ``paths`` paths.

    Args:
        model: a :class:`Model`, a compiled model, a path to a model file/directory, or the
            name of a shipped model.
        scenario: a :class:`Scenario`, a path to a scenario file, or None (the baseline).
        periods: solved periods N (default: the scenario's, else the model's
            ``[model] defaults``, else 100).
        paths: Monte Carlo paths (default: the scenario's, else the model's, else 1).
        seed: root seed (default: the scenario's, else the model's, else fresh entropy;
            stored on the result).
        set: overrides ``{name: number | list}`` of parameters or exogenous inputs (a list is
            a path over periods), checked against the model's names and declared ranges
            (:func:`bubblemachine.sfc.parameters.validate_overrides`).
        save: variables to keep (default all endogenous, exogenous and random variables).
        quantiles: keep only these quantiles over paths (for big ensembles; serial backend).
        backend: None or "serial"; "process" / "ray" or a backend object (see
            ``docs/design/sfc-engine.md``) to spread paths over workers.
        progress: draw a progress bar for long runs.
        solver: "newton" (default) or "gauss-seidel" for simultaneous blocks.
        check: check hidden identities and matrices every period (default True).

    Returns:
        A :class:`Result` with arrays ``[path, period, variable]``.

    Raises:
        ModelError, ScenarioError: malformed files or options.
        ConvergenceError, AccountingError, SimulationError: a run that cannot be trusted.
    """
    import numpy as np

    if scenario is not None and not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if model is None:
        if scenario is None or scenario.model is None:
            raise ScenarioError("simulate: no model given and the scenario names none")
        model = scenario.model
    cm = _compiled(model, solver)
    m = cm.model
    if scenario is not None:
        scenario.validate_against(m)
    if set:
        from bubblemachine.sfc.parameters import validate_overrides

        set = validate_overrides(m, set, origin="set")
    d = m.run_defaults
    T = periods if periods is not None else (scenario.periods if scenario and scenario.periods else (d.periods or 100))
    n = paths if paths is not None else (scenario.paths if scenario and scenario.paths else (d.paths or 1))
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 1:
        raise SimulationError(f"periods must be a positive integer, got {T!r}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise SimulationError(f"paths must be a positive integer, got {n!r}")
    if seed is None:
        if scenario is not None and scenario.seed is not None:
            seed = scenario.seed
        elif d.seed is not None:
            seed = d.seed
        else:
            seed = int(np.random.SeedSequence().entropy)
    if save is not None:
        save = list(dict.fromkeys(save))
        known = {*m.equations, *m.exogenous, *m.random, *m.parameters}
        for v in save:
            if v not in known:
                raise SimulationError(f"save: unknown variable {v!r} in model {m.name}")
    bar = _Progress(enabled=progress and n * T * max(len(m.equations), 1) > 5_000_000, total=T, label=f"{m.name}: {n} paths")
    with bar:
        if backend is None or backend == "serial":
            raw = run_paths(cm, scenario, path_ids=range(n), seed=seed, periods=T, set=set, save=save,
                            quantiles=list(quantiles) if quantiles is not None else None,
                            check=check, progress=bar.update if bar.enabled else None)
        else:
            if quantiles is not None:
                raise SimulationError("quantiles= needs the serial backend (call result.quantiles(...) after a parallel run)")
            be = backend
            if isinstance(backend, str):
                try:
                    from bubblemachine.sfc.backends import get_backend
                except ImportError:
                    raise SimulationError(f"backend {backend!r} is not available in this installation (bubblemachine.sfc.backends is missing)") from None
                be = get_backend(backend)
            raw = be.run(cm, scenario, paths=n, seed=seed, periods=T, set=set, save=save, check=check)
    return Result(
        data=raw["data"], names=raw["names"], seed=seed,
        scenario_hash=scenario_hash(m, scenario, periods=T, paths=n, seed=seed, set=set, save=save),
        model_name=m.name, scenario_name=scenario.name if scenario else "baseline",
        path_ids=None if quantiles is not None else np.arange(n),
        uncertain=raw.get("uncertain"), uncertain_names=raw.get("uncertain_names", []),
        calendar=m.calendar, quantile_levels=list(quantiles) if quantiles is not None else None,
        model=m, scenario=scenario, settings={"set": dict(set or {}), "periods": T, "paths": n, "solver": cm.solver},
    )


class _Progress:
    def __init__(self, *, enabled: bool, total: int, label: str) -> None:
        self.enabled = enabled
        self.total = total
        self.label = label
        self._p = None

    def __enter__(self):
        if self.enabled:
            from rich.progress import Progress

            self._p = Progress(transient=True)
            self._p.__enter__()
            self._task = self._p.add_task(self.label, total=self.total)
        return self

    def update(self, done: int) -> None:
        if self._p is not None:
            self._p.update(self._task, completed=done)

    def __exit__(self, *exc):
        if self._p is not None:
            self._p.__exit__(*exc)
        return False
