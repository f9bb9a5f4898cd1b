"""Running the claim tests: one as-of date (:func:`run_claims`), verdicts, multiple testing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from bubblemachine.claims.registry import (
    SEED,
    Decision,
    NotTestableYet,
    Reason,
    Verdict,
    claim_seed,
    get,
)
from bubblemachine.progress import ProgressLike, resolve_progress

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from bubblemachine.claims.registry import Claim, ClaimResult
    from bubblemachine.data import Store


@dataclass(frozen=True)
class ClaimsRun:
    """The results of one run of the claim tests.

    Attributes:
        results: one :class:`~bubblemachine.claims.registry.ClaimResult` per claim, registry order.
        asof: the knowledge date used (None: all data).
        n_tests: tests with a p-value (the multiple-testing family).
        seed: the root seed every claim's random stream derives from.
    """

    results: tuple[ClaimResult, ...]
    asof: pd.Timestamp | None
    n_tests: int
    seed: int

    def counts(self) -> dict[str, int]:
        """Verdict -> number of claims (every verdict, zeros included)."""
        out = {v.value: 0 for v in Verdict}
        for r in self.results:
            out[r.verdict.value] += 1
        return out

    def significance(self) -> dict[str, int]:
        """Tests significant at 5%: ``tests``, ``raw``, ``holm``, ``bh`` (plain ints)."""
        fam = [r for r in self.results if r.p_holm is not None]
        return {
            "tests": int(self.n_tests),
            "raw": int(sum(r.evidence.p_value < 0.05 for r in fam)),
            "holm": int(sum(r.p_holm < 0.05 for r in fam)),
            "bh": int(sum(r.p_bh is not None and r.p_bh < 0.05 for r in fam)),
        }

    def by_id(self) -> dict[str, ClaimResult]:
        return {r.claim.id: r for r in self.results}

    def to_json(self) -> list[dict[str, Any]]:
        return [r.to_json() for r in self.results]


def run_one(claim: Claim, store: Store, asof: pd.Timestamp | None, root_seed: int) -> ClaimResult:
    """Run one claim's test as known at ``asof`` (no multiple-testing adjustment)."""
    import pandas as pd

    from bubblemachine.claims.context import ClaimContext
    from bubblemachine.claims.registry import ClaimResult

    th = claim.thresholds
    if th.rule == "not_testable":
        return ClaimResult(claim, None, Decision(Verdict.NOT_TESTABLE, Reason.NOT_TESTABLE))
    w = claim.window
    ctx = ClaimContext(store, asof, claim_seed(root_seed, claim.id), w, claim.id)
    try:
        ev = claim.test(ctx)
    except NotTestableYet as exc:
        return ClaimResult(claim, None, Decision(Verdict.NOT_YET, Reason.NOT_YET), error=str(exc))
    except (ValueError, KeyError, IndexError, ZeroDivisionError) as exc:
        # too little data; when the data known at this date end before the declared window
        # starts, the claim is not testable *yet* (decided by the data, not by the date)
        reached = ctx.data_end()
        if reached is None or reached < pd.Timestamp(w.start):
            return ClaimResult(claim, None, Decision(Verdict.NOT_YET, Reason.NOT_YET),
                               error=f"the declared window starts {w.start}; the data known at this date end "
                                     f"{'before any observation' if reached is None else f'{reached:%Y-%m-%d}'}")  # fmt: skip
        return ClaimResult(claim, None, Decision(Verdict.NOT_TESTABLE, Reason.NO_DATA), error=f"{type(exc).__name__}: {exc}")
    end = ctx.data_end()
    return ClaimResult(claim, ev, th.decide(ev.effect, ev.ci_low, ev.ci_high), complete=ctx.complete(),
                       data_end=f"{end:%Y-%m-%d}" if end is not None else None)  # fmt: skip


def adjust(raw: list[ClaimResult]) -> tuple[tuple[ClaimResult, ...], int]:
    """Holm and Benjamini-Hochberg p-values across the results that carry a p-value."""
    from dataclasses import replace

    from bubblemachine.claims.stats import adjust_pvalues

    pvals = [r.evidence.p_value if r.evidence is not None and r.claim.thresholds.rule != "figure" else None for r in raw]
    holm = adjust_pvalues(pvals, method="holm")
    bh = adjust_pvalues(pvals, method="fdr_bh")
    out = tuple(replace(r, p_holm=h, p_bh=b) for r, h, b in zip(raw, holm, bh, strict=True))
    return out, sum(p is not None for p in pvals)


def run_claims(
    store: Store | None = None,
    *,
    ids: list[str] | None = None,
    asof: str | date | None = None,
    seed: int | None = None,
    progress: ProgressLike = True,
) -> ClaimsRun:
    """Run claim tests on the store and return verdicts with adjusted p-values.

    Args:
        store: the data store (default ``open_store()``).
        ids: claim ids to run (default: all); an unknown id raises
            :class:`~bubblemachine.claims.registry.ClaimError` listing the valid ids.
        asof: use only data known on this date (YYYY-MM-DD): each series' release rule
            decides what was known; None uses everything in the store.
        seed: the one root seed (default ``registry.SEED``); each claim's random stream is
            ``SeedSequence([seed, crc32(id)])``. Effects do not depend on it, intervals do.
        progress: True for the default bar, False for none, or a progress factory
            (:mod:`bubblemachine.progress`).

    Returns:
        A :class:`ClaimsRun`. Holm and Benjamini-Hochberg p-values are computed across the
        claims run that have a p-value.
    """
    from bubblemachine.data import parse_asof

    if store is None:
        from bubblemachine.data import open_store

        store = open_store()
    claims = get(ids)
    used = sorted({s for c in claims for s in c.series if store.has(s)})
    ts = parse_asof(asof, store=store, series=used or None)
    root = SEED if seed is None else int(seed)
    raw: list[ClaimResult] = []
    with resolve_progress(progress)("testing claims", total=len(claims)) as bar:
        for k, c in enumerate(claims, start=1):
            raw.append(run_one(c, store, ts, root))
            bar.update(k)
    results, n_tests = adjust(raw)
    return ClaimsRun(results, ts, n_tests, root)
