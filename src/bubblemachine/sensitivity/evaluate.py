"""Evaluate parameter samples through the engine, with common random numbers.

Every sample is one ``simulate`` of the scenario (and, when an answer is measured against a
comparison scenario, one of that scenario) with the sample's parameter values as overrides
(``set=``, checked against their ranges by the engine) and the SAME seed: path *p* sees the
same shocks under every sample and under both scenarios, so differences between samples are
due to the parameters alone (common random numbers). The answer of a sample for a series is a
statistic over paths (mean by default) of the path-wise change over the horizon (log change for
prices, difference for rates and levels; ``bubblemachine.scenarios.compare.change``), minus the
same under the comparison scenario.

Samples are grouped into tasks and spread over an engine backend (serial, processes, Ray:
``bubblemachine.sfc.backends``), so a sensitivity run uses every core the way sweeps do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bubblemachine.errors import BubbleMachineError, SimulationError

#: Statistics over paths an answer can use.
STATS = ("mean", "median")


@dataclass(frozen=True)
class EvalSetup:
    """What every task needs (pickled once per worker).

    Attributes:
        compiled: the compiled model.
        scenario: the scenario (engine object).
        vs: the comparison scenario, or None (the answer is the change itself).
        names: varied parameter names, in sample-column order.
        series: variables whose answers are measured.
        horizon: periods simulated (the change runs from period 0 to ``horizon``).
        paths: Monte Carlo paths per run.
        seed: the common seed.
        stat: ``mean`` or ``median`` over paths.
        check: check hidden identities and matrices every period.
    """

    compiled: Any
    scenario: Any
    vs: Any
    names: tuple[str, ...]
    series: tuple[str, ...]
    horizon: int
    paths: int
    seed: int
    stat: str = "mean"
    check: bool = False


@dataclass(frozen=True)
class SampleFailure:
    """A sample whose run failed (the engine's message and the parameter values)."""

    index: int
    values: dict[str, float]
    message: str


def _changes(setup: EvalSetup, scenario, overrides: dict[str, float]) -> np.ndarray:
    """Per-path change of every series, ``[paths, len(series)]``."""
    from bubblemachine.scenarios.compare import change
    from bubblemachine.sfc import simulate

    r = simulate(setup.compiled, scenario, periods=setup.horizon, paths=setup.paths, seed=setup.seed,
                 set=overrides or None, save=list(setup.series), progress=False, check=setup.check)
    out = np.empty((setup.paths, len(setup.series)))
    for j, name in enumerate(setup.series):
        arr = np.asarray(r[name], dtype=float).reshape(setup.paths, -1)
        out[:, j] = change(arr, name, setup.horizon)
    return out


def answer(setup: EvalSetup, values: Sequence[float]) -> np.ndarray:
    """The answers ``[len(series)]`` of one parameter sample."""
    overrides = {n: float(v) for n, v in zip(setup.names, values, strict=True)}
    d = _changes(setup, setup.scenario, overrides)
    if setup.vs is not None:
        d = d - _changes(setup, setup.vs, overrides)
    with np.errstate(invalid="ignore"):
        y = d.mean(axis=0) if setup.stat == "mean" else np.median(d, axis=0)
    return y


def run_task(setup: EvalSetup, task: tuple[int, np.ndarray]) -> dict[str, Any]:
    """Worker: answers of a batch of samples; failures are returned, not raised."""
    start, values = task
    y = np.full((len(values), len(setup.series)), np.nan)
    failures: list[SampleFailure] = []
    for i, row in enumerate(values):
        try:
            y[i] = answer(setup, row)
        except BubbleMachineError as exc:
            failures.append(SampleFailure(start + i, dict(zip(setup.names, map(float, row), strict=True)), str(exc)))
        else:
            if not np.isfinite(y[i]).all():
                bad = [s for s, v in zip(setup.series, y[i], strict=True) if not np.isfinite(v)]
                failures.append(SampleFailure(start + i, dict(zip(setup.names, map(float, row), strict=True)),
                                              f"non-finite answer for {', '.join(bad)}"))
    return {"start": start, "y": y, "failures": failures}


def batches(values: np.ndarray, size: int) -> list[tuple[int, np.ndarray]]:
    """Split sample rows into tasks ``(first index, rows)``."""
    return [(i, values[i:i + size]) for i in range(0, len(values), size)]


def evaluate(setup: EvalSetup, values: np.ndarray, *, backend: Any = None, batch: int | None = None,
             bar: Any = None, done0: int = 0) -> np.ndarray:
    """Answers ``[n_samples, len(series)]`` for parameter rows ``values`` ``[n_samples, k]``.

    Args:
        setup: the shared run setup.
        values: parameter values, one row per sample, columns in ``setup.names`` order.
        backend: an engine backend (None: serial in this process).
        batch: samples per task (default: spread evenly, ~4 tasks per worker).
        bar: a progress bar (``update(completed)``); counts samples.
        done0: samples already counted on ``bar``.

    Raises:
        SimulationError: a sample failed; the message names how many, the first one's
            parameter values and the engine's reason.
    """
    from bubblemachine.sfc.backends import get_backend

    be = get_backend(backend)
    values = np.atleast_2d(np.asarray(values, dtype=float))
    n = len(values)
    if n == 0:
        return np.empty((0, len(setup.series)))
    if batch is None:
        batch = max(1, min(32, -(-n // (4 * max(1, be.workers)))))
    tasks = batches(values, batch)
    y = np.empty((n, len(setup.series)))
    failures: list[SampleFailure] = []
    done = done0
    for idx, res in be.map(run_task, tasks, shared=setup):
        start = res["start"]
        y[start:start + len(tasks[idx][1])] = res["y"]
        failures.extend(res["failures"])
        done += len(tasks[idx][1])
        if bar is not None:
            bar.update(done)
    if failures:
        failures.sort(key=lambda f: f.index)
        f = failures[0]
        vals = ", ".join(f"{k}={v:g}" for k, v in f.values.items())
        raise SimulationError(
            f"sensitivity: {len(failures)} of {n} parameter samples failed; the first (sample {f.index}: "
            f"{vals}): {f.message}. Narrow the ranges (--param) or check the model at these values"
        )
    return y
