"""The AI model's results stay what they were before its rewrite in the attribution construct.

``tests/fixtures/ai_model_reference/reference.npz`` holds arrays recorded from the model as it
was at commit ade15bb (154 hand-written ``contrib_*`` equations, parameters as bare numbers
with ``#`` comments), before the ``[attribution]`` / parameter-record rewrite: 2 scenarios
(``capital_call_cascade``, ``vol_shock``) x 20 paths x 60 periods (+ period 0), seed
20251114, 13 series (prices, rates, VIX, a level and four contributions), recorded with::

    r = bm.simulate(cm, bm.load_scenario(scenario_path(name)), paths=20, periods=60,
                    seed=20251114, save=SERIES, progress=False)

Tolerance: rtol 1e-12 (atol 1e-12 x the series' largest magnitude, for values that cross
zero). The rewrite generates the same expressions in the same order, so on one machine the
results are bit-identical (checked on every variable of every bundled scenario when the
rewrite was made). 1e-12 leaves room for what may differ on another machine: NumPy's
vectorised ``exp``/``log`` may differ in the last bit between CPU feature sets, and 60
periods of feedback amplify a 1e-16 difference by far less than 1e4; yet it is a million
times smaller than the effect of any change to the model (a parameter moved by 1e-6
relative, a term dropped or reordered with another value), which would fail it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "ai_model_reference" / "reference.npz"
SCENARIOS = ("capital_call_cascade", "vol_shock")
RTOL = 1e-12


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    with np.load(REFERENCE) as z:
        return {k: z[k] for k in z.files}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_results_unchanged_by_the_rewrite(scenario, reference):
    import bubblemachine as bm
    from bubblemachine.scenarios import scenario_path
    from tests.ai_model.conftest import compiled

    series = sorted(k.split("/", 1)[1] for k in reference if k.startswith(f"{scenario}/"))
    assert len(series) == 13
    r = bm.simulate(compiled(), bm.load_scenario(scenario_path(scenario)), paths=20, periods=60,
                    seed=20251114, save=series, progress=False)
    for s in series:
        want = reference[f"{scenario}/{s}"]
        got = np.asarray(r[s], dtype="float64")
        assert got.shape == want.shape == (20, 61), s
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=RTOL * float(np.abs(want).max()), err_msg=s)


def test_the_reference_is_not_trivial(reference):
    # the shocks moved what the fixture records, so the comparison can fail
    casc, vol = reference["capital_call_cascade/contrib_spx_cascade"], reference["vol_shock/contrib_ndx_voltarget"]
    assert np.abs(casc[:, 20:40]).max() > 1e-4 and np.abs(vol[:, 20:30]).max() > 1e-3
    assert np.all(np.isfinite(np.stack(list(reference.values()))))
