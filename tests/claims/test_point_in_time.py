"""``claims --asof D`` equals the claims run on files cut by knowledge date (no look-ahead).

The raw files of every series the claims read are cut to the rows KNOWN on D (each series'
release rule: H.4.1 on the Thursday, payrolls the first week of the next month, capex at its
first filing, ...) and written to an empty store; the claims run there on all data must give
exactly what the full store gives as of D.
"""

from __future__ import annotations

import pytest

from bubblemachine.claims import registry, run_claims
from bubblemachine.data import Store
from bubblemachine.data.catalog import catalog

pytestmark = pytest.mark.slow


def _cut_store(src: Store, ids, asof: str, home) -> Store:
    import pandas as pd

    items = []
    for sid in sorted(ids):
        frame = src.frame(sid)
        known = src.known(sid)
        part = frame[(known <= pd.Timestamp(asof)).to_numpy()]
        if part.empty:
            continue
        m = src.meta(sid)
        items.append((part, {"id": sid, "title": m.title, "units": m.units, "frequency": m.frequency,
                             "keys": m.keys, "text_columns": catalog()[sid].text_columns}))  # fmt: skip
    out = Store(home, snapshot=False)
    out.write(items)
    return out


def _key(r):
    e = r.evidence
    vals = None if e is None else (e.effect, e.ci_low, e.ci_high, e.n, e.sample_start, e.sample_end, e.p_value)
    return (r.verdict, r.decision.reason, r.complete, vals if vals is None else tuple("nan" if v != v else v for v in vals))


@pytest.mark.parametrize("asof", ["2024-06-28", "2020-03-18"])
def test_claims_asof_equal_claims_on_files_cut_by_knowledge_date(tmp_path, asof):
    src = Store(tmp_path / "full")
    used = {s for c in registry.load().values() for s in c.series}
    cut = _cut_store(src, used, asof, tmp_path / "cut")
    a = run_claims(src, asof=asof).by_id()
    b = run_claims(cut).by_id()
    assert set(a) == set(b)
    tested = 0
    for cid in a:
        assert _key(a[cid]) == _key(b[cid]), cid
        assert a[cid].p_holm == b[cid].p_holm, cid
        tested += a[cid].evidence is not None
    assert tested >= 20
    # the release rules matter: payrolls of the last month are not known yet on the as-of date
    assert cut.meta("PAYEMS").last < asof[:8] + "01"
