"""One run specification: every option of a run resolved and validated once.

:func:`resolve_run` turns what a caller gives (a model or its name, a scenario or its file,
``periods``, ``paths``, ``seed``, ``set``, ``save``, ``quantiles``, ``solver``, ``check``,
``on_failure``) into a frozen :class:`RunSpec`. ``simulate``, ``sweep``, the scenario runner,
the backends and their workers all take a ``RunSpec``; none of them re-reads an option.

Defaults are resolved in one order: an explicit option, else the scenario's value, else the
model's ``[model] defaults`` (:class:`~bubblemachine.sfc.model.RunDefaults`), else the
engine's default (:data:`DEFAULT_PERIODS` periods, :data:`DEFAULT_PATHS` path, a fresh seed
from the operating system's entropy, stored on the result). Every invalid option raises a
:class:`~bubblemachine.errors.RunOptionError` naming the option and the value.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from bubblemachine.errors import BubbleMachineWarning, RunOptionError
from bubblemachine.sfc.compiler import CompiledModel, compile_model
from bubblemachine.sfc.model import Model, load_model, resolve_model_path
from bubblemachine.sfc.scenario import Scenario, load_scenario
from bubblemachine.sfc.values import is_finite_number

__all__ = [
    "DEFAULT_PATHS", "DEFAULT_PERIODS", "MAX_PATHS", "MAX_PERIODS", "FailurePolicy", "RunSpec",
    "as_compiled", "check_count", "check_seed", "resolve_run",
]

#: Engine defaults when neither the call, the scenario nor the model says.
DEFAULT_PERIODS = 100
DEFAULT_PATHS = 1
#: Largest accepted horizon and number of paths (the memory budget usually binds first).
MAX_PERIODS = 100_000
MAX_PATHS = 1_000_000


class FailurePolicy(StrEnum):
    """What a run does with a path that fails (no convergence, a non-finite value).

    ``raise`` (the default): the run stops with the error. ``exclude``: the path is dropped
    from the result. ``keep``: the path stays, NaN from its failing period on. Either way the
    result lists every failed path (``Result.failures``). Accounting checks (matrices, hidden
    identities) always raise: a model that leaks money is never a per-path failure.
    """

    RAISE = "raise"
    EXCLUDE = "exclude"
    KEEP = "keep"


def check_count(value: Any, field: str, *, high: int) -> int:
    """An integer in ``1..high`` (a count of paths or periods); RunOptionError naming ``field``."""
    import numpy as np

    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise RunOptionError(f"{field} must be an integer between 1 and {high:,}, got {value!r}")
    if not 1 <= int(value) <= high:
        raise RunOptionError(f"{field} must be between 1 and {high:,}, got {int(value):,}")
    return int(value)


def check_seed(value: Any, field: str = "seed") -> int:
    """A non-negative integer (what NumPy's ``SeedSequence`` accepts); RunOptionError otherwise."""
    import numpy as np

    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) < 0:
        raise RunOptionError(f"{field} must be a non-negative integer, got {value!r}")
    return int(value)


def check_quantiles(levels: Any, field: str = "quantiles") -> tuple[float, ...]:
    """A non-empty sequence of levels in [0, 1]."""
    if isinstance(levels, (str, bytes)) or not isinstance(levels, Sequence) and not hasattr(levels, "__iter__"):
        raise RunOptionError(f"{field}: expected a list of levels in [0, 1], got {levels!r}")
    out = []
    for q in levels:
        if not is_finite_number(q) or not 0.0 <= float(q) <= 1.0:
            raise RunOptionError(f"{field}: levels must be numbers in [0, 1], got {list(levels)!r}")
        out.append(float(q))
    if not out:
        raise RunOptionError(f"{field}: expected at least one level in [0, 1]")
    return tuple(out)


