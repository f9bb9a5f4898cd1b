"""Issue 9: the AI model runs ten years (2,520 trading days) on 1,000 paths with no
non-finite value and no failed path (bounded shocks, floored stocks)."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.mark.slow
def test_ten_years_thousand_paths_all_finite():
    import bubblemachine.sfc as sfc
    from bubblemachine.scenarios import scenario_path
    from bubblemachine.scenarios.series import REPORTED

    model = sfc.load_model("ai_liquidity")
    save = [*REPORTED, "contrib_btc_cascade", "contrib_software_cascade", "on_rrp", "tga"]
    r = sfc.simulate(model, scenario_path("baseline"), periods=2520, paths=1000, seed=20251114,
                     save=list(dict.fromkeys(save)), progress=False, on_failure="keep")
    assert len(r.failures) == 0, r.failures[:3]
    for name in dict.fromkeys(save):
        assert np.all(np.isfinite(np.asarray(r[name]))), name
    for name in ("spx", "btc", "eth", "chips", "software", "tga"):
        assert np.asarray(r[name]).min() > 0.0, name  # stocks that cannot go negative
    assert np.asarray(r["on_rrp"]).min() >= 0.0
