"""The store: round trips, validation of incoming data, corruption detection and recovery."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bubblemachine.cli import app
from bubblemachine.data import open_store
from bubblemachine.errors import DataError

runner = CliRunner()


def _frame(values, start="2024-01-01", freq="D"):
    return pd.DataFrame({"date": pd.date_range(start, periods=len(values), freq=freq), "value": values})


META = {"id": "TEST", "title": "a test series", "units": "percent", "frequency": "daily"}


def _bm(home: Path, *args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("bubblemachine")
    cmd = [str(exe), "--home", str(home), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})


def test_write_then_read_round_trip_and_overrides_snapshot(tmp_path):
    store = open_store(tmp_path)
    (m,) = store.write([(_frame([1.0, 2.5, float("nan")]), META)])
    assert (m.id, m.rows, m.first, m.last, m.origin) == ("TEST", 3, "2024-01-01", "2024-01-03", "store")
    s = store.series("TEST", dropna=False)
    assert s.iloc[1] == 2.5 and math.isnan(s.iloc[2])
    assert s.attrs["units"] == "percent"
    # a store copy shadows the snapshot; removing it falls back
    walcl = store.frame("WALCL").reset_index().tail(3)
    store.write([(walcl, {**store.meta("WALCL").to_dict()})])
    assert store.meta("WALCL").origin == "store" and store.meta("WALCL").rows == 3
    store.remove(["WALCL"])
    assert store.meta("WALCL").origin == "snapshot" and store.meta("WALCL").rows > 1000
    # only referenced files remain
    files = sorted(p.name for p in (tmp_path / "store" / "series").iterdir())
    assert files == [Path(store.meta("TEST").parquet).name]


def test_same_content_same_file_and_garbage_collected(tmp_path):
    store = open_store(tmp_path)
    (a,) = store.write([(_frame([1.0, 2.0]), META)])
    (b,) = store.write([(_frame([1.0, 2.0]), META)])
    assert a.parquet == b.parquet and a.checksum == b.checksum
    (c,) = store.write([(_frame([1.0, 3.0]), META)])
    assert c.parquet != a.parquet
    assert not (tmp_path / "store" / a.parquet).exists()


@pytest.mark.parametrize(
    ("frame", "meta", "message"),
    [
        (_frame([1.0, 2.0]), {**META, "units": ""}, "units not declared"),
        (_frame([1.0, 2.0]), {**META, "units": "USD zillions"}, "units 'USD zillions' not understood"),
        (pd.DataFrame({"date": ["2024-01-02", "2024-01-01"], "value": [1.0, 2.0]}), META, "row 2: column 'date': value 2024-01-01 is earlier"),
        (pd.DataFrame({"date": ["2024-01-01", "2024-01-01"], "value": [1.0, 2.0]}), META, "row 2: column 'date': value 2024-01-01 is duplicated"),
        (pd.DataFrame({"date": ["2024-01-01", "2024-13-01"], "value": [1.0, 2.0]}), META, "row 2: column 'date': value '2024-13-01' is not a date"),
        (pd.DataFrame({"date": ["2024-01-01", "2024-01-02"], "value": ["1", "abc"]}), META, "row 2: column 'value': value 'abc' is not a number"),
        (_frame([1.0, np.inf]), META, "row 2: column 'value': value inf is not finite"),
        (pd.DataFrame({"value": [1.0]}), META, "no 'date' column"),
    ],
)
def test_invalid_data_never_enters_the_store(tmp_path, frame, meta, message):
    store = open_store(tmp_path)
    store.write([(_frame([7.0]), {**META, "id": "KEEP"})])
    with pytest.raises(DataError, match=message):
        store.write([(_frame([9.0]), {**META, "id": "OTHER"}), (frame, meta)])
    assert store.ids().count("OTHER") == 0  # nothing of the batch was written
    assert store.series("KEEP").tolist() == [7.0]


def test_verify_finds_damaged_file_and_read_names_the_fix(tmp_path):
    store = open_store(tmp_path)
    (m,) = store.write([(_frame([1.0, 2.0]), META)])
    assert store.verify() == []
    path = tmp_path / "store" / m.parquet
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    problems = open_store(tmp_path).verify()
    assert [(sid, origin) for sid, origin, _ in problems] == [("TEST", "store")]
    with pytest.raises(DataError, match=r"checksum mismatch.*data reset --series TEST"):
        open_store(tmp_path).series("TEST")


def test_missing_file_is_reported(tmp_path):
    store = open_store(tmp_path)
    (m,) = store.write([(_frame([1.0, 2.0]), META)])
    (tmp_path / "store" / m.parquet).unlink()
    with pytest.raises(DataError, match="missing.*data reset --series TEST"):
        open_store(tmp_path).frame("TEST")


@pytest.mark.parametrize("garbage", [b"{not json", b'{"format": 1}', b"\xff\xfe\x00", b'{"series": {"X": {"units": "x"}}}'])
def test_corrupt_manifest_is_a_clear_error_and_reset_recovers(tmp_path, garbage):
    store = open_store(tmp_path)
    store.write([(_frame([1.0, 2.0]), META)])
    (tmp_path / "store" / "manifest.json").write_bytes(garbage)
    with pytest.raises(DataError, match=r"manifest is corrupt.*bubblemachine data reset"):
        open_store(tmp_path).ids()
    open_store(tmp_path).remove(None)
    fresh = open_store(tmp_path)
    assert "TEST" not in fresh.ids() and fresh.meta("WALCL").origin == "snapshot"


def test_cli_corrupt_store_exit_2_with_hint_no_traceback(tmp_path, bm):
    store = open_store(tmp_path)
    (m,) = store.write([(_frame([1.0, 2.0]), META)])
    (tmp_path / "store" / m.parquet).write_bytes(b"PAR1 not really")
    proc = bm("--home", str(tmp_path), "data", "verify")
    assert proc.returncode == 2
    assert "damaged: TEST (store)" in proc.stderr
    assert "data reset --series TEST" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    proc = bm("--home", str(tmp_path), "data", "show", "TEST")
    assert proc.returncode == 2 and "checksum mismatch" in proc.stderr and "Traceback" not in proc.stderr
    (tmp_path / "store" / "manifest.json").write_text("{oops")
    proc = bm("--home", str(tmp_path), "data", "list")
    assert proc.returncode == 2 and "manifest is corrupt" in proc.stderr and "Traceback" not in proc.stderr
    proc = bm("--home", str(tmp_path), "data", "reset", "--yes")
    assert proc.returncode == 0, proc.stderr
    proc = bm("--home", str(tmp_path), "data", "verify")
    assert proc.returncode == 0 and "every checksum verified" in proc.stdout


def test_reset_single_series_via_cli(tmp_path):
    store = open_store(tmp_path)
    store.write([(_frame([1.0, 2.0]), META), (_frame([3.0]), {**META, "id": "OTHER"})])
    result = runner.invoke(app, ["--home", str(tmp_path), "data", "reset", "--series", "TEST", "--yes"])
    assert result.exit_code == 0, result.output
    assert "dropped 1 series" in result.output
    assert open_store(tmp_path).ids().count("TEST") == 0
    assert open_store(tmp_path).series("OTHER").tolist() == [3.0]
    result = runner.invoke(app, ["--home", str(tmp_path), "data", "reset", "--series", "WALCL", "--yes"])
    assert result.exit_code != 0


def test_manifest_is_plain_sorted_json(tmp_path):
    store = open_store(tmp_path)
    store.write([(_frame([1.0]), META)])
    manifest = json.loads((tmp_path / "store" / "manifest.json").read_text())
    assert manifest["format"] == 1
    assert manifest["series"]["TEST"]["units"] == "percent"
    assert manifest["series"]["TEST"]["rows"] == 1


def test_reader_survives_a_concurrent_writer_collecting_its_file(tmp_path):
    reader = open_store(tmp_path)
    writer = open_store(tmp_path)
    writer.write([(_frame([1.0, 2.0]), META)])
    assert reader.meta("TEST").rows == 2  # reader has the manifest cached
    writer.write([(_frame([1.0, 2.0, 3.0]), META)])  # old file garbage-collected
    # Simulate the race: the reader read the manifest just before the writer committed.
    st = (tmp_path / "store" / "manifest.json").stat()
    reader._manifest_key = (st.st_ino, st.st_size, st.st_mtime_ns)
    assert reader._manifest["series"]["TEST"]["rows"] == 2  # stale
    assert reader.frame("TEST")["value"].tolist() == [1.0, 2.0, 3.0]


def test_concurrent_writers_lose_nothing(tmp_path):
    import threading

    errors = []

    def work(prefix: str) -> None:
        try:
            store = open_store(tmp_path)
            for i in range(5):
                store.write([(_frame([float(i)]), {**META, "id": f"{prefix}{i}"})])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(p,)) for p in ("A", "B", "C")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store = open_store(tmp_path)
    assert {f"{p}{i}" for p in "ABC" for i in range(5)} <= set(store.ids())
    assert store.verify() == []
