"""``bubblemachine positions``: table, JSON schema, CSV, options and bad input."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from bubblemachine.cli import app
from bubblemachine.cli.positions import CSV_COLUMNS, SCENARIO_CSV_COLUMNS

runner = CliRunner()
REQUIRED = {"id", "seed", "statement_en", "statement_ko", "start", "end", "cagr", "vol", "sharpe", "max_drawdown",
            "benchmark_cagr", "alpha", "alpha_ci_low", "alpha_ci_high", "deflated_sharpe_p", "verdict"}  # fmt: skip


def test_json_schema_and_id_filter():
    res = runner.invoke(app, ["--quiet", "positions", "--id", "crypto_young,glp1_winners", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["id"] for r in rows] == ["crypto_young", "glp1_winners"]
    for r in rows:
        assert REQUIRED <= set(r), REQUIRED - set(r)
    cy, glp = rows
    assert cy["verdict"] in ("worked", "failed", "inconclusive") and cy["start"] == "2017-11-13"
    assert cy["alpha_ci_low"] <= cy["alpha"] <= cy["alpha_ci_high"]
    assert 0 <= cy["deflated_sharpe_p"] <= 1 and cy["deflated_sharpe_p"] == 1 - cy["deflated_sharpe"]
    assert glp["verdict"] == "not testable" and glp["cagr"] is None and glp["missing"] == ["LLY", "NVO"]
    for key in ("days", "months", "hac_lags", "n_trials"):
        assert isinstance(cy[key], int), key


def test_after_publication_is_the_window_after_the_article():
    res = runner.invoke(app, ["--quiet", "positions", "--id", "m7_midcap_eth", "--format", "json"])
    (row,) = json.loads(res.stdout)
    after = row["after_publication"]
    assert row["published"] == "2025-11-12" and after["start"] == "2025-11-12" and after["end"] == "2025-11-14"
    assert after["days"] == 2 and isinstance(after["return"], float)


def test_table_in_both_languages_and_csv():
    res = runner.invoke(app, ["--quiet", "positions", "--lang", "ko", "--id", "policy_premium"])
    assert res.exit_code == 0, res.output
    assert "기사의 투자 아이디어는 통했나?" in res.stdout and "policy_" in res.stdout and "판단" in res.stdout
    assert "투자 권유가 아닙니다" in res.stdout
    res = runner.invoke(app, ["--quiet", "positions", "--lang", "en", "--id", "policy_premium"])
    assert "Not investment advice" in res.stdout
    res = runner.invoke(app, ["--quiet", "positions", "--format", "csv", "--start", "2010-01-01", "--end", "2019-12-31"])
    assert res.exit_code == 0, res.output
    rows = list(csv.reader(io.StringIO(res.stdout)))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == 13
    starts = {r[0]: r[CSV_COLUMNS.index("start")] for r in rows[1:]}
    ends = {r[0]: r[CSV_COLUMNS.index("end")] for r in rows[1:]}
    assert starts["policy_premium"] >= "2010-01-01" and ends["policy_premium"] <= "2019-12-31"


def test_scenario_run_json_and_csv():
    res = runner.invoke(app, ["--quiet", "positions", "--id", "dont_play_cash", "--scenario", "shutdown", "--paths", "8",
                              "--format", "json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["paths"] == 8 and out["scenarios"] == ["shutdown"] and out["seed"] == 20251114
    (o,) = out["outcomes"]
    assert o["strategy"] == "dont_play_cash" and o["representable"] and o["vs_baseline_median"] is not None
    res = runner.invoke(app, ["--quiet", "positions", "--id", "glp1_winners", "--scenario", "baseline", "--paths", "4",
                              "--format", "csv"])  # fmt: skip
    rows = list(csv.reader(io.StringIO(res.stdout)))
    assert tuple(rows[0]) == SCENARIO_CSV_COLUMNS and rows[1][2] == "False" and rows[1][3] == "GLP1"


def test_scenario_table_prints():
    res = runner.invoke(app, ["--quiet", "positions", "--id", "crypto_young,dont_play_cash", "--scenario",
                              "baseline,reverse_qe", "--paths", "6", "--lang", "en"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "Which position wins in which world" in res.stdout and "reverse_qe" in res.stdout


def test_user_strategy_file(tmp_path):
    p = tmp_path / "mine.toml"
    p.write_text('[strategy]\nid = "mine"\nstatement_en = "QQQ."\nstatement_ko = "QQQ."\n[weights]\nQQQ = 1.0\n',
                 encoding="utf-8")  # fmt: skip
    res = runner.invoke(app, ["--quiet", "positions", "--file", str(p), "--id", "mine", "--format", "json"])
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.stdout)
    assert row["id"] == "mine" and row["seed"] == "user" and row["verdict"] != "not testable"


def test_bad_input_is_a_named_error(tmp_path):
    from bubblemachine.errors import BubbleMachineError

    bad = tmp_path / "bad.toml"
    bad.write_text('[strategy]\nid = "b"\nstatement_en = "x"\nstatement_ko = "x"\n[weights]\nMU = "lots"\n', encoding="utf-8")
    cases = [
        (["positions", "--id", "nope"], "unknown strategy 'nope'"),
        (["positions", "--file", str(bad)], "bad.toml: [weights] MU: weight must be a finite number"),
        (["positions", "--paths", "10"], "--paths and --seed apply to --scenario runs"),
        (["positions", "--start", "2020-13-01"], "--start: '2020-13-01' is not a date"),
        (["positions", "--start", "2020-01-01", "--end", "2019-01-01"], "is not before --end"),
        (["positions", "--scenario", "nope"], "unknown scenario 'nope'"),
        (["positions", "--scenario", "baseline", "--start", "2020-01-01"], "--start/--end apply to the historical"),
    ]
    for args, text in cases:
        res = runner.invoke(app, ["--quiet", *args])
        assert isinstance(res.exception, BubbleMachineError), (args, res.output, res.exception)
        assert text in str(res.exception), (args, str(res.exception))
    res = runner.invoke(app, ["positions", "--format", "xml"])
    assert res.exit_code == 2 and "xml" in res.output


def test_a_user_mistake_exits_2_with_one_line():
    import os
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("bubblemachine")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from bubblemachine.cli import main; main()"]
    proc = subprocess.run([*cmd, "positions", "--id", "nope"], capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert proc.returncode == 2
    assert "unknown strategy 'nope'" in " ".join(proc.stderr.split()) and "Traceback" not in proc.stderr
    assert proc.stderr.count("error:") == 1
