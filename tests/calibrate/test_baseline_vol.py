"""The baseline is an honest forecast: its 1-year spread matches history (issue 4, item 4)."""

from __future__ import annotations

import numpy as np
import pytest

from bubblemachine.calibrate import default_path
from bubblemachine.paths import package_dir

MODEL_DIR = package_dir() / "models" / "ai_liquidity"

pytestmark = pytest.mark.skipif(not (MODEL_DIR / "model.toml").is_file(), reason="AI liquidity model not present")


@pytest.fixture(scope="module")
def baseline():
    from bubblemachine.scenarios import runner

    return runner.run("baseline", paths=400, horizon=252, seed=7, save=["spx", "btc", "ust10y", "hy_oas"])


@pytest.fixture(scope="module")
def params():
    import tomllib

    return {k: v["value"] for k, v in tomllib.loads(default_path().read_text(encoding="utf-8"))["parameters"].items()}


def regime_vol(params, series: str, days: int = 252) -> float:
    """The 1-year sd the calibration implies: the window's daily sd, scaled each day by the
    volatility regime's variance forecast 1 + (vratio - 1) x vpersist^(h-1) (calibrate/volregime.py)."""
    r, p = params[f"vratio_{series}"], params[f"vpersist_{series}"]
    h = np.arange(days)
    return float(params[f"sigma_{series}"] * np.sqrt(np.sum(1 + (r - 1) * p ** h)))


@pytest.mark.parametrize("series", ["spx", "btc"])
def test_one_year_log_return_sd_matches_history(baseline, params, series):
    hist = regime_vol(params, series)  # historical vol of the window, from the as-of regime
    x = baseline.arrays[series]
    sim = np.std(np.log(x[:, 252] / x[:, 0]), ddof=1)
    assert 0.7 * hist <= sim <= 1.5 * hist, (series, sim, hist)


@pytest.mark.parametrize("series", ["ust10y", "hy_oas"])
def test_one_year_rate_change_sd_is_not_degenerate(baseline, params, series):
    # rates and spreads can mean-revert in the model, so only a wide band: not frozen, not exploding
    hist = regime_vol(params, series)
    x = baseline.arrays[series]
    sim = np.std(x[:, 252] - x[:, 0], ddof=1)
    assert 0.25 * hist <= sim <= 2.0 * hist, (series, sim, hist)


def test_baseline_starts_at_the_calibrated_state(baseline):
    import tomllib

    ini = tomllib.loads(default_path().read_text(encoding="utf-8"))["initial"]
    for s in ("spx", "btc", "ust10y", "hy_oas"):
        np.testing.assert_allclose(baseline.arrays[s][:, 0], ini[s], rtol=1e-12)
