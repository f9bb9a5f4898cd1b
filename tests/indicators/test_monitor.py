"""compute_monitor on the embedded snapshot: no look-ahead, hand-checked net liquidity."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from bubblemachine.data import open_store
from bubblemachine.errors import DataError
from bubblemachine.indicators import compute_monitor, parse_asof


@pytest.fixture(scope="module")
def store():
    return open_store()


def test_net_liquidity_asof_2024_12_31_by_hand(store):
    m = compute_monitor(store, asof="2024-12-31")
    nl = m["net_liquidity"]
    # last H.4.1 Wednesday on or before 2024-12-31, and the last RRP on or before it
    walcl = store.series("WALCL").loc[:"2024-12-31"]
    day = walcl.index[-1]
    tga = store.series("WTREGEN").loc[day]
    rrp = store.series("RRPONTSYD").loc[:day].iloc[-1]
    hand = (walcl.iloc[-1] - tga) / 1000.0 - rrp
    assert nl.asof == f"{day:%Y-%m-%d}" == "2024-12-25"
    assert nl.units == "USD billions"
    assert nl.value == pytest.approx(hand, abs=1e-9)
    assert 5000 < nl.value < 7000  # plausible order of magnitude in USD billions


def test_no_look_ahead(store):
    asof = pd.Timestamp("2023-06-30")
    m = compute_monitor(store, asof=asof)
    for iid, ind in m.items():
        if ind.asof:
            assert pd.Timestamp(ind.asof) <= asof, iid
        if ind.history is not None and len(ind.history):
            assert ind.history.index.max() <= asof, iid
    # truncating the store's future must not change any value
    full = compute_monitor(store)
    assert full["net_liquidity"].asof > m["net_liquidity"].asof


def test_every_indicator_has_units_and_a_finite_latest_value(store):
    m = compute_monitor(store)
    for iid, ind in m.items():
        assert ind.units, iid
        assert math.isfinite(ind.value), iid
        assert ind.label_key == f"ind.{iid}"


def test_bad_asof_is_a_named_error():
    with pytest.raises(DataError, match="2024-13-01"):
        parse_asof("2024-13-01")


@pytest.mark.parametrize("asof", ["1999-12-31", "2008-12-31", "2016-01-04"])
def test_early_asof_gives_missing_values_not_errors(store, asof):
    m = compute_monitor(store, asof=asof)
    cut = pd.Timestamp(asof)
    # series that start later are missing (NaN, no date), never an exception
    if asof == "1999-12-31":
        assert math.isnan(m["net_liquidity"].value) and m["net_liquidity"].to_json() == {
            "value": None,
            "units": "USD billions",
            "asof": None,
        }
        assert math.isnan(m["btc"].value)
    else:
        assert math.isfinite(m["net_liquidity"].value)
    assert math.isfinite(m["spx"].value)  # SPX history starts in 1927
    for iid, ind in m.items():
        if ind.history is not None and len(ind.history):
            assert ind.history.index.max() <= cut, iid
    # relative lines are rebased five years before an early asof
    if asof == "2016-01-04":
        assert m["ai_vs_rsp"].units == "index (100 = 2011-01-04)"
        assert m["ai_vs_rsp"].history.iloc[0] == pytest.approx(100.0)


def test_reads_exactly_the_series_it_stamps(store):
    """The report's vintage header lists SERIES_USED: compute_monitor must read only those."""
    from bubblemachine.indicators import SERIES_USED

    seen: set[str] = set()

    class Spy:
        def series(self, sid, **kw):
            seen.add(sid)
            return store.series(sid, **kw)

        def frame(self, sid, **kw):
            seen.add(sid)
            return store.frame(sid, **kw)

    compute_monitor(Spy(), asof="2025-06-30")
    assert seen == set(SERIES_USED)
