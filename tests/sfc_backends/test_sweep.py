"""Sweeps: shards equal individual simulate runs, seeds, manifest written last, CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_simulate_backends import MODEL
from typer.testing import CliRunner

from bubblemachine import sfc
from bubblemachine.errors import ScenarioError, SimulationError
from bubblemachine.sfc.sweeps import SweepResult, parse_grid_spec, point_seeds, sweep

GRID = {"alpha1": [0.55, 0.65], "theta": [0.15, 0.2, 0.25]}
UNC = {"scenario": {"name": "unc"}, "uncertain": {"alpha2": {"dist": "uniform", "low": 0.3, "high": 0.5}}}


@pytest.fixture(scope="module")
def model():
    return sfc.loads_model(MODEL)


@pytest.fixture(scope="module")
def done(model, tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "sw"
    scenario = sfc.scenario_from_dict(UNC)
    res = sweep(model, GRID, scenario=scenario, paths=5, periods=12, seed=77, out=out, progress=False)
    return res, scenario


def test_parse_grid_spec_forms():
    assert parse_grid_spec("alpha1=0.5:0.7:5") == ("alpha1", pytest.approx([0.5, 0.55, 0.6, 0.65, 0.7]))
    assert parse_grid_spec("alpha1=0.5:0.7:5")[1][-1] == 0.7  # the end point is exact
    assert parse_grid_spec(" theta = 0.15,0.2,0.25 ") == ("theta", [0.15, 0.2, 0.25])
    assert parse_grid_spec("G=20") == ("G", [20.0])
    assert parse_grid_spec("G=1:9:1") == ("G", [1.0])


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ("alpha1", "expected NAME=START:STOP:N"),
        ("=0.5", "expected NAME=START:STOP:N"),
        ("alpha1=0.5:0.7", "three numbers"),
        ("alpha1=0.5:0.7:x", "whole number"),
        ("alpha1=0.5:0.7:0", ">= 1"),
        ("alpha1=0.5,abc", "'abc' is not a number"),
        ("alpha1=nan", "not a finite number"),
    ],
)
def test_parse_grid_spec_errors_name_the_spec(spec, match):
    with pytest.raises(ScenarioError, match=match) as exc:
        parse_grid_spec(spec)
    assert f"--grid {spec!r}" in str(exc.value)


@pytest.mark.parametrize(
    ("grid", "match"),
    [
        ({}, "non-empty mapping"),
        ({"beta": [1.0]}, "grid beta: unknown name 'beta'"),
        ({"Y": [1.0]}, "grid Y: "),
        ({"alpha1": []}, "grid alpha1: expected a number or a non-empty list"),
        ({"alpha1": ["x"]}, "grid alpha1: expected"),
        ({"alpha1": [float("inf")]}, "grid alpha1: expected"),
    ],
)
def test_bad_grids_are_named(model, grid, match, tmp_path):
    with pytest.raises(ScenarioError, match=match):
        sweep(model, grid, out=tmp_path / "x", progress=False)
    assert not (tmp_path / "x" / "sweep.json").exists()


def test_index_is_the_cartesian_product_with_spawned_seeds(done):
    res, _ = done
    idx = res.points
    assert len(res) == 6 and list(idx["point"]) == list(range(6))
    assert list(zip(idx["alpha1"], idx["theta"], strict=True)) == [(a, t) for a in GRID["alpha1"] for t in GRID["theta"]]
    expected = [int(c.generate_state(1, np.uint64)[0]) for c in np.random.SeedSequence(77).spawn(6)]
    assert [int(s) for s in idx["seed"]] == expected == point_seeds(77, 6)
    assert len(set(expected)) == 6
    m = json.loads((res.out / "sweep.json").read_text())
    assert m["seed"] == 77 and m["points"] == 6 and m["grid"] == GRID
    assert m["shards"] == list(idx["shard"])
    res.check()


def test_every_shard_equals_an_individual_simulate_run(done, model):
    res, scenario = done
    for i in range(len(res)):
        r = sfc.simulate(model, scenario, paths=5, periods=12, seed=res.point_seed(i), set=res.params(i), progress=False)
        shard = res.point(i)
        assert list(shard["path"]) == list(np.repeat(np.arange(5), 13))
        assert list(shard["period"]) == list(np.tile(np.arange(13), 5))
        for name in r.names:
            assert np.array_equal(shard[name].to_numpy().reshape(5, 13), r[name]), (i, name)
        assert np.array_equal(shard["uncertain.alpha2"].to_numpy().reshape(5, 13)[:, 0], r.param("alpha2"))
    # the points are really different runs: distinct shocks, distinct parameters
    a, b = res.point(0)["eps"].to_numpy(), res.point(1)["eps"].to_numpy()
    assert not np.array_equal(a, b)


def test_summary_is_computed_from_the_final_period(done):
    res, _ = done
    s = res.summary("Y")
    assert list(s.columns[:3]) == ["point", "alpha1", "theta"]
    for i in range(len(res)):
        df = res.point(i)
        final = df.loc[df["period"] == 12, "Y"].to_numpy()
        row = s[s["point"] == i].iloc[0]
        assert row["mean"] == pytest.approx(final.mean(), rel=1e-12)
        assert row["sd"] == pytest.approx(final.std(ddof=1), rel=1e-12)
        assert row["q50"] == pytest.approx(np.median(final), rel=1e-12)
        assert row["q5"] == pytest.approx(np.quantile(final, 0.05), rel=1e-12)
    with pytest.raises(ScenarioError, match="'nope' was not saved"):
        res.summary("nope")


def test_to_pandas_joins_grid_values(done):
    res, _ = done
    df = res.to_pandas(columns=["Y"])
    assert list(df.columns) == ["point", "alpha1", "theta", "path", "period", "Y"]
    assert len(df) == 6 * 5 * 13
    sub = df[df["point"] == 4]
    assert (sub["alpha1"] == 0.65).all() and (sub["theta"] == 0.2).all()
    assert np.array_equal(sub["Y"].to_numpy(), res.point(4)["Y"].to_numpy())
    assert res.dataset().count_rows() == len(df)
    with pytest.raises(ScenarioError, match="0 <= i < 6"):
        res.point(6)


def test_process_backend_writes_identical_shards(done, model, tmp_path, pool):
    res, scenario = done
    res2 = sweep(model, GRID, scenario=scenario, paths=5, periods=12, seed=77, out=tmp_path / "p",
                 backend=pool, progress=False)
    for i in range(len(res)):
        assert res.point(i).equals(res2.point(i))
    assert res2.manifest["backend"] == "process"


def test_common_seed_uses_the_root_seed_everywhere(model, tmp_path):
    res = sweep(model, {"alpha1": [0.5, 0.6]}, paths=3, periods=4, seed=5, out=tmp_path / "c",
                common_seed=True, progress=False)
    assert [int(s) for s in res.points["seed"]] == [5, 5]
    # same shocks at both points: common random numbers
    assert np.array_equal(res.point(0)["eps"].to_numpy(), res.point(1)["eps"].to_numpy())
    r = sfc.simulate(model, paths=3, periods=4, seed=5, set={"alpha1": 0.6}, progress=False)
    assert np.array_equal(res.point(1)["Y"].to_numpy().reshape(3, 5), r["Y"])


def test_failed_point_leaves_no_manifest(model, tmp_path):
    out = tmp_path / "fail"
    # alpha1 = 1, theta = 0 makes Y = Y + G: no solution at the last point only
    with pytest.raises(SimulationError, match="TINY"):
        sweep(model, {"alpha1": [0.6, 1.0], "theta": [0.2, 0.0]}, paths=2, periods=5, seed=1, out=out, progress=False)
    assert not (out / "sweep.json").exists()
    assert not (out / "index.parquet").exists()
    assert len(list((out / "points").glob("point-*.parquet"))) == 3
    assert not list((out / "points").glob(".*tmp"))
    with pytest.raises(ScenarioError, match="did not finish \\(3 point shard"):
        SweepResult(out)
    with pytest.raises(ScenarioError, match="already holds an unfinished sweep"):
        sweep(model, {"alpha1": [0.6]}, paths=2, periods=5, seed=1, out=out, progress=False)
    res = sweep(model, {"alpha1": [0.6]}, paths=2, periods=5, seed=1, out=out, overwrite=True, progress=False)
    assert len(res) == 1
    assert sorted(p.name for p in (out / "points").iterdir()) == ["point-000000.parquet"]


def test_a_sweep_that_fails_before_any_shard_leaves_nothing(model, tmp_path):
    """A failed start does not leave an 'unfinished' folder that then needs --force."""
    out = tmp_path / "nothing"
    with pytest.raises(SimulationError, match="TINY"):
        sweep(model, {"alpha1": [1.0], "theta": [0.0]}, paths=2, periods=5, seed=1, out=out, progress=False)
    assert not out.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SimulationError, match="TINY"):
        sweep(model, {"alpha1": [1.0], "theta": [0.0]}, paths=2, periods=5, seed=1, out=empty, progress=False)
    assert empty.is_dir() and not any(empty.iterdir())  # a folder the user made stays, empty
    res = sweep(model, {"alpha1": [0.6]}, paths=2, periods=5, seed=1, out=out, progress=False)  # no --force needed
    assert len(res) == 1


def test_show_is_checked_before_the_sweep_runs(tmp_path):
    from bubblemachine.cli import app

    out = tmp_path / "s"
    r = CliRunner().invoke(app, ["sweep", "sim", "--grid", "alpha1=0.5,0.6", "--show", "nosuch", "--out", str(out)])
    assert r.exit_code != 0 and "--show nosuch: not saved" in " ".join(str(r.exception or r.output).split())
    assert not out.exists()


def test_overwrite_removes_the_manifest_first(model, tmp_path, monkeypatch):
    out = tmp_path / "ow"
    sweep(model, {"alpha1": [0.5, 0.6]}, paths=2, periods=3, seed=1, out=out, progress=False)
    assert (out / "sweep.json").exists()
    with pytest.raises(ScenarioError, match="already holds a sweep"):
        sweep(model, {"alpha1": [0.5]}, paths=2, periods=3, seed=1, out=out, progress=False)
    import bubblemachine.sfc.sweeps as S

    def boom(*a, **k):
        assert not (out / "sweep.json").exists(), "old manifest still there while new shards are written"
        raise OSError("disk full (test)")

    monkeypatch.setattr(S, "_write_shard", boom)
    with pytest.raises(OSError, match="disk full"):
        sweep(model, {"alpha1": [0.5]}, paths=2, periods=3, seed=1, out=out, overwrite=True, progress=False)
    assert not (out / "sweep.json").exists()


def test_manifest_pointing_at_a_missing_shard_is_refused(model, tmp_path):
    out = tmp_path / "miss"
    res = sweep(model, {"alpha1": [0.5, 0.6]}, paths=2, periods=3, seed=1, out=out, progress=False)
    res.shard_path(1).unlink()
    with pytest.raises(ScenarioError, match="1 shard\\(s\\) listed in sweep.json are missing"):
        SweepResult(out)


def test_out_must_be_empty_or_a_sweep(model, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ScenarioError, match="not empty and holds no sweep"):
        sweep(model, {"alpha1": [0.5]}, out=tmp_path, progress=False)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_default_out_is_under_home(model, _isolated_home):
    res = sweep(model, {"alpha1": [0.5]}, paths=1, periods=2, seed=3, progress=False)
    assert res.out.parent == Path(_isolated_home) / "sweeps"


def test_killed_sweep_leaves_no_manifest(tmp_path):
    """SIGKILL a CLI sweep after its first shard: shards stay, no manifest, no temp files promoted."""
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "bubblemachine", "--quiet", "sweep", "sim", "--grid", "alpha1=0.5:0.7:400",
           "--paths", "200", "--periods", "200", "--seed", "1", "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while time.time() < deadline and not list((out / "points").glob("point-*.parquet")):
            time.sleep(0.05)
        assert list((out / "points").glob("point-*.parquet")), "no shard written within 60 s"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(30)
    assert not (out / "sweep.json").exists()
    with pytest.raises(ScenarioError, match="did not finish"):
        SweepResult(out)


def test_cli_sweep_end_to_end(tmp_path):
    from bubblemachine.cli import app

    out = tmp_path / "cli"
    r = CliRunner().invoke(app, ["--quiet", "sweep", "sim", "--grid", "alpha1=0.5:0.7:3", "--grid", "theta=0.2,0.25",
                                 "--periods", "400", "--seed", "9", "--save", "Y,Hh", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "6 points" in r.output and "wrote" in r.output
    res = SweepResult(out)
    assert res.names == ["Y", "Hh"]
    s = res.summary("Y")
    # SIM's steady state: Y* = G / theta, whatever alpha1
    np.testing.assert_allclose(s["mean"], 20.0 / s["theta"], rtol=1e-6)
    r = CliRunner().invoke(app, ["--quiet", "sweep", "sim", "--grid", "theta=0.2", "--periods", "3", "--json",
                                 "--out", str(tmp_path / "j")])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["manifest"]["points"] == 1 and data["summary"][0]["variable"] == "Cs"


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--grid", "alpha1=0.5:0.7"], "--grid 'alpha1=0.5:0.7'"),
        (["--grid", "alpha9=1"], "grid alpha9: unknown name"),
        (["--grid", "theta=0.2", "--grid", "theta=0.3"], "theta is given twice"),
        (["--grid", "theta=0.2", "--save", "Y", "--show", "nope"], "--show nope: not saved"),
    ],
)
def test_cli_errors_name_the_option(args, match, tmp_path):
    from bubblemachine.cli import app
    from bubblemachine.errors import BubbleMachineError

    r = CliRunner().invoke(app, ["--quiet", "sweep", "sim", *args, "--periods", "2", "--out", str(tmp_path / "e")])
    assert isinstance(r.exception, BubbleMachineError), r.output
    assert match in str(r.exception)
    assert not (tmp_path / "e" / "sweep.json").exists()


def test_cli_error_is_one_red_line_exit_2(tmp_path):
    cmd = [sys.executable, "-m", "bubblemachine", "--quiet", "sweep", "sim", "--grid", "alpha1=0.5:0.7",
           "--out", str(tmp_path / "e")]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert p.returncode == 2, p.stderr
    assert "--grid 'alpha1=0.5:0.7': a range is START:STOP:N" in " ".join(p.stderr.split())
    assert "Traceback" not in p.stderr


def test_sweep_is_reachable_from_the_package(model, tmp_path):
    import bubblemachine

    res = bubblemachine.sweep(model, {"alpha1": [0.5]}, paths=1, periods=2, seed=1, out=tmp_path / "a", progress=False)
    assert isinstance(res, SweepResult)
    res = sfc.sweep(model, {"alpha1": [0.5]}, paths=1, periods=2, seed=1, out=tmp_path / "b", progress=False)
    assert isinstance(res, SweepResult)
    assert isinstance(pd.read_parquet(res.out / "index.parquet"), pd.DataFrame)


def test_importing_the_sweeps_module_does_not_shadow_the_function():
    import types

    import bubblemachine
    import bubblemachine.sfc.sweeps  # noqa: F401

    assert isinstance(sfc.sweep, types.FunctionType)
    assert bubblemachine.sweep is sfc.sweep
