"""Verdicts over time: every claim re-run as of successive dates, in parallel.

``claims_history(every="year")`` runs :func:`~bubblemachine.claims.run.run_claims` as of the
last day of each year (or quarter) from ``start``, and finally on all data, each time with
only the data KNOWN on that date (the store's point-in-time rule), and returns every claim's
effect, interval, verdict and Holm p-value at every date. Dates run as separate tasks
through the engine's backends (:mod:`bubblemachine.sfc.backends`): ``serial`` in this
process, ``process`` on a pool of worker processes, ``ray`` on Ray; the numbers do not
depend on the backend (every task re-derives the same seeds).

:meth:`ClaimsHistory.timeline` condenses a claim's row into what people read: the verdict
now, the first date of its current run ("supported since 2021"), and the last flip between
supported and contradicted ("flipped in 2024").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from bubblemachine.claims.registry import SEED, ClaimError, Verdict, get
from bubblemachine.progress import ProgressLike, resolve_progress

if TYPE_CHECKING:  # pragma: no cover
    from bubblemachine.data import Store
    from bubblemachine.sfc.backends import Backend

Every = Literal["year", "quarter"]
EVERY: tuple[str, ...] = ("year", "quarter")
DEFAULT_START = "2005-12-31"
"""First as-of date of a history by default (most open claims start 2009-2017)."""


@dataclass(frozen=True)
class HistoryPoint:
    """One claim as known on one date.

    Attributes:
        asof: the knowledge date (YYYY-MM-DD); the last point is all data (its data end).
        label: ``2021`` (yearly) or ``2021Q3`` (quarterly); the last point: the data end.
        verdict: the verdict then. effect, ci_low, ci_high, n, sample_end: the evidence
            (None/0 when the test could not run). p_value, p_holm: raw and Holm (across the
            claims run on that date).
    """

    asof: str
    label: str
    verdict: Verdict
    effect: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    sample_end: str | None
    p_value: float | None
    p_holm: float | None

    def to_json(self, claim_id: str) -> dict[str, Any]:
        def f(v: float | None) -> float | None:
            return None if v is None or not math.isfinite(v) else float(f"{v:.6g}")

        return {"id": claim_id, "asof": self.asof, "label": self.label, "verdict": self.verdict.value,
                "verdict_class": self.verdict.css, "effect": f(self.effect), "ci_low": f(self.ci_low),
                "ci_high": f(self.ci_high), "n": self.n, "sample_end": self.sample_end,
                "p_value": f(self.p_value), "p_holm": f(self.p_holm)}  # fmt: skip


@dataclass(frozen=True)
class Timeline:
    """A claim's history in a few words.

    Attributes:
        now: the latest verdict. since: label of the first date of the latest unchanged run
            (None when the claim was never testable). flipped: label of the latest change
            between supported and contradicted (None if none). first_testable: label of the
            first date with a result. strip: one symbol per date (``+`` supported, ``x``
            contradicted, ``?`` inconclusive, ``.`` no result).
    """

    now: Verdict
    since: str | None
    flipped: str | None
    first_testable: str | None
    strip: str

    def sentence(self) -> str:
        """``supported since 2021`` / ``contradicted since 2024 (flipped in 2024)`` / ``not testable``."""
        if self.since is None:
            return self.now.value
        out = f"{self.now.value} since {self.since}"
        if self.flipped is not None:
            out += f" (last flip {self.flipped})"
        return out

    def sentence_ko(self) -> str:
        from bubblemachine.claims.i18n import VERDICT_KO

        if self.since is None:
            return VERDICT_KO[self.now]
        out = f"{self.since}부터 {VERDICT_KO[self.now]}"
        if self.flipped is not None:
            out += f"(마지막 반전 {self.flipped})"
        return out


RESULT = (Verdict.SUPPORTED, Verdict.CONTRADICTED, Verdict.INCONCLUSIVE)


def timeline(points: tuple[HistoryPoint, ...]) -> Timeline:
    """Condense a claim's points (date order) into a :class:`Timeline`."""
    verdicts = [p.verdict for p in points]
    strip = "".join(v.symbol for v in verdicts)
    now = verdicts[-1]
    testable = [i for i, v in enumerate(verdicts) if v in RESULT]
    if not testable:
        return Timeline(now, None, None, None, strip)
    i = len(verdicts) - 1
    while i > 0 and verdicts[i - 1] == now:
        i -= 1
    flipped = None
    decided = [(k, v) for k, v in enumerate(verdicts) if v in (Verdict.SUPPORTED, Verdict.CONTRADICTED)]
    for (_, a), (k, b) in zip(decided, decided[1:], strict=False):
        if a != b:
            flipped = points[k].label
    return Timeline(now, points[i].label, flipped, points[testable[0]].label, strip)


