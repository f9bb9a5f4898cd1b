"""The Claims page: the scoreboard filtered by verdict and seed article, and each claim's chart.

Built from the report's claims section pieces (:mod:`bubblemachine.claims.report`: the
scoreboard table, the chart of each claim, the sentence of the rule that decided it), one claim
run per as-of date cached in the server.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from bubblemachine.web.whatif import WebError

SEEDS = ("000", "001", "002", "003", "004")


def claims_page(site: Any, *, asof: Any = None, verdict: str | None = None, seed: str | None = None) -> dict[str, Any]:
    """Template context: ``sections`` (scoreboard + one section per shown claim) and filters."""
    from bubblemachine.claims import VERDICTS, run_claims
    from bubblemachine.claims.i18n import decision_key, slug
    from bubblemachine.claims.report import chart_for, scoreboard
    from bubblemachine.report.sections import ReportContext, Section, Text

    if verdict is not None and verdict not in VERDICTS:
        raise WebError(f"verdict: {verdict[:40]!r} is not one of {', '.join(VERDICTS)}")
    if seed is not None and seed not in SEEDS:
        raise WebError(f"seed: {seed[:10]!r} is not one of {', '.join(SEEDS)}")
    key = ("claims", None if asof is None else f"{asof:%Y-%m-%d}")
    run = site.cached(key, lambda: run_claims(site.store, asof=asof))
    ctx = ReportContext(store=site.store, asof=asof, lang="en", catalog=site.catalog)
    shown = [r for r in run.results if (verdict is None or str(r.verdict) == verdict)
             and (seed is None or r.claim.seed == seed)]  # fmt: skip
    counts = {v: sum(1 for r in run.results if str(r.verdict) == v) for v in VERDICTS}
    board = scoreboard(SimpleNamespace(results=shown))
    sections = [Section("web-claims", "claims.section.title", "claims.section.intro", (board,))]
    for r in shown:
        s = slug(r.claim.id)
        blocks: list[Any] = [Text(f"claims.c.{s}.statement")]
        if r.evidence is not None and r.evidence.chart:
            blocks.append(chart_for(r.claim.id, r.evidence.chart, ctx))
        else:
            blocks.append(Text(f"claims.c.{s}.caption"))
        blocks.append(Text(decision_key(r.verdict, r.decision.reason), tone=r.verdict.tone))
        sections.append(Section(f"claim-{s}", f"claims.c.{s}.title", f"claims.c.{s}.short", tuple(blocks)))
    return {"sections": sections, "verdicts": VERDICTS, "seeds": SEEDS, "verdict": verdict, "seed": seed,
            "counts": counts, "asof": None if asof is None else f"{asof:%Y-%m-%d}", "shown": len(shown),
            "total": len(run.results)}  # fmt: skip
