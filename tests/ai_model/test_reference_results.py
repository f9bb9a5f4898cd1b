"""The AI model's results are what they were before its rewrite in the attribution construct.

``tests/fixtures/ai_model_first_edition/prices.toml`` is the model's ``prices.toml`` as it was
at commit ade15bb: 154 hand-written ``contrib_*`` equations and hidden identities, before the
``[attribution]`` rewrite. The test builds two models that differ only in that file (every
other file, the calibration included, is today's) and runs both under two scenarios with the
same seed, so it keeps checking the rewrite whenever the calibration or the other blocks
change (it retires with the model's second edition, which rewrites ``prices.toml``).

Tolerance: rtol 1e-12 (atol 1e-12 x the series' largest magnitude, for values that cross
zero). The construct generates the same expressions in the same order, so on one machine the
results are bit-identical; 1e-12 leaves room for what may differ on another machine (the
order of generated statements inside a block), yet it is a million times smaller than the
effect of any real change (a parameter moved by 1e-6 relative, a term dropped or reordered
with another value), which would fail it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

FIRST_EDITION = Path(__file__).resolve().parents[1] / "fixtures" / "ai_model_first_edition" / "prices.toml"
SCENARIOS = ("capital_call_cascade", "vol_shock")
SERIES = ("spx", "ndx", "chips", "memory", "software", "btc", "ust10y", "hy_oas", "vix",
          "contrib_spx_cascade", "contrib_ndx_voltarget", "contrib_btc_plumbing", "contrib_spx_noise")
RTOL = 1e-12


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    import bubblemachine as bm
    from bubblemachine.paths import package_dir

    current = package_dir() / "models" / "ai_liquidity"
    old = tmp_path_factory.mktemp("first_edition") / "ai_liquidity"
    shutil.copytree(current, old)
    shutil.copyfile(FIRST_EDITION, old / "prices.toml")
    new = bm.load_model(current)
    # today's parameter records name the attribution groups "noise" and "fundamentals" as their
    # mechanism: declare the groups (alone they add no equation) next to the first edition
    groups = ",\n".join(f'  {{ id = "{g.id}", en = "{g.en}", ko = "{g.ko}" }}' for g in new.attribution.groups)
    (old / "groups.toml").write_text(f"[attribution]\ngroups = [\n{groups},\n]\n", encoding="utf-8")
    first = bm.load_model(old)
    assert not first.attribution.series and len(first.equations) == len(new.equations)
    return new, first


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_results_unchanged_by_the_rewrite(scenario, models):
    import bubblemachine as bm
    from bubblemachine.scenarios import scenario_path

    new, old = models
    scen = bm.load_scenario(scenario_path(scenario))
    runs = [bm.simulate(m, scen, paths=20, periods=60, seed=20251114, save=list(SERIES), progress=False)
            for m in (new, old)]
    for s in SERIES:
        got, want = (np.asarray(r[s], dtype="float64") for r in runs)
        assert got.shape == want.shape == (20, 61), s
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=RTOL * float(np.abs(want).max()), err_msg=s)
    # the shocks moved what is compared, so the comparison can fail
    moved = runs[1]["contrib_spx_cascade" if scenario == "capital_call_cascade" else "contrib_ndx_voltarget"]
    assert np.abs(np.asarray(moved)[:, 20:40]).max() > 1e-4


def test_the_first_edition_file_really_is_hand_written():
    text = FIRST_EDITION.read_text(encoding="utf-8")
    assert text.count("contrib_") > 150 and "[attribution" not in text
