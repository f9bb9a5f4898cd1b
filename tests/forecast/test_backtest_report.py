"""The report section "How good are the forecasts?": blocks, verdicts, keys in both languages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bubblemachine.backtests import BacktestResult, BacktestSpec
from bubblemachine.backtests.report import backtest_section, verdict_bands, verdict_skill
from bubblemachine.backtests.scores import skill_table
from bubblemachine.backtests.truth import SCORED, group_of
from bubblemachine.data import open_store
from bubblemachine.report.i18n import Catalog
from bubblemachine.report.registry import catalog_dirs
from bubblemachine.report.sections import Chart, ReportContext, Table


def _synthetic(rng) -> BacktestResult:
    rows = []
    origins = [f"{y}-{m:02d}-01" for y in range(2015, 2020) for m in (1, 4, 7, 10)]
    for o in origins:
        for s in SCORED:
            for h in (21, 63, 126, 252):
                # liquidity: the model's CRPS half the random walk's; prices: equal; rates: worse
                base = rng.gamma(4.0, 1.0)
                ratio = {"liquidity": 0.5, "prices": 1.0, "rates": 1.5}[group_of(s)]
                rows.append({"origin": o, "series": s, "group": group_of(s), "horizon": h, "pit": rng.uniform(),
                             "in50": float(rng.uniform() < 0.5), "in90": float(rng.uniform() < 0.9),
                             "crps_model": base * ratio, "crps_rw1y": base, "crps_rw5y": base * 1.1})
    scores = pd.DataFrame(rows)
    by_series, by_group = skill_table(scores, group_of=group_of, seed=1)
    spec = BacktestSpec(start="2015-01-01", end="2019-12-31", every="quarter", paths=100,
                        horizons=(21, 63, 126, 252), scenario="baseline", seed=1, years=5)
    return BacktestResult(spec=spec, origins=tuple(origins), failed=(), scores=scores, by_series=by_series,
                          by_group=by_group, model_digest="abc123")


def test_skill_and_verdicts_by_hand():
    r = _synthetic(np.random.default_rng(0))
    g = r.by_group.set_index(["group", "horizon"])
    assert g.loc[("liquidity", 63), "skill_rw1y"] == pytest.approx(0.5)
    assert g.loc[("prices", 63), "skill_rw1y"] == pytest.approx(0.0)
    assert g.loc[("rates", 63), "skill_rw1y"] == pytest.approx(-0.5)
    assert g.loc[("liquidity", 63), "skill_rw5y"] == pytest.approx(1 - 0.5 / 1.1)
    tga = r.by_series[r.by_series["series"] == "tga"]
    assert verdict_skill(tga) == "beats" and verdict_skill(r.by_series[r.by_series["series"] == "vix"]) == "loses"
    assert verdict_bands(tga) == "honest"
    assert verdict_bands(pd.DataFrame({"coverage90": [0.5, 0.6]})) == "narrow"


def test_section_blocks_and_keys_in_both_languages(tmp_path):
    from bubblemachine import paths

    r = _synthetic(np.random.default_rng(0))
    r.write(paths.home() / "backtest" / "latest", compact=True)
    catalog = Catalog.load(catalog_dirs([backtest_section]))
    ctx = ReportContext(store=open_store(), asof=None, lang="en", catalog=catalog)
    sec = backtest_section(ctx)
    assert sec is not None and sec.id == "backtest"
    charts = {b.id: b for b in sec.blocks if isinstance(b, Chart)}
    assert set(charts) == {"backtest_skill", "backtest_coverage", "backtest_pit"}
    liq = next(t for t in charts["backtest_skill"].data if t["name"] == "backtest.group.liquidity")
    assert liq["y"] == pytest.approx([0.5] * 4)
    tables = {b.id: b for b in sec.blocks if isinstance(b, Table)}
    assert len(tables["backtest_verdicts"].rows) == len(SCORED)
    missing = catalog.missing(sec.keys())
    assert not any(missing.values()), missing
