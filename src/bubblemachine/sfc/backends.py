"""Execution backends for ensembles and sweeps: serial, process pool, Ray.

Every backend implements one protocol, :class:`Backend`::

    with ProcessBackend(workers=4) as be:                 # the backend owns its workers
        for index, result in be.map(fn, tasks, shared=obj, progress=callback):
            ...
        out = be.run(spec)                                # an ensemble: a PathsOutput

``fn(shared, task)`` is called once per task (a module-level function, so it pickles);
``shared`` is sent to each worker once (a :class:`~bubblemachine.sfc.spec.RunSpec`) instead
of once per task. Results come back as ``(task index, result)`` pairs **in completion
order**, with at most ``max_in_flight`` tasks outstanding, so a long sweep never holds every
result in memory; :func:`gather` puts them back in task order.

Ownership: a backend is a context manager; leaving the ``with`` block (or :meth:`close`)
releases its workers. Library calls given a backend *name* (``simulate(...,
backend="process")``) open one with :func:`open_backend` for that call only and close it at
its end; to reuse a pool across calls, open it yourself and pass the object. There are no
module-level pools and nothing is registered with ``atexit``.

Reproducibility does not depend on the backend: path ``p``'s draws depend only on
``(seed, p)`` (the engine's RNG blocks of 256 paths, ``docs/design/sfc-engine.md``), so
splitting the same paths into contiguous chunks on any backend gives bit-identical numbers.

- :class:`SerialBackend`: in-process, one task at a time (the engine vectorises over paths
  inside a task). No start-up cost: the right choice for small and medium ensembles.
- :class:`ProcessBackend`: :class:`concurrent.futures.ProcessPoolExecutor` with the
  ``spawn`` start method by default (safe with threads, identical on Linux, macOS, Windows).
  Workers unpickle ``shared`` once and cache it; they die with their parent (a parent-death
  signal on Linux, and a thread that watches the parent everywhere), so a killed driver
  leaves no process behind.
- :class:`RayBackend`: the optional extra ``ray`` (``pip install 'bubblemachine[ray]'``);
  starts a local Ray instance (``num_cpus=workers``, no dashboard) unless ``address`` names
  a cluster. ``shared`` is put in the object store once per :meth:`~RayBackend.map` call.

:func:`make_backend` turns a name (``"serial"``, ``"process"``, ``"ray"``) into a new backend.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar, Protocol, runtime_checkable

from bubblemachine.errors import BubbleMachineError, SimulationError
from bubblemachine.sfc.records import PathsOutput, PathsTask, SharedArray

__all__ = [
    "BACKENDS",
    "Backend",
    "BackendBase",
    "ProcessBackend",
    "RayBackend",
    "SerialBackend",
    "backend_names",
    "gather",
    "get_backend",
    "make_backend",
    "open_backend",
    "split_paths",
    "split_ranges",
]

#: Every backend class by name (filled by subclassing :class:`BackendBase` with a ``name``).
BACKENDS: dict[str, type[BackendBase]] = {}
#: What each option of :func:`make_backend` is, for messages.
_OPTION_TEXT = {"address": "a cluster address", "start_method": "a start method"}

ProgressCallback = Callable[[int], None]
"""Called with the number of tasks just finished (usually 1)."""


@runtime_checkable
class Backend(Protocol):
    """What every backend provides.

    Attributes:
        name: ``"serial"``, ``"process"`` or ``"ray"``.
        workers: number of tasks that run at the same time.
        local: workers share this machine's file system (they may write files themselves).
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

    def run(self, spec: Any, *, progress: ProgressCallback | None = None) -> PathsOutput:
        """Run every path of ``spec`` (a RunSpec); one :class:`PathsOutput` for all of them."""
        ...

    def close(self) -> None:
        """Release workers (idempotent)."""
        ...

    def __enter__(self) -> Backend: ...

    def __exit__(self, *exc: object) -> None: ...


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


