"""Were the articles right? Every claim of the seeds tested on history.

Usage::

    from bubblemachine.claims import run_claims, claims_history
    run = run_claims(ids=["C2.1"], asof="2024-12-31")
    for r in run.results:
        print(r.claim.id, r.verdict, r.evidence.effect, r.claim.window.kind)
    hist = claims_history(every="year")          # each claim re-run as of successive dates

The registry (:mod:`.registry`) holds every claim with its declared window and thresholds;
the claim modules (:mod:`.liquidity`, :mod:`.rates`, :mod:`.systematic`, :mod:`.ai`,
:mod:`.macro`, :mod:`.untestable`) hold the tests; :mod:`.context` what a test may read;
:mod:`.stats` the statistics; :mod:`.run` and :mod:`.history` the runners; :mod:`.report`
the report section.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bubblemachine.claims.registry import (
    CLAIMS,
    SEED,
    VERDICTS,
    Claim,
    ClaimError,
    ClaimResult,
    Decision,
    Evidence,
    Reason,
    Thresholds,
    Verdict,
    Window,
)
from bubblemachine.claims.run import ClaimsRun, run_claims

if TYPE_CHECKING:  # pragma: no cover
    from bubblemachine.claims.history import ClaimsHistory

__all__ = [
    "CLAIMS", "SEED", "VERDICTS", "Claim", "ClaimError", "ClaimResult", "ClaimsHistory", "ClaimsRun", "Decision",
    "Evidence", "Reason", "Thresholds", "Verdict", "Window", "claims_history", "run_claims",
]  # fmt: skip


def claims_history(*args: Any, **kwargs: Any) -> ClaimsHistory:
    """Each claim re-run as of successive dates: see :func:`bubblemachine.claims.history.claims_history`."""
    from bubblemachine.claims.history import claims_history as run

    return run(*args, **kwargs)


def __getattr__(name: str) -> Any:
    if name == "ClaimsHistory":
        from bubblemachine.claims.history import ClaimsHistory

        return ClaimsHistory
    raise AttributeError(name)
