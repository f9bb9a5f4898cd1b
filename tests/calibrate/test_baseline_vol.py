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


@pytest.mark.parametrize("series", ["spx", "btc"])
def test_one_year_log_return_sd_matches_history(baseline, params, series):
    hist = params[f"sigma_{series}"] * np.sqrt(252)  # historical annual vol over the calibration window
    x = baseline.arrays[series]
    sim = np.std(np.log(x[:, 252] / x[:, 0]), ddof=1)
    assert 0.7 * hist <= sim <= 1.5 * hist, (series, sim, hist)


@pytest.mark.parametrize("series", ["ust10y", "hy_oas"])
def test_one_year_rate_change_sd_is_not_degenerate(baseline, params, series):
    # rates and spreads can mean-revert in the model, so only a wide band: not frozen, not exploding
    hist = params[f"sigma_{series}"] * np.sqrt(252)
    x = baseline.arrays[series]
    sim = np.std(x[:, 252] - x[:, 0], ddof=1)
    assert 0.25 * hist <= sim <= 2.0 * hist, (series, sim, hist)


def test_baseline_starts_at_the_calibrated_state(baseline):
    import tomllib

    ini = tomllib.loads(default_path().read_text(encoding="utf-8"))["initial"]
    for s in ("spx", "btc", "ust10y", "hy_oas"):
        np.testing.assert_allclose(baseline.arrays[s][:, 0], ini[s], rtol=1e-12)
