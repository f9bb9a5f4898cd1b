"""The embedded snapshot is reproducible from ../shared/data and intact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bubblemachine.data import open_store
from bubblemachine.data.snapshot import build_snapshot
from bubblemachine.data.store import SNAPSHOT_DIR

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.mark.slow
@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data (the source CSV files) not present")
def test_rebuilding_from_shared_data_gives_the_same_data(tmp_path):
    """The snapshot is reproducible: the same source files (by SHA-256) give the same series.

    The data are compared, not the Parquet bytes: the bytes also depend on the PyArrow
    version that writes them (its ``created_by`` stamp, its compressor), so they differ on a
    machine with another build while the data are identical. Dates, keys and text must be
    equal; numbers within a relative 1e-12: the decimal text of a CSV file parses to the same
    double with any correctly rounding parser, and 1e-12 (~4,500 units in the last place)
    absorbs a parser that is off by a few units, far below any change of the data (which
    moves values at 1e-6 or more).
    """
    import pandas as pd

    shipped = json.loads((SNAPSHOT_DIR / "manifest.json").read_text())
    built = build_snapshot(SHARED, tmp_path / "snapshot")
    assert built["cutoff"] == shipped["cutoff"] == "2025-11-14"
    assert sorted(built["series"]) == sorted(shipped["series"])
    for sid, entry in shipped["series"].items():
        got = built["series"][sid]
        assert got["source_sha256"] == entry["source_sha256"], sid
        assert (got["rows"], got["first"], got["last"], got["units"], got["columns"]) == (
            entry["rows"], entry["first"], entry["last"], entry["units"], entry["columns"]), sid
        new = pd.read_parquet(tmp_path / "snapshot" / got["parquet"])
        old = pd.read_parquet(SNAPSHOT_DIR / entry["parquet"])
        pd.testing.assert_frame_equal(new, old, check_exact=False, rtol=1e-12, atol=0.0, obj=sid)
    on_disk = json.loads((tmp_path / "snapshot" / "manifest.json").read_text())
    assert on_disk == built
    # the shipped snapshot was not touched by building elsewhere
    assert json.loads((SNAPSHOT_DIR / "manifest.json").read_text()) == shipped


def test_snapshot_bytes_are_deterministic_on_one_machine(tmp_path):
    """Writing the same frame twice gives the same bytes (the checksum is content-addressed)."""
    import pandas as pd

    from bubblemachine.data.store import frame_to_parquet_bytes

    frame = pd.DataFrame({"date": pd.to_datetime(["2024-01-02", "2024-01-03"]), "value": [1.5, 2.25]})
    assert frame_to_parquet_bytes(frame) == frame_to_parquet_bytes(frame.copy())


def test_shipped_snapshot_verifies_and_has_the_net_liquidity_units(tmp_path):
    store = open_store(tmp_path)
    assert store.verify() == []
    assert store.meta("WALCL").units == "USD millions"
    assert store.meta("WTREGEN").units == "USD millions"
    assert store.meta("RRPONTSYD").units == "USD billions"
    assert store.meta("TGA_DAILY").units == "USD millions"
    assert all(m.last <= "2025-11-14" for m in store.metas())
