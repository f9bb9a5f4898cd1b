"""Backends: same numbers on every backend, task order, errors, validation."""

from __future__ import annotations

import numpy as np
import pytest
from _paths_model import fail_on, run_chunk

from bubblemachine.errors import MissingDependencyError, SimulationError
from bubblemachine.sfc import backends as B

SHARED = {"rho": 0.9, "sigma": 0.5}
PATHS, PERIODS, SEED = 23, 40, 12345


def _run(backend, chunks):
    tasks = [(ids, SEED, PATHS, PERIODS) for ids in B.split_paths(PATHS, chunks)]
    results = B.gather(backend.map(run_chunk, tasks, shared=SHARED), len(tasks))
    ids = np.concatenate([r[0] for r in results])
    assert np.array_equal(ids, np.arange(PATHS))
    return np.concatenate([r[1] for r in results])


def _reference():
    """Path p by hand, straight from its own child seed."""
    child = np.random.SeedSequence(SEED).spawn(PATHS)
    out = np.empty((PATHS, PERIODS))
    for p in range(PATHS):
        eps = np.random.default_rng(child[p]).standard_normal(PERIODS)
        x = 0.0
        for t in range(PERIODS):
            x = 0.9 * x + 0.5 * eps[t]
            out[p, t] = x
    return out


def test_split_paths_covers_every_path_once():
    for paths, chunks in [(1, 4), (10, 3), (1000, 7), (5, 5)]:
        parts = B.split_paths(paths, chunks)
        assert len(parts) == min(paths, chunks)
        assert np.array_equal(np.concatenate(parts), np.arange(paths))
        sizes = [len(p) for p in parts]
        assert max(sizes) - min(sizes) <= 1
    with pytest.raises(SimulationError, match="paths"):
        B.split_paths(0, 2)


def test_split_ranges_aligns_to_rng_blocks():
    assert B.split_ranges(1000, 2, align=256) == [range(0, 512), range(512, 1000)]
    parts = B.split_ranges(10_000, 7, align=256)
    assert [r.start % 256 for r in parts] == [0] * 7
    assert parts[0].start == 0 and parts[-1].stop == 10_000
    assert all(a.stop == b.start for a, b in zip(parts, parts[1:], strict=False))
    # too few paths per chunk to align: near-equal split
    assert B.split_ranges(300, 4, align=256) == [range(0, 75), range(75, 150), range(150, 225), range(225, 300)]


def test_serial_matches_hand_computation_for_any_chunking():
    ref = _reference()
    with B.make_backend("serial") as be:
        for chunks in (1, 4, PATHS):
            assert np.array_equal(_run(be, chunks), ref)


def test_process_pool_is_bit_identical_to_serial(pool):
    ref = _run(B.SerialBackend(), 1)
    assert pool.name == "process" and pool.workers == 2
    got = _run(pool, 5)
    got_again = _run(pool, 3)  # the pool is reused
    assert np.array_equal(got, ref)
    assert np.array_equal(got_again, ref)


def test_map_yields_indices_and_reports_progress():
    done = []
    be = B.SerialBackend()
    pairs = list(be.map(lambda s, t: s + t, [1, 2, 3], shared=10, progress=done.append))
    assert pairs == [(0, 11), (1, 12), (2, 13)]
    assert sum(done) == 3


def test_process_pool_bounds_tasks_in_flight_and_restores_order(pool, monkeypatch):
    monkeypatch.setattr(pool, "max_in_flight", 2)
    pairs = list(pool.map(fail_on, [0, 1, 3, 4, 5, 6], shared=None))
    assert sorted(i for i, _ in pairs) == list(range(6))
    assert B.gather(pairs, 6) == [0, 10, 30, 40, 50, 60]


def test_user_errors_from_workers_come_back_unchanged(pool):
    with pytest.raises(SimulationError, match="task 2: no convergence"):
        list(B.SerialBackend().map(fail_on, range(4)))
    with pytest.raises(SimulationError, match="task 2: no convergence"):
        list(pool.map(fail_on, range(4)))
    assert B.gather(pool.map(fail_on, [0, 1]), 2) == [0, 10]  # the pool survives


