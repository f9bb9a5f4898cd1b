"""`data list` and `data show` as a user sees them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from bubblemachine.cli import app

runner = CliRunner()


def _bm(home: Path, *args: str, columns: int = 80) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("bubblemachine")
    return subprocess.run([str(exe), "--home", str(home), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": str(columns)})


def test_list_fits_80_columns_and_keeps_ids_and_dates_whole(tmp_path):
    proc = _bm(tmp_path, "data", "list")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert max(len(ln) for ln in lines) <= 80
    rows = {ln.split()[0]: ln.split() for ln in lines if ln and ln.split()[0] in ("HYPERSCALER_CAPEX", "WALCL", "RRPONTSYD", "GDPC1")}
    assert rows["HYPERSCALER_CAPEX"][1:5] == ["USD", "Q", "2014-03-31", "2025-09-30"]
    assert rows["WALCL"][1:4] == ["USD", "mn", "W"] or rows["WALCL"][1:3] == ["USD mn", "W"]
    assert "bn" in rows["RRPONTSYD"]
    assert "2025-11-14" in proc.stdout and "101 series" in proc.stdout


def test_list_json_has_every_series_with_units(tmp_path):
    result = runner.invoke(app, ["--home", str(tmp_path), "data", "list", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert len(rows) == 101
    walcl = next(r for r in rows if r["id"] == "WALCL")
    assert walcl["units"] == "USD millions" and walcl["unit_scale"] == 1e6 and walcl["origin"] == "snapshot"


def test_show_tail_json_and_csv(tmp_path, bm):
    result = runner.invoke(app, ["--home", str(tmp_path), "data", "show", "DGS10", "--tail", "2", "--format", "json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["rows"] == [{"date": "2025-11-13", "value": 4.11}, {"date": "2025-11-14", "value": 4.14}]
    result = runner.invoke(app, ["--home", str(tmp_path), "data", "show", "dgs10", "--tail", "1", "--asof", "2025-11-13", "--format", "csv"])
    assert result.exit_code == 0, result.output
    # point in time: FRED publishes a day's H.15 yield the next business day, so on
    # 2025-11-13 the latest known 10-year yield is the one of 2025-11-12
    assert result.output.splitlines() == ["date,value", "2025-11-12,4.08"]
    proc = bm("--home", str(tmp_path), "data", "show", "WALCL", "--asof", "yesterday")
    assert proc.returncode == 2 and "--asof" in proc.stderr and "Traceback" not in proc.stderr
    proc = bm("--home", str(tmp_path), "data", "show", "WALCL")
    assert "units: USD millions" in proc.stdout and "6,580,462" in proc.stdout


def test_bad_format_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["--home", str(tmp_path), "data", "list", "--format", "xml"])
    assert result.exit_code == 2