def as_compiled(model: Any, solver: Any = None) -> CompiledModel:
    """A compiled model from a :class:`CompiledModel`, a :class:`Model`, a path or a shipped name.

    A compiled model is recompiled only if ``solver`` names a different solver.
    """
    from bubblemachine.sfc.solvers import get_solver

    if isinstance(model, CompiledModel):
        if solver is not None and get_solver(solver) != model.solver:
            return compile_model(model.model, solver=solver)
        return model
    if not isinstance(model, Model):
        model = load_model(model)
    return compile_model(model, solver=solver if solver is not None else "newton")


def as_scenario(scenario: Any) -> Scenario | None:
    """A :class:`Scenario` from a scenario, a path or a shipped scenario's name (None stays None)."""
    if scenario is None or isinstance(scenario, Scenario):
        return scenario
    return load_scenario(scenario)


def _overrides(values: Mapping[str, Any] | None, model: Model) -> tuple[tuple[str, Any], ...]:
    """``set=`` checked by the one validator of overrides (names, finite values, declared ranges)."""
    from bubblemachine.sfc.parameters import validate_overrides

    if not values:
        return ()
    return tuple(validate_overrides(model, values, origin="set").items())


def _check_scenario_model(scenario: Scenario, model: Model) -> None:
    """A scenario that names a model must be run on that model (by file, else by name)."""
    if not scenario.model:
        return
    try:
        if Path(resolve_model_path(scenario.model)).resolve() == Path(model.path).resolve():
            return
        named = load_model(scenario.model).name
    except Exception:  # noqa: BLE001 - the scenario's model reference is checked where it is used
        return
    if named.lower() != model.name.lower():
        raise RunOptionError(
            f"{scenario.path}: the scenario is written for model {named!r}, but the run is of model "
            f"{model.name!r} (leave the model out to use the scenario's, or pick a scenario of {model.name})"
        )


def _warn_late_shocks(scenario: Scenario, periods: int) -> None:
    for i, s in enumerate(scenario.shocks):
        if s.start > periods:
            names = ", ".join(n for n, _ in s.values)
            warnings.warn(
                BubbleMachineWarning(
                    f"{scenario.path} shock #{i + 1} (set {names}) starts at period {s.start}, after the last "
                    f"period {periods} of this run: it has no effect"
                ),
                stacklevel=3,
            )


