"""docs/claims.md: the generated verdict table is current (numbers compared with a tolerance)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bubblemachine.claims import markdown, run_claims

DOC = Path(__file__).resolve().parents[2] / "docs" / "claims.md"


def _tol(v: float) -> float:
    """The table prints 3 decimals under 10, 1 decimal above, 3 significant digits far out
    (explain.num): half a unit of the last printed digit, plus 0.1% for another CPU/BLAS."""
    a = abs(v)
    if a != 0 and (a >= 1e4 or a < 1e-3):
        return 5e-3 * a + 1e-12
    return (0.0005 if a < 10 else 0.05) + 1e-3 * a


def test_docs_table_matches_a_fresh_run():
    run = run_claims()
    parsed = markdown.parse_table(DOC.read_text(encoding="utf-8"))
    assert list(parsed) == [r.claim.id for r in run.results], "run `python -m bubblemachine.claims.markdown docs/claims.md`"
    for r in run.results:
        row = parsed[r.claim.id]
        assert row["verdict"] == r.verdict.value, r.claim.id
        e = r.evidence
        assert row["n"] == (e.n if e else 0), r.claim.id
        assert row["sample_end"] == ((e.sample_end or None) if e else None), r.claim.id
        if e is None:
            assert row["effect"] is None
            continue
        assert row["effect"] == pytest.approx(e.effect, abs=_tol(e.effect)), r.claim.id
        if row["ci_low"] is not None:
            assert row["ci_low"] == pytest.approx(e.ci_low, abs=_tol(e.ci_low)), r.claim.id
            assert row["ci_high"] == pytest.approx(e.ci_high, abs=_tol(e.ci_high)), r.claim.id


def test_parse_table_reads_what_table_writes():
    run = run_claims(ids=["C2.1", "F4.1", "F7.1"])
    text = f"x\n{markdown.START}\n{markdown.table(run)}\n{markdown.END}\ny"
    rows = markdown.parse_table(text)
    assert rows["C2.1"]["ci_low"] == pytest.approx(run.results[0].evidence.ci_low, abs=6e-4)
    assert rows["F4.1"]["ci_low"] is None and rows["F7.1"]["effect"] is None
