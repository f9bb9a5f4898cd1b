"""Global sensitivity analysis: parameter selection, answers with common random numbers,
Morris and Sobol against closed forms, verdicts, result forms, the command line, the report.

The toy model (conftest) has a closed-form answer: ``r`` (a level) gains exactly ``q`` per
period under the scenario and nothing else, so its answer over H periods is ``q * H`` on every
path, whatever the noise; ``p``'s answer depends on ``a`` only (plus noise interactions, as a
level difference of a random walk).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from bubblemachine.cli import app
from bubblemachine.errors import ParameterError, ScenarioError, SimulationError
from bubblemachine.sensitivity import select_parameters, sensitivity
from bubblemachine.sensitivity.result import SensitivityResult, verdict

H = 10  # the toy scenario's periods


def _run(toy, **kw):
    shock, base = toy
    kw.setdefault("series", ["r", "p"])
    kw.setdefault("vs", str(base))
    kw.setdefault("progress", False)
    kw.setdefault("paths", 8)
    return sensitivity(str(shock), **kw)


# --------------------------------------------------------------------------- selection
def test_rough_parameters_with_ranges_are_selected_and_scaled(toy):
    from bubblemachine.scenarios import runner

    _, model, _ = runner.load(str(toy[0]))
    specs = {s.name: s for s in select_parameters(model)}
    # z is not rough, k has no record/range, x is an exogenous lever
    assert set(specs) == {"a", "b", "c", "q", "w"}
    assert specs["w"].log and not specs["q"].log  # 0.01..100 spans 4 orders of magnitude
    assert specs["w"].from_space(np.log([0.01, 100.0])).tolist() == pytest.approx([0.01, 100.0])
    assert {s.name for s in select_parameters(model, include="all")} == {"a", "b", "c", "q", "w", "z"}
    assert {s.name for s in select_parameters(model, exclude={"a"})} == {"b", "c", "q", "w"}


@pytest.mark.parametrize("names, match", [
    (["qq"], "did you mean 'q'"),
    (["x"], "exogenous scenario lever"),
    (["k"], "no finite range"),
])
def test_explicit_parameters_are_checked(toy, names, match):
    from bubblemachine.scenarios import runner

    _, model, _ = runner.load(str(toy[0]))
    with pytest.raises(ParameterError, match=match):
        select_parameters(model, names=names)


def test_a_shocked_input_cannot_be_varied(toy, tmp_path):
    shock, base = toy
    text = shock.read_text().replace("set = { x = 1.0 }", "set = { x = 1.0, q = 2.5 }")
    s2 = tmp_path / "shock_q.toml"
    s2.write_text(text)
    r = sensitivity(str(s2), series=["r"], vs=str(base), progress=False, paths=2, top=0)
    assert "q" not in {p.name for p in r.parameters}
    with pytest.raises(ParameterError, match="shocks q"):
        sensitivity(str(s2), series=["r"], vs=str(base), parameters=["q"], progress=False, paths=2, top=0)


# --------------------------------------------------------------------------- answers and indices
def test_answer_and_morris_match_the_closed_form(toy):
    res = _run(toy, top=0, trajectories=6)
    r = res.series["r"]
    # at the defaults q = 2: r gains 2 per period under the shock, paths paired by the seed
    assert r.robustness.default == pytest.approx(2.0 * H, abs=1e-9)
    # answers over the parameter samples lie in q's range x H
    assert 1.0 * H - 1e-9 <= r.robustness.q05 <= r.robustness.q95 <= 3.0 * H + 1e-9
    top = r.morris[0]
    assert top.parameter == "q" and top.rank == 1
    # linear in q: every elementary effect equals H x (range width 2) in SALib's units
    assert top.mu_star == pytest.approx(2.0 * H, rel=1e-9)
    assert top.sigma == pytest.approx(0.0, abs=1e-9)
    assert all(m.mu_star == pytest.approx(0.0, abs=1e-9) for m in r.morris[1:])
    assert r.robustness.share_same_sign == 1.0 and r.robustness.verdict == "robust"
    # p: only a drives it (b, c act only through noise interactions of the level difference)
    p = res.series["p"]
    assert p.morris[0].parameter == "a"
    assert p.morris[0].mu_star > 20 * max(m.mu_star for m in p.morris[1:])


def test_common_random_numbers_make_runs_reproducible(toy):
    a = _run(toy, top=0, series=["p"])
    b = _run(toy, top=0, series=["p"])
    assert a.series["p"].robustness.default == b.series["p"].robustness.default
    assert [m.mu_star for m in a.series["p"].morris] == [m.mu_star for m in b.series["p"].morris]
    c = _run(toy, top=0, series=["p"], seed=8)
    assert c.series["p"].robustness.default != a.series["p"].robustness.default


def test_sobol_gives_the_whole_variance_to_the_only_driver(toy):
    res = _run(toy, series=["r"], top=2, sobol_samples=64)
    assert res.screened_top == ("q",)  # parameters with no effect are not passed on
    [q] = res.series["r"].sobol
    assert q.parameter == "q"
    assert q.st == pytest.approx(1.0, abs=max(0.15, q.st_conf))
    assert q.s1 == pytest.approx(1.0, abs=max(0.15, q.s1_conf))
    assert res.series["r"].robustness.drivers[0] == "q"
    # runs: (trajectories x (k + 1) + 1 defaults) + n x (top + 2), each with the baseline
    k = len(res.parameters)
    assert res.runs == 2 * ((4 * (k + 1) + 1) + 64 * (1 + 2))


def test_without_comparison_the_answer_is_the_change_itself(toy):
    shock, _ = toy
    res = sensitivity(str(shock), series=["r"], vs=None, progress=False, paths=64, top=0)
    assert res.vs is None
    # r = r[-1] + q x + 0.01 eps: mean change = q H + noise mean (small)
    assert res.series["r"].robustness.default == pytest.approx(2.0 * H, abs=0.05)


def test_fragile_and_no_effect_verdicts():
    assert verdict(0.0, math.nan, 1.0) == "none"
    assert verdict(0.5, 0.95, 1.0) == "robust"
    assert verdict(0.5, 0.8, 1.0) == "mostly"
    assert verdict(-0.5, 0.5, 1.0) == "fragile"


def test_a_failing_sample_is_named(tmp_path):
    mdir = tmp_path / "bad"
    mdir.mkdir()
    (mdir / "model.toml").write_text("""
