"""The SFC engine: a modelling language for stock-flow-consistent models and its solver.

``load_model(path)`` parses a model (TOML file, directory, or shipped model name);
``load_scenario(path)`` a scenario; ``simulate(model, scenario, ...)`` runs it and returns a
:class:`Result`; ``sweep(model, grid, ...)`` runs a parameter grid. ``resolve_run`` resolves
a run's options into a :class:`RunSpec` (what ``simulate``, ``sweep`` and the backends share).
See ``docs/model-language.md`` and ``docs/design/sfc-engine.md``.

This package only re-exports; the modules under it never import it (no import circles).
"""

from __future__ import annotations

from bubblemachine.sfc.compiler import CompiledModel, compile_model
from bubblemachine.sfc.model import Model, load_model, loads_model
from bubblemachine.sfc.records import FailureKind, PathFailure, PathsOutput
from bubblemachine.sfc.result import Result
from bubblemachine.sfc.run import run_paths
from bubblemachine.sfc.scenario import Scenario, load_scenario, scenario_from_dict
from bubblemachine.sfc.simulation import run_spec, simulate
from bubblemachine.sfc.spec import FailurePolicy, RunSpec, as_compiled, resolve_run
from bubblemachine.sfc.sweeps import SweepResult, sweep

__all__ = [
    "CompiledModel", "FailureKind", "FailurePolicy", "Model", "PathFailure", "PathsOutput", "Result", "RunSpec",
    "Scenario", "SweepResult", "as_compiled", "compile_model", "load_model", "load_scenario", "loads_model",
    "resolve_run", "run_paths", "run_spec", "scenario_from_dict", "simulate", "sweep",
]
