"""Prototype of the second edition's price block: the S&P 500 and the Nasdaq-100 as cap-weighted
sums of their parts with an exact log attribution (issue 11, item 1; docs/design/ai-model-2.md).

The prototype replaces prices.toml in a copy of the shipped model (staged in
``tests/fixtures/ai_model_next/replace/``) next to the staged blocks; the engine checks every
period that each index's log change equals the sum of its groups' contributions, which are the
parts' contributions times the exact multipliers k_i.
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import numpy as np
import pytest

NEXT = Path(__file__).resolve().parents[1] / "fixtures" / "ai_model_next"
PATHS, T, SEED = 40, 252, 7
PARTS = ("m7", "chips", "memory", "software", "energy", "rest")


@functools.lru_cache(maxsize=1)
def _compiled():
    import tempfile

    import bubblemachine as bm
    from bubblemachine.paths import package_dir

    d = Path(tempfile.mkdtemp(prefix="ai_next_prices_")) / "ai_liquidity"
    shutil.copytree(package_dir() / "models" / "ai_liquidity", d)
    for f in [*NEXT.glob("*.toml"), *(NEXT / "replace").glob("*.toml")]:
        shutil.copy(f, d / f.name)
    return bm.load_model(d).compile()


@functools.cache
def _run(name: str):
    import bubblemachine as bm
    from bubblemachine.scenarios import scenario_path

    return bm.simulate(_compiled(), bm.load_scenario(scenario_path(name)), periods=T, paths=PATHS, seed=SEED,
                       progress=False)


def test_the_index_is_the_cap_weighted_sum_of_its_parts_exactly():
    r = _run("circular_unwind")
    log_r = np.diff(np.log(r["spx"]), axis=1)
    parts = sum(r[f"k_{p}"][:, 1:] * r[f"x_{p}"][:, 1:] for p in PARTS)
    assert np.max(np.abs(log_r - parts)) < 1e-12
    # the level identity: R = sum_i w_i exp(x_i) with yesterday's weights, which add up to one
    w = sum(r[f"w_{p}"] for p in PARTS)
    assert np.max(np.abs(w[:, 1:] - 1)) < 1e-12
    # ... and the attribution of the index adds up to its log change (the groups of the parts)
    total = sum(r[f"contrib_spx_{g}"][:, 1:] for g in _compiled().model.attribution.group_ids)
    assert np.max(np.abs(total - log_r)) < 1e-12


def test_circular_unwind_moves_the_index_by_its_parts_weights():
    c, b = _run("circular_unwind"), _run("baseline")
    d = {v: np.log(c[v][:, T]) - np.log(b[v][:, T]) for v in ("spx", "chips", "m7", "software")}
    assert float(np.median(d["chips"])) < -0.2
    # a buy-and-hold cap-weighted index: its gross return over the year is exactly the as-of
    # weighted mean of its parts' gross returns, path by path, under both scenarios
    w0 = _compiled().model.parameters
    names = {"rest": "rest_eq"}
    for r in (c, b):
        gross = sum((w0[f"w0_{p}"] if p != "rest" else 1 - sum(w0[f"w0_{q}"] for q in PARTS[:-1]))
                    * r[names.get(p, p)][:, T] / r[names.get(p, p)][:, 0] for p in PARTS)
        assert np.max(np.abs(gross - r["spx"][:, T] / r["spx"][:, 0])) < 1e-10
    assert float(np.median(d["chips"])) < float(np.median(d["spx"])) < 0.0


def test_the_indices_keep_their_calibrated_volatility():
    b = _run("baseline")
    params = _compiled().model.parameters
    for s in ("spx", "ndx"):
        vol = float(np.diff(np.log(b[s]), axis=1).std() * np.sqrt(252))
        assert vol == pytest.approx(params[f"sigma_{s}"] * np.sqrt(252), rel=0.1), s


def test_deepseek_day_still_hits_chips_far_more_than_the_index():
    d, b = _run("deepseek_shock"), _run("baseline")
    chips = float(np.median(np.log(d["chips"][:, 30]) - np.log(b["chips"][:, 30])))
    spx = float(np.median(np.log(d["spx"][:, 30]) - np.log(b["spx"][:, 30])))
    assert -0.25 < chips < -0.08 and chips < spx < 0.0
