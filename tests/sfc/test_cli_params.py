"""``bubblemachine models params`` and ``--set`` validation on the command line."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from bubblemachine.sfc import load_model


def _run(*args: str, columns: int = 80) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "COLUMNS": str(columns), "LANG": "C.UTF-8"}
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    r = subprocess.run([sys.executable, "-m", "bubblemachine", "--quiet", *args], capture_output=True, text=True,
                       timeout=300, env=env)
    # the one-line error may be wrapped at the terminal width: join it back for the checks
    return subprocess.CompletedProcess(r.args, r.returncode, r.stdout, " ".join(r.stderr.split()))


@pytest.fixture(scope="module")
def ai():
    return load_model("ai_liquidity")


def test_json_lists_every_record_with_numbers(ai):
    r = _run("models", "params", "ai_liquidity", "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert {x["name"] for x in rows} == set(ai.parameter_info)
    vt = next(x for x in rows if x["name"] == "vt_target")
    assert vt["value"] == pytest.approx(0.1) and vt["range"] == [0.05, 0.18] and vt["unit"] == "annual vol"
    assert vt["mechanism"] == ["M6.1"] and "Harvey" in vt["source"] and vt["defined_at"].startswith("ai_liquidity/")
    # grouped by mechanism: catalogue ids in numeric order, then the attribution groups
    first = [x["mechanism"][0] for x in rows]
    assert first[0] == "M1.1" and first[-1] == "noise"
    assert first.index("M2.1") < first.index("M10.1") if "M10.1" in first else True


def test_csv_round_trips(ai):
    r = _run("models", "params", "ai_liquidity", "--format", "csv", "--search", "capital")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    names = {x["name"] for x in rows}
    assert {"vt_capital", "cta_capital", "hf_capital"} <= names
    for x in rows:
        p = ai.parameter_info[x["name"]]
        assert float(x["value"]) == p.value
        assert (float(x["range_low"]), float(x["range_high"])) == p.range
        assert x["mechanism"].split(";") == list(p.mechanism)


def test_table_fits_80_columns_in_both_languages():
    from rich.cells import cell_len

    for lang, header in (("en", "parameter"), ("ko", "매개변수")):
        r = _run("models", "params", "ai_liquidity", "--lang", lang)
        assert r.returncode == 0, r.stderr
        lines = r.stdout.splitlines()
        assert max(cell_len(ln) for ln in lines) <= 80
        assert any(header in ln for ln in lines[:5])
        assert "vt_target" in r.stdout
    ko = _run("models", "params", "ai_liquidity", "--lang", "ko", "--search", "vt_target").stdout
    # units and column words in Korean; the group a parameter belongs to by its Korean label
    assert "연율 변동성" in ko and "범위" in ko and "출처" in ko
    noise = _run("models", "params", "ai_liquidity", "--lang", "ko", "--search", "sigma_spx").stdout
    assert "잡음" in noise and "로그/일" in noise


def test_search_and_no_match():
    r = _run("models", "params", "sim", "--search", "PROPENSITY wealth", "--format", "json")
    assert [x["name"] for x in json.loads(r.stdout)] == ["alpha2"]
    r = _run("models", "params", "sim", "--search", "nothing-like-this")
    assert r.returncode == 0 and "no parameter of SIM matches 'nothing-like-this'" in r.stdout
    assert json.loads(_run("models", "params", "sim", "--search", "zzz", "--format", "json").stdout) == []


def test_errors_are_one_line_exit_2():
    r = _run("models", "params", "no_such_model")
    assert r.returncode == 2 and "no shipped model of that name" in r.stderr and "Traceback" not in r.stderr
    r = _run("simulate", "sim", "--periods", "3", "--set", "alpha1=1.7")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "alpha1=1.7: outside the range 0..1 of alpha1" in r.stderr and "sim.toml:" in r.stderr
    r = _run("simulate", "sim", "--periods", "3", "--set", "alph1=0.5")
    assert r.returncode == 2 and "did you mean 'alpha1'" in r.stderr


def test_compare_and_explain_take_set(tmp_path):
    from pathlib import Path

    here = Path(__file__).resolve().parents[1] / "scenarios"
    base, qe = str(here / "scen" / "tiny_base.toml"), str(here / "scen" / "tiny_qe.toml")
    r = _run("scenario", "compare", base, qe, "--paths", "10", "--horizon", "20", "--set", "k_liq=0.25",
             "--format", "json")
    assert r.returncode == 0, r.stderr
    r = _run("scenario", "compare", base, qe, "--paths", "10", "--horizon", "20", "--set", "k_lq=0.25")
    assert r.returncode == 2 and "set k_lq: unknown name 'k_lq'" in r.stderr and "did you mean 'k_liq'" in r.stderr
    r = _run("explain", qe, "--paths", "10", "--horizon", "20", "--set", "phi=0.2", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["spx"]["set"] == {"phi": 0.2}
    r = _run("explain", qe, "--paths", "10", "--horizon", "20", "--set", "phi")
    assert r.returncode == 2 and "--set 'phi': expected name=value" in r.stderr