class BackendBase:
    """What every backend shares: context management and :meth:`run` on top of :meth:`map`.

    A new backend subclasses this, sets ``name`` (which registers it: :func:`make_backend`
    and ``--backend`` find it), takes ``workers`` in its constructor, and implements
    :meth:`map` (and :meth:`close` if it holds workers); see ``docs/contributing.md``.
    """

    name: ClassVar[str] = ""
    #: other names that select this backend
    aliases: ClassVar[tuple[str, ...]] = ()
    #: constructor options (besides ``workers``) that :func:`make_backend` may pass
    options: ClassVar[tuple[str, ...]] = ()
    workers = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            BACKENDS[cls.name] = cls
    #: workers share this machine's file system (a sweep's workers write their own shards)
    local = True
    #: return big result arrays through shared memory instead of pickling them
    result_via_shm = False

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        return None

    def map(self, fn, tasks, *, shared=None, progress=None):  # pragma: no cover - abstract
        raise NotImplementedError

    def default_chunks(self, paths: int) -> int:
        """How many contiguous chunks :meth:`run` cuts ``paths`` paths into."""
        return 1

    def run(self, spec: Any, *, progress: ProgressCallback | None = None) -> PathsOutput:
        """Run an ensemble: split the paths into contiguous chunks, run each with ``run_paths``.

        This is what :func:`bubblemachine.simulate` calls for ``backend="process"|"ray"``.
        Path ``p``'s draws depend only on ``(seed, p)``, so the result is bit-identical to a
        serial run whatever the chunking.

        Args:
            spec: the resolved run (a :class:`~bubblemachine.sfc.spec.RunSpec`; pickled once
                per worker).
            progress: called with the number of chunks just finished.

        Returns:
            One :class:`PathsOutput` for all paths, in path order.
        """
        from bubblemachine.sfc.run import PATH_BLOCK

        chunks = split_ranges(spec.paths, self.default_chunks(spec.paths), align=PATH_BLOCK)
        worker = run_chunk_shm if self.result_via_shm else run_chunk
        tasks = [PathsTask(r) for r in chunks]
        parts: list[PathsOutput] = []
        try:
            parts = gather(self.map(worker, tasks, shared=spec, progress=progress), len(tasks))
        except BaseException:
            for p in parts:
                if isinstance(p.data, SharedArray):
                    p.data.discard()
            raise
        return assemble(parts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(workers={self.workers})"


# --------------------------------------------------------------------------- serial
class SerialBackend(BackendBase):
    """Run tasks one after the other in this process (no pickling, no start-up cost)."""

    name = "serial"

    def __init__(self, *, workers: int | None = None) -> None:
        self.workers = 1  # one task at a time; ``workers`` is accepted and ignored

    def map(self, fn, tasks, *, shared=None, progress=None):
        """Run ``fn(shared, task)`` for each task, in order; yield ``(index, result)``."""
        for i, task in enumerate(tasks):
            result = fn(shared, task)
            if progress is not None:
                progress(1)
            yield i, result


# --------------------------------------------------------------------------- process pool
class _Worker:
    """State of a worker process (one instance per process, made by its initializer)."""

    parent: int | None = None
    cache: dict[str, Any] = {}


def _watch_parent(parent: int, interval: float) -> None:
    import time

    while True:
        time.sleep(interval)
        if os.getppid() != parent:  # re-parented: the driver is gone
            os._exit(1)


def _worker_init(parent: int, death_signal: bool) -> None:
    """Initializer of every pool worker: die with the parent process.

    On Linux the kernel sends SIGKILL when the parent dies (``prctl(PR_SET_PDEATHSIG)``; only
    when the pool was started from the parent's main thread, since the signal follows the
    thread that started the worker). Everywhere a daemon thread polls the parent id as well.
    """
    import sys
    import threading

    _Worker.parent = parent
    if death_signal and sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the watcher still works
            pass
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent, 0.2), name="bubblemachine-parent-watch", daemon=True).start()


def parent_alive() -> bool:
    """In a pool worker: is the driver still there? (Elsewhere always True.)"""
    return _Worker.parent is None or os.getppid() == _Worker.parent


def _process_call(fn, key: str, blob: bytes, task):
    """Worker side of :class:`ProcessBackend`: unpickle ``shared`` once per worker, then call."""
    cache = _Worker.cache
    if key not in cache:
        if len(cache) > 4:  # keep only a few models per worker
            cache.clear()
        cache[key] = pickle.loads(blob)
    return fn(cache[key], task)


