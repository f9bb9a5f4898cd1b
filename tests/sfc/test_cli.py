"""The CLI: simulate / check / models list, and user mistakes as one-line errors (exit 2, no traceback)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

BIN = [sys.executable, "-m", "bubblemachine"]


def run_subprocess(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*BIN, "--quiet", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def run(capsys, monkeypatch):
    """Run the real entry point (``bubblemachine.cli.main``) in-process; return code, stdout, stderr."""
    from bubblemachine.cli import main

    def _run(*args: str) -> subprocess.CompletedProcess:
        monkeypatch.setattr(sys, "argv", ["bubblemachine", "--quiet", *args])
        capsys.readouterr()
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return _run


def write(tmp_path: Path, text: str, name: str = "m.toml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


HEAD = '[model]\nname = "T"\n[equations]\n'

BAD = [
    ("unknown name", HEAD + 'x = "1 + Qq"\n', ["m.toml:4", "equations", "unknown name 'Qq'", "column 5"]),
    ("duplicate equation", HEAD + 'x = "1"\ny = "2"\nx = "3"\n', ["m.toml", "invalid TOML", "line 6"]),
    ("missing equation", HEAD + 'x = "1"\n[initial]\nH = 0\n', ["m.toml:6", "initial value for 'H', which has no equation"]),
    ("syntax error", HEAD + 'x = "1 + * 2"\n', ["m.toml:4", "syntax error", "column"]),
    ("eval attempt", HEAD + 'x = "__import__(0)"\n', ["unknown function '__import__'"]),
    ("lag of random", HEAD + 'x = "e[-1]"\n[random]\ne = { dist = "normal", mean = 0, sd = 1 }\n', ["lag of random variable 'e'"]),
    ("bad distribution", HEAD + 'x = "e"\n[random]\ne = { dist = "cauchy" }\n', ["unknown dist 'cauchy'"]),
    ("division by zero", HEAD + 'x = "1 / (3 - k)"\nk = "k[-1] + 1"\n', ["period 3 on path 0", "m.toml:4", "x = 1 / (3 - k)"]),
    ("not finite", HEAD + 'x = "exp(k)"\nk = "k[-1] + 400"\n', ["period 2 on path 0", "x = exp(k)"]),
    ("no [model]", '[equations]\nx = "1"\n', ["missing the model table"]),
]


@pytest.mark.parametrize("label,text,needles", BAD, ids=[b[0] for b in BAD])
def test_malformed_models_give_one_line_errors(run, tmp_path, label, text, needles):
    p = write(tmp_path, text)
    res = run("simulate", str(p), "--periods", "5")
    assert res.returncode == 2, (label, res.stdout, res.stderr)
    assert "Traceback" not in res.stderr
    msg = " ".join(res.stderr.split())
    for needle in needles:
        assert needle in msg, (label, needle, msg)


def test_accounting_error_via_cli(run, models_dir):
    res = run("simulate", str(models_dir / "leaky.toml"), "--periods", "5")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    msg = " ".join(res.stderr.split())
    assert "does not add up at period 1 on path 0" in msg and "transactions" in msg


def test_bad_scenario_and_set_via_cli(run, tmp_path, sim_path):
    sc = write(tmp_path, '[scenario]\nname = "x"\n[[shock]]\nset = { Y = 3 }\nstart = 2\n', "s.toml")
    res = run("simulate", str(sim_path), "--scenario", str(sc))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "'Y' is an endogenous variable" in " ".join(res.stderr.split())
    res = run("simulate", str(sim_path), "--set", "theta=abc")
    assert res.returncode == 2 and "not a number" in res.stderr
    res = run("simulate", "no-such-model")
    assert res.returncode == 2 and "no such file" in res.stderr


def test_simulate_csv_and_parquet(run, tmp_path, sim_path):
    out = tmp_path / "one.csv"
    res = run("simulate", str(sim_path), "--periods", "20", "--set", "Gd=25", "--save", "Y,Hh", "--out", str(out))
    assert res.returncode == 0, res.stderr
    df = pd.read_csv(out)
    assert list(df.columns) == ["period", "Y", "Hh"] and len(df) == 21
    assert df["Y"].iloc[1] == pytest.approx(25 / 0.52, rel=1e-12)
    sc = write(tmp_path, '[scenario]\nname = "mc"\npaths = 3\nseed = 4\n[uncertain]\ntheta = { dist = "uniform", low = 0.15, high = 0.25 }\n', "s.toml")
    out2 = tmp_path / "mc.parquet"
    res = run("simulate", str(sim_path), "--scenario", str(sc), "--periods", "10", "--out", str(out2))
    assert res.returncode == 0, res.stderr
    df2 = pd.read_parquet(out2)
    assert list(df2.columns[:2]) == ["path", "period"] and len(df2) == 33


def test_simulate_prints_summary_and_check_lists_blocks(run, tmp_path, sim_path):
    res = run("simulate", str(sim_path), "--periods", "30", "--seed", "1")
    assert res.returncode == 0 and "Y" in res.stdout and "seed 1" in res.stdout
    html = tmp_path / "g.html"
    res = run("check", str(sim_path), "--graph", str(html))
    assert res.returncode == 0, res.stderr
    assert "1 simultaneous" in res.stdout and "tears: Ns" in res.stdout and "ok" in res.stdout
    text = html.read_text()
    assert "<svg" in text and "Cd" in text and "http" not in text.split("<body", 1)[1].lower().replace("http://www.w3.org", "")


def test_models_list(run):
    res = run("models", "list")
    assert res.returncode == 0 and "shipped models" in res.stdout


def test_errors_from_the_installed_program_have_no_traceback(tmp_path):
    p = write(tmp_path, HEAD + 'x = "1 + Qq"\n')
    res = run_subprocess("simulate", str(p))
    assert res.returncode == 2 and "Traceback" not in res.stderr and "unknown name 'Qq'" in res.stderr
