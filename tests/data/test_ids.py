"""Series ids never name a path; nothing is written outside the store; reset removes it all."""

from __future__ import annotations

import pandas as pd
import pytest

from bubblemachine.data import open_store
from bubblemachine.data.catalog import catalog, series_id_for_file
from bubblemachine.data.ids import check_series_id
from bubblemachine.data.importer import KNOWN_UNITS, check_import_units, import_path
from bubblemachine.errors import DataError


@pytest.mark.parametrize("good", ["WALCL", "BTC", "NVDA_OHLCV", "a.b-c_d", "X" * 64, "9"])
def test_valid_ids(good):
    assert check_series_id(good) == good


@pytest.mark.parametrize(
    "bad",
    ["", "..", "../x", "../../x", "a/b", "a\\b", "/abs", ".hidden", "-x", "_x", "a..b", "a.", "a b",
     "지수", "A\n", "A\tB", "X" * 65, "a:b", "C:\\x"],
)
def test_invalid_ids(bad):
    with pytest.raises(DataError, match="--id"):
        check_series_id(bad, where="--id")


def test_every_catalogued_id_is_valid():
    for sid in catalog():
        check_series_id(sid)


def test_file_names_without_letters_give_no_id():
    assert series_id_for_file("지수.csv") == ""
    assert series_id_for_file("...csv") == ""
    assert series_id_for_file("my data.csv") == "MY_DATA"


def _csv(tmp_path, name="s.csv"):
    p = tmp_path / name
    p.write_text("date,value\n2024-01-02,1\n2024-01-03,2\n")
    return p


@pytest.mark.parametrize("sid", ["../../x", "../../../../../x", "a/b", "/tmp/x"])
def test_import_never_writes_outside_the_store(tmp_path, sid):
    home = tmp_path / "deep" / "home"
    src = _csv(tmp_path)
    before = {p for p in tmp_path.rglob("*")}
    with pytest.raises(DataError, match="--id"):
        import_path(src, store=open_store(home), units="percent", series_id=sid)
    assert {p for p in tmp_path.rglob("*")} == before


def test_store_write_refuses_a_path_as_id(tmp_path):
    frame = pd.DataFrame({"date": pd.to_datetime(["2024-01-02"]), "value": [1.0]})
    with pytest.raises(DataError, match="not a valid series id"):
        open_store(tmp_path).write([(frame, {"id": "../x", "units": "percent", "title": "x", "frequency": "daily"})])
    assert not (tmp_path / "x-").exists() and not list(tmp_path.glob("*.parquet"))


def test_reset_removes_everything_the_store_owns(tmp_path):
    store = open_store(tmp_path)
    import_path(_csv(tmp_path), store=store, units="percent", series_id="MINE")
    assert (tmp_path / "store" / "manifest.json").exists()
    (tmp_path / "store" / ".manifest.json.abc.tmp").write_text("left by a crash")
    assert store.remove(None) == ["MINE"]
    assert not (tmp_path / "store").exists()
    assert store.remove(None) == []  # nothing to do: no error


def test_reset_keeps_files_it_does_not_own(tmp_path):
    store = open_store(tmp_path)
    import_path(_csv(tmp_path), store=store, units="percent", series_id="MINE")
    (tmp_path / "store" / "notes.txt").write_text("mine")
    store.remove(None)
    assert (tmp_path / "store" / "notes.txt").read_text() == "mine"
    assert not (tmp_path / "store" / "series").exists() and not (tmp_path / "store" / "manifest.json").exists()


@pytest.mark.parametrize("units", ["percent", "USD millions", "USD billions (chained 2017)", "index points", "ratio"])
def test_known_units(units):
    assert check_import_units(units) == units


@pytest.mark.parametrize("units", ["bananas", "USD zillions", "pct", "Percent"])
def test_unknown_units_list_the_known_ones(units):
    with pytest.raises(DataError, match=f"--units: {units!r} is not a known unit; use one of USD"):
        check_import_units(units)
    assert "percent" in KNOWN_UNITS
