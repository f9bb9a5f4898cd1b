"""Running a compiled model: inputs, random draws, the chunked period loop, recorders, failures.

The entry point for backends is :func:`run_paths` (``spec``, a contiguous range of path ids)
-> :class:`~bubblemachine.sfc.records.PathsOutput`. Its contract (``docs/design/sfc-engine.md``):

* Path ``p``'s random numbers depend only on ``(seed, p)``: paths are grouped in blocks of
  :data:`PATH_BLOCK`; block ``b = p // PATH_BLOCK`` draws its uncertain parameters from
  ``default_rng(SeedSequence(seed, spawn_key=(0, b)))`` and its per-period shocks from
  ``default_rng(SeedSequence(seed, spawn_key=(1, b)))``, in chunks of :data:`RNG_CHUNK` periods
  (each random variable, in declaration order, draws a ``[RNG_CHUNK, PATH_BLOCK]`` array).
  So running paths ``[i, j)`` in another process gives bit-identical numbers, and the same
  seed with more periods gives the same numbers for the common periods.
* :class:`PeriodLoop` runs the generated chunk function period chunk after period chunk and
  hands each solved chunk to a recorder: :class:`DirectRecorder` (the output array is the
  record buffer), :class:`ChunkedRecorder` (a chunk buffer, saved names copied out) or
  :class:`QuantileRecorder` (quantiles over paths kept, per chunk).
* A failing chunk is probed (re-run tolerantly, every equation checked) to find which paths
  failed, where and why; ``on_failure`` decides whether the run stops or continues without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from bubblemachine.errors import ConvergenceError, RunOptionError, ScenarioError, SimulationError
from bubblemachine.sfc.compiler import CompiledModel, PeriodFailure, ProbeEvent
from bubblemachine.sfc.kernel_run import kernel_runner
from bubblemachine.sfc.records import FailureKind, PathFailure, PathsOutput
from bubblemachine.sfc.scenario import Scenario
from bubblemachine.sfc.spec import FailurePolicy, RunSpec

PATH_BLOCK = 256
RNG_CHUNK = 64
REC_BUDGET_BYTES = 64 * 2**20
STEADY_MAX_PERIODS = 20_000
STEADY_TOL = 1e-11


@dataclass
class Inputs:
    """The value of every parameter / exogenous input for one run, in ``model.inputs`` order.

    Each value is a float (``const``), an array ``[n]`` (``perpath``), an array
    ``[PAD + T + 1]`` (``path``: over periods, front-padded with the period-0 value) or
    ``[PAD + T + 1, n]`` (``full``).
    """

    values: list[Any]
    kinds: list[str]
    timevarying: frozenset[str]
    pad: int
    uncertain: dict[str, np.ndarray]

    def at_period(self, names: list[str], t: int, n: int) -> dict[str, Any]:
        out = {}
        for name, v in zip(names, self.values, strict=True):
            out[name] = v[t + self.pad] if name in self.timevarying else v
        return out

    def take(self, keep: np.ndarray) -> Inputs:
        """The inputs of the paths at positions ``keep`` (per-path values sliced)."""
        values = [v[keep] if k == "perpath" else v[:, keep] if k == "full" else v for v, k in zip(self.values, self.kinds, strict=True)]
        return Inputs(values, self.kinds, self.timevarying, self.pad, {k: v[keep] for k, v in self.uncertain.items()})


def draw_uncertain(scenario: Scenario | None, seed: int, path_ids: range) -> dict[str, np.ndarray]:
    """Per-path draws of the scenario's ``[uncertain]`` parameters for ``path_ids``."""
    if scenario is None or not scenario.uncertain or len(path_ids) == 0:
        return {}
    parts: dict[str, list[np.ndarray]] = {n: [] for n in scenario.uncertain}
    for b in range(path_ids.start // PATH_BLOCK, (path_ids.stop - 1) // PATH_BLOCK + 1):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0, b)))
        lo = max(path_ids.start, b * PATH_BLOCK) - b * PATH_BLOCK
        hi = min(path_ids.stop, (b + 1) * PATH_BLOCK) - b * PATH_BLOCK
        for n, dist in scenario.uncertain.items():
            parts[n].append(dist.draw(rng, PATH_BLOCK)[lo:hi])
    return {n: np.concatenate(v) for n, v in parts.items()}


class RandomStream:
    """Per-period draws of the model's ``[random]`` variables for a contiguous range of paths."""

    def __init__(self, model, seed: int, path_ids: range) -> None:
        self.dists = list(model.random.values())
        self.path_ids = path_ids
        self.blocks = list(range(path_ids.start // PATH_BLOCK, (path_ids.stop - 1) // PATH_BLOCK + 1)) if len(path_ids) else []
        self.rngs = [np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1, b))) for b in self.blocks] if self.dists else []
        self.chunk = -1
        self.cache: list[np.ndarray] = []

    def chunk_arrays(self, c: int) -> list[np.ndarray]:
        """Draws for periods ``1 + c*RNG_CHUNK .. (c+1)*RNG_CHUNK``: one ``[RNG_CHUNK, n]`` array per variable."""
        if not self.dists:
            return []
        n = len(self.path_ids)
        while self.chunk < c:
            self.chunk += 1
            # fresh arrays each chunk: a variable equal to a draw (e = eps) is a view into them,
            # and its lag must survive into the next chunk
            self.cache = [np.empty((RNG_CHUNK, n)) for _ in self.dists]
            col = 0
            for b, rng in zip(self.blocks, self.rngs, strict=True):
                lo = max(self.path_ids.start, b * PATH_BLOCK) - b * PATH_BLOCK
                hi = min(self.path_ids.stop, (b + 1) * PATH_BLOCK) - b * PATH_BLOCK
                for i, d in enumerate(self.dists):
                    self.cache[i][:, col:col + hi - lo] = d.draw(rng, (RNG_CHUNK, PATH_BLOCK))[:, lo:hi]
                col += hi - lo
        return self.cache


