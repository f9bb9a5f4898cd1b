"""`bubblemachine data import`: replace semantics, counts, validation, all-or-nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bubblemachine.cli import app
from bubblemachine.data import open_store
from bubblemachine.data.importer import diff_frames, import_path, infer_frequency
from bubblemachine.errors import DataError

runner = CliRunner()
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _bm(home: Path, *args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("bubblemachine")
    return subprocess.run([str(exe), "--home", str(home), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "200"})


def _walcl_csv(path: Path, store) -> pd.DataFrame:
    """The snapshot's last 10 WALCL rows, one changed, one added; written as fred_WALCL.csv."""
    df = store.frame("WALCL").reset_index().tail(10).copy()
    df.loc[df.index[3], "value"] = 1.0
    extra = pd.DataFrame({"date": [pd.Timestamp("2025-11-19")], "value": [6_600_000.0]})
    df = pd.concat([df, extra], ignore_index=True)
    df.to_csv(path / "fred_WALCL.csv", index=False, date_format="%Y-%m-%d")
    return df


def test_import_replaces_series_and_counts_against_snapshot(tmp_path):
    store = open_store(tmp_path / "home")
    before = store.meta("WALCL").rows
    src = tmp_path / "in"
    src.mkdir()
    _walcl_csv(src, store)
    (r,) = import_path(src / "fred_WALCL.csv", store=store)
    assert (r.id, r.rows, r.added, r.changed, r.removed, r.previous, r.written) == (
        "WALCL", 11, 1, 1, before - 10, "snapshot", True,
    )
    meta = store.meta("WALCL")
    assert meta.origin == "store" and meta.units == "USD millions" and meta.last == "2025-11-19"
    assert store.series("WALCL").iloc[-1] == 6_600_000.0
    # importing the same file again changes nothing
    (again,) = import_path(src / "fred_WALCL.csv", store=store)
    assert (again.added, again.changed, again.removed, again.previous, again.written) == (0, 0, 0, "store", False)


def test_unknown_file_needs_units_then_imports(tmp_path):
    src = tmp_path / "my_ratio.csv"
    src.write_text("date,value\n2024-01-31,1.5\n2024-02-29,1.25\n2024-03-31,\n2024-04-30,2\n")
    home = tmp_path / "home"
    result = runner.invoke(app, ["--home", str(home), "data", "import", str(src)])
    assert isinstance(result.exception, DataError)  # main() prints it as one line, exit 2
    assert "not in the catalogue: give its units with --units" in str(result.exception)
    result = runner.invoke(app, ["--home", str(home), "--quiet", "data", "import", str(src), "--units", "percent", "--title", "My ratio"])
    assert result.exit_code == 0, result.output
    meta = open_store(home).meta("MY_RATIO")
    assert (meta.units, meta.title, meta.frequency, meta.rows) == ("percent", "My ratio", "monthly", 4)
    # later imports of the same id reuse the stored units
    src.write_text("date,value\n2024-01-31,1.5\n2024-02-29,1.0\n")
    (r,) = import_path(src, store=open_store(home))
    assert (r.changed, r.removed, r.units) == (1, 2, "percent")


def test_new_fred_file_becomes_updatable(tmp_path):
    from bubblemachine.data.update import plan

    (tmp_path / "fred_NEWSERIES.csv").write_text("date,value\n2024-01-01,1\n2024-02-01,2\n")
    (tmp_path / "my_own.csv").write_text("date,value\n2024-01-01,1\n2024-02-01,2\n")
    store = open_store(tmp_path / "home")
    import_path(tmp_path / "fred_NEWSERIES.csv", store=store, units="percent")
    import_path(tmp_path / "my_own.csv", store=store, units="percent")
    routes = {sid: (src, sym) for sid, src, sym in plan(store)}
    assert routes["NEWSERIES"] == ("fred", "NEWSERIES")
    assert routes["MY_OWN"][0] == ""


