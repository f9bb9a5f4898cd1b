"""Running a compiled model: inputs, random draws, the chunked period loop, checks.

The low-level entry point for backends is :func:`run_paths`. Its contract (see
``docs/design/sfc-engine.md``):

* It runs the global paths ``path_ids`` (a contiguous ``range``) and returns plain arrays.
* Path ``p``'s random numbers depend only on ``(seed, p)``: paths are grouped in blocks of
  :data:`PATH_BLOCK`; block ``b = p // PATH_BLOCK`` draws its uncertain parameters from
  ``default_rng(SeedSequence(seed, spawn_key=(0, b)))`` and its per-period shocks from
  ``default_rng(SeedSequence(seed, spawn_key=(1, b)))``, in chunks of :data:`RNG_CHUNK` periods
  (each random variable, in declaration order, draws a ``[RNG_CHUNK, PATH_BLOCK]`` array).
  So running paths ``[i, j)`` in another process gives bit-identical numbers, and the same
  seed with more periods gives the same numbers for the common periods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bubblemachine.errors import ConvergenceError, ScenarioError, SimulationError
from bubblemachine.sfc.compiler import CompiledModel, _PeriodFailure
from bubblemachine.sfc.scenario import Scenario

PATH_BLOCK = 256
RNG_CHUNK = 64
REC_BUDGET_BYTES = 64 * 2**20
STEADY_MAX_PERIODS = 20_000
STEADY_TOL = 1e-11


@dataclass
class Inputs:
    """The value of every parameter / exogenous input for one run, in ``model.inputs`` order.

    Each value is a float (constant), an array ``[n]`` (per path), an array ``[PAD + T + 1]``
    (a path over periods, front-padded with the period-0 value) or ``[PAD + T + 1, n]``.
    """

    values: list[Any]
    timevarying: frozenset[str]
    pad: int
    uncertain: dict[str, np.ndarray]

    def at_period(self, names: list[str], t: int, n: int) -> dict[str, Any]:
        out = {}
        for name, v in zip(names, self.values, strict=True):
            if name in self.timevarying:
                out[name] = v[t + self.pad]
            else:
                out[name] = v
        return out


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
    return Inputs(values, frozenset(tv), pad, uncertain)


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
            except _PeriodFailure as exc:
                raise SimulationError(f"model {m.name}: the steady-state search failed at period {exc.t}: {exc.exc}") from None
            t += ch
            last, prev = rec[-1], rec[-2]
            if np.all(np.abs(last - prev) <= STEADY_TOL * (1.0 + np.abs(last))):
                out = {v: rec[-1, j].copy() for j, v in enumerate(names)}
                return out
    worst = names[int(np.argmax(np.max(np.abs(rec[-1] - rec[-2]) / (1 + np.abs(rec[-1])), axis=1)))]
    raise ScenarioError(
        f"model {m.name}: start = \"steady\" but the baseline did not settle within {STEADY_MAX_PERIODS} periods "
        f"(still moving: {worst}); a growing model has no steady state, use start = \"initial\""
    )


def run_paths(
    compiled: CompiledModel,
    scenario: Scenario | None = None,
    *,
    path_ids: range,
    seed: int,
    periods: int,
    set: dict[str, Any] | None = None,
    save: list[str] | None = None,
    quantiles: list[float] | None = None,
    check: bool = True,
    progress: Any = None,
) -> dict[str, Any]:
    """Simulate the global paths ``path_ids`` of a compiled model; the backend entry point.

    Args:
        compiled: a :class:`CompiledModel` (picklable).
        scenario: shocks, uncertain parameters and start mode (None: the baseline).
        path_ids: contiguous global path indices, e.g. ``range(250, 500)``.
        seed: the root seed (an int); draws depend only on ``(seed, path id)``.
        periods: number of solved periods N (periods 1..N; period 0 holds initial values).
        set: overrides of parameters / exogenous inputs (number, or list for a path).
        save: names to keep (default: every endogenous, exogenous and random variable).
        quantiles: if given, keep these quantiles over the paths instead of every path.
        check: evaluate hidden identities and matrices every period (AccountingError).
        progress: optional callable ``progress(done_periods)`` called after each chunk.

    Returns:
        dict with ``data`` (float64 ``[len(path_ids), periods + 1, len(names)]``, or
        ``[len(quantiles), periods + 1, len(names)]``), ``names``, ``path_ids``,
        ``uncertain`` (``[len(path_ids), len(uncertain_names)]``) and ``uncertain_names``.
    """
    cm = compiled
    m = cm.model
    if not isinstance(path_ids, range) or path_ids.step != 1 or path_ids.start < 0:
        raise SimulationError(f"path_ids must be a contiguous range of non-negative ints, got {path_ids!r}")
    n = len(path_ids)
    T = int(periods)
    if T < 1:
        raise SimulationError(f"periods must be >= 1, got {periods}")
    names = tuple(save) if save is not None else (*m.equations, *m.exogenous, *m.random)
    unc = draw_uncertain(scenario, seed, path_ids)
    inp = build_inputs(cm, scenario, periods=T, n=n, uncertain=unc, set=set)
    checks = check and (m.hidden or m.matrices)
    check_names = tuple(cm.check_names) if checks else ()
    record = tuple(dict.fromkeys([*names, *check_names]))
    save_idx = np.array([record.index(x) for x in names], dtype=np.intp)
    L = max(cm.check_lag, 0) if checks else 0

    # period 0
    endo0: dict[str, Any] = {v: m.initial[v] for v in m.equations}
    if scenario is not None and scenario.start == "steady":
        endo0 = steady_state(cm, inp, n, endo0)
    row0 = _period0_values(cm, inp, endo0, record, n)
    state = _initial_state(cm, endo0)

    scalar = n == 1
    mode = "scalar" if scalar else "vector"
    fn = cm.chunk_function(mode=mode, timevarying=inp.timevarying, record=record)
    ivals = _to_scalar(inp, m.inputs) if scalar else inp.values
    if scalar:
        state = tuple(float(np.reshape(s, -1)[0]) for s in state)
    chk = cm.check_function(record) if checks else None
    ch = min(_choose_chunk(len(record), n, L, bool(m.random)), T)
    # direct mode: the output array itself is the record buffer (no copy), when the names
    # recorded only for the checks are few; else a chunk buffer H and a copy of saved names
    direct = quantiles is None and len(record) <= 1.25 * len(names) + 4
    all_saved = bool(save_idx.size) and np.array_equal(save_idx, np.arange(save_idx.size))
    sel = slice(0, save_idx.size) if all_saved else save_idx
    if direct:
        full = np.empty((L + T + 1, len(record), n))  # period t at row L + t; rows < L repeat period 0
        full[:L + 1] = row0
        out = None
    else:
        H = np.empty((L + ch, len(record), n))
        H[:L] = row0
    if not direct and quantiles is None:
        out = np.empty((T + 1, len(names), n))  # period-major while running; a transposed view at the end
        out[0] = row0[save_idx]
    elif not direct:
        qs = np.asarray(quantiles, dtype=float)
        out = np.empty((qs.size, T + 1, len(names)))
        out[:, 0, :] = np.quantile(row0[save_idx], qs, axis=1)
    rs = RandomStream(m, seed, path_ids)
    t0 = 1
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        while t0 <= T:
            c, off = divmod(t0 - 1, RNG_CHUNK)
            t1 = min(t0 + ch, T + 1, (c + 1) * RNG_CHUNK + 1) if m.random else min(t0 + ch, T + 1)
            nn = t1 - t0
            rnd = [a[off:off + nn] for a in rs.chunk_arrays(c)]
            if scalar:
                rnd = [a[:, 0].tolist() for a in rnd]
            start_state = state
            if direct:
                H = full[t0:L + t1]  # history rows (periods t0-L .. t0-1) then the chunk
            try:
                if scalar:
                    lst: list[float] = []
                    state = fn(t0, t1, state, ivals, rnd, lst, 1, path_ids.start, inp.pad)
                    H[L:L + nn, :, 0] = np.fromiter(lst, float, nn * len(record)).reshape(nn, len(record))
                else:
                    state = fn(t0, t1, state, ivals, rnd, H[L:L + nn], n, path_ids.start, inp.pad)
            except _PeriodFailure as exc:
                _diagnose(cm, inp, t0, t1, start_state, rs, c, off, n, path_ids.start, record, exc)
            except np.linalg.LinAlgError:
                raise ConvergenceError(f"model {m.name}: a simultaneous block has a singular Jacobian (periods {t0}..{t1 - 1})") from None
            block = H[L:L + nn]
            if not np.isfinite(block).all():
                _diagnose(cm, inp, t0, t1, start_state, rs, c, off, n, path_ids.start, record, None)
            if chk is not None:
                # in slabs of ~16k values per array, so the temporaries stay in cache
                slab = max(1, 16384 // max(n, 1))
                for a in range(0, nn, slab):
                    b = min(a + slab, nn)
                    chk(H[a:L + b], L, b - a, t0 + a, path_ids.start)
            if not direct and quantiles is None:
                out[t0:t1] = block[:, sel, :]
            elif not direct:
                out[:, t0:t1, :] = np.quantile(block[:, sel, :], qs, axis=2)
            if L and not direct:
                H[:L] = H[nn:nn + L].copy()
            t0 = t1
            if progress is not None:
                progress(t1 - 1)
    return {
        "data": (full[L:, :len(names)] if direct else out).transpose(2, 0, 1) if quantiles is None else out,
        "names": list(names),
        "path_ids": path_ids,
        "uncertain": np.column_stack([unc[k] for k in unc]) if unc else np.empty((n, 0)),
        "uncertain_names": list(unc),
        "seed": seed,
    }


def _diagnose(cm, inp, t0, t1, state, rs, c, off, n, P0, record, exc) -> None:
    """Re-run a failed chunk checking every equation, and raise a precise SimulationError."""
    if exc is not None and isinstance(exc.exc, np.linalg.LinAlgError):
        raise ConvergenceError(f"model {cm.model.name}: singular Jacobian in a simultaneous block at period {exc.t}") from None
    fn = cm.chunk_function(mode="vector", timevarying=inp.timevarying, record=(), diagnose=True)
    rnd = [a[off:off + (t1 - t0)] for a in rs.chunk_arrays(c)]
    state = tuple(np.broadcast_to(np.asarray(s, dtype=float), (n,)).copy() for s in state)
    values = [np.float64(v) if not isinstance(v, np.ndarray) else v for v in inp.values]
    with np.errstate(all="ignore"):
        try:
            fn(t0, t1, state, values, rnd, None, n, P0, inp.pad)
        except _PeriodFailure:
            pass
    if exc is not None:
        raise SimulationError(f"model {cm.model.name}: numerical error at period {exc.t}: {exc.exc}") from None
    raise SimulationError(f"model {cm.model.name}: a variable became NaN or infinite between periods {t0} and {t1 - 1}")