def build_inputs(cm: CompiledModel, scenario: Scenario | None, *, periods: int, n: int, uncertain: dict[str, np.ndarray], set: dict[str, Any] | None) -> Inputs:
    """Resolve every input's value for a run (base, ``set`` overrides, uncertain draws, shocks)."""
    m = cm.model
    pad = max([1, *cm.input_maxlag.values()])
    shocks = scenario.shocks if scenario is not None else []
    shocked = {name for s in shocks for name, _ in s.values}
    values: list[Any] = []
    kinds: list[str] = []
    tv: list[str] = []
    T = periods
    for name in m.inputs:
        base: Any = m.parameters[name] if name in m.parameters else m.exogenous[name]
        overridden = bool(set) and name in set
        if overridden:
            base = set[name]
        if isinstance(base, (list, tuple, np.ndarray)):
            arr = np.asarray(base, dtype=float)
            if arr.ndim != 1 or arr.size == 0 or not np.isfinite(arr).all():
                raise ScenarioError(f"set {name}: a path must be a non-empty list of finite numbers")
            full = np.empty(T + 1)
            k = min(arr.size, T + 1)
            full[:k] = arr[:k]
            full[k:] = arr[k - 1]
            kind, val = "path", full
        elif name in uncertain and not overridden:
            kind, val = "perpath", np.asarray(uncertain[name], dtype=float)
        else:
            kind, val = "const", float(base)
        if name in shocked:
            if kind == "const":
                val, kind = np.full(T + 1, val), "path"
            elif kind == "perpath":
                val, kind = np.tile(val, (T + 1, 1)), "full"
            else:
                val = val.copy()
            for s in shocks:
                for sname, v in s.values:
                    if sname == name and s.start <= T:
                        end = T if s.end is None else min(s.end, T)
                        val[s.start:end + 1] = v
        if kind in ("path", "full"):
            val = np.concatenate([np.repeat(val[:1], pad, axis=0), val], axis=0)
            tv.append(name)
        values.append(val)
        kinds.append(kind)
    return Inputs(values, kinds, frozenset(tv), pad, uncertain)


def _choose_chunk(n_rec: int, n: int, lag: int, has_random: bool) -> int:
    ch = RNG_CHUNK if has_random else 1024
    while ch > 1 and (lag + ch) * max(n_rec, 1) * n * 8 > REC_BUDGET_BYTES:
        ch //= 2
    return ch


def _to_scalar(inp: Inputs, names: list[str]) -> list[Any]:
    out: list[Any] = []
    for name, v in zip(names, inp.values, strict=True):
        if name in inp.timevarying:
            out.append((v[:, 0] if v.ndim == 2 else v).tolist())
        elif isinstance(v, np.ndarray):
            out.append(float(v.reshape(-1)[0]))
        else:
            out.append(float(v))
    return out


