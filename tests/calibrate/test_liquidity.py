"""The liquidity block's calendar (TGA tax dates) and noise, measured as of a date."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bubblemachine.calibrate.liquidity import fit_liquidity
from bubblemachine.data import open_store
from bubblemachine.data.calendar import next_sessions


@pytest.fixture(scope="module")
def store():
    return open_store()


def test_tga_tax_dates_and_month_starts_2025(store):
    f = fit_liquidity(store, "2025-11-14")
    assert f.source.startswith("Daily Treasury Statement")
    days = next_sessions("2025-11-14", 252)
    seas = pd.Series(f.tga_seasonal(days), index=days)
    # mid-December (tax month, 15th-17th): large inflows; first days of a month: outflows
    assert seas.loc["2025-12-15":"2025-12-17"].mean() > 30.0
    assert seas.loc["2026-01-02":"2026-01-05"].mean() < -5.0
    # by hand: the mean daily change of the DTS close on 15-17 of tax months, minus the year's mean
    d = (store.series("TGA_DAILY", asof="2025-11-14").dropna() / 1000).loc["2020-11-14":].diff().dropna()
    tax = d.index.month.isin([4, 6, 9, 12])
    tax_mid = d[tax & (d.index.day >= 15) & (d.index.day <= 17)].mean()
    first_other = d[~tax & (d.index.day <= 5)].mean()
    # the profile is centred by one constant, so differences between cells are the raw means'
    assert f.profile[10] - f.profile[0] == pytest.approx(tax_mid - first_other, rel=1e-9)
    # centred: over a year the pattern moves money in time, not in total (within rounding of the calendar)
    assert abs(seas.iloc[:252].mean()) < 1.0
    assert 10.0 < f.tga_sigma < 60.0 and f.rrp_sigma > 0 and f.fed_sigma > 0


def test_before_daily_statements_the_weekly_tga_is_used(store):
    f = fit_liquidity(store, "2016-01-04")
    assert f.source.startswith("H.4.1 weekly TGA") and "2015-12-30" in f.source
    assert f.tga_sigma > 0 and np.all(np.isfinite(f.profile))


@pytest.mark.parametrize("asof", ["2025-11-14", "2023-01-03"])
def test_on_rrp_settling_level_sigma_by_hand(store, asof):
    # ON RRP's settling level is a random walk: sd of its 21-day changes over the two years to
    # the as-of date (as known then) / sqrt(21). 2023-01-03: ON RRP moved by hundreds of
    # billions a month (a random walk of ~$30bn a day), 2025-11-14: near zero, still ~$19bn.
    f = fit_liquidity(store, asof)
    ts = pd.Timestamp(asof)
    r = store.series("RRPONTSYD", asof=ts).dropna().loc[ts - pd.DateOffset(years=2):]
    want = r.diff(21).dropna().std(ddof=1) / np.sqrt(21)
    assert f.rrp_level_sigma == pytest.approx(want, rel=1e-12)
    assert 5.0 < f.rrp_level_sigma < 60.0


def test_before_on_rrp_existed_its_level_has_no_noise(store):
    f = fit_liquidity(store, "2012-03-30")
    assert f.rrp_level_sigma == 0.0