def test_unpicklable_shared_object_is_a_named_error(pool):
    with pytest.raises(SimulationError, match="cannot be sent to worker processes"):
        list(pool.map(fail_on, [0], shared=lambda: 1))


def test_gather_names_missing_tasks():
    with pytest.raises(SimulationError, match=r"missing for tasks \[1\]"):
        B.gather([(0, "a"), (2, "c")], 3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"backend": "gpu"}, "unknown backend 'gpu'"),
        ({"backend": 3}, "expected one of serial, process, ray"),
        ({"backend": "process", "workers": 0}, "workers: expected a positive integer"),
        ({"backend": "serial", "address": "auto"}, "address: only the 'ray' backend"),
        ({"backend": "ray", "start_method": "spawn"}, "start_method: only the 'process' backend"),
        ({"backend": "process", "start_method": "teleport"}, "start_method: 'teleport'"),
    ],
)
def test_get_backend_validates_with_named_fields(kwargs, match):
    with pytest.raises(SimulationError, match=match):
        B.get_backend(**kwargs)


def test_get_backend_names_and_objects():
    assert isinstance(B.get_backend(None), B.SerialBackend)
    with B.make_backend(" Processes ") as pool:
        assert isinstance(pool, B.ProcessBackend)
    be = B.SerialBackend()
    assert B.get_backend(be) is be
    assert isinstance(be, B.Backend)


def test_a_backend_by_name_is_new_and_owned_by_the_caller():
    """No module-level pools: each name makes a new backend; open_backend closes what it opened
    and leaves an object it was given to its owner."""
    a, b = B.make_backend("process", workers=1), B.make_backend("process", workers=1)
    assert a is not b
    with B.open_backend("process", workers=1) as be:
        assert B.gather(be.map(fail_on, [0, 1]), 2) == [0, 10]
        assert be._pool is not None
    assert be._pool is None  # closed on the way out
    with B.ProcessBackend(workers=1) as mine:
        with B.open_backend(mine) as be:
            assert be is mine
            B.gather(be.map(fail_on, [0]), 1)
        assert mine._pool is not None  # still open: its owner closes it
    assert mine._pool is None
    assert not hasattr(B, "close_all") and not hasattr(B, "_NAMED")


def test_missing_ray_gives_install_hint(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray" or name.startswith("ray."):
            raise ImportError("No module named 'ray'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    monkeypatch.delitem(__import__("sys").modules, "ray", raising=False)
    with pytest.raises(MissingDependencyError, match=r"pip install 'bubblemachine\[ray\]'"):
        B.get_backend("ray")


def test_a_new_backend_is_one_class():
    """A backend written as docs/contributing.md shows (threads, results in completion order)
    is found by its name and gives the serial numbers bit for bit."""
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    from test_simulate_backends import MODEL, SCENARIO

    from bubblemachine import sfc

    class ThreadBackend(B.BackendBase):
        name = "test-threads"

        def __init__(self, *, workers=None):
            self.workers = workers or 2
            self._pool = ThreadPoolExecutor(self.workers)

        def default_chunks(self, paths):
            return 3 * self.workers

        def map(self, fn, tasks, *, shared=None, progress=None):
            pending = {self._pool.submit(fn, shared, t): i for i, t in enumerate(tasks)}
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    i = pending.pop(fut)
                    if progress is not None:
                        progress(1)
                    yield i, fut.result()

        def close(self):
            self._pool.shutdown(wait=True)

    try:
        assert "test-threads" in B.backend_names()
        model, scenario = sfc.loads_model(MODEL), sfc.scenario_from_dict(SCENARIO)
        ref = sfc.simulate(model, scenario, paths=300, periods=20, seed=4, progress=False)
        got = sfc.simulate(model, scenario, paths=300, periods=20, seed=4, progress=False, backend="test-threads")
        assert np.array_equal(got.data, ref.data) and np.array_equal(got.uncertain, ref.uncertain)
        with pytest.raises(SimulationError, match="start_method: only the 'process' backend takes a start method"):
            B.make_backend("test-threads", start_method="spawn")
    finally:
        B.BACKENDS.pop("test-threads", None)
