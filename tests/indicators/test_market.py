from __future__ import annotations

import pandas as pd
import pytest

from bubblemachine.indicators.market import vix_inverted, vix_ratio


def test_vix_ratio_and_inversion_flag():
    idx = pd.date_range("2024-01-01", periods=4, freq="D")
    vix = pd.Series([15.0, 20.0, 30.0, 12.0], index=idx)
    vix3m = pd.Series([18.0, 20.0, 25.0], index=idx[:3])  # last day missing
    r = vix_ratio(vix, vix3m)
    assert r.tolist() == pytest.approx([15 / 18, 1.0, 1.2], abs=1e-12)
    # exactly 1 is not inverted (strict >)
    assert vix_inverted(r).tolist() == [False, False, True]
