"""Net liquidity and its components vs hand computation."""

from __future__ import annotations

import pandas as pd
import pytest

from bubblemachine.indicators.liquidity import asof_align, change, net_liquidity


def _weekly(values, start="2024-01-03"):
    return pd.Series(
        values, index=pd.date_range(start, periods=len(values), freq="7D"), dtype=float
    )


def test_net_liquidity_units_and_asof_alignment():
    walcl = _weekly([7_000_000.0, 7_010_000.0, 6_990_000.0])  # USD millions, Wednesdays
    tga = _weekly([700_000.0, 750_000.0, 800_000.0])  # USD millions
    # RRP daily in USD billions; Wednesday 2024-01-10 is missing, so Tuesday's value is used
    rrp = pd.Series(
        [500.0, 480.0, 470.0, 460.0],
        index=pd.to_datetime(["2024-01-03", "2024-01-08", "2024-01-09", "2024-01-17"]),
    )
    out = net_liquidity(walcl, tga, rrp)
    # by hand: (7,000,000 - 700,000)/1000 - 500 = 5800; (7,010,000 - 750,000)/1000 - 470 = 5790;
    # (6,990,000 - 800,000)/1000 - 460 = 5730
    assert out.tolist() == pytest.approx([5800.0, 5790.0, 5730.0], abs=1e-9)
    assert out.attrs["units"] == "USD billions"
    assert list(out.index) == list(walcl.index)


def test_net_liquidity_drops_dates_before_rrp_starts():
    walcl = _weekly([100_000.0, 200_000.0])
    tga = _weekly([10_000.0, 20_000.0])
    rrp = pd.Series([5.0], index=pd.to_datetime(["2024-01-05"]))
    out = net_liquidity(walcl, tga, rrp)
    assert len(out) == 1 and out.iloc[0] == pytest.approx(180.0 - 5.0)


def test_asof_align_never_looks_ahead():
    s = pd.Series([1.0, 2.0], index=pd.to_datetime(["2024-01-02", "2024-01-05"]))
    got = asof_align(
        s,
        pd.DatetimeIndex(pd.to_datetime(["2024-01-01", "2024-01-04", "2024-01-05", "2024-02-01"])),
    )
    assert got.isna().iloc[0]
    assert got.iloc[1:].tolist() == [1.0, 2.0, 2.0]


def test_change_over_weeks():
    s = _weekly([10.0, 11.0, 13.0, 16.0, 20.0]).rename("x")
    assert change(s, 4).iloc[-1] == pytest.approx(10.0)
    assert change(s, 1).tolist()[1:] == [1.0, 2.0, 3.0, 4.0]
