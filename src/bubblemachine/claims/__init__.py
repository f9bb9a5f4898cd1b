"""Were the articles right? Every claim of the seeds tested on history (issue 5).

Usage::

    from bubblemachine.claims import run_claims
    run = run_claims(ids=["C2.1"], asof="2024-12-31")
    for r in run.results:
        print(r.claim.id, r.verdict, r.evidence.effect)

The registry (:mod:`.registry`) holds every claim with its declared thresholds; the claim
modules (:mod:`.liquidity`, :mod:`.rates`, :mod:`.systematic`, :mod:`.ai`) hold the tests;
:mod:`.stats` the statistics; :mod:`.report` the report section.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from bubblemachine.claims.registry import (
    CLAIMS,
    VERDICTS,
    Claim,
    ClaimError,
    ClaimResult,
    Evidence,
    Thresholds,
)
from bubblemachine.progress import ProgressLike, resolve_progress

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from bubblemachine.data import Store

__all__ = ["CLAIMS", "VERDICTS", "Claim", "ClaimError", "ClaimResult", "ClaimsRun", "Evidence", "Thresholds", "run_claims"]


@dataclass(frozen=True)
class ClaimsRun:
    """The results of one run of the claim tests.

    Attributes:
        results: one :class:`ClaimResult` per claim, registry order.
        asof: the data cut-off used (None: all data).
        n_tests: tests with a p-value (the multiple-testing family).
        seed: the root bootstrap seed.
    """

    results: tuple[ClaimResult, ...]
    asof: pd.Timestamp | None
    n_tests: int
    seed: int

    def counts(self) -> dict[str, int]:
        """Verdict -> number of claims."""
        out = {v: 0 for v in VERDICTS}
        for r in self.results:
            out[r.verdict] = out.get(r.verdict, 0) + 1
        return out

    def to_json(self) -> list[dict[str, Any]]:
        return [r.to_json() for r in self.results]


def run_claims(
    store: Store | None = None,
    *,
    ids: list[str] | None = None,
    asof: str | date | None = None,
    seed: int | None = None,
    progress: ProgressLike = False,
) -> ClaimsRun:
    """Run claim tests on the store and return verdicts with adjusted p-values.

    Args:
        store: the data store (default ``open_store()``).
        ids: claim ids to run (default: all); an unknown id raises :class:`ClaimError`
            listing the valid ids.
        asof: use only data dated on or before this date (YYYY-MM-DD).
        seed: root seed of every bootstrap (default ``registry.SEED``); each claim spawns
            ``SeedSequence([seed, crc32(id)])``. Effects do not depend on it, intervals do.
        progress: True for the default bar, False for none, or a progress factory
            (:mod:`bubblemachine.progress`).

    Returns:
        A :class:`ClaimsRun`. Holm and Benjamini-Hochberg p-values are computed across the
        claims run that have a p-value.
    """
    from bubblemachine.claims import registry
    from bubblemachine.claims.stats import adjust_pvalues
    from bubblemachine.indicators import parse_asof

    if store is None:
        from bubblemachine.data import open_store

        store = open_store()
    ts = parse_asof(asof)
    claims = registry.get(ids)
    root = registry.SEED if seed is None else int(seed)
    token = registry.SEED_VAR.set(root)
    raw: list[ClaimResult] = []

    def one(c: Claim) -> ClaimResult:
        if c.thresholds.rule == "not_testable":
            ev = c.test(store, ts)
            return ClaimResult(c, ev, "not testable")
        try:
            ev = c.test(store, ts)
        except (ValueError, KeyError, IndexError, ZeroDivisionError) as exc:
            # the declared sample has no (or too little) data at this asof
            return ClaimResult(c, None, "not testable", error=f"{type(exc).__name__}: {exc}")
        return ClaimResult(c, ev, c.thresholds.verdict(ev.effect, ev.ci_low, ev.ci_high))

    try:
        with resolve_progress(progress)("testing claims", total=len(claims)) as bar:
            for k, c in enumerate(claims, start=1):
                raw.append(one(c))
                bar.update(k)
    finally:
        registry.SEED_VAR.reset(token)
    pvals = [r.evidence.p_value if r.evidence is not None and r.claim.thresholds.rule != "figure" else None for r in raw]
    holm = adjust_pvalues(pvals, method="holm")
    bh = adjust_pvalues(pvals, method="fdr_bh")
    results = tuple(
        ClaimResult(r.claim, r.evidence, r.verdict, h, b, r.error) for r, h, b in zip(raw, holm, bh, strict=False)
    )
    return ClaimsRun(results, ts, sum(p is not None for p in pvals), root)
