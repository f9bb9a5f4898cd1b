"""Determinism (seeds, path chunks), Result conversions, quantiles, testing helpers."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

import bubblemachine as bm
from bubblemachine.sfc import compile_model, resolve_run, run_paths, scenario_from_dict
from bubblemachine.sfc.result import Result
from bubblemachine.testing import assert_stock_flow_consistent, parameters

UNC = {"uncertain": {"alpha1": {"dist": "uniform", "low": 0.5, "high": 0.7},
                     "theta": {"dist": "triangular", "low": 0.15, "mode": 0.2, "high": 0.25}}}


def test_same_seed_same_numbers_and_different_seed_differs(models_dir):
    a = bm.simulate(models_dir / "noisy.toml", periods=70, paths=5, seed=42, progress=False)
    b = bm.simulate(models_dir / "noisy.toml", periods=70, paths=5, seed=42, progress=False)
    c = bm.simulate(models_dir / "noisy.toml", periods=70, paths=5, seed=43, progress=False)
    assert np.array_equal(a.data, b.data) and a.scenario_hash == b.scenario_hash
    assert not np.array_equal(a.data, c.data) and a.scenario_hash != c.scenario_hash


def test_path_chunks_are_bit_identical(models_dir, sim_path):
    for path, sc in ((models_dir / "noisy.toml", None), (sim_path, scenario_from_dict(UNC))):
        cm = compile_model(bm.load_model(path))
        spec = resolve_run(cm, sc, paths=600, periods=130, seed=7)
        whole = run_paths(spec, range(0, 600))
        parts = [run_paths(spec, r) for r in (range(0, 1), range(1, 300), range(300, 600))]
        assert np.array_equal(whole.data, np.concatenate([p.data for p in parts]))
        assert np.array_equal(whole.uncertain, np.concatenate([p.uncertain for p in parts]))
        assert np.array_equal(whole.path_ids, np.concatenate([p.path_ids for p in parts]))


def test_longer_runs_share_the_prefix(models_dir):
    a = bm.simulate(models_dir / "noisy.toml", periods=50, paths=3, seed=1, progress=False)
    b = bm.simulate(models_dir / "noisy.toml", periods=200, paths=3, seed=1, progress=False)
    assert np.array_equal(a.data, b.data[:, :51])


def test_compiled_model_pickles(sim_path):
    cm = compile_model(bm.load_model(sim_path))
    bm.simulate(cm, periods=3, progress=False)
    cm2 = pickle.loads(pickle.dumps(cm))
    a = run_paths(resolve_run(cm, paths=2, seed=0, periods=20), range(2))
    b = run_paths(resolve_run(cm2, paths=2, seed=0, periods=20), range(2))
    assert np.array_equal(a.data, b.data)


def test_result_access_and_conversions(tmp_path, sim_path):
    r = bm.simulate(sim_path, scenario_from_dict(UNC), periods=12, paths=3, seed=9, progress=False)
    assert r["Y"].shape == (3, 13) and r.data.shape == (3, 13, len(r.names))
    df = r.to_pandas()
    assert df.index.names == ["path", "period"] and len(df) == 39
    assert df.loc[(2, 5), "Y"] == r["Y"][2, 5]
    ds = r.to_xarray()
    assert float(ds["Y"].sel(path=1, period=4)) == r["Y"][1, 4]
    out = r.to_parquet(tmp_path / "r.parquet")
    back = Result.from_parquet(out)
    assert np.array_equal(back.data, r.data) and back.names == r.names and back.seed == r.seed
    assert back.scenario_hash == r.scenario_hash
    pd.testing.assert_frame_equal(pd.read_parquet(out).set_index(["path", "period"]), df)
    one = bm.simulate(sim_path, periods=4, progress=False, seed=0)
    assert list(one.to_pandas().index) == [0, 1, 2, 3, 4]


def test_save_subset_and_quantiles(sim_path):
    sc = scenario_from_dict(UNC)
    full = bm.simulate(sim_path, sc, periods=40, paths=200, seed=2, progress=False)
    sub = bm.simulate(sim_path, sc, periods=40, paths=200, seed=2, save=["Y", "Hh"], progress=False)
    assert sub.names == ["Y", "Hh"] and np.array_equal(sub["Y"], full["Y"])
    q = bm.simulate(sim_path, sc, periods=40, paths=200, seed=2, save=["Y"], quantiles=[0.1, 0.5, 0.9], progress=False)
    np.testing.assert_allclose(q["Y"], np.quantile(full["Y"], [0.1, 0.5, 0.9], axis=0), rtol=1e-12)
    np.testing.assert_allclose(full.quantiles([0.1, 0.5, 0.9])["Y"], q["Y"], rtol=1e-12)
    assert q.to_pandas().index.names == ["quantile", "period"]


def test_stock_flow_assertion_passes_and_catches_a_leak(sim_path):
    r = bm.simulate(sim_path, scenario_from_dict(UNC), periods=30, paths=4, seed=3, progress=False)
    assert_stock_flow_consistent(r)
    j = r.names.index("Hh")
    r.data = r.data.copy()
    r.data[2, 17, j] += 1e-3
    with pytest.raises(AssertionError, match=r"period 17 on path 2"):
        assert_stock_flow_consistent(r)


def test_shipped_textbook_models_are_stock_flow_consistent():
    from bubblemachine.sfc.model import list_shipped_models

    names = {m["name"] for m in list_shipped_models()} & {"sim", "simex", "pc", "lp1", "bmw", "reg"}
    for name in sorted(names):
        r = bm.simulate(name, periods=40, paths=2, seed=0, progress=False)
        assert_stock_flow_consistent(r)


@settings(max_examples=15, deadline=None)
@given(parameters(bm.load_model(__import__("pathlib").Path(__file__).parent / "models" / "sim.toml"),
                  {"alpha1": (0.3, 0.9), "theta": (0.1, 0.4), "Gd": (1.0, 50.0)}))
def test_property_sim_steady_state_and_consistency(p):
    from pathlib import Path

    r = bm.simulate(Path(__file__).parent / "models" / "sim.toml", periods=600, set=p, progress=False, seed=0)
    assert r["Y"][0, -1] == pytest.approx(p["Gd"] / p["theta"], rel=1e-7)
    assert_stock_flow_consistent(r)


@settings(max_examples=10, deadline=None)
@given(__import__("bubblemachine.testing", fromlist=["scenario_sets"]).scenario_sets(
    bm.load_model(__import__("pathlib").Path(__file__).parent / "models" / "sim.toml"),
    {"Gd": (0.0, 60.0), "theta": (0.05, 0.5)}, periods=(1, 40)))
def test_property_random_shocks_keep_sim_consistent(data):
    from pathlib import Path

    sc = scenario_from_dict(data)
    r = bm.simulate(Path(__file__).parent / "models" / "sim.toml", sc, periods=60, progress=False, seed=0)
    assert_stock_flow_consistent(r)
    (name, value), = data["shock"][0]["set"].items()
    if name == "Gd":
        start = data["shock"][0]["start"]
        assert r["Gd"][0, -1] == value and r["Gd"][0, start - 1] == 20.0
