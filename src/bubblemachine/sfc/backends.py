"""Execution backends for ensembles and sweeps: serial, process pool, Ray.

Every backend implements one protocol, :class:`Backend`::

    for index, result in backend.map(fn, tasks, shared=obj, progress=callback):
        ...

``fn(shared, task)`` is called once per task (a module-level function, so it pickles);
``shared`` is sent to each worker once (the compiled model, the scenario) instead of once
per task. Results come back as ``(task index, result)`` pairs **in completion order**, with at
most ``max_in_flight`` tasks outstanding, so a long sweep never holds every result in memory;
:func:`gather` puts them back in task order.

Reproducibility does not depend on the backend: a task carries its own seed (the engine
draws path ``p`` from ``SeedSequence(seed).spawn(paths)[p]``), so splitting the same paths
into chunks on any backend gives bit-identical numbers.

- :class:`SerialBackend`: in-process, one task at a time (the engine vectorises over paths
  inside a task). No start-up cost: the right choice for small and medium ensembles.
- :class:`ProcessBackend`: :class:`concurrent.futures.ProcessPoolExecutor` with the
  ``spawn`` start method by default (safe with threads, identical on Linux, macOS, Windows).
  Workers unpickle ``shared`` once and cache it; a compiled model must therefore pickle by
  its source (recompiled in the worker).
- :class:`RayBackend`: the optional extra ``ray`` (``pip install 'bubblemachine[ray]'``);
  starts a local Ray instance (``num_cpus=workers``, no dashboard) unless ``address`` names
  a cluster. ``shared`` is put in the object store once per :meth:`~RayBackend.map` call.

:func:`get_backend` turns a name (``"serial"``, ``"process"``, ``"ray"``) into a backend.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol, runtime_checkable

from bubblemachine.errors import BubbleMachineError, SimulationError

__all__ = [
    "BACKEND_NAMES",
    "Backend",
    "ProcessBackend",
    "RayBackend",
    "SerialBackend",
    "gather",
    "close_all",
    "get_backend",
    "split_paths",
    "split_ranges",
]

#: Names accepted by :func:`get_backend` (aliases map to the first three).
BACKEND_NAMES = ("serial", "process", "ray")
_ALIASES = {"serial": "serial", "process": "process", "processes": "process", "ray": "ray"}

ProgressCallback = Callable[[int], None]
"""Called with the number of tasks just finished (usually 1)."""


@runtime_checkable
class Backend(Protocol):
    """What every backend provides.

    Attributes:
        name: ``"serial"``, ``"process"`` or ``"ray"``.
        workers: number of tasks that run at the same time.
    """

    name: str
    workers: int

    def map(
        self,
        fn: Callable[[Any, Any], Any],
        tasks: Iterable[Any],
        *,
        shared: Any = None,
        progress: ProgressCallback | None = None,
    ) -> Iterator[tuple[int, Any]]:
        """Run ``fn(shared, task)`` for every task; yield ``(index, result)`` as they finish."""
        ...

    def run(self, compiled: Any, scenario: Any = None, *, paths: int, seed: int, periods: int,
            set: dict[str, Any] | None = None, save: Sequence[str] | None = None,
            check: bool = True, progress: ProgressCallback | None = None) -> dict[str, Any]:
        """Run ``paths`` paths of a compiled model; ``run_paths``'s dict for all of them."""
        ...

    def close(self) -> None:
        """Release workers (idempotent)."""
        ...


