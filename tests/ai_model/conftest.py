"""Shared runs of the AI liquidity model for the scenario tests.

Every scenario runs once per test session (cached) with the same seed, so scenario and
baseline share their random numbers path by path (common random numbers): the paired
difference ``scenario - baseline`` on each path removes the noise and leaves the mechanism.
Medians over PATHS paths; the directions asserted were checked stable across two seeds
(7 and 11) during development.
"""

from __future__ import annotations

import functools
import os

import numpy as np
import pytest

PATHS = 120
# BM_AI_TEST_SEED lets a developer re-run the directions under another seed (stability check).
SEED = int(os.environ.get("BM_AI_TEST_SEED", "7"))


@functools.lru_cache(maxsize=1)
def compiled():
    import bubblemachine as bm
    import bubblemachine.sfc

    return bubblemachine.sfc.compile_model(bm.load_model("ai_liquidity"))


@functools.cache
def run(name: str, seed: int = SEED, paths: int = PATHS):
    """Simulate a shipped scenario (all variables saved, every period checked by the engine)."""
    import bubblemachine as bm
    from bubblemachine.scenarios import scenario_path

    return bm.simulate(
        compiled(), bm.load_scenario(scenario_path(name)), paths=paths, seed=seed, progress=False
    )


def diff(
    name: str, var: str, t: int, *, base: str = "baseline", t0: int | None = None, seed: int = SEED
) -> float:
    """Median over paths of the paired difference scenario - base of ``var`` at period t.

    Prices (kind ``price``) are compared in logs; rates and levels in their units. With t0,
    the change from t0 to t is compared instead of the level at t.
    """
    from bubblemachine.scenarios.series import SERIES

    a, b = run(name, seed)[var], run(base, seed)[var]
    log = var in SERIES and SERIES[var].kind == "price"
    if log:
        a, b = np.log(a), np.log(b)
    da, db = a[:, t], b[:, t]
    if t0 is not None:
        da, db = da - a[:, t0], db - b[:, t0]
    return float(np.median(da - db))


@pytest.fixture(scope="session")
def baseline():
    return run("baseline")
