"""compare / explain on a tiny contract-obeying model where everything is known by hand."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from bubblemachine.errors import ScenarioError
from bubblemachine.scenarios import list_scenarios, runner, scenario_path
from bubblemachine.scenarios.compare import change, compare, compare_arrays
from bubblemachine.scenarios.explain import explain, explain_arrays, save_list, write_chart
from bubblemachine.scenarios.series import PRICED, REPORTED, SERIES
from bubblemachine.sfc import load_model
from bubblemachine.sfc.attribution import AttributedSeries, Attribution, Group

TINY = load_model(str(__import__("pathlib").Path(__file__).parent / "models" / "tiny"))
GROUPS = TINY.attribution.group_ids

H = 20
# the tiny model's parameters (tests/scenarios/models/tiny/model.toml)
G_FISCAL, K_LIQ, PHI, BETA = 0.0002, 0.5, 0.1, 0.2
LIQ0, DLIQ, START, END = 5600.0, 10.0, 3, 12


def test_series_list_is_the_contract():
    assert REPORTED == ("spx", "ndx", "m7", "chips", "memory", "midcap_ai", "software", "energy", "btc", "eth",
                        "ust2y", "ust10y", "ig_oas", "hy_oas", "net_liquidity", "tga", "reserves", "on_rrp",
                        "vix", "spx_rvol", "ai_capex", "gdp", "consumption_wage_earners", "food", "healthcare")
    assert set(PRICED) <= set(REPORTED)
    assert {SERIES[s].kind for s in ("ust2y", "ust10y", "ig_oas", "hy_oas")} == {"rate"}
    assert SERIES["spx"].kind == "price" and SERIES["net_liquidity"].kind == "level"


def test_explain_tiny_matches_hand_computation(tiny_qe):
    (spx, ust) = explain(tiny_qe, paths=64, horizon=H, seed=3)
    plumbing = K_LIQ * sum(DLIQ / (LIQ0 + DLIQ * k) for k in range(END - START + 1))
    assert spx.contributions["plumbing"] == pytest.approx(plumbing, rel=1e-12)
    assert spx.contributions["fiscal"] == pytest.approx(G_FISCAL * H, rel=1e-12)
    for g in ("capex", "circular", "cascade", "cta", "buybacks", "hedging", "fundamentals"):
        assert spx.contributions[g] == 0.0
    # the groups add up exactly to the mean total log change
    assert sum(spx.contributions.values()) == pytest.approx(spx.total, abs=1e-12)
    run = runner.run(tiny_qe, paths=64, horizon=H, seed=3, save=save_list(TINY.attribution, "spx"))
    assert spx.total == pytest.approx(np.mean(np.log(run.arrays["spx"][:, H] / run.arrays["spx"][:, 0])), abs=1e-12)
    # voltarget = -phi * noise of the previous period, summed: -phi * (sum of noise over 1..H-1)
    noise = run.arrays["contrib_spx_noise"]
    assert spx.contributions["voltarget"] == pytest.approx(-PHI * np.mean(noise[:, 1:H].sum(axis=1)), abs=1e-14)
    assert ust.kind == "rate"
    assert ust.contributions["plumbing"] == pytest.approx(-BETA * DLIQ * (END - START + 1) / 1000, rel=1e-12)


def test_explain_vs_baseline_isolates_the_scenario(tiny_qe, tiny_base):
    (spx, ust) = explain(tiny_qe, paths=64, horizon=H, seed=3, vs=tiny_base)
    # common random numbers: noise, fiscal and voltarget cancel exactly; only plumbing remains
    for g in GROUPS:
        if g != "plumbing":
            assert spx.contributions[g] == pytest.approx(0.0, abs=1e-14), g
    assert spx.total == pytest.approx(spx.contributions["plumbing"], abs=1e-13)
    assert spx.median_total == pytest.approx(spx.total, abs=1e-13)
    assert ust.total == pytest.approx(-0.02, abs=1e-13)


def test_compare_tiny(tiny_base, tiny_qe):
    c = compare(tiny_base, tiny_qe, paths=100, horizon=H, seed=5)
    js = c.to_json()
    assert set(js) == {"spx", "ust10y", "net_liquidity"}  # the reported series the model defines
    assert set(js["spx"]) == {"a", "b", "diff_median"}
    assert set(js["spx"]["a"]) == {"median", "p05", "p95"}
    assert js["net_liquidity"]["a"] == {"median": 0.0, "p05": 0.0, "p95": 0.0}
    assert js["net_liquidity"]["b"]["median"] == pytest.approx(100.0)
    assert js["net_liquidity"]["diff_median"] == pytest.approx(100.0)
    assert js["ust10y"]["diff_median"] == pytest.approx(-0.02, abs=1e-12)
    # numbers vs numpy on the raw arrays
    ra = runner.run(tiny_base, paths=100, horizon=H, seed=5, save=["spx"])
    ch = np.log(ra.arrays["spx"][:, H]) - np.log(ra.arrays["spx"][:, 0])
    assert js["spx"]["a"]["median"] == pytest.approx(np.median(ch), abs=1e-14)
    assert js["spx"]["a"]["p05"] == pytest.approx(np.quantile(ch, 0.05), abs=1e-14)
    assert js["spx"]["a"]["p05"] < js["spx"]["a"]["median"] < js["spx"]["a"]["p95"]
    # the same scenario twice with the same seed: zero difference on every path
    same = compare(tiny_base, tiny_base, paths=30, horizon=H, seed=9).to_json()
    assert all(v["diff_median"] == 0.0 for v in same.values())
    # a different seed changes the draws
    other = compare(tiny_base, tiny_qe, paths=100, horizon=H, seed=6).to_json()
    assert other["spx"]["a"]["median"] != js["spx"]["a"]["median"]


def test_compare_arrays_and_change_definitions():
    a = {"spx": np.array([[100.0, 110.0], [100.0, 90.0]]), "ust10y": np.array([[4.0, 4.5], [4.0, 3.5]])}
    b = {"spx": np.array([[100.0, 121.0], [100.0, 99.0]]), "ust10y": np.array([[4.0, 4.6], [4.0, 3.6]])}
    np.testing.assert_allclose(change(a["spx"], "spx", 1), np.log([1.1, 0.9]))
    np.testing.assert_allclose(change(a["ust10y"], "ust10y", 1), [0.5, -0.5])
    c = compare_arrays(a, b, series=["spx", "ust10y"], horizon=1)
    assert c.rows["spx"]["diff_median"] == pytest.approx(np.median([np.log(1.1), np.log(1.1)]))
    assert c.rows["ust10y"]["diff_median"] == pytest.approx(0.1)


def test_explain_arrays_rejects_a_broken_identity():
    n, h = 3, 4
    arrays = {f"contrib_spx_{g}": np.zeros((n, h + 1)) for g in GROUPS}
    arrays["spx"] = np.full((n, h + 1), 100.0)
    arrays["spx"][:, -1] = 110.0  # a move no group explains
    with pytest.raises(ScenarioError, match="do not add up"):
        explain_arrays(arrays, series="spx", horizon=h, attribution=TINY.attribution)
    arrays["contrib_spx_fundamentals"][:, -1] = np.log(1.1)
    e = explain_arrays(arrays, series="spx", horizon=h, attribution=TINY.attribution)
    assert e.contributions["fundamentals"] == pytest.approx(np.log(1.1))
    assert list(e.contributions) == list(GROUPS)  # the model's order


def test_explain_arrays_follows_the_models_groups_and_change():
    # a model with three groups of its own, a log series and a level measured in differences
    attr = Attribution(
        groups=(Group("a", "A", "가"), Group("b", "B", "나"), Group("c", "C", "다")),
        series=(AttributedSeries("x", "log", (("a", "0"), ("b", "0"), ("c", "0"))),
                AttributedSeries("y", "diff", (("a", "0"), ("b", "0"), ("c", "0")))),
    )
    n, h = 2, 2
    arrays = {f"contrib_{s}_{g}": np.zeros((n, h + 1)) for s in "xy" for g in "abc"}
    arrays["x"] = np.array([[1.0, 2.0, 4.0]] * n)
    arrays["contrib_x_a"][:, 1:] = np.log(2.0)
    arrays["y"] = np.array([[1.0, 2.0, 4.0]] * n)
    arrays["contrib_y_c"][:, 1:] = [1.0, 2.0]
    ex = explain_arrays(arrays, series="x", horizon=h, attribution=attr)
    assert ex.kind == "price" and ex.contributions == pytest.approx({"a": 2 * np.log(2.0), "b": 0.0, "c": 0.0})
    assert ex.label("b", "ko") == "나" and ex.to_json()["groups"][2] == {"id": "c", "en": "C", "ko": "다"}
    ey = explain_arrays(arrays, series="y", horizon=h, attribution=attr)
    assert ey.kind == "rate" and ey.total == pytest.approx(3.0) and ey.contributions["c"] == pytest.approx(3.0)


def test_named_errors(tiny_base, tiny_qe):
    with pytest.raises(ScenarioError, match="unknown scenario 'nope'; valid scenarios"):
        scenario_path("nope")
    with pytest.raises(ScenarioError, match="not found"):
        scenario_path("missing/dir/x.toml")
    for bad in (0, -5, 2_000_000):
        with pytest.raises(ScenarioError, match="--paths must be between 1 and 1,000,000"):
            compare(tiny_base, tiny_qe, paths=bad, horizon=H)
    with pytest.raises(ScenarioError, match="--seed must be a non-negative integer"):
        compare(tiny_base, tiny_qe, paths=5, horizon=H, seed=-1)
    with pytest.raises(ScenarioError, match="--horizon"):
        explain(tiny_qe, paths=10, horizon=0)
    with pytest.raises(ScenarioError, match="unknown series 'spy'; valid series: spx, ust10y, net_liquidity"):
        compare(tiny_base, tiny_qe, paths=10, horizon=H, series=["spy"])
    with pytest.raises(ScenarioError, match="cannot explain 'net_liquidity'; valid series: spx, ust10y"):
        explain(tiny_qe, paths=10, horizon=H, series=["net_liquidity"])


def _cli(*args):
    import os

    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "bubblemachine", "--quiet", *args], capture_output=True, text=True,
                          env=env)


def _invoke(*args):
    from typer.testing import CliRunner

    from bubblemachine.cli import app

    res = CliRunner().invoke(app, ["--quiet", *args], env={"COLUMNS": "200"})
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    return res


def test_cli_compare_explain_list(tmp_path, tiny_base, tiny_qe):
    r = _invoke("scenario", "compare", tiny_base, tiny_qe, "--paths", "40", "--horizon", str(H), "--format", "json")
    assert r.exit_code == 0, r.output
    js = json.loads(r.stdout)
    assert js["paths"] == 40 and js["horizon"] == H
    assert js["series"]["ust10y"]["diff_median"] == pytest.approx(-0.02, abs=1e-12)
    assert js["series"]["ust10y"]["measure"] == "difference" and js["series"]["spx"]["measure"] == "log change"
    r = _invoke("scenario", "compare", tiny_base, tiny_qe, "--paths", "40", "--horizon", str(H))
    assert r.exit_code == 0 and "net_liquidity" in r.stdout and "tiny_qe" in r.stdout
    chart = tmp_path / "attr.html"
    r = _invoke("explain", tiny_qe, "--vs", tiny_base, "--paths", "40", "--horizon", str(H), "--series", "spx",
                "--format", "json", "--chart", str(chart))
    assert r.exit_code == 0, r.output
    js = json.loads(r.stdout)
    assert set(js) == {"spx"} and js["spx"]["vs"] == "tiny_base"
    assert sum(js["spx"]["contributions"].values()) == pytest.approx(js["spx"]["total"], abs=1e-12)
    html = chart.read_text(encoding="utf-8")
    assert "Plotly.newPlot" in html and "<script src=" not in html  # self-contained, offline
    r = _invoke("explain", tiny_qe, "--paths", "10", "--horizon", str(H))
    assert r.exit_code == 0 and "Plumbing" in r.stdout and "total (mean)" in r.stdout
    r = _invoke("explain", tiny_qe, "--paths", "10", "--horizon", str(H), "--lang", "ko")
    assert r.exit_code == 0 and "배관 / 통화" in r.stdout and "Plumbing" not in r.stdout  # the model's Korean labels
    r = _invoke("scenario", "list", "--format", "json")
    assert r.exit_code == 0
    assert [x["name"] for x in json.loads(r.stdout)] == list_scenarios()


def test_cli_errors_are_one_line_exit_2(tiny_qe):
    r = _cli("scenario", "compare", "nope", tiny_qe)
    assert r.returncode == 2 and "unknown scenario 'nope'" in r.stderr and "Traceback" not in r.stderr
    r = _cli("explain", tiny_qe, "--paths", "-3")
    assert r.returncode == 2 and "--paths" in r.stderr and "'-3'" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_write_chart_atomic(tmp_path, tiny_qe):
    out = explain(tiny_qe, paths=8, horizon=H)
    p = tmp_path / "sub" / "c.html"
    write_chart(out, p)
    assert p.read_text(encoding="utf-8").lower().startswith("<!doctype html>")
    assert not [q for q in p.parent.iterdir() if q.name.endswith(".tmp")]


def test_compare_set_applies_to_both_and_set_b_to_b_only(tiny_base):
    both = compare(tiny_base, tiny_base, paths=8, horizon=H, seed=2, set={"dliq": 10.0})
    assert both.rows["net_liquidity"]["a"].median == pytest.approx(10.0 * H)
    assert both.rows["net_liquidity"]["diff_median"] == 0.0
    assert both.set_a == both.set_b == {"dliq": 10.0}
    what_if = compare(tiny_base, tiny_base, paths=8, horizon=H, seed=2, set_b={"dliq": 10.0})
    assert what_if.rows["net_liquidity"]["diff_median"] == pytest.approx(10.0 * H)
    assert what_if.set_a == {} and what_if.set_b == {"dliq": 10.0}
    # explain applies set to the scenario and to vs alike: the effect cancels
    (spx, _) = explain(tiny_base, vs=tiny_base, paths=8, horizon=H, seed=2, set={"dliq": 10.0})
    assert spx.total == 0.0 and spx.set == {"dliq": 10.0}
    from bubblemachine.errors import ParameterError

    with pytest.raises(ParameterError, match=r"set_b dlq: unknown name 'dlq'.*did you mean 'dliq'"):
        compare(tiny_base, tiny_base, paths=2, horizon=H, set_b={"dlq": 1.0})


def test_paired_difference_by_hand():
    from bubblemachine.scenarios.compare import paired_difference

    a = np.array([[1.0, 2.0, 4.0], [1.0, 3.0, 9.0]])
    b = np.array([[1.0, 1.0, 2.0], [1.0, 3.0, 3.0]])
    np.testing.assert_allclose(paired_difference(a, b, 2), [2.0, 6.0], rtol=0, atol=0)
    np.testing.assert_allclose(paired_difference(a, b, 2, how="log"), [np.log(2.0), np.log(3.0)], rtol=1e-15)
    # a flow's total over periods 1..t (period 0 left out): (2 + 4) - (1 + 2), (3 + 9) - (3 + 3)
    np.testing.assert_allclose(paired_difference(a, b, 2, how="sum"), [3.0, 6.0], rtol=0, atol=0)
    with pytest.raises(ValueError, match="how='median'"):
        paired_difference(a, b, 2, how="median")