def default_workers() -> int:
    """Number of usable CPU cores (the process's affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def _check_workers(workers: int | None, field: str = "workers") -> int:
    if workers is None:
        return default_workers()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise SimulationError(f"{field}: expected a positive integer, got {workers!r}")
    return workers


class _BackendBase:
    name = "base"
    workers = 1
    # return big result arrays through shared memory instead of pickling them (processes)
    _result_via_shm = False

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        return None

    def split(self, paths: int) -> list[Any]:
        """Split ``paths`` path ids into the chunks this backend runs as separate tasks."""
        return split_paths(paths, self.default_chunks(paths))

    def default_chunks(self, paths: int) -> int:
        return 1

    def run(
        self,
        compiled: Any,
        scenario: Any = None,
        *,
        paths: int,
        seed: int,
        periods: int,
        set: dict[str, Any] | None = None,
        save: Sequence[str] | None = None,
        check: bool = True,
        progress: ProgressCallback | None = None,
    ) -> dict[str, Any]:
        """Run an ensemble: split ``paths`` into contiguous chunks, run each with ``run_paths``.

        This is what :func:`bubblemachine.simulate` calls for ``backend="process"|"ray"``.
        Path ``p``'s draws depend only on ``(seed, p)``, so the result is bit-identical to a
        serial run whatever the chunking.

        Args:
            compiled: a compiled model (pickled once per worker, by its source).
            scenario: a scenario or None.
            paths: number of paths (global ids ``0 .. paths-1``).
            seed: root seed (int).
            periods: solved periods N.
            set, save, check: as for :func:`bubblemachine.sfc.run.run_paths`.
            progress: called with the number of chunks just finished.

        Returns:
            ``run_paths``'s dict (``data`` ``[paths, periods + 1, names]``, ``names``,
            ``uncertain``, ``uncertain_names``, ``path_ids``, ``seed``) for all paths.
        """
        import numpy as np

        try:
            from bubblemachine.sfc.run import PATH_BLOCK as align
        except ImportError:  # pragma: no cover - an engine without the constant
            align = 1
        chunks = split_ranges(paths, self.default_chunks(paths), align=align)
        shared = (compiled, scenario, int(seed), int(periods), dict(set) if set else None,
                  list(save) if save is not None else None, bool(check))
        worker = _run_chunk_shm if self._result_via_shm else _run_chunk
        parts = gather(self.map(worker, chunks, shared=shared, progress=progress), len(chunks))
        if len(parts) == 1 and not _is_shm(parts[0]["data"]):
            return parts[0]
        out = dict(parts[0])
        out["data"] = _assemble([p["data"] for p in parts], chunks)
        out["uncertain"] = np.concatenate([p["uncertain"] for p in parts], axis=0)
        out["path_ids"] = range(paths)
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}(workers={self.workers})"


# --------------------------------------------------------------------------- serial
class SerialBackend(_BackendBase):
    """Run tasks one after the other in this process (no pickling, no start-up cost)."""

    name = "serial"

    def __init__(self) -> None:
        self.workers = 1

    def map(self, fn, tasks, *, shared=None, progress=None):
        """Run ``fn(shared, task)`` for each task, in order; yield ``(index, result)``."""
        for i, task in enumerate(tasks):
            result = fn(shared, task)
            if progress is not None:
                progress(1)
            yield i, result


# --------------------------------------------------------------------------- process pool
_WORKER_CACHE: dict[str, Any] = {}


def _process_call(fn, key: str, blob: bytes, task):
    """Worker side of :class:`ProcessBackend`: unpickle ``shared`` once per worker, then call."""
    shared = _WORKER_CACHE.get(key)
    if shared is None and key not in _WORKER_CACHE:
        if len(_WORKER_CACHE) > 4:  # keep only a few models per worker
            _WORKER_CACHE.clear()
        shared = pickle.loads(blob)
        _WORKER_CACHE[key] = shared
    return fn(shared, task)


def _pickle_shared(shared: Any) -> tuple[str, bytes]:
    try:
        blob = pickle.dumps(shared, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        raise SimulationError(
            f"backend: the shared object {type(shared).__name__} cannot be sent to worker "
            f"processes ({exc}); use backend='serial'"
        ) from exc
    return hashlib.blake2b(blob, digest_size=16).hexdigest(), blob


class ProcessBackend(_BackendBase):
    """A pool of worker processes (:class:`concurrent.futures.ProcessPoolExecutor`).

    Args:
        workers: processes in the pool (default: usable CPU cores).
        start_method: ``"spawn"`` (default: safe with threads, the same on every OS),
            ``"forkserver"`` or ``"fork"``.
        max_in_flight: most tasks submitted but not yet consumed (default ``2 * workers``);
            bounds memory when results are large.
        chunks_per_worker: tasks per worker when :meth:`split` cuts an ensemble into chunks.

    The pool starts on the first :meth:`map` and is reused until :meth:`close`.
    """

    name = "process"
    _result_via_shm = True

    def __init__(
        self,
        *,
        workers: int | None = None,
        start_method: str = "spawn",
        max_in_flight: int | None = None,
        chunks_per_worker: int = 1,
    ) -> None:
        import multiprocessing

        self.workers = _check_workers(workers)
        if start_method not in multiprocessing.get_all_start_methods():
            raise SimulationError(
                f"start_method: {start_method!r} is not available here "
                f"(choose from {', '.join(multiprocessing.get_all_start_methods())})"
            )
        self.start_method = start_method
        self.max_in_flight = _check_workers(max_in_flight, "max_in_flight") if max_in_flight else 2 * self.workers
        self.chunks_per_worker = _check_workers(chunks_per_worker, "chunks_per_worker")
        self._pool = None

    def default_chunks(self, paths: int) -> int:
        return self.workers * self.chunks_per_worker

    def _executor(self):
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context(self.start_method)
            )
        return self._pool

    def map(self, fn, tasks, *, shared=None, progress=None):
        """Run ``fn(shared, task)`` in the pool; yield ``(index, result)`` as tasks finish."""
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        key, blob = _pickle_shared(shared)
        pool = self._executor()
        pending: dict[Any, int] = {}
        it = enumerate(tasks)
        exhausted = False
        try:
            while True:
                while not exhausted and len(pending) < self.max_in_flight:
                    try:
                        i, task = next(it)
                    except StopIteration:
                        exhausted = True
                        break
                    pending[pool.submit(_process_call, fn, key, blob, task)] = i
                if not pending:
                    return
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in sorted(done, key=pending.__getitem__):
                    i = pending.pop(fut)
                    try:
                        result = fut.result()
                    except BrokenProcessPool as exc:
                        self._pool = None
                        raise SimulationError(
                            f"backend 'process': a worker process died while running task {i} "
                            "(out of memory or killed?)"
                        ) from exc
                    if progress is not None:
                        progress(1)
                    yield i, result
        finally:
            for fut in pending:
                fut.cancel()

    def close(self) -> None:
        """Shut the pool down (idempotent)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


