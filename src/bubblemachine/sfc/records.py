"""Typed records that travel between the driver, the backends and their workers.

A worker gets the run's :class:`~bubblemachine.sfc.spec.RunSpec` once (the backend's
``shared`` object) and one :class:`PathsTask` per chunk of paths; it returns a
:class:`PathsOutput`. A big ``data`` array may come back from a worker process as a
:class:`SharedArray` (a block of shared memory) instead of being pickled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class FailureKind(StrEnum):
    """Why a path failed."""

    CONVERGENCE = "convergence"  # a simultaneous block did not converge
    NON_FINITE = "non-finite"  # a variable became NaN or infinite
    SINGULAR = "singular"  # a simultaneous block's Jacobian was singular


@dataclass(frozen=True)
class PathFailure:
    """One path that could not be solved (see ``on_failure=``).

    Attributes:
        path: the global path id.
        period: the first period that failed.
        kind: :class:`FailureKind`.
        block: the simultaneous block (index into ``CompiledModel.blocks``), if one failed.
        variable: the variable that became non-finite, or the block's first tear variable.
        message: one sentence naming all of it (the equation's file and line where known).
    """

    path: int
    period: int
    kind: FailureKind
    block: int | None
    variable: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "period": self.period, "kind": self.kind.value, "block": self.block,
                "variable": self.variable, "message": self.message}


@dataclass(frozen=True)
class PathsTask:
    """A contiguous range of global path ids for one worker call."""

    path_ids: range


@dataclass(frozen=True)
class SharedArray:
    """A float array left by a worker process in shared memory (period-major ``[T+1, names, paths]``).

    The driver copies it out and unlinks it (:meth:`copy_into`); :meth:`discard` unlinks it
    unread (on error).
    """

    name: str
    shape: tuple[int, ...]
    dtype: str

    def copy_into(self, out: Any) -> None:
        """Copy the block into ``out`` (same shape) and unlink it."""
        from multiprocessing import shared_memory

        import numpy as np

        shm = shared_memory.SharedMemory(name=self.name)
        try:
            out[...] = np.ndarray(self.shape, dtype=np.dtype(self.dtype), buffer=shm.buf)
        finally:
            shm.close()
            shm.unlink()

    def discard(self) -> None:
        """Unlink the block without reading it (idempotent)."""
        from multiprocessing import shared_memory

        try:
            shm = shared_memory.SharedMemory(name=self.name)
        except FileNotFoundError:
            return
        shm.close()
        shm.unlink()


@dataclass
class PathsOutput:
    """What :func:`~bubblemachine.sfc.run.run_paths` returns for a range of paths.

    Attributes:
        data: float64 ``[paths, periods + 1, names]`` (a transposed view of a period-major
            array), ``[quantiles, periods + 1, names]`` for quantile runs, or a
            :class:`SharedArray` holding the period-major array (from a worker process).
        names: the variables along the last axis.
        path_ids: global ids of the paths along the first axis (fewer than asked when failed
            paths are excluded); empty for quantile runs.
        uncertain: per-path draws ``[paths, k]`` of the scenario's uncertain parameters.
        uncertain_names: their names.
        failures: every path that failed (``on_failure="exclude"`` or ``"keep"``).
    """

    data: Any
    names: tuple[str, ...]
    path_ids: Any
    uncertain: Any
    uncertain_names: tuple[str, ...]
    failures: tuple[PathFailure, ...] = field(default=())
