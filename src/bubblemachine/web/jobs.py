"""Background runs for the web app: one worker, a bounded queue, one run per client.

A run is a function ``fn(progress) -> result`` (``progress(fraction, label)``). The queue
runs one at a time on a worker thread (the simulation itself uses the process's cores
through NumPy), holds at most ``max_queue`` waiting runs (more: :class:`QueueFull`), and keeps
at most one unfinished run per client: a client that submits again replaces its waiting run,
or supersedes its running one (whose result is then dropped). A run that passes ``timeout``
seconds is reported as timed out and its result dropped; the progress callback raises
:class:`Cancelled` in a superseded or timed-out run, so the engine stops at its next period
when it reports progress.
"""

from __future__ import annotations

import itertools
import queue
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bubblemachine.errors import BubbleMachineError, QueueFull  # noqa: F401 - QueueFull re-exported


class Cancelled(Exception):
    """Raised inside a run that was superseded or timed out (not a user error)."""


@dataclass
class Job:
    """One run and its state (read by the page's progress poll)."""

    id: str
    client: str
    fn: Callable[[Callable[[float, str], None]], Any] = field(repr=False)
    status: str = "queued"  # queued | running | done | error | cancelled | timeout
    progress: float = 0.0
    label: str = ""
    result: Any = field(default=None, repr=False)
    error: str = ""
    meta: Any = field(default=None, repr=False)
    created: float = field(default_factory=time.monotonic)
    started: float | None = None
    finished: float | None = None

    @property
    def done(self) -> bool:
        return self.status in ("done", "error", "cancelled", "timeout")

    @property
    def elapsed(self) -> float:
        end = self.finished if self.finished is not None else time.monotonic()
        return end - (self.started if self.started is not None else self.created)


class JobQueue:
    """The server's run queue (see the module docstring)."""

    def __init__(self, *, max_queue: int = 4, timeout: float = 60.0, keep: int = 64) -> None:
        self.max_queue = max_queue
        self.timeout = timeout
        self.keep = keep
        self._q: queue.Queue[Job | None] = queue.Queue()
        self._jobs: dict[str, Job] = {}
        self._by_client: dict[str, str] = {}
        self._lock = threading.Lock()
        self._count = itertools.count()
        self._worker = threading.Thread(target=self._work, name="bubblemachine-runs", daemon=True)
        self._worker.start()

    # ------------------------------------------------------------------ clients
    def submit(self, client: str, fn: Callable[[Callable[[float, str], None]], Any]) -> Job:
        """Queue ``fn`` for ``client``; QueueFull when ``max_queue`` runs already wait."""
        with self._lock:
            old = self._jobs.get(self._by_client.get(client, ""))
            if old is not None and not old.done:
                old.status = "cancelled"  # a waiting run is skipped; a running one is dropped
                old.finished = time.monotonic()
            waiting = sum(1 for j in self._jobs.values() if j.status == "queued")
            if waiting >= self.max_queue:
                raise QueueFull(f"{waiting} runs are waiting (at most {self.max_queue}); try again in a moment")
            job = Job(id=f"{next(self._count)}-{secrets.token_hex(6)}", client=client, fn=fn)
            self._jobs[job.id] = job
            self._by_client[client] = job.id
            self._trim()
        self._q.put(job)
        return job

    def get(self, job_id: str) -> Job | None:
        job = self._jobs.get(job_id)
        if job is not None and job.status == "running" and job.started is not None \
                and time.monotonic() - job.started > self.timeout:
            job.status, job.finished = "timeout", time.monotonic()
        return job

    def close(self) -> None:
        """Stop the worker after the current run (the server is shutting down)."""
        self._q.put(None)
        self._worker.join(timeout=5)

    # ------------------------------------------------------------------ worker
    def _trim(self) -> None:
        done = [j for j in self._jobs.values() if j.done]
        for j in sorted(done, key=lambda j: j.created)[: max(0, len(self._jobs) - self.keep)]:
            self._jobs.pop(j.id, None)

    def _work(self) -> None:
        while True:
            job = self._q.get()
            if job is None:
                return
            if job.status != "queued":
                continue
            job.status, job.started = "running", time.monotonic()

            def progress(fraction: float, label: str, job: Job = job) -> None:
                if job.status != "running":
                    raise Cancelled(job.status)
                if time.monotonic() - (job.started or 0) > self.timeout:
                    job.status, job.finished = "timeout", time.monotonic()
                    raise Cancelled("timeout")
                job.progress, job.label = max(0.0, min(1.0, float(fraction))), label

            try:
                result = job.fn(progress)
            except Cancelled:
                continue
            except BubbleMachineError as exc:
                if job.status == "running":
                    job.status, job.error = "error", str(exc)
            except Exception as exc:  # noqa: BLE001 - report, keep the worker alive
                if job.status == "running":
                    job.status, job.error = "error", f"{type(exc).__name__}: {exc}"
            else:
                if job.status == "running":
                    job.result, job.progress, job.status = result, 1.0, "done"
            finally:
                if job.finished is None:
                    job.finished = time.monotonic()