def _pickle_shared(shared: Any) -> tuple[str, bytes]:
    try:
        blob = pickle.dumps(shared, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        raise SimulationError(
            f"backend: the shared object {type(shared).__name__} cannot be sent to worker "
            f"processes ({exc}); use backend='serial'"
        ) from exc
    return hashlib.blake2b(blob, digest_size=16).hexdigest(), blob


class ProcessBackend(BackendBase):
    """A pool of worker processes (:class:`concurrent.futures.ProcessPoolExecutor`).

    Args:
        workers: processes in the pool (default: usable CPU cores).
        start_method: ``"spawn"`` (default: safe with threads, the same on every OS),
            ``"forkserver"`` or ``"fork"``.
        max_in_flight: most tasks submitted but not yet consumed (default ``2 * workers``);
            bounds memory when results are large.
        chunks_per_worker: tasks per worker when :meth:`run` cuts an ensemble into chunks.

    The pool starts on the first :meth:`map` and is reused until :meth:`close`. Its workers
    die with this process (see :func:`_worker_init`).
    """

    name = "process"
    aliases = ("processes",)
    options = ("start_method",)
    result_via_shm = True

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
            import threading
            from concurrent.futures import ProcessPoolExecutor

            main = threading.current_thread() is threading.main_thread()
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context(self.start_method),
                initializer=_worker_init, initargs=(os.getpid(), main),
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


class RayBackend(BackendBase):
    """Run tasks on Ray: a local instance, or the cluster at ``address``.

    Args:
        workers: CPUs for a local instance (default: usable cores); with ``address`` the
            cluster's size decides and ``workers`` only sets how many tasks run at once.
        address: a cluster address (``"ray://host:10001"``, ``"auto"``); ``None`` starts
            (or reuses) a local instance.
        max_in_flight: most tasks outstanding (default ``2 * workers``).
        runtime_env: passed to ``ray.init`` (e.g. ``{"pip": ["bubblemachine"]}`` on a cluster).
        chunks_per_worker: tasks per worker when :meth:`run` cuts an ensemble into chunks.

    Raises:
        MissingDependencyError: Ray is not installed (``pip install 'bubblemachine[ray]'``).
    """

    name = "ray"
    options = ("address",)
    local = False  # workers may be on other machines: results come back to the driver

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
        self._remote = None

    def default_chunks(self, paths: int) -> int:
        return self.workers * self.chunks_per_worker

    def _ensure(self):
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
        if self._remote is None:
            self._remote = ray.remote(_ray_call)
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
                    pending[self._remote.remote(fn, shared_ref, task)] = i
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
        self._remote = None


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


def run_chunk(spec: Any, task: PathsTask) -> PathsOutput:
    """Worker side of :meth:`Backend.run`: one contiguous chunk of paths."""
    from bubblemachine.sfc.run import run_paths

    return run_paths(spec, task.path_ids)


#: Result arrays at least this big come back from worker processes through shared memory.
SHM_MIN_BYTES = 4 * 2**20


def run_chunk_shm(spec: Any, task: PathsTask) -> PathsOutput:
    """:func:`run_chunk`, with a big ``data`` array handed back as a :class:`SharedArray`.

    Pickling hundreds of MB through a pipe costs seconds; a shared-memory block costs one
    memory copy here and one in the driver. The block holds ``data`` in period-major layout
    ``[periods + 1, names, paths]`` (the engine's own layout, so the copy is a memcpy). The
    worker creates the block and forgets it (unregistered from its resource tracker); the
    driver copies it out and unlinks it (:func:`assemble`).
    """
    import dataclasses

    import numpy as np

    out = run_chunk(spec, task)
    data = out.data
    if data.nbytes < SHM_MIN_BYTES:
        return out
    from multiprocessing import resource_tracker, shared_memory

    base = np.ascontiguousarray(data.transpose(1, 2, 0))  # no copy for the engine's layout
    shm = shared_memory.SharedMemory(create=True, size=max(base.nbytes, 1))
    try:
        np.ndarray(base.shape, dtype=base.dtype, buffer=shm.buf)[...] = base
    except BaseException:
        shm.close()
        shm.unlink()
        raise
    shm.close()
    try:
        resource_tracker.unregister(shm._name, "shared_memory")  # noqa: SLF001 - the driver owns it now
    except Exception:  # noqa: BLE001 - best effort; the driver unlinks it anyway
        pass
    return dataclasses.replace(out, data=SharedArray(shm.name, base.shape, base.dtype.str))


def assemble(parts: list[PathsOutput]) -> PathsOutput:
    """Chunks' outputs (in path order) -> one output; shared-memory blocks are unlinked, also on error.

    The data is a transposed view of a ``[T+1, k, paths]`` array, the layout a serial run returns.
    """
    import numpy as np

    if len(parts) == 1 and not isinstance(parts[0].data, SharedArray):
        return parts[0]
    pending = [p.data for p in parts if isinstance(p.data, SharedArray)]
    try:
        sizes = [len(p.path_ids) for p in parts]
        first = parts[0].data
        t1k = first.shape[:2] if isinstance(first, SharedArray) else first.shape[1:]
        final = np.empty((*t1k, sum(sizes)))
        at = 0
        for p, size in zip(parts, sizes, strict=True):
            dest = final[:, :, at:at + size]
            if isinstance(p.data, SharedArray):
                pending.remove(p.data)
                p.data.copy_into(dest)
            else:
                dest[...] = p.data.transpose(1, 2, 0)
            at += size
    finally:
        for block in pending:
            block.discard()
    return PathsOutput(
        data=final.transpose(2, 0, 1), names=parts[0].names,
        path_ids=np.concatenate([np.asarray(p.path_ids, dtype=np.int64) for p in parts]),
        uncertain=np.concatenate([p.uncertain for p in parts], axis=0), uncertain_names=parts[0].uncertain_names,
        failures=tuple(f for p in parts for f in p.failures),
    )


def gather(pairs: Iterable[tuple[int, Any]], n: int | None = None) -> list[Any]:
    """Collect ``(index, result)`` pairs from :meth:`Backend.map` into a list in task order."""
    out: dict[int, Any] = dict(pairs)
    size = n if n is not None else (max(out) + 1 if out else 0)
    missing = [i for i in range(size) if i not in out]
    if missing:
        raise SimulationError(f"backend: results missing for tasks {missing[:10]}")
    return [out[i] for i in range(size)]


def backend_names() -> tuple[str, ...]:
    """The names :func:`make_backend` accepts (``serial``, ``process``, ``ray``, ...)."""
    return tuple(BACKENDS)


def make_backend(
    backend: str | None = None,
    *,
    workers: int | None = None,
    address: str | None = None,
    start_method: str | None = None,
) -> Backend:
    """A new backend from its name; the caller owns it (``with make_backend("process") as be: ...``).

    Args:
        backend: ``None`` or ``"serial"``; ``"process"`` (alias ``"processes"``); ``"ray"``; or
            the name of any other :class:`BackendBase` subclass.
        workers: processes / Ray CPUs (default: usable cores). Ignored by ``"serial"``.
        address: Ray cluster address (``"ray"`` only).
        start_method: process start method (``"process"`` only; default ``"spawn"``).

    Raises:
        SimulationError: an unknown name, or an option that does not apply to the backend.
        MissingDependencyError: ``"ray"`` without Ray installed.
    """
    if backend is not None and not isinstance(backend, str):
        raise SimulationError(
            f"backend: expected one of {', '.join(BACKENDS)} or a Backend object, got {type(backend).__name__}"
        )
    key = (backend or "serial").strip().lower()
    cls = BACKENDS.get(key) or next((c for c in BACKENDS.values() if key in c.aliases), None)
    if cls is None:
        raise SimulationError(f"backend: unknown backend {backend!r} (choose from {', '.join(BACKENDS)})")
    given = {"address": address, "start_method": start_method}
    for option, value in given.items():
        if value is not None and option not in cls.options:
            takers = [n for n, c in BACKENDS.items() if option in c.options]
            raise SimulationError(
                f"{option}: only the {' or '.join(repr(t) for t in takers)} backend takes {_OPTION_TEXT[option]} "
                f"(backend is {cls.name!r})"
            )
    return cls(workers=workers, **{k: v for k, v in given.items() if v is not None})


def get_backend(backend: Any = None, **options: Any) -> Backend:
    """``backend`` itself if it is a backend object, else :func:`make_backend` (a new one the caller owns)."""
    if backend is not None and not isinstance(backend, str):
        if isinstance(backend, Backend):
            return backend
        raise SimulationError(
            f"backend: expected one of {', '.join(BACKENDS)} or a Backend object, got {type(backend).__name__}"
        )
    return make_backend(backend, **options)


@contextlib.contextmanager
def open_backend(backend: Any = None, **options: Any) -> Iterator[Backend]:
    """A backend for one call: an object is used as is (its owner closes it); a name opens a
    new backend that is closed when the block ends."""
    if backend is not None and not isinstance(backend, str):
        yield get_backend(backend)
        return
    with make_backend(backend, **options) as be:
        yield be
