"""Running a range of paths through a compiled kernel, chunk by chunk, with the NumPy path as referee.

:func:`kernel_runner` decides whether a run uses the model's compiled kernel
(:mod:`bubblemachine.sfc.kernel_cache`); :class:`KernelLoop` then drives it. It reuses the
NumPy :class:`~bubblemachine.sfc.run.PeriodLoop` for everything but the period loop itself
(inputs, uncertain draws, the random stream, the steady state, the period-0 row, failures),
so the two paths cannot drift apart:

* per chunk of periods, the kernel solves, checks and records every running path (in
  threads over ranges of paths: the kernel releases the GIL);
* if the kernel reports anything unusual in a chunk (see :mod:`bubblemachine.sfc.kernel_source`),
  the chunk is solved again by ``PeriodLoop.solve_chunk`` from the same state: the NumPy
  path raises the error with its message or drops the failing paths (``on_failure=``), and
  the kernel carries on from its state with the paths that are left;
* only the saved names are recorded; the accounting checks run inside the kernel.

The random draws are the NumPy path's (:class:`~bubblemachine.sfc.run.RandomStream`, drawn
per block of 256 paths in threads, bit-identical), so a run's numbers do not depend on the
kernel (to 1e-12, tested).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from bubblemachine.sfc import kernel_cache as KC
from bubblemachine.sfc.kernel_cache import Kernel
from bubblemachine.sfc.records import PathsOutput

#: A run compiles a missing kernel (a few seconds, repaid within the run) only when paths x
#: periods x equations reaches this; a smaller run uses a kernel on disk, else the NumPy path;
#: a loaded kernel is always used.
LOAD_MIN_WORK = 20_000_000
#: Paths per thread below which one thread runs them all.
THREAD_MIN_PATHS = 256
#: paths x periods x equations below which a run is not worth starting threads for.
THREAD_MIN_WORK = 10_000_000
ENV_THREADS = "BUBBLEMACHINE_THREADS"
#: Largest chunk buffer of saved values (quantile runs): its periods per chunk shrink to fit.
BUFFER_BYTES = 64 * 2**20


def threads() -> int:
    """Threads a kernel run uses: ``BUBBLEMACHINE_THREADS``, else the CPUs this process may use
    (one in a worker process of the process backend)."""
    env = os.environ.get(ENV_THREADS)
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            from bubblemachine.errors import RunOptionError

            raise RunOptionError(f"{ENV_THREADS}={env!r}: expected a whole number of threads") from None
    import multiprocessing

    if multiprocessing.parent_process() is not None:
        return 1  # a worker of the process backend: the workers already share the CPUs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def kernel_runner(loop, *, rng_chunk: int, path_block: int) -> KernelLoop | None:
    """A :class:`KernelLoop` around the NumPy ``loop`` (a :class:`~bubblemachine.sfc.run.PeriodLoop`)
    if a compiled kernel is to be used for it, else None.

    ``rng_chunk``, ``path_block``: the random stream's chunk of periods and block of paths.
    """
    cm = loop.cm
    work = loop.n * loop.T * max(len(cm.model.equations), 1)
    kernel = KC.get_kernel(cm, big=work >= LOAD_MIN_WORK)
    if kernel is None:
        return None
    return KernelLoop(loop, kernel, rng_chunk=rng_chunk, path_block=path_block)


class _Recorder:
    """The saved names of the running paths, path-major (the kernel writes each path's
    periods and names contiguously): every path (``out[n, T+1, k]``, the result's own axis
    order) or quantiles over paths per chunk (``out[q, T+1, k]``)."""

    def __init__(self, T: int, ch: int, row0: np.ndarray, levels: tuple[float, ...] | None) -> None:
        k, n = row0.shape
        self.k, self.n, self.ch = k, n, ch
        self.qs = None if levels is None else np.asarray(levels, dtype=float)
        self._buf: np.ndarray | None = None
        self._row0: np.ndarray | None = None
        if self.qs is None:
            # row 0 is written last: the kernel's threads touch the fresh array first, each its
            # own paths, so the operating system's zeroing of its pages is shared between them
            self.out = np.empty((n, T + 1, k))
            self._row0 = row0
        else:
            self.out = np.empty((self.qs.size, T + 1, k))
            self.out[:, 0, :] = np.quantile(row0, self.qs, axis=1)

    @property
    def buf(self) -> np.ndarray:
        """The chunk buffer ``[running paths, ch, k]`` (made on first use)."""
        if self._buf is None:
            self._buf = np.empty((self.n, self.ch, self.k))
        return self._buf

    def target(self, t0: int, t1: int, pos: np.ndarray | None) -> tuple[np.ndarray, int]:
        """Where the kernel writes periods ``t0..t1-1`` (``[paths, periods, k]``, and the period of row 0)."""
        if self.qs is None and pos is None:
            return self.out, 0
        return self.buf, t0

    def after_kernel(self, t0: int, t1: int, pos: np.ndarray | None) -> None:
        nn = t1 - t0
        if self.qs is not None:
            self.out[:, t0:t1, :] = np.quantile(self.buf[:, :nn, :], self.qs, axis=0)
        elif pos is not None:
            self.out[pos, t0:t1, :] = self.buf[:, :nn, :]

    def commit(self, t0: int, t1: int, block: np.ndarray, pos: np.ndarray | None) -> None:
        """Periods ``t0..t1-1`` of the running paths from the NumPy path: ``block[t1 - t0, k, running]``."""
        if self.qs is not None:
            self.out[:, t0:t1, :] = np.quantile(block, self.qs, axis=2)
        elif pos is None:
            self.out[:, t0:t1, :] = block.transpose(2, 0, 1)
        else:
            self.out[pos, t0:t1, :] = block.transpose(2, 0, 1)

    def keep_failed(self, p: int, t0: int, tf: int, rows: np.ndarray) -> None:
        if self.qs is None:
            self.out[p, t0:tf, :] = rows
            self.out[p, tf:, :] = np.nan

    def drop(self, keep: np.ndarray) -> None:
        self.n = keep.size
        self._buf = None

    def data(self, keep: np.ndarray | None) -> np.ndarray:
        if self._row0 is not None:
            self.out[:, 0, :] = self._row0.T
            self._row0 = None
        if self.qs is not None or keep is None:
            return self.out
        return self.out[keep]


class _Bridge:
    """The NumPy path's recorder for a chunk the kernel hands back: a chunk buffer over the
    NumPy record (saved names and the checks' names) whose history rows come from the kernel."""

    def __init__(self, kl: KernelLoop) -> None:
        self.kl = kl
        self.H: np.ndarray | None = None

    def window(self, t0: int, t1: int, pos: np.ndarray | None) -> np.ndarray:
        kl = self.kl
        lp = kl.loop
        n = kl.S.shape[1]
        H = np.zeros((lp.L + t1 - t0, len(lp.record), n))
        if lp.L:
            H[:lp.L][:, kl.hist_rec, :] = kl.HI
        self.H = H
        return H

    def commit(self, t0: int, t1: int, H: np.ndarray, pos: np.ndarray | None) -> None:
        kl = self.kl
        L, nn = kl.loop.L, t1 - t0
        kl.rec.commit(t0, t1, H[L:L + nn][:, kl.loop.save_idx, :], pos)
        kl.state_from_numpy(H, nn)

    def keep_failed(self, p: int, t0: int, tf: int, rows: np.ndarray) -> None:
        self.kl.rec.keep_failed(p, t0, tf, rows[:, self.kl.loop.save_idx])

    def drop(self, keep: np.ndarray) -> None:
        self.kl.drop(keep)


class _ThreadedDraws:
    """The run's :class:`~bubblemachine.sfc.run.RandomStream`, drawn in threads: each block of
    paths has its own generator, so the numbers are those drawn one by one.

    Two ways to draw a chunk of periods:

    * **per block, just before the kernel runs it** (:meth:`block`; the usual case): a thread
      draws a block's chunk (``[rng_chunk, path_block]`` per random variable) and runs the
      kernel on the block's paths at once, while the draws are in its cache. No array of the
      whole chunk is made. The generators' states at the chunk's start are kept
      (:meth:`begin`), so a chunk handed back to the NumPy path is drawn again, identically
      (:meth:`rewind`);
    * **the whole chunk** (:meth:`chunk_arrays`: ``[rng_chunk, paths]`` per variable): when
      only some paths still run, or a chunk of the kernel is shorter than a chunk of draws
      (quantile runs). The arrays are reused from chunk to chunk (the kernel copies what it
      reads; the NumPy path, which keeps views, gets fresh ones from the stream itself).
    """

    def __init__(self, base, pool: ThreadPoolExecutor | None, rng_chunk: int, path_block: int) -> None:
        self.base, self.pool, self.rng_chunk, self.path_block = base, pool, rng_chunk, path_block

    def _span(self, i: int) -> tuple[int, int, int]:
        """Block ``i``'s columns ``lo:hi`` of its draws and the position of column ``lo`` in the range."""
        rs, pb = self.base, self.path_block
        ids, b = rs.path_ids, rs.blocks[i]
        lo = max(ids.start, b * pb) - b * pb
        hi = min(ids.stop, (b + 1) * pb) - b * pb
        return lo, hi, max(ids.start, b * pb) - ids.start

    def chunk_arrays(self, c: int) -> list[np.ndarray]:
        rs = self.base
        if not rs.dists:
            return rs.chunk_arrays(c)
        n = len(rs.path_ids)
        while rs.chunk < c:
            rs.chunk += 1
            if len(rs.cache) != len(rs.dists) or any(a.shape != (self.rng_chunk, n) for a in rs.cache):
                rs.cache = [np.empty((self.rng_chunk, n)) for _ in rs.dists]

            def draw(i: int) -> None:
                lo, hi, col = self._span(i)
                rng = rs.rngs[i]
                for j, d in enumerate(rs.dists):
                    rs.cache[j][:, col:col + hi - lo] = d.draw(rng, (self.rng_chunk, self.path_block))[:, lo:hi]

            if self.pool is None or len(rs.blocks) < 2:
                for i in range(len(rs.blocks)):
                    draw(i)
            else:
                list(self.pool.map(draw, range(len(rs.blocks))))
        return rs.cache

    # ------------------------------------------------------------------ per block
    def per_block(self, t0: int, t1: int, T: int) -> bool:
        """Can periods ``t0..t1-1`` be drawn block by block? (They are one whole chunk of
        draws, the next one the stream has to draw.)"""
        rs, c = self.base, (t0 - 1) // self.rng_chunk
        return (bool(rs.dists) and rs.chunk == c - 1 and t0 == 1 + c * self.rng_chunk
                and t1 == min(1 + (c + 1) * self.rng_chunk, T + 1))

    def begin(self) -> list[dict]:
        """The generators' states before a chunk is drawn block by block."""
        return [rng.bit_generator.state for rng in self.base.rngs]

    def block(self, i: int) -> tuple[int, int, int, tuple[np.ndarray, ...]]:
        """Draw block ``i``'s next chunk: its positions ``p0:p1`` in the range, the position of
        its draws' column 0 (``p - rp0`` is a path's column) and one array per variable."""
        rs = self.base
        lo, hi, col = self._span(i)
        rng = rs.rngs[i]
        R = tuple(np.ascontiguousarray(d.draw(rng, (self.rng_chunk, self.path_block)), dtype=float) for d in rs.dists)
        return col, col + hi - lo, col - lo, R

    def done(self, c: int) -> None:
        """Every block has drawn chunk ``c``."""
        self.base.chunk = c

    def rewind(self, states: list[dict], c: int) -> None:
        """Back to the states before chunk ``c`` (the NumPy path draws it again, the same numbers)."""
        rs = self.base
        for rng, st in zip(rs.rngs, states, strict=True):
            rng.bit_generator.state = st
        rs.chunk = c - 1


class KernelLoop:
    """The period loop of one range of paths on a compiled kernel (see the module docstring)."""

    def __init__(self, loop, kernel: Kernel, *, rng_chunk: int, path_block: int) -> None:
        self.loop, self.kernel = loop, kernel
        self.rng_chunk, self.path_block = rng_chunk, path_block
        ks = self.ks = kernel.source
        m = loop.cm.model
        n = loop.n
        self.check = loop.checks
        rec_pos = {name: j for j, name in enumerate(loop.record)}
        # state: the compiled model's lag slots, then lags only the checks need (their period-0 values)
        self.S = np.empty((len(ks.slots), n))
        for s, st in enumerate(loop.state):
            self.S[s] = st
        for s in range(ks.n_model_slots, len(ks.slots)):
            v = ks.slots[s][0]
            self.S[s] = loop.row0[rec_pos[v]] if v in rec_pos else m.initial.get(v, 0.0)
        # the checks' names at the last check_lag periods (history rows of the NumPy record)
        self.hist_rec = np.array([rec_pos[c] for c in ks.check_names], dtype=np.intp) if self.check else np.empty(0, np.intp)
        L = max(ks.check_lag, 1)
        self.HI = np.empty((L, max(len(ks.check_names), 1), n))
        if self.check and len(self.hist_rec):
            self.HI[:, :len(ks.check_names)] = loop.row0[self.hist_rec][None]
        # saved names -> the kernel's value index (endogenous, then inputs, then random draws)
        ne, ni = len(m.equations), len(m.inputs)
        eq, inp, rnd = ({v: i for i, v in enumerate(x)} for x in (m.equations, m.inputs, m.random))
        self.RIDX = np.array([eq[x] if x in eq else ne + inp[x] if x in inp else ne + ni + rnd[x] for x in loop.names], dtype=np.int64)
        self.values = loop.inp.values
        self._tables(self.values)
        save_row0 = loop.row0[loop.save_idx]
        loop.row0 = None  # [record, paths]: only the recorders made from it needed it (memory)
        self.ch = self._chunk_size(len(loop.names))
        self.rec = _Recorder(loop.T, self.ch, save_row0, loop.spec.quantiles)
        self.fallbacks = 0

    def _chunk_size(self, k: int) -> int:
        """Periods per kernel call: a chunk of random draws (or 256), fewer when a chunk buffer
        ``[paths, periods, saved]`` (quantiles) would pass :data:`BUFFER_BYTES`."""
        lp = self.loop
        ch = min(self.rng_chunk if lp.cm.model.random else 256, lp.T)
        if lp.spec.quantiles is not None:
            ch = max(1, min(ch, BUFFER_BYTES // max(1, lp.n * k * 8)))
        return ch

    # ------------------------------------------------------------------ inputs
    def _tables(self, values: list[Any]) -> None:
        kinds = self.loop.inp.kinds
        n = self.S.shape[1]
        ni = len(values)
        IC = np.zeros(max(ni, 1))
        IK = np.full(max(ni, 1), -1, dtype=np.int64)
        IT = np.zeros(max(ni, 1), dtype=np.int64)
        pp, tp, tf, tvi, tvr = [], [], [], [], []
        for j, (v, kind) in enumerate(zip(values, kinds, strict=True)):
            if kind == "const":
                IC[j] = v
            elif kind == "perpath":
                IK[j] = len(pp)
                pp.append(np.broadcast_to(np.asarray(v, dtype=float), (n,)))
            elif kind == "path":
                IT[j] = len(tp) + 1
                tvi.append(j)
                tvr.append(len(tp))
                tp.append(np.asarray(v, dtype=float))
            else:
                IT[j] = -(len(tf) + 1)
                tvi.append(j)
                tvr.append(-(len(tf) + 1))
                tf.append(np.broadcast_to(np.asarray(v, dtype=float), (np.shape(v)[0], n)))
        self.IC, self.IK, self.IT = IC, IK, IT
        self.PP = np.ascontiguousarray(np.stack(pp)) if pp else np.zeros((1, 1))
        self.TP = np.ascontiguousarray(np.stack(tp)) if tp else np.zeros((1, 1))
        self.TF = np.ascontiguousarray(np.stack(tf)) if tf else np.zeros((1, 1, 1))
        self.TVI = np.array(tvi, dtype=np.int64)
        self.TVR = np.array(tvr, dtype=np.int64)

    # ------------------------------------------------------------------ state exchange with the NumPy path
    def state_to_numpy(self) -> None:
        """The NumPy loop's state from the kernel's (before a chunk is handed back)."""
        lp = self.loop
        k = self.ks.n_model_slots
        if lp.scalar:
            lp.state = tuple(float(self.S[s, 0]) for s in range(k))
        else:
            lp.state = tuple(self.S[s].copy() for s in range(k))

    def state_from_numpy(self, H: np.ndarray, nn: int) -> None:
        """The kernel's state from the NumPy loop's after a handed-back chunk (``H``: its record)."""
        lp = self.loop
        n = H.shape[2]
        S = np.empty((len(self.ks.slots), n))
        for s, st in enumerate(lp.state):
            S[s] = st
        rec_pos = {name: j for j, name in enumerate(lp.record)}
        for s in range(self.ks.n_model_slots, len(self.ks.slots)):
            v, lag = self.ks.slots[s]
            S[s] = H[lp.L + nn - lag, rec_pos[v]] if (v in rec_pos and lp.L) else self.S[s]
        self.S = S
        if self.check and lp.L:
            self.HI = np.ascontiguousarray(H[nn:nn + lp.L][:, self.hist_rec, :])

    def drop(self, keep: np.ndarray) -> None:
        """Only the running paths at positions ``keep`` go on."""
        self.S = np.ascontiguousarray(self.S[:, keep])
        self.HI = np.ascontiguousarray(self.HI[:, :, keep])
        self.rec.drop(keep)
        kinds = self.loop.inp.kinds
        self.values = [v[keep] if k == "perpath" else v[:, keep] if k == "full" else v
                       for v, k in zip(self.values, kinds, strict=True)]
        self._tables(self.values)

    # ------------------------------------------------------------------ the loop
    def run(self, progress: Any = None) -> PathsOutput:
        lp = self.loop
        n = lp.n
        work = n * lp.T * max(len(lp.cm.model.equations), 1)
        nthreads = min(threads(), max(1, n // THREAD_MIN_PATHS)) if work >= THREAD_MIN_WORK else 1
        pool = ThreadPoolExecutor(nthreads, thread_name_prefix="bubblemachine-kernel") if nthreads > 1 else None
        try:
            draws = _ThreadedDraws(lp.rs, pool, self.rng_chunk, self.path_block)
            t0 = 1
            while t0 <= lp.T:
                t1 = self.chunk_end(t0)
                if not self._kernel_chunk(t0, t1, pool, draws):
                    if not self._numpy_chunks(t0, t1):
                        break
                t0 = t1
                if progress is not None:
                    progress(t1 - 1)
        finally:
            if pool is not None:
                pool.shutdown(wait=True)
        return lp.output(self.rec)

    def chunk_end(self, t0: int) -> int:
        """The end (exclusive) of the kernel's chunk from ``t0``: ``ch`` periods at most, never
        crossing a chunk of random draws."""
        t1 = min(t0 + self.ch, self.loop.T + 1)
        if self.loop.cm.model.random:
            t1 = min(t1, ((t0 - 1) // self.rng_chunk + 1) * self.rng_chunk + 1)
        return t1

    def _numpy_chunks(self, t0: int, t1: int) -> bool:
        """Hand periods ``t0..t1-1`` to the NumPy path (in its own, memory-budgeted chunks);
        False when no path is left running."""
        lp = self.loop
        self.fallbacks += 1
        self.state_to_numpy()
        bridge = _Bridge(self)  # made per hand-back: a bridge kept on self would make a cycle holding the result
        t = t0
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            while t < t1:
                te = min(lp.chunk_end(t), t1)
                if not lp.solve_chunk(t, te, bridge):
                    return False
                t = te
        return True

    def _kernel_chunk(self, t0: int, t1: int, pool: ThreadPoolExecutor | None, draws: _ThreadedDraws) -> bool:
        """Run periods ``t0..t1-1`` on the kernel; False (state and draws untouched) if it reported anything."""
        lp = self.loop
        c = (t0 - 1) // self.rng_chunk
        pos = lp.pos
        REC, rtbase = self.rec.target(t0, t1, pos)
        S0, HI0 = self.S.copy(), self.HI.copy()
        n = self.S.shape[1]
        fn = self.kernel.fn
        pad = lp.inp.pad
        rbase = 1 + c * self.rng_chunk

        def call(p0: int, p1: int, R: tuple[np.ndarray, ...], rbase: int, rp0: int) -> int:
            st = np.zeros(3, dtype=np.int64)
            fn(t0, t1, p0, p1, self.S, self.HI, self.IC, self.IK, self.PP, self.TVI, self.TVR, self.IT,
               self.TP, self.TF, pad, R, rbase, rp0, REC, rtbase, self.RIDX, self.check, st)
            return int(st[0])

        states = None
        if pos is None and draws.per_block(t0, t1, lp.T):
            # each block of paths: draw its chunk, run the kernel on it at once (same thread)
            states = draws.begin()

            def block(i: int) -> int:
                p0, p1, rp0, R = draws.block(i)
                return call(p0, p1, R, rbase, rp0)

            nb = len(lp.rs.blocks)
            status = [block(i) for i in range(nb)] if pool is None or nb < 2 else list(pool.map(block, range(nb)))
            draws.done(c)
        else:
            if lp.cm.model.random:
                R = tuple(a if pos is None else np.ascontiguousarray(a[:, pos]) for a in draws.chunk_arrays(c))
            else:
                R, rbase = (np.zeros((1, 1)),), 0
            if pool is None or n < 2 * THREAD_MIN_PATHS:
                status = [call(0, n, R, rbase, 0)]
            else:
                k = pool._max_workers  # noqa: SLF001 - the executor's own size
                cuts = np.linspace(0, n, k + 1).astype(int)
                status = list(pool.map(lambda i: call(int(cuts[i]), int(cuts[i + 1]), R, rbase, 0), range(k)))
        if any(status):
            self.S, self.HI = S0, HI0
            if states is not None:
                draws.rewind(states, c)
            return False
        self.rec.after_kernel(t0, t1, pos)
        return True