@dataclass(frozen=True)
class ClaimsHistory:
    """Every claim's results at successive as-of dates.

    Attributes:
        dates: the as-of dates (YYYY-MM-DD; the last is the data end, run on all data).
        labels: one label per date (``2021`` or ``2021Q3``; the last: the data end).
        every: ``year`` or ``quarter``. ids: claims, registry order.
        points: claim id -> one :class:`HistoryPoint` per date.
        seed: the root seed. backend, workers: how it ran.
    """

    dates: tuple[str, ...]
    labels: tuple[str, ...]
    every: str
    ids: tuple[str, ...]
    points: dict[str, tuple[HistoryPoint, ...]]
    seed: int
    backend: str
    workers: int

    def timeline(self, claim_id: str) -> Timeline:
        return timeline(self.points[claim_id])

    def to_json(self) -> list[dict[str, Any]]:
        """One row per (claim, date), claims in registry order, dates ascending."""
        return [p.to_json(cid) for cid in self.ids for p in self.points[cid]]


# ----------------------------------------------------------------------------- dates
def history_dates(every: str, start: str | date, end) -> list:
    """Period ends from ``start`` (rounded to its period's end) to before ``end``'s period."""
    import pandas as pd

    if every not in EVERY:
        raise ClaimError(f"--every: {every!r} is not one of {', '.join(EVERY)}")
    freq = "Y" if every == "year" else "Q"
    first = pd.Timestamp(start).to_period(freq)
    last = pd.Timestamp(end).to_period(freq) - 1
    return [p.to_timestamp(how="end").normalize() for p in pd.period_range(first, last, freq=freq)] if last >= first else []


def _label(ts, every: str) -> str:
    return f"{ts.year}" if every == "year" else f"{ts.year}Q{ts.quarter}"


# ----------------------------------------------------------------------------- the task
class _Job:
    """What a worker needs: where the store is, which claims, the seed (pickled once per worker;
    the opened store stays cached in the worker between dates)."""

    def __init__(self, store: Store, ids: tuple[str, ...], seed: int) -> None:
        self.home, self.snapshot = str(store.home), bool(store.use_snapshot)
        self.point_in_time = bool(getattr(store, "point_in_time", True))
        self.ids, self.seed = ids, seed
        self._store: Store | None = store

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_store"} | {"_store": None}

    def store(self) -> Store:
        if self._store is None:
            from bubblemachine.data import Store

            self._store = Store(self.home, snapshot=self.snapshot, point_in_time=self.point_in_time)
        return self._store


def run_date(job: _Job, task: tuple[str | None, str]) -> list[tuple[str, HistoryPoint]]:
    """One as-of date: every claim of the job (module-level, so process workers can run it)."""
    from bubblemachine.claims.run import run_claims

    asof, label = task
    run = run_claims(job.store(), ids=list(job.ids), asof=asof, seed=job.seed, progress=False)
    shown = asof or _data_end(run)
    out = []
    for r in run.results:
        e = r.evidence
        out.append((r.claim.id, HistoryPoint(shown, label or shown, r.verdict, e.effect if e else None, e.ci_low if e else None,
                                             e.ci_high if e else None, e.n if e else 0, (e.sample_end or None) if e else None,
                                             e.p_value if e else None, r.p_holm)))  # fmt: skip
    return out


def _data_end(run) -> str:
    ends = [r.data_end for r in run.results if r.data_end]
    return max(ends) if ends else "latest"


