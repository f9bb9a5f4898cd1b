"""The Claims page: the scoreboard filtered by verdict and seed article, and each claim's chart.

Built from the same pieces as the report's claims section (:mod:`bubblemachine.claims.report`:
catalog keys, chart specs), one claim run per as-of date cached in the server.
"""

from __future__ import annotations

from typing import Any

from bubblemachine.web.whatif import WebError

SEEDS = ("000", "001", "002", "003", "004")


def claims_page(site: Any, *, asof: Any = None, verdict: str | None = None, seed: str | None = None) -> dict[str, Any]:
    """Template context: ``sections`` (scoreboard + one section per shown claim) and filters."""
    from bubblemachine.claims import VERDICTS, run_claims
    from bubblemachine.claims.i18n import slug, verdict_slug
    from bubblemachine.claims.report import VERDICT_TONES, _txt, chart_for
    from bubblemachine.report.sections import Label, ReportContext, Section, Table, Text

    verdicts = tuple(str(v) for v in VERDICTS)
    if verdict is not None and verdict not in verdicts:
        raise WebError(f"verdict: {verdict[:40]!r} is not one of {', '.join(verdicts)}")
    if seed is not None and seed not in SEEDS:
        raise WebError(f"seed: {seed[:10]!r} is not one of {', '.join(SEEDS)}")
    key = ("claims", None if asof is None else f"{asof:%Y-%m-%d}")
    run = site.cached(key, lambda: run_claims(site.store, asof=asof))
    ctx = ReportContext(store=site.store, asof=asof, lang="en", catalog=site.catalog)
    shown = [r for r in run.results if (verdict is None or str(r.verdict) == verdict)
             and (seed is None or r.claim.seed == seed)]  # fmt: skip
    counts = {v: sum(1 for r in run.results if str(r.verdict) == v) for v in verdicts}
    rows = []
    for r in shown:
        e, s = r.evidence, slug(r.claim.id)
        rows.append((r.claim.id, Label(f"claims.c.{s}.short"),
                     Label(f"claims.verdict.{verdict_slug(r.verdict)}", tone=VERDICT_TONES.get(str(r.verdict))),
                     _txt(e.effect) if e else None, _txt(e.ci_low) if e else None, _txt(e.ci_high) if e else None,
                     Label(f"claims.c.{s}.units"), e.n if e else 0, r.claim.seed))  # fmt: skip
    board = Table(id="web-claims-board", title_key="claims.scoreboard.title",
                  columns=("claims.col.id", "claims.col.claim", "claims.col.verdict", "claims.col.effect",
                           "claims.col.ci_low", "claims.col.ci_high", "claims.col.units", "claims.col.n", "web.col.seed"),
                  rows=tuple(rows), caption_key="claims.scoreboard.caption")  # fmt: skip
    sections = [Section("web-claims", "claims.section.title", "claims.section.intro", (board,))]
    for r in shown:
        s = slug(r.claim.id)
        blocks: list[Any] = [Text(f"claims.c.{s}.statement")]
        if r.evidence is not None and r.evidence.chart:
            blocks.append(chart_for(r.claim.id, r.evidence.chart, ctx))
        else:
            blocks.append(Text(f"claims.c.{s}.caption"))
        blocks.append(Text(f"claims.verdict_text.{verdict_slug(r.verdict)}"))
        sections.append(Section(f"claim-{s}", f"claims.c.{s}.title", f"claims.c.{s}.short", tuple(blocks)))
    return {"sections": sections, "verdicts": verdicts, "seeds": SEEDS, "verdict": verdict, "seed": seed,
            "counts": counts, "asof": None if asof is None else f"{asof:%Y-%m-%d}", "shown": len(shown),
            "total": len(run.results)}  # fmt: skip
