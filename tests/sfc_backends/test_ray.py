"""The Ray backend on a local 2-CPU instance (skipped when Ray is not installed)."""

from __future__ import annotations

import numpy as np
import pytest
from _paths_model import fail_on, run_chunk

from bubblemachine.errors import SimulationError
from bubblemachine.sfc import backends as B

pytestmark = [pytest.mark.ray, pytest.mark.slow, pytest.mark.xdist_group("ray")]

SHARED = {"rho": 0.9, "sigma": 0.5}


def test_ray_is_bit_identical_to_serial(ray_backend):
    paths, periods, seed = 17, 30, 99
    serial = B.gather(B.SerialBackend().map(run_chunk, [(np.arange(paths), seed, paths, periods)], shared=SHARED))[0][1]
    tasks = [(ids, seed, paths, periods) for ids in B.split_paths(paths, ray_backend.default_chunks(paths))]
    assert len(tasks) == 2
    got = np.concatenate([r[1] for r in B.gather(ray_backend.map(run_chunk, tasks, shared=SHARED), len(tasks))])
    assert np.array_equal(got, serial)


def test_ray_user_error_is_reraised_as_itself(ray_backend):
    with pytest.raises(SimulationError, match="task 2: no convergence"):
        list(ray_backend.map(fail_on, range(4)))
    # the instance survives a failed task
    assert B.gather(ray_backend.map(fail_on, [0, 1, 3]), 3) == [0, 10, 30]


def test_simulate_on_ray_matches_serial(ray_backend):
    from test_simulate_backends import MODEL, SCENARIO

    from bubblemachine import sfc

    model = sfc.loads_model(MODEL)
    scenario = sfc.scenario_from_dict(SCENARIO)
    ref = sfc.simulate(model, scenario, paths=300, periods=20, seed=7, progress=False)
    got = sfc.simulate(model, scenario, paths=300, periods=20, seed=7, progress=False, backend=ray_backend)
    assert np.array_equal(got.data, ref.data)
    assert np.array_equal(got.uncertain, ref.uncertain)
    # by name: a second RayBackend reuses the running instance and leaves it running
    got2 = sfc.simulate(model, scenario, paths=300, periods=20, seed=7, progress=False, backend="ray")
    assert np.array_equal(got2.data, ref.data)
    import ray

    assert ray.is_initialized()  # only the fixture, which started it, shuts it down