[model]
name = "bad"
[equations]
y = "y[-1] + log(dd)"
[parameters]
dd = { value = 1.0, range = [-1.0, 2.0], source = "rough" }
[initial]
y = 0.0
""")
    scen = tmp_path / "s.toml"
    scen.write_text(f'[scenario]\nname = "s"\nmodel = "{mdir.as_posix()}"\nperiods = 3\n')
    with pytest.raises(SimulationError, match=r"parameter samples failed; the first \(sample \d+: dd=(0|-)"):
        sensitivity(str(scen), series=["y"], vs=None, progress=False, paths=1, top=0)


@pytest.mark.parametrize("kw, match", [
    ({"series": []}, "name at least one series"),
    ({"series": ["rr"]}, "did you mean 'r'"),
    ({"sobol_samples": 10}, "power of two"),
    ({"levels": 3}, "must be even"),
    ({"paths": 0}, "--paths"),
    ({"stat": "mode"}, "--stat"),
    ({"include": "some"}, "--include"),
])
def test_bad_options_are_named_errors(toy, kw, match):
    with pytest.raises(ScenarioError, match=match):
        _run(toy, **kw)


def test_comparison_must_run_the_same_model(toy):
    with pytest.raises(ScenarioError, match="runs model ai_liquidity"):
        sensitivity(str(toy[0]), series=["r"], vs="baseline", progress=False)


# --------------------------------------------------------------------------- forms
def test_json_round_trip_and_csv(toy):
    res = _run(toy, top=1, sobol_samples=8)
    again = SensitivityResult.from_json(json.loads(json.dumps(res.to_json())))
    assert again.to_json() == res.to_json()
    lines = res.to_csv().splitlines()
    assert lines[0] == "series,method,parameter,index,value,conf"
    rows = [ln.split(",") for ln in lines[1:]]
    mu = [r for r in rows if r[0] == "r" and r[1] == "morris" and r[2] == "q" and r[3] == "mu_star"]
    assert len(mu) == 1 and float(mu[0][4]) == pytest.approx(2.0 * H)


def test_process_backend_gives_the_same_answers(toy):
    serial = _run(toy, top=0, series=["p"])
    proc = _run(toy, top=0, series=["p"], backend="process", workers=2)
    assert [m.mu_star for m in proc.series["p"].morris] == [m.mu_star for m in serial.series["p"].morris]


# --------------------------------------------------------------------------- command line and report
runner = CliRunner()


def test_cli_table_json_csv_and_saved_result(toy, _isolated_home):
    shock, base = toy
    common = [str(shock), "--vs", str(base), "--series", "r", "--paths", "4", "--top", "1", "--sobol-samples", "8"]
    out = runner.invoke(app, ["sensitivity", *common, "--lang", "en"])
    assert out.exit_code == 0, out.output
    assert "Morris screening for r" in out.output and "robust" in out.output
    ko = runner.invoke(app, ["sensitivity", *common, "--lang", "ko"])
    assert ko.exit_code == 0 and "모리스 선별" in ko.output
    js = runner.invoke(app, ["sensitivity", *common, "--format", "json"])
    assert js.exit_code == 0
    d = json.loads(js.output)
    assert d["series"]["r"]["morris"][0]["parameter"] == "q"
    csv_out = runner.invoke(app, ["sensitivity", *common, "--format", "csv"])
    assert csv_out.exit_code == 0 and csv_out.output.startswith("series,method,parameter,index,value,conf")
    saved = _isolated_home / "sensitivity" / "shock.json"
    assert json.loads(saved.read_text())["scenario"] == "shock"


def test_cli_bad_option_is_one_line_exit_2(toy):
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("bubblemachine")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "bubblemachine"]
    out = subprocess.run([*cmd, "sensitivity", str(toy[0]), "--vs", "none", "--series", "r", "--sobol-samples", "12"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "power of two" in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_report_section_shows_saved_results_in_both_languages(toy):
    from bubblemachine.report.i18n import Catalog
    from bubblemachine.sensitivity.report import I18N_DIR, save_result, sensitivity_section

    save_result(_run(toy, top=1, sobol_samples=8))

    class Ctx:
        catalog = Catalog.load([I18N_DIR])

    sec = sensitivity_section(Ctx())
    assert sec is not None and sec.id == "sensitivity"
    table = next(b for b in sec.blocks if getattr(b, "id", "") == "sensitivity-table")
    mine = [row for row in table.rows if row[0].key == "sensitivity.dyn.scenario.shock"]
    assert [row[1] for row in mine] == ["r", "p"]
    # the shipped result (reverse_qe on the AI model) is shown too, marked by model version
    assert any(row[0].key == "sensitivity.dyn.scenario.reverse_qe" for row in table.rows)
    missing = Ctx.catalog.missing(sec.keys())
    assert missing == {"en": [], "ko": []}
