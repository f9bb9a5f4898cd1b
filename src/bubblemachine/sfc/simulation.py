"""``simulate``: one run of a model, resolved into a :class:`~bubblemachine.sfc.spec.RunSpec` and
executed serially or on a backend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bubblemachine.errors import RunOptionError
from bubblemachine.progress import NullProgress, ProgressLike, resolve_progress
from bubblemachine.sfc.memory import check_budget, estimate_run, resolve_budget
from bubblemachine.sfc.result import Result
from bubblemachine.sfc.spec import FailurePolicy, RunSpec, resolve_run

#: A run draws a progress bar when paths x periods x equations exceeds this (smaller runs
#: finish before a bar would be seen).
PROGRESS_MIN_WORK = 5_000_000

RUN_HINTS = "run fewer paths (paths=, --paths), save fewer series (save=, --save), keep quantiles over paths (quantiles=[0.05, 0.5, 0.95])"


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
    progress: ProgressLike = True,
    solver: Any = None,
    check: bool = True,
    on_failure: FailurePolicy | str = FailurePolicy.RAISE,
    memory_budget: str | int | None = None,
) -> Result:
    """Simulate a model (optionally under a scenario) over ``periods`` periods and ``paths`` paths.

    Args:
        model: a :class:`Model`, a compiled model, a path to a model file/directory, or the
            name of a shipped model (None: the scenario's ``model``).
        scenario: a :class:`Scenario`, a path to a scenario file, a shipped scenario's name,
            or None (the baseline).
        periods: solved periods N (default: the scenario's, else the model's
            ``[model] defaults``, else 100).
        paths: Monte Carlo paths (default: the scenario's, else the model's, else 1).
        seed: root seed, a non-negative integer (default: the scenario's, else the model's,
            else fresh entropy; stored on the result).
        set: overrides ``{name: number | list}`` of parameters or exogenous inputs.
        save: variables to keep (default all endogenous, exogenous and random variables).
        quantiles: keep only these quantiles over paths (for big ensembles; serial backend).
        backend: None or "serial"; "process" / "ray" or a backend object (see
            ``docs/design/sfc-backends.md``) to spread paths over workers.
        progress: True (a bar on stderr for long runs), False, or a progress factory
            (:mod:`bubblemachine.progress`).
        solver: "newton" (default) or "gauss-seidel" for simultaneous blocks.
        check: check hidden identities and matrices every period (default True).
        on_failure: what a path that fails to solve does: "raise" (default: the run stops),
            "exclude" (dropped from the result) or "keep" (NaN from its failing period on);
            ``Result.failures`` lists every failed path. Accounting checks always raise.
        memory_budget: refuse a run estimated to need more memory than this ("8G", "75%",
            "off"; default ``BUBBLEMACHINE_MEMORY_BUDGET`` or half the machine's memory).

    Returns:
        A :class:`Result` with arrays ``[path, period, variable]``.

    Raises:
        RunOptionError: an invalid option (MemoryBudgetError: a run too big for the budget).
        ModelError, ScenarioError: malformed files.
        ConvergenceError, AccountingError, SimulationError: a run that cannot be trusted.
    """
    spec = resolve_run(model, scenario, periods=periods, paths=paths, seed=seed, set=set, save=save,
                       quantiles=quantiles, solver=solver, check=check, on_failure=on_failure)
    return run_spec(spec, backend=backend, progress=progress, memory_budget=memory_budget)


def run_spec(spec: RunSpec, *, backend: Any = None, progress: ProgressLike = True,
             memory_budget: str | int | None = None) -> Result:
    """Run a resolved :class:`RunSpec` serially or on ``backend`` and wrap the output in a :class:`Result`."""
    from bubblemachine.sfc.backends import open_backend
    from bubblemachine.sfc.run import run_paths

    m = spec.model
    serial = backend is None or backend == "serial"
    if not serial and spec.quantiles is not None:
        raise RunOptionError("quantiles= needs the serial backend (call result.quantiles(...) after a parallel run)")
    check_budget(estimate_run(spec, copies=1 if serial else 2), resolve_budget(memory_budget),
                 what=f"simulate {m.name}", hints=RUN_HINTS)
    big = spec.paths * spec.periods * max(len(m.equations), 1) > PROGRESS_MIN_WORK
    factory = resolve_progress(progress) if big else NullProgress
    with factory(f"{m.name}: {spec.paths:,} paths", total=spec.periods) as bar:
        if serial:
            out = run_paths(spec, range(spec.paths), progress=bar.update)
        else:
            with open_backend(backend) as be:
                out = be.run(spec)
    return Result.from_output(spec, out)
