"""``bubblemachine claims``: table, JSON schema, CSV header, --asof, bad --id."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from bubblemachine.cli import app
from bubblemachine.cli.claims import CSV_COLUMNS

runner = CliRunner()
REQUIRED = {"id", "statement_en", "statement_ko", "verdict", "effect", "ci_low", "ci_high", "n", "sample_start", "sample_end",
            "units", "p_value", "p_adjusted", "p_holm", "p_bh", "caveats", "thresholds"}  # fmt: skip


def test_json_schema():
    res = runner.invoke(app, ["--quiet", "claims", "--id", "C2.1", "--id", "C3.1-TSLA-2010-15", "--id", "F7.1", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["id"] for r in rows] == ["C2.1", "C3.1-TSLA-2010-15", "F7.1"]
    for r in rows:
        assert REQUIRED <= set(r), REQUIRED - set(r)
        assert r["verdict"] in ("supported", "contradicted", "inconclusive", "not testable", "error")
        assert isinstance(r["thresholds"], dict) and "text" in r["thresholds"]
    assert rows[0]["n"] > 400 and rows[0]["ci_low"] <= rows[0]["ci_high"]
    assert rows[2]["verdict"] == "not testable" and rows[2]["effect"] is None


def test_csv_header_and_rows():
    res = runner.invoke(app, ["--quiet", "claims", "--id", "C6.2", "--format", "csv"])
    assert res.exit_code == 0, res.output
    rows = list(csv.reader(io.StringIO(res.stdout)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 2 and rows[1][0] == "C6.2"


def test_asof_limits_sample_end():
    res = runner.invoke(app, ["--quiet", "claims", "--id", "C2.1-BTC", "--id", "C6.3", "--asof", "2019-12-31", "--format", "json"])
    assert res.exit_code == 0, res.output
    for r in json.loads(res.stdout):
        assert r["sample_end"] <= "2019-12-31"


def test_table_has_scoreboard_and_footer():
    res = runner.invoke(app, ["--quiet", "claims", "--id", "C6.2", "--id", "F4.2-2024"])
    assert res.exit_code == 0, res.output
    assert "C6.2" in res.stdout and "F4.2-2024" in res.stdout
    assert "Multiple testing" in res.stdout and "Holm" in res.stdout


def test_bad_id_is_a_clear_error():
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "bubblemachine", "claims", "--id", "C99"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "unknown claim 'C99'" in proc.stderr and "C2.1" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_format_and_asof():
    res = runner.invoke(app, ["claims", "--format", "xml"])
    assert res.exit_code != 0
    res = runner.invoke(app, ["claims", "--id", "C2.1", "--asof", "yesterday"])
    assert res.exit_code != 0
