"""Signals read only what the store knew on the decision date."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bubblemachine.data import open_store
from bubblemachine.trades import signals
from bubblemachine.trades.spec import Condition


def _contract(store, indicator: str, d: pd.Timestamp, change_days: int | None) -> float:
    """The value straight from the store's point-in-time contract: series(asof=d)."""
    s = signals.known_indicator(store, indicator, d).dropna()
    if s.empty:
        return float("nan")
    if change_days is None:
        return float(s.iloc[-1])
    ref = s.loc[: d - pd.Timedelta(days=change_days)]
    return float(s.iloc[-1] - ref.iloc[-1]) if len(ref) else float("nan")


@pytest.mark.parametrize(("indicator", "change_days"), [("net_liquidity", 28), ("net_liquidity", 91), ("real10y", 91), ("vix", None)])
def test_fast_path_equals_the_store_contract(indicator, change_days):
    store = open_store()
    ks = signals.indicator_history(store, indicator, None)
    assert ks.monotone
    dates = pd.date_range("2004-01-02", "2025-11-14", freq="7W-FRI")
    fast = signals.values_at(ks, dates.values, change_days)
    slow = np.array([_contract(store, indicator, d, change_days) for d in dates])
    np.testing.assert_allclose(fast, slow, rtol=1e-12, equal_nan=True)


def test_non_monotone_knowledge_falls_back_to_the_slow_path():
    ks = signals.KnownSeries(
        values=np.array([1.0, 2.0, 3.0]),
        obs=pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15"]).values.astype("datetime64[ns]"),
        known=pd.to_datetime(["2024-01-02", "2024-01-30", "2024-01-16"]).values.astype("datetime64[ns]"),
    )
    assert not ks.monotone
    # on 2024-01-20 the 15th is known but the 8th is not yet: level 3, change vs the 1st = 2
    assert signals.transformed(ks, pd.Timestamp("2024-01-20"), None) == 3.0
    assert signals.transformed(ks, pd.Timestamp("2024-01-20"), 10) == 2.0
    assert np.isnan(signals.transformed(ks, pd.Timestamp("2024-01-01"), None))


def test_conditions_and_their_truncation_invariance():
    store = open_store()
    conds = (Condition("net_liquidity", ">", 0.0, change_days=28), Condition("vix", "<", 30.0))
    dates = pd.bdate_range("2019-01-01", "2025-11-14")
    decide = np.zeros(len(dates), bool)
    decide[::5] = True
    on, vals = signals.evaluate_history(store, conds, dates, decide)
    assert on[decide].any() and not on[decide].all() and not on[~decide].any()
    assert np.array_equal(on[decide], (vals[decide, 0] > 0) & (vals[decide, 1] < 30))
    cut = pd.Timestamp("2022-03-31")
    on2, _ = signals.evaluate_history(store, conds, dates, decide, end=cut)
    early = dates <= cut
    assert np.array_equal(on[early], on2[early])