def _initial_state(cm: CompiledModel, initial: dict[str, Any]) -> tuple:
    return tuple(initial[v] for v, _ in cm.lag_slots)


def _period0_values(cm: CompiledModel, inp: Inputs, endo0: dict[str, Any], names: tuple[str, ...], n: int) -> np.ndarray:
    """The period-0 row ``[len(names), n]`` of recorded names."""
    m = cm.model
    at0 = inp.at_period(m.inputs, 0, n)
    row = np.zeros((len(names), n))
    for j, name in enumerate(names):
        if name in m.equations:
            row[j] = endo0[name]
        elif name in at0:
            row[j] = at0[name]
        else:
            row[j] = 0.0  # random draws start at period 1
    return row


def steady_state(cm: CompiledModel, inp: Inputs, n: int, start: dict[str, Any]) -> dict[str, Any]:
    """Run the model with period-0 inputs (random draws at their mean) until it stops moving."""
    m = cm.model
    const = [v[inp.pad] if name in inp.timevarying else v for name, v in zip(m.inputs, inp.values, strict=True)]
    names = tuple(m.equations)
    fn = cm.chunk_function(mode="vector", timevarying=frozenset(), record=names)
    ch = RNG_CHUNK
    rnd = [np.full((ch, 1), d.mean()) for d in m.random.values()]
    state = _initial_state(cm, start)
    rec = np.empty((ch, len(names), n))
    t = 1
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        while t < STEADY_MAX_PERIODS:
            try:
                state = fn(t, t + ch, state, const, rnd, rec, n, 0, inp.pad)
            except (PeriodFailure, ConvergenceError) as exc:
                why = exc.exc if isinstance(exc, PeriodFailure) else exc
                at = exc.t if isinstance(exc, PeriodFailure) else t
                raise SimulationError(f"model {m.name}: the steady-state search failed at period {at}: {why}") from None
            t += ch
            last, prev = rec[-1], rec[-2]
            if np.all(np.abs(last - prev) <= STEADY_TOL * (1.0 + np.abs(last))):
                return {v: rec[-1, j].copy() for j, v in enumerate(names)}
    worst = names[int(np.argmax(np.max(np.abs(rec[-1] - rec[-2]) / (1 + np.abs(rec[-1])), axis=1)))]
    raise ScenarioError(
        f"model {m.name}: start = \"steady\" but the baseline did not settle within {STEADY_MAX_PERIODS} periods "
        f"(still moving: {worst}); a growing model has no steady state, use start = \"initial\""
    )


# --------------------------------------------------------------------------- recorders
class DirectRecorder:
    """The output array is the record buffer: ``full[L + t]`` holds period ``t`` (no copy).

    Used when the names recorded only for the checks are few. Rows before ``L`` repeat
    period 0 (the checks' lags reach before period 0).
    """

    def __init__(self, L: int, T: int, row0: np.ndarray, n_saved: int) -> None:
        self.L, self.n_saved = L, n_saved
        self.full = np.empty((L + T + 1, row0.shape[0], row0.shape[1]))
        self.full[:L + 1] = row0

    def window(self, t0: int, t1: int, pos: np.ndarray | None) -> np.ndarray:
        w = self.full[t0:self.L + t1]  # history rows (periods t0-L .. t0-1), then the chunk
        return w if pos is None else w[:, :, pos]

    def commit(self, t0: int, t1: int, H: np.ndarray, pos: np.ndarray | None) -> None:
        if pos is not None:
            self.full[self.L + t0:self.L + t1][:, :, pos] = H[self.L:]

    def drop(self, keep: np.ndarray) -> None:
        """Only the paths at ``keep`` (positions among those running) go on."""

    def keep_failed(self, p: int, t0: int, tf: int, rows: np.ndarray) -> None:
        """Path ``p`` (a position in the range) failed at period ``tf``: its rows ``t0..tf-1``, NaN after."""
        self.full[self.L + t0:self.L + tf, :, p] = rows
        self.full[self.L + tf:, :, p] = np.nan

    def data(self, keep: np.ndarray | None) -> np.ndarray:
        base = self.full[self.L:, :self.n_saved]
        if keep is not None:
            base = base[:, :, keep]
        return base.transpose(2, 0, 1)