# --------------------------------------------------------------------------- Ray
def _ray_module():
    from bubblemachine.errors import require

    return require("ray", "ray", "the 'ray' backend")


_RAY_REMOTE = None


def _driver_pythonpath() -> str:
    """The driver's import path (existing directories), for local Ray workers."""
    import sys

    entries = [p for p in sys.path if p and os.path.isdir(p)]
    old = os.environ.get("PYTHONPATH")
    if old:
        entries.append(old)
    return os.pathsep.join(dict.fromkeys(entries))


def _ray_call(fn, shared, task):
    return fn(shared, task)


class RayBackend(_BackendBase):
    """Run tasks on Ray: a local instance, or the cluster at ``address``.

    Args:
        workers: CPUs for a local instance (default: usable cores); with ``address`` the
            cluster's size decides and ``workers`` only sets how many tasks run at once.
        address: a cluster address (``"ray://host:10001"``, ``"auto"``); ``None`` starts
            (or reuses) a local instance.
        max_in_flight: most tasks outstanding (default ``2 * workers``).
        runtime_env: passed to ``ray.init`` (e.g. ``{"pip": ["bubblemachine"]}`` on a cluster).
        chunks_per_worker: tasks per worker when :meth:`split` cuts an ensemble into chunks.

    Raises:
        MissingDependencyError: Ray is not installed (``pip install 'bubblemachine[ray]'``).
    """

    name = "ray"

    def __init__(
        self,
        *,
        workers: int | None = None,
        address: str | None = None,
        max_in_flight: int | None = None,
        runtime_env: dict | None = None,
        chunks_per_worker: int = 1,
    ) -> None:
        self._ray = _ray_module()
        self.workers = _check_workers(workers)
        self.address = address
        self.max_in_flight = _check_workers(max_in_flight, "max_in_flight") if max_in_flight else 2 * self.workers
        self.runtime_env = dict(runtime_env) if runtime_env else None
        self.chunks_per_worker = _check_workers(chunks_per_worker, "chunks_per_worker")
        self._started = False

    def default_chunks(self, paths: int) -> int:
        return self.workers * self.chunks_per_worker

    def _ensure(self):
        global _RAY_REMOTE
        ray = self._ray
        if not ray.is_initialized():
            kwargs: dict[str, Any] = {
                "include_dashboard": False,
                "configure_logging": False,
                "log_to_driver": False,
            }
            runtime_env = dict(self.runtime_env or {})
            if self.address is None:
                # Local workers import what the driver imports (as spawned processes do).
                env_vars = dict(runtime_env.get("env_vars") or {})
                env_vars.setdefault("PYTHONPATH", _driver_pythonpath())
                runtime_env["env_vars"] = env_vars
            if runtime_env:
                kwargs["runtime_env"] = runtime_env
            try:
                if self.address is None:
                    ray.init(num_cpus=self.workers, **kwargs)
                else:
                    ray.init(address=self.address, **kwargs)
            except Exception as exc:  # ConnectionError, RuntimeError, ...
                where = f"the cluster at {self.address!r}" if self.address else "a local instance"
                raise SimulationError(f"backend 'ray': could not start {where}: {exc}") from exc
            self._started = True
        if _RAY_REMOTE is None:
            _RAY_REMOTE = ray.remote(_ray_call)
        return ray

    def map(self, fn, tasks, *, shared=None, progress=None):
        """Submit ``fn(shared, task)`` as Ray tasks; yield ``(index, result)`` as they finish."""
        ray = self._ensure()
        shared_ref = ray.put(shared)
        pending: dict[Any, int] = {}
        it = enumerate(tasks)
        exhausted = False
        try:
            while True:
                while not exhausted and len(pending) < self.max_in_flight:
                    try:
                        i, task = next(it)
                    except StopIteration:
                        exhausted = True
                        break
                    pending[_RAY_REMOTE.remote(fn, shared_ref, task)] = i
                if not pending:
                    return
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    i = pending.pop(ref)
                    try:
                        result = ray.get(ref)
                    except ray.exceptions.RayTaskError as exc:
                        cause = getattr(exc, "cause", None)
                        if isinstance(cause, BubbleMachineError):
                            raise cause from None
                        raise
                    if progress is not None:
                        progress(1)
                    yield i, result
        finally:
            for ref in pending:
                try:
                    ray.cancel(ref)
                except Exception:  # noqa: BLE001 - best effort on the way out
                    pass

    def close(self) -> None:
        """Shut Ray down if this backend started it (idempotent)."""
        if self._started and self._ray.is_initialized():
            self._ray.shutdown()
        self._started = False


