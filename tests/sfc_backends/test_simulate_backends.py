"""simulate(..., backend=...) gives bit-identical numbers on every backend."""

from __future__ import annotations

import numpy as np
import pytest

from bubblemachine import sfc
from bubblemachine.sfc import backends as B

# A small model with a simultaneous block (Y = C + G, C from YD from Y), a stock, a
# per-period shock and two uncertain parameters: every source of randomness is exercised.
MODEL = """
[model]
name = "TINY"
[equations]
Y  = "C + G + eps"
YD = "(1 - theta) * Y"
C  = "alpha1 * YD + alpha2 * H[-1]"
H  = "H[-1] + YD - C"
[parameters]
alpha1 = 0.6
alpha2 = 0.4
theta = 0.2
[exogenous]
G = 20
[random]
eps = { dist = "normal", mean = 0.0, sd = 0.5 }
"""
SCENARIO = {
    "scenario": {"name": "mc"},
    "uncertain": {
        "alpha1": {"dist": "uniform", "low": 0.5, "high": 0.7},
        "theta": {"dist": "uniform", "low": 0.15, "high": 0.25},
    },
}
PATHS, PERIODS, SEED = 300, 30, 2024  # 300 paths cross the engine's 256-path RNG block


@pytest.fixture(scope="module")
def setup():
    model = sfc.loads_model(MODEL)
    scenario = sfc.scenario_from_dict(SCENARIO)
    ref = sfc.simulate(model, scenario, paths=PATHS, periods=PERIODS, seed=SEED, progress=False)
    return model, scenario, ref


def test_serial_backend_object_matches_default(setup):
    model, scenario, ref = setup
    got = sfc.simulate(model, scenario, paths=PATHS, periods=PERIODS, seed=SEED, progress=False,
                       backend=B.SerialBackend())
    assert np.array_equal(got.data, ref.data)


def test_process_backend_matches_serial_bit_for_bit(setup, pool):
    model, scenario, ref = setup
    pool.chunks_per_worker = 2  # 4 uneven chunks, two of them straddling path 256
    try:
        got = sfc.simulate(model, scenario, paths=PATHS, periods=PERIODS, seed=SEED, progress=False, backend=pool)
    finally:
        pool.chunks_per_worker = 1
    assert got.data.shape == (PATHS, PERIODS + 1, len(ref.names))
    assert got.names == ref.names
    assert np.array_equal(got.data, ref.data)
    assert np.array_equal(got.uncertain, ref.uncertain)
    assert got.uncertain_names == ref.uncertain_names
    # the model really is random and the draws really differ by path
    assert np.std(ref.final("Y")) > 0.1
    assert len(np.unique(ref.param("alpha1"))) == PATHS


def test_process_backend_by_name_is_opened_and_closed_for_the_call(setup):
    """backend="process" opens a pool for this call only and closes it (no process is left)."""
    import multiprocessing

    model, scenario, ref = setup
    before = {p.pid for p in multiprocessing.active_children()}  # e.g. the session's shared pool
    got = sfc.simulate(model, scenario, paths=40, periods=PERIODS, seed=SEED, progress=False,
                       backend="process", save=["Y", "H"])
    assert np.array_equal(got["Y"], ref["Y"][:40])
    assert np.array_equal(got["H"], ref["H"][:40])
    assert {p.pid for p in multiprocessing.active_children()} <= before


def test_sim_closed_form_through_process_backend(pool):
    """SIM's reduced form Y = (G + alpha2*H[-1]) / (1 - alpha1 (1 - theta)) per path."""
    scenario = sfc.scenario_from_dict(SCENARIO)
    r = sfc.simulate("sim", scenario, paths=7, periods=25, seed=5, progress=False, backend=pool)
    a1, th = r.param("alpha1"), r.param("theta")
    H = np.zeros(7)
    for t in range(1, 26):
        Y = (20.0 + 0.4 * H) / (1.0 - a1 * (1.0 - th))
        YD = (1.0 - th) * Y
        H = H + YD - (a1 * YD + 0.4 * H)
        np.testing.assert_allclose(r["Y"][:, t], Y, rtol=1e-10)


def test_big_results_come_back_through_shared_memory_and_are_unlinked(setup, pool):
    """> 4 MB per chunk travels through shared memory; nothing is left in /dev/shm."""
    import os

    model, scenario, _ = setup
    shm_dir = "/dev/shm"
    before = set(os.listdir(shm_dir)) if os.path.isdir(shm_dir) else set()
    ref = sfc.simulate(model, scenario, paths=2000, periods=300, seed=11, progress=False)
    assert ref.data.nbytes / 2 > B.SHM_MIN_BYTES
    got = sfc.simulate(model, scenario, paths=2000, periods=300, seed=11, progress=False, backend=pool)
    assert np.array_equal(got.data, ref.data)
    assert got.data.strides == ref.data.strides  # the same period-major layout as a serial run
    if os.path.isdir(shm_dir):
        assert {f for f in set(os.listdir(shm_dir)) - before if f.startswith("psm_")} == set()