def claims_history(
    store: Store | None = None,
    *,
    every: str = "year",
    start: str | date = DEFAULT_START,
    asof: str | date | None = None,
    ids: list[str] | None = None,
    seed: int | None = None,
    backend: str | Backend | None = None,
    workers: int | None = None,
    progress: ProgressLike = True,
) -> ClaimsHistory:
    """Re-run every claim as of successive dates (point in time) and collect the results.

    Args:
        store: the data store (default ``open_store()``).
        every: ``"year"`` (31 December of each year) or ``"quarter"`` (each quarter's end).
        start: the first as-of date is the end of this date's year/quarter.
        asof: the last date (default: all data); earlier dates are period ends before it.
        ids: claims to run (default: all).
        seed: the root seed (default ``registry.SEED``).
        backend: ``"serial"``, ``"process"``, ``"ray"`` or a backend object; default:
            ``"process"`` when more than one core is usable, else ``"serial"``.
        workers: processes / Ray CPUs (default: usable cores).
        progress: True for the default bar, False for none, or a progress factory.

    Returns:
        A :class:`ClaimsHistory`; its last date is all data (what ``claims`` shows).
    """
    import pandas as pd

    from bubblemachine.data import parse_asof
    from bubblemachine.sfc.backends import default_workers, gather, open_backend

    if store is None:
        from bubblemachine.data import open_store

        store = open_store()
    if every not in EVERY:
        raise ClaimError(f"--every: {every!r} is not one of {', '.join(EVERY)}")
    claims = get(ids)
    root = SEED if seed is None else int(seed)
    used = sorted({s for c in claims for s in c.series if store.has(s)}) or None
    first = parse_asof(start, store=store, series=used, option="--start")
    last = parse_asof(asof, store=store, series=used)
    if last is None:
        used = {s for c in claims for s in c.series}
        ends = [m.last for m in store.metas() if m.id in used and m.last]
        end = pd.Timestamp(max(ends)) if ends else first
    else:
        end = last
    dates = history_dates(every, first, end)
    final = (f"{last:%Y-%m-%d}", f"{last:%Y-%m-%d}") if last is not None else (None, "")
    tasks: list[tuple[str | None, str]] = [(f"{d:%Y-%m-%d}", _label(d, every)) for d in dates] + [final]
    n = len(tasks)
    if backend is None:
        backend = "process" if (workers or default_workers()) > 1 and n > 2 else "serial"
    job = _Job(store, tuple(c.id for c in claims), root)
    order = sorted(range(n), key=lambda i: -i)  # latest (largest) dates first: better packing
    with open_backend(backend, workers=workers) as be, resolve_progress(progress)("claims history", total=n) as bar:
        done = 0

        def tick(k: int) -> None:
            nonlocal done
            done += k
            bar.update(done)

        parts = gather(be.map(run_date, [tasks[i] for i in order], shared=job, progress=tick), n)
        used_backend, used_workers = be.name, int(getattr(be, "workers", 1))
    by_task = {order[j]: part for j, part in enumerate(parts)}
    points: dict[str, list[HistoryPoint]] = {c.id: [] for c in claims}
    for i in range(n):
        for cid, pt in by_task[i]:
            points[cid].append(pt)
    shown = tuple(points[claims[0].id][i].asof for i in range(n)) if claims else ()
    labels = tuple(points[claims[0].id][i].label for i in range(n)) if claims else ()
    return ClaimsHistory(shown, labels, every, tuple(c.id for c in claims), {k: tuple(v) for k, v in points.items()},
                         root, used_backend, used_workers)  # fmt: skip


# ----------------------------------------------------------------------------- cache
CACHE_VERSION = 1
"""Bump when the cached payload changes shape."""
SHIPPED_DIR = Path(__file__).with_name("shipped")
"""The report's history of the embedded snapshot, shipped with the package (same keys)."""


