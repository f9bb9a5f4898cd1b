"""``bubblemachine claims``: table (80 columns, units, deciding rule, both languages), JSON
schema incl. C2.3/C2.4, CSV, --asof, --history, bad input."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from bubblemachine.cli import app
from bubblemachine.cli.claims import CSV_COLUMNS, HISTORY_CSV_COLUMNS

runner = CliRunner()
REQUIRED = {"id", "statement_en", "statement_ko", "verdict", "verdict_class", "decided_by", "effect", "ci_low", "ci_high", "n",
            "sample_start", "sample_end", "window", "units", "units_ko", "p_value", "p_adjusted", "p_holm", "p_bh", "holm_survives",
            "caveats", "thresholds", "needs", "data_end"}  # fmt: skip


def test_json_schema_including_the_new_claims():
    res = runner.invoke(app, ["--quiet", "claims", "--id", "C2.1,C3.1-TSLA-2010-15", "--id", "F7.1", "--id", "C2.3,C2.4", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["id"] for r in rows] == ["C2.1", "C3.1-TSLA-2010-15", "F7.1", "C2.3", "C2.4"]
    for r in rows:
        assert REQUIRED <= set(r), REQUIRED - set(r)
        assert r["verdict"] in ("supported", "contradicted", "inconclusive", "not testable", "not testable yet", "error")
        assert r["verdict_class"] == "verdict-" + r["verdict"].replace(" ", "_")
        assert isinstance(r["thresholds"], dict) and "text" in r["thresholds"] and "short" in r["thresholds"]
        assert r["decided_by"]["text_en"] and r["decided_by"]["text_ko"]
        assert r["window"]["kind"] in ("fixed", "open")
    c21, tsla, f71, c23, c24 = rows
    assert c21["n"] > 400 and c21["ci_low"] <= c21["ci_high"] and c21["window"] == {"kind": "open", "start": "2010-01-01", "end": None, "complete": None}
    assert tsla["window"]["kind"] == "fixed" and tsla["window"]["complete"] is True
    assert f71["verdict"] == "not testable" and f71["effect"] is None and f71["needs"]
    assert c24["verdict"] == "not testable yet" and c24["window"]["end"] == "2026-12-31"
    assert c23["window"]["kind"] == "open"


def test_csv_header_and_rows():
    res = runner.invoke(app, ["--quiet", "claims", "--id", "C6.2", "--format", "csv"])
    assert res.exit_code == 0, res.output
    rows = list(csv.reader(io.StringIO(res.stdout)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 2 and rows[1][0] == "C6.2"
    row = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert float(row["ci_low"]) <= float(row["effect"]) <= float(row["ci_high"])
    assert row["window_kind"] == "open" and row["threshold"] == "CI < 0" and row["holm_survives"] in ("true", "false")


def test_asof_limits_sample_end():
    res = runner.invoke(app, ["--quiet", "claims", "--id", "C2.1-BTC", "--id", "C6.3", "--asof", "2019-12-31", "--format", "json"])
    assert res.exit_code == 0, res.output
    for r in json.loads(res.stdout):
        assert r["sample_end"] <= "2019-12-31"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_table_fits_80_columns_with_units_and_rule(lang):
    res = runner.invoke(app, ["--quiet", "claims", "--id", "C2.1,F4.2-2024,C3.1-TSLA-2010-15,C2.4", "--lang", lang], terminal_width=80)
    assert res.exit_code == 0, res.output
    from rich.cells import cell_len

    assert max(cell_len(line) for line in res.stdout.splitlines()) <= 80
    out = res.stdout.replace("\n", " ")
    if lang == "en":
        assert "correlation (weekly)" in out and "materiality threshold 0.1" in res.stdout.replace("\n ", " ")
        assert "Multiple testing" in out and "Holm" in out and "open window" in out and "fixed window" in out
    else:
        assert "상관계수(주간)" in out and "중요도 기준(0.1)" in out and "반박" in out and "다중검정" in out and "아직 검증 불가" in out


def test_lang_defaults_from_the_locale(monkeypatch):
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    res = runner.invoke(app, ["--quiet", "claims", "--id", "C6.2"], terminal_width=80)
    assert res.exit_code == 0 and "판정" in res.stdout


def test_history_serial_table_json_csv():
    args = ["--quiet", "claims", "--history", "--id", "C3.1-TSLA-2010-15,C6.2", "--start", "2014-06-30", "--backend", "serial"]
    res = runner.invoke(app, [*args, "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    dates = sorted({r["asof"] for r in rows})
    assert dates[0] == "2014-12-31" and dates[-1] == "2025-11-14" and len(dates) == 12
    tsla = [r for r in rows if r["id"] == "C3.1-TSLA-2010-15"]
    assert [r["verdict"] for r in tsla] == ["inconclusive"] + ["supported"] * 11  # the window was still open at the end of 2014
    res = runner.invoke(app, [*args, "--format", "csv"])
    assert tuple(next(csv.reader(io.StringIO(res.stdout)))) == HISTORY_CSV_COLUMNS
    res = runner.invoke(app, [*args, "--every", "year"], terminal_width=80)
    assert res.exit_code == 0 and "C6.2" in res.stdout
    assert "?+++++++++++" in res.stdout  # one mark a date: ? in 2014, + from 2015
    res = runner.invoke(app, ["--quiet", "claims", "--history", "--id", "C6.2", "--start", "2023-01-01", "--backend", "serial"], terminal_width=80)
    assert res.exit_code == 0 and "2023-12-31" in res.stdout and "since" in res.stdout


def test_bad_id_is_a_clear_error():
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "bubblemachine", "claims", "--id", "C99"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "unknown claim 'C99'" in proc.stderr and "C2.1" in proc.stderr and "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "bubblemachine", "claims", "--asof", "yesterday"], capture_output=True, text=True)
    assert proc.returncode == 2 and "--asof" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("args", [["--format", "xml"], ["--lang", "fr"], ["--history", "--every", "week"],
                                  ["--history", "--backend", "gpu"], ["--history", "--workers", "0"]])  # fmt: skip
def test_bad_options_exit_2(args):
    res = runner.invoke(app, ["claims", "--id", "C2.1", *args])
    assert res.exit_code == 2, res.output
