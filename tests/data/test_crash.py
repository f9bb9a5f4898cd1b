"""Nothing lost, nothing corrupted: SIGKILL a writing `bubblemachine` at random points.

The store hook ``BUBBLEMACHINE_TEST_WRITE_DELAY`` (seconds slept before each file a write
puts in the store, and before the manifest is replaced) stretches a write so the kill
lands in the middle of it. After each kill the store must load, every checksum must
verify, and every series must be exactly its old or (for committed ones) its new version.
"""

from __future__ import annotations

import http.server
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bubblemachine.data import open_store
from bubblemachine.data.importer import import_path
from bubblemachine.data.store import ENV_WRITE_DELAY

pytestmark = pytest.mark.slow

N_FILES = 12


def _exe() -> list[str]:
    exe = Path(sys.executable).with_name("bubblemachine")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "bubblemachine"]


def _write_dir(path: Path, version: int) -> dict[str, np.ndarray]:
    path.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(version)
    dates = pd.bdate_range("2010-01-01", periods=1500)
    out = {}
    for i in range(N_FILES):
        values = np.round(rng.normal(100, 10, len(dates)), 4)
        pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "value": values}).to_csv(path / f"crash_{i:02d}.csv", index=False)
        out[f"CRASH_{i:02d}"] = values
    return out


def _files(home: Path) -> int:
    d = home / "store" / "series"
    return len(list(d.glob("*"))) if d.is_dir() else 0


def _kill_when(proc: subprocess.Popen, ready, timeout: float = 60.0) -> bool:
    """SIGKILL ``proc`` as soon as ``ready()`` is true; False if it finished first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if ready():
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            return True
        time.sleep(0.005)
    proc.kill()
    raise AssertionError("the writer neither finished nor reached the kill point")


def test_sigkill_during_directory_import_keeps_previous_data(tmp_path):
    home = tmp_path / "home"
    current = _write_dir(tmp_path / "v1", 1)
    import_path(tmp_path / "v1", store=open_store(home), units="percent")
    rng = random.Random(20251114)
    killed = 0
    for version in (2, 3, 4):
        new = _write_dir(tmp_path / f"v{version}", version)
        base = _files(home)
        # kill after k new parquet files, or (k = N_FILES + 1) while the manifest is replaced
        k = rng.randint(1, N_FILES + 1)
        env = {**os.environ, ENV_WRITE_DELAY: "0.04"}
        proc = subprocess.Popen([*_exe(), "--home", str(home), "--quiet", "data", "import", str(tmp_path / f"v{version}"),
                                 "--units", "percent"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        was_killed = _kill_when(proc, lambda base=base, k=k: _files(home) >= base + min(k, N_FILES))
        killed += was_killed
        if not was_killed:  # it finished first: the whole directory is committed
            assert proc.returncode == 0
            current = new
        store = open_store(home)
        assert store.verify() == []
        for sid, values in current.items():  # a directory import is all-or-nothing
            np.testing.assert_array_equal(store.series(sid).to_numpy(), values)
    assert killed >= 2
    # a clean import afterwards commits the new data and collects the orphans
    import_path(tmp_path / "v4", store=open_store(home), units="percent")
    store = open_store(home)
    assert store.verify() == []
    for sid, values in new.items():
        np.testing.assert_array_equal(store.series(sid).to_numpy(), values)
    referenced = {Path(store.meta(sid).parquet).name for sid in new}
    assert {p.name for p in (home / "store" / "series").iterdir()} == referenced


class _FakeFred(http.server.BaseHTTPRequestHandler):
    """fredgraph.csv for any id: five new business days after the snapshot, value 42."""

    def do_GET(self):  # noqa: N802 (http.server's naming)
        from urllib.parse import parse_qs, urlparse

        sid = parse_qs(urlparse(self.path).query)["id"][0]
        body = f"observation_date,{sid}\n" + "".join(f"2025-11-{d},42.0\n" for d in (17, 18, 19, 20, 21))
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_sigkill_during_update_keeps_each_series_old_or_new(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeFred)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        home = tmp_path / "home"
        env = {**os.environ, ENV_WRITE_DELAY: "0.05", "FRED_API_KEY": "",
               "BUBBLEMACHINE_FRED_CSV_URL": f"http://127.0.0.1:{server.server_address[1]}/fredgraph.csv"}
        manifest = home / "store" / "manifest.json"

        def committed() -> int:
            try:
                return len(json.loads(manifest.read_text())["series"])
            except (FileNotFoundError, json.JSONDecodeError):
                return 0

        proc = subprocess.Popen([*_exe(), "--home", str(home), "--quiet", "data", "update", "--source", "fred"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert _kill_when(proc, lambda: committed() >= 3 and _files(home) > committed())
    finally:
        server.shutdown()
    store = open_store(home)
    assert store.verify() == []
    snap = open_store(tmp_path / "empty-home")
    n_new = 0
    for m in store.metas():
        if not m.live.startswith("fred:") and not snap.meta(m.id).file.startswith("fred_"):
            continue
        old = snap.frame(m.id)
        got = store.frame(m.id)
        if m.origin == "snapshot":
            continue
        n_new += 1
        pd.testing.assert_frame_equal(got.iloc[: len(old)], old)
        assert got["value"].iloc[len(old):].tolist() == [42.0] * (len(got) - len(old))
        assert got.index[-1] == pd.Timestamp("2025-11-21")
    assert n_new >= 3