class ChunkedRecorder:
    """A chunk buffer ``H`` (``L`` history rows + the chunk) and a copy of the saved names into ``out``."""

    def __init__(self, L: int, T: int, ch: int, row0: np.ndarray, save_idx: np.ndarray) -> None:
        self.L = L
        self.H = np.empty((L + ch, row0.shape[0], row0.shape[1]))
        self.H[:L] = row0
        all_saved = bool(save_idx.size) and np.array_equal(save_idx, np.arange(save_idx.size))
        self.sel = slice(0, save_idx.size) if all_saved else save_idx
        self.out = self._make_out(T, row0, save_idx)

    def _make_out(self, T: int, row0: np.ndarray, save_idx: np.ndarray) -> np.ndarray:
        out = np.empty((T + 1, save_idx.size, row0.shape[1]))  # period-major; a transposed view at the end
        out[0] = row0[save_idx]
        return out

    def window(self, t0: int, t1: int, pos: np.ndarray | None) -> np.ndarray:
        return self.H[:self.L + t1 - t0]

    def commit(self, t0: int, t1: int, H: np.ndarray, pos: np.ndarray | None) -> None:
        nn = t1 - t0
        block = H[self.L:self.L + nn][:, self.sel, :]
        if pos is None:
            self.out[t0:t1] = block
        else:
            self.out[t0:t1][:, :, pos] = block
        if self.L:
            self.H[:self.L] = self.H[nn:nn + self.L].copy()

    def drop(self, keep: np.ndarray) -> None:
        self.H = np.ascontiguousarray(self.H[:, :, keep])

    def keep_failed(self, p: int, t0: int, tf: int, rows: np.ndarray) -> None:
        self.out[t0:tf, :, p] = rows[:, self.sel]
        self.out[tf:, :, p] = np.nan

    def data(self, keep: np.ndarray | None) -> np.ndarray:
        base = self.out if keep is None else self.out[:, :, keep]
        return base.transpose(2, 0, 1)


class QuantileRecorder(ChunkedRecorder):
    """Quantiles over the running paths, chunk by chunk: ``out[q, t, name]`` (bounded memory)."""

    def __init__(self, L: int, T: int, ch: int, row0: np.ndarray, save_idx: np.ndarray, levels: tuple[float, ...]) -> None:
        self.qs = np.asarray(levels, dtype=float)
        super().__init__(L, T, ch, row0, save_idx)

    def _make_out(self, T: int, row0: np.ndarray, save_idx: np.ndarray) -> np.ndarray:
        out = np.empty((self.qs.size, T + 1, save_idx.size))
        out[:, 0, :] = np.quantile(row0[save_idx], self.qs, axis=1)
        return out

    def commit(self, t0: int, t1: int, H: np.ndarray, pos: np.ndarray | None) -> None:
        nn = t1 - t0
        self.out[:, t0:t1, :] = np.quantile(H[self.L:self.L + nn][:, self.sel, :], self.qs, axis=2)
        if self.L:
            self.H[:self.L] = self.H[nn:nn + self.L].copy()

    def keep_failed(self, p: int, t0: int, tf: int, rows: np.ndarray) -> None:
        """A failed path simply stops counting in the quantiles."""

    def data(self, keep: np.ndarray | None) -> np.ndarray:
        return self.out


# --------------------------------------------------------------------------- the period loop
class _ChunkFailed(Exception):
    """The strict chunk run failed; ``cause`` is what it raised (None: a non-finite value appeared)."""

    def __init__(self, t: int, cause: BaseException | None) -> None:
        super().__init__(t, cause)
        self.t = t
        self.cause = cause


