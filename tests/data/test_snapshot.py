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
def test_rebuilding_from_shared_data_gives_identical_checksums(tmp_path):
    shipped = json.loads((SNAPSHOT_DIR / "manifest.json").read_text())
    built = build_snapshot(SHARED, tmp_path / "snapshot")
    assert built["cutoff"] == shipped["cutoff"] == "2025-11-14"
    assert sorted(built["series"]) == sorted(shipped["series"])
    for sid, entry in shipped["series"].items():
        got = built["series"][sid]
        assert got["checksum"] == entry["checksum"], sid
        assert got["source_sha256"] == entry["source_sha256"], sid
        assert (got["rows"], got["first"], got["last"], got["units"]) == (entry["rows"], entry["first"], entry["last"], entry["units"])
    on_disk = json.loads((tmp_path / "snapshot" / "manifest.json").read_text())
    assert on_disk == built
    # the shipped snapshot was not touched by building elsewhere
    assert json.loads((SNAPSHOT_DIR / "manifest.json").read_text()) == shipped


def test_shipped_snapshot_verifies_and_has_the_net_liquidity_units(tmp_path):
    store = open_store(tmp_path)
    assert store.verify() == []
    assert store.meta("WALCL").units == "USD millions"
    assert store.meta("WTREGEN").units == "USD millions"
    assert store.meta("RRPONTSYD").units == "USD billions"
    assert store.meta("TGA_DAILY").units == "USD millions"
    assert all(m.last <= "2025-11-14" for m in store.metas())