def test_units_must_match_catalogue(tmp_path):
    store = open_store(tmp_path / "home")
    _walcl_csv(tmp_path, store)
    with pytest.raises(Exception, match="catalogued in 'USD millions'; --units 'USD billions' disagrees"):
        import_path(tmp_path / "fred_WALCL.csv", store=store, units="USD billions")
    with pytest.raises(Exception, match="--units: 'USD lots' is not a known unit"):
        import_path(tmp_path / "fred_WALCL.csv", store=store, units="USD lots")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ("date,value\n2024-01-01,1\n2024-01-02,1.5x\n", "line 3: column 'value': value '1.5x' is not a number"),
        ("date,value\n2024-01-01,1\n01/02/2024,2\n", "line 3: column 'date': value '01/02/2024' is not a date"),
        ("date,value\n2024-01-02,1\n2024-01-01,2\n", "line 3: column 'date': value 2024-01-01 is earlier"),
        ("date,value\n2024-01-01,1\n2024-01-01,2\n", "line 3: column 'date': value 2024-01-01 is duplicated"),
        ("when,value\n2024-01-01,1\n", "line 1: missing column 'date'"),
    ],
)
def test_bad_csv_via_cli_names_file_line_column_value(tmp_path, body, where, bm):
    bad = tmp_path / "bad_series.csv"
    bad.write_text(body)
    proc = bm("--home", str(tmp_path / "home"), "data", "import", str(bad), "--units", "percent")
    assert proc.returncode == 2
    assert str(bad) in proc.stderr.replace("\n", "")
    assert where in proc.stderr.replace("\n", "")
    assert "Traceback" not in proc.stderr + proc.stdout


def test_directory_import_is_all_or_nothing(tmp_path):
    src = tmp_path / "dir"
    src.mkdir()
    (src / "aaa.csv").write_text("date,value\n2024-01-01,1\n2024-01-02,2\n")
    (src / "zzz.csv").write_text("date,value\n2024-01-01,1\n2024-01-02,oops\n")
    (src / "notes.txt").write_text("ignored")
    home = tmp_path / "home"
    result = runner.invoke(app, ["--home", str(home), "data", "import", str(src), "--units", "index points"])
    assert isinstance(result.exception, DataError) and "zzz.csv: line 3" in str(result.exception)
    assert "AAA" not in open_store(home).ids()
    (src / "zzz.csv").write_text("date,value\n2024-01-01,1\n2024-01-02,3\n")
    result = runner.invoke(app, ["--home", str(home), "--quiet", "data", "import", str(src), "--units", "index points", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["id"], r["added"], r["written"]) for r in rows] == [("AAA", 2, True), ("ZZZ", 2, True)]
    assert open_store(home).series("ZZZ").tolist() == [1.0, 3.0]


def test_panel_file_from_catalogue_imports(tmp_path):
    store = open_store(tmp_path / "home")
    capex = store.frame("HYPERSCALER_CAPEX").reset_index().rename(columns={"date": "period_end"})
    capex = capex[capex["company"] == "MSFT"]
    capex.to_csv(tmp_path / "fund_hyperscaler_capex_quarterly.csv", index=False, date_format="%Y-%m-%d")
    (r,) = import_path(tmp_path / "fund_hyperscaler_capex_quarterly.csv", store=store)
    assert r.id == "HYPERSCALER_CAPEX" and r.added == 0 and r.changed == 0
    assert r.removed == 213 - len(capex)
    assert set(store.frame("HYPERSCALER_CAPEX")["company"]) == {"MSFT"}


def test_bad_csv_in_a_real_process(tmp_path):
    bad = tmp_path / "bad_series.csv"
    bad.write_text("date,value\n2024-01-01,1\n2024-01-02,n/a!\n")
    proc = _bm(tmp_path / "home", "data", "import", str(bad), "--units", "percent")
    assert proc.returncode == 2
    assert "line 3: column 'value': value 'n/a!' is not a number" in proc.stderr.replace("\n", "")
    assert "Traceback" not in proc.stderr + proc.stdout


def test_diff_and_frequency_helpers():
    a = pd.DataFrame({"date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]), "v": [1.0, float("nan"), 3.0]})
    b = pd.DataFrame({"date": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04"]), "v": [float("nan"), 4.0, 5.0]})
    assert diff_frames(a, b) == (1, 1, 1)
    assert diff_frames(None, b) == (3, 0, 0)
    assert infer_frequency(pd.Series(pd.date_range("2020-01-01", periods=30, freq="B"))) == "daily"
    assert infer_frequency(pd.Series(pd.date_range("2020-01-01", periods=30, freq="W-WED"))) == "weekly"
    assert infer_frequency(pd.Series(pd.date_range("2020-01-01", periods=30, freq="QS"))) == "quarterly"


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data not present")
def test_importing_shared_files_is_a_no_op(tmp_path):
    src = tmp_path / "subset"
    src.mkdir()
    for name in ("fred_WALCL.csv", "px_ohlcv_NVDA.csv", "vix_daily.csv", "idx_SPX_daily.csv"):
        (src / name).write_bytes((SHARED / name).read_bytes())
    results = import_path(src, store=open_store(tmp_path / "home"))
    assert [(r.id, r.written) for r in results] == [("WALCL", False), ("SPX", False), ("NVDA_OHLCV", False), ("VIX", False)]
