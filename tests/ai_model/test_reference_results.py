"""The AI model's first edition, kept as a fixture, against today's code and today's model.

``tests/fixtures/ai_model_first_edition/ai_liquidity/`` is the whole first-edition model
directory as it was before the second edition (issue 11) was integrated (commit 15d440c,
its calibration included). ``prices_hand_written.toml`` is its ``prices.toml`` as it
was at commit ade15bb: 154 hand-written ``contrib_*`` equations and hidden identities, before
the ``[attribution]`` rewrite.

Two checks:

1. **The attribution construct still generates what was written by hand**: the first-edition
   directory with its construct-written ``prices.toml`` and the same directory with the
   hand-written one give the same results (rtol 1e-12), so the language keeps its promise
   whatever the engine does next.
2. **What the second edition did not change gives the first edition's numbers**: the
   Fed's assets and the TGA, with the second edition's Fed balance-sheet noise switched off
   (``fed_sigma = 0``), are path-by-path
   identical between the first edition and today's model under the same seed over the first
   60 periods, in the baseline and in scenarios that move it (shutdown; qe_restart, whose
   lever exists in the first edition too); what the second edition rewrote differs (prices,
   loops, wages, the rates' random-walk noise, and ON RRP, reserves and net liquidity, which
   the portfolio block now moves: bills beyond the priced pace drain ON RRP), and the test
   checks that too, so it cannot pass by comparing a model with itself.

Tolerance: rtol 1e-12 (atol 1e-12 x the series' largest magnitude, for values that cross
zero): bit-identical on one machine, room for the order of generated statements elsewhere,
a million times smaller than any real change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ai_model_first_edition"
FIRST_EDITION = FIXTURE / "ai_liquidity"
HAND_WRITTEN = FIXTURE / "prices_hand_written.toml"
SERIES = ("spx", "ndx", "chips", "memory", "software", "btc", "ust10y", "hy_oas", "vix",
          "contrib_spx_cascade", "contrib_ndx_voltarget", "contrib_btc_plumbing", "contrib_spx_noise")
UNCHANGED = ("fed_assets", "tga")
REWRITTEN = ("spx", "chips", "wages", "ust2y", "on_rrp", "reserves", "net_liquidity")
RTOL = 1e-12


def _close(got, want, name):
    got, want = np.asarray(got, dtype="float64"), np.asarray(want, dtype="float64")
    assert got.shape == want.shape, name
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=RTOL * float(np.abs(want).max()), err_msg=name)


@pytest.fixture(scope="module")
def first_editions(tmp_path_factory):
    import bubblemachine as bm

    hand = tmp_path_factory.mktemp("first_edition") / "ai_liquidity"
    shutil.copytree(FIRST_EDITION, hand)
    shutil.copyfile(HAND_WRITTEN, hand / "prices.toml")
    construct = bm.load_model(FIRST_EDITION)
    # the parameter records name the attribution groups "noise" and "fundamentals" as their
    # mechanism: declare the groups (alone they add no equation) next to the hand-written file
    groups = ",\n".join(f'  {{ id = "{g.id}", en = "{g.en}", ko = "{g.ko}" }}' for g in construct.attribution.groups)
    (hand / "groups.toml").write_text(f"[attribution]\ngroups = [\n{groups},\n]\n", encoding="utf-8")
    written = bm.load_model(hand)
    assert not written.attribution.series and len(written.equations) == len(construct.equations)
    return construct, written


@pytest.mark.parametrize("scenario", ("capital_call_cascade", "vol_shock"))
def test_the_construct_generates_what_was_written_by_hand(scenario, first_editions):
    import bubblemachine as bm
    from bubblemachine.scenarios import scenario_path

    scen = bm.load_scenario(scenario_path(scenario))
    runs = [bm.simulate(m, scen, paths=20, periods=60, seed=20251114, save=list(SERIES), progress=False)
            for m in first_editions]
    for s in SERIES:
        _close(runs[0][s], runs[1][s], s)
        assert np.asarray(runs[0][s]).shape == (20, 61), s
    # the shocks moved what is compared, so the comparison can fail
    moved = runs[1]["contrib_spx_cascade" if scenario == "capital_call_cascade" else "contrib_ndx_voltarget"]
    assert np.abs(np.asarray(moved)[:, 20:40]).max() > 1e-4


@pytest.mark.parametrize("scenario", ("baseline", "shutdown", "qe_restart"))
def test_the_second_edition_keeps_the_first_editions_liquidity_block(scenario, first_editions):
    import bubblemachine as bm
    from bubblemachine.scenarios import scenario_path

    scen = bm.load_scenario(scenario_path(scenario))
    save = [*UNCHANGED, *REWRITTEN]
    # the second edition adds the Fed balance sheet's noise (fed_sigma, its own draws): off here.
    # 60 periods: the engine draws its random numbers in blocks of periods, and the new draws
    # reorder those of later blocks (the same distribution, other numbers)
    first = bm.simulate(first_editions[0], scen, paths=20, periods=60, seed=20251114, save=save, progress=False)
    today = bm.simulate(bm.load_model("ai_liquidity"), scen, paths=20, periods=60, seed=20251114, save=save,
                        set={"fed_sigma": 0.0}, progress=False)
    for s in UNCHANGED:
        _close(today[s], first[s], s)
    for s in REWRITTEN:
        assert np.abs(np.asarray(today[s]) - np.asarray(first[s])).max() > 1e-6, s


def test_the_first_edition_files_really_are_the_first_edition():
    text = HAND_WRITTEN.read_text(encoding="utf-8")
    assert text.count("contrib_") > 150 and "[attribution" not in text
    names = {p.name for p in FIRST_EDITION.glob("*.toml")}
    assert "earnings.toml" not in names and {"prices.toml", "plumbing.toml", "calibration.toml"} <= names