def code_digest() -> str:
    """Digest of the claims package's source (every ``claims/*.py``) and the package version."""
    import hashlib

    import bubblemachine

    h = hashlib.sha256(f"{getattr(bubblemachine, '__version__', '')}".encode())
    for f in sorted(Path(__file__).parent.glob("*.py")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def cache_key(store: Store, *, every: str, start: str, asof: str | None, ids: tuple[str, ...], seed: int) -> str:
    """Digest of what a history depends on: the claims' code (:func:`code_digest`), the data of
    every series the claims read (manifest checksums), and the options. The indicators and
    the store's code are not in it: a test recomputes the shipped history and compares."""
    import hashlib

    h = hashlib.sha256(f"v{CACHE_VERSION}|{every}|{start}|{asof}|{seed}|{','.join(ids)}|{code_digest()}".encode())
    used = sorted({s for c in get(list(ids)) for s in c.series})
    for sid in used:
        if store.has(sid):
            h.update(f"{sid}={store.meta(sid).checksum}".encode())
    return h.hexdigest()[:32]


def dump(hist: ClaimsHistory) -> str:
    """The history as compact JSON (floats round-trip exactly)."""
    import json

    rows = [[cid, p.asof, p.label, p.verdict.value, p.effect, p.ci_low, p.ci_high, p.n, p.sample_end, p.p_value, p.p_holm]
            for cid in hist.ids for p in hist.points[cid]]  # fmt: skip
    return json.dumps({"version": CACHE_VERSION, "dates": hist.dates, "labels": hist.labels, "every": hist.every, "ids": hist.ids,
                       "seed": hist.seed, "backend": hist.backend, "workers": hist.workers, "rows": rows}, allow_nan=True,
                      separators=(",", ":"))  # fmt: skip


def load(text: str) -> ClaimsHistory:
    """Read :func:`dump`'s JSON back (ValueError if it is not one)."""
    import json

    d = json.loads(text)
    if d.get("version") != CACHE_VERSION:
        raise ValueError("cache version")
    points: dict[str, list[HistoryPoint]] = {cid: [] for cid in d["ids"]}
    for cid, asof, label, verdict, e, lo, hi, n, end, p, ph in d["rows"]:
        points[cid].append(HistoryPoint(asof, label, Verdict(verdict), e, lo, hi, n, end, p, ph))
    return ClaimsHistory(tuple(d["dates"]), tuple(d["labels"]), d["every"], tuple(d["ids"]), {k: tuple(v) for k, v in points.items()},
                         int(d["seed"]), d["backend"], int(d["workers"]))  # fmt: skip


def cached_history(store: Store, *, every: str = "year", start: str = DEFAULT_START, asof: str | None = None,
                   ids: list[str] | None = None, seed: int | None = None, progress: ProgressLike = False) -> ClaimsHistory:
    """:func:`claims_history`, read from ``<store home>/cache/claims/`` or from the history shipped
    for the embedded snapshot when the same code, data and options were run before; otherwise
    computed and cached (written atomically; a damaged file is recomputed)."""
    from bubblemachine._io import atomic_write_text

    chosen = tuple(c.id for c in get(ids))
    root = SEED if seed is None else int(seed)
    key = cache_key(store, every=every, start=str(start), asof=None if asof is None else str(asof), ids=chosen, seed=root)
    path = store.home / "cache" / "claims" / f"history-{key}.json"
    for candidate in (path, SHIPPED_DIR / f"history-{key}.json"):
        try:
            return load(candidate.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    hist = claims_history(store, every=every, start=start, asof=asof, ids=list(chosen), seed=root, progress=progress)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, dump(hist))
    except OSError:  # a read-only home: the report still renders, it just is not cached
        pass
    return hist


REPORT_OPTIONS = {"every": "year", "start": DEFAULT_START}
"""The history the report shows (and the package ships for the embedded snapshot)."""


def ship() -> Path:
    """Recompute the report's history of the embedded snapshot into :data:`SHIPPED_DIR`
    (stale files removed). Run ``python -m bubblemachine.claims.history`` after changing a claim."""
    import tempfile

    from bubblemachine._io import atomic_write_text
    from bubblemachine.data import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(tmp)  # the embedded snapshot only
        ids = tuple(c.id for c in get(None))
        key = cache_key(store, every=REPORT_OPTIONS["every"], start=REPORT_OPTIONS["start"], asof=None, ids=ids, seed=SEED)
        hist = claims_history(store, every=REPORT_OPTIONS["every"], start=REPORT_OPTIONS["start"], seed=SEED, progress=True)
    SHIPPED_DIR.mkdir(exist_ok=True)
    path = SHIPPED_DIR / f"history-{key}.json"
    atomic_write_text(path, dump(hist) + "\n")
    for old in SHIPPED_DIR.glob("history-*.json"):
        if old != path:
            old.unlink()
    return path


if __name__ == "__main__":  # pragma: no cover
    print(ship())
