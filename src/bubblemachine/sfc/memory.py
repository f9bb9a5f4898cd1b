"""The memory budget: estimate what a run, a comparison or a sweep needs before allocating it.

A run holds ``paths x (periods + 1) x saved series`` float64 values plus working buffers; a
user asking for 2,000,000 paths or 10,000,000 periods should get a clear error, not a NumPy
traceback or the kernel's out-of-memory killer. Every entry point estimates its peak memory
with :func:`estimate_run` (or :func:`estimate_sweep`) and calls :func:`check_budget`.

The budget is, in order: the ``memory_budget=`` option of the call; the environment
variable ``BUBBLEMACHINE_MEMORY_BUDGET``; else :data:`DEFAULT_FRACTION` of the machine's
memory (the smaller of physical memory and the container's limit). A budget is a size
(``"8G"``, ``"512MiB"``, ``"2.5e9"`` bytes), a percentage of the machine's memory (``"75%"``)
or ``"off"`` (no check).
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bubblemachine.errors import MemoryBudgetError, RunOptionError

if TYPE_CHECKING:  # pragma: no cover
    from bubblemachine.sfc.spec import RunSpec

ENV_BUDGET = "BUBBLEMACHINE_MEMORY_BUDGET"
#: Default budget: this fraction of the machine's memory.
DEFAULT_FRACTION = 0.5
_UNITS = {"": 1, "b": 1, "k": 2**10, "kb": 2**10, "kib": 2**10, "m": 2**20, "mb": 2**20, "mib": 2**20,
          "g": 2**30, "gb": 2**30, "gib": 2**30, "t": 2**40, "tb": 2**40, "tib": 2**40}
_SIZE = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]*)\s*")


def format_bytes(n: float) -> str:
    """``1.5 GiB``, ``640 MiB``, ``12 KiB``."""
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            v = n / size
            return f"{v:.1f} {unit}" if v < 100 else f"{v:,.0f} {unit}"
    return f"{int(n)} bytes"


@functools.lru_cache(maxsize=1)
def machine_memory() -> int | None:
    """Bytes of memory this process may use: physical memory, capped by a cgroup limit (read once)."""
    total = None
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        pass
    for f in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(f) as fh:
                text = fh.read().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 2**60:
            total = int(text) if total is None else min(total, int(text))
    return total


@dataclass(frozen=True)
class Budget:
    """A memory budget in bytes (``None``: no limit) and where it came from, for messages."""

    bytes: int | None
    source: str

    def describe(self) -> str:
        return "no limit" if self.bytes is None else f"{format_bytes(self.bytes)} ({self.source})"


def parse_budget(value: str | int | float, where: str) -> Budget:
    """A budget from a size, a percentage of the machine's memory, or ``off``."""
    if isinstance(value, bool):
        raise RunOptionError(f"{where}: expected a size such as 8G, a percentage such as 75%, or off; got {value!r}")
    if isinstance(value, (int, float)):
        if not value > 0 or value != value or value == float("inf"):
            raise RunOptionError(f"{where}: expected a positive number of bytes, got {value!r}")
        return Budget(int(value), where)
    text = str(value).strip()
    if text.lower() in ("off", "none", "unlimited"):
        return Budget(None, where)
    if text.endswith("%"):
        try:
            pct = float(text[:-1])
        except ValueError:
            pct = -1.0
        total = machine_memory()
        if not 0 < pct <= 1000 or total is None:
            raise RunOptionError(f"{where}: {text!r} is not a usable percentage of this machine's memory")
        return Budget(int(total * pct / 100), f"{text} of this machine's {format_bytes(total)}, {where}")
    m = _SIZE.fullmatch(text)
    unit = m.group(2).lower() if m else ""
    if m is None or unit not in _UNITS or float(m.group(1)) <= 0:
        raise RunOptionError(f"{where}: {text!r} is not a size (examples: 8G, 512MiB, 75%, off)")
    return Budget(int(float(m.group(1)) * _UNITS[unit]), where)


def resolve_budget(option: str | int | float | None = None) -> Budget:
    """The budget in force: the option, else ``BUBBLEMACHINE_MEMORY_BUDGET``, else the default."""
    if option is not None:
        return parse_budget(option, "memory_budget")
    env = os.environ.get(ENV_BUDGET)
    if env:
        return parse_budget(env, ENV_BUDGET)
    total = machine_memory()
    if total is None:  # pragma: no cover - no way to tell
        return Budget(None, "this machine's memory is unknown")
    return Budget(int(total * DEFAULT_FRACTION), f"{DEFAULT_FRACTION:.0%} of this machine's {format_bytes(total)}")


@dataclass(frozen=True)
class Estimate:
    """Peak bytes a job is expected to hold and a one-line breakdown."""

    bytes: int
    detail: str


def estimate_run(spec: RunSpec, *, copies: int = 1) -> Estimate:
    """Peak memory of ``simulate(spec)``: the result array, the record buffers, live variables.

    Args:
        spec: the resolved run.
        copies: how many copies of the result exist at the peak (a process backend holds the
            workers' parts and the assembled array at once: 2).
    """
    from bubblemachine.sfc.run import REC_BUDGET_BYTES, RNG_CHUNK

    m = spec.model
    n, T = spec.paths, spec.periods
    names = len(spec.names)
    record = len(dict.fromkeys([*spec.names, *(spec.compiled.check_names if spec.check else ())]))
    lag = spec.compiled.check_lag if spec.check else 0
    live = 8 * n * (2 * len(m.equations) + sum(spec.compiled.maxlag.values()) + 2 * len(m.inputs))
    draws = 8 * n * RNG_CHUNK * (len(m.random) + 1)
    if spec.quantiles is not None:
        out = 8 * len(spec.quantiles) * (T + 1) * names
        buffers = max(REC_BUDGET_BYTES, 8 * (lag + 1) * record * n) * 2  # chunk buffer + quantile sort copy
        what = f"{len(spec.quantiles)} quantiles x {T + 1:,} periods x {names:,} series"
    else:
        chunk = max(REC_BUDGET_BYTES, 8 * (lag + 1) * record * n)
        if record <= 1.25 * names + 4:  # run_paths records straight into the result
            out, buffers = 8 * n * (lag + T + 1) * record * copies, 0
        else:
            out, buffers = 8 * n * (T + 1) * names * copies, chunk
        what = f"{n:,} paths x {T + 1:,} periods x {names:,} saved series x 8 bytes" + (f" x {copies}" if copies > 1 else "")
    total = out + buffers + live + draws
    return Estimate(total, f"{what}, plus working buffers")


def check_budget(estimate: Estimate, budget: Budget, *, what: str, hints: str) -> None:
    """MemoryBudgetError stating the estimate, the budget and how to proceed, if it does not fit."""
    if budget.bytes is None or estimate.bytes <= budget.bytes:
        return
    raise MemoryBudgetError(
        f"{what} needs about {format_bytes(estimate.bytes)} ({estimate.detail}), more than the memory "
        f"budget of {budget.describe()}; {hints}, or raise the budget "
        f"({ENV_BUDGET}=16G, or memory_budget=...; 'off' disables the check)"
    )