@dataclass(frozen=True)
class RunSpec:
    """Everything one run needs, resolved and validated (see :func:`resolve_run`).

    Attributes:
        compiled: the compiled model (it carries the model and the solver).
        scenario: the scenario, or None for the baseline.
        periods: solved periods N (the result holds periods 0..N).
        paths: Monte Carlo paths.
        seed: the root seed every draw is spawned from.
        overrides: ``(name, value)`` pairs of ``set=``: a float, or a tuple (a path).
        save: the variables asked for, or None (every endogenous, exogenous and random one).
        quantiles: quantile levels kept instead of every path, or None.
        check: evaluate hidden identities and matrices every period.
        on_failure: what a failing path does (:class:`FailurePolicy`).
    """

    compiled: CompiledModel
    scenario: Scenario | None
    periods: int
    paths: int
    seed: int
    overrides: tuple[tuple[str, Any], ...] = ()
    save: tuple[str, ...] | None = None
    quantiles: tuple[float, ...] | None = None
    check: bool = True
    on_failure: FailurePolicy = FailurePolicy.RAISE

    @property
    def model(self) -> Model:
        return self.compiled.model

    @property
    def names(self) -> tuple[str, ...]:
        """The variables the result holds, in order."""
        if self.save is not None:
            return self.save
        m = self.model
        return (*m.equations, *m.exogenous, *m.random)

    @property
    def set(self) -> dict[str, Any]:
        """``overrides`` as the ``{name: value}`` mapping (lists for paths)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.overrides}

    def replace(self, **changes: Any) -> RunSpec:
        """A copy with some fields changed (a sweep point: other overrides and seed)."""
        return dataclasses.replace(self, **changes)

    def hash(self) -> str:
        """sha256 over the model files, scenario, overrides, periods, paths and seed."""
        payload = {
            "model": self.model.digest, "scenario": self.scenario.to_dict() if self.scenario else None,
            "periods": self.periods, "paths": self.paths, "seed": str(self.seed),
            "set": {k: v for k, v in sorted(self.set.items())},
            "save": list(self.save) if self.save is not None else None,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def resolve_run(
    model: Any,
    scenario: Any = None,
    *,
    periods: int | None = None,
    paths: int | None = None,
    seed: int | None = None,
    set: Mapping[str, Any] | None = None,
    save: Sequence[str] | None = None,
    quantiles: Sequence[float] | None = None,
    solver: Any = None,
    check: bool = True,
    on_failure: FailurePolicy | str = FailurePolicy.RAISE,
) -> RunSpec:
    """Resolve and validate the options of one run (the arguments of ``simulate``).

    Args:
        model: a model, a compiled model, a path or a shipped model's name; None takes the
            scenario's ``model``.
        scenario: a scenario, a scenario file or a shipped scenario's name; None for the baseline.
        periods, paths, seed: explicit > scenario > ``[model] defaults`` > engine default.
        set: overrides ``{name: number | list}`` of parameters or exogenous inputs.
        save: variables to keep (default: every endogenous, exogenous and random variable).
        quantiles: keep only these quantiles over paths.
        solver: a solver name (``"newton"``, ``"gauss-seidel"``) or object; None: the
            compiled model's (``"newton"`` for a model that is not compiled yet).
        check: evaluate hidden identities and matrices every period.
        on_failure: ``"raise"``, ``"exclude"`` or ``"keep"`` (:class:`FailurePolicy`).

    Raises:
        RunOptionError: an invalid option, naming it. ModelError, ScenarioError: bad files.

    Warns:
        BubbleMachineWarning: a scenario shock starts after the last period (it has no effect).
    """
    import numpy as np

    sc = as_scenario(scenario)
    if model is None:
        if sc is None or sc.model is None:
            raise RunOptionError("no model given and the scenario names none")
        model = sc.model
    cm = as_compiled(model, solver)
    m = cm.model
    if sc is not None:
        if model is not sc.model:  # the wrong model first: its unknown names would only confuse
            _check_scenario_model(sc, m)
        sc.validate_against(m)
    d = m.run_defaults
    T = periods if periods is not None else (sc.periods if sc and sc.periods else (d.periods or DEFAULT_PERIODS))
    n = paths if paths is not None else (sc.paths if sc and sc.paths else (d.paths or DEFAULT_PATHS))
    T = check_count(T, "periods", high=MAX_PERIODS)
    n = check_count(n, "paths", high=MAX_PATHS)
    if seed is None:
        if sc is not None and sc.seed is not None:
            seed = sc.seed
        elif d.seed is not None:
            seed = d.seed
        else:
            seed = int(np.random.SeedSequence().entropy)
    seed = check_seed(seed)
    names = None
    if save is not None:
        if isinstance(save, (str, bytes)):
            save = [save]
        names = tuple(dict.fromkeys(save))
        if not names:
            raise RunOptionError(f"save: no variables given (model {m.name} has {', '.join(list(m.equations)[:5])}, ...)")
        known = {*m.equations, *m.exogenous, *m.random, *m.parameters}
        for v in names:
            if v not in known:
                raise RunOptionError(f"save: unknown variable {v!r} in model {m.name}")
    qs = check_quantiles(quantiles) if quantiles is not None else None
    if not isinstance(check, bool):
        raise RunOptionError(f"check: expected True or False, got {check!r}")
    try:
        policy = FailurePolicy(on_failure)
    except ValueError:
        raise RunOptionError(f"on_failure: expected one of {', '.join(p.value for p in FailurePolicy)}, got {on_failure!r}") from None
    if sc is not None:
        _warn_late_shocks(sc, T)
    return RunSpec(cm, sc, T, n, seed, _overrides(set, m), names, qs, check, policy)