# --------------------------------------------------------------------------- helpers
def split_paths(paths: int, chunks: int) -> list[Any]:
    """Split path ids ``0 .. paths-1`` into at most ``chunks`` contiguous, near-equal arrays.

    Args:
        paths: number of paths (>= 1).
        chunks: wanted number of chunks (>= 1); fewer come back when ``paths < chunks``.

    Returns:
        A list of ``int64`` arrays, in path order, that together hold every path id once.
    """
    import numpy as np

    if paths < 1:
        raise SimulationError(f"paths: expected a positive integer, got {paths!r}")
    n = max(1, min(int(chunks), int(paths)))
    return [a.astype(np.int64) for a in np.array_split(np.arange(paths, dtype=np.int64), n)]


def split_ranges(paths: int, chunks: int, *, align: int = 1) -> list[range]:
    """Like :func:`split_paths`, as contiguous ``range`` objects (what ``run_paths`` takes).

    Args:
        paths: number of paths.
        chunks: wanted number of chunks.
        align: round inner boundaries to multiples of ``align`` when every chunk still gets
            at least ``align`` paths (the engine draws random numbers in blocks of 256
            paths; aligned chunks never draw a block twice).
    """
    parts = [range(int(a[0]), int(a[-1]) + 1) for a in split_paths(paths, chunks)]
    if align > 1 and len(parts) > 1 and paths // len(parts) >= align:
        cuts = sorted({min(paths, round(r.start / align) * align) for r in parts[1:]} - {0, paths})
        edges = [0, *cuts, paths]
        parts = [range(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]
    return parts


def _run_chunk(shared, path_ids: range) -> dict[str, Any]:
    """Worker side of :meth:`Backend.run`: one contiguous chunk of paths."""
    from bubblemachine.sfc.run import run_paths

    compiled, scenario, seed, periods, set_, save, check = shared
    return run_paths(compiled, scenario, path_ids=path_ids, seed=seed, periods=periods,
                     set=set_, save=save, check=check)


#: Result arrays at least this big come back from worker processes through shared memory.
SHM_MIN_BYTES = 4 * 2**20


def _run_chunk_shm(shared, path_ids: range) -> dict[str, Any]:
    """:func:`_run_chunk`, with a big ``data`` array handed back through shared memory.

    Pickling hundreds of MB through a pipe costs seconds; a shared-memory block costs one
    memory copy here and one in the driver. The block holds ``data`` in period-major layout
    ``[periods + 1, names, paths]`` (the engine's own layout, so the copy is a memcpy). The
    worker creates the block and forgets it (unregistered from its resource tracker); the
    driver copies it out and unlinks it (:func:`_assemble`).
    """
    import numpy as np

    out = _run_chunk(shared, path_ids)
    data = out["data"]
    if data.nbytes < SHM_MIN_BYTES:
        return out
    from multiprocessing import resource_tracker, shared_memory

    base = np.ascontiguousarray(data.transpose(1, 2, 0))  # no copy for the engine's layout
    shm = shared_memory.SharedMemory(create=True, size=base.nbytes)
    try:
        np.ndarray(base.shape, dtype=base.dtype, buffer=shm.buf)[...] = base
    except BaseException:
        shm.close()
        shm.unlink()
        raise
    shm.close()
    try:
        resource_tracker.unregister(shm._name, "shared_memory")  # the driver owns it now
    except Exception:  # noqa: BLE001 - best effort; the driver unlinks it anyway
        pass
    out = dict(out)
    out["data"] = ("__shm__", shm.name, base.shape, base.dtype.str)
    return out


def _is_shm(data: Any) -> bool:
    return isinstance(data, tuple) and len(data) == 4 and data[0] == "__shm__"


def _assemble(datas: list[Any], chunks: list[range]) -> Any:
    """Chunks' ``data`` (arrays ``[n, T+1, k]`` or shared-memory refs) -> one ``[paths, T+1, k]``.

    The result is a transposed view of a ``[T+1, k, paths]`` array, the layout a serial run
    returns. Shared-memory blocks are unlinked here, also on error.
    """
    from multiprocessing import shared_memory

    import numpy as np

    first = datas[0]
    t1k = first[2][:2] if _is_shm(first) else first.shape[1:]
    total = chunks[-1].stop
    final = np.empty((*t1k, total))
    pending = [d for d in datas if _is_shm(d)]
    try:
        for d, ids in zip(datas, chunks, strict=True):
            if _is_shm(d):
                _, name, shape, dtype = d
                shm = shared_memory.SharedMemory(name=name)
                try:
                    final[:, :, ids.start:ids.stop] = np.ndarray(shape, dtype=np.dtype(dtype), buffer=shm.buf)
                finally:
                    shm.close()
                    shm.unlink()
                pending.remove(d)
            else:
                final[:, :, ids.start:ids.stop] = d.transpose(1, 2, 0)
    finally:
        for _, name, _, _ in pending:
            try:
                shm = shared_memory.SharedMemory(name=name)
                shm.close()
                shm.unlink()
            except FileNotFoundError:
                pass
    return final.transpose(2, 0, 1)


def gather(pairs: Iterable[tuple[int, Any]], n: int | None = None) -> list[Any]:
    """Collect ``(index, result)`` pairs from :meth:`Backend.map` into a list in task order."""
    out: dict[int, Any] = dict(pairs)
    size = n if n is not None else (max(out) + 1 if out else 0)
    missing = [i for i in range(size) if i not in out]
    if missing:
        raise SimulationError(f"backend: results missing for tasks {missing[:10]}")
    return [out[i] for i in range(size)]


def get_backend(
    backend: str | Backend | None = None,
    *,
    workers: int | None = None,
    address: str | None = None,
    start_method: str | None = None,
) -> Backend:
    """Return a backend from its name, or ``backend`` itself if it already is one.

    Backends made from a name are kept and reused by later calls with the same options (a
    process pool or a local Ray instance starts once per Python process, not once per
    ``simulate``); :func:`close_all` (also run at exit) releases them.

    Args:
        backend: ``None`` or ``"serial"``; ``"process"`` (alias ``"processes"``); ``"ray"``;
            or an object implementing :class:`Backend`.
        workers: processes / Ray CPUs (default: usable cores). Ignored by ``"serial"``.
        address: Ray cluster address (``"ray"`` only).
        start_method: process start method (``"process"`` only; default ``"spawn"``).

    Raises:
        SimulationError: an unknown name, or an option that does not apply to the backend.
        MissingDependencyError: ``"ray"`` without Ray installed.
    """
    if backend is not None and not isinstance(backend, str):
        if isinstance(backend, Backend):
            return backend
        raise SimulationError(
            f"backend: expected one of {', '.join(BACKEND_NAMES)} or a Backend object, "
            f"got {type(backend).__name__}"
        )
    name = _ALIASES.get((backend or "serial").strip().lower())
    if name is None:
        raise SimulationError(
            f"backend: unknown backend {backend!r} (choose from {', '.join(BACKEND_NAMES)})"
        )
    if address is not None and name != "ray":
        raise SimulationError(f"address: only the 'ray' backend takes a cluster address (backend is {name!r})")
    if start_method is not None and name != "process":
        raise SimulationError(f"start_method: only the 'process' backend takes a start method (backend is {name!r})")
    if name == "serial":
        return SerialBackend()
    key = (name, _check_workers(workers), address, start_method or "spawn")
    be = _NAMED.get(key)
    if be is None:
        if name == "process":
            be = ProcessBackend(workers=workers, start_method=start_method or "spawn")
        else:
            be = RayBackend(workers=workers, address=address)
        if not _NAMED:
            import atexit

            atexit.register(close_all)
        _NAMED[key] = be
    return be


_NAMED: dict[tuple, Any] = {}


def close_all() -> None:
    """Close every backend :func:`get_backend` created by name (pools, a local Ray)."""
    while _NAMED:
        _, be = _NAMED.popitem()
        be.close()


def map_ordered(
    backend: Backend,
    fn: Callable[[Any, Any], Any],
    tasks: Sequence[Any],
    *,
    shared: Any = None,
    progress: ProgressCallback | None = None,
) -> list[Any]:
    """Run every task on ``backend`` and return the results in task order."""
    return gather(backend.map(fn, tasks, shared=shared, progress=progress), len(tasks))