class PeriodLoop:
    """The period loop of one range of paths: solve chunk after chunk, check, record.

    Holds the run's inputs, state and random stream for the paths still running
    (``pos``: their positions in the range, None while all run).
    """

    def __init__(self, spec: RunSpec, path_ids: range) -> None:
        cm = self.cm = spec.compiled
        m = cm.model
        self.spec = spec
        self.path_ids = path_ids
        n = self.n = len(path_ids)
        self.T = spec.periods
        self.names = spec.names
        self.unc = draw_uncertain(spec.scenario, spec.seed, path_ids)
        self.inp = build_inputs(cm, spec.scenario, periods=self.T, n=n, uncertain=self.unc, set=spec.set or None)
        checks = spec.check and bool(m.hidden or m.matrices)
        self.record = tuple(dict.fromkeys([*self.names, *(cm.check_names if checks else ())]))
        self.save_idx = np.array([self.record.index(x) for x in self.names], dtype=np.intp)
        self.L = max(cm.check_lag, 0) if checks else 0
        endo0: dict[str, Any] = {v: m.initial[v] for v in m.equations}
        if spec.scenario is not None and spec.scenario.start == "steady":
            endo0 = steady_state(cm, self.inp, n, endo0)
        self.row0 = _period0_values(cm, self.inp, endo0, self.record, n)
        self.state = _initial_state(cm, endo0)
        self.scalar = n == 1
        self.values = _to_scalar(self.inp, m.inputs) if self.scalar else self.inp.values
        if self.scalar:
            self.state = tuple(float(np.reshape(s, -1)[0]) for s in self.state)
        self.checks = checks  # the accounting checks run (``chk``)
        self.ch = min(_choose_chunk(len(self.record), n, self.L, bool(m.random)), self.T)
        self.rs = RandomStream(m, spec.seed, path_ids)
        self.pos: np.ndarray | None = None  # running paths (positions); None: all
        self.failures: list[PathFailure] = []
        self.failed_pos: list[int] = []

    # generated on first use: a run on a compiled kernel needs them only for a chunk it hands back
    @cached_property
    def fn(self):
        """The generated chunk function of this run's layout."""
        return self.cm.chunk_function(mode="scalar" if self.scalar else "vector", timevarying=self.inp.timevarying, record=self.record)

    @cached_property
    def chk(self):
        """The generated checker of hidden identities and matrices (None: no checks)."""
        return self.cm.check_function(self.record) if self.checks else None

    def recorder(self) -> DirectRecorder | ChunkedRecorder:
        """The recorder for this run's layout."""
        if self.spec.quantiles is not None:
            return QuantileRecorder(self.L, self.T, self.ch, self.row0, self.save_idx, self.spec.quantiles)
        if len(self.record) <= 1.25 * len(self.names) + 4:
            return DirectRecorder(self.L, self.T, self.row0, len(self.names))
        return ChunkedRecorder(self.L, self.T, self.ch, self.row0, self.save_idx)

    @property
    def ids(self) -> Any:
        """Global ids of the running paths, as generated code reports them (an offset while all run)."""
        return self.path_ids.start if self.pos is None else np.asarray(self.path_ids)[self.pos]

    def run(self, rec, progress: Any = None) -> None:
        """Solve periods 1..T into ``rec``; ``progress(done)`` after each chunk."""
        t0 = 1
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            while t0 <= self.T:
                t1 = self.chunk_end(t0)
                if not self.solve_chunk(t0, t1, rec):
                    return
                t0 = t1
                if progress is not None:
                    progress(t1 - 1)

    def chunk_end(self, t0: int) -> int:
        """The end (exclusive) of the chunk of periods that starts at ``t0``: at most ``ch``
        periods, never crossing a chunk of random draws."""
        t1 = min(t0 + self.ch, self.T + 1)
        if self.cm.model.random:
            t1 = min(t1, ((t0 - 1) // RNG_CHUNK + 1) * RNG_CHUNK + 1)
        return t1

    def solve_chunk(self, t0: int, t1: int, rec) -> bool:
        """Solve, check and record periods ``t0 .. t1-1`` from ``self.state`` (call under the
        run's ``np.errstate``); False when no path is left running."""
        c, off = divmod(t0 - 1, RNG_CHUNK)
        start_state = self.state
        while True:
            H = rec.window(t0, t1, self.pos)
            rnd = self._random(c, off, t1 - t0)
            try:
                self.state = self._solve(t0, t1, start_state, rnd, H)
                break
            except _ChunkFailed as exc:
                self._fail(exc, t0, t1, start_state, rnd, H, rec)
                start_state = self._take_state(start_state)
                if self.pos is not None and self.pos.size == 0:
                    return False
        if self.chk is not None:
            # in slabs of ~16k values per array, so the temporaries stay in cache
            n = H.shape[2]
            slab = max(1, 16384 // max(n, 1))
            nn = t1 - t0
            for a in range(0, nn, slab):
                b = min(a + slab, nn)
                self.chk(H[a:self.L + b], self.L, b - a, t0 + a, self.ids)
        rec.commit(t0, t1, H, self.pos)
        return True

    def _random(self, c: int, off: int, nn: int) -> list:
        rnd = [a[off:off + nn] for a in self.rs.chunk_arrays(c)]
        if self.pos is not None:
            rnd = [a[:, self.pos] for a in rnd]
        if self.scalar:
            rnd = [a[:, 0].tolist() for a in rnd]
        return rnd

    def _solve(self, t0: int, t1: int, state: tuple, rnd: list, H: np.ndarray) -> tuple:
        """One strict chunk run into ``H``; _ChunkFailed on any failure."""
        L, nn = self.L, t1 - t0
        try:
            if self.scalar:
                lst: list[float] = []
                state = self.fn(t0, t1, state, self.values, rnd, lst, 1, self.ids, self.inp.pad)
                H[L:L + nn, :, 0] = np.fromiter(lst, float, nn * len(self.record)).reshape(nn, len(self.record))
            else:
                state = self.fn(t0, t1, state, self.values, rnd, H[L:L + nn], H.shape[2], self.ids, self.inp.pad)
        except PeriodFailure as exc:
            raise _ChunkFailed(exc.t, exc.exc) from None
        except ConvergenceError as exc:
            raise _ChunkFailed(t0, exc) from None
        except np.linalg.LinAlgError as exc:
            raise _ChunkFailed(t0, exc) from None
        if not np.isfinite(H[L:L + nn]).all():
            raise _ChunkFailed(t0, None)
        return state

    # ------------------------------------------------------------------ failures
    def _fail(self, exc: _ChunkFailed, t0: int, t1: int, state: tuple, rnd: list, H: np.ndarray, rec) -> None:
        """Find the failing paths of a chunk; raise (on_failure="raise") or drop them."""
        policy = self.spec.on_failure
        if policy is FailurePolicy.RAISE and isinstance(exc.cause, ConvergenceError):
            raise exc.cause  # the strict solver's message is already precise
        events, rows = self._probe(t0, t1, state, rnd, H)
        if not events:
            raise self._unexplained(exc)
        singular = isinstance(exc.cause, np.linalg.LinAlgError)
        if policy is FailurePolicy.RAISE:
            raise self._error(min(events.values(), key=lambda e: (e.t, e.seq, e.path)), singular)
        running = np.arange(H.shape[2]) if self.pos is None else self.pos
        failing = sorted(events)
        for j in failing:
            e = events[j]
            p = int(running[j])
            self.failures.append(self._failure(e, singular))
            self.failed_pos.append(p)
            if policy is FailurePolicy.KEEP:
                rec.keep_failed(p, t0, e.t, rows[:e.t - t0, :, j])
        keep = np.setdiff1d(np.arange(running.size), failing)
        self._keep = keep
        self.pos = running[keep]
        rec.drop(keep)
        if not self.scalar:
            self.values = [v[keep] if k == "perpath" else v[:, keep] if k == "full" else v
                           for v, k in zip(self.values, self.inp.kinds, strict=True)]

    def _take_state(self, state: tuple) -> tuple:
        keep = self._keep
        return tuple(s[keep] if isinstance(s, np.ndarray) and s.ndim == 1 else s for s in state)

    def _probe(self, t0: int, t1: int, state: tuple, rnd: list, H: np.ndarray) -> tuple[dict[int, ProbeEvent], np.ndarray]:
        """Re-run the chunk tolerantly (errors ignored, every assignment checked): first event per path."""
        n = H.shape[2]
        nn = t1 - t0
        fn = self.cm.chunk_function(mode="vector", timevarying=self.inp.timevarying, record=self.record, probe=True)
        log = fn.__globals__["_probe"]
        log.reset(n, self.ids)
        st = tuple(np.broadcast_to(np.asarray(s, dtype=float), (n,)).copy() for s in state)
        if self.scalar:
            values = [np.float64(v) if not isinstance(v, np.ndarray) else v for v in self.inp.values]
            rnd = [np.asarray(a, dtype=float).reshape(nn, 1) for a in rnd]
        else:
            values = [np.float64(v) if not isinstance(v, np.ndarray) else v for v in self.values]
        rows = np.full((nn, len(self.record), n), np.nan)
        with np.errstate(all="ignore"):
            try:
                fn(t0, t1, st, values, rnd, rows, n, self.ids, self.inp.pad)
            except PeriodFailure as exc:  # a Python-level error the tolerant run could not absorb
                log.everyone(exc.t, f"{type(exc.exc).__name__}: {exc.exc}")
        return log.first(), rows

    def _unexplained(self, exc: _ChunkFailed) -> SimulationError:
        m = self.cm.model
        if isinstance(exc.cause, ConvergenceError):
            return exc.cause
        if isinstance(exc.cause, np.linalg.LinAlgError):
            return ConvergenceError(f"model {m.name}: singular Jacobian in a simultaneous block at period {exc.t}")
        if exc.cause is not None:
            return SimulationError(f"model {m.name}: numerical error at period {exc.t}: {exc.cause}")
        return SimulationError(f"model {m.name}: a variable became NaN or infinite at period {exc.t} or later")

    def _describe(self, e: ProbeEvent, path: int, singular: bool) -> tuple[FailureKind, int | None, str | None, str]:
        m, cm = self.cm.model, self.cm
        if e.kind == "convergence":
            b = cm.blocks[e.block]
            detail = ", ".join(f"{v}: {r:.3g}" for v, r in zip(b.tears, e.residuals, strict=True))
            return (FailureKind.CONVERGENCE, e.block, b.tears[0],
                    f"model {m.name}: block {e.block} ({', '.join(b.variables)}) did not converge at period {e.t} "
                    f"(worst path {path}; residuals {detail}; solver {cm.solver.name})")
        name = list(m.equations)[e.equation]
        eq = m.equations[name]
        block = next((b.index for b in cm.blocks if b.cyclic and name in b.variables), None)
        if singular and block is not None:
            return (FailureKind.SINGULAR, block, name,
                    f"model {m.name}: singular Jacobian in block {block} ({', '.join(cm.blocks[block].variables)}) "
                    f"at period {e.t} on path {path}")
        return (FailureKind.NON_FINITE, block, name,
                f"model {m.name}: {name} is {e.value} at period {e.t} on path {path} ({eq.source.where()}: {name} = {eq.text}): "
                f"a division by zero, log/sqrt of a non-positive number or an overflow")

    def _error(self, e: ProbeEvent, singular: bool) -> SimulationError:
        kind, _, _, msg = self._describe(e, e.path, singular)
        return (ConvergenceError if kind in (FailureKind.CONVERGENCE, FailureKind.SINGULAR) else SimulationError)(msg)

    def _failure(self, e: ProbeEvent, singular: bool) -> PathFailure:
        kind, block, var, msg = self._describe(e, e.path, singular)
        return PathFailure(path=e.path, period=e.t, kind=kind, block=block, variable=var, message=msg)

    # ------------------------------------------------------------------ output
    def output(self, rec) -> PathsOutput:
        """The :class:`PathsOutput` of the range (failed paths dropped under ``exclude``)."""
        exclude = self.spec.on_failure is FailurePolicy.EXCLUDE and bool(self.failed_pos)
        keep = np.setdiff1d(np.arange(self.n), self.failed_pos) if exclude else None
        ids = np.arange(self.path_ids.start, self.path_ids.stop, dtype=np.int64)
        unc = np.column_stack([self.unc[k] for k in self.unc]) if self.unc else np.empty((self.n, 0))
        if keep is not None:
            ids, unc = ids[keep], unc[keep]
        return PathsOutput(
            data=rec.data(keep), names=tuple(self.names),
            path_ids=ids if self.spec.quantiles is None else np.empty(0, dtype=np.int64),
            uncertain=unc, uncertain_names=tuple(self.unc), failures=tuple(self.failures),
        )


def run_paths(spec: RunSpec, path_ids: range, *, progress: Any = None) -> PathsOutput:
    """Simulate the global paths ``path_ids`` of a resolved run; the backend entry point.

    Args:
        spec: the run (:func:`~bubblemachine.sfc.spec.resolve_run`).
        path_ids: contiguous global path indices, e.g. ``range(250, 500)``.
        progress: optional callable ``progress(done_periods)`` called after each chunk.

    Returns:
        A :class:`~bubblemachine.sfc.records.PathsOutput`: ``data`` float64
        ``[paths, periods + 1, names]`` (or ``[quantiles, periods + 1, names]``), the path ids,
        the uncertain draws and the failed paths.
    """
    if not isinstance(path_ids, range) or path_ids.step != 1 or path_ids.start < 0 or len(path_ids) == 0:
        raise RunOptionError(f"path_ids must be a non-empty contiguous range of non-negative ints, got {path_ids!r}")
    loop = PeriodLoop(spec, path_ids)
    fast = kernel_runner(loop, rng_chunk=RNG_CHUNK, path_block=PATH_BLOCK)  # the compiled kernel, when there is one
    if fast is not None:
        return fast.run(progress)
    rec = loop.recorder()
    loop.run(rec, progress)
    return loop.output(rec)
