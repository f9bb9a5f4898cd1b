"""A stand-in path runner with the engine's determinism contract (tests only).

Path ``p`` draws its shocks from ``SeedSequence(seed).spawn(paths)[p]`` only, so any split
of the paths into chunks, on any backend, gives the same numbers.
"""

from __future__ import annotations

import numpy as np


def run_chunk(shared, task):
    """AR(1) paths: x_t = rho * x_{t-1} + sigma * eps_t; returns ``(path_ids, [n, periods])``."""
    rho, sigma = shared["rho"], shared["sigma"]
    path_ids, seed, paths, periods = task
    children = np.random.SeedSequence(seed).spawn(paths)
    out = np.empty((len(path_ids), periods))
    for row, p in enumerate(path_ids):
        eps = np.random.default_rng(children[p]).standard_normal(periods)
        x = 0.0
        for t in range(periods):
            x = rho * x + sigma * eps[t]
            out[row, t] = x
    return np.asarray(path_ids), out


def fail_on(shared, task):
    """Raise a user error for task 2, return the task otherwise."""
    from bubblemachine.errors import SimulationError

    if task == 2:
        raise SimulationError("task 2: no convergence (test)")
    return task * 10
